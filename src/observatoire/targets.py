"""Targets of the agreement and progress towards them (Article 4 follow-up).

A target file (``params/objectifs.yaml``) declares what should be reached in a
calendar year, by the region, a department or one Mission Locale. This module
reads and checks it (:func:`load_targets`), measures the progress of each target
at the end of a month (:func:`progress`) and draws it (:func:`progress_chart`).

What a target can measure
-------------------------
- an indicator of the data contract: a count of
  ``observatoire.indicators.COUNT_COLUMNS`` (``entrees_formation``...) or a rate
  of ``observatoire.indicators.RATES`` (``taux_formation``...), computed by
  :func:`observatoire.indicators.compute` with the contract's definitions (the
  year-to-date value is its ``cumul`` row: distinct young people over the months);
- ``aides:<type_aide>``: the number of aids of that type whose
  ``date_attribution`` falls in the period (an aid, not a person: a young person
  with two aids counts twice);
- ``dispositifs:<dispositif>``: the number of entries into that support scheme
  (``date_debut`` in the period).

Aids and scheme entries have no ML column: they belong to the ML holding the
young person's file (``jeunes.code_ml``), and a department to the one
``missions_locales`` gives that ML.

Projection to 31 December
-------------------------
With month *m* of year *N* complete, ``realise`` is the value from January to
the end of *m*. The *seasonal profile* is the share of a year's total reached at
the end of month *m*, ``cumul(m) / cumul(12)``, averaged over the complete years
before *N* (at most :data:`PROFILE_YEARS`, the latest ones) in which the same
target had a non-zero total. The projection is ``realise / average share``: the
year ends as if the rest of it followed the average of previous years. A year is
*complete* when the extract starts in the first week of January of that year or
earlier and the extract covers its 31 December (``Warehouse.coverage``). With no such year (or an
average share of 0), the projection is a linear pro rata,
``realise x 12 / m``, and ``methode_projection`` says so. A rate is projected as
the projection of its numerator over that of its denominator. At month 12 the
projection is the realised value.

Status (``statut``)
-------------------
Compared with the lower bound of the target (``cible_min``: the value, or the
bottom of the range), the projection gives:

- ``en bonne voie``: projection >= ``cible_min`` (and <= ``cible_max`` if a range);
- ``au-dessus de la fourchette``: projection > ``cible_max`` (ranges only);
- ``à surveiller``: :data:`WATCH_RATIO` x ``cible_min`` <= projection < ``cible_min``;
- ``hors d'atteinte``: projection < :data:`WATCH_RATIO` x ``cible_min``.

At month 12 the year is over: ``atteint`` replaces ``en bonne voie`` and
``non atteint`` replaces the two others.

Disclosure
----------
Every count here is about young people (aids and schemes are given to persons).
Unless ``raw=True`` is asked (figures for analysts, not for circulation), a
masked value becomes NaN and its ``secret_*`` column is True:

- a contract indicator is masked exactly when :func:`observatoire.disclosure.protect`
  masks its cell in the year's whole indicator table (counts 1 to
  ``disclosure_threshold - 1``, secondary suppression, rates over fewer than
  :data:`MIN_RATE_DENOMINATOR` young people), so a target never shows a cell
  the report's indicator tables hide;
- a count of aids or scheme entries is masked exactly when
  :func:`observatoire.disclosure.protect_figures` masks it among every unit
  and every type of its kind, January to the month (units add up; for a
  whole year aids of all types add up to the total the key figures publish);
- a masked ``realise`` also masks the projection and ``taux_projection`` (they
  would give it back). The status is kept: it only places the projection in
  one of a few bands.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import disclosure, indicators
from ._io import load_yaml
from .data import DEPARTEMENT_NAMES, DEPARTEMENTS, SCHEMA
from .disclosure import DEFAULT_MIN_DENOMINATOR, DEFAULT_THRESHOLD, MARKER
from .exceptions import ParamsError
from .figures import blank_figure, plain
from .formatting import fr_int, fr_month, fr_pct
from .indicators import COUNT_COLUMNS, DEFINITIONS, RATES, REGION_CODE, REGION_NAME

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.figure import Figure

    from .data import Coverage, Warehouse

logger = logging.getLogger(__name__)

__all__ = [
    "MIN_RATE_DENOMINATOR",
    "PROFILE_YEARS",
    "PROGRESS_COLUMNS",
    "STATUSES",
    "TARGET_COLUMNS",
    "WATCH_RATIO",
    "indicator_label",
    "load_targets",
    "parse_targets",
    "progress",
    "progress_chart",
    "progress_table",
]

#: below this share of the target, a projection is out of reach
#: the contract's values (``data.SCHEMA``, the data package's front door)
DISPOSITIFS = SCHEMA["dispositifs"].column("dispositif").allowed
TYPES_AIDE = SCHEMA["aides"].column("type_aide").allowed

WATCH_RATIO = 0.9
#: complete previous years averaged in the seasonal profile (the latest ones)
PROFILE_YEARS = 3
#: no rate is shown over fewer young people than this (data contract)
MIN_RATE_DENOMINATOR = DEFAULT_MIN_DENOMINATOR
#: every status, in the order of the chart's legend
STATUSES: tuple[str, ...] = (
    "en bonne voie",
    "au-dessus de la fourchette",
    "à surveiller",
    "hors d'atteinte",
    "atteint",
    "non atteint",
)
#: columns of the table :func:`load_targets` returns
TARGET_COLUMNS: tuple[str, ...] = (
    "indicateur",
    "libelle",
    "niveau",
    "code",
    "annee",
    "cible_min",
    "cible_max",
    "source",
)

_TARGET_KEYS = ("indicateur", "niveau", "departement", "annee", "valeur", "fourchette",
                "libelle", "source")  # fmt: skip
_TOP_KEYS = ("objectifs",)
_AID_LABELS = {
    "permis_b": "Aides au permis B",
    "sante": "Aides santé",
    "numerique": "Aides numériques (pass numériques)",
    "mobilite_internationale": "Aides à la mobilité internationale",
    "logement": "Aides au logement",
    "aide_alimentaire": "Aides alimentaires",
    "allocation": "Allocations",
    "autre": "Autres aides",
}
_SCHEME_LABELS = {
    "PACEA": "Entrées en PACEA",
    "CEJ": "Entrées en contrat d'engagement jeune (CEJ)",
    "GARANTIE_JEUNES": "Entrées en Garantie jeunes",
    "PPAE": "Entrées en PPAE",
    "AUTRE": "Entrées dans un autre dispositif",
}
_COLORS = {
    "en bonne voie": "#2e7d32",
    "atteint": "#2e7d32",
    "au-dessus de la fourchette": "#1565c0",
    "à surveiller": "#ef8f00",
    "hors d'atteinte": "#c62828",
    "non atteint": "#c62828",
}


# ------------------------------------------------------------------ indicators
def _contract_indicators() -> tuple[tuple[str, ...], dict[str, tuple[str, str]]]:
    return tuple(COUNT_COLUMNS), dict(RATES)


def _valid_indicators() -> list[str]:
    counts, rates = _contract_indicators()
    return [
        *counts,
        *rates,
        *(f"aides:{t}" for t in TYPES_AIDE),
        *(f"dispositifs:{d}" for d in DISPOSITIFS),
    ]


def indicator_label(indicateur: str) -> str:
    """French label of a target's indicator.

    Examples
    --------
    >>> indicator_label("aides:permis_b")
    'Aides au permis B'
    >>> indicator_label("entrees_formation")
    'Entrées en formation'
    """
    if indicateur.startswith("aides:"):
        return _AID_LABELS.get(indicateur[6:], indicateur)
    if indicateur.startswith("dispositifs:"):
        return _SCHEME_LABELS.get(indicateur[12:], indicateur)

    return DEFINITIONS.get(indicateur, (indicateur, ""))[0]


def _is_rate(indicateur: str) -> bool:
    return indicateur in _contract_indicators()[1]


# ----------------------------------------------------------------------- load
def _ml_codes(missions_locales: Any) -> set[str] | None:
    if missions_locales is None:
        return None
    if isinstance(missions_locales, pd.DataFrame):
        return set(missions_locales["code_ml"].astype(str))
    return {str(c) for c in missions_locales}


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _check_level(
    where: str, item: dict, ml_codes: set[str] | None, errors: list[str]
) -> tuple[Any, str | None]:
    """``(niveau, code)`` of a target (``ml`` for an ML code); problems to ``errors``."""
    niveau, code = item.get("niveau"), None
    if "niveau" in item:
        if not isinstance(niveau, (str, int)) or isinstance(niveau, bool):
            errors.append(f"{where}.niveau: {niveau!r} is not text")
        else:
            niveau = str(niveau)
            if niveau == "region":
                code = REGION_CODE
            elif niveau == "departement":
                dep = item.get("departement")
                dep = str(dep) if isinstance(dep, (str, int)) else dep
                if dep not in DEPARTEMENTS:
                    errors.append(
                        f"{where}.departement: {dep!r} is not a department of the "
                        f"region; valid: {', '.join(DEPARTEMENTS)}"
                    )
                code = dep
            else:
                if ml_codes is not None and niveau not in ml_codes:
                    errors.append(
                        f"{where}.niveau: {niveau!r} is neither 'region', "
                        "'departement' nor an ML code of missions_locales"
                    )
                code, niveau = niveau, "ml"
            if niveau != "departement" and "departement" in item:
                errors.append(
                    f"{where}.departement: only allowed with niveau 'departement'"
                )
    return niveau, code


def _check_years(where: str, item: dict, errors: list[str]) -> list[Any]:
    """The years a target is declared for; problems to ``errors``."""
    years = item.get("annee")
    years = years if isinstance(years, list) else [years]
    if "annee" in item:
        bad = [
            y for y in years
            if not isinstance(y, int) or isinstance(y, bool) or not 2000 <= y <= 2100
        ]  # fmt: skip
        if bad or not years:
            errors.append(
                f"{where}.annee: {item.get('annee')!r} is not a year (2000-2100) "
                "or a list of years"
            )
    return years


def _check_value(
    where: str, item: dict, ind: Any, rate: bool, errors: list[str]
) -> tuple[Any, Any]:
    """``(low, high)`` of a target's value or range; problems to ``errors``."""
    low = high = None
    has_value, has_range = "valeur" in item, "fourchette" in item
    if has_value == has_range:
        errors.append(f"{where}: give exactly one of 'valeur' or 'fourchette'")
    elif has_value:
        low = item["valeur"]
        if not _is_number(low) or low < 0:
            errors.append(f"{where}.valeur: {low!r} is not a number >= 0")
    else:
        rng = item["fourchette"]
        if (
            not isinstance(rng, list)
            or len(rng) != 2
            or not all(_is_number(v) and v >= 0 for v in rng)
        ):
            errors.append(
                f"{where}.fourchette: {rng!r} is not a list of two numbers >= 0 "
                "[bas, haut]"
            )
        else:
            low, high = rng
            if low > high:
                errors.append(
                    f"{where}.fourchette: {rng!r} is upside down (bas {low} > haut "
                    f"{high})"
                )
    if rate:
        for v in (low, high):
            if _is_number(v) and v > 1:
                errors.append(
                    f"{where}: {ind} is a rate, its target {v!r} must be a "
                    "proportion between 0 and 1"
                )
    return low, high


def _check_one(
    i: int, item: Any, ml_codes: set[str] | None, valid: list[str]
) -> tuple[list[dict], list[str]]:
    """Rows of one declared target (one per year) and the problems found."""
    where = f"objectifs[{i}]"
    if not isinstance(item, dict):
        return [], [f"{where}: expected a mapping of keys, got {type(item).__name__}"]
    errors = [
        f"{where}: unknown key {k!r}; valid keys: {', '.join(_TARGET_KEYS)}"
        for k in item
        if k not in _TARGET_KEYS
    ]
    for key in ("indicateur", "niveau", "annee"):
        if key not in item:
            errors.append(f"{where}: key {key!r} is missing")

    ind = item.get("indicateur")
    if "indicateur" in item and (not isinstance(ind, str) or ind not in valid):
        errors.append(
            f"{where}.indicateur: {ind!r} is not an indicator; valid: "
            f"{', '.join(valid)}"
        )
    rate = isinstance(ind, str) and ind in valid and _is_rate(ind)

    niveau, code = _check_level(where, item, ml_codes, errors)
    years = _check_years(where, item, errors)
    low, high = _check_value(where, item, ind, rate, errors)
    for key in ("libelle", "source"):
        if key in item and not isinstance(item[key], str):
            errors.append(f"{where}.{key}: {item[key]!r} is not text")
    if errors:
        return [], errors
    label = item.get("libelle") or indicator_label(ind)
    return [
        {
            "indicateur": ind,
            "libelle": label,
            "niveau": niveau,
            "code": code,
            "annee": y,
            "cible_min": float(low),
            "cible_max": float(high) if high is not None else np.nan,
            "source": item.get("source", ""),
        }
        for y in years
    ], []


def parse_targets(config: Any, missions_locales: Any = None) -> pd.DataFrame:
    """Check a parsed target file (a mapping) and return the targets table.

    Parameters
    ----------
    config : mapping
        ``{"objectifs": [ {indicateur, niveau, annee, valeur | fourchette,
        [departement], [libelle], [source]}, ... ]}``. ``annee`` may be a list
        of years: the target is repeated for each.
    missions_locales : DataFrame, iterable of codes, or None
        The MLs an ML-level target may name; None: any code is accepted here
        (:func:`progress` checks it against the warehouse).

    Returns
    -------
    pd.DataFrame
        One row per target and year, columns :data:`TARGET_COLUMNS`:
        ``niveau`` is ``region``, ``departement`` or ``ml``; ``code`` is
        ``NAQ``, the department or the ML code; ``cible_max`` is NaN for a
        single value.

    Raises
    ------
    ParamsError
        Listing every problem, each naming its key (``objectifs[2].niveau``).

    Examples
    --------
    >>> parse_targets({"objectifs": [{"indicateur": "aides:permis_b",
    ...     "niveau": "region", "annee": [2023, 2024],
    ...     "fourchette": [5500, 6000]}]})[["indicateur", "code", "annee",
    ...     "cible_min", "cible_max"]]
           indicateur code  annee  cible_min  cible_max
    0  aides:permis_b  NAQ   2023     5500.0     6000.0
    1  aides:permis_b  NAQ   2024     5500.0     6000.0
    """
    if not isinstance(config, dict):
        raise ParamsError(
            "targets: expected a mapping with the key 'objectifs', got "
            f"{type(config).__name__}"
        )
    errors = [
        f"unknown key {k!r}; valid keys: {', '.join(_TOP_KEYS)}"
        for k in config
        if k not in _TOP_KEYS
    ]
    items = config.get("objectifs", [])
    if items is None:
        items = []
    if not isinstance(items, list):
        errors.append(f"objectifs: expected a list, got {type(items).__name__}")
        items = []
    ml_codes, valid = _ml_codes(missions_locales), _valid_indicators()
    rows: list[dict] = []
    for i, item in enumerate(items):
        found, problems = _check_one(i, item, ml_codes, valid)
        rows += found
        errors += problems
    if errors:
        raise ParamsError("; ".join(errors))
    out = pd.DataFrame(rows, columns=list(TARGET_COLUMNS))
    dup = out.duplicated(["indicateur", "niveau", "code", "annee"])
    if dup.any():
        first = out[dup].iloc[0]
        raise ParamsError(
            f"objectifs: {first['indicateur']} for {first['code']} in "
            f"{first['annee']} is declared twice"
        )
    out["annee"] = out["annee"].astype("int64")
    return out


def load_targets(
    path: str | os.PathLike[str], missions_locales: Any = None
) -> pd.DataFrame:
    """Read and check a target file (``params/objectifs.yaml``).

    Parameters
    ----------
    path : path
        A YAML file holding the key ``objectifs`` (see ``params/README.md``).
    missions_locales : DataFrame, iterable of codes, or None
        To check ML-level targets against (see :func:`parse_targets`).

    Returns
    -------
    pd.DataFrame
        The targets, columns :data:`TARGET_COLUMNS` (see :func:`parse_targets`).

    Raises
    ------
    ParamsError
        The file is missing or not YAML, or a target is invalid (the message
        names the file and each bad key).
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: cannot read the target file (no such file)")
    config = load_yaml(path, error=ParamsError)
    try:
        return parse_targets(config, missions_locales)
    except ParamsError as exc:
        raise ParamsError(f"{path}: {exc}") from None


# ------------------------------------------------------------------- measures
def _ytd_rows(full: pd.DataFrame) -> pd.DataFrame:
    """The ``cumul`` rows of a monthly indicator table, by (niveau, code, mois)."""
    table = full[full["portee"] == "cumul"].copy()
    table["mois"] = table["periode"].str[5:7].astype(int)
    return table.set_index(["niveau", "code", "mois"]).sort_index()


def _cumul_reasons(full: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """Disclosure reasons of the ``cumul`` cells, by (niveau, code, periode)."""
    reasons = reasons.assign(
        niveau=full["niveau"].to_numpy(),
        code=full["code"].to_numpy(),
        periode=full["periode"].to_numpy(),
        portee=full["portee"].to_numpy(),
    )
    reasons = reasons[reasons["portee"] == "cumul"]
    return reasons.set_index(["niveau", "code", "periode"]).sort_index()


@dataclass
class _Measures:
    """Monthly year-to-date values of the warehouse, computed once per year."""

    warehouse: Warehouse
    _indicators: dict
    _owners: pd.DataFrame | None = None
    _simple: dict | None = None
    _protected: dict = field(default_factory=dict)

    @property
    def coverage(self) -> Coverage:
        return self.warehouse.coverage

    def complete(self, year: int) -> bool:
        """Whether the extract covers all of ``year`` (see the module doc)."""
        return self.covers_start(year) and self.coverage.covers(year) == "complete"

    def covers_start(self, year: int) -> bool:
        # a first contact in the year's first week still counts as its start
        first = self.coverage.first
        return first is not None and first <= pd.Timestamp(year, 1, 7)

    def seed(
        self, year: int, full: pd.DataFrame, reasons: pd.DataFrame, threshold: int
    ) -> None:
        """Take ``year``'s monthly indicator table and its disclosure reasons as given.

        The reports' shared step has computed and protected them already;
        seeding them here keeps one computation and one masking decision.
        """
        self._indicators[year] = (full, _ytd_rows(full))
        self._protected[(year, threshold)] = _cumul_reasons(full, reasons)

    def indicator_ytd(self, year: int) -> pd.DataFrame:
        """``cumul`` rows of ``indicators.compute`` for ``year`` (all months)."""
        if year not in self._indicators:
            full = indicators.compute(self.warehouse, str(year), monthly=True)
            self._indicators[year] = (full, _ytd_rows(full))
        return self._indicators[year][1]

    def hidden(
        self,
        indicateur: str,
        niveau: str,
        code: str,
        year: int,
        month: int,
        threshold: int,
    ) -> bool:
        """Whether ``disclosure.protect`` masks this cumul cell of the year's table.

        The whole year's table (every unit, months and year-to-date) is
        protected, so the decision is the one the indicator tables of the
        reports make, secondary suppression included.
        """  # fmt: skip
        key = (year, threshold)
        if key not in self._protected:
            self.indicator_ytd(year)
            full = self._indicators[year][0]
            reasons = disclosure.protect(full, threshold, MIN_RATE_DENOMINATOR).reasons
            self._protected[key] = _cumul_reasons(full, reasons)
        reason = self._protected[key].loc[
            (niveau, code, f"{year}-{month:02d}"), indicateur
        ]
        return bool(reason != "")

    def simple_hidden(
        self,
        indicateur: str,
        niveau: str,
        code: str,
        year: int,
        month: int,
        threshold: int,
    ) -> bool:
        """Whether ``disclosure`` masks this aid or scheme count, January to ``month``.

        Every unit (ML, department, region) and every type of the same kind is
        protected together (:func:`observatoire.disclosure.protect_figures`):
        the units add up, and at month 12 (a whole year, as in the key figures)
        aids of all types add up to their published total, so a target never
        shows what would give a masked count back.
        """
        kind, value = indicateur.split(":", 1)
        key = (kind, year, month, threshold)
        if key not in self._protected:
            self._protected[key] = self._simple_reasons(kind, year, month, threshold)
        name = f"aides_{value}_nombre" if kind == "aides" else f"{kind}_{value}"
        return bool(self._protected[key].get((niveau, str(code), name), ""))

    def _simple_reasons(self, kind: str, year: int, month: int, threshold: int) -> dict:
        self.simple_ytd(f"{kind}:", "region", "", year)  # reads the table once
        rows = self._simple[kind]
        rows = rows[(rows["annee"] == year) & (rows["mois"] <= month)]
        own = self.owners().drop_duplicates("id_jeune").set_index("id_jeune")
        held = pd.DataFrame(
            {
                "type": rows["valeur"].to_numpy(),
                "ml": own["code_ml"].reindex(rows["id_jeune"]).to_numpy(),
                "departement": own["departement"].reindex(rows["id_jeune"]).to_numpy(),
            }
        )
        mls = self.warehouse.missions_locales.astype(
            {"code_ml": str, "departement": str}
        )
        types = list(TYPES_AIDE if kind == "aides" else DISPOSITIFS)
        if kind == "aides" and month == 12:
            # the year's total of aids is published (key figures): the types
            # add up to it; earlier in the year no total is published
            types.append("total")
        units = [("ml", c) for c in mls["code_ml"]]
        units += [("departement", d) for d in sorted(set(mls["departement"]))]
        units.append(("region", "NAQ"))
        # counted once per level (grouped), not by filtering the rows per unit
        per_unit = {
            level: held.groupby(level, sort=False).size().to_dict()
            for level in ("ml", "departement")
        }
        per_type = {
            level: held.groupby([level, "type"], sort=False).size().to_dict()
            for level in ("ml", "departement")
        }
        per_unit["region"] = {"NAQ": len(held)}
        per_type["region"] = {
            ("NAQ", t): n for t, n in held["type"].value_counts().items()
        }
        records = []
        for niveau, code in units:
            for t in types:
                n = (
                    per_unit[niveau].get(code, 0)
                    if t == "total"
                    else int(per_type[niveau].get((code, t), 0))
                )
                name = f"aides_{t}_nombre" if kind == "aides" else f"{kind}_{t}"
                records.append((niveau, code, name, "nombre", float(n)))
        tidy = pd.DataFrame(
            records, columns=["niveau", "code", "indicateur", "unite", "valeur"]
        ).assign(annee=year)
        hierarchy = pd.DataFrame(
            {
                "niveau": "ml",
                "code": mls["code_ml"].to_numpy(),
                "niveau_parent": "departement",
                "code_parent": mls["departement"].to_numpy(),
            }
        )
        out = disclosure.protect_figures(
            tidy, threshold, MIN_RATE_DENOMINATOR, hierarchy=hierarchy
        )
        return dict(
            zip(
                zip(
                    out["niveau"],
                    out["code"].astype(str),
                    out["indicateur"],
                    strict=True,
                ),
                out["valeur_masque"].astype(str),
                strict=True,
            )
        )

    def owners(self) -> pd.DataFrame:
        """``id_jeune`` -> ``code_ml`` (file holder) and ``departement``."""
        if self._owners is None:
            wh = self.warehouse
            own = wh.jeunes[["id_jeune", "code_ml"]].astype(str)
            deps = wh.missions_locales[["code_ml", "departement"]].astype(str)
            self._owners = own.merge(deps, on="code_ml", how="left")
        return self._owners

    def simple_ytd(
        self, indicateur: str, niveau: str, code: str, year: int
    ) -> np.ndarray:
        """Aids or scheme entries, cumulated January..m, for m = 1..12."""
        kind, value = indicateur.split(":", 1)
        if self._simple is None:
            self._simple = {}
        if kind not in self._simple:
            wh = self.warehouse
            if kind == "aides":
                table, col, date = wh.aides, "type_aide", "date_attribution"
            else:
                table, col, date = wh.dispositifs, "dispositif", "date_debut"
            dates = pd.to_datetime(table[date])
            self._simple[kind] = pd.DataFrame(
                {
                    "valeur": table[col].astype(str).to_numpy(object),
                    "id_jeune": table["id_jeune"].astype(str).to_numpy(object),
                    "annee": dates.dt.year.to_numpy(),
                    "mois": dates.dt.month.to_numpy(),
                }
            )
        rows = self._simple[kind]
        rows = rows[(rows["valeur"] == value) & (rows["annee"] == year)]
        if niveau != "region":
            own = self.owners()
            key = "code_ml" if niveau == "ml" else "departement"
            ids = own.loc[own[key] == code, "id_jeune"]
            rows = rows[rows["id_jeune"].isin(ids)]
        months = rows["mois"].to_numpy(dtype=np.int64)
        return np.cumsum(np.bincount(months, minlength=13)[1:]).astype(float)

    def ytd(self, indicateur: str, niveau: str, code: str, year: int) -> np.ndarray:
        """Year-to-date values for months 1..12 (a rate gives num and den rows)."""
        if ":" in indicateur:
            return self.simple_ytd(indicateur, niveau, code, year)
        table = self.indicator_ytd(year)
        try:
            rows = table.loc[(niveau, code)]
        except KeyError:
            raise ParamsError(
                f"target {indicateur}: {niveau} {code!r} is not in the warehouse"
            ) from None
        rows = rows.sort_index()
        if _is_rate(indicateur):
            num, den = _contract_indicators()[1][indicateur]
            return np.vstack([rows[num].to_numpy(float), rows[den].to_numpy(float)])
        return rows[indicateur].to_numpy(float)


def _profile(
    measures: _Measures, indicateur: str, niveau: str, code: str, year: int, month: int
) -> tuple[np.ndarray | None, list[int]]:
    """Average share of the year reached at ``month`` over previous complete years.

    Returns the share (one value, or [num, den] for a rate) and the years used;
    None when no previous complete year has a non-zero total.
    """
    shares, used = [], []
    for y in range(year - 1, year - 1 - 50, -1):
        if len(used) == PROFILE_YEARS or not measures.covers_start(y):
            break
        if not measures.complete(y):
            continue
        series = measures.ytd(indicateur, niveau, code, y)
        total = series[..., 11]
        if np.any(total == 0):
            continue
        shares.append(series[..., month - 1] / total)
        used.append(y)
    if not shares:
        return None, []
    return np.mean(shares, axis=0), sorted(used)


def _status(projection: float, low: float, high: float, final: bool) -> str:
    if not np.isnan(high) and projection > high:
        return "au-dessus de la fourchette"
    if projection >= low:
        return "atteint" if final else "en bonne voie"
    if final:
        return "non atteint"
    return "à surveiller" if projection >= WATCH_RATIO * low else "hors d'atteinte"


def _years_text(years: list[int]) -> str:
    if len(years) == 1:
        return str(years[0])
    return ", ".join(str(y) for y in years[:-1]) + f" et {years[-1]}"


def _check_month(measures: _Measures, year: Any, month: Any) -> tuple[int, int]:
    for name, value, low, high in (("year", year, 2000, 2100), ("month", month, 1, 12)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ParamsError(f"{name}: {value!r} is not a whole number")
        if not low <= value <= high:
            raise ParamsError(f"{name}: {value} is not between {low} and {high}")
    year, month = int(year), int(month)
    end = measures.coverage.end
    if end is not None and measures.coverage.covers(year, month) != "complete":
        raise ParamsError(
            f"month {year}-{month:02d} is not complete in the extract (extraction "
            f"date {end.date()})"
        )
    return year, month


def _expected_share(
    measures: _Measures,
    ind: str,
    niveau: str,
    code: str,
    year: int,
    month: int,
    now: np.ndarray,
) -> tuple[np.ndarray, str]:
    """Share of the year expected by the end of ``month``, and how it was found."""
    if month == 12:
        return np.ones_like(now), "année complète"
    share, used = _profile(measures, ind, niveau, code, year, month)
    if share is None or np.any(share == 0):
        share = np.full_like(now, month / 12)
        return share, "prorata linéaire (aucune année complète antérieure)"
    n = len(used)
    method = (
        f"profil saisonnier {_years_text(used)} ({n} année"
        f"{'s' if n > 1 else ''} complète{'s' if n > 1 else ''})"
    )
    return share, method


def _secrets(
    measures: _Measures,
    target: Any,
    year: int,
    month: int,
    threshold: int,
    value: float,
    value_before: float,
) -> tuple[bool, bool]:
    """Whether this year's and last year's values of ``target`` are masked."""
    ind, niveau, code = target.indicateur, target.niveau, str(target.code)
    if ":" in ind:  # aids, schemes: every unit and type protected together
        now = bool(0 < value < threshold) or measures.simple_hidden(
            ind, niveau, code, year, month, threshold
        )
        before = bool(0 < value_before < threshold) or (
            measures.covers_start(year - 1)
            and measures.simple_hidden(ind, niveau, code, year - 1, month, threshold)
        )
        return now, before
    now = measures.hidden(ind, niveau, code, year, month, threshold)
    before = measures.covers_start(year - 1) and measures.hidden(
        ind, niveau, code, year - 1, month, threshold
    )
    return now, before


def _level_name(niveau: str, code: str, names: dict[str, str]) -> str:
    """The region's, the department's or the ML's name."""
    if niveau == "region":
        return REGION_NAME
    if niveau == "departement":
        return DEPARTEMENT_NAMES.get(code, code)
    return names[code]


PROGRESS_COLUMNS: tuple[str, ...] = (
    "indicateur", "libelle", "niveau", "code", "libelle_niveau", "annee", "mois",
    "cible_min", "cible_max", "realise", "realise_n_1", "projection",
    "part_attendue", "methode_projection", "taux_projection", "statut",
    "secret_realise", "secret_realise_n_1", "source",
)  # fmt: skip


def progress(
    warehouse: Warehouse,
    targets: pd.DataFrame | str | os.PathLike[str],
    year: int,
    month: int,
    *,
    disclosure_threshold: int = DEFAULT_THRESHOLD,
    raw: bool = False,
    computed: Mapping[int, tuple[pd.DataFrame, pd.DataFrame]] | None = None,
) -> pd.DataFrame:
    """Progress of each target of ``year`` at the end of ``month``.

    Parameters
    ----------
    warehouse : observatoire.data.Warehouse
        Reads ``missions_locales``, ``jeunes``, ``evenements``, ``situations``
        (through ``indicators.compute``), ``aides`` and ``dispositifs``.
    targets : DataFrame or path
        From :func:`load_targets` (a path is loaded and checked against the
        warehouse's MLs). Targets of other years are ignored.
    year, month : int
        The last complete month of the extract to measure at (1-12).
    disclosure_threshold : int, default 5
        Counts from 1 to this minus one are masked (see the module doc).
    raw : bool, default False
        True: mask nothing. Figures for analysts only, not for circulation.
    computed : mapping, optional
        Year -> (``indicators.compute(warehouse, year, monthly=True)``, the
        ``reasons`` of ``disclosure.protect`` of that table at
        ``disclosure_threshold``), already computed by the caller (the
        reports' shared step); other years are computed here.

    Returns
    -------
    pd.DataFrame
        One row per target of ``year``, in file order, columns
        ``PROGRESS_COLUMNS``: the target's columns plus ``libelle_niveau``
        (region, department or ML name), ``mois``, ``realise`` (January to
        ``month``), ``realise_n_1`` (January to ``month`` of the year before;
        NaN when the extract does not cover it), ``projection`` (31 December),
        ``part_attendue`` (share of the year expected by ``month``),
        ``methode_projection`` (French), ``taux_projection`` (projection /
        ``cible_min``), ``statut`` (see the module doc) and ``secret_realise``,
        ``secret_realise_n_1`` (masked values, NaN in the figures).

    Raises
    ------
    ParamsError
        A bad year or month, a month the extract does not cover completely,
        or a target naming an ML or department absent from the warehouse.

    Examples
    --------
    Two permis B aids by the end of March, no earlier year in the extract:
    linear pro rata, 2 x 12 / 3 = 8.

    >>> import pandas as pd
    >>> from observatoire.data import Warehouse
    >>> from observatoire.data import empty_frame
    >>> ml = pd.DataFrame({"code_ml": ["M1"], "nom_ml": ["Bordeaux"],
    ...                    "departement": ["33"]})
    >>> je = pd.DataFrame({"id_jeune": ["a"], "code_ml": ["M1"]})
    >>> ev = pd.DataFrame({"id_evenement": ["e"], "id_jeune": ["a"],
    ...     "code_ml": ["M1"], "date_evenement": pd.to_datetime(["2024-01-02"]),
    ...     "type_evenement": ["atelier"]})
    >>> ai = pd.DataFrame({"id_aide": ["x", "y"], "id_jeune": ["a", "a"],
    ...     "type_aide": ["permis_b"] * 2,
    ...     "date_attribution": pd.to_datetime(["2024-01-10", "2024-03-01"])})
    >>> wh = Warehouse(ml, je, ev, empty_frame("situations"), aides=ai,
    ...                extraction_date=pd.Timestamp("2024-04-02"))
    >>> t = parse_targets({"objectifs": [{"indicateur": "aides:permis_b",
    ...     "niveau": "region", "annee": 2024, "valeur": 8}]})
    >>> progress(wh, t, 2024, 3, raw=True)[["realise", "projection", "statut"]]
       realise  projection         statut
    0      2.0         8.0  en bonne voie
    """
    if not isinstance(targets, pd.DataFrame):
        targets = load_targets(targets, warehouse.missions_locales)
    measures = _Measures(warehouse, {})
    for known, (full, reasons) in (computed or {}).items():
        measures.seed(known, full, reasons, disclosure_threshold)
    year, month = _check_month(measures, year, month)
    mls = warehouse.missions_locales.astype({"code_ml": str, "nom_ml": str})
    names = dict(zip(mls["code_ml"], mls["nom_ml"], strict=True))
    known_ml, known_dep = set(names), set(mls["departement"].astype(str))
    rows = []
    for t in targets[targets["annee"] == year].itertuples(index=False):
        niveau, code, ind = t.niveau, str(t.code), t.indicateur
        if (niveau == "ml" and code not in known_ml) or (
            niveau == "departement" and code not in known_dep
        ):
            raise ParamsError(
                f"target {ind} {year}: {niveau} {code!r} is not in missions_locales"
            )
        series = measures.ytd(ind, niveau, code, year)
        now = series[..., month - 1]
        before = (
            measures.ytd(ind, niveau, code, year - 1)[..., month - 1]
            if measures.covers_start(year - 1)
            else np.full_like(now, np.nan)
        )
        share, method = _expected_share(measures, ind, niveau, code, year, month, now)
        proj = now / share
        rate = _is_rate(ind)
        if rate:
            value = now[0] / now[1] if now[1] else np.nan
            value_before = before[0] / before[1] if before[1] else np.nan
            projection = proj[0] / proj[1] if proj[1] else np.nan
            expected = float(share[1])
        else:
            value, value_before, projection = float(now), float(before), float(proj)
            expected = float(share)
        secret_now = secret_before = False
        if not raw:
            secret_now, secret_before = _secrets(
                measures, t, year, month, disclosure_threshold, value, value_before
            )
        statut = (
            _status(projection, t.cible_min, t.cible_max, month == 12)
            if not np.isnan(projection)
            else "–"
        )
        where = _level_name(niveau, code, names)
        rows.append(
            {
                "indicateur": ind,
                "libelle": t.libelle,
                "niveau": niveau,
                "code": code,
                "libelle_niveau": where,
                "annee": year,
                "mois": month,
                "cible_min": t.cible_min,
                "cible_max": t.cible_max,
                "realise": np.nan if secret_now else value,
                "realise_n_1": np.nan if secret_before else value_before,
                "projection": np.nan if secret_now else projection,
                "part_attendue": expected,
                "methode_projection": method,
                "taux_projection": (
                    np.nan
                    if secret_now or not t.cible_min
                    else projection / t.cible_min
                ),
                "statut": statut,
                "secret_realise": secret_now,
                "secret_realise_n_1": secret_before,
                "source": t.source,
            }
        )
    out = pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))
    logger.info("targets %d-%02d: %d measured", year, month, len(out))
    if raw:
        return out

    # each figure was decided in the whole table it belongs to (see the module doc)
    return disclosure.mark(
        out,
        structure=disclosure.Structure(
            keys=("indicateur", "niveau", "code"),
            values=("realise", "realise_n_1", "projection", "taux_projection"),
            name="objectifs",
        ),
        threshold=disclosure_threshold,
        min_denominator=MIN_RATE_DENOMINATOR,
    )


# ------------------------------------------------------------------- display
def _fmt(
    value: float, rate: bool, secret: bool, threshold: int = DEFAULT_THRESHOLD
) -> str:
    if secret:
        return "n.d." if rate else f"< {threshold}"
    if rate:
        return fr_pct(value)
    return fr_int(value)


def _target_text(row: Any, rate: bool) -> str:
    fmt = fr_pct if rate else fr_int
    if np.isnan(row.cible_max):
        return f"≥ {fmt(row.cible_min)}"
    return f"{fmt(row.cible_min)} à {fmt(row.cible_max)}"


def progress_table(
    progress_df: pd.DataFrame, *, disclosure_threshold: int = DEFAULT_THRESHOLD
):
    """The progress table as a French, formatted pandas Styler.

    Masked counts read ``< 5`` (rates ``n.d.``); numbers use French formats.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    rows = []
    for r in progress_df.itertuples(index=False):
        rate = _is_rate(r.indicateur)
        rows.append(
            {
                "Objectif": r.libelle,
                "Territoire": r.libelle_niveau,
                "Cible": _target_text(r, rate),
                f"Réalisé à fin {fr_month(r.annee, r.mois)}": _fmt(
                    r.realise, rate, r.secret_realise, disclosure_threshold
                ),
                "Même date, année précédente": _fmt(
                    r.realise_n_1, rate, r.secret_realise_n_1, disclosure_threshold
                ),
                "Projection au 31 décembre": _fmt(
                    r.projection, rate, r.secret_realise, disclosure_threshold
                ),
                "Situation": r.statut,
                "Méthode de projection": r.methode_projection,
            }
        )
    table = pd.DataFrame(rows)
    if MARKER in progress_df.attrs:  # protected figures make a protected table
        table.attrs[MARKER] = progress_df.attrs[MARKER]
    styler = table.style.hide(axis="index").format(escape="html")

    def color(value: str) -> str:
        return f"color: {_COLORS[value]}; font-weight: bold" if value in _COLORS else ""

    if len(table):
        styler = styler.map(color, subset=["Situation"])
    return styler


def progress_chart(
    progress_df: pd.DataFrame, *, disclosure_threshold: int = DEFAULT_THRESHOLD
) -> Figure:
    """Compact bullet chart of the targets' progress.

    One line per target, on a scale of percent of the target's lower bound:
    shaded bands (below 90 %, 90-100 %, reached, and above the range for a
    range), a dark bar for the realised value, a light bar up to the
    projection at 31 December, a black tick for the target (100 %) and a grey
    diamond for the same point last year. The figures and the status are
    written on the right. Masked values draw no bar. Built without pyplot.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(progress_df)
    fig = blank_figure(10.5, max(1.8, 0.62 * n + 1.2))
    if n == 0:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "Aucun objectif déclaré pour cette année", ha="center",
                va="center", transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        return fig
    ax, side = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 1.9]})
    first = progress_df.iloc[0]
    fig.suptitle(
        f"Objectifs {first['annee']} : situation à fin "
        f"{fr_month(first['annee'], first['mois'])}",
        x=0.01, ha="left", fontsize=11, fontweight="bold",
    )  # fmt: skip
    ratios = []
    for r in progress_df.itertuples(index=False):
        for v in (r.realise, r.projection, r.realise_n_1, r.cible_max):
            if r.cible_min and not np.isnan(v):
                ratios.append(v / r.cible_min)
    xmax = max(1.25, min(3.0, max(ratios, default=1.0) * 1.08))
    labels = []
    for i, r in enumerate(progress_df.itertuples(index=False)):
        y = n - 1 - i
        rate = _is_rate(r.indicateur)
        top = (
            r.cible_max / r.cible_min
            if r.cible_min and not np.isnan(r.cible_max)
            else None
        )
        bands = [(0, WATCH_RATIO, "#f6dcdc"), (WATCH_RATIO, 1.0, "#fbe9cf")]
        bands.append((1.0, top if top else xmax, "#dcefdc"))
        if top:
            bands.append((top, xmax, "#dbe7f5"))
        for a, b, c in bands:
            ax.barh(y, b - a, left=a, height=0.78, color=c, edgecolor="none")
        if r.cible_min and not np.isnan(r.projection):
            ax.barh(y, min(r.projection / r.cible_min, xmax), height=0.34,
                    color="#9fb3c8", edgecolor="none")  # fmt: skip
        if r.cible_min and not np.isnan(r.realise):
            ax.barh(y, min(r.realise / r.cible_min, xmax), height=0.34,
                    color="#1f3a5f", edgecolor="none")  # fmt: skip
        if r.cible_min and not np.isnan(r.realise_n_1):
            ax.plot(min(r.realise_n_1 / r.cible_min, xmax), y, marker="D",
                    color="#6b6b6b", markersize=5, linestyle="none")  # fmt: skip
        ax.plot([1.0, 1.0], [y - 0.36, y + 0.36], color="black", linewidth=1.6)
        status = r.statut
        text = (
            f"{status} – objectif {_target_text(r, rate)}\n"
            f"réalisé {_fmt(r.realise, rate, r.secret_realise, disclosure_threshold)}"
            f", projection {_fmt(r.projection, rate, r.secret_realise, disclosure_threshold)}"
        )
        side.text(0.0, y, text, va="center", fontsize=8.5,
                  color=_COLORS.get(status, "#1d232b"))  # fmt: skip
        where = "" if r.niveau == "region" else f" – {r.libelle_niveau}"
        labels.append(plain(f"{r.libelle}{where}"))
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels[::-1], fontsize=9)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, xmax)
    step = 0.25 if xmax <= 1.6 else 0.5
    ticks = [float(t) for t in np.arange(0, xmax + 1e-9, step)]
    ax.set_xticks(ticks)
    ax.set_xticklabels([fr_pct(t, 0) for t in ticks], fontsize=8)
    ax.set_xlabel(
        "En % de l'objectif (bas de la fourchette) – barre foncée : réalisé ; "
        "barre claire : projection au 31 décembre ; ◆ : même date l'an passé",
        fontsize=8,
    )
    for edge in ("top", "right", "left"):
        ax.spines[edge].set_visible(False)
    ax.tick_params(axis="y", length=0)
    side.set_xlim(0, 1)
    side.set_axis_off()
    return fig
