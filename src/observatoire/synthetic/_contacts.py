"""Contacts (evenements), drawn month by month for the young people followed.

Each type of contact is a Poisson count per person and month whose mean is a
base rate times factors for the situation (fewer contacts in a job), the first
months, the intensive schemes (CEJ / Garantie jeunes), the calendar (August
dip), the ML and the person (a gamma frailty). The first reception is itself an
``entretien_individuel`` (an ``information_collective`` for the few who only
ever come to collective sessions).
"""

from __future__ import annotations

import numpy as np

from ..data import TYPES_EVENEMENT
from ._calendar import Calendar, pick_weekday
from ._network import Network
from ._people import People

INTERVIEW, ATELIER, INFO_COLL, PHONE, WRITTEN = range(len(TYPES_EVENEMENT))

#: mean contacts a month for a young person with no situation, by type; the
#: interview rate gives about 530,000 interviews a year at scale 1 (agreement)
BASE_RATE = np.array([0.69, 0.10, 0.025, 0.30, 0.13])
#: factor by state (0 none, 1 emploi, 2 alternance, 3 formation,
#: 4 service_civique, 5 scolarite) and type
STATE_FACTOR = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 1.0],
        [0.35, 0.15, 0.2, 0.7, 0.8],
        [0.30, 0.15, 0.2, 0.6, 0.8],
        [0.50, 0.30, 0.3, 0.7, 0.8],
        [0.50, 0.40, 0.3, 0.7, 0.8],
        [0.25, 0.20, 0.2, 0.5, 0.6],
    ]
)
#: factor while in an intensive scheme (CEJ, Garantie jeunes)
INTENSIVE_FACTOR = np.array([1.9, 4.0, 1.0, 1.3, 1.2])
#: factor in months 1 and 2 after the first reception
EARLY_FACTOR = np.array([1.35, 1.3, 3.0, 1.2, 1.0])
#: calendar-month factor of interviews and of the other contacts
SEASON_INTERVIEW = np.array(
    [1.05, 1.05, 1.1, 1.0, 0.95, 1.0, 0.85, 0.5, 1.1, 1.1, 1.05, 0.85]
)
SEASON_OTHER = np.array(
    [1.0, 1.0, 1.05, 1.0, 1.0, 1.0, 0.8, 0.45, 1.1, 1.1, 1.05, 0.85]
)
#: young people who only come to collective sessions: factor by type
WORKSHOP_ONLY_FACTOR = np.array([0.0, 3.0, 6.0, 0.3, 0.3])


class ContactDrawer:
    """Contacts drawn month by month; ``chunks`` collects them."""

    def __init__(self, rng: np.random.Generator, people: People, net: Network):
        self.rng = rng
        self.people = people
        self.net = net
        self.frailty = rng.gamma(2.5, 1 / 2.5, people.n)
        self.chunks: list[tuple[np.ndarray, ...]] = []

    def month(
        self,
        cal: Calendar,
        t: int,
        idx: np.ndarray,
        m: np.ndarray,
        state: np.ndarray,
        intensive: np.ndarray,
    ) -> None:
        """Draw the contacts of month ``t`` for followed people ``idx``."""
        rng, pp = self.rng, self.people
        ms, me = int(cal.month_start[t]), int(cal.month_end[t])
        hi = min(me, cal.extraction_day)
        if hi < ms:
            return
        wd = cal.weekdays[t]
        first = m == 0
        # contacts after the first reception in its month; none after extraction
        lo = np.where(first, pp.reception_day[idx] + 1, ms)
        avail = np.searchsorted(wd, hi, side="right") - np.searchsorted(
            wd, lo, side="left"
        )
        frac = np.maximum(avail, 0) / len(wd)

        c = cal.cal_month[t] - 1
        season = np.where(
            np.arange(5) == INTERVIEW, SEASON_INTERVIEW[c], SEASON_OTHER[c]
        )
        workshop = pp.workshop_only[idx]
        lam = BASE_RATE[None, :] * season[None, :] * STATE_FACTOR[state]
        lam = lam * np.where(intensive[:, None], INTENSIVE_FACTOR[None, :], 1.0)
        early = (m >= 1) & (m <= 2)
        lam = lam * np.where(early[:, None], EARLY_FACTOR[None, :], 1.0)
        lam = lam * np.where(workshop[:, None], WORKSHOP_ONLY_FACTOR[None, :], 1.0)
        person_factor = self.net.contact_factor[pp.ml[idx]] * self.frailty[idx] * frac
        lam = lam * person_factor[:, None]
        counts = rng.poisson(lam)

        typ = np.repeat(np.tile(np.arange(5, dtype=np.int8), len(idx)), counts.ravel())
        rows = np.repeat(np.arange(len(idx)), counts.sum(axis=1))
        person = idx[rows]
        day = pick_weekday(rng, cal, t, lo[rows], hi)
        ok = day >= 0
        person, typ, day = person[ok], typ[ok], day[ok]

        # the first reception itself
        if t >= cal.window_t:
            new = idx[first]
            new = new[pp.reception_day[new] <= hi]
            person = np.concatenate([new, person])
            day = np.concatenate([pp.reception_day[new], day])
            rec_type = np.where(pp.workshop_only[new], INFO_COLL, INTERVIEW).astype(
                np.int8
            )
            typ = np.concatenate([rec_type, typ])

        moved = t >= pp.move_t[person]
        ml = np.where(moved, pp.ml_after_move[person], pp.ml[person]).astype(np.int16)
        self.chunks.append((person, day, typ, ml))

    def rows(self) -> dict[str, np.ndarray]:
        """All contacts drawn so far, as arrays; the chunks are released."""
        columns = [list(c) for c in zip(*self.chunks, strict=True)]
        self.chunks.clear()
        out = {}
        for k, name in enumerate(("person", "day", "type", "ml")):
            out[name] = np.concatenate(columns[k])
            columns[k] = []  # free this column's chunks before the next
        return out
