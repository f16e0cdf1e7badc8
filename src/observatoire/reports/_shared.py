"""The run's table of contents: what the reports share, computed once, in order.

:func:`compute_shared` is called once per run (by the batch, or by
:func:`~observatoire.reports.open_report` without a cache). In order, it:

1. reads the target file, if any (a bad one stops the run before any work);
2. starts the trajectory typology on the other core (:func:`_in_background`);
3. computes the contract indicators of the year and the year before, annual
   and monthly, the key figures and the monthly follow-up (``indicators``);
4. protects each of them (:mod:`._protect`, the contract's disclosure rules);
5. measures progress against the targets, if any, from the tables and masks
   of steps 3 and 4 (older years, for the seasonal profile, are computed there);
6. renders the evaluation sections (:mod:`.sections.evaluation`), whose models
   hold row-level data and therefore never reach the cache;
7. collects the trajectory sections rendered on the other core
   (:mod:`.sections.trajectories`);
8. keeps the ARML's animation log (institutions, not young people);
9. for the batch, draws the figures several reports show identically
   (:mod:`.sections._once`): each ML's curves and position strip, on the other
   core from step 4 on, and the targets section, shown by two reports;
10. for the batch, computes once the values several reports compute
    identically (``calculs``): every unit's N/N−1 rate changes with their
    test, each unit's year-on-year comparison.

Only aggregates leave this module: the tables a notebook reads hold no
row-level data and no ``id_jeune``. A part that fails (an empty cohort, a
model that does not converge) is replaced by a French message, so the rest of
every report is still produced.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import animation, indicators, targets
from ..disclosure import DEFAULT_MIN_DENOMINATOR
from ..formatting import fr_ml_name
from ._inputs import ReportInputs, _share_attrs
from ._params import RunParams
from ._protect import protect_figures, protect_indicators, protect_table
from .sections import ml_monthly_curves, ml_position_strip
from .sections import targets as targets_section
from .sections._once import COMPUTED, FIGURES, collect, collect_values
from .sections.common import annual_rate_changes, compared
from .sections.evaluation import evaluation_blocks
from .sections.trajectories import trajectory_blocks

if TYPE_CHECKING:
    from ..data import Warehouse

logger = logging.getLogger(__name__)


def _safely(name: str, messages: dict[str, str], fn: Callable[[], Any]) -> Any:
    """Run one part of the shared step; on failure keep a French message."""
    t0 = time.perf_counter()
    try:
        value = fn()
    except Exception as exc:  # one failing part must not sink every report
        logger.warning("shared input %s failed: %s", name, exc, exc_info=True)
        messages[name] = (
            "Cette partie n'a pas pu être calculée sur cet extrait "
            f"({type(exc).__name__}). Les autres parties du rapport restent valables."
        )
        return None
    logger.info("shared input %s computed in %.1f s", name, time.perf_counter() - t0)
    return value


def compute_shared(
    wh: Warehouse, params: RunParams, *, draw_figures: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every table the reports share, protected, and the run's description.

    Parameters
    ----------
    wh : Warehouse
        The loaded extract.
    params : RunParams
        Resolved parameters (``year`` and ``month`` are numbers).
    draw_figures : bool
        Also draw the figures several reports show identically, table
        ``figures`` (the batch; a notebook computing its own inputs draws
        only what it shows).

    Returns
    -------
    tables : dict
        Name -> protected aggregate table (or result object) for the reports.
    meta : dict
        Year, month, threshold, synthetic flag, extraction date, ML labels and
        departments, and the French messages of parts that failed.
    """
    year, month, threshold = params.year, params.month, params.disclosure_threshold
    ml = wh.missions_locales[["code_ml", "nom_ml", "departement"]].copy()
    coverage = wh.coverage
    messages: dict[str, str] = {}
    tables: dict[str, Any] = {"missions_locales": ml}

    def protect(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
        return protect_table(frame, threshold)

    declared = None
    if params.targets:  # a bad target file is a parameter error: before any work
        declared = targets.load_targets(params.targets, wh.missions_locales)

    # the trajectory typology runs on the other core while this one computes
    # the rest (see _in_background); its figures come back as HTML
    pending_trajectories = _in_background(trajectory_blocks, wh, year, threshold)

    # kept whole: the evaluation's comparison hides what this table hides
    annual = protect_indicators(indicators.compute(wh, str(year)), threshold)
    tables["annuel"] = protect(annual)
    # the monthly tables and their masks also serve the targets (step 5)
    monthly = {year: indicators.compute(wh, str(year), monthly=True)}
    tables["mensuel"] = protect(monthly[year])
    has_previous = coverage.covers(year - 1) != "absent"
    if has_previous:
        tables["annuel_n_1"] = protect(indicators.compute(wh, str(year - 1)))
        monthly[year - 1] = indicators.compute(wh, str(year - 1), monthly=True)
        tables["mensuel_n_1"] = protect(monthly[year - 1])
    meta = _describe(wh, params, ml, has_previous, messages)
    if draw_figures:
        # the ML reports' figures, drawn from these tables on the other core
        # while this one computes the rest, then on both (see sections._once)
        ml_figures = _MLFigures(list(params.mls))
        pending_figures = _in_background(ml_figures.draw, _in_memory(meta, tables))
    masks = {
        y: (table, tables["mensuel" if y == year else "mensuel_n_1"]["mask"])
        for y, table in monthly.items()
    }
    hierarchy = indicators.hierarchy(wh)
    tables["chiffres_cles"] = protect_figures(
        indicators.key_figures(wh, year, levels=("ml", "departement", "region")),
        threshold,
        hierarchy,
    )
    tables["suivi"] = protect_figures(
        indicators.monthly_followup(wh, year, month), threshold, hierarchy
    )
    if declared is not None:
        tables["objectifs"] = _safely(
            "objectifs",
            messages,
            lambda: targets.progress(
                wh,
                declared,
                year,
                month,
                disclosure_threshold=threshold,
                computed=masks,
            ),
        )
    else:
        messages["objectifs"] = (
            "Aucun fichier d'objectifs n'est déclaré pour cette exécution."
        )
    evaluation = _safely(
        "evaluation_regionale",
        messages,
        lambda: evaluation_blocks(wh, year, threshold, annual),
    )
    if evaluation is not None:
        tables["evaluation_regionale"], tables["evaluation_ml"] = evaluation
    trajectories = _safely("trajectoires", messages, pending_trajectories)
    if trajectories is not None:
        # two tables: an ML report reads only its small part, not the study's images
        tables["trajectoires"] = trajectories["etude"]
        tables["trajectoires_ml"] = trajectories["ml"]
        # the study's methods in figures, for its annex (after the body)
        tables["trajectoires_methodes"] = trajectories["methodes"]
    if wh.animations is not None and len(wh.animations):
        # the ARML's log is about institutions (MLs, staff), not young people
        tables["animation"] = {
            "animations": wh.animations,
            "animations_participations": wh.animations_participations,
            "missions_locales": wh.missions_locales,
        }
        tables["animation_annee"] = _safely(
            "animation", messages, lambda: animation.resolve_year(wh, "auto")
        )
    if draw_figures:
        inputs = _in_memory(meta, tables)
        # computed while the figures worker finishes (this core is idle then)
        tables[COMPUTED] = (
            _safely("calculs", {}, lambda: _computed(inputs, params.reports)) or {}
        )
        tables[FIGURES] = _figures(ml_figures, pending_figures, inputs)
    return tables, meta


def _describe(
    wh: Warehouse,
    params: RunParams,
    ml: pd.DataFrame,
    has_previous: bool,
    messages: dict[str, str],
) -> dict[str, Any]:
    """The run's description for the reports (``messages`` is filled later)."""
    coverage = wh.coverage
    return {
        "year": params.year,
        "month": params.month,
        "disclosure_threshold": params.disclosure_threshold,
        "min_denominator": DEFAULT_MIN_DENOMINATOR,
        "synthetic": bool(wh.synthetic),
        "extraction_date": str(coverage.end.date()),
        "first_date": str(coverage.first.date())
        if coverage.first is not None
        else None,
        # the one name of each ML in every table, chart and sentence of a run
        "labels": {
            str(c): fr_ml_name(n)
            for c, n in zip(ml["code_ml"], ml["nom_ml"], strict=True)
        },
        "departements": dict(
            zip(ml["code_ml"].astype(str), ml["departement"].astype(str), strict=True)
        ),
        "has_previous_year": has_previous,
        # "complete" or "partial": a partial year says so next to its figures
        "couverture_annee": coverage.covers(params.year),
        # the key figures compare January to this month of N and N−1
        "mois_chiffres_cles": indicators.months_compared(wh, params.year),
        "messages": messages,
    }


def _in_memory(meta: dict[str, Any], tables: dict[str, Any]) -> ReportInputs:
    """The tables in memory as a report reads them from the cache.

    Shallow copies whose ``attrs`` are shared, as :class:`ReportInputs` does
    for a cached table: pandas deep-copies ``attrs`` (the disclosure marker, a
    nested structure) into every frame derived from a table, which was most
    of the cost of the values computed once and of the figures drawn here.
    The tables themselves (cached as they are) keep their own ``attrs``.
    """
    views: dict[str, Any] = {}
    for name, table in tables.items():
        if isinstance(table, pd.DataFrame):
            table = _share_attrs(table.copy(deep=False))
        elif isinstance(table, dict):
            table = _share_attrs(
                {
                    key: value.copy(deep=False)
                    if isinstance(value, pd.DataFrame)
                    else value
                    for key, value in table.items()
                }
            )
        views[name] = table
    return ReportInputs(meta, None, views)


def _figures(
    ml_figures: _MLFigures,
    pending: Callable[[], tuple[dict[str, str], float]],
    inputs: ReportInputs,
) -> dict[str, str]:
    """The blocks drawn once: the ML figures (worker and here) and the targets section.

    This process draws the targets section, then the ML figures the worker
    has not started yet (:class:`_MLFigures`), then waits for the worker's
    last one. A block that could not be drawn here is drawn by the report
    itself (and fails there as it would have), so a failure only costs time.
    """
    with collect() as drawn:
        try:
            targets_section(inputs)  # shown by the regional report and the follow-up
        except Exception:  # noqa: BLE001 - see the docstring
            logger.warning("targets not drawn in advance", exc_info=True)
    here, here_s = ml_figures.draw(inputs)
    t0 = time.perf_counter()
    try:
        figures, seconds = pending()
    except Exception:  # noqa: BLE001 - see the docstring
        logger.warning("ML figures not drawn in advance", exc_info=True)
        figures, seconds = {}, 0.0
    logger.info(
        "figures drawn once: %d ML figures in %.1f s (worker) and %.1f s (here), "
        "waited %.1f s",
        len(figures) + len(here),
        seconds,
        here_s,
        time.perf_counter() - t0,
    )
    # in key order: the cached table is the same whoever drew which block
    return dict(sorted({**figures, **here, **drawn}.items()))


def _computed(inputs: ReportInputs, kinds: tuple[str, ...]) -> dict[str, Any]:
    """The values several reports compute identically, computed once (sections._once).

    The N/N−1 rate changes of every unit of each level (each Mission Locale
    report shows its own row and ranks it among all; the regional report
    shows all), and each unit's year-on-year comparison (« À retenir » and the
    year-on-year table of its report, the monthly follow-up's table of every
    Mission Locale). A value missing here is computed by the report itself.
    """
    codes = list(inputs.meta["labels"])
    with collect_values() as values:
        for level in ("ml", "departement", "region"):
            annual_rate_changes(inputs, level)
        units = [("region", "NAQ", "cumul")]
        if "rapport_mission_locale" in kinds or "suivi_mensuel" in kinds:
            units += [("ml", code, "cumul") for code in codes]
        if "suivi_mensuel" in kinds:
            units += [("ml", code, "mois") for code in codes]
            units.append(("region", "NAQ", "mois"))
        for level, code, scope in units:
            compared(inputs, level, code, scope)
    return dict(values)


class _MLFigures:
    """The figures of each ML's report, drawn as the report would draw them.

    :meth:`draw` runs first in the forked worker, then also in this process
    once its own work is done: each takes the next ML no one has taken (a
    counter in shared memory, inherited by the fork), so both cores draw
    until the last ML and neither waits long for the other.
    """

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        self._next = mp.Value("i", 0)

    def _take(self) -> str | None:
        with self._next.get_lock():
            i = self._next.value
            self._next.value = i + 1
        return self.codes[i] if i < len(self.codes) else None

    def draw(self, inputs: ReportInputs) -> tuple[dict[str, str], float]:
        """The blocks of the MLs taken here, and the seconds spent drawing them."""
        t0 = time.perf_counter()
        with collect() as drawn:
            while (code := self._take()) is not None:
                try:
                    ml_position_strip(inputs, code)
                    ml_monthly_curves(inputs, code)
                except Exception:  # noqa: BLE001 - that report draws (and fails) itself
                    logger.warning(
                        "figures of %s not drawn in advance", code, exc_info=True
                    )
        return dict(drawn), time.perf_counter() - t0


_BACKGROUND: tuple[Callable[..., Any], tuple[Any, ...]] | None = None


def _run_background() -> Any:
    fn, args = _BACKGROUND
    return fn(*args)


def _in_background(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Start ``fn(*args)`` in a forked process; return a function that waits for it.

    The child inherits the loaded extract through ``fork`` (nothing large is
    pickled; only the result comes back), so the shared step uses both cores.
    Elsewhere than on Linux (where ``fork`` is not safe or not there), or with
    one core, ``fn`` runs when waited for, in this process. An exception in the child is raised by the waiter.
    """
    global _BACKGROUND
    # fork is safe on Linux only (macOS frameworks are not fork-safe)
    if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        return lambda: fn(*args)
    _BACKGROUND = (fn, args)
    pool = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"))
    try:
        future = pool.submit(_run_background)  # the worker is forked here
    finally:
        _BACKGROUND = None

    def wait() -> Any:
        try:
            return future.result()
        finally:
            pool.shutdown()

    return wait
