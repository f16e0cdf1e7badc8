"""Build the eight contract tables from the model parts and write them."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .._io import check_output
from ..data import (
    CATEGORIES_SITUATION,
    ETATS_SITUATION,
    METADATA_FILE,
    NIVEAUX_DIPLOME,
    SCHEMA,
    TYPES_EVENEMENT,
    pandas_dtype,
    write_extract,
)
from ..exceptions import ArgumentError, OutputError
from ._animations import draw_animations
from ._calendar import build_calendar, category_column, date_column, id_column
from ._contacts import ContactDrawer
from ._network import build_network
from ._paths import (
    FINANCEURS,
    category_codes,
    simulate,
    situation_rows,
    sub_category_values,
)
from ._people import draw_people
from ._schemes import (
    AidDrawer,
    aides_frame,
    dispositifs_frame,
    plan_schemes,
    scheme_rows,
)
from ._truth import (
    STREAM_ANIMATIONS,
    STREAM_CONTACTS,
    STREAM_NETWORK,
    STREAM_PATHS,
    STREAM_PEOPLE,
    STREAM_SCHEMES,
    draw_ml_effects,
    streams,
)

logger = logging.getLogger("observatoire.synthetic")

WARNING_TEXT = (
    "Données synthétiques générées par observatoire : "
    "aucune valeur ne décrit des personnes réelles."
)


def generate(
    out: str | os.PathLike[str],
    *,
    seed: int = 2024,
    years: tuple[int, int] = (2022, 2024),
    scale: float = 1.0,
    fmt: str = "parquet",
) -> Path:
    """Write a seeded synthetic warehouse extract in the shape of the data contract.

    The eight tables (``missions_locales``, ``jeunes``, ``evenements``,
    ``situations``, ``dispositifs``, ``aides``, ``animations``,
    ``animations_participations``) go to ``out`` with ``metadonnees.json``
    (``synthetique``, ``avertissement``, ``date_extraction``, ``seed``, ``scale``,
    ``annees``, ``generateur``). The extraction date is 5 January of the year after
    the last one. First receptions start seven years before the first year (burn-in)
    so the first year is at its steady level; contacts and aids are those of the
    years asked (from 1 January of the first year), young people those with a
    first reception or a contact in that window, with all their situations and
    schemes. Same arguments, same bytes.

    The extract is written whole into a folder beside ``out``, then swapped in:
    an interrupted run leaves ``out`` as it was, never a mix of old and new
    tables. ``out`` must be new, empty or an extract (only contract tables and
    ``metadonnees.json``), since it is replaced whole.

    Parameters
    ----------
    out : path
        Target directory, created if missing, with its missing parents
        (removed again if the extract cannot be written).
    seed : int
        Random seed; :func:`truth` with the same seed gives the injected effects.
    years : (int, int)
        First and last calendar year of activity.
    scale : float
        1.0 is the Nouvelle-Aquitaine network (about 92,200 young people
        accompanied a year); 12 is about the national network.
    fmt : {"parquet", "csv"}

    Returns
    -------
    Path
        The directory written.

    Raises
    ------
    ArgumentError
        If ``seed``, ``years``, ``scale`` or ``fmt`` is not valid, or ``scale``
        so small that no young person is drawn (also a ValueError).
    OutputError
        If ``out`` is a file, or a folder holding files that are not an extract.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> out = generate(tempfile.mkdtemp(), seed=1, years=(2024, 2024), scale=0.01)
    >>> pd.read_parquet(out / "missions_locales.parquet").shape
    (43, 5)
    >>> sorted(p.name for p in out.glob("*.parquet"))[:2]
    ['aides.parquet', 'animations.parquet']
    """
    first, last = _check_args(seed, years, scale, fmt)
    target = Path(out)
    final = _check_out(target)
    # like ``mkdir -p``: the missing folders on the way are created, and
    # removed again (if still empty) when the extract could not be written
    created = _make_parents(final.parent)
    try:
        staging = Path(
            tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
        )
    except BaseException:
        _remove_empty(created)
        raise
    try:
        os.chmod(staging, 0o777 & ~_umask())
        _build(staging, seed, first, last, scale, fmt)
        _swap(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created)
        raise
    return target


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, deepest first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return missing


def _remove_empty(created: list[Path]) -> None:
    """Remove the folders :func:`_make_parents` created, as long as they are empty."""
    for path in created:
        try:
            path.rmdir()
        except OSError:  # something else was put there meanwhile: kept
            return


def _build(out: Path, seed, first: int, last: int, scale: float, fmt: str) -> None:
    ss = streams(seed)
    rng = {k: np.random.default_rng(ss[k]) for k in range(len(ss))}
    cal = build_calendar(first, last)
    net = build_network(rng[STREAM_NETWORK], scale=scale)
    ml_effects = draw_ml_effects(seed)

    people = draw_people(rng[STREAM_PEOPLE], net, cal, scale=scale)
    if not len(people.ml):
        raise ArgumentError(
            f"scale {scale!r} is too small: the network would receive no young "
            "person (0.001 gives about 90 a year)"
        )
    plan = plan_schemes(rng[STREAM_SCHEMES], people)
    contacts = ContactDrawer(rng[STREAM_CONTACTS], people, net)
    aids = AidDrawer(rng[STREAM_SCHEMES], people, plan)
    paths = simulate(rng[STREAM_PATHS], people, cal, ml_effects, plan, contacts, aids)

    ev = contacts.rows()
    del contacts
    keep = np.zeros(people.n, dtype=bool)
    keep[ev["person"]] = True
    keep |= people.reception_day >= cal.window_day
    new_number = np.cumsum(keep) * keep  # 1-based id number, 0 = dropped
    n_kept = int(keep.sum())
    width = max(7, len(str(n_kept)))

    def person_ids(old: np.ndarray) -> pd.arrays.ArrowStringArray:
        return id_column("J", new_number[old], width)

    def write(name: str, frame: pd.DataFrame) -> None:
        # one table at a time, so that only one large frame is alive at once
        frame = _conform(name, frame)
        logger.info("%s: %d rows", name, len(frame))
        write_extract({name: frame}, out, fmt=fmt)

    # The small tables first, so that the simulation state is freed before the
    # contacts (the largest table) are built; each part draws from its own
    # stream, so the order of the tables does not change the data.
    write("missions_locales", net.table)
    write("jeunes", _jeunes(people, net, keep, person_ids))
    sit = situation_rows(rng[STREAM_PATHS], paths, people, cal)
    write("situations", _situations(sit, new_number, person_ids))
    del sit
    disp = scheme_rows(rng[STREAM_SCHEMES], plan, paths.followup_end, cal)
    write(
        "dispositifs",
        _sorted_frame(
            disp,
            new_number,
            ("start", "dispositif"),
            lambda r: dispositifs_frame(r, person_ids(r["person"])),
        ),
    )
    del disp, paths, plan
    aid = aids.rows()
    del aids
    write(
        "aides",
        _sorted_frame(
            aid,
            new_number,
            ("day", "type"),
            lambda r: aides_frame(
                r,
                id_column("A", np.arange(1, len(r["person"]) + 1), 8),
                person_ids(r["person"]),
            ),
            by_day=True,
        ),
    )
    del aid, people
    anim, part = draw_animations(rng[STREAM_ANIMATIONS], net, cal)
    write("animations", anim)
    write("animations_participations", part)
    write("evenements", _evenements(ev, new_number, person_ids, net))
    del ev

    metadata = {
        "synthetique": True,
        "avertissement": WARNING_TEXT,
        "date_extraction": str(cal.extraction_date),
        "seed": int(seed),
        "scale": float(scale),
        "annees": [first, last],
        "generateur": f"observatoire {__version__}",
    }
    write_extract({}, out, fmt=fmt, metadata=metadata)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_out(out: Path) -> Path:
    """The real folder ``out`` names, checked: new, empty or an extract."""
    check_output(out, directory=True)
    final = out.resolve()
    if final.exists():
        ours = {METADATA_FILE} | {
            f"{t}.{f}" for t in SCHEMA for f in ("parquet", "csv")
        }
        other = sorted(
            p.name
            for p in final.iterdir()
            if p.name not in ours
            and not (p.name.startswith(".") and p.name.endswith(".tmp"))
        )
        if other:
            raise OutputError(
                f"--out {out}: holds files that are not part of an extract "
                f"(e.g. {other[0]!r}); it would be replaced whole: choose a new or "
                "empty folder"
            )
    return final


def _swap(staging: Path, final: Path) -> None:
    """Put the finished extract at ``final``; the old one is removed after."""
    if not final.exists():
        os.replace(staging, final)
        return
    old = Path(
        tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent)
    )
    os.rmdir(old)
    os.replace(final, old)
    try:
        os.replace(staging, final)
    except BaseException:
        os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _check_args(seed, years, scale, fmt) -> tuple[int, int]:
    # numpy's SeedSequence takes any integer >= 0, and nothing else
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise ArgumentError(f"seed must be a whole number, 0 or more, not {seed!r}")
    try:
        first, last = (int(y) for y in years)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"years must be (first, last), e.g. (2022, 2024), not {years!r}"
        ) from None
    if not 2000 <= first <= last <= 2100:
        raise ArgumentError(
            f"years {years!r}: expected first <= last, between 2000 and 2100"
        )
    if not (
        isinstance(scale, int | float)
        and not isinstance(scale, bool)
        and 0 < scale <= 100
    ):
        raise ArgumentError(f"scale must be a number in (0, 100], not {scale!r}")
    if fmt not in ("parquet", "csv"):
        raise ArgumentError(f"fmt must be 'parquet' or 'csv', not {fmt!r}")
    return first, last


def _jeunes(people, net, keep, person_ids) -> pd.DataFrame:
    old = np.flatnonzero(keep)
    return pd.DataFrame(
        {
            "id_jeune": person_ids(old),
            "code_ml": category_column(people.ml[old], net.code),
            "sexe": category_column(np.where(people.femme[old], 0, 1), ("F", "H")),
            "date_naissance": date_column(people.birth_day[old]),
            "date_premier_accueil": date_column(people.reception_day[old]),
            "niveau_diplome": category_column(people.diploma[old], NIVEAUX_DIPLOME),
            "neet": people.neet[old],
            "inscrit_france_travail": people.france_travail[old],
            "zrr": people.zrr[old],
            "qpv": people.qpv[old],
            "commune_residence": category_column(
                people.commune[old], people.commune_codes
            ),
        }
    )


def _evenements(ev, new_number, person_ids, net) -> pd.DataFrame:
    """The contacts table; ``ev``'s arrays are released as they are used."""
    number = new_number[ev["person"]]
    order = np.lexsort((ev["type"], number, ev["day"]))
    del number
    n = len(order)
    cols = {
        "id_jeune": lambda: person_ids(ev.pop("person")[order]),
        "code_ml": lambda: category_column(ev.pop("ml")[order], net.code),
        "date_evenement": lambda: date_column(ev.pop("day")[order]),
        "type_evenement": lambda: category_column(
            ev.pop("type")[order], TYPES_EVENEMENT
        ),
    }
    out = {"id_evenement": id_column("E", np.arange(1, n + 1), 8)}
    out |= {name: build() for name, build in cols.items()}
    return pd.DataFrame(out)


def _situations(rows, new_number, person_ids) -> pd.DataFrame:
    number = new_number[rows["person"]]
    ok = number > 0
    rows = {k: v[ok] for k, v in rows.items()}
    order = np.lexsort((rows["cat"], rows["start"], number[ok]))
    rows = {k: v[order] for k, v in rows.items()}
    n = len(order)
    offset, values = sub_category_values()
    sub = np.where(
        (rows["sub"] >= 0) & (offset[rows["cat"]] >= 0),
        offset[rows["cat"]] + rows["sub"],
        -1,
    )
    return pd.DataFrame(
        {
            "id_situation": id_column("S", np.arange(1, n + 1), 8),
            "id_jeune": person_ids(rows["person"]),
            "categorie": category_column(
                category_codes()[rows["cat"]], CATEGORIES_SITUATION
            ),
            "sous_categorie": category_column(sub, values),
            "financeur": category_column(rows["fin"], FINANCEURS),
            "date_debut": date_column(rows["start"]),
            "date_fin_prevue": date_column(rows["planned"]),
            "date_fin": date_column(rows["end"]),
            "etat": category_column(rows["etat"], ETATS_SITUATION),
        }
    )


def _sorted_frame(rows, new_number, keys, build, by_day: bool = False) -> pd.DataFrame:
    """Keep rows of kept people, sort (by person then keys, or by day first), build."""
    number = new_number[rows["person"]]
    ok = number > 0
    rows = {k: v[ok] for k, v in rows.items()}
    number = number[ok]
    if by_day:
        order = np.lexsort((rows[keys[1]], number, rows[keys[0]]))
    else:
        order = np.lexsort((rows[keys[1]], rows[keys[0]], number))
    return build({k: v[order] for k, v in rows.items()})


def _conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in contract order with the contract dtypes."""
    cols = SCHEMA[name].columns
    out = {}
    for c in cols:
        s = frame[c.name]
        dtype = pandas_dtype(c)
        out[c.name] = s if str(s.dtype) == dtype else s.astype(dtype)
    return pd.DataFrame(out)
