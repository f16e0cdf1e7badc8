"""Benchmark: every evaluation output for the 43 MLs over three years.

The issue's target: all evaluation outputs of 3 years at scale 1 in under 30 s.
For each year: outcomes 6 and 12 months after Region-funded training,
time to first employment for both cohorts (first reception, exit from
Region-funded training: Kaplan-Meier by profile, log-rank, Cox stratified by
ML), the composition-adjusted comparison of the four Article 4 outcomes, then
every report table and figure built from them. Loading the extract is timed
apart (``data.load``'s cost, not the evaluation's), and so is rendering the
figures to PNG (the report's cost, which depends on its size and resolution).

Usage::

    python bench/bench_evaluation.py --data data/entrepot
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import time
from collections import defaultdict

from observatoire import data
from observatoire import evaluation as ev

PROFILE = ("tranche_age", "sexe", "niveau_diplome", "neet", "qpv")


def _render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/entrepot")
    parser.add_argument("--years", default="2022-2024")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    years = list(range(first, last + 1))

    print(f"load average: {os.getloadavg()[0]:.2f} (2 vCPU)")
    t0 = time.perf_counter()
    wh = data.load(args.data)
    print(
        f"data.load {args.data}: {time.perf_counter() - t0:.1f} s, "
        f"{len(wh.jeunes):,} young people, {len(wh.situations):,} situations"
    )

    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn, *a, **k):
        t = time.perf_counter()
        out = fn(*a, **k)
        spent[name] += time.perf_counter() - t
        return out

    rendering, rendering_cpu, n_figures = 0.0, 0.0, 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for year in years:
        out = timed("outcomes_after_training", ev.outcomes_after_training, wh, year)
        surv = timed("time_to_employment (premier accueil)", ev.time_to_employment,
                     wh, year)  # fmt: skip
        exits = timed("time_to_employment (sortie formation)",
                      ev.time_to_employment, wh, year,
                      cohort="sortie_formation_region")  # fmt: skip
        comp = timed("compare_missions_locales", ev.compare_missions_locales, wh, year)
        t = time.perf_counter()
        for dim in ("ensemble", "code_ml", "sous_categorie", *PROFILE):
            ev.outcomes_table(out, dimension=dim)
        for res in (surv, exits):
            ev.medians_table(res)
            ev.logrank_table(res)
            ev.cox_table(res)
        ev.comparison_table(comp)
        spent["report tables"] += time.perf_counter() - t
        t = time.perf_counter()
        figures = [ev.outcomes_figure(out), ev.outcomes_figure(out, "sous_categorie")]
        for res in (surv, exits):
            for var in ("ensemble", *PROFILE):
                figures.append(ev.survival_figure(res, var))
        for k in ("entrees_formation", "entrees_formation_region",
                  "entrees_alternance", "entrees_emploi"):  # fmt: skip
            figures.append(ev.funnel_figure(comp, k))
        spent["figures (Figure objects)"] += time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        for fig in figures:
            _render(fig)
        rendering += time.perf_counter() - t
        rendering_cpu += time.process_time() - c
        n_figures += len(figures)
        print(
            f"{year}: {out.n_sortants:,} exits, {surv.n:,} first receptions "
            f"({surv.n_emplois:,} jobs), {exits.n:,} exits followed; "
            f"messages: {out.message[:60] or '-'} | {surv.message[:60] or '-'}"
        )
    total = time.perf_counter() - start - rendering
    cpu = time.process_time() - cpu_start - rendering_cpu
    for name, sec in spent.items():
        print(f"  {name:<40} {sec:6.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    verdict = "OK" if total < 30 else "over target"
    print(f"all evaluation outputs, {len(years)} years: {total:.1f} s wall, "
          f"{cpu:.1f} s CPU (target < 30 s: {verdict}); peak memory {peak:.1f} GB")  # fmt: skip
    print(f"rendering the {n_figures} figures to PNG (report side, 110 dpi): "
          f"{rendering:.1f} s wall, {rendering_cpu:.1f} s CPU more")  # fmt: skip
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
