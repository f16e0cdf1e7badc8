"""The monthly situation model: who starts what, when, and for how long.

Every month, each young person still followed by their ML may start a job,
a work-study contract, a training, a civic service or a return to school, with
the discrete proportional hazards described in :class:`._truth.Truth`; an
immersion (short work placement) may come on top. A new situation ends the
running one. Follow-up ends with a drop-out, age 26, or sometimes a few months
after a durable job, a work-study contract or a return to school. The loop runs
over months, vectorised over the young people followed; contacts and aids of
the month are drawn in the same pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import (
    CATEGORIES_SITUATION,
    ETATS_SITUATION,
    FINANCEURS_FORMATION,
    SOUS_CATEGORIES,
)
from ._calendar import NO_DAY, Calendar, days_to_ymd, ymd_to_days
from ._contacts import ContactDrawer
from ._people import People
from ._schemes import AidDrawer, SchemePlan
from ._truth import (
    COVARIATES,
    MAX_MONTHS,
    OUTCOMES,
    PROFILE_EFFECTS,
    SEASONALITY,
    baseline_hazard,
)

# state / spell category codes (0 = no situation)
EMPLOI, ALTERNANCE, FORMATION, SERVICE_CIVIQUE, SCOLARITE, IMMERSION = range(1, 7)
CODE_OF = {"emploi": EMPLOI, "alternance": ALTERNANCE, "formation": FORMATION}
CATEGORY_NAME = {
    EMPLOI: "emploi",
    ALTERNANCE: "alternance",
    FORMATION: "formation",
    SERVICE_CIVIQUE: "service_civique",
    SCOLARITE: "scolarite",
    IMMERSION: "immersion",
}

#: entries other than the three outcomes of Truth: level, calendar factors, effects
OTHER_ENTRIES = {
    SERVICE_CIVIQUE: (
        0.0022,
        np.ones(12),
        {"diplome_bac_plus": 0.3, "mineur": -1.2, "age_22_plus": -0.2, "femme": 0.2},
    ),
    SCOLARITE: (
        0.0011,
        np.array([1.5, 0.5, 0.3, 0.3, 0.3, 0.5, 0.6, 1.0, 7.0, 1.5, 0.3, 0.3]),
        {"mineur": 1.5, "age_22_plus": -1.2, "diplome_aucun": 0.3},
    ),
}
#: monthly chance of an immersion for someone with no job, doubled in CEJ / GJ
IMMERSION_RATE = 0.009

#: monthly drop-out hazard by months since first reception (upper bounds, hazard);
#: a follow-up of about 18 months on average gives 2.45 young people accompanied
#: a year per first reception (agreement: 92,200 for 37,600)
DROPOUT_HAZARD = ((3, 0.017), (12, 0.019), (24, 0.026), (36, 0.037), (10_000, 0.051))
#: (probability, shortest, longest months later) of ending follow-up after an entry
EXIT_AFTER = {
    "durable": (0.50, 2, 7),
    "emploi": (0.08, 2, 7),
    ALTERNANCE: (0.40, 2, 9),
    FORMATION: (0.05, 3, 9),
    SERVICE_CIVIQUE: (0.20, 4, 9),
    SCOLARITE: (0.75, 1, 4),
}
#: chance that an entry starting after the extraction date is already recorded
PLANNED_AHEAD = {
    EMPLOI: 0.25,
    ALTERNANCE: 0.7,
    FORMATION: 0.7,
    SERVICE_CIVIQUE: 0.7,
    SCOLARITE: 0.5,
    IMMERSION: 0.5,
}
#: share of real trainings preceded by a planned one that never happened
STALE_PLANNED_TRAINING = 0.05

# sous_categorie codes: index in SOUS_CATEGORIES[categorie]
CDI, CDD, INTERIM, CONTRAT_AIDE, INDEPENDANT = range(5)
CDD_DAYS = np.array([30, 61, 91, 122, 152, 183, -1, 548])  # -1: 7 to 12 months
#: most CDDs signed by young people the MLs follow are short, but contracts of six
#: months or more (with the CDIs) make most job entries durable, as the
#: network's published ratios say
CDD_PROBS = np.array([0.08, 0.09, 0.14, 0.07, 0.06, 0.20, 0.24, 0.12])
FINANCEUR_PROBS = {  # by formation sous_categorie: region, etat, ft, opco, autre, inconnu
    0: (0.58, 0.07, 0.15, 0.10, 0.05, 0.05),
    1: (0.66, 0.10, 0.14, 0.0, 0.05, 0.05),
    2: (0.52, 0.10, 0.20, 0.0, 0.08, 0.10),
}


class SpellStore:
    """Growable arrays of situations; ``end`` can be shortened afterwards."""

    FIELDS = {
        "person": np.int64,
        "cat": np.int8,
        "sub": np.int8,
        "fin": np.int8,
        "start": np.int64,
        "planned": np.int64,  # true planned end (NO_DAY = open-ended)
        "planned_known": bool,  # whether date_fin_prevue is recorded
        "end": np.int64,  # actual end (NO_DAY = open-ended)
        "abandoned": bool,
    }

    def __init__(self, capacity: int):
        self.n = 0
        for name, dtype in self.FIELDS.items():
            setattr(self, name, np.empty(max(capacity, 16), dtype=dtype))

    def add(self, **cols: np.ndarray) -> np.ndarray:
        k = len(cols["person"])
        if self.n + k > len(self.person):
            cap = max(2 * len(self.person), self.n + k)
            for name in self.FIELDS:
                old = getattr(self, name)
                new = np.empty(cap, dtype=old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        for name, values in cols.items():
            getattr(self, name)[self.n : self.n + k] = values
        ids = np.arange(self.n, self.n + k)
        self.n += k
        return ids

    def view(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name)[: self.n] for name in self.FIELDS}


@dataclass(frozen=True)
class Paths:
    """Result of the monthly simulation."""

    spells: dict[str, np.ndarray]
    followup_end: np.ndarray  # per person: last day of follow-up (<= extraction)


def entry_rates(people: People, ml_effects: pd.DataFrame) -> dict[int, np.ndarray]:
    """Per person ``exp(beta'x + u_ml)`` for each kind of entry."""
    rates = {}
    for k in OUTCOMES:
        beta = np.array([PROFILE_EFFECTS[k][c] for c in COVARIATES])
        u = ml_effects[f"effet_{k}"].to_numpy()
        rates[CODE_OF[k]] = np.exp(people.x.astype(np.float64) @ beta + u[people.ml])
    for cat, (_, _, effects) in OTHER_ENTRIES.items():
        beta = np.array([effects.get(c, 0.0) for c in COVARIATES])
        rates[cat] = np.exp(people.x.astype(np.float64) @ beta)
    return rates


def simulate(
    rng: np.random.Generator,
    people: People,
    cal: Calendar,
    ml_effects: pd.DataFrame,
    plan: SchemePlan,
    contacts: ContactDrawer,
    aids: AidDrawer,
) -> Paths:
    """Run the monthly model over the whole calendar."""
    n = people.n
    rates = entry_rates(people, ml_effects)
    h0 = {CODE_OF[k]: baseline_hazard(k) for k in OUTCOMES}
    season = {CODE_OF[k]: SEASONALITY[k] for k in OUTCOMES}
    for cat, (level, s, _) in OTHER_ENTRIES.items():
        h0[cat] = np.full(MAX_MONTHS, level)
        season[cat] = s / s.mean()
    entry_order = (EMPLOI, ALTERNANCE, FORMATION, SERVICE_CIVIQUE, SCOLARITE)

    end_t = _followup_end_months(rng, people, cal)
    state = np.zeros(n, dtype=np.int8)
    state_end = np.full(n, NO_DAY, dtype=np.int64)
    state_spell = np.full(n, -1, dtype=np.int64)
    store = SpellStore(4 * n)

    for t in range(cal.n_months):
        n_t = people.received_by(t)
        if n_t == 0:
            continue
        idx = np.flatnonzero(end_t[:n_t] > t)
        m = np.minimum(t - people.reception_t[idx], MAX_MONTHS - 1)
        ms, me = int(cal.month_start[t]), int(cal.month_end[t])
        s_i = state[idx]
        done = (s_i != 0) & (state_end[idx] < ms)
        state[idx[done]] = 0
        s_i = np.where(done, 0, s_i)

        c = cal.cal_month[t] - 1
        u = rng.random((len(entry_order) + 1, len(idx)))
        taken = np.zeros(len(idx), dtype=bool)
        entries = []
        for j, cat in enumerate(entry_order):
            hazard = h0[cat][m] * season[cat][c] * rates[cat][idx]
            e = (u[j] < -np.expm1(-hazard)) & (s_i != cat) & ~taken
            taken |= e
            entries.append((cat, e))
        for cat, e in entries:
            if e.any():
                _start(
                    rng,
                    cat,
                    idx[e],
                    m[e],
                    t,
                    cal,
                    people,
                    state,
                    state_end,
                    state_spell,
                    end_t,
                    store,
                )
        intensive = (plan.intensive_start[idx] <= me) & (plan.intensive_end[idx] >= ms)
        free = ~taken & (state[idx] != EMPLOI) & (state[idx] != ALTERNANCE)
        imm = free & (u[-1] < IMMERSION_RATE * (1 + intensive))
        if imm.any():
            _immersion(rng, idx[imm], m[imm], t, cal, people, store)

        if t >= cal.window_t and ms <= cal.extraction_day:
            contacts.month(cal, t, idx, m, state[idx], intensive)
            aids.month(cal, t, idx, m)
        elif t < cal.window_t:
            aids.burn_in(cal, t, idx, m)

    last_t = np.minimum(end_t - 1, cal.n_months - 1)
    followup_end = np.minimum(cal.month_end[last_t], cal.extraction_day)
    return Paths(spells=store.view(), followup_end=followup_end)


def _followup_end_months(
    rng: np.random.Generator, people: People, cal: Calendar
) -> np.ndarray:
    """Month (exclusive) where follow-up ends, before any exit after an entry."""
    bounds = np.array([b for b, _ in DROPOUT_HAZARD])
    haz = np.array([h for _, h in DROPOUT_HAZARD])
    months = np.arange(MAX_MONTHS)
    cum = np.cumsum(haz[np.searchsorted(bounds, months, side="right")])
    # drop-out in month D (0 = month of first reception) when cum[D] passes an Exp(1)
    dropout = np.searchsorted(cum, rng.exponential(1.0, people.n), side="left")
    y, mo, d = days_to_ymd(people.birth_day)
    limit = np.where(people.age >= 26, 30, 26)
    age_out_t = cal.month_of(ymd_to_days(y + limit, mo, d))
    age_out_t = np.where(
        ymd_to_days(y + limit, mo, d) > cal.month_end[-1], cal.n_months, age_out_t
    )
    end_t = np.minimum(people.reception_t + dropout + 1, age_out_t)
    short = people.reception_t + 1 + rng.integers(0, 3, people.n)
    end_t = np.where(people.workshop_only, np.minimum(end_t, short), end_t)
    end_t = np.minimum(np.maximum(end_t, people.reception_t + 1), cal.n_months)
    return end_t.astype(np.int64)


def _start(
    rng, cat, j, m, t, cal, people, state, state_end, state_spell, end_t, store
) -> None:
    """Start situations of category ``cat`` for people ``j`` in month ``t``."""
    k = len(j)
    ms, me = int(cal.month_start[t]), int(cal.month_end[t])
    cur, cur_end = state[j], state_end[j]
    lo = np.where(m == 0, np.maximum(ms, people.reception_day[j]), ms)
    ended_here = (cur != 0) & (cur_end >= ms) & (cur_end <= me)
    lo = np.minimum(np.where(ended_here, np.maximum(lo, cur_end + 1), lo), me)
    start = lo + (rng.random(k) * (me - lo + 1)).astype(np.int64)

    sub, fin, planned_days, known, actual_days, abandoned, exit_p = _draw_spell(
        rng, cat, start, people.diploma[j]
    )
    planned = np.where(planned_days >= 0, start + planned_days, NO_DAY)
    end = np.where(actual_days >= 0, start + actual_days, NO_DAY)

    # the running situation stops the day before
    running = (cur != 0) & (cur_end >= start)
    if running.any():
        sp = state_spell[j[running]]
        new_end = start[running] - 1
        store.end[sp] = new_end
        pl = store.planned[sp]
        store.abandoned[sp] |= (pl != NO_DAY) & (new_end < pl - 15)

    ids = store.add(
        person=j,
        cat=np.full(k, cat, dtype=np.int8),
        sub=sub,
        fin=fin,
        start=start,
        planned=planned,
        planned_known=known,
        end=end,
        abandoned=abandoned,
    )
    state[j] = cat
    state_end[j] = end
    state_spell[j] = ids

    prob, lo_m, hi_m = exit_p
    leave = rng.random(k) < prob
    later = t + rng.integers(lo_m, hi_m + 1, k)
    end_t[j] = np.where(leave, np.minimum(end_t[j], later), end_t[j])


def _immersion(rng, j, m, t, cal, people, store) -> None:
    """Short work placements: recorded, but they do not change the state."""
    k = len(j)
    ms, me = int(cal.month_start[t]), int(cal.month_end[t])
    lo = np.where(m == 0, np.maximum(ms, people.reception_day[j]), ms)
    start = lo + (rng.random(k) * (me - lo + 1)).astype(np.int64)
    days = rng.integers(5, 21, k)
    store.add(
        person=j,
        cat=np.full(k, IMMERSION, dtype=np.int8),
        sub=np.full(k, -1, dtype=np.int8),
        fin=np.full(k, -1, dtype=np.int8),
        start=start,
        planned=start + days,
        planned_known=np.ones(k, dtype=bool),
        end=start + days,
        abandoned=np.zeros(k, dtype=bool),
    )


def _draw_spell(rng, cat, start, diploma):
    """Sub-category, financeur, planned and actual durations (days) of new spells.

    Durations of -1 mean open-ended. Returns ``exit_p``: the (probability,
    months) of leaving follow-up after such an entry (durable jobs: see
    ``EXIT_AFTER``).
    """
    k = len(start)
    u = rng.random((4, k))
    sub = np.full(k, -1, dtype=np.int8)
    fin = np.full(k, -1, dtype=np.int8)
    known = np.ones(k, dtype=bool)
    ab_p = np.zeros(k)
    if cat == EMPLOI:
        p_cdi = 0.22 + 0.08 * (diploma >= 3) - 0.04 * (diploma == 0)
        p_int = 0.20 + 0.05 * (diploma == 0)
        p_aid = 0.08 + 0.04 * (diploma == 0)
        cuts = np.column_stack(
            [p_cdi, p_cdi + p_int, p_cdi + p_int + p_aid, p_cdi + p_int + p_aid + 0.05]
        )
        code = (u[0][:, None] >= cuts).sum(
            axis=1
        )  # 0 cdi, 1 interim, 2 aide, 3 indep, 4 cdd
        sub = np.array([CDI, INTERIM, CONTRAT_AIDE, INDEPENDANT, CDD], dtype=np.int8)[
            code
        ]
        cdd_days = CDD_DAYS[rng.choice(len(CDD_DAYS), k, p=CDD_PROBS)]
        cdd_days = np.where(cdd_days < 0, rng.integers(213, 366, k), cdd_days)
        interim_days = np.clip(
            np.round(np.exp(rng.normal(np.log(25), 0.7, k))), 2, 180
        ).astype(np.int64)
        planned = np.select(
            [sub == CDD, sub == INTERIM, sub == CONTRAT_AIDE],
            [cdd_days, interim_days, rng.integers(183, 366, k)],
            -1,
        )
        known = (sub != INTERIM) | (u[1] < 0.6)
        ab_p = np.select(
            [sub == CDD, sub == INTERIM, sub == CONTRAT_AIDE], [0.10, 0.05, 0.12], 0.0
        )
        # open-ended jobs: some end anyway (trial period, business stopped)
        open_end = np.where(sub == CDI, u[2] < 0.25, u[2] < 0.35)
        open_days = np.where(
            sub == CDI, rng.integers(20, 400, k), rng.integers(90, 720, k)
        )
        actual = np.where(planned >= 0, planned, np.where(open_end, open_days, -1))
        abandoned = (planned < 0) & open_end & (sub == CDI) & (u[3] < 0.5)
        durable = (sub == CDI) | (sub == INDEPENDANT) | (planned >= 183)
        exit_p = _exit_mix(durable)
    elif cat == ALTERNANCE:
        sub = np.where(u[0] < 0.8, 0, 1).astype(np.int8)
        appr = rng.choice(np.array([365, 730, 1095]), k, p=[0.4, 0.5, 0.1])
        planned = np.where(sub == 0, appr, rng.integers(183, 366, k))
        ab_p = np.where(sub == 0, 0.25, 0.15)
        actual, abandoned = planned, np.zeros(k, dtype=bool)
        exit_p = EXIT_AFTER[ALTERNANCE]
    elif cat == FORMATION:
        sub = np.searchsorted(np.array([0.45, 0.80]), u[0], side="right").astype(
            np.int8
        )
        planned = np.select(
            [sub == 0, sub == 1],
            [rng.integers(120, 366, k), rng.integers(30, 151, k)],
            rng.integers(20, 91, k),
        )
        cum = np.cumsum(np.array([FINANCEUR_PROBS[s] for s in range(3)]), axis=1)[sub]
        fin = (u[1][:, None] >= cum[:, :-1]).sum(axis=1).astype(np.int8)
        ab_p = np.full(k, 0.14)
        actual, abandoned = planned, np.zeros(k, dtype=bool)
        exit_p = EXIT_AFTER[FORMATION]
    elif cat == SERVICE_CIVIQUE:
        planned = rng.integers(183, 301, k)
        ab_p = np.full(k, 0.15)
        actual, abandoned = planned, np.zeros(k, dtype=bool)
        exit_p = EXIT_AFTER[SERVICE_CIVIQUE]
    else:  # SCOLARITE: until the end of the school year
        y, mo, _ = days_to_ymd(start)
        june30 = ymd_to_days(y + (mo >= 7), np.full(k, 6), np.full(k, 30))
        planned = june30 - start
        ab_p = np.full(k, 0.2)
        actual, abandoned = planned, np.zeros(k, dtype=bool)
        exit_p = EXIT_AFTER[SCOLARITE]
    drop = (u[3] < ab_p) & (planned > 1)
    early = np.maximum(1, (rng.uniform(0.05, 0.8, k) * planned).astype(np.int64))
    actual = np.where(drop, early, actual)
    abandoned = abandoned | drop
    return (
        sub,
        fin,
        planned.astype(np.int64),
        known,
        actual.astype(np.int64),
        abandoned,
        exit_p,
    )


def _exit_mix(durable: np.ndarray) -> tuple[np.ndarray, int, int]:
    p_d, lo, hi = EXIT_AFTER["durable"]
    p_o, _, _ = EXIT_AFTER["emploi"]
    return np.where(durable, p_d, p_o), lo, hi


# ---------------------------------------------------------------- recording
def situation_rows(
    rng: np.random.Generator, paths: Paths, people: People, cal: Calendar
) -> dict[str, np.ndarray]:
    """Situations as the MLs recorded them, with ``etat`` and the known dates.

    Entries after the extraction date are kept, as ``prevue``, only sometimes;
    a situation still running when follow-up stopped stays ``en_cours`` without
    an end, or is closed at its planned end; some trainings are preceded by a
    planned one that never took place (``prevue`` with a past date).
    """
    sp = paths.spells
    x_day = cal.extraction_day
    cat, start, end = sp["cat"], sp["start"], sp["end"]
    planned_rec = np.where(sp["planned_known"], sp["planned"], NO_DAY)
    fu = paths.followup_end[sp["person"]]
    u = rng.random((3, len(cat)))

    future = start > x_day
    p_ahead = np.zeros(7)
    for c, p in PLANNED_AHEAD.items():
        p_ahead[c] = p
    keep = ~future | (u[0] < p_ahead[cat])

    etat = np.full(len(cat), ETATS_SITUATION.index("en_cours"), dtype=np.int8)
    date_fin = np.full(len(cat), NO_DAY, dtype=np.int64)
    known_end = ~future & (end <= x_day) & (end <= fu + 31)
    etat[known_end] = np.where(sp["abandoned"][known_end], 3, 2)
    date_fin[known_end] = end[known_end]
    lost = ~future & ~known_end & ~((end > x_day) & (fu >= x_day - 45))
    closed = lost & (planned_rec != NO_DAY) & (planned_rec <= x_day) & (u[1] < 0.5)
    etat[closed] = ETATS_SITUATION.index("terminee")
    date_fin[closed] = planned_rec[closed]
    etat[future] = ETATS_SITUATION.index("prevue")

    rows = {
        "person": sp["person"][keep],
        "cat": cat[keep],
        "sub": sp["sub"][keep],
        "fin": sp["fin"][keep],
        "start": start[keep],
        "planned": planned_rec[keep],
        "end": date_fin[keep],
        "etat": etat[keep],
    }
    # planned trainings that never took place
    stale = keep & ~future & (cat == FORMATION) & (u[2] < STALE_PLANNED_TRAINING)
    k = int(stale.sum())
    if k:
        person = sp["person"][stale]
        s = np.maximum(
            start[stale] - rng.integers(20, 91, k), people.reception_day[person]
        )
        sub = rng.integers(0, 3, k).astype(np.int8)
        cum = np.cumsum(np.array([FINANCEUR_PROBS[i] for i in range(3)]), axis=1)[sub]
        fin = (rng.random(k)[:, None] >= cum[:, :-1]).sum(axis=1).astype(np.int8)
        extra = {
            "person": person,
            "cat": np.full(k, FORMATION, dtype=np.int8),
            "sub": sub,
            "fin": fin,
            "start": s,
            "planned": s + rng.integers(60, 200, k),
            "end": np.full(k, NO_DAY, dtype=np.int64),
            "etat": np.full(k, ETATS_SITUATION.index("prevue"), dtype=np.int8),
        }
        rows = {c: np.concatenate([rows[c], extra[c]]) for c in rows}
    return rows


def category_codes() -> np.ndarray:
    """Map spell category code -> index in ``CATEGORIES_SITUATION``."""
    out = np.full(7, -1, dtype=np.int32)
    for code, name in CATEGORY_NAME.items():
        out[code] = CATEGORIES_SITUATION.index(name)
    return out


def sub_category_values() -> tuple[np.ndarray, tuple[str, ...]]:
    """Flat list of sous_categorie values and, per category code, its offset."""
    values: list[str] = []
    offset = np.full(7, -1, dtype=np.int32)
    for code, name in CATEGORY_NAME.items():
        if name in SOUS_CATEGORIES:
            offset[code] = len(values)
            values.extend(SOUS_CATEGORIES[name])
    return offset, tuple(values)


FINANCEURS = FINANCEURS_FORMATION
