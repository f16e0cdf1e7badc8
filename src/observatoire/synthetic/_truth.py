"""The effects the generator injects, computed from the seed alone.

Random streams: ``np.random.SeedSequence(seed).spawn(N_STREAMS)``, one stream per
part of the generator (index constants below), so the ML effects depend on the
seed only, never on the scale, the years or the other draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._network import ml_codes, ml_sizes

STREAM_ML_EFFECTS = 0
STREAM_NETWORK = 1
STREAM_PEOPLE = 2
STREAM_PATHS = 3
STREAM_CONTACTS = 4
STREAM_SCHEMES = 5
STREAM_ANIMATIONS = 6
N_STREAMS = 8

#: the outcomes whose entry hazards carry profile and ML effects
OUTCOMES = ("emploi", "formation", "alternance")

#: covariate -> how it is computed from ``jeunes`` (age in whole years on
#: ``date_premier_accueil``)
COVARIATES: dict[str, str] = {
    "femme": "sexe == 'F'",
    "mineur": "age at first reception < 18",
    "age_22_plus": "age at first reception >= 22",
    "diplome_aucun": "niveau_diplome == 'aucun'",
    "diplome_bac_plus": "niveau_diplome in ('5', '6+')",
    "neet": "neet",
    "inscrit_france_travail": "inscrit_france_travail",
    "zrr": "zrr",
    "qpv": "qpv",
}

#: log-hazard of each covariate (0/1) for each outcome
PROFILE_EFFECTS: dict[str, dict[str, float]] = {
    "emploi": {
        "femme": -0.10,
        "mineur": -0.45,
        "age_22_plus": 0.15,
        "diplome_aucun": -0.40,
        "diplome_bac_plus": 0.25,
        "neet": -0.20,
        "inscrit_france_travail": 0.10,
        "zrr": -0.10,
        "qpv": -0.30,
    },
    "formation": {
        "femme": 0.05,
        "mineur": -0.20,
        "age_22_plus": -0.10,
        "diplome_aucun": 0.20,
        "diplome_bac_plus": -0.35,
        "neet": 0.25,
        "inscrit_france_travail": 0.20,
        "zrr": -0.20,
        "qpv": -0.05,
    },
    "alternance": {
        "femme": -0.35,
        "mineur": 0.35,
        "age_22_plus": -0.45,
        "diplome_aucun": -0.15,
        "diplome_bac_plus": 0.10,
        "neet": 0.0,
        "inscrit_france_travail": -0.10,
        "zrr": 0.05,
        "qpv": -0.25,
    },
}

#: baseline monthly hazard h0(m) = level * (1 + peak * exp(-m / decay)); the
#: formation level gives 12,000 to 14,000 entries a year at scale 1 (agreement:
#: more than 12,000)
_BASELINE = {
    # outcome: (level, early peak multiplier, decay in months)
    "emploi": (0.060, 0.55, 5.0),
    "formation": (0.0125, 0.60, 6.0),
    "alternance": (0.0090, 0.35, 6.0),
}

#: calendar seasonality s(c), c = 1..12 (mean 1); emploi has none, so time to
#: employment is exactly proportional hazards in the profile
SEASONALITY: dict[str, np.ndarray] = {
    "emploi": np.ones(12),
    "formation": np.array(
        [1.2, 1.1, 1.1, 0.9, 0.8, 0.7, 0.5, 0.35, 2.45, 1.6, 1.1, 0.6]
    ),
    "alternance": np.array(
        [0.7, 0.6, 0.6, 0.6, 0.6, 0.7, 0.9, 1.4, 2.9, 1.8, 0.9, 0.6]
    ),
}
for _k, _v in SEASONALITY.items():
    SEASONALITY[_k] = _v / _v.mean()

#: standard deviation of the ML log-hazard shifts (ordinary MLs)
ML_EFFECT_SD = {"emploi": 0.15, "formation": 0.22, "alternance": 0.22}
#: share of the ML effects' variance common to the three outcomes
ML_EFFECT_COMMON = 0.3
#: number of MLs injected as outliers and the size of their shift
N_ABERRANT = 4
ABERRANT_SHIFT = (0.55, 0.65)

MAX_MONTHS = 240


def baseline_hazard(outcome: str, months: np.ndarray | None = None) -> np.ndarray:
    """h0(m) for m = months since first reception (0 = month of first reception)."""
    m = np.arange(MAX_MONTHS) if months is None else np.asarray(months)
    level, peak, decay = _BASELINE[outcome]
    return level * (1.0 + peak * np.exp(-m / decay))


def streams(seed: int) -> list[np.random.SeedSequence]:
    """The generator's independent random streams for ``seed``."""
    return np.random.SeedSequence(seed).spawn(N_STREAMS)


def draw_ml_effects(seed: int) -> pd.DataFrame:
    """ML log-hazard shifts from their own stream (see :class:`Truth`)."""
    rng = np.random.default_rng(streams(seed)[STREAM_ML_EFFECTS])
    codes = ml_codes()
    n = len(codes)
    common = rng.standard_normal(n)
    effects = {}
    for k in OUTCOMES:
        own = rng.standard_normal(n)
        z = np.sqrt(ML_EFFECT_COMMON) * common + np.sqrt(1 - ML_EFFECT_COMMON) * own
        effects[k] = ML_EFFECT_SD[k] * z
    # outliers: medium or large MLs, shifted by about +-0.6 on all three outcomes
    # (clear of the widened funnel limits once the generator was recalibrated
    # in issue #17: at +-0.5 one of them fell inside)
    size = ml_sizes()
    candidates = np.flatnonzero(size >= np.median(size))
    aberrant = rng.choice(candidates, N_ABERRANT, replace=False)
    signs = rng.permutation(np.resize([1.0, -1.0], N_ABERRANT))
    for k in OUTCOMES:
        effects[k][aberrant] = signs * rng.uniform(*ABERRANT_SHIFT, N_ABERRANT)
    flag = np.zeros(n, dtype=bool)
    flag[aberrant] = True
    return pd.DataFrame(
        {
            "code_ml": pd.array(codes, dtype="string"),
            "effet_emploi": effects["emploi"],
            "effet_formation": effects["formation"],
            "effet_alternance": effects["alternance"],
            "aberrant": flag,
        }
    )


@dataclass(frozen=True)
class Truth:
    """What the synthetic generator injected, for checking analyses against it.

    For each outcome ``k`` in ``emploi``, ``formation``, ``alternance`` a young
    person ``i`` of Mission Locale ``ml`` (``jeunes.code_ml``), still followed by
    the ML and not currently in a ``k`` situation, starts a ``k`` situation in
    month ``m`` (months since ``date_premier_accueil``, 0 = its month) with
    probability (complementary log-log, i.e. discrete proportional hazards)::

        1 - exp(-h0_k(m) * s_k(c) * exp(sum_j beta_kj * x_ij + u_k,ml))

    where ``x_ij`` are the 0/1 covariates of :attr:`covariates` (fixed at first
    reception), ``beta_kj = profile_effects[k][j]``, ``u_k,ml`` the column
    ``effet_<k>`` of :attr:`ml_effects`, ``h0_k(m)`` the column ``k`` of
    :attr:`baseline` and ``s_k(c)`` the calendar-month factor of
    :attr:`seasonality` (all 1 for ``emploi``; September peaks for the others).
    The hazard does not depend on the current situation (being in training does
    not change the chance of starting a job), so for ``emploi`` the time from
    first reception to the first employment is exactly proportional hazards in
    ``x`` with shift ``u_ml``. When an employment and another entry fall in the
    same month, the employment is kept and the other is not recorded; a new
    situation ends the running one (``abandonnee`` if before its planned end).

    Follow-up (the months where entries are recorded and contacts happen) ends
    at the earliest of: a drop-out drawn independently of the profile and of
    the entry processes, age 26 (30 for the few received at 26 or more), the
    extraction date, and a possible exit a few months after a durable job, a
    work-study contract or a return to school. For an exact proportional
    hazards check, censor each young person at their last contact.
    Only situations with ``etat != 'prevue'`` are real entries.

    Attributes
    ----------
    seed, scale, years : the generator arguments.
    ml_effects : pd.DataFrame
        ``code_ml``, ``effet_emploi``, ``effet_formation``, ``effet_alternance``
        (log-hazard shifts ``u``), ``aberrant`` (True for the MLs injected as
        outliers, shifted by about +-0.6 on all three outcomes).
    profile_effects : dict
        outcome -> {covariate: log-hazard ``beta``}.
    covariates : dict
        covariate -> its definition from ``jeunes`` columns.
    baseline : pd.DataFrame
        ``mois`` (m = 0, 1, ...) and one column per outcome: ``h0_k(m)``.
    seasonality : pd.DataFrame
        ``mois_calendaire`` (1..12) and one column per outcome: ``s_k(c)``.
    """

    seed: int
    scale: float
    years: tuple[int, int]
    ml_effects: pd.DataFrame
    profile_effects: dict[str, dict[str, float]]
    covariates: dict[str, str] = field(default_factory=lambda: dict(COVARIATES))
    baseline: pd.DataFrame = field(default_factory=pd.DataFrame)
    seasonality: pd.DataFrame = field(default_factory=pd.DataFrame)

    def hazard_ratio(self, outcome: str, covariate: str) -> float:
        """``exp(beta)`` of a covariate for an outcome."""
        return float(np.exp(self.profile_effects[outcome][covariate]))


def truth(
    *, seed: int = 2024, scale: float = 1.0, years: tuple[int, int] = (2022, 2024)
) -> Truth:
    """The effects :func:`generate` injects for these arguments, without generating.

    Parameters
    ----------
    seed, scale, years
        As given to :func:`observatoire.synthetic.generate`; the effects depend
        on ``seed`` only.

    Returns
    -------
    Truth
        See :class:`Truth` for how each effect enters the model.

    Examples
    --------
    >>> t = truth(seed=1)
    >>> len(t.ml_effects), int(t.ml_effects["aberrant"].sum())
    (43, 4)
    >>> round(t.hazard_ratio("emploi", "qpv"), 2)
    0.74
    """
    months = np.arange(MAX_MONTHS)
    baseline = pd.DataFrame(
        {"mois": months} | {k: baseline_hazard(k, months) for k in OUTCOMES}
    )
    seasonality = pd.DataFrame(
        {"mois_calendaire": np.arange(1, 13)}
        | {k: SEASONALITY[k].copy() for k in OUTCOMES}
    )
    return Truth(
        seed=seed,
        scale=float(scale),
        years=(int(years[0]), int(years[1])),
        ml_effects=draw_ml_effects(seed),
        profile_effects={k: dict(v) for k, v in PROFILE_EFFECTS.items()},
        baseline=baseline,
        seasonality=seasonality,
    )
