"""Composition-adjusted comparison of the Missions Locales (observed / expected).

Method (to copy into ``docs/assumptions_caveats.md``):

- Population: the young people accompanied in the year at each ML (at least one
  event of the definition in force there: by default the national one,
  interview, workshop or collective information), as for
  ``jeunes_accompagnes``; a person accompanied by two MLs counts at both.
- Outcomes: the Article 4 entries of the year, as the contract defines them
  (``entrees_formation``, ``entrees_formation_region``, ``entrees_alternance``,
  ``entrees_emploi``): a situation of that kind starting in the year, ``etat``
  other than ``prevue``.
- One logistic model (GLM Binomial, logit link) per outcome, fitted on all
  MLs together, on the profile only, never on the ML: age band at first
  reception, sex, diploma (5 levels), NEET, France Travail registration, ZRR,
  QPV. The rows are collapsed to profile patterns (successes / trials), which
  gives the same fit as one row per person.
- Expected count E of an ML: the sum of its accompanied people's predicted
  probabilities. Ratio O / E with an exact Poisson interval on O (the Byar /
  Garwood limits ``chi2(2O)/2`` and ``chi2(2O + 2)/2``) divided by E.
- Funnel: under "the ML is like the others once composition is accounted for",
  O ~ Poisson(E); control limits of O / E at 95 % and 99.8 % are the Poisson
  quantiles (interpolated as in Spiegelhalter, 2005) divided by E. An ML
  outside the limits is a signal to discuss, not a ranking: the model ignores
  what the extract does not hold (local labour market, offer of training).
- The overdispersion factor (mean squared z-score, the 10 % most extreme on
  each side winsorised) is reported: above 1, the MLs differ more than chance
  alone explains, and more MLs fall outside the limits. With
  ``overdispersion=True`` the limits are widened to ``1 +- z sqrt(phi / E)``
  (Spiegelhalter's multiplicative model) so that only MLs that differ more than
  MLs usually do stand out.
- When the model cannot be trusted (perfect separation, no convergence), the
  message says so; without convergence the expected counts fall back to the
  crude regional rate (no adjustment), so the report is still produced.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

from ..exceptions import ParamsError
from ..indicators import accompanied_mask
from ._outcomes import ids_in, period_bounds, profile_frame, real_situations

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)

#: Article 4 outcomes compared -> French label
OUTCOMES: dict[str, str] = {
    "entrees_formation": "Entrées en formation",
    "entrees_formation_region": "Entrées en formation financée par la Région",
    "entrees_alternance": "Entrées en alternance",
    "entrees_emploi": "Entrées en emploi",
}

#: profile columns of the model; categorical ones with their reference level
_CATEGORICAL = {"tranche_age": "18-21", "sexe": "H", "niveau_diplome": "3"}
_BINARY = ("neet", "inscrit_france_travail", "zrr", "qpv")
PATTERN_COLUMNS: tuple[str, ...] = (*_CATEGORICAL, *_BINARY)

#: control limits of the funnel: name -> two-sided coverage
LIMITS: dict[str, float] = {"95": 0.95, "998": 0.998}

TABLE_COLUMNS: tuple[str, ...] = (
    "indicateur",
    "code_ml",
    "nom_ml",
    "accompagnes",
    "observes",
    "attendus",
    "ratio",
    "ratio_ic_bas",
    "ratio_ic_haut",
    "limite_95_bas",
    "limite_95_haut",
    "limite_998_bas",
    "limite_998_haut",
    "hors_limites_95",
    "hors_limites_998",
    "signal",
    "avertissement",
)

CAUTION = (
    "Un rapport observé/attendu hors des limites est un signal à discuter, pas un "
    "classement : le modèle ne tient compte que du profil des jeunes, pas du "
    "marché du travail local ni de l'offre de formation."
)


@dataclass(frozen=True)
class AdjustedComparison:
    """Observed / expected entries of each ML, adjusted on the profile.

    Attributes
    ----------
    year : int
    table : pd.DataFrame
        Tidy, one row per (indicateur, code_ml), columns
        :data:`TABLE_COLUMNS`: ``accompagnes`` (people accompanied at the ML),
        ``observes`` (O), ``attendus`` (E), ``ratio`` (O / E) and its exact
        95 % interval, the funnel limits at the ML's E, ``hors_limites_95``,
        ``hors_limites_998`` (bool), ``signal`` (``au-dessus``,
        ``en dessous`` of the 99.8 % limits, or empty) and ``avertissement``.
    models : dict
        indicateur -> coefficient table (``terme``, ``coef``, ``se``,
        ``odds_ratio``, ``p_valeur``) of the logistic model.
    overdispersion : dict
        indicateur -> overdispersion factor (1 = variation by chance only).
    messages : dict
        indicateur -> French message on the model ('' when fine).
    message : str
        French message on the whole comparison ('' when fine).
    limites : str
        ``poisson`` (funnel limits under chance alone) or ``surdispersion``
        (widened by the overdispersion factor, see
        :func:`compare_missions_locales`).
    """

    year: int
    table: pd.DataFrame
    models: dict[str, pd.DataFrame] = field(default_factory=dict)
    overdispersion: dict[str, float] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    message: str = ""
    limites: str = "poisson"


# ------------------------------------------------------------------ data
def accompanied_outcomes(wh: Warehouse, year: int) -> pd.DataFrame:
    """One row per (young person, ML) accompanied in ``year``, with outcomes.

    Returns
    -------
    pd.DataFrame
        ``id_jeune``, ``code_ml`` (the ML of the interviews), the profile
        columns :data:`PATTERN_COLUMNS` and one bool column per outcome of
        :data:`OUTCOMES`.
    """
    start, end = period_bounds(year)
    ev = wh.evenements
    # the definition in force, as for jeunes_accompagnes (indicators.accompaniment)
    mask = accompanied_mask(ev["type_evenement"]) & ev["date_evenement"].between(
        start, end
    ).to_numpy(dtype=bool, na_value=False)
    pairs = ev.loc[mask, ["id_jeune", "code_ml"]].drop_duplicates()
    pairs = pd.DataFrame(
        {
            "id_jeune": pairs["id_jeune"].astype("string").to_numpy(),
            "code_ml": pairs["code_ml"].astype("string").to_numpy(),
        }
    )
    profile = profile_frame(wh.jeunes)[["id_jeune", *PATTERN_COLUMNS]]
    out = pairs.merge(profile, on="id_jeune", how="inner")
    s = real_situations(wh.situations)
    s = s.loc[s["date_debut"].between(start, end)]
    cat = s["categorie"].astype("string")
    training = (cat == "formation").fillna(False)
    who = {
        "entrees_formation": s.loc[training, "id_jeune"],
        "entrees_formation_region": s.loc[
            training & (s["financeur"] == "region").fillna(False), "id_jeune"
        ],
        "entrees_alternance": s.loc[(cat == "alternance").fillna(False), "id_jeune"],
        "entrees_emploi": s.loc[(cat == "emploi").fillna(False), "id_jeune"],
    }
    for k, ids in who.items():
        out[k] = ids_in(out["id_jeune"], ids)
    return out


# ------------------------------------------------------------------ model
def _design(patterns: pd.DataFrame) -> pd.DataFrame:
    """Intercept + dummies (reference levels dropped) + binary columns."""
    cols = {"constante": np.ones(len(patterns))}
    for col, ref in _CATEGORICAL.items():
        values = patterns[col].astype("string").fillna("inconnu")
        for level in sorted(set(values)):
            if level != ref:
                cols[f"{col}[{level}]"] = (values == level).to_numpy(dtype=float)
    for col in _BINARY:
        cols[col] = patterns[col].to_numpy(dtype=float)
    x = pd.DataFrame(cols, index=patterns.index)
    keep = ["constante"] + [c for c in x.columns[1:] if x[c].nunique() > 1]
    return x[keep]


def _fit_expected(
    by_pattern: pd.DataFrame, outcome: str, *, max_iter: int
) -> tuple[np.ndarray, pd.DataFrame, str]:
    """Predicted probability per pattern, coefficient table, French message."""
    n = by_pattern["n"].to_numpy(dtype=float)
    k = by_pattern[outcome].to_numpy(dtype=float)
    crude = k.sum() / n.sum()
    label = OUTCOMES[outcome].lower()
    if k.sum() == 0 or k.sum() == n.sum():
        what = "aucune" if k.sum() == 0 else "uniquement des"
        return (
            np.full(len(n), crude),
            _empty_model(),
            f"{OUTCOMES[outcome]} : {what} entrée(s) dans l'année, pas de modèle ; "
            "attendus au taux régional brut.",
        )
    x = _design(by_pattern)
    endog = np.column_stack([k, n - k])
    notes = []
    try:
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            fit = sm.GLM(endog, x, family=sm.families.Binomial()).fit(maxiter=max_iter)
        params = np.asarray(fit.params, dtype=float)
        bse = np.asarray(fit.bse, dtype=float)
        p = np.asarray(fit.predict(x), dtype=float)
        separation = any(
            issubclass(w.category, PerfectSeparationWarning) for w in caught
        )
        no_conv = (
            not bool(getattr(fit, "converged", True))
            or any(issubclass(w.category, ConvergenceWarning) for w in caught)
            or not np.all(np.isfinite(p))
        )
    except (PerfectSeparationError, np.linalg.LinAlgError, ValueError) as exc:
        msg = (
            f"{OUTCOMES[outcome]} : le modèle logistique n'a pas pu être estimé "
            f"({exc}) ; attendus au taux régional brut, sans ajustement sur le profil."
        )
        return np.full(len(n), crude), _empty_model(), msg
    # separated cells push coefficients to +-infinity (|coef| huge, se huge)
    separation = separation or bool(np.any(np.abs(params[1:]) > 15))
    if no_conv:
        notes.append(
            f"{OUTCOMES[outcome]} : le modèle logistique n'a pas convergé en "
            f"{max_iter} itérations ; attendus au taux régional brut, sans "
            "ajustement sur le profil."
        )
        p = np.full(len(n), crude)
    elif separation:
        extreme = [t for t, b in zip(x.columns, params, strict=True) if abs(b) > 15]
        where = f" ({', '.join(extreme)})" if extreme else ""
        notes.append(
            f"{OUTCOMES[outcome]} : séparation parfaite{where} : un profil n'a "
            f"que des {label} ou aucune ; ses coefficients ne sont pas "
            "interprétables, les attendus restent calculés."
        )
    with np.errstate(all="ignore"):
        model = pd.DataFrame(
            {
                "terme": pd.array(list(x.columns), dtype="string"),
                "coef": params,
                "se": bse,
                "odds_ratio": np.exp(params),
                "p_valeur": np.asarray(fit.pvalues, dtype=float),
            }
        )
    return p, model, " ".join(notes)


# ------------------------------------------------------------------ funnel
def poisson_limit(expected, coverage: float, side: str) -> np.ndarray:
    """Funnel limit of O / E under O ~ Poisson(E), interpolated (Spiegelhalter).

    For the quantile ``q`` (``(1 - coverage) / 2`` or ``(1 + coverage) / 2``),
    ``r`` is the smallest count with ``F(r) >= q`` and the limit is
    ``(r - a) / E`` with ``a = (F(r) - q) / (F(r) - F(r - 1))``.

    Examples
    --------
    With E = 100 and q = 0.975: F(119) = 0.9718 < q <= F(120) = 0.9773, so
    r = 120, a = (0.9773 - 0.975) / (0.9773 - 0.9718) = 0.419 and the limit
    is (120 - 0.419) / 100 (the uninterpolated r / E would be 1.2):

    >>> [round(float(v), 3) for v in poisson_limit([100.0], 0.95, "haut")]
    [1.196]
    """
    e = np.asarray(expected, dtype=float)
    q = (1 - coverage) / 2 if side == "bas" else (1 + coverage) / 2
    with np.errstate(all="ignore"):
        r = stats.poisson.ppf(q, e)
        f_r = stats.poisson.cdf(r, e)
        f_r1 = stats.poisson.cdf(r - 1, e)
        a = np.where(f_r > f_r1, (f_r - q) / (f_r - f_r1), 0.0)
        limit = np.clip(r - a, 0, None) / e
    return np.where(e > 0, limit, np.nan)


def exact_ratio_interval(observed, expected) -> tuple[np.ndarray, np.ndarray]:
    """Exact 95 % interval of O / E: Garwood Poisson limits on O divided by E.

    Examples
    --------
    >>> lo, hi = exact_ratio_interval([10], [10.0])
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.48, 1.839)
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    with np.errstate(all="ignore"):
        lo = np.where(o > 0, stats.chi2.ppf(0.025, 2 * o) / 2, 0.0)
        hi = stats.chi2.ppf(0.975, 2 * o + 2) / 2
        ok = e > 0
        return np.where(ok, lo / e, np.nan), np.where(ok, hi / e, np.nan)


def overdispersion_factor(observed, expected) -> float:
    """Mean squared z-score ``(O - E) / sqrt(E)``, 10 % winsorised each side."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    ok = e > 0
    if ok.sum() < 3:
        return float("nan")
    z = (o[ok] - e[ok]) / np.sqrt(e[ok])
    lo, hi = np.quantile(z, [0.1, 0.9])
    return float(np.mean(np.clip(z, lo, hi) ** 2))


# ------------------------------------------------------------------ public
def compare_missions_locales(
    wh: Warehouse,
    year: int,
    *,
    outcomes: tuple[str, ...] | None = None,
    max_iter: int = 100,
    overdispersion: bool = False,
) -> AdjustedComparison:
    """Observed / expected entries of each ML, adjusted on the profile.

    Parameters
    ----------
    wh : observatoire.data.Warehouse
    year : int
        Calendar year of the accompaniment and of the entries.
    outcomes : tuple of str, optional
        Keys of :data:`OUTCOMES` (default: all four).
    max_iter : int
        Iterations allowed to the logistic fit (IRLS).
    overdispersion : bool
        Widen the funnel limits for overdispersion (Spiegelhalter 2005,
        multiplicative model): when the factor phi of an outcome is above 1,
        the limits become ``1 +- z sqrt(phi / E)`` (z = 1.96 and 3.09), so
        that only MLs that differ more than the MLs usually differ from one
        another stand out. Default False: limits under chance alone, as the
        issue asks; the factor is reported either way.

    Returns
    -------
    AdjustedComparison
        Never raises on an empty year, an ML without anyone accompanied, a
        perfect separation or a model that does not converge: the affected
        rows carry an ``avertissement`` and ``message`` / ``messages`` say
        what happened, in French.

    Examples
    --------
    >>> from pathlib import Path
    >>> from observatoire import data
    >>> wh = data.load(Path(__file__).parents[3] / "tests" / "fixtures" / "entrepot_mini")
    >>> res = compare_missions_locales(wh, 2023, outcomes=("entrees_emploi",))

    In the 12-person fixture, MLA accompanied in 2023 (national definition:
    interview, workshop or information session) J01, J02, J03, J04 and J07
    (interviews) and J11 (a workshop): 6; MLB J05 (interview) and J06 (an
    information session): 2 (J07's MLB interview is in 2022); MLC J08, J09,
    J10 and J12 (4).
    The jobs starting in 2023 are those of J01, J04 and J07, all accompanied
    at MLA:

    >>> print(res.table[["code_ml", "accompagnes", "observes"]].to_string(index=False))
    code_ml  accompagnes  observes
        MLA            6         3
        MLB            2         0
        MLC            4         0
    """
    year = int(year)
    keys = tuple(OUTCOMES) if outcomes is None else tuple(outcomes)
    unknown = [k for k in keys if k not in OUTCOMES]
    if unknown:
        raise ParamsError(
            f"unknown outcome(s) {', '.join(unknown)}; valid: {', '.join(OUTCOMES)}"
        )
    ml = wh.missions_locales[["code_ml", "nom_ml"]].astype("string")
    people = accompanied_outcomes(wh, year)
    if people.empty:
        msg = (
            f"Aucun jeune accompagné en {year} : pas de comparaison des Missions "
            "Locales."
        )
        logger.warning("adjusted comparison: nobody accompanied in %d", year)
        return AdjustedComparison(year=year, table=_empty_table(), message=msg)

    people = people.assign(
        **{c: people[c].astype("string").fillna("inconnu") for c in _CATEGORICAL}
    )
    cells = (
        people.groupby(["code_ml", *PATTERN_COLUMNS], observed=True, dropna=False)
        .agg(n=("id_jeune", "size"), **{k: (k, "sum") for k in keys})
        .reset_index()
    )
    by_pattern = (
        cells.groupby(list(PATTERN_COLUMNS), observed=True, dropna=False)[["n", *keys]]
        .sum()
        .reset_index()
    )
    tables, models, disp, messages = [], {}, {}, {}
    codes = sorted(set(ml["code_ml"].dropna()) | set(cells["code_ml"]))
    names = dict(zip(ml["code_ml"], ml["nom_ml"], strict=True))
    for k in keys:
        p, model, msg = _fit_expected(by_pattern, k, max_iter=max_iter)
        models[k], messages[k] = model, msg
        fitted = by_pattern[list(PATTERN_COLUMNS)].assign(_p=p)
        c = cells.merge(fitted, on=list(PATTERN_COLUMNS), how="left")
        c["_e"] = c["n"] * c["_p"]
        per_ml = c.groupby("code_ml", observed=True).agg(
            accompagnes=("n", "sum"), observes=(k, "sum"), attendus=("_e", "sum")
        )
        per_ml = per_ml.reindex(codes).reset_index()
        per_ml = per_ml.rename(columns={"index": "code_ml"})
        table_k = _ratio_table(per_ml, k, names)
        disp[k] = overdispersion_factor(table_k["observes"], table_k["attendus"])
        if overdispersion:
            table_k = _widen_limits(table_k, disp[k])
        tables.append(table_k)
    table = pd.concat(tables, ignore_index=True)[list(TABLE_COLUMNS)]
    general = [CAUTION]
    general += [m for m in messages.values() if m]
    logger.info(
        "adjusted comparison %d: %d accompanied pairs, %d MLs",
        year,
        len(people),
        len(codes),
    )
    return AdjustedComparison(
        year=year,
        table=table,
        models=models,
        overdispersion=disp,
        messages=messages,
        message=" ".join(general),
        limites="surdispersion" if overdispersion else "poisson",
    )


def _ratio_table(per_ml: pd.DataFrame, outcome: str, names: dict) -> pd.DataFrame:
    acc = per_ml["accompagnes"].fillna(0).astype("int64")
    obs = per_ml["observes"].fillna(0).astype("int64")
    exp = per_ml["attendus"].fillna(0.0).astype(float)
    e = exp.to_numpy()
    with np.errstate(all="ignore"):
        ratio = np.where(e > 0, obs.to_numpy() / e, np.nan)
    lo, hi = exact_ratio_interval(obs, e)
    out = pd.DataFrame(
        {
            "indicateur": pd.array([outcome] * len(per_ml), dtype="string"),
            "code_ml": pd.array(per_ml["code_ml"], dtype="string"),
            "nom_ml": pd.array(
                [names.get(c) for c in per_ml["code_ml"]], dtype="string"
            ),
            "accompagnes": acc.to_numpy(),
            "observes": obs.to_numpy(),
            "attendus": e,
            "ratio": ratio,
            "ratio_ic_bas": lo,
            "ratio_ic_haut": hi,
        }
    )
    for name, cov in LIMITS.items():
        out[f"limite_{name}_bas"] = poisson_limit(e, cov, "bas")
        out[f"limite_{name}_haut"] = poisson_limit(e, cov, "haut")
    return _flag(out)


def overdispersed_limit(expected, coverage: float, side: str, phi: float) -> np.ndarray:
    """Funnel limit of O / E widened for overdispersion: ``1 +- z sqrt(phi / E)``.

    Normal approximation of the multiplicative overdispersion model
    (Spiegelhalter, 2005); ``phi`` below 1 is taken as 1. The lower limit
    stops at 0.

    Examples
    --------
    >>> [round(float(v), 3) for v in overdispersed_limit([100.0], 0.95, "haut", 4.0)]
    [1.392]
    """
    e = np.asarray(expected, dtype=float)
    z = stats.norm.ppf((1 + coverage) / 2)
    with np.errstate(all="ignore"):
        half = z * np.sqrt(max(float(phi), 1.0) / e)
    limit = 1 - half if side == "bas" else 1 + half
    return np.where(e > 0, np.clip(limit, 0, None), np.nan)


def _widen_limits(table: pd.DataFrame, phi: float) -> pd.DataFrame:
    if not np.isfinite(phi):
        return table
    out = table.copy()
    e = out["attendus"].to_numpy(dtype=float)
    for name, cov in LIMITS.items():
        out[f"limite_{name}_bas"] = overdispersed_limit(e, cov, "bas", phi)
        out[f"limite_{name}_haut"] = overdispersed_limit(e, cov, "haut", phi)
    return _flag(out)


def _flag(out: pd.DataFrame) -> pd.DataFrame:
    """``hors_limites_*``, ``signal`` and ``avertissement`` from the limits."""
    ratio = out["ratio"].to_numpy(dtype=float)
    acc = out["accompagnes"].to_numpy()
    e = out["attendus"].to_numpy(dtype=float)
    for name in LIMITS:
        below = ratio < out[f"limite_{name}_bas"].to_numpy()
        above = ratio > out[f"limite_{name}_haut"].to_numpy()
        out[f"hors_limites_{name}"] = np.asarray(below | above, dtype=bool)
    signal = np.where(
        ratio > out["limite_998_haut"].to_numpy(),
        "au-dessus",
        np.where(ratio < out["limite_998_bas"].to_numpy(), "en dessous", ""),
    )
    out["signal"] = pd.array(signal, dtype="string")
    warn = np.where(
        acc == 0,
        "aucun jeune accompagné dans cette Mission Locale",
        np.where(
            e <= 0,
            "aucune entrée attendue : rapport non calculable",
            np.where(e < 5, "moins de 5 entrées attendues : rapport très instable", ""),
        ),
    )
    out["avertissement"] = pd.array(warn, dtype="string")
    return out


def _empty_table() -> pd.DataFrame:
    dtypes = dict.fromkeys(TABLE_COLUMNS, "float64")
    dtypes |= dict.fromkeys(
        ("indicateur", "code_ml", "nom_ml", "signal", "avertissement"), "string"
    )
    dtypes |= {"accompagnes": "int64", "observes": "int64"}
    dtypes |= {"hors_limites_95": "bool", "hors_limites_998": "bool"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in TABLE_COLUMNS})


def _empty_model() -> pd.DataFrame:
    return pd.DataFrame(
        {"terme": pd.Series(dtype="string")}
        | {c: pd.Series(dtype=float) for c in ("coef", "se", "odds_ratio", "p_valeur")}
    )
