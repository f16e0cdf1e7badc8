"""Typology of the iMilo trajectories of a cohort of first receptions.

:func:`cohort_typology` builds the monthly sequences (:func:`._imilo.monthly_states`),
then:

1. substitution costs from the transition rates of the whole cohort (TRATE, cost
   ``2 - p(i|j) - p(j|i)``) and indel cost 1 (half the largest substitution cost);
2. a seeded random sample of at most ``sample_size`` sequences (all of them when the
   cohort is smaller) and its optimal-matching (OM) distance matrix: the full
   ``n x n`` matrix of a regional cohort (about 37,000 people, 5 GB) is out of reach;
3. for each number of groups ``k`` in ``k_range``, PAM (or Ward) on the sample and
   its average silhouette width; the ``k`` with the best width is kept unless ``k``
   is given;
4. each sequence of the cohort goes to the group of its nearest medoid (OM distance
   to the ``k`` medoids, computed for every distinct sequence); the sample keeps its
   own clustering. Groups are numbered 1..k by decreasing size;
5. each group gets a French name from its dominant states (:func:`group_names`),
   a profile (age, sex, diploma, NEET, ZRR, QPV) and each ML's share of its cohort.

Everything is seeded: same warehouse and arguments, same typology. Sequences cut by
the extraction date (``censure`` months) are refused: a typology compares complete
paths of the same length, so choose fewer months or an earlier cohort.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import pandas as pd

from .. import disclosure
from ..exceptions import SequenceError
from ..formatting import fr_month
from ._cluster import pam, silhouette, silhouette_samples, ward
from ._discrepancy import discrepancy_table
from ._distances import distances
from ._imilo import (
    STATE_LABELS,
    STATES,
    _extraction_date,
    cohort_window,
    last_complete_month,
    month_columns,
    monthly_states,
)
from ._indicators import sequence_indicators
from ._quality import cluster_range_from_labels
from ._represent import representatives
from ._sequences import Sequences, substitution_costs
from ._stability import typology_stability
from ._tree import sequence_tree

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)

#: states as they read inside a group name ("Formation puis emploi durable")
NAME_FORMS: dict[str, str] = {
    "emploi_durable": "emploi durable",
    "emploi": "emploi",
    "alternance": "alternance",
    "formation": "formation",
    "immersion_service_civique": "immersion / service civique",
    "scolarite": "retour en scolarité",
    "accompagnement": "accompagnement",
    "sans_contact": "perte de contact",
    "censure": "suivi incomplet",
}

#: share of the months the second state must hold to enter a one-state name
SECOND_SHARE = 0.25

#: profile columns of :attr:`Typology.group_profiles`, in order (French labels)
PROFILE_COLUMNS: tuple[str, ...] = (
    "Effectif",
    "Part de la cohorte",
    "Âge moyen au premier accueil",
    "Moins de 18 ans",
    "18-21 ans",
    "22-25 ans",
    "26 ans et plus",
    "Femmes",
    "Sans diplôme",
    "CAP-BEP (niveau 3)",
    "Bac (niveau 4)",
    "Bac+2 (niveau 5)",
    "Bac+3 et plus (niveau 6+)",
    "NEET",
    "ZRR",
    "QPV",
)
_DIPLOMAS = {
    "Sans diplôme": "aucun",
    "CAP-BEP (niveau 3)": "3",
    "Bac (niveau 4)": "4",
    "Bac+2 (niveau 5)": "5",
    "Bac+3 et plus (niveau 6+)": "6+",
}
ALL_LABEL = "Ensemble de la cohorte"


@dataclass(frozen=True, eq=False)
class Typology:
    """A typology of the monthly trajectories of one cohort (no identifier inside).

    Attributes
    ----------
    year, months : int
        Cohort year (first reception) and sequence length.
    code_ml : tuple of str or None
        MLs the cohort was taken from (None: the region).
    method : str
        ``"pam"`` or ``"ward"``.
    k : int
        Number of groups.
    labels : numpy.ndarray
        Group (1..k, 1 the largest) of each sequence, in :attr:`sequences` order.
    group_names : dict
        Group number -> French name, unique, from its dominant states.
    silhouette_by_k : pandas.DataFrame
        ``nb_groupes``, ``silhouette`` (average width on the sample), ``retenu``.
    silhouette : float
        Average silhouette width of the retained ``k`` (on the sample).
    group_profiles : pandas.DataFrame
        One row per group name plus ``Ensemble de la cohorte``; columns
        :data:`PROFILE_COLUMNS` (counts, shares in [0, 1], mean age).
    ml_shares : pandas.DataFrame
        One row per ML x group: ``code_ml``, ``nom_ml``, ``groupe``,
        ``nom_groupe``, ``effectif``, ``effectif_ml``, ``part``
        (= effectif / effectif_ml); counts are raw, mask them before publishing.
    sequences : Sequences
        The cohort's sequences, positional ids only (for the plots).
    sample : numpy.ndarray
        Positions of the clustered sample in :attr:`sequences`.
    sample_labels, sample_silhouette : numpy.ndarray
        Group and silhouette width of each sample item.
    medoids : numpy.ndarray
        Position in :attr:`sequences` of each group's medoid (group order).
    quality : pandas.DataFrame
        Quality of the partition of the sample for each ``k`` tried (index ``k``):
        the statistics of :data:`~observatoire.trajectories.QUALITY_STATS`
        (``cluster_quality``), ``plus_petit_type`` (young people of the sample in
        the smallest type), ``eligible`` (smallest type at least ``min_share`` of
        the sample) and ``retenu``.
    sample_distances : numpy.ndarray
        OM distances between the sample's sequences (reused by the study).
    sample_partitions : pandas.DataFrame
        One column ``cluster<k>`` per ``k`` tried: the partition of the sample
        (for the bootstrap check of :func:`typology_study`).
    covariates : pandas.DataFrame
        The young people's characteristics in :attr:`sequences` order (French
        values, :data:`COVARIATES`); row-level, never published as such.
    cost : tuple
        ``(sm, indel)``: the substitution costs and indel cost of the distances.
    """

    year: int
    months: int
    code_ml: tuple[str, ...] | None
    method: str
    k: int
    labels: np.ndarray
    group_names: dict[int, str]
    silhouette_by_k: pd.DataFrame
    silhouette: float
    group_profiles: pd.DataFrame
    ml_shares: pd.DataFrame
    sequences: Any
    sample: np.ndarray
    sample_labels: np.ndarray
    sample_silhouette: np.ndarray
    medoids: np.ndarray
    quality: pd.DataFrame | None = None
    sample_distances: np.ndarray | None = None
    sample_partitions: pd.DataFrame | None = None
    covariates: pd.DataFrame | None = None
    cost: tuple[np.ndarray, float] | None = None

    @property
    def n(self) -> int:
        """Number of young people in the cohort."""
        return int(len(self.labels))

    @property
    def group_sizes(self) -> pd.Series:
        """Young people per group, indexed by group name (raw counts)."""
        counts = np.bincount(self.labels, minlength=self.k + 1)[1:]
        return pd.Series(
            counts,
            index=[self.group_names[g] for g in range(1, self.k + 1)],
            name="effectif",
        )

    def __repr__(self) -> str:
        return (
            f"Typology(year={self.year}, n={self.n}, k={self.k}, method={self.method!r}, "
            f"silhouette={self.silhouette:.3f}, groups={list(self.group_names.values())})"
        )


# ---------------------------------------------------------------- distances
@numba.njit(cache=True, parallel=True)
def _om_rows(
    codes: np.ndarray, references: np.ndarray, sm: np.ndarray, indel: float
) -> np.ndarray:  # pragma: no cover - compiled
    n, t1 = codes.shape
    m, t2 = references.shape
    out = np.empty((n, m))
    for i in numba.prange(n):
        prev = np.empty(t2 + 1)
        cur = np.empty(t2 + 1)
        for r in range(m):
            for j in range(t2 + 1):
                prev[j] = j * indel
            for p in range(1, t1 + 1):
                a = codes[i, p - 1]
                cur[0] = p * indel
                for q in range(1, t2 + 1):
                    best = prev[q - 1] + sm[a, references[r, q - 1]]
                    if prev[q] + indel < best:
                        best = prev[q] + indel
                    if cur[q - 1] + indel < best:
                        best = cur[q - 1] + indel
                    cur[q] = best
                prev, cur = cur, prev
            out[i, r] = prev[t2]
    return out


def om_to_references(
    codes: np.ndarray, references: np.ndarray, sm: np.ndarray, indel: float
) -> np.ndarray:
    """Optimal-matching distance of each sequence to each reference sequence.

    The textbook recurrence (insertion, deletion, substitution), compiled with
    numba and parallel over the sequences: a whole cohort against a few medoids
    takes a fraction of a second.

    Parameters
    ----------
    codes : numpy.ndarray
        ``n x T`` state codes.
    references : numpy.ndarray
        ``m x T2`` state codes.
    sm : numpy.ndarray
        Substitution costs, states x states.
    indel : float
        Insertion / deletion cost.

    Returns
    -------
    numpy.ndarray
        ``n x m`` distances.

    Examples
    --------
    >>> sm = np.array([[0.0, 2.0], [2.0, 0.0]])
    >>> om_to_references(np.array([[0, 1, 1]]), np.array([[1, 1, 0], [0, 1, 1]]), sm, 1.0)
    array([[2., 0.]])
    """
    return _om_rows(
        np.ascontiguousarray(codes, dtype=np.int64),
        np.ascontiguousarray(references, dtype=np.int64),
        np.ascontiguousarray(sm, dtype=np.float64),
        float(indel),
    )


# -------------------------------------------------------------------- names
def _modal_runs(rows: np.ndarray, n_states: int) -> list[tuple[int, int, int]]:
    """Runs (state, first month, length) of a group's month-by-month modal state.

    Runs shorter than an eighth of the period (at least 1 month) are dropped and
    the neighbours they separated merged; at most the 3 longest are kept, in time
    order.
    """
    t = rows.shape[1]
    counts = np.stack([np.bincount(rows[:, j], minlength=n_states) for j in range(t)])
    modal = counts.argmax(axis=1)
    runs: list[list[int]] = []
    for j, state in enumerate(modal):
        if runs and runs[-1][0] == state:
            runs[-1][2] += 1
        else:
            runs.append([int(state), j, 1])
    shortest = max(1, round(t / 8))
    kept: list[list[int]] = []
    for run in runs:
        if run[2] < shortest and len(runs) > 1:
            continue
        if kept and kept[-1][0] == run[0]:
            kept[-1][2] = run[1] + run[2] - kept[-1][1]
        else:
            kept.append(list(run))
    if not kept:  # every run short: the longest one
        kept = [max(runs, key=lambda r: r[2])]
    if len(kept) > 3:
        longest = sorted(sorted(range(len(kept)), key=lambda i: -kept[i][2])[:3])
        kept = [kept[i] for i in longest]
    return [(r[0], r[1], r[2]) for r in kept]


def group_names(codes: np.ndarray, labels: np.ndarray, k: int) -> dict[int, str]:
    """French names of groups 1..k from their dominant states, made unique.

    A group is named after its *modal path*: the most frequent state of each
    month, as runs in time order (runs shorter than an eighth of the period are
    dropped, at most 3 kept): ``Accompagnement puis emploi durable``,
    ``Accompagnement, formation puis emploi``. A path of a single state gets the
    second most frequent state when it holds at least a quarter of the months
    (``Accompagnement et formation``). Groups that would share a name get a more
    detailed one: the month of the first change (``... (changement au mois 4)``)
    or the second state, then the group number.

    Parameters
    ----------
    codes : numpy.ndarray
        ``n x T`` codes into :data:`STATES`.
    labels : numpy.ndarray
        Group 1..k of each sequence.
    k : int
        Number of groups.

    Returns
    -------
    dict
        Group number -> name.

    Examples
    --------
    >>> codes = np.array([[3, 3, 3], [6, 6, 0], [6, 0, 0]])
    >>> group_names(codes, np.array([1, 2, 2]), 2)
    {1: 'Formation', 2: 'Accompagnement puis emploi durable'}
    """
    n_states = len(STATES)
    candidates: dict[int, list[str]] = {}
    for g in range(1, k + 1):
        rows = codes[labels == g]
        if len(rows) == 0:
            candidates[g] = [f"Groupe {g}"]
            continue
        share = np.bincount(rows.ravel(), minlength=n_states) / rows.size
        order = np.argsort(-share, kind="stable")
        runs = _modal_runs(rows, n_states)
        forms = [NAME_FORMS[STATES[state]] for state, _, _ in runs]
        if len(forms) == 1:
            other = int(order[1] if order[0] == runs[0][0] else order[0])
            second = NAME_FORMS[STATES[other]]
            base = forms[0]
            if share[other] >= SECOND_SHARE:
                base = f"{base} et {second}"
            detail = f"{forms[0]} et {second}" if share[other] > 0 else base
        else:
            base = ", ".join(forms[:-1]) + f" puis {forms[-1]}"
            detail = f"{base} (changement au mois {runs[1][1] + 1})"
        names = [base, detail, f"{base} (groupe {g})"]
        candidates[g] = [name[0].upper() + name[1:] for name in names]
    level = dict.fromkeys(candidates, 0)
    while True:
        current = {g: candidates[g][level[g]] for g in candidates}
        counts = pd.Series(current).value_counts()
        clash = [g for g, name in current.items() if counts[name] > 1]
        if not clash:
            return current
        for g in clash:
            level[g] = min(level[g] + 1, len(candidates[g]) - 1)


# ----------------------------------------------------------------- profiles
def _age_at_first_reception(jeunes: pd.DataFrame) -> np.ndarray:
    born = pd.to_datetime(jeunes["date_naissance"])
    first = pd.to_datetime(jeunes["date_premier_accueil"])
    before_birthday = (first.dt.month < born.dt.month) | (
        (first.dt.month == born.dt.month) & (first.dt.day < born.dt.day)
    )
    age = first.dt.year - born.dt.year - before_birthday.astype(int)
    return age.to_numpy(dtype=float, na_value=np.nan)


def _flag(values: pd.Series) -> np.ndarray:
    return values.astype("boolean").to_numpy(dtype=float, na_value=np.nan)


def _group_profiles(
    cohort: pd.DataFrame, labels: np.ndarray, names: dict[int, str]
) -> pd.DataFrame:
    """Profile table: one row per group and one for the whole cohort."""
    n = len(cohort)
    missing = np.full(n, np.nan)
    age = _age_at_first_reception(cohort) if "date_naissance" in cohort else missing
    cols: dict[str, np.ndarray] = {
        "Moins de 18 ans": np.where(np.isnan(age), np.nan, age < 18),
        "18-21 ans": np.where(np.isnan(age), np.nan, (age >= 18) & (age <= 21)),
        "22-25 ans": np.where(np.isnan(age), np.nan, (age >= 22) & (age <= 25)),
        "26 ans et plus": np.where(np.isnan(age), np.nan, age >= 26),
        "Femmes": _flag(cohort["sexe"] == "F") if "sexe" in cohort else missing,
    }
    for label, value in _DIPLOMAS.items():
        cols[label] = (
            _flag(cohort["niveau_diplome"] == value)
            if "niveau_diplome" in cohort
            else missing
        )
    for label, column in (("NEET", "neet"), ("ZRR", "zrr"), ("QPV", "qpv")):
        cols[label] = _flag(cohort[column]) if column in cohort else missing
    flags = pd.DataFrame(cols)
    flags["Âge moyen au premier accueil"] = age
    groups = pd.Series(labels).map(names)
    by_group = flags.groupby(groups.to_numpy(), sort=False).mean()
    by_group = by_group.reindex([names[g] for g in sorted(names)])
    total = flags.mean().to_frame(ALL_LABEL).T
    table = pd.concat([by_group, total])
    sizes = pd.Series(labels).map(names).value_counts()
    table["Effectif"] = [int(sizes.get(name, 0)) for name in by_group.index] + [n]
    table["Part de la cohorte"] = table["Effectif"] / n
    table.index.name = "Groupe"
    return table[list(PROFILE_COLUMNS)]


def _ml_shares(
    cohort: pd.DataFrame,
    labels: np.ndarray,
    names: dict[int, str],
    missions_locales: pd.DataFrame,
) -> pd.DataFrame:
    """Long table of ML x group counts and shares (zeros included)."""
    mls = sorted(set(cohort["code_ml"].astype(str)))
    groups = sorted(names)
    counts = (
        pd.crosstab(cohort["code_ml"].astype(str).to_numpy(), labels)
        .reindex(index=mls, columns=groups, fill_value=0)
        .stack()
    )
    out = counts.rename("effectif").rename_axis(["code_ml", "groupe"]).reset_index()
    totals = out.groupby("code_ml")["effectif"].transform("sum")
    nom = {}
    if "nom_ml" in missions_locales:
        nom = dict(
            zip(
                missions_locales["code_ml"].astype(str),
                missions_locales["nom_ml"].astype(str),
                strict=False,
            )
        )
    out.insert(1, "nom_ml", out["code_ml"].map(nom))
    out.insert(3, "nom_groupe", out["groupe"].map(names))
    out["effectif"] = out["effectif"].astype(int)
    out["effectif_ml"] = totals.astype(int)
    out["part"] = out["effectif"] / out["effectif_ml"]
    return out


# --------------------------------------------------------------- covariates
#: the young people's characteristics the study relates to the paths, as
#: column name -> what it is (French column names: they are shown as such)
COVARIATES: dict[str, str] = {
    "Âge au premier accueil": "age band at first reception (ordered)",
    "Diplôme": "highest diploma (ordered)",
    "NEET": "neither in employment, education nor training at first reception",
    "ZRR": "lives in a rural revitalisation zone",
    "QPV": "lives in a priority urban district",
    "Sexe": "sex",
    "Département": "department of the ML holding the file",
    "Mission Locale": "the ML holding the file (discrepancy table only: too many "
    "values for the tree's exhaustive binary splits)",
    "Formation financée par la Région": "started a Region-funded training within "
    "the months of the path",
}
AGE_BANDS: tuple[str, ...] = (
    "moins de 18 ans",
    "18-21 ans",
    "22-25 ans",
    "26 ans et plus",
)
DIPLOMA_LABELS: dict[str, str] = {
    "aucun": "sans diplôme",
    "3": "CAP-BEP",
    "4": "bac",
    "5": "bac+2",
    "6+": "bac+3 et plus",
}
_YES_NO = {True: "oui", False: "non"}


def _yes_no(values: pd.Series) -> pd.Series:
    return values.astype("boolean").map(_YES_NO).astype(object)


def _region_training(
    situations: pd.DataFrame, ids: pd.Series, first: pd.Series, months: int
) -> np.ndarray:
    """Whether each young person started a Region-funded training in the path's months.

    A ``formation`` situation with ``financeur == "region"``, not only planned
    (``etat != "prevue"``), starting between the first day of the month of first
    reception and the end of the path's last month.
    """
    if situations is None or "financeur" not in situations or not len(situations):
        return np.zeros(len(ids), dtype=bool)
    sit = situations[
        (situations["categorie"] == "formation")
        & (situations["financeur"] == "region")
        & (situations["etat"] != "prevue")
    ]
    start = pd.to_datetime(first).dt.to_period("M").dt.to_timestamp()
    window = pd.DataFrame(
        {"id_jeune": ids.astype(str).to_numpy(), "debut": start.to_numpy()}
    )
    window["fin"] = window["debut"] + pd.DateOffset(months=months)
    hit = sit[["id_jeune", "date_debut"]].assign(
        id_jeune=sit["id_jeune"].astype(str),
        date_debut=pd.to_datetime(sit["date_debut"]),
    )
    joined = hit.merge(window, on="id_jeune", how="inner")
    inside = joined[
        (joined["date_debut"] >= joined["debut"])
        & (joined["date_debut"] < joined["fin"])
    ]
    return ids.astype(str).isin(set(inside["id_jeune"])).to_numpy()


def _covariates(
    cohort: pd.DataFrame, warehouse: Warehouse, months: int
) -> pd.DataFrame:
    """The study's characteristics of each young person (French values, no id).

    ``cohort`` holds the ``jeunes`` rows with ``id_jeune`` in the sequences'
    order; missing values stay missing (the tree gives them their own group).
    """
    age = (
        _age_at_first_reception(cohort)
        if "date_naissance" in cohort
        else np.full(len(cohort), np.nan)
    )
    band = pd.cut(
        age, [-np.inf, 17.5, 21.5, 25.5, np.inf], labels=list(AGE_BANDS), ordered=True
    )
    diploma = pd.Categorical(
        cohort["niveau_diplome"].map(DIPLOMA_LABELS),
        categories=list(DIPLOMA_LABELS.values()),
        ordered=True,
    )
    departement = {}
    mls = getattr(warehouse, "missions_locales", None)
    if mls is not None and "departement" in mls:
        departement = dict(
            zip(
                mls["code_ml"].astype(str), mls["departement"].astype(str), strict=False
            )
        )
    names = {}
    if mls is not None and "nom_ml" in mls:
        names = dict(
            zip(mls["code_ml"].astype(str), mls["nom_ml"].astype(str), strict=False)
        )
    code_ml = cohort["code_ml"].astype(str)
    out = pd.DataFrame(
        {
            "Âge au premier accueil": band,
            "Diplôme": diploma,
            "NEET": _yes_no(cohort["neet"]),
            "ZRR": _yes_no(cohort["zrr"]),
            "QPV": _yes_no(cohort["qpv"]),
            "Sexe": cohort["sexe"].map({"F": "femme", "H": "homme"}).astype(object),
            "Département": code_ml.map(departement).astype(object),
            "Mission Locale": code_ml.map(names).fillna(code_ml).astype(object),
            "Formation financée par la Région": pd.Series(
                _region_training(
                    getattr(warehouse, "situations", None),
                    cohort["id_jeune"]
                    if "id_jeune" in cohort
                    else pd.Series([], dtype=str),
                    cohort["date_premier_accueil"],
                    months,
                )
            ).map(_YES_NO),
        }
    )
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- typology
def _sequences_from_codes(codes: np.ndarray) -> Any:
    return Sequences(
        np.ascontiguousarray(codes, dtype=np.int32),
        STATES,
        tuple(STATE_LABELS[s] for s in STATES),
        pd.RangeIndex(len(codes)),
        tuple(month_columns(codes.shape[1])),
    )


def _medoids_of(d: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Within each group, the item with the smallest sum of distances to the others."""
    out = []
    for g in groups:
        members = np.flatnonzero(labels == g)
        sums = d[np.ix_(members, members)].sum(axis=1)
        out.append(members[int(np.argmin(sums))])
    return np.array(out)


def _cluster(d: np.ndarray, k: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Labels (0..k-1) and medoids (sample positions, label order) of one clustering."""
    if method == "pam":
        labels, medoids = pam(d, k)
        labels, medoids = np.asarray(labels), np.asarray(medoids)
        # label of each medoid, to put medoids in label order
        groups, labels = np.unique(labels, return_inverse=True)
        order = np.array([labels[m] for m in medoids])
        med = np.empty(len(medoids), dtype=np.int64)
        med[order] = medoids
        return labels.reshape(-1), med
    labels = np.asarray(ward(d, k))
    groups, labels = np.unique(labels, return_inverse=True)
    labels = labels.reshape(-1)
    return labels, _medoids_of(d, labels, np.arange(len(groups)))


def cohort_typology(
    warehouse: Warehouse,
    year: int,
    *,
    months: int = 24,
    code_ml: str | Iterable[str] | None = None,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 8),
    method: str = "pam",
    sample_size: int = 2000,
    min_share: float = 0.05,
    seed: int = 2024,
    extraction_date: Any = None,
) -> Typology:
    """Typology of the monthly trajectories of a cohort of first receptions.

    Method in the module docstring of :mod:`observatoire.trajectories._imilo_typology`.

    Parameters
    ----------
    warehouse : Warehouse
        A loaded extract.
    year : int
        Cohort: year of first reception.
    months : int, default 24
        Sequence length; every sequence must be observed that long.
    code_ml : str or list of str, optional
        Cohort of these MLs only; default the region.
    k : int, optional
        Number of groups; default the best average silhouette in ``k_range``
        among the ``k`` whose smallest type holds at least ``min_share`` of the
        sample (the best overall when none does).
    k_range : (int, int), default (2, 8)
        Smallest and largest number of groups tried (both included).
    method : {"pam", "ward"}
        Clustering of the sample.
    sample_size : int, default 2000
        Largest number of sequences clustered with a full distance matrix.
    min_share : float, default 0.05
        Smallest share of the sample a type must hold for its ``k`` to be chosen.
    seed : int, default 2024
        Seed of the sample.
    extraction_date : date-like, optional
        Overrides ``warehouse.extraction_date``.

    Returns
    -------
    Typology

    Raises
    ------
    SequenceError
        Bad arguments, an empty cohort, unknown situation codes, sequences
        censored before ``months`` months, or a cohort too small for ``k`` groups.
    """
    method = str(method).lower()
    if method not in ("pam", "ward"):
        raise SequenceError(f"unknown clustering method {method!r} (pam, ward)")
    lo, hi = (int(v) for v in k_range)
    if not 2 <= lo <= hi:
        raise SequenceError(
            f"k_range must be (low, high) with 2 <= low <= high, got {k_range}"
        )
    if k is not None and int(k) < 2:
        raise SequenceError(f"k must be at least 2, got {k}")
    if int(sample_size) < 10:
        raise SequenceError(f"sample_size must be at least 10, got {sample_size}")

    frame = monthly_states(
        warehouse, year, months=months, code_ml=code_ml, extraction_date=extraction_date
    )
    columns = month_columns(months)
    codes = np.column_stack([frame[c].cat.codes.to_numpy() for c in columns]).astype(
        np.int32
    )
    censored = (codes == STATES.index("censure")).any(axis=1)
    if censored.any():
        last = last_complete_month(_extraction_date(warehouse, extraction_date))
        raise SequenceError(
            f"{int(censored.sum())} of {len(codes)} sequences of the {year} cohort are "
            f"shorter than {months} months (extract complete up to "
            f"{fr_month(last.year, last.month)}): use fewer months or an earlier year"
        )
    n = len(codes)
    ks = [int(k)] if k is not None else list(range(lo, hi + 1))
    if n < max(ks) + 1:
        raise SequenceError(
            f"cohort of {n} young people is too small for {max(ks)} groups"
        )

    seq = _sequences_from_codes(codes)
    sm = substitution_costs(seq, method="TRATE").to_numpy(dtype=np.float64)
    indel = 1.0
    rng = np.random.default_rng(seed)
    if n > sample_size:
        sample = np.sort(rng.choice(n, size=int(sample_size), replace=False))
    else:
        sample = np.arange(n)
    d = distances(_sequences_from_codes(codes[sample]), method="OM", sm=sm, indel=indel)
    d = np.asarray(d, dtype=np.float64)

    results = {}
    for kk in ks:
        labels_k, medoids_k = _cluster(d, kk, method)
        results[kk] = (labels_k, medoids_k, float(silhouette(d, labels_k + 1)))
        logger.info("typology %s, k=%d: silhouette %.3f", year, kk, results[kk][2])

    partitions = pd.DataFrame({f"cluster{kk}": results[kk][0] + 1 for kk in ks})
    quality = cluster_range_from_labels(d, partitions, method=method).stats
    smallest = [int(np.bincount(results[kk][0]).min()) for kk in ks]
    quality["plus_petit_type"] = smallest
    # a type of a handful of people is not a type an observatory can describe
    # (nor publish): the best silhouette among the k whose smallest type holds
    # at least min_share of the sample, the best overall when none does
    quality["eligible"] = [m >= min_share * len(sample) for m in smallest]
    eligible = [kk for kk, ok in zip(ks, quality["eligible"], strict=True) if ok]
    best = max(eligible or ks, key=lambda kk: (results[kk][2], -kk))
    quality["retenu"] = [kk == best for kk in ks]
    table = pd.DataFrame(
        {
            "nb_groupes": ks,
            "silhouette": [results[kk][2] for kk in ks],
            "retenu": [kk == best for kk in ks],
        }
    )
    sample_labels, sample_medoids, avg = results[best]

    # every sequence to its nearest medoid; the sample keeps its clustering
    medoids = sample[sample_medoids]
    if len(sample) < n:
        unique, inverse = np.unique(codes, axis=0, return_inverse=True)
        to_medoids = om_to_references(unique, codes[medoids], sm, indel)
        labels = to_medoids.argmin(axis=1)[inverse.reshape(-1)]
        labels[sample] = sample_labels
    else:
        labels = sample_labels.copy()

    # groups 1..k by decreasing size (ties: lower old label first)
    sizes = np.bincount(labels, minlength=best)
    order = np.lexsort((np.arange(best), -sizes))
    new_of_old = np.empty(best, dtype=np.int64)
    new_of_old[order] = np.arange(1, best + 1)
    labels = new_of_old[labels]
    sample_labels = new_of_old[sample_labels]
    medoids = medoids[order]
    widths = np.asarray(silhouette_samples(d, sample_labels), dtype=np.float64)

    names = group_names(codes, labels, best)
    cohort = (
        warehouse.jeunes.assign(id_jeune=warehouse.jeunes["id_jeune"].astype(str))
        .set_index("id_jeune")
        .loc[frame["id_jeune"]]
        .reset_index()
    )
    profiles = _group_profiles(cohort, labels, names)
    shares = _ml_shares(cohort, labels, names, warehouse.missions_locales)
    codes_ml = None
    if code_ml is not None:
        codes_ml = (code_ml,) if isinstance(code_ml, str) else tuple(code_ml)
    logger.info(
        "typology of the %s cohort: %d young people, %d groups (silhouette %.3f on %d)",
        year,
        n,
        best,
        avg,
        len(sample),
    )
    return Typology(
        year=int(year),
        months=int(months),
        code_ml=codes_ml,
        method=method,
        k=best,
        labels=labels,
        group_names=names,
        silhouette_by_k=table,
        silhouette=avg,
        group_profiles=profiles,
        ml_shares=shares,
        sequences=seq,
        sample=sample,
        sample_labels=sample_labels,
        sample_silhouette=widths,
        medoids=medoids,
        quality=quality,
        sample_distances=d,
        sample_partitions=partitions,
        covariates=_covariates(cohort, warehouse, months),
        cost=(sm, indel),
    )


# -------------------------------------------------------------------- study
@dataclass(frozen=True)
class TypologyStudy:
    """What the observatory's study shows of a typology (aggregates only).

    Attributes
    ----------
    n_sample : int
        Young people of the clustered sample (the base of everything below).
    stability : StabilityResult
        Bootstrap check of the retained ``k`` on the sample
        (:func:`~observatoire.trajectories.typology_stability`).
    tree_nodes : pandas.DataFrame
        The nodes of :func:`~observatoire.trajectories.sequence_tree` over the
        characteristics and the ML on the sample (the ML's 43 levels through the
        ordered search of many-valued factors): ``parent_id``, ``depth``,
        ``is_leaf``, ``n``, ``split_var``, ``split_left``, ``split_right``,
        ``split_R2``, ``left_child``, ``right_child``, plus the mean months in
        each state of :data:`STATES` of the node's young people (``mois_<state>``).
    tree_r2 : float
        Share of the paths' discrepancy explained by the tree's leaves.
    tree_min_size : int
        Fewest young people of a node of the tree (none has fewer: at least the
        disclosure threshold, and more than ``min_size`` of the sample).
    factors : pandas.DataFrame
        :func:`~observatoire.trajectories.discrepancy_table` of each
        characteristic on its own (index: the French names of
        :data:`COVARIATES`): ``n_groups``, ``PseudoF``, ``PseudoR2`` and the
        permutation p-value ``p_PseudoF``.
    representatives : pandas.DataFrame or None
        Representative paths of each type (TraMineR's ``seqrep``, criterion
        density, coverage 0.25, on the sample): ``groupe``, ``nom_groupe``,
        ``rang``, ``parcours`` (the path in words, :func:`describe_path`),
        ``jeunes`` (young people of the type's sample nearest to it),
        ``jeunes_type``; None when the library has no ``representatives``.
    indicators_by_profile : pandas.DataFrame or None
        Mean complexity (``Cplx``) and normalised turbulence (``Turbn``) of the
        cohort's paths by value of each characteristic: ``caracteristique``,
        ``valeur``, ``jeunes``, ``complexite``, ``turbulence``; the first row
        is the whole cohort.
    """

    n_sample: int
    stability: Any
    tree_nodes: pd.DataFrame
    tree_r2: float
    factors: pd.DataFrame
    tree_min_size: int = 1
    representatives: pd.DataFrame | None = None
    indicators_by_profile: pd.DataFrame | None = None


def typology_study(
    typo: Typology,
    *,
    resamples: int = 10,
    permutations: int = 99,
    max_depth: int = 3,
    min_size: float = 0.05,
    seed: int = 2024,
    threshold: int = disclosure.DEFAULT_THRESHOLD,
) -> TypologyStudy:
    """Validation and explanation of a typology, on its sample's distance matrix.

    Reuses :attr:`Typology.sample_distances` (no new distance is computed):
    the bootstrap stability of the retained ``k`` (``resamples`` seeded
    resamples, PAM or Ward redone on each), the tree of the young people's
    characteristics that best separate the paths (TraMineR's ``seqtree``), and
    the pseudo-R² of each characteristic on its own (``dissassoc``) with
    ``permutations`` seeded permutations.

    Parameters
    ----------
    typo : Typology
        From :func:`cohort_typology`.
    resamples, permutations : int
        Bootstrap resamples of the stability check; permutations of each
        factor's test (bounded: the study runs in the report batch).
    max_depth, min_size : int, float
        Of the tree (``min_size`` a share of the sample).
    threshold : int
        Disclosure threshold: no node of the tree holds fewer young people.
    seed : int
        Seed of the resampling and of the permutations.

    Returns
    -------
    TypologyStudy
    """
    if typo.sample_distances is None or typo.covariates is None:
        raise SequenceError("this typology keeps no sample distances (re-run it)")
    d = typo.sample_distances
    n = len(typo.sample)
    stability = typology_stability(
        d,
        typo.method,
        k=[typo.k],
        resamples=resamples,
        labels=typo.sample_partitions,
        seed=seed,
    )
    cov = typo.covariates.iloc[typo.sample].reset_index(drop=True)
    codes = typo.sequences.codes[typo.sample]
    seq = _sequences_from_codes(codes)
    # a child must weigh strictly more than the tree's min_size: at least the
    # disclosure threshold, so that every node can be shown with its size
    tree_min = max(float(min_size) * n, float(threshold) - 1.0, 1.0)
    tree = sequence_tree(
        seq, d, cov, max_depth=max_depth, min_size=tree_min, permutations=0
    )
    nodes = tree.nodes.drop(columns=["medoid", "medoid_id", "rule", "pvalue"])
    # whether the node's own condition also holds the missing values
    nodes["avec_na"] = tree.nodes["rule"].str.endswith("with NA").to_numpy()
    # mean months in each state of each node's young people (aggregates)
    membership = _node_members(tree.nodes, tree.leaf.to_numpy())
    for j, state in enumerate(STATES):
        months_in = (codes == j).sum(axis=1)
        nodes[f"mois_{state}"] = [
            float(months_in[m].mean()) if m.any() else np.nan for m in membership
        ]
    factors = discrepancy_table(d, cov, permutations=permutations, seed=seed)
    keep = [c for c in ("n_groups", "PseudoF", "PseudoR2", "p_PseudoF") if c in factors]
    return TypologyStudy(
        n_sample=n,
        stability=stability,
        tree_nodes=nodes,
        tree_r2=float(tree.r2),
        factors=factors[keep],
        tree_min_size=int(np.floor(tree_min)) + 1,
        representatives=_type_representatives(typo, codes, d),
        indicators_by_profile=indicators_by_profile(typo.sequences, typo.covariates),
    )


#: a state as it reads after « n mois … » in a path told in words
SPELL_FORMS: dict[str, str] = {
    "emploi_durable": "en emploi durable",
    "emploi": "en emploi",
    "alternance": "en alternance",
    "formation": "en formation",
    "immersion_service_civique": "en immersion ou service civique",
    "scolarite": "en scolarité",
    "accompagnement": "en accompagnement",
    "sans_contact": "sans contact",
    "censure": "non observés",
}


def describe_path(codes: np.ndarray) -> str:
    """A path told in words: « 8 mois en formation puis 16 mois en emploi durable ».

    Parameters
    ----------
    codes : numpy.ndarray
        One sequence, codes into :data:`STATES`.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_path(np.array([3, 3, 0, 0, 0]))
    '2 mois en formation puis 3 mois en emploi durable'
    """
    runs: list[list[int]] = []
    for c in np.asarray(codes).tolist():
        if runs and runs[-1][0] == c:
            runs[-1][1] += 1
        else:
            runs.append([c, 1])
    words = [f"{m} mois {SPELL_FORMS[STATES[c]]}" for c, m in runs]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " puis " + words[-1]


def _type_representatives(
    typo: Typology, codes: np.ndarray, d: np.ndarray
) -> pd.DataFrame | None:
    """Representative paths of each type on the sample (density, coverage 0.25)."""

    rows = []
    for g in range(1, typo.k + 1):
        members = np.flatnonzero(typo.sample_labels == g)
        if len(members) < 2:
            continue
        sub = np.ascontiguousarray(d[np.ix_(members, members)])
        found = representatives(
            _sequences_from_codes(codes[members]), sub, "density", coverage=0.25
        )
        stats = found.statistics
        for rank, pos in enumerate(found.index, start=1):
            rows.append(
                {
                    "groupe": g,
                    "nom_groupe": typo.group_names[g],
                    "rang": rank,
                    "parcours": describe_path(codes[members[pos]]),
                    "jeunes": int(round(float(stats.iloc[rank - 1]["na"]))),
                    "jeunes_type": len(members),
                }
            )
    return pd.DataFrame(rows)


def indicators_by_profile(seq: Any, covariates: pd.DataFrame) -> pd.DataFrame | None:
    """Mean complexity and normalised turbulence of the paths by characteristic.

    Parameters
    ----------
    seq : Sequences
        The cohort's sequences.
    covariates : pandas.DataFrame
        Their characteristics (:attr:`Typology.covariates`), same order.

    Returns
    -------
    pandas.DataFrame
        ``caracteristique``, ``valeur``, ``jeunes``, ``complexite``,
        ``turbulence`` (raw counts: mask them before publishing); the first
        row is the whole cohort (``caracteristique`` ``Ensemble``).
    """

    ind = sequence_indicators(seq, ["cplx", "turbn"])
    values = pd.DataFrame(
        {"complexite": ind["Cplx"].to_numpy(), "turbulence": ind["Turbn"].to_numpy()}
    )
    rows = [
        {
            "caracteristique": "Ensemble",
            "valeur": "toute la cohorte",
            "jeunes": len(values),
            "complexite": float(values["complexite"].mean()),
            "turbulence": float(values["turbulence"].mean()),
        }
    ]
    for col in covariates.columns:
        key = covariates[col].reset_index(drop=True)
        grouped = values.groupby(key.to_numpy(), sort=True, observed=True)
        means = grouped.mean()
        sizes = grouped.size()
        order = (
            [c for c in key.cat.categories if c in means.index]
            if isinstance(key.dtype, pd.CategoricalDtype)
            else list(means.index)
        )
        for value in order:
            rows.append(
                {
                    "caracteristique": col,
                    "valeur": str(value),
                    "jeunes": int(sizes[value]),
                    "complexite": float(means.loc[value, "complexite"]),
                    "turbulence": float(means.loc[value, "turbulence"]),
                }
            )
    return pd.DataFrame(rows)


def _node_members(nodes: pd.DataFrame, leaf: np.ndarray) -> list[np.ndarray]:
    """Boolean membership of every node (a node holds the leaves under it)."""
    members: dict[int, np.ndarray] = {}
    for node_id in reversed(nodes.index.tolist()):  # children after parents
        row = nodes.loc[node_id]
        if row["is_leaf"]:
            members[node_id] = leaf == node_id
        else:
            members[node_id] = (
                members[int(row["left_child"])] | members[int(row["right_child"])]
            )
    return [members[i] for i in nodes.index]


def indicators_by_cohort(
    warehouse: Warehouse, years: Iterable[int], months: int = 24
) -> pd.DataFrame | None:
    """Mean complexity and normalised turbulence of each cohort's paths.

    Cohorts whose observation window the extract does not wholly cover
    (:func:`cohort_window`: it starts before the extract's first month or ends
    after its latest complete month), whose ``months`` are not all observed, or
    that are empty are left out; None when fewer than two remain or the library
    has no ``sequence_indicators``.

    Returns
    -------
    pandas.DataFrame or None
        ``cohorte``, ``jeunes``, ``complexite``, ``turbulence``.
    """
    rows = []
    for year in years:
        if not cohort_window(warehouse.coverage, int(year), months)["complete"]:
            logger.info("cohort %s left out: its window is not wholly covered", year)
            continue
        try:
            frame = monthly_states(warehouse, int(year), months=months)
        except SequenceError:
            continue
        cols = month_columns(months)
        codes = np.column_stack([frame[c].cat.codes.to_numpy() for c in cols])
        if (codes == STATES.index("censure")).any():
            continue
        ind = sequence_indicators(_sequences_from_codes(codes), ["cplx", "turbn"])
        rows.append(
            {
                "cohorte": int(year),
                "jeunes": len(codes),
                "complexite": float(ind["Cplx"].mean()),
                "turbulence": float(ind["Turbn"].mean()),
            }
        )
    return pd.DataFrame(rows) if len(rows) >= 2 else None
