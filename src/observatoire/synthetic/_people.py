"""Young people: first receptions by ML and month, and their profile at reception."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._calendar import Calendar, days_to_ymd, pick_weekday, ymd_to_days
from ._network import Network
from ._truth import COVARIATES

#: first receptions a year at scale 1 (the agreement: 37,600)
FIRST_RECEPTIONS_A_YEAR = 37_600
#: calendar-month profile of first receptions (autumn peak, August dip)
RECEPTION_SEASON = np.array(
    [1.0, 1.0, 1.05, 0.95, 0.9, 0.9, 0.85, 0.55, 1.35, 1.3, 1.1, 0.85]
)
RECEPTION_SEASON = RECEPTION_SEASON / RECEPTION_SEASON.mean()

#: age in whole years at first reception (agreement: 19 % minors, 57 % aged 18-21)
AGES = np.arange(16, 30)
AGE_PROBS = np.array(
    [
        0.078,
        0.114,
        0.160,
        0.160,
        0.140,
        0.113,
        0.074,
        0.058,
        0.045,
        0.033,
        0.012,
        0.008,
        0.004,
        0.002,
    ]
)
AGE_PROBS = AGE_PROBS / AGE_PROBS.sum()

#: share of young people who only ever come to collective sessions
SHARE_WORKSHOP_ONLY = 0.03
#: share who move and are then seen by another ML
SHARE_MOVERS = 0.02

NIVEAUX = ("aucun", "3", "4", "5", "6+")
#: P(no diploma) by age band (minor, 18-21, 22+), before the ML and QPV shifts
#: (agreement: 37 % of those received hold no diploma)
P_NO_DIPLOMA = (0.63, 0.325, 0.27)
#: distribution of the diploma among those holding one: 3, 4, 5, 6+
DIPLOMA_MIX = (
    (0.62, 0.38, 0.0, 0.0),
    (0.38, 0.44, 0.11, 0.07),
    (0.30, 0.38, 0.18, 0.14),
)


@dataclass(frozen=True)
class People:
    """One entry per young person, sorted by first reception day."""

    ml: np.ndarray  # int, ML number
    reception_day: np.ndarray  # int days
    reception_t: np.ndarray  # month index
    birth_day: np.ndarray
    age: np.ndarray  # whole years at first reception
    femme: np.ndarray
    diploma: np.ndarray  # index into NIVEAUX
    neet: np.ndarray
    france_travail: np.ndarray
    zrr: np.ndarray
    qpv: np.ndarray
    commune: np.ndarray  # index into commune_codes, -1 = missing
    commune_codes: np.ndarray
    workshop_only: np.ndarray  # only ever comes to collective sessions
    move_t: np.ndarray  # month of a move to another ML (large = never)
    ml_after_move: np.ndarray
    x: np.ndarray  # (n, len(COVARIATES)) 0/1 covariates of the hazards

    @property
    def n(self) -> int:
        return len(self.ml)

    def received_by(self, t: int) -> int:
        """Number of people received in months ``<= t`` (they come first)."""
        return int(np.searchsorted(self.reception_t, t, side="right"))


def draw_people(
    rng: np.random.Generator, net: Network, cal: Calendar, *, scale: float
) -> People:
    """First receptions from January of the first burn-in year to the extraction date."""
    per_month = FIRST_RECEPTIONS_A_YEAR * scale / 12.0
    mls, days, ts = [], [], []
    for t in range(cal.extraction_t + 1):
        hi = int(min(cal.month_end[t], cal.extraction_day))
        share = np.searchsorted(cal.weekdays[t], hi, side="right") / len(
            cal.weekdays[t]
        )
        lam = per_month * RECEPTION_SEASON[cal.cal_month[t] - 1] * share * net.weight
        counts = rng.poisson(lam)
        ml = np.repeat(np.arange(net.n), counts)
        day = pick_weekday(rng, cal, t, np.full(len(ml), cal.month_start[t]), hi)
        mls.append(ml)
        days.append(day)
        ts.append(np.full(len(ml), t))
    ml = np.concatenate(mls)
    day = np.concatenate(days)
    t = np.concatenate(ts)
    order = np.lexsort((ml, day))
    ml, day, t = ml[order], day[order], t[order]
    n = len(ml)

    age = rng.choice(AGES, size=n, p=AGE_PROBS)
    birth = _birth_days(rng, day, age)
    band = np.where(age < 18, 0, np.where(age < 22, 1, 2))
    femme = rng.random(n) < np.where(band == 0, 0.44, 0.49)

    zrr = rng.random(n) < net.zrr_share[ml]
    qpv = (
        rng.random(n) < net.qpv_share[ml] / np.maximum(1 - net.zrr_share[ml], 0.05)
    ) & ~zrr

    p0 = np.array(P_NO_DIPLOMA)[band]
    logit = np.log(p0 / (1 - p0)) + net.diploma_shift[ml] + 0.45 * qpv - 0.1 * zrr
    no_diploma = rng.random(n) < 1 / (1 + np.exp(-logit))
    cum = np.cumsum(np.array(DIPLOMA_MIX), axis=1)[band]
    level = 1 + (rng.random(n)[:, None] > cum[:, :-1]).sum(axis=1)
    diploma = np.where(no_diploma, 0, level).astype(np.int8)

    neet = rng.random(n) < 1 / (
        1 + np.exp(-(1.62 - 0.35 * (band == 0) + 0.2 * (band == 2)))
    )
    ft_logit = np.array([-1.75, 0.05, 0.95])[band] + 0.3 * neet - 0.08
    france_travail = rng.random(n) < 1 / (1 + np.exp(-ft_logit))

    commune, commune_codes = _communes(rng, net, ml, qpv)
    workshop_only = rng.random(n) < SHARE_WORKSHOP_ONLY
    mover = rng.random(n) < SHARE_MOVERS
    move_t = np.where(mover, t + rng.integers(2, 25, n), np.iinfo(np.int32).max)
    ml_after_move = net.neighbour[ml]

    cols = {
        "femme": femme,
        "mineur": age < 18,
        "age_22_plus": age >= 22,
        "diplome_aucun": diploma == 0,
        "diplome_bac_plus": diploma >= 3,
        "neet": neet,
        "inscrit_france_travail": france_travail,
        "zrr": zrr,
        "qpv": qpv,
    }
    x = np.column_stack([cols[c] for c in COVARIATES]).astype(np.float32)
    return People(
        ml=ml.astype(np.int16),
        reception_day=day,
        reception_t=t,
        birth_day=birth,
        age=age,
        femme=femme,
        diploma=diploma,
        neet=neet,
        france_travail=france_travail,
        zrr=zrr,
        qpv=qpv,
        commune=commune,
        commune_codes=commune_codes,
        workshop_only=workshop_only,
        move_t=move_t,
        ml_after_move=ml_after_move.astype(np.int16),
        x=x,
    )


def _birth_days(
    rng: np.random.Generator, day: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """A birth day giving exactly ``age`` whole years on ``day``."""
    y, m, d = days_to_ymd(day)
    latest = ymd_to_days(y - age, m, d)  # birthday on that very day
    earliest = ymd_to_days(y - age - 1, m, d) + 1  # one day short of age + 1
    return earliest + (rng.random(len(day)) * (latest - earliest + 1)).astype(np.int64)


def _communes(
    rng: np.random.Generator, net: Network, ml: np.ndarray, qpv: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Commune of residence: QPV residents in the ML's main towns, others spread."""
    codes = np.concatenate(net.communes)
    offset = np.concatenate([[0], np.cumsum([len(c) for c in net.communes])[:-1]])
    size = np.array([len(c) for c in net.communes])
    n = len(ml)
    # Zipf-like: rank r drawn with weight 1 / (r + 1)
    u = rng.random(n)
    rank = np.floor(np.exp(u * np.log(size[ml] + 1.0)) - 1).astype(np.int64)
    rank = np.where(qpv, np.minimum(rank, 1), np.minimum(rank, size[ml] - 1))
    commune = offset[ml] + rank
    commune[rng.random(n) < 0.02] = -1
    return commune, codes
