"""Time to first employment: Kaplan-Meier, log-rank and Cox models.

Method choices (to copy into ``docs/assumptions_caveats.md``):

- Two cohorts: young people whose ``date_premier_accueil`` is in the period
  (origin: that day), and those leaving a Region-funded training in the period
  (origin: the first such ``date_fin``, see ``_outcomes``).
- Event: the first ``emploi`` situation (``etat`` other than ``prevue``) whose
  ``date_debut`` is on or after the origin. A job already running at the
  origin is not an event. Alternance is not employment here.
- Right-censoring at the extraction date (``censoring="extraction"``, the
  default). A young person who stops coming is then counted as "still without
  a job" up to the extraction date although nobody would have recorded a job:
  the curve is pessimistic and effects are pulled towards 1. With
  ``censoring="dernier_contact"`` follow-up ends at the person's last contact
  (any ML, any type), a job recorded after it being ignored; this is the
  censoring under which the synthetic generator's hazards are exactly
  proportional (see ``observatoire.synthetic.Truth``).
- Durations are counted in days and shown in months of 30.4375 days.
- Kaplan-Meier median: first time the curve is at or below 1/2 (see
  :func:`kaplan_meier`).
- Cox model (``PHReg``, Efron ties) on durations grouped in whole months (a
  daily fit is five times slower for hazard ratios within 0.01 of these; see
  :func:`cox_model`), stratified by the ML holding the file by
  default (``stratify_ml=True``): each ML has its own baseline hazard, so the
  profile effects are compared within MLs and are not confounded by ML
  differences. Covariates (0/1): age band (reference 18-21), woman, no diploma
  and bac+2 or more (reference CAP/BEP or bac), NEET, not registered with
  France Travail, ZRR, QPV. Bac+2 is added to "no diploma" so that the
  reference group is homogeneous.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from ..exceptions import ParamsError
from ._outcomes import (
    PROFILE_DIMENSIONS,
    Z95,
    extraction_date_of,
    ids_in,
    period_bounds,
    profile_frame,
    profile_labels,
    real_situations,
    region_training_exits,
)

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)

DAYS_PER_MONTH = 365.25 / 12

#: cohort name -> (French origin for axis labels, French cohort description)
COHORTS: dict[str, tuple[str, str]] = {
    "premier_accueil": (
        "le premier accueil",
        "jeunes dont le premier accueil a eu lieu en {period}",
    ),
    "sortie_formation_region": (
        "la sortie de formation",
        "jeunes sortis en {period} d'une formation financée par la Région",
    ),
}

CENSORING = ("extraction", "dernier_contact")

#: Cox covariates -> French label (reference categories in brackets)
COX_COVARIATES: dict[str, str] = {
    "age_16_17": "16-17 ans (réf. 18-21 ans)",
    "age_22_25": "22-25 ans (réf. 18-21 ans)",
    "age_26_plus": "26 ans ou plus (réf. 18-21 ans)",
    "femme": "Femme",
    "diplome_aucun": "Sans diplôme (réf. CAP à bac)",
    "diplome_bac_plus": "Bac+2 ou plus (réf. CAP à bac)",
    "neet": "NEET",
    "non_inscrit_france_travail": "Non inscrit à France Travail",
    "zrr": "ZRR",
    "qpv": "QPV",
}

#: months at which the share still without a job is reported
SURVIVAL_MONTHS = (6, 12)


@dataclass(frozen=True)
class SurvivalAnalysis:
    """Time to first employment in one cohort.

    Attributes
    ----------
    cohort : str
        ``premier_accueil`` or ``sortie_formation_region``.
    period : str
    censoring : str
        ``extraction`` or ``dernier_contact``.
    data : pd.DataFrame
        One row per young person (analyst use only, never for circulation):
        ``id_jeune``, ``code_ml``, ``duree_jours``, ``duree_mois``, ``emploi``
        (bool, the event), the profile labels and the Cox covariates.
    curves : pd.DataFrame
        Kaplan-Meier steps: ``variable`` (``ensemble`` or a profile column),
        ``modalite``, ``mois``, ``survie`` (share still without a job),
        ``ic_bas``, ``ic_haut`` (pointwise 95 %, log-log), ``n_risque``.
        Each curve starts at ``mois = 0``, ``survie = 1``.
    medians : pd.DataFrame
        ``variable``, ``modalite``, ``n``, ``n_emplois``, ``mediane_mois``,
        ``mediane_ic_bas``, ``mediane_ic_haut`` (NaN when not reached),
        ``sans_emploi_6_mois``, ``sans_emploi_12_mois``, ``avertissement``.
    logrank : pd.DataFrame
        ``variable``, ``n_groupes``, ``chi2``, ``ddl``, ``p_valeur``,
        ``avertissement``.
    cox : pd.DataFrame
        ``covariable``, ``libelle``, ``coef``, ``se``, ``hr``, ``hr_ic_bas``,
        ``hr_ic_haut``, ``p_valeur``.
    n, n_emplois : int
        Cohort size and number of events.
    message : str
        French message for the report (empty when all went well).
    """

    cohort: str
    period: str
    censoring: str
    data: pd.DataFrame
    curves: pd.DataFrame
    medians: pd.DataFrame
    logrank: pd.DataFrame
    cox: pd.DataFrame
    n: int
    n_emplois: int
    message: str = ""


# ------------------------------------------------------------------ cohort
def employment_durations(
    wh: Warehouse,
    period: int | str,
    *,
    cohort: str = "premier_accueil",
    censoring: str = "extraction",
) -> pd.DataFrame:
    """One row per young person of the cohort with their time to first job.

    Returns
    -------
    pd.DataFrame
        ``id_jeune``, ``code_ml``, ``origine`` (date), ``duree_jours``,
        ``duree_mois``, ``emploi`` (bool), the profile columns of
        :func:`profile_frame` and their labels.
    """
    if cohort not in COHORTS:
        raise ParamsError(f"cohort {cohort!r} is not one of {', '.join(COHORTS)}")
    if censoring not in CENSORING:
        raise ParamsError(
            f"censoring {censoring!r} is not one of {', '.join(CENSORING)}"
        )
    start, end = period_bounds(period)
    profile = profile_frame(wh.jeunes)
    if cohort == "premier_accueil":
        dates = wh.jeunes["date_premier_accueil"]
        mask = dates.between(start, end).to_numpy()
        base = profile.loc[mask].copy()
        base["origine"] = dates.to_numpy()[mask]
    else:
        exits = region_training_exits(wh.situations, start, end)
        base = exits[["id_jeune", "date_sortie"]].rename(
            columns={"date_sortie": "origine"}
        )
        base = base.merge(profile, on="id_jeune", how="inner")
    base = base.reset_index(drop=True)

    extraction = extraction_date_of(wh)
    if extraction is None:
        extraction = base["origine"].max() if len(base) else pd.Timestamp("1970-01-01")
    stop = pd.Series(np.datetime64(extraction), index=base.index)
    if censoring == "dernier_contact":
        last = wh.evenements.groupby("id_jeune", observed=True)["date_evenement"].max()
        last_contact = _lookup(base["id_jeune"], last)
        stop = stop.where(last_contact.isna() | (last_contact > stop), last_contact)
    stop = stop.where(stop >= base["origine"], base["origine"])

    s = real_situations(wh.situations)
    jobs = s.loc[
        (s["categorie"] == "emploi").fillna(False)
        & ids_in(s["id_jeune"], base["id_jeune"]),
        ["id_jeune", "date_debut"],
    ]
    pairs = base[["id_jeune", "origine"]].merge(jobs, on="id_jeune", how="inner")
    pairs = pairs.loc[pairs["date_debut"] >= pairs["origine"]]
    first_job = pairs.groupby("id_jeune", observed=True)["date_debut"].min()
    job = _lookup(base["id_jeune"], first_job)
    event = (job.notna() & (job <= stop)).to_numpy()
    end_day = np.where(event, job.to_numpy(), stop.to_numpy())
    days = (end_day - base["origine"].to_numpy()).astype("timedelta64[D]").astype(int)

    out = base.assign(
        duree_jours=days.astype("int64"),
        duree_mois=days / DAYS_PER_MONTH,
        emploi=event,
    )
    labels = profile_labels(out)
    for col in PROFILE_DIMENSIONS:
        out[f"{col}_libelle"] = labels[col].to_numpy()
    return out


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` (indexed by id) for each id of ``keys``; NaT where absent.

    ``Series.map`` fails on an empty datetime ``values`` (pandas casts it).
    """
    values = pd.Series(
        values.to_numpy(dtype="datetime64[ns]"), index=values.index.astype(object)
    )
    found = values.reindex(keys.astype(object).to_numpy())
    return pd.Series(found.to_numpy(), index=keys.index)


# ------------------------------------------------------------------ KM
def kaplan_meier(
    duree: np.ndarray, event: np.ndarray
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Kaplan-Meier steps and summary of one group (statsmodels ``SurvfuncRight``).

    Returns
    -------
    (pd.DataFrame, dict)
        Steps ``mois``, ``survie``, ``ic_bas``, ``ic_haut``, ``n_risque`` (first
        row: 0, 1), and ``mediane_mois``, ``mediane_ic_bas``,
        ``mediane_ic_haut``, ``sans_emploi_<m>_mois`` for m in 6, 12.

    Notes
    -----
    The median is the first time the curve reaches 1/2 or less,
    ``inf{t : S(t) <= 0.5}`` (Klein & Moeschberger), not statsmodels'
    ``SurvfuncRight.quantile``, which asks for ``S(t) < 0.5`` and so gives the
    next event time when a step lands exactly on 1/2 (frequent with small
    groups and durations in whole days). Its interval is statsmodels'
    ``quantile_ci`` (inverted log-log test; the upper limit is ``inf`` when
    the curve stays within reach of 1/2 until the last event).

    Examples
    --------
    Four people: events at 1 and 2 months, one censored at 2, one event at 3.
    S(1) = 3/4; at 2, three are at risk and one event: S(2) = 3/4 x 2/3 = 1/2;
    at 3 the last one at risk has the event: S(3) = 0. The curve reaches 1/2 at
    2 months, which is the median.

    >>> steps, summary = kaplan_meier(np.array([1.0, 2, 2, 3]), np.array([1, 1, 0, 1]))
    >>> [round(float(s), 3) for s in steps["survie"]]
    [1.0, 0.75, 0.5, 0.0]
    >>> summary["mediane_mois"]
    2.0
    """
    duree = np.asarray(duree, dtype=float)
    event = np.asarray(event, dtype=float)
    summary: dict[str, float] = {
        "mediane_mois": np.nan,
        "mediane_ic_bas": np.nan,
        "mediane_ic_haut": np.nan,
    }
    first = pd.DataFrame(
        {"mois": [0.0], "survie": [1.0], "ic_bas": [1.0], "ic_haut": [1.0]}
    ).assign(n_risque=len(duree))
    if len(duree) == 0:
        for m in SURVIVAL_MONTHS:
            summary[f"sans_emploi_{m}_mois"] = np.nan
        return first.iloc[:0], summary
    if event.sum() == 0:  # no event: S = 1 over the follow-up
        for m in SURVIVAL_MONTHS:
            summary[f"sans_emploi_{m}_mois"] = 1.0 if duree.max() >= m else np.nan
        return first, summary
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        sf = SurvfuncRight(duree, event)
        surv = np.asarray(sf.surv_prob, dtype=float)
        se = np.asarray(sf.surv_prob_se, dtype=float)
        # pointwise log-log interval: theta = log(-log S), se(theta) = se(S) / |S log S|
        theta_se = se / np.abs(surv * np.log(surv))
        lo = surv ** np.exp(Z95 * theta_se)
        hi = surv ** np.exp(-Z95 * theta_se)
        lo = np.where(surv <= 0, 0.0, np.where(surv >= 1, 1.0, lo))
        hi = np.where(surv <= 0, 0.0, np.where(surv >= 1, 1.0, hi))
        # median = inf{t : S(t) <= 1/2}; statsmodels' quantile() uses S(t) < 1/2
        # (the SAS convention), which skips a step that lands exactly on 1/2
        # (with a tolerance: 3/4 x 2/3 is 0.5000000000000001 in floating point)
        reached = np.flatnonzero(surv <= 0.5 + 1e-12)
        median = float(sf.surv_times[reached[0]]) if reached.size else np.nan
        try:
            ci = sf.quantile_ci(0.5)
            ci_lo, ci_hi = float(ci[0]), float(ci[1])
        except (ValueError, IndexError, TypeError):
            ci_lo, ci_hi = np.nan, np.nan
    summary.update(mediane_mois=median, mediane_ic_bas=ci_lo, mediane_ic_haut=ci_hi)
    times = np.asarray(sf.surv_times, dtype=float)
    for m in SURVIVAL_MONTHS:
        if duree.max() < m:
            summary[f"sans_emploi_{m}_mois"] = np.nan
        else:
            i = np.searchsorted(times, m, side="right") - 1
            summary[f"sans_emploi_{m}_mois"] = 1.0 if i < 0 else float(surv[i])
    steps = pd.DataFrame(
        {
            "mois": times,
            "survie": surv,
            "ic_bas": lo,
            "ic_haut": hi,
            "n_risque": np.asarray(sf.n_risk, dtype="int64"),
        }
    )
    return pd.concat([first, steps], ignore_index=True), summary


# ------------------------------------------------------------------ analysis
def time_to_employment(
    wh: Warehouse,
    period: int | str,
    *,
    cohort: str = "premier_accueil",
    censoring: str = "extraction",
    stratify_ml: bool = True,
    cox_unit_days: float = DAYS_PER_MONTH,
) -> SurvivalAnalysis:
    """Kaplan-Meier curves, medians, log-rank tests and a Cox model.

    Parameters
    ----------
    wh : observatoire.data.Warehouse
    period : int or str
        Year (``2023``) or month (``2023-05``) of the cohort's origin.
    cohort : {"premier_accueil", "sortie_formation_region"}
        Time since first reception, or since leaving a Region-funded training.
    censoring : {"extraction", "dernier_contact"}
        Where follow-up ends for those without a job (see the module notes).
    stratify_ml : bool
        Stratify the Cox model by ML (one baseline hazard per ML).
    cox_unit_days : float
        Time unit of the Cox model (see :func:`cox_model`; 1 for days).

    Returns
    -------
    SurvivalAnalysis
        Never raises on an empty cohort, a cohort without any job or a Cox
        model that fails: the tables are empty or partial and ``message``
        says why, in French.

    Examples
    --------
    >>> from pathlib import Path
    >>> from observatoire import data
    >>> wh = data.load(Path(__file__).parents[3] / "tests" / "fixtures" / "entrepot_mini")
    >>> res = time_to_employment(wh, 2023)
    >>> res.n, res.n_emplois
    (10, 1)
    """
    label = str(period)
    d = employment_durations(wh, period, cohort=cohort, censoring=censoring)
    description = COHORTS[cohort][1].format(period=label)
    messages: list[str] = []
    n, n_events = len(d), int(d["emploi"].sum())
    if n == 0:
        messages.append(f"Cohorte vide : aucun des {description}.")
    elif n_events == 0:
        messages.append(
            f"Aucune entrée en emploi observée parmi les {n} {description} : "
            "pas de médiane ni de modèle de Cox."
        )
    curves, medians = _km_tables(d)
    logrank = _logrank_table(d) if n_events else _empty_logrank()
    cox, cox_msg = (
        cox_model(d, strata="code_ml" if stratify_ml else None, unit_days=cox_unit_days)
        if n_events
        else (_empty_cox(), "")
    )
    if cox_msg:
        messages.append(cox_msg)
    logger.info(
        "time to employment (%s, %s): %d people, %d jobs", cohort, label, n, n_events
    )
    return SurvivalAnalysis(
        cohort=cohort,
        period=label,
        censoring=censoring,
        data=d,
        curves=curves,
        medians=medians,
        logrank=logrank,
        cox=cox,
        n=n,
        n_emplois=n_events,
        message=" ".join(messages),
    )


def _km_tables(d: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    curves, rows = [], []
    groupings = [("ensemble", pd.Series("ensemble", index=d.index))]
    groupings += [(col, d[f"{col}_libelle"]) for col in PROFILE_DIMENSIONS]
    t = d["duree_mois"].to_numpy()
    e = d["emploi"].to_numpy()
    for var, keys in groupings:
        keys = keys.astype("string").to_numpy()
        for mod in sorted(set(keys)):
            m = keys == mod
            steps, summary = kaplan_meier(t[m], e[m])
            curves.append(steps.assign(variable=var, modalite=mod))
            warn = ""
            if int(e[m].sum()) == 0:
                warn = "aucune entrée en emploi dans ce groupe"
            elif np.isnan(summary["mediane_mois"]):
                warn = "médiane non atteinte"
            rows.append(
                {
                    "variable": var,
                    "modalite": mod,
                    "n": int(m.sum()),
                    "n_emplois": int(e[m].sum()),
                    **summary,
                    "avertissement": warn,
                }
            )
    curve_cols = [
        "variable",
        "modalite",
        "mois",
        "survie",
        "ic_bas",
        "ic_haut",
        "n_risque",
    ]
    curves = (
        pd.concat(curves, ignore_index=True)[curve_cols]
        if curves
        else pd.DataFrame(columns=curve_cols)
    )
    median_cols = [
        "variable",
        "modalite",
        "n",
        "n_emplois",
        "mediane_mois",
        "mediane_ic_bas",
        "mediane_ic_haut",
        *[f"sans_emploi_{m}_mois" for m in SURVIVAL_MONTHS],
        "avertissement",
    ]
    medians = pd.DataFrame(rows, columns=median_cols)
    for frame in (curves, medians):
        for col in ("variable", "modalite"):
            frame[col] = frame[col].astype("string")
    medians["avertissement"] = medians["avertissement"].astype("string")
    return curves, medians


def _logrank_table(d: pd.DataFrame) -> pd.DataFrame:
    t = d["duree_mois"].to_numpy()
    e = d["emploi"].to_numpy().astype(float)
    rows = []
    for col in PROFILE_DIMENSIONS:
        groups = d[f"{col}_libelle"].astype("string").to_numpy()
        k = len(set(groups))
        row = {"variable": col, "n_groupes": k, "chi2": np.nan, "ddl": k - 1}
        row["p_valeur"] = np.nan
        row["avertissement"] = ""
        if k < 2:
            row["avertissement"] = "une seule modalité : pas de comparaison"
        else:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    chi2, p = survdiff(t, e, groups)
                row["chi2"], row["p_valeur"] = float(chi2), float(p)
                if not np.isfinite(row["chi2"]):
                    row["avertissement"] = "test du log-rank non calculable"
            except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
                row["avertissement"] = f"test du log-rank non calculable ({exc})"
        rows.append(row)
    out = pd.DataFrame(rows)
    out["variable"] = out["variable"].astype("string")
    out["avertissement"] = out["avertissement"].astype("string")
    return out


def cox_model(
    d: pd.DataFrame,
    *,
    covariates: dict[str, str] | None = None,
    strata: str | None = "code_ml",
    unit_days: float = DAYS_PER_MONTH,
) -> tuple[pd.DataFrame, str]:
    """Cox proportional hazards model (statsmodels ``PHReg``, Efron ties).

    Parameters
    ----------
    d : pd.DataFrame
        One row per person: ``duree_jours`` (float or int), ``emploi`` (the
        event, bool or 0/1), the 0/1 covariate columns and, when ``strata`` is
        given, that column.
    covariates : dict, optional
        Covariate column -> French label (default :data:`COX_COVARIATES`).
        Columns without variation are dropped, and the message says so.
    strata : str or None
        Column whose values each get their own baseline hazard (default the
        ML holding the file); None for a single baseline.
    unit_days : float
        Durations are grouped into whole units of this many days before the
        fit (default a month of 30.4375 days), tied times being handled by
        Efron's method. statsmodels loops in Python over the distinct event
        times of each stratum, so daily times cost five times more for a hazard
        ratio that differs by less than 0.01 (synthetic warehouse, scale 1).
        Use 1 for daily times.

    Returns
    -------
    (pd.DataFrame, str)
        ``covariable``, ``libelle``, ``coef`` (log hazard ratio), ``se``,
        ``hr``, ``hr_ic_bas``, ``hr_ic_haut`` (95 %), ``p_valeur``; and a French
        message, empty when the fit went well. Never raises on a model that
        cannot be fitted: the table is then empty and the message says why.
    """
    covariates = COX_COVARIATES if covariates is None else covariates
    if len(d) == 0 or not d["emploi"].astype(bool).any():
        return _empty_cox(), "Aucune entrée en emploi : pas de modèle de Cox."
    x = d[list(covariates)].astype(float)
    constant = [c for c in x.columns if x[c].nunique() < 2]
    x = x.drop(columns=constant)
    notes = []
    if constant:
        notes.append(
            "Covariables sans variation retirées du modèle de Cox : "
            + ", ".join(covariates[c] for c in constant)
            + "."
        )
    if x.shape[1] == 0:
        return _empty_cox(), " ".join(notes)
    groups = None if strata is None else d[strata].astype(object).to_numpy()
    time = np.floor(d["duree_jours"].to_numpy(dtype=float) / float(unit_days))
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            model = PHReg(
                time,
                x.to_numpy(),
                status=d["emploi"].to_numpy(dtype=float),
                strata=groups,
                ties="efron",
            )
            fit = model.fit(disp=False)
            params = np.asarray(fit.params, dtype=float)
            bse = np.asarray(fit.bse, dtype=float)
            pvalues = np.asarray(fit.pvalues, dtype=float)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        notes.append(f"Le modèle de Cox n'a pas pu être estimé ({exc}).")
        return _empty_cox(), " ".join(notes)
    converged = bool(getattr(fit, "mle_retvals", {}).get("converged", True))
    trouble = [str(w.message) for w in caught if "converge" in str(w.message).lower()]
    extreme = [
        covariates[c]
        for c, b, se in zip(x.columns, params, bse, strict=True)
        if abs(b) > 10 or not np.isfinite(se)
    ]
    which = (
        f" (rapport de risques infini ou nul pour {', '.join(extreme)} : un groupe "
        "sans aucune entrée en emploi, ou n'ayant que des entrées)"
        if extreme
        else ""
    )
    if not converged or trouble or not np.all(np.isfinite(bse)):
        notes.append(
            f"Le modèle de Cox n'a pas convergé{which} : ses rapports de risques ne "
            "sont pas interprétables."
        )
    elif extreme:
        notes.append(
            f"Modèle de Cox{which} : ces coefficients ne sont pas interprétables."
        )
    with np.errstate(all="ignore"):
        table = pd.DataFrame(
            {
                "covariable": pd.array(list(x.columns), dtype="string"),
                "libelle": pd.array([covariates[c] for c in x.columns], dtype="string"),
                "coef": params,
                "se": bse,
                "hr": np.exp(params),
                "hr_ic_bas": np.exp(params - Z95 * bse),
                "hr_ic_haut": np.exp(params + Z95 * bse),
                "p_valeur": pvalues,
            }
        )
    return table, " ".join(notes)


def _empty_logrank() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": pd.Series(dtype="string"),
            "n_groupes": pd.Series(dtype="int64"),
            "chi2": pd.Series(dtype=float),
            "ddl": pd.Series(dtype="int64"),
            "p_valeur": pd.Series(dtype=float),
            "avertissement": pd.Series(dtype="string"),
        }
    )


def _empty_cox() -> pd.DataFrame:
    cols = ["coef", "se", "hr", "hr_ic_bas", "hr_ic_haut", "p_valeur"]
    return pd.DataFrame(
        {"covariable": pd.Series(dtype="string"), "libelle": pd.Series(dtype="string")}
        | {c: pd.Series(dtype=float) for c in cols}
    )
