"""Figures of the evaluation (matplotlib ``Figure``, French titles and axes).

Built without pyplot (no global state, nothing left open); a notebook shows the
returned ``Figure`` as it is. Groups and MLs that the disclosure rules would
hide in a table (fewer than 20 people, a masked count) are not drawn, and a
note under the axes says so.
"""

from __future__ import annotations

import logging
import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..exceptions import ParamsError
from ..figures import FIG_DPI, FIG_WIDTH, PALETTE, attach_data, new_figure, plain
from ..formatting import fr_int, fr_ml_name, fr_month, fr_num
from ._adjusted import OUTCOMES as ADJUSTED_OUTCOMES
from ._adjusted import AdjustedComparison, overdispersed_limit, poisson_limit
from ._outcomes import OUTCOME_LABELS, PROFILE_DIMENSIONS, TrainingOutcomes
from ._survival import COHORTS, SurvivalAnalysis
from ._tables import (
    DEFAULT_MIN_DENOMINATOR,
    DEFAULT_THRESHOLD,
    DIMENSION_LABELS,
    _masked,
    _show_counts,
    modality_label,
    modality_order,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)


def _new_figure(width: float = FIG_WIDTH, height: float = 4.2):
    fig, ax = new_figure(width, height, style="evaluation", dpi=FIG_DPI)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _percent_axis(ax, axis: str = "y") -> None:
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.ticker import FuncFormatter

    def pct(v, _):
        text = fr_num(100 * v, 1)
        return f"{text[:-2] if text.endswith(',0') else text}\u00a0%"

    fmt = FuncFormatter(pct)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _number_axis(ax, axis: str = "x", digits: int = 0) -> None:
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _):
        return fr_int(v) if digits == 0 else fr_num(v, digits)

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def _check(value: str, valid: list[str], name: str) -> None:
    if value not in valid:
        raise ParamsError(f"{name} {value!r} is not one of {', '.join(valid)}")


def _lower(label: str) -> str:
    """Lower-case a label's first letter, but not an acronym (``QPV``)."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _fr_period(period: str) -> str:
    text = str(period)
    if len(text) == 7 and text[4] == "-":
        return fr_month(int(text[:4]), int(text[5:]))
    return text


def _note(fig, text: str) -> None:
    """A small grey note under the axes (a figure-level x label, so the
    constrained layout makes room for it)."""
    if text:
        fig.supxlabel(
            textwrap.fill(text, 130), x=0.01, ha="left", fontsize=7.5, color="#555555"
        )


# ------------------------------------------------------------------ KM
def survival_figure(
    res: SurvivalAnalysis,
    variable: str = "ensemble",
    *,
    max_months: float | None = None,
    min_group: int = DEFAULT_MIN_DENOMINATOR,
    threshold: int = DEFAULT_THRESHOLD,
) -> Figure:
    """Kaplan-Meier curves of the share still without a job, by profile group.

    Parameters
    ----------
    res : SurvivalAnalysis
        Result of :func:`time_to_employment`.
    variable : str
        ``ensemble`` (one curve with its 95 % band) or a profile column
        (``tranche_age``, ``sexe``, ``niveau_diplome``, ``neet``,
        ``inscrit_france_travail``, ``zrr``, ``qpv``): one curve per group.
    max_months : float, optional
        Right end of the time axis (default: the longest follow-up).
    min_group : int
        Groups with fewer young people are not drawn (disclosure).
    threshold : int
        Each curve stops where fewer than ``threshold`` young people are
        still followed, so that no step shows the job of one identifiable
        person in the tail (disclosure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check(variable, ["ensemble", *PROFILE_DIMENSIONS], "variable")
    origin = COHORTS[res.cohort][0]
    fig, ax = _new_figure()
    curves = res.curves.loc[res.curves["variable"] == variable]
    sizes = res.medians.loc[res.medians["variable"] == variable].set_index("modalite")
    dropped = []
    drawn: dict[str, pd.DataFrame] = {}
    groups = dict(tuple(curves.groupby("modalite", sort=False, observed=True)))
    for i, mod in enumerate(modality_order(variable, groups)):
        c = groups[mod]
        n = int(sizes.loc[mod, "n"]) if mod in sizes.index else 0
        if n < min_group:
            dropped.append(modality_label(variable, mod))
            continue
        c = c.loc[c["n_risque"] >= threshold]
        colour = PALETTE[i % len(PALETTE)]
        label = modality_label(variable, mod)
        drawn[f"{label} (n = {fr_int(n)})"] = c
        ax.step(
            c["mois"],
            c["survie"],
            where="post",
            color=colour,
            lw=1.6,
            label=f"{label} (n = {fr_int(n)})",
        )
        if variable == "ensemble":
            ax.fill_between(
                c["mois"],
                c["ic_bas"],
                c["ic_haut"],
                step="post",
                color=colour,
                alpha=0.2,
                lw=0,
                label="intervalle de confiance à 95 %",
            )
    ax.set_ylim(0, 1.02)
    if max_months is not None:
        ax.set_xlim(0, max_months)
    else:
        ax.set_xlim(left=0)
    # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
    from matplotlib.ticker import MaxNLocator

    _percent_axis(ax, "y")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 3, 6, 10]))
    _number_axis(ax, "x")
    ax.set_xlabel(f"Mois depuis {origin}")
    ax.set_ylabel("Part des jeunes encore sans emploi")
    title = "Délai d'accès au premier emploi"
    if variable != "ensemble":
        title += f" selon : {_lower(DIMENSION_LABELS.get(variable, variable))}"
    cohort = COHORTS[res.cohort][1].format(period=_fr_period(res.period))
    ax.set_title(f"{title}\n{cohort[0].upper()}{cohort[1:]}")
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    else:
        ax.text(
            0.5,
            0.5,
            "Aucun groupe assez grand pour être représenté",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    notes = []
    if dropped:
        notes.append(
            f"Groupes de moins de {min_group} jeunes non représentés : "
            + ", ".join(dropped)
            + "."
        )
    stop = (
        "à la date d'extraction"
        if res.censoring == "extraction"
        else "au dernier contact"
    )
    notes.append(
        f"Jeunes suivis jusqu'à leur premier emploi ou, à défaut, {stop} ; chaque "
        f"courbe s'arrête quand moins de {threshold} jeunes restent suivis."
    )
    _note(fig, " ".join(notes))
    return attach_data(fig, _survival_data(drawn), percent=list(drawn))


def _survival_data(drawn: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Share still without a job at each whole month, one column per curve drawn."""
    last = max((float(c["mois"].max()) for c in drawn.values() if len(c)), default=0)
    months = np.arange(0, int(np.floor(last)) + 1)
    table = pd.DataFrame({"Mois écoulés": [str(m) for m in months]})
    for name, c in drawn.items():
        t, s = c["mois"].to_numpy(dtype=float), c["survie"].to_numpy(dtype=float)
        at = np.searchsorted(t, months, side="right") - 1
        values = np.where(at >= 0, s[np.clip(at, 0, None)], 1.0) if len(t) else []
        end = t.max() if len(t) else -1
        table[name] = np.where(months <= end, values, np.nan) if len(t) else np.nan
    return table


# ------------------------------------------------------------------ funnel
def funnel_figure(
    comp: AdjustedComparison,
    indicateur: str = "entrees_emploi",
    *,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    label: str = "signaux",
) -> Figure:
    """Funnel plot of O / E against the expected count, 95 % and 99.8 % limits.

    Parameters
    ----------
    comp : AdjustedComparison
        Result of :func:`compare_missions_locales`.
    indicateur : str
        One of ``entrees_formation``, ``entrees_formation_region``,
        ``entrees_alternance``, ``entrees_emploi``.
    threshold, min_denominator : int
        MLs whose observed count is masked (1-4) or with fewer accompanied
        young people than ``min_denominator`` are not drawn (a note says how
        many).
    label : {"signaux", "toutes", "aucune"}
        Which MLs carry their code: those outside the 99.8 % limits (default),
        all, or none.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check(indicateur, list(ADJUSTED_OUTCOMES), "indicateur")
    _check(label, ["signaux", "toutes", "aucune"], "label")
    t = comp.table.loc[comp.table["indicateur"] == indicateur]
    ok = (
        (t["attendus"] > 0)
        & np.isfinite(t["ratio"])
        & ~_masked(t["observes"], threshold)
        & (t["accompagnes"] >= min_denominator)
    )
    shown, n_hidden = t.loc[ok], int((~ok).sum())
    fig, ax = _new_figure(height=4.6)
    if len(shown):
        e_max = float(shown["attendus"].max()) * 1.08
        e_min = max(1.0, float(shown["attendus"].min()) * 0.6)
        grid = np.geomspace(e_min, e_max, 200)
        for cov, style, name in (
            (0.95, "--", "limites à 95 %"),
            (0.998, "-", "limites à 99,8 %"),
        ):
            if comp.limites == "surdispersion":
                phi = comp.overdispersion.get(indicateur, 1.0)
                lo = overdispersed_limit(grid, cov, "bas", phi)
                hi = overdispersed_limit(grid, cov, "haut", phi)
            else:
                lo = poisson_limit(grid, cov, "bas")
                hi = poisson_limit(grid, cov, "haut")
            ax.plot(grid, lo, style, color="#8a8f98", lw=1, label=name)
            ax.plot(grid, hi, style, color="#8a8f98", lw=1)
        ax.axhline(1.0, color="#333333", lw=0.8)
        signal = shown["signal"].fillna("").to_numpy()
        # the signal is told by the marker's shape as well as its colour (RGAA 3.1)
        for kind, colour, marker, name in (
            ("", PALETTE[0], "o", "dans les limites"),
            ("au-dessus", PALETTE[2], "^", "au-dessus des limites"),
            ("en dessous", PALETTE[1], "v", "en dessous des limites"),
        ):
            sel = signal == kind
            if sel.any():
                ax.scatter(
                    shown.loc[sel, "attendus"], shown.loc[sel, "ratio"],
                    s=22 if kind == "" else 42, color=colour, marker=marker,
                    zorder=3, label=name,
                )  # fmt: skip
        for _, row in shown.iterrows():
            if label == "toutes" or (label == "signaux" and row["signal"]):
                ax.annotate(
                    _ml_name(row),
                    (row["attendus"], row["ratio"]),
                    xytext=(4, 3),
                    textcoords="offset points",
                    fontsize=7.5,
                )
        # lazy: matplotlib (about 0.5 s) loads with the first figure, not with the package
        from matplotlib.ticker import LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.set_xlim(e_min, e_max)
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(loc="upper right", fontsize=8)
    else:
        ax.text(
            0.5,
            0.5,
            "Aucune Mission Locale assez grande pour être représentée",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    _number_axis(ax, "x")
    _number_axis(ax, "y", digits=1)
    ax.set_xlabel("Entrées attendues compte tenu du profil des jeunes (échelle log)")
    ax.set_ylabel("Rapport observé / attendu")
    ax.set_title(
        f"{ADJUSTED_OUTCOMES[indicateur]} en {comp.year} : écart à l'attendu "
        "par Mission Locale\n(un point hors des limites est un signal à discuter, "
        "pas un classement)"
    )
    ax.grid(axis="y", color="#eeeeee", lw=0.6)
    notes = []
    if comp.limites == "surdispersion":
        # plain words in the image: the method's name and factor are the
        # « Méthodes » annex's
        notes.append(
            "Limites élargies pour tenir compte des écarts entre Missions Locales "
            "plus grands que le hasard."
        )
    if n_hidden:
        notes.append(
            (
                f"{n_hidden} Missions Locales non représentées"
                if n_hidden > 1
                else "1 Mission Locale non représentée"
            )
            + f" : moins de {min_denominator} jeunes accompagnés ou moins de "
            f"{threshold} entrées."
        )
    _note(fig, " ".join(notes))
    data = pd.DataFrame(
        {
            "Mission Locale": [_ml_name(r) for _, r in shown.iterrows()],
            "Rapport observé / attendu": shown["ratio"].round(2).to_numpy(),
            # a model's estimate, not a head count: always with its decimal
            "Entrées attendues": [fr_num(v, 1) for v in shown["attendus"]],
            "Signal": shown["signal"].fillna("").replace("", "dans les limites"),
        }
    )
    return attach_data(fig, data, ordered=False)


# ------------------------------------------------------------------ bars
def outcomes_figure(
    res: TrainingOutcomes,
    dimension: str = "ensemble",
    *,
    horizon: int = 6,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
) -> Figure:
    """Bars of the situation after leaving a Region-funded training.

    Parameters
    ----------
    res : TrainingOutcomes
        Result of :func:`outcomes_after_training`.
    dimension : str
        ``ensemble`` (both horizons side by side) or a breakdown
        (``sous_categorie``, ``code_ml``, a profile column): one group of bars
        per modality at ``horizon``.
    horizon : int
        Months after the exit (used when ``dimension`` is not ``ensemble``).
    threshold, min_denominator : int
        Shares over fewer than ``min_denominator`` observed exits, or whose
        count is masked, are not drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check(dimension, list(DIMENSION_LABELS), "dimension")
    t = res.table.loc[res.table["dimension"] == dimension]
    if dimension != "ensemble":
        t = t.loc[t["horizon_mois"] == int(horizon)]
    ok = (t["n_observes"] >= min_denominator) & ~_masked(t["n_situation"], threshold)
    groups = (
        [f"{h} mois" for h in sorted(t["horizon_mois"].unique())]
        if dimension == "ensemble"
        else modality_order(dimension, t["modalite"].unique())
    )
    key = (
        t["horizon_mois"].map(lambda h: f"{h} mois")
        if dimension == "ensemble"
        else t["modalite"]
    )
    fig, ax = _new_figure(height=max(3.2, 0.5 * len(groups) * 1.6 + 1.4))
    outcomes = list(OUTCOME_LABELS)
    height = 0.8 / len(outcomes)
    y = np.arange(len(groups))
    hidden = 0
    plotted = {"Groupe": [
        g if dimension == "ensemble" else modality_label(dimension, g) for g in groups
    ]}  # fmt: skip
    for j, outcome in enumerate(outcomes):
        sel = t["resultat"] == outcome
        vals, los, his = [], [], []
        for g in groups:
            row = t.loc[sel & (key == g)]
            if len(row) and bool(ok.loc[row.index].iloc[0]):
                r = row.iloc[0]
                vals.append(r["part"])
                los.append(max(0.0, r["part"] - r["ic_bas"]))
                his.append(max(0.0, r["ic_haut"] - r["part"]))
            else:
                hidden += int(len(row) > 0)
                vals.append(np.nan)
                los.append(0.0)
                his.append(0.0)
        plotted[OUTCOME_LABELS[outcome]] = vals
        pos = y + (j - (len(outcomes) - 1) / 2) * height
        ax.barh(
            pos,
            vals,
            height=height * 0.9,
            color=PALETTE[j],
            label=OUTCOME_LABELS[outcome],
            xerr=[los, his],
            error_kw={"elinewidth": 0.8, "ecolor": "#222222", "capsize": 0},
        )
    ax.set_yticks(
        y,
        groups
        if dimension == "ensemble"
        else [modality_label(dimension, g) for g in groups],
    )
    ax.invert_yaxis()
    top = t.loc[ok, "ic_haut"].max() if ok.any() else 1.0
    ax.set_xlim(0, min(1.0, max(0.1, float(top) * 1.15)))
    _percent_axis(ax, "x")
    ax.set_xlabel("Part des sortants observés")
    what = (
        "après la sortie"
        if dimension == "ensemble"
        else f"{horizon} mois après la sortie, selon : "
        f"{_lower(DIMENSION_LABELS.get(dimension, dimension))}"
    )
    ax.set_title(
        "Situation des jeunes sortis d'une formation financée par la Région "
        f"en {_fr_period(res.period)}\n{what}"
    )
    ax.set_axisbelow(True)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    notes = []
    if hidden:
        notes.append(
            f"Parts non représentées (moins de {min_denominator} jeunes observés "
            f"ou moins de {threshold} en situation) : {hidden}."
        )
    excluded = {h: n for h, n in res.n_exclus_horizon.items() if n}
    if excluded:
        notes.append(
            "Sortants pas encore observables à la date d'extraction, exclus : "
            + ", ".join(
                f"{_show_counts([n], threshold)[0]} à {h} mois"
                for h, n in excluded.items()
            )
            + "."
        )
    _note(fig, " ".join(notes))
    labels = [OUTCOME_LABELS[o] for o in outcomes]
    return attach_data(fig, pd.DataFrame(plotted), percent=labels, ordered=False)


def _ml_name(row: pd.Series) -> str:
    """The ML's name as the report's tables and charts write it, never its code alone."""
    name = row.get("nom_ml")
    if name is None or pd.isna(name) or not str(name):
        return plain(str(row["code_ml"]))
    return plain(fr_ml_name(name))
