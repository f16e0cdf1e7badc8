"""Regional key figures of a year, per department and region, with the change."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..data import TYPES_AIDE, Warehouse
from ._accompaniment import check_accompaniment
from ._core import (
    Period,
    _block,
    _codes_in,
    _month_offset,
    _Presence,
    _units,
    wilson_interval,
)
from ._definitions import RATES
from ._monthly import _has_events, _with_change

logger = logging.getLogger(__name__)

KEY_FIGURE_COLUMNS: tuple[str, ...] = (
    "niveau",
    "code",
    "libelle",
    "annee",
    "theme",
    "indicateur",
    "unite",
    "valeur",
    "ic_bas",
    "ic_haut",
    "valeur_n_1",
    "evolution",
    "evolution_relative",
)

_LEVELS = ("departement", "region")

#: share -> what it counts among the people accompanied in the year
PROFILE_SHARES: tuple[str, ...] = (
    "part_femmes",
    "part_age_16_17",
    "part_age_18_21",
    "part_age_22_25",
    "part_age_26_plus",
    "part_neet",
    "part_sans_diplome",
    "part_non_inscrits_france_travail",
    "part_zrr",
    "part_qpv",
)


def _profile_flags(jeunes: pd.DataFrame, person_ids: pd.Index) -> dict[str, np.ndarray]:
    """Each profile attribute as a bool array indexed by person code."""
    j = jeunes.set_index("id_jeune").reindex(person_ids)
    born, first = j["date_naissance"], j["date_premier_accueil"]
    # whole years on the day of first reception
    before_birthday = (first.dt.month < born.dt.month) | (
        (first.dt.month == born.dt.month) & (first.dt.day < born.dt.day)
    )
    age = (first.dt.year - born.dt.year - before_birthday.astype(int)).to_numpy(
        dtype=float, na_value=np.nan
    )

    def flag(values: pd.Series) -> np.ndarray:
        return values.astype("boolean").to_numpy(dtype=bool, na_value=False)

    return {
        "part_femmes": flag(j["sexe"] == "F"),
        # the contract allows first reception from 15: those minors join 16-17
        "part_age_16_17": age < 18,
        "part_age_18_21": (age >= 18) & (age <= 21),
        "part_age_22_25": (age >= 22) & (age <= 25),
        "part_age_26_plus": age >= 26,
        "part_neet": flag(j["neet"]),
        "part_sans_diplome": flag(j["niveau_diplome"] == "aucun"),
        "part_non_inscrits_france_travail": flag(j["inscrit_france_travail"] == False),  # noqa: E712
        "part_zrr": flag(j["zrr"]),
        "part_qpv": flag(j["qpv"]),
    }


def _year_figures(
    warehouse: Warehouse,
    units,
    year: int,
    levels: tuple[str, ...] = _LEVELS,
    accompagnement: tuple[str, ...] | None = None,
    months: int = 12,
) -> pd.DataFrame:
    """Long table (niveau, code, indicateur, theme, unite, valeur, ic_bas, ic_haut).

    Every figure covers January to month ``months`` of ``year``.
    """
    # the block of the whole year, shared with compute() and monthly_followup():
    # its year-to-date grids give any January-to-month figure
    block = _block(warehouse, units, year, 12, accompagnement)
    n_units = {"ml": units.n_ml, "departement": units.n_dep, "region": 1}
    jeunes = warehouse.jeunes
    flags = _profile_flags(jeunes, block.person_ids)

    # where each young person's file is held: support schemes and aids have no ML
    holder_ml = _codes_in(jeunes["code_ml"], units.ml_codes)
    holder = {
        "ml": holder_ml,
        "departement": np.where(
            holder_ml >= 0, units.ml_dep[np.maximum(holder_ml, 0)], -1
        ),
        "region": np.where(holder_ml >= 0, 0, -1),
    }
    person_index = pd.Index(jeunes["id_jeune"])

    def holder_of(ids: pd.Series, level: str) -> np.ndarray:
        pos = person_index.get_indexer(ids)
        return np.where(pos >= 0, holder[level][np.maximum(pos, 0)], -1)

    disp = warehouse.dispositifs
    disp = disp[_in_months(disp["date_debut"], year, months)]
    aides = warehouse.aides
    aides = aides[_in_months(aides["date_attribution"], year, months)]

    rows: list[dict] = []
    for level in levels:
        n = n_units[level]
        codes, names = units.level(level)
        annual = {
            name: grids[1][:, months - 1] for name, grids in block.counts[level].items()
        }
        figures: list[tuple[str, str, str, np.ndarray, np.ndarray | None]] = []
        for name in (
            "jeunes_en_contact",
            "jeunes_accompagnes",
            "premiers_accueils",
            "entretiens",
        ):
            figures.append(("activite", name, "nombre", annual[name], None))
        accompanied = annual["jeunes_accompagnes"]
        with np.errstate(divide="ignore", invalid="ignore"):
            per_person = np.where(
                accompanied > 0, annual["entretiens"] / accompanied, np.nan
            )
        figures.append(
            ("activite", "entretiens_par_jeune_accompagne", "ratio", per_person, None)
        )

        presence: _Presence = block.accompanied[level]
        # each (person, unit) once, if first accompanied by the end of the months
        once = presence.first & (presence.month < months)
        person, unit = presence.person[once], presence.unit[once]
        for share in PROFILE_SHARES:
            hits = np.bincount(unit, weights=flags[share][person], minlength=n)
            p, low, high = wilson_interval(hits, accompanied)
            figures.append(("profil", share, "part", p, np.stack([low, high])))

        for name in annual:
            if name.startswith("entrees_"):
                figures.append(("entrees", name, "nombre", annual[name], None))
        for rate, (numerator, denominator) in RATES.items():
            p, low, high = wilson_interval(annual[numerator], annual[denominator])
            figures.append(("entrees", rate, "part", p, np.stack([low, high])))

        for scheme in ("PACEA", "CEJ"):
            ids = disp.loc[
                (disp["dispositif"] == scheme).to_numpy(dtype=bool, na_value=False),
                "id_jeune",
            ]
            people = _distinct_per_unit(ids, holder_of(ids, level), n)
            figures.append(
                ("dispositifs", f"entrees_{scheme.lower()}", "nombre", people, None)
            )

        aid_unit = holder_of(aides["id_jeune"], level)
        known = aid_unit >= 0
        amount = aides["montant_eur"].to_numpy(dtype=float, na_value=np.nan)
        amount = np.nan_to_num(amount)  # an aid without amount adds no euro
        for aid in (*TYPES_AIDE, "total"):
            rows_of = (
                known
                if aid == "total"
                else known
                & (aides["type_aide"] == aid).to_numpy(dtype=bool, na_value=False)
            )
            count = np.bincount(aid_unit[rows_of], minlength=n)
            euros = np.bincount(aid_unit[rows_of], weights=amount[rows_of], minlength=n)
            figures.append(("aides", f"aides_{aid}_nombre", "nombre", count, None))
            figures.append(("aides", f"aides_{aid}_montant_eur", "euros", euros, None))
            if aid == "permis_b":
                ids = aides.loc[rows_of, "id_jeune"]
                people = _distinct_per_unit(ids, aid_unit[rows_of], n)
                figures.append(
                    ("aides", "beneficiaires_permis_b", "nombre", people, None)
                )

        # unit-major: every figure of a department together
        for k in range(n):
            for theme, name, unite, values, bounds in figures:
                rows.append(
                    {
                        "niveau": level,
                        "code": codes[k],
                        "libelle": names[k],
                        "theme": theme,
                        "indicateur": name,
                        "unite": unite,
                        "valeur": float(values[k]),
                        "ic_bas": np.nan if bounds is None else float(bounds[0][k]),
                        "ic_haut": np.nan if bounds is None else float(bounds[1][k]),
                    }
                )
    return pd.DataFrame(rows)


def _distinct_per_unit(ids: pd.Series, unit: np.ndarray, n: int) -> np.ndarray:
    """Distinct id_jeune per unit (rows with unit -1 ignored)."""
    person, _ = pd.factorize(ids)
    ok = (unit >= 0) & (person >= 0)
    pairs = np.unique(person[ok].astype(np.int64) * n + unit[ok])
    return np.bincount(pairs % n, minlength=n)


def _in_months(dates: pd.Series, year: int, months: int) -> np.ndarray:
    """Dates from January to month ``months`` of ``year``."""
    offset = _month_offset(dates, year)
    return (offset >= 0) & (offset < months)


def months_compared(warehouse: Warehouse, year: int) -> int:
    """The months :func:`key_figures` compares by default: January to this one.

    12 for a year the extract covers to December; for the year the extract
    ends in, its latest complete month (``Warehouse.coverage``), so that the
    year is compared with the same months of the year before. An extract
    ending before the end of January of ``year`` gives 1 (its first days).

    Parameters
    ----------
    warehouse : observatoire.data.Warehouse
    year : int

    Returns
    -------
    int
        From 1 to 12.

    Examples
    --------
    >>> import pandas as pd
    >>> from observatoire.data import Warehouse, empty_frame
    >>> ev = pd.DataFrame({"id_evenement": ["e1"], "id_jeune": ["a"],
    ...     "code_ml": ["M1"], "date_evenement": pd.to_datetime(["2023-03-01"]),
    ...     "type_evenement": ["entretien_individuel"]})
    >>> wh = Warehouse(empty_frame("missions_locales"), empty_frame("jeunes"), ev,
    ...     empty_frame("situations"), extraction_date=pd.Timestamp("2024-07-10"))
    >>> months_compared(wh, 2023), months_compared(wh, 2024)
    (12, 6)
    """
    latest = warehouse.coverage.latest_complete_month
    if latest is None or latest[0] > year:
        return 12
    if latest[0] == year:
        return latest[1]
    return 1


def key_figures(
    warehouse: Warehouse,
    year: int,
    levels: tuple[str, ...] = _LEVELS,
    *,
    accompagnement: list[str] | tuple[str, ...] | None = None,
    months: int | None = None,
) -> pd.DataFrame:
    """Regional key figures of ``year`` per department and region, with the change.

    Like is compared with like: every figure covers January to the same month
    of ``year`` and of ``year - 1``, the whole year when the extract covers
    ``year`` to December, else January to its latest complete month.

    Parameters
    ----------
    warehouse : observatoire.data.Warehouse
    year : int
    levels : tuple of str
        Levels to give, among ``ml``, ``departement``, ``region`` (default the
        last two). At ``ml`` level, support schemes and aids belong to the ML
        holding the young person's file, like the department.
    accompagnement : list of str, optional
        Event types that make a young person accompanied (default: the
        definition in force, see ``indicators.compute``): the accompanied, the
        profile (shares of them), the entries and the rates follow it.
    months : int, optional
        Compare January to this month (1 to 12) of both years. Default
        :func:`months_compared`: 12, or for a year the extract does not
        complete its latest complete month (``Warehouse.coverage``).

    Returns
    -------
    pd.DataFrame
        Tidy, one row per (niveau, code, indicateur); levels ``departement``
        then ``region``. Columns :data:`KEY_FIGURE_COLUMNS`:

        - ``niveau``, ``code``, ``libelle``, ``annee``;
        - ``theme``: ``activite``, ``profil``, ``entrees``, ``dispositifs``,
          ``aides``;
        - ``indicateur`` and ``unite`` (``nombre``, ``ratio``, ``part`` = a
          proportion in [0, 1], ``euros``);
        - ``valeur``; ``ic_bas``/``ic_haut``: Wilson 95 % bounds of each
          ``part``, NaN otherwise;
        - ``valeur_n_1`` (the same figure over the same months of
          ``year - 1``; NaN for every row
          when the extract does not cover ``year - 1`` from January, i.e. its
          earliest event is later), ``evolution``
          (valeur - valeur_n_1, in proportion points for a ``part``) and
          ``evolution_relative`` (evolution / valeur_n_1, NaN when that is 0).

        ``attrs["accompagnement"]`` lists the event types counted,
        ``attrs["mois"]`` the months compared (January to that month).

        Indicators by theme:

        - activite: the four activity counts of ``compute`` (distinct people,
          events) and ``entretiens_par_jeune_accompagne`` (interviews over
          distinct people accompanied);
        - profil: shares of the people accompanied in the year in the unit
          (denominator: ``jeunes_accompagnes``, the same for every share, all
          attributes being required by the contract): ``part_femmes`` (sexe F),
          age on the day of first reception ``part_age_16_17`` (under 18: the
          rare 15-year-olds are minors too), ``part_age_18_21``,
          ``part_age_22_25``, ``part_age_26_plus``, ``part_neet``,
          ``part_sans_diplome`` (niveau_diplome ``aucun``),
          ``part_non_inscrits_france_travail``, ``part_zrr``, ``part_qpv``;
        - entrees: the six entry counts and four rates of ``compute``;
        - dispositifs: ``entrees_pacea``, ``entrees_cej``: distinct people with a
          dispositif of that kind starting in the year, whether accompanied or
          not, in the department of the ML holding their file
          (``jeunes.code_ml``; support schemes carry no ML);
        - aides: per ``type_aide`` and in total, ``aides_<type>_nombre`` (aids
          granted in the year) and ``aides_<type>_montant_eur`` (their amounts;
          a missing amount adds nothing), plus ``beneficiaires_permis_b``
          (distinct people); attributed like support schemes.

    Examples
    --------
    >>> import pandas as pd
    >>> from observatoire.data import Warehouse
    >>> from observatoire.data import empty_frame
    >>> ml = pd.DataFrame({"code_ml": ["M1"], "nom_ml": ["Pau"], "departement": ["64"]})
    >>> ev = pd.DataFrame({"id_evenement": ["e1", "e2", "e3"],
    ...     "id_jeune": ["a", "a", "a"], "code_ml": ["M1"] * 3,
    ...     "date_evenement": pd.to_datetime(["2022-01-12", "2023-03-01", "2023-04-09"]),
    ...     "type_evenement": ["entretien_individuel"] * 3})
    >>> wh = Warehouse(ml, empty_frame("jeunes"), ev, empty_frame("situations"),
    ...     extraction_date=pd.Timestamp("2024-01-05"))
    >>> kf = key_figures(wh, 2023)
    >>> print(kf[(kf.niveau == "region") & (kf.theme == "activite")][
    ...     ["indicateur", "valeur", "valeur_n_1", "evolution_relative"]
    ... ].to_string(index=False))
                         indicateur  valeur  valeur_n_1  evolution_relative
                  jeunes_en_contact     1.0         1.0                 0.0
                 jeunes_accompagnes     1.0         1.0                 0.0
                  premiers_accueils     0.0         0.0                 NaN
                         entretiens     2.0         1.0                 1.0
    entretiens_par_jeune_accompagne     2.0         1.0                 1.0
    """
    year = int(year)
    accompagnement = check_accompaniment(accompagnement)
    units = _units(warehouse.missions_locales)
    unknown = [lv for lv in levels if lv not in ("ml", *_LEVELS)]
    if unknown:
        raise ValueError(f"key_figures: unknown level(s) {unknown}")
    if months is None:
        months = months_compared(warehouse, year)
    if not 1 <= int(months) <= 12:
        raise ValueError(f"key_figures: months must be 1 to 12, got {months}")
    months = int(months)
    current = _year_figures(
        warehouse, units, year, tuple(levels), accompagnement, months
    )
    previous = None
    if _has_events(warehouse, Period(year - 1)):
        previous = _year_figures(
            warehouse, units, year - 1, tuple(levels), accompagnement, months
        )
    else:
        logger.info(
            "extract does not cover %d: key figures without comparison", year - 1
        )
    out = _with_change(current, previous, ["niveau", "code", "indicateur"])
    out["annee"] = year
    for name in ("niveau", "code", "libelle", "theme", "indicateur", "unite"):
        out[name] = out[name].astype("string")
    out = out[list(KEY_FIGURE_COLUMNS)].reset_index(drop=True)
    out.attrs["accompagnement"] = list(accompagnement)
    out.attrs["mois"] = months
    return out
