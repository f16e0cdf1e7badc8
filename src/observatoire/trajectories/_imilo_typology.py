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
from typing import Any

import numba
import numpy as np
import pandas as pd

from ..exceptions import SequenceError
from ..formatting import fr_month
from ._imilo import (
    STATE_LABELS,
    STATES,
    _extraction_date,
    last_complete_month,
    month_columns,
    monthly_states,
)

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


# ---------------------------------------------------------------- typology
def _sequences_from_codes(codes: np.ndarray) -> Any:
    from ._sequences import Sequences

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
    from ._cluster import pam, ward

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
    warehouse: Any,
    year: int,
    *,
    months: int = 24,
    code_ml: str | Iterable[str] | None = None,
    k: int | None = None,
    k_range: tuple[int, int] = (3, 8),
    method: str = "pam",
    sample_size: int = 2000,
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
        Number of groups; default the best average silhouette in ``k_range``.
    k_range : (int, int), default (3, 8)
        Smallest and largest number of groups tried (both included).
    method : {"pam", "ward"}
        Clustering of the sample.
    sample_size : int, default 2000
        Largest number of sequences clustered with a full distance matrix.
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
    from ._distances import distances
    from ._sequences import substitution_costs

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

    from ._cluster import silhouette, silhouette_samples

    results = {}
    for kk in ks:
        labels_k, medoids_k = _cluster(d, kk, method)
        results[kk] = (labels_k, medoids_k, float(silhouette(d, labels_k + 1)))
        logger.info("typology %s, k=%d: silhouette %.3f", year, kk, results[kk][2])
    best = max(ks, key=lambda kk: (results[kk][2], -kk))
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
        .reset_index(drop=True)
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
    )
