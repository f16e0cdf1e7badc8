"""Annual review of the ARML's network animation (Article 4 of the agreement).

Article 4 of the 2022-2024 agreement asks the ARML for "un bilan annuel des
activités d'animation déployées pour appuyer auprès des Missions Locales la
diffusion des politiques régionales". This module turns the ARML's own log
(contract tables ``animations`` and ``animations_participations``) into the
tables of that review, for one calendar year:

- :func:`actions_by`: actions by type or by regional policy (count, hours,
  staff attending, MLs reached), with last year's count;
- :func:`ml_reach`: one row per Mission Locale (actions attended, staff...);
- :func:`reach_summary` and :func:`reach_by_departement`: MLs reached, as a
  share of the 43 and of the MLs of ``missions_locales``;
- :func:`rarely_reached`: the MLs reached fewer than twice, **named**: the
  figures are about institutions, not young people, so no disclosure rule
  applies to them;
- :func:`year_over_year`: the headline figures and their change on last year;
- :func:`ml_policy_matrix` and :func:`heatmap_ml_policy`: ML x policy;
- :func:`summary_text`: the review in one French paragraph;
- :func:`annual_review`: everything above in one object.

:func:`resolve_year` gives the year to review (``"auto"``: the latest complete
one). This module computes; the report renders: the notebook
``notebooks/bilan_animation.ipynb`` shows the review through
:mod:`observatoire.reports.sections.animation` (French tables, header, figure).

Every function takes ``source``: a :class:`~observatoire.data.Warehouse`, or a
mapping with the DataFrames ``animations``, ``animations_participations`` and
(for the per-ML tables) ``missions_locales``. Inputs are never modified.

Counting rules
--------------
- An action belongs to the year of its ``date_animation``.
- ``heures`` adds the durations of the actions (an action without a duration
  adds nothing and is counted in ``actions_sans_duree``);
  ``heures_participants`` adds duration x staff attending (person-hours).
- ``participants`` adds ``nb_participants``: one person attending two actions
  counts twice (the log does not name people).
- An ML is *reached* by an action when it has a participation row for it; an
  action without any participation still counts as an action.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .data import DEPARTEMENT_NAMES, SCHEMA, Coverage, Warehouse
from .exceptions import ParamsError
from .figures import attach_data, blank_figure, plain
from .formatting import fr_hours, fr_int, fr_ml_name, fr_pct

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

__all__ = [
    "NETWORK_SIZE",
    "TOTAL_CODE",
    "Source",
    "POLICY_LABELS",
    "TYPE_LABELS",
    "AnnualReview",
    "actions_by",
    "annual_review",
    "heatmap_ml_policy",
    "ml_policy_matrix",
    "ml_reach",
    "rarely_reached",
    "reach_by_departement",
    "reach_summary",
    "resolve_year",
    "summary_text",
    "year_over_year",
]

#: what every function reads: a loaded extract, or a mapping with the DataFrames
#: ``animations``, ``animations_participations`` (and ``missions_locales``)
Source = Warehouse | Mapping[str, Any]

#: Missions Locales in the Nouvelle-Aquitaine network (agreement 2022-2024)
#: the contract's values (``data.SCHEMA``, the data package's front door)
TYPES_ANIMATION = SCHEMA["animations"].column("type_animation").allowed
POLITIQUES_REGIONALES = SCHEMA["animations"].column("politique_regionale").allowed

NETWORK_SIZE = 43

#: French labels of ``type_animation``
TYPE_LABELS: dict[str, str] = {
    "professionnalisation": "Professionnalisation des équipes",
    "reunion_reseau": "Réunion de réseau",
    "groupe_travail": "Groupe de travail",
    "webinaire": "Webinaire",
    "information_dispositif": "Information sur un dispositif",
    "autre": "Autre",
}

#: French labels of ``politique_regionale``
POLICY_LABELS: dict[str, str] = {
    "formation": "Formation",
    "alternance": "Alternance",
    "emploi": "Emploi",
    "permis_b": "Permis B",
    "sante": "Santé et prévention",
    "numerique": "Numérique",
    "mobilite_internationale": "Mobilité internationale",
    "logement": "Logement",
    "service_civique": "Service civique",
    "erip": "ERIP",
    "autre": "Autre",
}

#: policies as written inside a French sentence
_POLICY_IN_TEXT: dict[str, str] = {
    "formation": "formation",
    "alternance": "alternance",
    "emploi": "emploi",
    "permis_b": "permis B",
    "sante": "santé et prévention",
    "numerique": "numérique",
    "mobilite_internationale": "mobilité internationale",
    "logement": "logement",
    "service_civique": "service civique",
    "erip": "ERIP",
    "autre": "autres thèmes",
}

_BY = {"type_animation": TYPE_LABELS, "politique_regionale": POLICY_LABELS}
_ORDER = {
    "type_animation": TYPES_ANIMATION,
    "politique_regionale": POLITIQUES_REGIONALES,
}
#: code of the total row of the per-department table
TOTAL_CODE = "total"
_TOTAL_LABEL = "Ensemble"


# ------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class _Frames:
    animations: pd.DataFrame
    participations: pd.DataFrame
    missions_locales: pd.DataFrame | None


def _frames(source: Source) -> _Frames:
    """The three frames of ``source`` (Warehouse or mapping), typed, copied."""
    if isinstance(source, Mapping):
        get = source.get
    else:

        def get(name: str, default: Any = None) -> Any:
            return getattr(source, name, default)

    anim = get("animations")
    part = get("animations_participations")
    mls = get("missions_locales")
    if anim is None or part is None:
        raise TypeError(
            "source must be a Warehouse or a mapping holding the DataFrames "
            "'animations' and 'animations_participations'"
        )
    anim = anim.copy()
    anim["date_animation"] = pd.to_datetime(anim["date_animation"])
    anim["duree_heures"] = pd.to_numeric(anim["duree_heures"], errors="coerce")
    anim["id_animation"] = anim["id_animation"].astype(str)
    part = part.copy()
    part["id_animation"] = part["id_animation"].astype(str)
    part["code_ml"] = part["code_ml"].astype(str)
    part["nb_participants"] = pd.to_numeric(part["nb_participants"]).astype("int64")
    if mls is not None:
        mls = mls.copy()
        mls["code_ml"] = mls["code_ml"].astype(str)
        mls["departement"] = mls["departement"].astype(str)
        mls["nom_ml"] = mls["nom_ml"].astype(str)
    return _Frames(anim, part, mls)


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise ParamsError(f"year: {year!r} is not a year (an integer such as 2024)")
    return int(year)


def _of_year(fr: _Frames, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actions of ``year`` and their participations (with the action's columns)."""
    anim = fr.animations[fr.animations["date_animation"].dt.year == year]
    cols = ["id_animation", "type_animation", "politique_regionale", "duree_heures"]
    part = fr.participations.merge(anim[cols], on="id_animation", how="inner")
    part["heures_participants"] = part["duree_heures"] * part["nb_participants"]
    return anim, part


def _need_mls(fr: _Frames) -> pd.DataFrame:
    if fr.missions_locales is None:
        raise TypeError("this table needs the DataFrame 'missions_locales' in source")
    return fr.missions_locales


# ------------------------------------------------------------------ tables
def actions_by(
    source: Source, *, year: int, by: str = "type_animation", total: bool = True
) -> pd.DataFrame:
    """Actions of ``year`` by type of action or by regional policy.

    Parameters
    ----------
    source : Warehouse or mapping of DataFrames
        Needs ``animations`` and ``animations_participations``.
    year : int
        Calendar year of ``date_animation``.
    by : {"type_animation", "politique_regionale"}
        The grouping column.
    total : bool
        Append an ``Ensemble`` row (code ``total``); its ``ml_touchees`` counts
        distinct MLs, so it is not the sum of the rows.

    Returns
    -------
    pd.DataFrame
        One row per value of ``by`` that has an action in ``year`` or in
        ``year - 1``, in contract order: ``<by>`` (code), ``libelle``,
        ``actions``, ``heures``, ``actions_sans_duree``, ``participants``,
        ``heures_participants``, ``ml_touchees``, ``actions_n_1`` (same count,
        previous year) and ``evolution`` (``actions - actions_n_1``).

    Examples
    --------
    >>> import pandas as pd
    >>> anim = pd.DataFrame({"id_animation": ["a1", "a2"],
    ...     "date_animation": pd.to_datetime(["2024-03-01", "2024-05-02"]),
    ...     "type_animation": ["webinaire", "webinaire"],
    ...     "politique_regionale": ["sante", "formation"],
    ...     "intitule": ["x", "y"], "duree_heures": [1.5, None]})
    >>> part = pd.DataFrame({"id_animation": ["a1", "a1", "a2"],
    ...     "code_ml": ["m1", "m2", "m1"], "nb_participants": [2, 1, 3]})
    >>> src = {"animations": anim, "animations_participations": part}
    >>> actions_by(src, year=2024)[["libelle", "actions", "heures", "participants"]]
         libelle  actions  heures  participants
    0  Webinaire        2     1.5             6
    1   Ensemble        2     1.5             6
    """
    year = _check_year(year)
    if by not in _BY:
        raise ParamsError(f"by: {by!r} is not a grouping; valid: {', '.join(_BY)}")
    fr = _frames(source)
    rows = []
    anim, part = _of_year(fr, year)
    prev, _ = _of_year(fr, year - 1)
    seen = set(anim[by]) | set(prev[by])
    codes = [c for c in _ORDER[by] if c in seen] + sorted(seen - set(_ORDER[by]))
    groups = [(c, anim[by] == c, part[by] == c, prev[by] == c) for c in codes]
    if total:
        groups.append(
            (
                TOTAL_CODE,
                pd.Series(True, index=anim.index),
                pd.Series(True, index=part.index),
                pd.Series(True, index=prev.index),
            )
        )
    for code, in_anim, in_part, in_prev in groups:
        a, p = anim[in_anim], part[in_part]
        rows.append(
            {
                by: code,
                "libelle": _TOTAL_LABEL
                if code == TOTAL_CODE
                else _BY[by].get(code, code),
                "actions": len(a),
                "heures": float(a["duree_heures"].sum()),
                "actions_sans_duree": int(a["duree_heures"].isna().sum()),
                "participants": int(p["nb_participants"].sum()),
                "heures_participants": float(p["heures_participants"].sum()),
                "ml_touchees": int(p["code_ml"].nunique()),
                "actions_n_1": int(in_prev.sum()),
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            by, "libelle", "actions", "heures", "actions_sans_duree", "participants",
            "heures_participants", "ml_touchees", "actions_n_1",
        ],
    )  # fmt: skip
    out["evolution"] = out["actions"] - out["actions_n_1"]
    return out


def ml_reach(source: Source, *, year: int) -> pd.DataFrame:
    """One row per Mission Locale of ``missions_locales``: what reached it in ``year``.

    Returns
    -------
    pd.DataFrame
        Sorted by ``departement`` then ``nom_ml``: ``code_ml``, ``nom_ml``,
        ``departement``, ``actions`` (actions attended), ``participants``
        (staff attending, summed over actions), ``heures_participants``,
        ``politiques`` (distinct policies), ``actions_n_1`` (actions attended
        the year before), ``touchee`` (at least one action).
        MLs of the participations missing from ``missions_locales`` (only
        possible with hand-built frames) are added with their code as name.
    """
    year = _check_year(year)
    fr = _frames(source)
    mls = _need_mls(fr)[["code_ml", "nom_ml", "departement"]]
    _, part = _of_year(fr, year)
    _, prev = _of_year(fr, year - 1)
    extra = sorted((set(part["code_ml"]) | set(prev["code_ml"])) - set(mls["code_ml"]))
    if extra:
        logger.warning(
            "%d ML(s) of the participations not in missions_locales", len(extra)
        )
        mls = pd.concat(
            [mls, pd.DataFrame({"code_ml": extra, "nom_ml": extra, "departement": ""})],
            ignore_index=True,
        )
    agg = part.groupby("code_ml").agg(
        actions=("id_animation", "nunique"),
        participants=("nb_participants", "sum"),
        heures_participants=("heures_participants", "sum"),
        politiques=("politique_regionale", "nunique"),
    )
    agg["actions_n_1"] = prev.groupby("code_ml")["id_animation"].nunique()
    out = mls.merge(agg, left_on="code_ml", right_index=True, how="left")
    for col in ("actions", "participants", "politiques", "actions_n_1"):
        out[col] = out[col].fillna(0).astype("int64")
    out["heures_participants"] = out["heures_participants"].fillna(0.0).astype(float)
    out["touchee"] = out["actions"] > 0
    # natural order of names (« Gironde 2 » before « Gironde 10 »): the heat
    # map and the tables list the MLs as a reader counts them
    out = out.sort_values(
        ["departement", "nom_ml", "code_ml"],
        kind="stable",
        key=lambda col: col.map(_natural_text) if col.name == "nom_ml" else col,
    )
    return out.reset_index(drop=True)


def _natural_text(name: str) -> str:
    """A sort key of ``name`` whose numbers compare as numbers.

    >>> sorted(["Gironde 10", "Gironde 2"], key=_natural_text)
    ['Gironde 2', 'Gironde 10']
    """
    return re.sub(r"\d+", lambda m: m.group().zfill(9), str(name).lower())


def reach_summary(
    source: Source, *, year: int, network_size: int = NETWORK_SIZE
) -> dict:
    """Headline reach figures of ``year``.

    Returns
    -------
    dict
        ``annee``, ``actions``, ``heures``, ``participants``, ``ml_touchees``
        (distinct MLs with at least one participation), ``ml_reseau`` (MLs of
        ``missions_locales``), ``part_reseau`` (``ml_touchees / ml_reseau``),
        ``part_43`` (``ml_touchees / network_size``), ``ml_touchees_2_fois``
        (MLs reached at least twice), ``ml_moins_2_fois`` (MLs of
        ``missions_locales`` reached 0 or 1 time).
    """
    year = _check_year(year)
    fr = _frames(source)
    anim, part = _of_year(fr, year)
    per_ml = part.groupby("code_ml")["id_animation"].nunique()
    n_touched = int(len(per_ml))
    out = {
        "annee": year,
        "actions": len(anim),
        "heures": float(anim["duree_heures"].sum()),
        "participants": int(part["nb_participants"].sum()),
        "ml_touchees": n_touched,
        "ml_touchees_2_fois": int((per_ml >= 2).sum()),
        "part_43": n_touched / network_size if network_size else np.nan,
    }
    if fr.missions_locales is not None:
        n_net = int(fr.missions_locales["code_ml"].nunique())
        codes = fr.missions_locales["code_ml"]
        out["ml_reseau"] = n_net
        out["part_reseau"] = (
            int(codes.isin(per_ml.index).sum()) / n_net if n_net else np.nan
        )
        out["ml_moins_2_fois"] = int((per_ml.reindex(codes).fillna(0) < 2).sum())
    return out


def reach_by_departement(source: Source, *, year: int) -> pd.DataFrame:
    """MLs reached per department in ``year``.

    Returns
    -------
    pd.DataFrame
        One row per department of ``missions_locales`` (code order) plus an
        ``Ensemble`` row: ``departement``, ``libelle`` (department name),
        ``ml_reseau``, ``ml_touchees``, ``part_touchees``, ``actions`` (distinct
        actions with at least one ML of the department), ``participants``,
        ``ml_moins_2_fois``.
    """
    year = _check_year(year)
    fr = _frames(source)
    mls = _need_mls(fr)
    _, part = _of_year(fr, year)
    part = part.merge(mls[["code_ml", "departement"]], on="code_ml", how="left")
    reach = ml_reach(source, year=year)
    reach = reach[reach["code_ml"].isin(mls["code_ml"])]
    rows = []
    groups = [(d, d) for d in sorted(mls["departement"].unique())]
    for code, dep in [*groups, (TOTAL_CODE, None)]:
        r = reach if dep is None else reach[reach["departement"] == dep]
        p = part if dep is None else part[part["departement"] == dep]
        n_net = len(r)
        n_touched = int(r["touchee"].sum())
        rows.append(
            {
                "departement": code,
                "libelle": _TOTAL_LABEL
                if dep is None
                else DEPARTEMENT_NAMES.get(dep, dep),
                "ml_reseau": n_net,
                "ml_touchees": n_touched,
                "part_touchees": n_touched / n_net if n_net else np.nan,
                "actions": int(p["id_animation"].nunique()),
                "participants": int(p["nb_participants"].sum()),
                "ml_moins_2_fois": int((r["actions"] < 2).sum()),
            }
        )
    return pd.DataFrame(rows)


def rarely_reached(source: Source, *, year: int, threshold: int = 2) -> pd.DataFrame:
    """The Mission Locales reached fewer than ``threshold`` times in ``year``, named.

    These figures describe institutions, not young people: no disclosure rule
    applies, every ML is named with its exact count.

    Returns
    -------
    pd.DataFrame
        Rows of :func:`ml_reach` with ``actions < threshold``, fewest first
        then by department and name: ``code_ml``, ``nom_ml``, ``departement``,
        ``libelle_departement``, ``actions``, ``actions_n_1``, ``participants``.
    """
    reach = ml_reach(source, year=year)
    out = reach[reach["actions"] < threshold].copy()
    out["libelle_departement"] = out["departement"].map(DEPARTEMENT_NAMES).fillna("")
    out = out.sort_values(["actions", "departement", "nom_ml"], kind="stable")
    cols = [
        "code_ml", "nom_ml", "departement", "libelle_departement", "actions",
        "actions_n_1", "participants",
    ]  # fmt: skip
    return out[cols].reset_index(drop=True)


_YOY_ROWS = (
    ("actions", "Actions d'animation"),
    ("heures", "Heures d'animation"),
    ("participants", "Participants des Missions Locales"),
    ("ml_touchees", "Missions Locales touchées"),
    ("ml_touchees_2_fois", "Missions Locales touchées au moins deux fois"),
    ("ml_moins_2_fois", "Missions Locales touchées moins de deux fois"),
)


def year_over_year(source: Source, *, year: int) -> pd.DataFrame:
    """Headline figures of ``year`` against ``year - 1``.

    Returns
    -------
    pd.DataFrame
        One row per figure: ``indicateur`` (key of :func:`reach_summary`),
        ``libelle``, ``annee_n_1``, ``annee``, ``evolution`` (difference) and
        ``evolution_pct`` (relative change, NaN when last year is 0).
        ``ml_moins_2_fois`` is only there when ``missions_locales`` is given.
    """
    year = _check_year(year)
    now = reach_summary(source, year=year)
    before = reach_summary(source, year=year - 1)
    rows = []
    for key, label in _YOY_ROWS:
        if key not in now:
            continue
        a, b = before[key], now[key]
        rows.append(
            {
                "indicateur": key,
                "libelle": label,
                "annee_n_1": a,
                "annee": b,
                "evolution": b - a,
                "evolution_pct": (b - a) / a if a else np.nan,
            }
        )
    return pd.DataFrame(rows)


def ml_policy_matrix(
    source: Source, *, year: int, value: str = "actions"
) -> pd.DataFrame:
    """ML x policy table of ``year``: actions attended (or staff attending).

    Parameters
    ----------
    value : {"actions", "participants"}
        Count of actions attended, or sum of ``nb_participants``.

    Returns
    -------
    pd.DataFrame
        Index ``code_ml`` (every ML of ``missions_locales``, in department
        then name order), one column per policy with an action in ``year``
        (contract order), integer cells (0 when none).
    """
    if value not in ("actions", "participants"):
        raise ParamsError(f"value: {value!r} is not one of actions, participants")
    year = _check_year(year)
    fr = _frames(source)
    reach = ml_reach(source, year=year)
    anim, part = _of_year(fr, year)
    policies = [
        p for p in POLITIQUES_REGIONALES if p in set(anim["politique_regionale"])
    ]
    if value == "actions":
        tab = part.pivot_table(
            index="code_ml", columns="politique_regionale", values="id_animation",
            aggfunc="nunique", fill_value=0,
        )  # fmt: skip
    else:
        tab = part.pivot_table(
            index="code_ml", columns="politique_regionale", values="nb_participants",
            aggfunc="sum", fill_value=0,
        )  # fmt: skip
    tab = tab.reindex(index=reach["code_ml"], columns=policies, fill_value=0)
    tab = tab.fillna(0).astype("int64")
    tab.columns.name = "politique_regionale"
    tab.index.name = "code_ml"
    return tab


# ------------------------------------------------------------------- figure
def heatmap_ml_policy(
    source: Source, *, year: int, value: str = "actions", annotate: bool = True
) -> Figure:
    """Heat map of :func:`ml_policy_matrix`: Missions Locales x regional policies.

    Rows are ML names grouped by department, columns the French policy labels;
    a cell's shade is the number of actions the ML attended on that policy
    (white: none). Built without pyplot, so no figure is left open.

    Returns
    -------
    matplotlib.figure.Figure
    """

    mat = ml_policy_matrix(source, year=year, value=value)
    reach = ml_reach(source, year=year).set_index("code_ml")
    # each ML's one name (formatting.fr_ml_name), as the reports' tables say it
    names = [
        plain(
            f"{fr_ml_name(reach.at[c, 'nom_ml'])} ({reach.at[c, 'departement']})"
            if reach.at[c, "departement"]
            else fr_ml_name(reach.at[c, "nom_ml"])
        )
        for c in mat.index
    ]
    n_rows, n_cols = mat.shape
    height = max(2.6, 0.24 * n_rows + 1.8)
    width = max(5.5, 0.62 * n_cols + 4.2)
    fig = blank_figure(width, height)
    ax = fig.add_subplot()
    what = "Actions suivies" if value == "actions" else "Participants"
    ax.set_title(
        f"{what} par Mission Locale et politique régionale, {year}",
        loc="left", fontsize=11, fontweight="bold",
    )  # fmt: skip
    if n_rows == 0 or n_cols == 0:
        ax.text(0.5, 0.5, f"Aucune action d'animation en {year}", ha="center",
                va="center", transform=ax.transAxes)  # fmt: skip
        ax.set_axis_off()
        return fig
    data = mat.to_numpy(dtype=float)
    vmax = max(1.0, float(data.max()))
    img = ax.imshow(
        np.ma.masked_equal(data, 0), cmap="Blues", vmin=0, vmax=vmax, aspect="auto",
        interpolation="none",
    )  # fmt: skip
    ax.set_facecolor("white")
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels(
        [POLICY_LABELS.get(p, p) for p in mat.columns], rotation=40, ha="right",
        fontsize=8.5,
    )  # fmt: skip
    ax.set_yticks(range(n_rows))
    # 8 pt = 10.7 px at 100 % zoom: labels stay readable (issue 15: >= 10 px)
    ax.set_yticklabels(names, fontsize=8 if n_rows > 20 else 9)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="#e3e6ea", linewidth=0.6)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    if annotate:
        for i in range(n_rows):
            for j in range(n_cols):
                v = int(data[i, j])
                if v:
                    # centred in its cell, inside the axes: the layout need not
                    # measure each of these hundreds of texts (it did, twice)
                    ax.text(
                        j, i, f"{v:,}".replace(",", "\u202f"), ha="center",
                        va="center", fontsize=7.5,
                        color="white" if v > 0.6 * vmax else "#1d232b",
                        in_layout=False,
                    )  # fmt: skip
    bar = fig.colorbar(
        img, ax=ax, shrink=min(1.0, 8 / max(n_rows, 1)) if n_rows > 8 else 1.0
    )
    bar.set_label("Nombre d'actions" if value == "actions" else "Participants")
    bar.ax.yaxis.set_major_locator(_integer_locator())
    # the values of the cells, for the figure's data table (reports)
    table = pd.DataFrame(
        data.astype(int), columns=[POLICY_LABELS.get(p, p) for p in mat.columns]
    )
    table.insert(0, "Mission Locale", names)
    return attach_data(fig, table, ordered=False)


def _integer_locator():
    # lazy: matplotlib, already loaded by whoever drew the axes
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


# --------------------------------------------------------------------- text
def _fr_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _plural(n: int, one: str, many: str) -> str:
    return one if n <= 1 else many


def summary_text(source: Source, *, year: int, network_size: int = NETWORK_SIZE) -> str:
    """The annual review in one plain-language French paragraph.

    It gives the actions, hours and staff attending, the MLs reached (of the
    43), the most frequent policies, the MLs reached fewer than twice (named,
    at most eight, then "et N autres") and the change on the previous year.
    Numbers are in French format.

    Examples
    --------
    >>> import pandas as pd
    >>> anim = pd.DataFrame({"id_animation": ["a1"],
    ...     "date_animation": pd.to_datetime(["2024-03-01"]),
    ...     "type_animation": ["webinaire"], "politique_regionale": ["sante"],
    ...     "intitule": ["x"], "duree_heures": [1.5]})
    >>> part = pd.DataFrame({"id_animation": ["a1"], "code_ml": ["m1"],
    ...     "nb_participants": [2]})
    >>> mls = pd.DataFrame({"code_ml": ["m1"], "nom_ml": ["ML Un"],
    ...     "departement": ["33"]})
    >>> src = {"animations": anim, "animations_participations": part,
    ...        "missions_locales": mls}
    >>> summary_text(src, year=2024).split(" :")[0]
    "En 2024, l'ARML a mené 1 action d'animation du réseau (1,5 heure)"
    """
    year = _check_year(year)
    s = reach_summary(source, year=year, network_size=network_size)
    prev = reach_summary(source, year=year - 1, network_size=network_size)
    if s["actions"] == 0:
        text = f"En {year}, aucune action d'animation du réseau n'est enregistrée."
        if prev["actions"]:
            text += (
                f" L'année précédente, {fr_int(prev['actions'])} "
                f"{_plural(prev['actions'], 'action avait', 'actions avaient')} été menée"
                f"{'' if prev['actions'] <= 1 else 's'}."
            )
        return text
    n = s["actions"]
    parts = [
        f"En {year}, l'ARML a mené {fr_int(n)} "
        f"{_plural(n, 'action', 'actions')} d'animation du réseau "
        f"({fr_hours(s['heures'])} {_plural(int(s['heures']), 'heure', 'heures')})"
        f" : {fr_int(s['participants'])} "
        f"{_plural(s['participants'], 'participation', 'participations')} "
        "de professionnels des Missions Locales."
    ]
    touched = s["ml_touchees"]
    reach_txt = (
        f" {fr_int(touched)} {_plural(touched, 'Mission Locale', 'Missions Locales')}"
        f" sur {fr_int(network_size)} {_plural(touched, 'a', 'ont')} été "
        f"{_plural(touched, 'touchée', 'touchées')} ({fr_pct(s['part_43'])})"
    )
    if touched:
        twice = s["ml_touchees_2_fois"]
        reach_txt += f", dont {fr_int(twice)} au moins deux fois."
    else:
        reach_txt += "."
    parts.append(reach_txt)
    by_pol = actions_by(source, year=year, by="politique_regionale", total=False)
    by_pol = by_pol[by_pol["actions"] > 0].sort_values(
        ["actions", "participants"], ascending=False, kind="stable"
    )
    top = [
        f"{_POLICY_IN_TEXT.get(r.politique_regionale, r.libelle)} ({fr_int(r.actions)})"
        for r in by_pol.head(3).itertuples()
    ]
    if top:
        parts.append(
            f" Les politiques régionales les plus relayées sont : {_fr_list(top)}."
            if len(top) > 1
            else f" La seule politique régionale relayée est : {top[0]}."
        )
    if "ml_reseau" in s:
        rare = rarely_reached(source, year=year)
        if len(rare):
            names = [
                f"{fr_ml_name(r.nom_ml)} "
                f"({'aucune action' if r.actions == 0 else '1 action'})"
                for r in rare.head(8).itertuples()
            ]
            more = len(rare) - len(names)
            if more:
                names.append(f"{fr_int(more)} {_plural(more, 'autre', 'autres')}")
            k = len(rare)
            parts.append(
                f" {fr_int(k)} {_plural(k, 'Mission Locale a', 'Missions Locales ont')}"
                f" été {_plural(k, 'touchée', 'touchées')} moins de deux fois : "
                f"{_fr_list(names)}."
            )
        else:
            parts.append(
                " Toutes les Missions Locales ont été touchées au moins deux fois."
            )
    if prev["actions"]:
        diff = n - prev["actions"]
        if diff == 0:
            change = "stable"
        else:
            pct = fr_pct(abs(diff) / prev["actions"])
            change = f"{'en hausse' if diff > 0 else 'en baisse'} de {pct}"
        parts.append(
            f" Par rapport à {year - 1} ({fr_int(prev['actions'])} "
            f"{_plural(prev['actions'], 'action', 'actions')}, "
            f"{fr_int(prev['ml_touchees'])} "
            f"{_plural(prev['ml_touchees'], 'Mission Locale touchée', 'Missions Locales touchées')}"
            f"), le nombre d'actions est {change}."
        )
    else:
        parts.append(f" Aucune action n'est enregistrée en {year - 1} pour comparer.")
    return "".join(parts)


# ------------------------------------------------------------------- bundle
@dataclass(frozen=True)
class AnnualReview:
    """All the tables of the annual review of one year (see the module doc)."""

    year: int
    summary: dict
    by_type: pd.DataFrame
    by_policy: pd.DataFrame
    per_ml: pd.DataFrame
    per_departement: pd.DataFrame
    rarely_reached: pd.DataFrame
    year_over_year: pd.DataFrame
    text: str


def annual_review(source: Source, *, year: int) -> AnnualReview:
    """Every table of the annual review of ``year`` (needs ``missions_locales``).

    Returns
    -------
    AnnualReview
        ``summary`` (:func:`reach_summary`), ``by_type`` and ``by_policy``
        (:func:`actions_by`), ``per_ml``, ``per_departement``,
        ``rarely_reached``, ``year_over_year`` and ``text`` (:func:`summary_text`).

    Examples
    --------
    >>> import pandas as pd
    >>> anim = pd.DataFrame({"id_animation": ["a1"],
    ...     "date_animation": pd.to_datetime(["2024-03-01"]),
    ...     "type_animation": ["webinaire"], "politique_regionale": ["sante"],
    ...     "intitule": ["x"], "duree_heures": [1.5]})
    >>> part = pd.DataFrame({"id_animation": ["a1"], "code_ml": ["m1"],
    ...     "nb_participants": [2]})
    >>> mls = pd.DataFrame({"code_ml": ["m1", "m2"], "nom_ml": ["Un", "Deux"],
    ...     "departement": ["33", "24"]})
    >>> review = annual_review({"animations": anim, "animations_participations": part,
    ...                         "missions_locales": mls}, year=2024)
    >>> review.rarely_reached[["nom_ml", "actions"]]
      nom_ml  actions
    0   Deux        0
    1     Un        1
    """
    year = _check_year(year)
    fr = _frames(source)
    _need_mls(fr)
    return AnnualReview(
        year=year,
        summary=reach_summary(source, year=year),
        by_type=actions_by(source, year=year, by="type_animation"),
        by_policy=actions_by(source, year=year, by="politique_regionale"),
        per_ml=ml_reach(source, year=year),
        per_departement=reach_by_departement(source, year=year),
        rarely_reached=rarely_reached(source, year=year),
        year_over_year=year_over_year(source, year=year),
        text=summary_text(source, year=year),
    )


# ------------------------------------------------------------ notebook side


def _coverage(source: Source, dates: pd.Series) -> Coverage:
    """The extract's coverage; for bare tables, up to their extraction date or last action."""
    if isinstance(source, Warehouse):
        return source.coverage
    if isinstance(source, Mapping):
        end = source.get("extraction_date")
    else:
        end = getattr(source, "extraction_date", None)
    if end is None or pd.isna(end):
        end = dates.max() if len(dates) else None
    return Coverage(None, None if end is None else pd.Timestamp(end).normalize())


def resolve_year(source: Source, year: int | str = "auto") -> int:
    """The year to review: ``year`` itself, or for ``"auto"`` the latest complete one.

    A year is complete when the extract covers its 31 December
    (``Warehouse.coverage``; for bare tables, up to their extraction date or
    else their last action); the latest complete year holding at least one
    action is chosen.

    Raises
    ------
    ParamsError
        ``year`` is neither a year nor ``"auto"``, or no complete year has an
        action.
    """
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if year != "auto":
        return _check_year(year)
    fr = _frames(source)
    dates = fr.animations["date_animation"].dropna()
    last = _coverage(source, dates).latest_complete_year
    years = sorted({int(y) for y in dates.dt.year if last is not None and y <= last})
    if not years:
        raise ParamsError(
            "year: 'auto' found no complete year with an animation action in the extract"
        )
    return years[-1]
