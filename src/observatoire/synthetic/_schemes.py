"""Support schemes (dispositifs) and aids (aides).

Schemes are planned at first reception, before the monthly simulation, because
the intensive ones (CEJ, and the Garantie jeunes before it) raise the contact
intensity; they are cut at the end of follow-up afterwards. Aids are drawn month
by month for the young people still followed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import DISPOSITIFS, FINANCEURS_AIDE, TYPES_AIDE
from ._calendar import NO_DAY, Calendar, category_column, date_column, pick_weekday
from ._people import People

#: the Contrat d'engagement jeune replaced the Garantie jeunes on 1 March 2022
CEJ_FIRST_DAY = int(np.datetime64("2022-03-01", "D").astype(np.int64))
#: the PACEA exists since 1 January 2017 (young people received before, and
#: still followed then, enter it from that day)
PACEA_FIRST_DAY = int(np.datetime64("2017-01-01", "D").astype(np.int64))

PACEA, CEJ, GJ, PPAE, AUTRE = (DISPOSITIFS.index(d) for d in DISPOSITIFS)
#: share of those received who enter a PACEA (within 45 days)
PACEA_SHARE = 0.80

#: type -> (monthly rate per young person followed, financeur probabilities
#: region/etat/autre, amount range in euros); permis B: 5,500 to 6,000 a year at
#: scale 1 (agreement), at most one per young person
AIDS: dict[str, tuple[float, tuple[float, float, float], tuple[float, float]]] = {
    "permis_b": (0.0070, (0.88, 0.08, 0.04), (600.0, 1200.0)),
    "sante": (0.0040, (0.40, 0.20, 0.40), (20.0, 300.0)),
    "numerique": (0.0045, (0.60, 0.20, 0.20), (50.0, 400.0)),
    "mobilite_internationale": (0.0007, (0.80, 0.0, 0.20), (200.0, 1500.0)),
    "logement": (0.0040, (0.30, 0.30, 0.40), (100.0, 600.0)),
    "aide_alimentaire": (0.0090, (0.70, 0.0, 0.30), (20.0, 150.0)),
    "allocation": (0.0200, (0.0, 1.0, 0.0), (100.0, 500.0)),  # PACEA punctual
    "autre": (0.0040, (0.20, 0.30, 0.50), (30.0, 500.0)),
}
AID_CODE = {t: TYPES_AIDE.index(t) for t in TYPES_AIDE}


@dataclass
class SchemePlan:
    """Scheme rows planned at reception, and per-person intensive period."""

    person: np.ndarray
    dispositif: np.ndarray
    start: np.ndarray
    planned_end: np.ndarray  # NO_DAY = open-ended
    intensive_start: np.ndarray  # per person: CEJ or GJ period, NO_DAY if none
    intensive_end: np.ndarray
    pacea_start: np.ndarray
    pacea_end: np.ndarray
    allowance: np.ndarray  # per person: monthly allowance while intensive, 0 = none


def plan_schemes(rng: np.random.Generator, people: People) -> SchemePlan:
    """Draw each young person's schemes from their first reception."""
    n = people.n
    rday = people.reception_day
    rows_p, rows_d, rows_s, rows_e = [], [], [], []

    def add(mask, code, start, end):
        rows_p.append(np.flatnonzero(mask))
        rows_d.append(np.full(int(mask.sum()), code))
        rows_s.append(start[mask])
        rows_e.append(end[mask])

    u = rng.random((8, n))
    # Garantie jeunes, then CEJ (a GJ starting on or after 1 March 2022 becomes a CEJ)
    start_gj = rday + (u[0] * 60).astype(np.int64)
    gj = (u[1] < 0.22) & (start_gj < CEJ_FIRST_DAY)
    gj_len = 365 + np.where(u[2] < 0.2, (u[3] * 150).astype(np.int64) + 30, 0)
    start_cej = np.maximum(rday + (u[0] * 75).astype(np.int64), CEJ_FIRST_DAY)
    new_cej = (u[1] < 0.38) & (rday + 75 >= CEJ_FIRST_DAY) & ~gj
    late_cej = (
        (u[1] >= 0.9) & (u[1] < 0.98) & (rday < CEJ_FIRST_DAY - 75) & ~gj & ~new_cej
    )  # already followed, switched to a CEJ during 2022
    start_late = np.maximum(CEJ_FIRST_DAY + (u[4] * 300).astype(np.int64), rday + 60)
    start_cej = np.where(late_cej, start_late, start_cej)
    cej = new_cej | late_cej
    cej_len = np.where(
        u[5] < 0.15,
        365 + (u[3] * 183).astype(np.int64),
        180 + (u[3] * 185).astype(np.int64),
    )
    add(gj, GJ, start_gj, start_gj + gj_len)
    add(cej, CEJ, start_cej, start_cej + cej_len)

    intensive_start = np.where(gj, start_gj, np.where(cej, start_cej, NO_DAY)).astype(
        np.int64
    )
    intensive_end = np.where(
        gj, start_gj + gj_len, np.where(cej, start_cej + cej_len, NO_DAY)
    )
    level = np.where(rng.random(n) < 0.7, 1.0, rng.uniform(0.3, 0.9, n))
    monthly = np.where(people.age < 18, 317.0, 528.0) * level
    allowance = np.where((gj | cej) & (rng.random(n) < 0.62), np.round(monthly, 2), 0.0)

    # PACEA entries are about a third of the young people accompanied in a
    # year (network ratio): most of those received sign one
    pacea = u[6] < PACEA_SHARE
    start_pacea = np.maximum(rday + (u[7] * 45).astype(np.int64), PACEA_FIRST_DAY)
    add(pacea, PACEA, start_pacea, start_pacea + 730)

    v = rng.random((4, n))
    ppae = people.france_travail & (v[0] < 0.35)
    start_ppae = rday + (v[1] * 30).astype(np.int64)
    add(ppae, PPAE, start_ppae, np.full(n, NO_DAY, dtype=np.int64))
    autre = v[2] < 0.04
    start_autre = rday + (v[3] * 200).astype(np.int64)
    add(autre, AUTRE, start_autre, start_autre + 30 + (v[1] * 335).astype(np.int64))

    order = np.lexsort((np.concatenate(rows_d), np.concatenate(rows_p)))
    return SchemePlan(
        person=np.concatenate(rows_p)[order],
        dispositif=np.concatenate(rows_d)[order],
        start=np.concatenate(rows_s)[order],
        planned_end=np.concatenate(rows_e)[order],
        intensive_start=intensive_start,
        intensive_end=intensive_end.astype(np.int64),
        pacea_start=np.where(pacea, start_pacea, NO_DAY).astype(np.int64),
        pacea_end=np.where(pacea, start_pacea + 730, NO_DAY).astype(np.int64),
        allowance=allowance,
    )


def scheme_rows(
    rng: np.random.Generator, plan: SchemePlan, followup_end: np.ndarray, cal: Calendar
) -> dict[str, np.ndarray]:
    """Schemes as recorded: none starting after follow-up, ended by its end.

    ``followup_end`` is each young person's last day of follow-up.
    """
    x_day = cal.extraction_day
    fu = followup_end[plan.person]
    keep = (plan.start <= fu) & (plan.start <= x_day)
    person, disp = plan.person[keep], plan.dispositif[keep]
    start, planned, fu = plan.start[keep], plan.planned_end[keep], fu[keep]
    end = np.minimum(planned, fu)
    # open-ended schemes (PPAE) are closed only sometimes when follow-up stops
    open_ended = planned == NO_DAY
    closed = open_ended & (fu < x_day - 60) & (rng.random(len(person)) < 0.5)
    end = np.where(open_ended & ~closed, NO_DAY, end)
    end = np.where(end > x_day, NO_DAY, end)
    return {"person": person, "dispositif": disp, "start": start, "end": end}


def dispositifs_frame(rows: dict[str, np.ndarray], person_ids) -> pd.DataFrame:
    """The ``dispositifs`` table from recorded rows and the new person ids."""
    return pd.DataFrame(
        {
            "id_jeune": person_ids,
            "dispositif": category_column(rows["dispositif"], DISPOSITIFS),
            "date_debut": date_column(rows["start"]),
            "date_fin": date_column(rows["end"]),
        }
    )


class AidDrawer:
    """Aids drawn month by month for the young people followed in the window."""

    def __init__(self, rng: np.random.Generator, people: People, plan: SchemePlan):
        self.rng = rng
        self.people = people
        self.plan = plan
        self.has_permis = np.zeros(people.n, dtype=bool)
        self.chunks: list[tuple[np.ndarray, ...]] = []

    def _permis_factor(
        self, idx: np.ndarray, age_now: np.ndarray, intensive: np.ndarray
    ) -> np.ndarray:
        """Multiplier of the permis B rate: from 17.5, more in ZRR and CEJ / GJ, once."""
        zrr = self.people.zrr[idx]
        mult = (age_now >= 17.5) * (1.0 + 0.9 * zrr) * (1.0 + 0.4 * intensive)
        return mult * ~self.has_permis[idx]

    def burn_in(self, cal: Calendar, t: int, idx: np.ndarray, m: np.ndarray) -> None:
        """A month before the window: only mark who got a permis B aid (not recorded).

        Without it, young people received during the burn-in would all still be
        eligible on 1 January of the first year, and that year would have too many.
        """
        ms, me = int(cal.month_start[t]), int(cal.month_end[t])
        plan = self.plan
        intensive = (plan.intensive_start[idx] <= me) & (plan.intensive_end[idx] >= ms)
        age_now = self.people.age[idx] + m / 12.0
        rate = AIDS["permis_b"][0]
        hit = self.rng.random(len(idx)) < rate * self._permis_factor(
            idx, age_now, intensive
        )
        self.has_permis[idx[hit]] = True

    def month(self, cal: Calendar, t: int, idx: np.ndarray, m: np.ndarray) -> None:
        """Draw the aids of month ``t`` for followed people ``idx`` (``m`` months in)."""
        rng, pp, plan = self.rng, self.people, self.plan
        ms, me = int(cal.month_start[t]), int(cal.month_end[t])
        hi = min(me, cal.extraction_day)
        # the month of the extraction is cut short: draw only its share of aids
        cover = (hi - ms + 1) / (me - ms + 1)
        age_now = pp.age[idx] + m / 12.0
        intensive = (plan.intensive_start[idx] <= me) & (plan.intensive_end[idx] >= ms)
        pacea = (plan.pacea_start[idx] <= me) & (plan.pacea_end[idx] >= ms)
        qpv, neet = pp.qpv[idx], pp.neet[idx]
        u = rng.random((len(AIDS), len(idx)))
        persons, types = [], []
        for j, (name, (rate, _, _)) in enumerate(AIDS.items()):
            mult = np.ones(len(idx))
            if name == "permis_b":
                mult = self._permis_factor(idx, age_now, intensive)
            elif name in ("mobilite_internationale", "logement"):
                mult = (age_now >= 18) * 1.0
            elif name == "aide_alimentaire":
                mult = (1.0 + 0.5 * qpv) * (1.0 + 0.3 * neet) * (1.0 + 0.5 * intensive)
            elif name == "numerique":
                mult = 1.0 + 0.5 * intensive
            elif name == "allocation":
                mult = pacea & ~intensive
            hit = u[j] < rate * mult * cover
            persons.append(idx[hit])
            types.append(np.full(int(hit.sum()), AID_CODE[name]))
            if name == "permis_b":
                self.has_permis[idx[hit]] = True
        # the CEJ / GJ monthly allowance
        paid = intensive & (plan.allowance[idx] > 0)
        if cover < 1:
            paid &= rng.random(len(idx)) < cover
        persons.append(idx[paid])
        types.append(np.full(int(paid.sum()), -1))
        person = np.concatenate(persons)
        typ = np.concatenate(types)
        if len(person) == 0:
            return
        lo = np.maximum(ms, pp.reception_day[person])
        day = pick_weekday(rng, cal, t, lo, hi)
        ok = day >= 0
        person, typ, day = person[ok], typ[ok], day[ok]
        fin = np.empty(len(person), dtype=np.int8)
        amount = np.empty(len(person))
        uf, ua = rng.random(len(person)), rng.random(len(person))
        monthly = typ == -1
        for name, (_, probs, (lo_eur, hi_eur)) in AIDS.items():
            sel = typ == AID_CODE[name]
            cum = np.cumsum(probs)
            fin[sel] = np.searchsorted(cum, uf[sel] * cum[-1], side="right")
            raw = lo_eur + ua[sel] * (hi_eur - lo_eur)
            amount[sel] = (
                np.round(raw / 10) * 10 if name == "permis_b" else np.round(raw, 2)
            )
        fin[monthly] = FINANCEURS_AIDE.index("etat")
        amount[monthly] = plan.allowance[person[monthly]]
        typ = np.where(monthly, AID_CODE["allocation"], typ)
        amount[rng.random(len(person)) < 0.03] = np.nan
        self.chunks.append((person, typ.astype(np.int8), fin, amount, day))

    def rows(self) -> dict[str, np.ndarray]:
        """All aids drawn so far, as arrays."""
        if not self.chunks:
            empty = np.array([], dtype=np.int64)
            return {
                "person": empty,
                "type": empty,
                "financeur": empty,
                "amount": empty.astype(float),
                "day": empty,
            }
        cols = list(zip(*self.chunks, strict=True))
        return {
            "person": np.concatenate(cols[0]),
            "type": np.concatenate(cols[1]),
            "financeur": np.concatenate(cols[2]),
            "amount": np.concatenate(cols[3]),
            "day": np.concatenate(cols[4]),
        }


def aides_frame(rows: dict[str, np.ndarray], aid_ids, person_ids) -> pd.DataFrame:
    """The ``aides`` table from drawn rows (already ordered) and the new ids."""
    return pd.DataFrame(
        {
            "id_aide": aid_ids,
            "id_jeune": person_ids,
            "type_aide": category_column(rows["type"], TYPES_AIDE),
            "financeur": category_column(rows["financeur"], FINANCEURS_AIDE),
            "montant_eur": rows["amount"].astype("float64"),
            "date_attribution": date_column(rows["day"]),
        }
    )
