"""The 43 synthetic Missions Locales: size, territory and local colour.

The list is made up for the generator: names say "synthétique" and codes follow
``ML<departement><letter>``. Only its shape follows the real network: 43 MLs over
the 12 departments, one large urban ML in Gironde, small rural MLs in Creuse or
Haute-Corrèze, about 590 reception sites and 1,300 staff at scale 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import DEPARTEMENT_NAMES, DEPARTEMENTS

#: reception sites and full-time staff of the whole network at scale 1
TOTAL_LIEUX_ACCUEIL = 590
TOTAL_ETP = 1300.0

#: territory kind -> (share of young people in ZRR, share in QPV)
TERRITORY_SHARES: dict[str, tuple[float, float]] = {
    "metropole": (0.0, 0.19),
    "urbain": (0.06, 0.13),
    "mixte": (0.30, 0.05),
    "rural": (0.75, 0.01),
    "hyperrural": (0.95, 0.0),
}

# (departement, territory kind, relative size: young people accompanied a year)
_MLS: tuple[tuple[str, str, int], ...] = (
    ("16", "urbain", 2600),
    ("16", "mixte", 1200),
    ("16", "rural", 800),
    ("17", "urbain", 2800),
    ("17", "mixte", 1500),
    ("17", "mixte", 1700),
    ("17", "mixte", 1300),
    ("17", "rural", 1000),
    ("19", "urbain", 1700),
    ("19", "hyperrural", 1300),
    ("23", "hyperrural", 1000),
    ("24", "urbain", 2000),
    ("24", "mixte", 1700),
    ("24", "rural", 900),
    ("24", "rural", 1000),
    ("33", "metropole", 7000),
    ("33", "urbain", 3600),
    ("33", "urbain", 3000),
    ("33", "urbain", 2600),
    ("33", "mixte", 2400),
    ("33", "rural", 1900),
    ("33", "mixte", 1800),
    ("33", "rural", 1300),
    ("33", "rural", 1200),
    ("33", "rural", 900),
    ("40", "mixte", 1800),
    ("40", "mixte", 2100),
    ("40", "rural", 900),
    ("47", "urbain", 1900),
    ("47", "mixte", 1300),
    ("47", "mixte", 1500),
    ("64", "urbain", 3200),
    ("64", "urbain", 3300),
    ("64", "rural", 900),
    ("64", "rural", 1000),
    ("79", "urbain", 2100),
    ("79", "mixte", 1200),
    ("79", "rural", 900),
    ("86", "urbain", 3200),
    ("86", "mixte", 1600),
    ("86", "rural", 1000),
    ("87", "urbain", 4000),
    ("87", "rural", 1200),
)


@dataclass(frozen=True)
class Network:
    """The MLs as parallel arrays (index = ML number 0..42) plus the contract table."""

    table: pd.DataFrame  # missions_locales, contract columns
    code: np.ndarray  # str
    departement: np.ndarray  # str
    territory: np.ndarray  # str
    weight: np.ndarray  # share of the network's young people, sums to 1
    zrr_share: np.ndarray
    qpv_share: np.ndarray
    diploma_shift: np.ndarray  # log-odds shift of "no diploma"
    contact_factor: np.ndarray  # multiplies every contact intensity
    participation: np.ndarray  # propensity to attend ARML animations
    communes: tuple[np.ndarray, ...]  # per ML: INSEE-like codes, seat first
    neighbour: np.ndarray  # the ML a young person who moves goes to

    @property
    def n(self) -> int:
        return len(self.code)


def build_network(rng: np.random.Generator, *, scale: float = 1.0) -> Network:
    """Build the 43 MLs; ``rng`` draws the local colour (not the ML effects).

    ``nb_lieux_accueil`` and ``etp`` scale with ``scale`` like the activity.
    """
    deps = np.array([d for d, _, _ in _MLS])
    kinds = np.array([k for _, k, _ in _MLS])
    size = np.array([s for _, _, s in _MLS], dtype=float)
    n = len(_MLS)
    assert n == 43 and set(deps) == set(DEPARTEMENTS)

    codes, names = [], []
    rank_in_dep: dict[str, int] = {}
    for d in deps:
        k = rank_in_dep.get(d, 0)
        rank_in_dep[d] = k + 1
        codes.append(f"ML{d}{chr(ord('A') + k)}")
        names.append(f"Mission locale synthétique {DEPARTEMENT_NAMES[d]} {k + 1}")

    zrr = np.array([TERRITORY_SHARES[k][0] for k in kinds])
    qpv = np.array([TERRITORY_SHARES[k][1] for k in kinds])
    zrr = np.clip(zrr * np.exp(rng.normal(0, 0.15, n)), 0, 0.98)
    qpv = np.clip(qpv * np.exp(rng.normal(0, 0.2, n)), 0, 0.4)
    diploma_shift = rng.normal(0, 0.15, n) + np.where(kinds == "metropole", 0.15, 0.0)
    contact_factor = np.exp(rng.normal(0, 0.12, n))
    rural = np.isin(kinds, ("rural", "hyperrural"))
    participation = np.clip(
        0.55 + 0.25 * np.log(size / np.median(size)) - 0.15 * rural
        + rng.normal(0, 0.08, n),
        0.12,
        0.97,
    )  # fmt: skip

    # reception sites: rural MLs hold many small permanences for their size
    lieux_raw = 4 + size / 450 + np.where(rural, 8.0, 2.0) + rng.uniform(0, 3, n)
    lieux = _round_to_total(lieux_raw / lieux_raw.sum() * TOTAL_LIEUX_ACCUEIL * scale)
    etp_raw = size / 75 + 4 + rng.uniform(-1, 1, n)
    etp = np.round(etp_raw / etp_raw.sum() * TOTAL_ETP * scale, 1)

    communes = []
    for i, d in enumerate(deps):
        base = (int(codes[i][-1], 36) - 10) * 60  # disjoint ranges within a dep
        pool = base + 1 + rng.permutation(60)[: 15 if rural[i] else 40]
        communes.append(np.array([f"{d}{c:03d}" for c in pool]))

    neighbour = np.empty(n, dtype=np.int64)
    for i, d in enumerate(deps):
        same = np.flatnonzero((deps == d) & (np.arange(n) != i))
        if len(same) == 0:  # alone in its department: the largest ML elsewhere
            same = np.array([int(np.argmax(np.where(deps != d, size, 0)))])
        neighbour[i] = (
            same[np.argmax(size[same])] if rng.random() < 0.6 else rng.choice(same)
        )

    table = pd.DataFrame(
        {
            "code_ml": pd.array(codes, dtype="string"),
            "nom_ml": pd.array(names, dtype="string"),
            "departement": pd.array(deps, dtype="string"),
            "nb_lieux_accueil": pd.array(lieux, dtype="Int64"),
            "etp": etp.astype("float64"),
        }
    )
    return Network(
        table=table,
        code=np.array(codes),
        departement=deps,
        territory=kinds,
        weight=size / size.sum(),
        zrr_share=zrr,
        qpv_share=qpv,
        diploma_shift=diploma_shift,
        contact_factor=contact_factor,
        participation=participation,
        communes=tuple(communes),
        neighbour=neighbour,
    )


def ml_sizes() -> np.ndarray:
    """Relative sizes of the 43 MLs (young people accompanied a year, scale 1 shape)."""
    return np.array([s for _, _, s in _MLS], dtype=float)


def ml_codes() -> list[str]:
    """Codes of the 43 MLs, in network order (what ``build_network`` writes)."""
    out, rank = [], {}
    for d, _, _ in _MLS:
        k = rank.get(d, 0)
        rank[d] = k + 1
        out.append(f"ML{d}{chr(ord('A') + k)}")
    return out


def _round_to_total(x: np.ndarray) -> np.ndarray:
    """Round to integers keeping the rounded total (largest remainders)."""
    floor = np.floor(x).astype(np.int64)
    short = int(round(x.sum())) - int(floor.sum())
    order = np.argsort(-(x - floor), kind="stable")
    floor[order[:short]] += 1
    return np.maximum(floor, 1)
