"""Shared helpers (periods, profiles, Wilson) and outcomes after Region training.

Method choices (to copy into ``docs/assumptions_caveats.md``):

- A *sortant* is a young person with a ``formation`` situation financed by the
  ``region``, ``etat`` other than ``prevue``, whose ``date_fin`` lies in the
  period. A person with several such exits in the period counts once, at the
  first one; the exited training's ``sous_categorie`` is that one's.
- The situation at horizon ``h`` months is read on the calendar date
  ``date_fin + h months``: a situation (``etat`` other than ``prevue``) runs on
  day ``d`` when ``date_debut <= d`` and (``date_fin`` empty or ``>= d``).
  Durable employment: ``cdi``, or planned for at least 183 days
  (``date_fin_prevue - date_debut >= 183``), as for ``entrees_emploi_durable``.
- A sortant whose horizon date falls after the extraction date is excluded from
  that horizon's denominators and counted in ``n_exclus_horizon``.
- The sortant belongs to the Mission Locale holding their file
  (``jeunes.code_ml``); a training situation carries no ML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..exceptions import ParamsError
from ..indicators import DURABLE_DAYS  # the contract's rule, one definition

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)

#: 95 % normal quantile (the same as ``indicators``' Wilson intervals)
Z95 = 1.959963984540054

#: age bands at first reception (contract profile); ages 15 go with the minors
AGE_BANDS: tuple[str, ...] = ("16-17", "18-21", "22-25", "26+")

#: profile breakdowns: column of :func:`profile_frame` -> French label
PROFILE_DIMENSIONS: dict[str, str] = {
    "tranche_age": "Âge au premier accueil",
    "sexe": "Sexe",
    "niveau_diplome": "Diplôme",
    "neet": "NEET",
    "inscrit_france_travail": "Inscrit à France Travail",
    "zrr": "ZRR",
    "qpv": "QPV",
}

#: binary profile columns (shown as ``oui`` / ``non``)
_BOOLEAN_PROFILE = ("neet", "inscrit_france_travail", "zrr", "qpv")

#: outcomes read at each horizon -> French label
OUTCOME_LABELS: dict[str, str] = {
    "emploi": "En emploi",
    "emploi_durable": "En emploi durable",
    "alternance": "En alternance",
    "formation": "De nouveau en formation",
}

OUTCOME_COLUMNS: tuple[str, ...] = (
    "dimension",
    "modalite",
    "horizon_mois",
    "resultat",
    "n_sortants",
    "n_exclus_horizon",
    "n_observes",
    "n_situation",
    "part",
    "ic_bas",
    "ic_haut",
    "avertissement",
)


# ------------------------------------------------------------------ helpers
def period_bounds(period: int | str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a period: a year (``2023``) or a month (``2023-05``).

    Raises
    ------
    ParamsError
        If ``period`` is neither.

    Examples
    --------
    >>> period_bounds("2023-02")
    (Timestamp('2023-02-01 00:00:00'), Timestamp('2023-02-28 00:00:00'))
    """
    text = str(period).strip()
    try:
        if len(text) == 4:
            p = pd.Period(text, freq="Y")
        elif len(text) == 7 and text[4] == "-":
            p = pd.Period(text, freq="M")
        else:
            raise ValueError(text)
    except ValueError:
        raise ParamsError(
            f"period {period!r} is neither a year (2023) nor a month (2023-05)"
        ) from None
    return p.start_time.normalize(), p.end_time.normalize()


def wilson(k, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``k`` successes out of ``n`` (NaN where n = 0).

    Examples
    --------
    >>> lo, hi = wilson([3], [10])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.1078, 0.6032)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        lo = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return lo, hi


def age_in_years(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Age in whole years on date ``on`` (birthday reached on the day itself)."""
    years = on.dt.year - birth.dt.year
    before = (on.dt.month < birth.dt.month) | (
        (on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day)
    )
    return years - before.astype(int)


def profile_frame(jeunes: pd.DataFrame) -> pd.DataFrame:
    """Profile of each young person at first reception.

    Returns
    -------
    pd.DataFrame
        ``id_jeune``, ``code_ml`` (file holder), ``tranche_age`` (one of
        :data:`AGE_BANDS`), ``sexe``, ``niveau_diplome``, ``neet``,
        ``inscrit_france_travail``, ``zrr``, ``qpv`` (bool), and the 0/1 model
        covariates ``age_16_17``, ``age_22_25``, ``age_26_plus``, ``femme``,
        ``diplome_aucun``, ``diplome_bac_plus`` (5 or 6+),
        ``non_inscrit_france_travail``.
    """
    age = age_in_years(jeunes["date_naissance"], jeunes["date_premier_accueil"])
    band = np.select(
        [age < 18, age < 22, age < 26], list(AGE_BANDS[:3]), default=AGE_BANDS[3]
    )

    def text(col: str) -> pd.Series:  # no round trip through Python objects
        return jeunes[col].astype("string").reset_index(drop=True)

    out = pd.DataFrame(
        {
            "id_jeune": text("id_jeune"),
            "code_ml": text("code_ml"),
            "tranche_age": pd.Categorical(band, categories=list(AGE_BANDS)),
            "sexe": text("sexe"),
            "niveau_diplome": text("niveau_diplome"),
        }
    )
    for col in _BOOLEAN_PROFILE:
        out[col] = jeunes[col].fillna(False).astype(bool).to_numpy()
    out["age_16_17"] = (band == "16-17").astype(float)
    out["age_22_25"] = (band == "22-25").astype(float)
    out["age_26_plus"] = (band == "26+").astype(float)
    out["femme"] = (out["sexe"] == "F").fillna(False).astype(float).to_numpy()
    diploma = out["niveau_diplome"]
    out["diplome_aucun"] = (diploma == "aucun").fillna(False).astype(float).to_numpy()
    out["diplome_bac_plus"] = (
        diploma.isin(["5", "6+"]).fillna(False).astype(float).to_numpy()
    )
    out["non_inscrit_france_travail"] = (~out["inscrit_france_travail"]).astype(float)
    return out


def profile_labels(profile: pd.DataFrame) -> pd.DataFrame:
    """The profile breakdown columns as strings (``oui``/``non`` for booleans)."""
    out = pd.DataFrame(index=profile.index)
    for col in PROFILE_DIMENSIONS:
        if col in _BOOLEAN_PROFILE:
            out[col] = np.where(profile[col].to_numpy(), "oui", "non")
        else:
            out[col] = profile[col].astype("string").fillna("inconnu").to_numpy()
    return out


def ids_in(ids: pd.Series, among: pd.Series) -> np.ndarray:
    """Boolean array: is each id of ``ids`` one of ``among`` (hash lookup).

    ``Series.isin`` on Arrow strings converts element by element; object arrays
    go through the hash table and are several times faster on 10^5 ids.
    """
    return ids.astype(object).isin(among.astype(object)).to_numpy(dtype=bool)


def real_situations(situations: pd.DataFrame) -> pd.DataFrame:
    """Situations that happened (``etat`` other than ``prevue``)."""
    return situations.loc[situations["etat"] != "prevue"]


def is_durable(situations: pd.DataFrame) -> pd.Series:
    """Employment that is durable: a ``cdi`` or planned for >= 183 days."""
    planned = situations["date_fin_prevue"] - situations["date_debut"]
    long = (planned >= pd.Timedelta(days=DURABLE_DAYS)).fillna(False)
    cdi = (situations["sous_categorie"] == "cdi").fillna(False)
    return (cdi | long).astype(bool)


def extraction_date_of(wh: Warehouse) -> pd.Timestamp | None:
    """The end of the extract (``Warehouse.coverage.end``), None without one."""
    return wh.coverage.end


# ------------------------------------------------------------------ exits
def region_training_exits(
    situations: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """First exit per person from a Region-funded training ending in [start, end].

    Returns
    -------
    pd.DataFrame
        ``id_jeune``, ``date_sortie``, ``sous_categorie``.
    """
    s = real_situations(situations)
    mask = (
        (s["categorie"] == "formation").fillna(False)
        & (s["financeur"] == "region").fillna(False)
        & s["date_fin"].between(start, end)
    )
    exits = s.loc[mask, ["id_jeune", "date_fin", "sous_categorie"]]
    exits = exits.sort_values(["id_jeune", "date_fin"], kind="stable")
    exits = exits.drop_duplicates("id_jeune", keep="first")
    return pd.DataFrame(
        {
            "id_jeune": exits["id_jeune"].astype("string").to_numpy(),
            "date_sortie": exits["date_fin"].to_numpy(),
            "sous_categorie": exits["sous_categorie"]
            .astype("string")
            .fillna("inconnu")
            .to_numpy(),
        }
    )


# ------------------------------------------------------------------ result
@dataclass(frozen=True)
class TrainingOutcomes:
    """Situation 6 and 12 months after leaving a Region-funded training.

    Attributes
    ----------
    table : pd.DataFrame
        Tidy, one row per (dimension, modalite, horizon_mois, resultat):
        ``dimension`` (``ensemble``, ``code_ml``, ``sous_categorie`` or a
        profile column of :data:`PROFILE_DIMENSIONS`), ``modalite``,
        ``horizon_mois``, ``resultat`` (``emploi``, ``emploi_durable``,
        ``alternance``, ``formation``), ``n_sortants`` (exits in the period),
        ``n_exclus_horizon`` (horizon after the extraction date),
        ``n_observes`` (denominator), ``n_situation`` (numerator), ``part``,
        ``ic_bas``, ``ic_haut`` (95 % Wilson), ``avertissement`` (French
        message, empty when none).
    period : str
        The period of the exits.
    n_sortants : int
        Number of sortants in the period.
    n_exclus_horizon : dict
        horizon (months) -> sortants excluded because the horizon is after
        the extraction date.
    extraction_date : pd.Timestamp or None
    message : str
        French message for the report, empty when everything went well.
    """

    table: pd.DataFrame
    period: str
    n_sortants: int
    n_exclus_horizon: dict[int, int] = field(default_factory=dict)
    extraction_date: pd.Timestamp | None = None
    message: str = ""


def outcomes_after_training(
    wh: Warehouse,
    period: int | str,
    *,
    horizons: tuple[int, ...] = (6, 12),
) -> TrainingOutcomes:
    """Share in employment, work-study or training 6 and 12 months after exit.

    Parameters
    ----------
    wh : observatoire.data.Warehouse
        The extract (``jeunes``, ``situations``, ``missions_locales``,
        ``extraction_date``).
    period : int or str
        Period of the exits: a year (``2023``) or a month (``2023-05``).
    horizons : tuple of int
        Months after the exit date at which the situation is read.

    Returns
    -------
    TrainingOutcomes
        The tidy table (see :class:`TrainingOutcomes`) with Wilson intervals by
        ML, training type (``sous_categorie``) and profile. Never raises on an
        empty cohort: the table is empty and ``message`` says why.

    Examples
    --------
    >>> from pathlib import Path
    >>> from observatoire import data
    >>> wh = data.load(Path(__file__).parents[3] / "tests" / "fixtures" / "entrepot_mini")
    >>> res = outcomes_after_training(wh, 2023)
    >>> res.n_sortants, res.n_exclus_horizon
    (1, {6: 1, 12: 1})
    """
    start, end = period_bounds(period)
    label = str(period)
    extraction = extraction_date_of(wh)
    exits = region_training_exits(wh.situations, start, end)
    profile = profile_frame(wh.jeunes)
    cohort = exits.merge(profile, on="id_jeune", how="inner")
    ml_codes = wh.missions_locales["code_ml"].astype("string").tolist()

    messages = []
    if cohort.empty:
        msg = (
            f"Aucune sortie de formation financée par la Région en {label} : "
            "pas de résultat à 6 et 12 mois."
        )
        logger.warning("outcomes after training: no exit in %s", label)
        return TrainingOutcomes(
            table=_empty_outcomes(),
            period=label,
            n_sortants=0,
            n_exclus_horizon={h: 0 for h in horizons},
            extraction_date=extraction,
            message=msg,
        )

    flags = _situation_flags(cohort, wh.situations, horizons, extraction)
    labels = profile_labels(cohort)
    dims = {"ensemble": pd.Series("ensemble", index=cohort.index)}
    dims["code_ml"] = cohort["code_ml"]
    dims["sous_categorie"] = cohort["sous_categorie"]
    for col in PROFILE_DIMENSIONS:
        dims[col] = labels[col]

    rows = []
    for dim, keys in dims.items():
        frame = flags.assign(_modalite=keys.astype("string").to_numpy())
        g = frame.groupby("_modalite", sort=True, observed=True)
        agg = g.sum(numeric_only=True)
        n_all = g.size()
        modalities = list(agg.index)
        if dim == "code_ml":  # every ML gets its rows, with zeros
            modalities = sorted(set(modalities) | set(ml_codes))
            agg = agg.reindex(modalities, fill_value=0)
            n_all = n_all.reindex(modalities, fill_value=0)
        for h in horizons:
            obs = agg[f"observe_{h}"].to_numpy()
            excl = agg[f"exclu_{h}"].to_numpy()
            for outcome in OUTCOME_LABELS:
                k = agg[f"{outcome}_{h}"].to_numpy()
                rows.append(
                    pd.DataFrame(
                        {
                            "dimension": dim,
                            "modalite": modalities,
                            "horizon_mois": h,
                            "resultat": outcome,
                            "n_sortants": n_all.to_numpy(),
                            "n_exclus_horizon": excl,
                            "n_observes": obs,
                            "n_situation": k,
                        }
                    )
                )
    table = pd.concat(rows, ignore_index=True)
    for col in ("n_sortants", "n_exclus_horizon", "n_observes", "n_situation"):
        table[col] = table[col].astype("int64")
    n_obs = table["n_observes"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["part"] = np.where(n_obs > 0, table["n_situation"] / n_obs, np.nan)
    lo, hi = wilson(table["n_situation"], n_obs)
    table["ic_bas"] = lo
    table["ic_haut"] = hi
    warn = np.where(
        table["n_sortants"] == 0,
        "aucune sortie de formation Région",
        np.where(
            n_obs == 0, "aucun sortant observable à cet horizon (date d'extraction)", ""
        ),
    )
    table["avertissement"] = pd.array(warn, dtype="string")
    for col in ("dimension", "modalite", "resultat"):
        table[col] = table[col].astype("string")
    table = table[list(OUTCOME_COLUMNS)]

    excluded = {h: int(flags[f"exclu_{h}"].sum()) for h in horizons}
    for h, n in excluded.items():
        if n:
            messages.append(
                f"{n} sortant(s) exclu(s) à {h} mois : l'horizon dépasse la date "
                f"d'extraction ({_fr_date(extraction)})."
            )
    if extraction is None:
        messages.append(
            "Date d'extraction inconnue : aucun sortant n'est exclu pour horizon "
            "non atteint."
        )
    logger.info(
        "outcomes after training %s: %d exits, excluded %s",
        label,
        len(cohort),
        excluded,
    )
    return TrainingOutcomes(
        table=table,
        period=label,
        n_sortants=len(cohort),
        n_exclus_horizon=excluded,
        extraction_date=extraction,
        message=" ".join(messages),
    )


def _situation_flags(
    cohort: pd.DataFrame,
    situations: pd.DataFrame,
    horizons: tuple[int, ...],
    extraction: pd.Timestamp | None,
) -> pd.DataFrame:
    """0/1 columns per horizon: observe_h, exclu_h and one per outcome."""
    s = real_situations(situations)
    s = s.loc[ids_in(s["id_jeune"], cohort["id_jeune"])]
    cat = s["categorie"].astype("string")
    kinds = pd.DataFrame(
        {
            "id_jeune": s["id_jeune"].astype("string").to_numpy(),
            "date_debut": s["date_debut"].to_numpy(),
            "date_fin": s["date_fin"].to_numpy(),
            "emploi": (cat == "emploi").fillna(False).to_numpy(),
            "emploi_durable": ((cat == "emploi") & is_durable(s))
            .fillna(False)
            .to_numpy(),
            "alternance": (cat == "alternance").fillna(False).to_numpy(),
            "formation": (cat == "formation").fillna(False).to_numpy(),
        }
    )
    out = pd.DataFrame(index=cohort.index)
    base = pd.DataFrame(
        {"_row": np.arange(len(cohort)), "id_jeune": cohort["id_jeune"].to_numpy()}
    )
    for h in horizons:
        when = (cohort["date_sortie"] + pd.DateOffset(months=h)).to_numpy()
        if extraction is None:
            observed = np.ones(len(cohort), dtype=bool)
        else:
            observed = when <= np.datetime64(extraction)
        out[f"observe_{h}"] = observed.astype(np.int64)
        out[f"exclu_{h}"] = (~observed).astype(np.int64)
        pairs = base.assign(_d=when).merge(kinds, on="id_jeune", how="inner")
        running = (pairs["date_debut"] <= pairs["_d"]) & (
            pairs["date_fin"].isna() | (pairs["date_fin"] >= pairs["_d"])
        )
        pairs = pairs.loc[running]
        for outcome in OUTCOME_LABELS:
            hit = np.zeros(len(cohort), dtype=bool)
            hit[pairs.loc[pairs[outcome], "_row"].to_numpy()] = True
            out[f"{outcome}_{h}"] = (hit & observed).astype(np.int64)
    return out


def _empty_outcomes() -> pd.DataFrame:
    dtypes = {
        "dimension": "string",
        "modalite": "string",
        "horizon_mois": "int64",
        "resultat": "string",
        "n_sortants": "int64",
        "n_exclus_horizon": "int64",
        "n_observes": "int64",
        "n_situation": "int64",
        "part": "float64",
        "ic_bas": "float64",
        "ic_haut": "float64",
        "avertissement": "string",
    }
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _fr_date(d: pd.Timestamp | None) -> str:
    return "inconnue" if d is None else d.strftime("%d/%m/%Y")
