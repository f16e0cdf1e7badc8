"""Sections of the reports: the shared inputs, then what each notebook cell shows.

The batch calls :func:`compute_shared` once per run: it computes every table the
reports show (indicators, key figures, monthly follow-up, trajectory typology,
evaluation, targets, animation review), applies disclosure control, and keeps only
aggregates, so the cache a notebook reads holds no row-level data and no
``id_jeune``. Each public function below returns one block of report HTML
(:class:`~observatoire.reports._style.Html`): a notebook cell is one call.

Every section degrades gracefully: when a part cannot be computed (an empty
cohort, a model that does not converge, a module that fails), the shared step
records a French message in place of the table and the section shows it, so the
rest of the report is still produced.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from . import _style as st
from ._params import RunParams

logger = logging.getLogger(__name__)

#: rates whose denominator is below this are not published (data contract)
MIN_DENOMINATOR = 20

#: French labels of the contract indicators as report readers see them
LABELS: dict[str, str] = {
    "jeunes_en_contact": "Jeunes en contact",
    "jeunes_accompagnes": "Jeunes accompagnés",
    "premiers_accueils": "Premiers accueils",
    "entretiens": "Entretiens individuels",
    "entrees_formation": "Entrées en formation",
    "entrees_formation_region": "dont financées par la Région",
    "entrees_alternance": "Entrées en alternance",
    "entrees_emploi": "Entrées en emploi",
    "entrees_emploi_durable": "dont emploi durable",
    "entrees_emploi_sortants_formation_region": "dont sortants de formation Région",
    "taux_formation": "Taux d'entrée en formation",
    "taux_formation_region": "Taux d'entrée en formation Région",
    "taux_alternance": "Taux d'entrée en alternance",
    "taux_emploi": "Taux d'entrée en emploi",
}

RATE_NAMES: tuple[str, ...] = (
    "taux_formation",
    "taux_formation_region",
    "taux_alternance",
    "taux_emploi",
)

#: counts shown in the per-unit tables, in order
TABLE_COUNTS: tuple[str, ...] = (
    "jeunes_accompagnes",
    "premiers_accueils",
    "entretiens",
    "entrees_formation",
    "entrees_formation_region",
    "entrees_alternance",
    "entrees_emploi",
    "entrees_emploi_durable",
    "entrees_emploi_sortants_formation_region",
)

#: mask codes of a protected table and how a reader sees them
MASK_LABELS = {"primaire": None, "secondaire": "s", "denominateur": "n.d."}


# ============================================================== shared inputs
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


def compute_shared(wh: Any, params: RunParams) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every table the reports share, protected, and the run's description.

    Parameters
    ----------
    wh : Warehouse
        The loaded extract.
    params : RunParams
        Resolved parameters (``year`` and ``month`` are numbers).

    Returns
    -------
    tables : dict
        Name -> protected aggregate table (or result object) for the reports.
    meta : dict
        Year, month, threshold, synthetic flag, extraction date, ML labels and
        departments, and the French messages of parts that failed.
    """
    from .. import indicators

    year, month, threshold = params.year, params.month, params.disclosure_threshold
    ml = wh.missions_locales[["code_ml", "nom_ml", "departement"]].copy()
    dates = wh.evenements["date_evenement"]
    extraction = wh.extraction_date if wh.extraction_date is not None else dates.max()
    messages: dict[str, str] = {}
    tables: dict[str, Any] = {"missions_locales": ml}

    def protect(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
        return _protect(frame, threshold)

    declared = None
    if params.targets:  # a bad target file is a parameter error: before any work
        from .. import targets as targets_module

        declared = targets_module.load_targets(params.targets, wh.missions_locales)

    # the trajectory typology runs on the other core while this one computes
    # the rest (see _in_background); its figures come back as HTML
    pending_trajectories = _in_background(_trajectory_blocks, wh, year, threshold)

    annual = indicators.compute(wh, str(year))
    tables["annuel"] = protect(annual)
    monthly = indicators.compute(wh, str(year), monthly=True)
    tables["mensuel"] = protect(monthly)
    has_previous = bool((dates.dt.year == year - 1).any())
    if has_previous:
        tables["annuel_n_1"] = protect(indicators.compute(wh, str(year - 1)))
        tables["mensuel_n_1"] = protect(
            indicators.compute(wh, str(year - 1), monthly=True)
        )
    hierarchy = indicators.hierarchy(wh)
    tables["chiffres_cles"] = _protect_figures(
        indicators.key_figures(wh, year, levels=("ml", "departement", "region")),
        threshold,
        hierarchy,
    )
    tables["suivi"] = _protect_figures(
        indicators.monthly_followup(wh, year, month), threshold, hierarchy
    )
    if declared is not None:
        tables["objectifs"] = _safely(
            "objectifs",
            messages,
            lambda: targets_module.progress(
                wh, declared, year, month, disclosure_threshold=threshold
            ),
        )
    else:
        messages["objectifs"] = (
            "Aucun fichier d'objectifs n'est déclaré pour cette exécution."
        )
    evaluation_blocks = _safely(
        "evaluation_regionale",
        messages,
        lambda: _evaluation_blocks(wh, year, threshold),
    )
    if evaluation_blocks is not None:
        tables["evaluation_regionale"], tables["evaluation_ml"] = evaluation_blocks
    trajectories = _safely("trajectoires", messages, pending_trajectories)
    if trajectories is not None:
        # two tables: an ML report reads only its small part, not the study's images
        tables["trajectoires"] = trajectories["etude"]
        tables["trajectoires_ml"] = trajectories["ml"]
    if wh.animations is not None and len(wh.animations):
        # the ARML's log is about institutions (MLs, staff), not young people
        from .. import animation

        tables["animation"] = {
            "animations": wh.animations,
            "animations_participations": wh.animations_participations,
            "missions_locales": wh.missions_locales,
        }
        tables["animation_annee"] = _safely(
            "animation", messages, lambda: animation.resolve_year(wh, "auto")
        )
    meta = {
        "year": year,
        "month": month,
        "disclosure_threshold": threshold,
        "min_denominator": MIN_DENOMINATOR,
        "synthetic": bool(wh.synthetic),
        "extraction_date": str(pd.Timestamp(extraction).date()),
        "first_date": str(pd.Timestamp(dates.min()).date()) if len(dates) else None,
        "labels": dict(
            zip(ml["code_ml"].astype(str), ml["nom_ml"].astype(str), strict=True)
        ),
        "departements": dict(
            zip(ml["code_ml"].astype(str), ml["departement"].astype(str), strict=True)
        ),
        "has_previous_year": has_previous,
        "messages": messages,
    }
    return tables, meta


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
    import multiprocessing as mp
    import os
    import sys
    from concurrent.futures import ProcessPoolExecutor

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


# ================================================================ disclosure
def _protect(frame: pd.DataFrame, threshold: int) -> dict[str, pd.DataFrame]:
    """Disclosure control of an indicator table: ``{"values", "mask"}``.

    ``values`` is the table with every masked cell set to NaN; ``mask`` has the
    same shape and holds, per cell, ``""`` (published) or the reason it is
    hidden (``primaire``, ``secondaire``, ``denominateur``).
    """
    from .. import disclosure

    protected = disclosure.protect(
        frame, threshold=threshold, min_denominator=MIN_DENOMINATOR
    )
    values = protected.masked_values()
    for col in values.columns:
        if isinstance(values[col].dtype, pd.Int64Dtype | pd.Float64Dtype):
            values[col] = values[col].astype(float)
    return {"values": values, "mask": protected.reasons.copy()}


def _protect_figures(
    frame: pd.DataFrame, threshold: int, hierarchy: pd.DataFrame
) -> pd.DataFrame:
    """Disclosure control of a tidy key-figure or follow-up table.

    Hidden cells become NaN; ``valeur_masque`` and ``valeur_n_1_masque`` give
    the reason (``""`` when shown), see :func:`observatoire.disclosure.protect_figures`.
    """
    from .. import disclosure

    return disclosure.protect_figures(
        frame, threshold=threshold, min_denominator=MIN_DENOMINATOR, hierarchy=hierarchy
    )


# ================================================================== display
def _cell(value: Any, reason: str, threshold: int, kind: str = "count") -> str:
    """One cell as a reader sees it: a French number or a mask sign."""
    if reason:
        return MASK_LABELS.get(reason) or f"< {threshold}"
    if kind == "rate":
        return st.fr_pct(value)
    if kind == "ratio":
        from ..formatting import fr_num

        return fr_num(value)
    return st.fr_int(value)


def _rows(inputs, name: str, **where: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of a protected table matching ``where`` (values and mask)."""
    table = inputs[name]
    values, mask = table["values"], table["mask"]
    keep = np.ones(len(values), dtype=bool)
    for col, wanted in where.items():
        wanted = wanted if isinstance(wanted, list | tuple | set) else [wanted]
        keep &= values[col].astype(str).isin([str(w) for w in wanted]).to_numpy()
    return values[keep], mask[keep]


def _display_table(
    values: pd.DataFrame,
    mask: pd.DataFrame,
    threshold: int,
    counts: tuple[str, ...],
    rates: tuple[str, ...],
    first: dict[str, str],
) -> pd.DataFrame:
    """Display strings for a wide indicator table; ``first`` names key columns."""
    out = pd.DataFrame(index=values.index)
    for col, label in first.items():
        out[label] = values[col].astype(str)
    for col in counts:
        out[LABELS[col]] = [
            _cell(v, r, threshold) for v, r in zip(values[col], mask[col], strict=True)
        ]
    for col in rates:
        out[LABELS[col]] = [
            _rate_with_interval(values, mask, i, col, threshold)
            for i in range(len(values))
        ]
    return out.reset_index(drop=True)


def _rate_with_interval(values, mask, i: int, col: str, threshold: int) -> str:
    reason = mask[col].iloc[i]
    if reason:
        return _cell(np.nan, reason, threshold)
    v = values[col].iloc[i]
    if pd.isna(v):
        return "–"
    lo, hi = values[f"{col}_ic_bas"].iloc[i], values[f"{col}_ic_haut"].iloc[i]
    return f"{st.fr_pct(v)} [{st.fr_pct(lo)} ; {st.fr_pct(hi)}]"


def _message(inputs, name: str) -> st.Html | None:
    text = inputs.meta.get("messages", {}).get(name)
    return st.paragraph(st.esc(text), "avertissement") if text else None


# =================================================================== titles
def title(inputs, kind: str, code_ml: str | None = None) -> st.Html:
    """The report's title, subtitle, synthetic banner and disclosure conventions."""
    meta = inputs.meta
    text = st.report_title(kind, meta, code_ml)
    sub = (
        f"Données jusqu'à fin {st.fr_month(inputs.year, inputs.month)}, "
        f"extrait du {st.fr_date_long(pd.Timestamp(meta['extraction_date']))}."
    )
    return st.join(
        st.heading(text, 1),
        st.paragraph(st.esc(sub), "sous-titre"),
        st.banner(inputs.synthetic),
        st.conventions(inputs.threshold, MIN_DENOMINATOR),
    )


def ml_code(inputs, code_ml: str | None) -> str:
    """``code_ml``, or the first ML of the extract when None."""
    return code_ml if code_ml else sorted(inputs.meta["labels"])[0]


# ============================================================= key figures
_CARDS = (
    ("jeunes_accompagnes", "jeunes accompagnés"),
    ("premiers_accueils", "premiers accueils"),
    ("entretiens", "entretiens individuels"),
    ("entrees_formation", "entrées en formation"),
    ("entrees_formation_region", "dont financées par la Région"),
    ("entrees_alternance", "entrées en alternance"),
    ("entrees_emploi", "entrées en emploi"),
    ("aides_permis_b_nombre", "aides au permis B"),
)


def _key_rows(inputs, level: str, code: str) -> pd.DataFrame:
    """The protected key figures of one unit, indexed by ``indicateur``."""
    kf = inputs["chiffres_cles"]
    rows = kf[(kf["niveau"] == level) & (kf["code"].astype(str) == str(code))]
    return rows.set_index("indicateur")


def key_figures(inputs, level: str = "region", code: str = "NAQ") -> st.Html:
    """Cards of the year's key figures with the change from the year before."""
    rows = _key_rows(inputs, level, code)
    cards = []
    for name, label in _CARDS:
        if name not in rows.index:
            continue
        r = rows.loc[name]
        value = _cell(r["valeur"], r["valeur_masque"], inputs.threshold)
        note = _change_note(r)
        cards.append((value, label, note))
    intro = (
        f"Activité de l'année {inputs.year} jusqu'à fin "
        f"{st.fr_month(inputs.year, inputs.month)}, comparée à l'année précédente."
    )
    return st.join(
        st.heading(f"Chiffres clés {inputs.year}"),
        st.paragraph(st.esc(intro)),
        st.key_figures_cards(cards),
    )


def _change_note(row: pd.Series) -> str | None:
    from ..formatting import fr_signed_pct

    if pd.isna(row.get("evolution_relative")):
        return None
    return f"{fr_signed_pct(row['evolution_relative'])} sur un an"


# ======================================================== per-unit tables
def departments_table(inputs) -> st.Html:
    """The Article 4 indicators of the year per department and for the region."""
    values, mask = _rows(inputs, "annuel", niveau=["departement", "region"])
    shown = _display_table(
        values,
        mask,
        inputs.threshold,
        TABLE_COUNTS[:7],
        ("taux_formation", "taux_emploi"),
        {"libelle": "Territoire"},
    )
    return st.join(
        st.heading("Par département"),
        st.table(
            shown,
            caption=f"Indicateurs de l'article 4 par département, {inputs.year}",
            numeric=list(shown.columns[1:]),
            total_last=True,
            guide=(
                "Un jeune suivi par deux Missions Locales de départements différents "
                "compte dans chacun, mais une seule fois pour la région : le total "
                "régional peut être inférieur à la somme des départements."
            ),
        ),
    )


def missions_locales_table(inputs, code_ml: str | None = None) -> st.Html:
    """The 43 Missions Locales side by side (counts and rates with intervals)."""
    values, mask = _rows(inputs, "annuel", niveau="ml")
    shown = _display_table(
        values,
        mask,
        inputs.threshold,
        (
            "jeunes_accompagnes",
            "entrees_formation",
            "entrees_alternance",
            "entrees_emploi",
        ),
        RATE_NAMES,
        {"libelle": "Mission Locale"},
    )
    dep = values["code"].astype(str).map(inputs.meta["departements"])
    shown.insert(1, "Dép.", dep.to_numpy())
    return st.join(
        st.heading("Les Missions Locales côte à côte"),
        st.table(
            shown,
            caption=f"Indicateurs de l'article 4 par Mission Locale, {inputs.year}",
            numeric=list(shown.columns[2:]),
            guide=(
                "Chaque taux rapporte les entrées de l'année aux jeunes accompagnés "
                "(au moins un entretien individuel dans l'année) ; entre crochets, "
                "l'intervalle de confiance à 95 %. Deux Missions Locales dont les "
                "intervalles se chevauchent largement ne se distinguent pas."
            ),
        ),
    )


# ================================================================ dot plots
def rate_dotplot(inputs, rate: str, code_ml: str | None = None) -> st.Html:
    """Dot plot of one rate for every ML with its 95 % interval, sorted."""
    values, mask = _rows(inputs, "annuel", niveau="ml")
    region, _ = _rows(inputs, "annuel", niveau="region")
    ok = (mask[rate] == "").to_numpy() & values[rate].notna().to_numpy()
    v = values[ok].sort_values(rate)
    n_hidden = int((~ok).sum())
    fig, ax = st.new_figure(height=max(4.0, 0.16 * len(v) + 1.2))
    y = np.arange(len(v))
    colours = np.where(v["code"].astype(str) == str(code_ml), "#c0392b", "#1f4e79")
    ax.hlines(y, v[f"{rate}_ic_bas"], v[f"{rate}_ic_haut"], color="#9fb3c8", lw=1.6)
    ax.scatter(v[rate], y, color=colours, s=22, zorder=3)
    if len(region):
        ax.axvline(region[rate].iloc[0], color="#5a6270", ls="--", lw=1)
    ax.set_yticks(y, [_short(n) for n in v["libelle"]], fontsize=7)
    ax.set_xlabel(LABELS[rate])
    ax.set_title(f"{LABELS[rate]} par Mission Locale, {inputs.year}")
    st.apply_axes_style(ax, percent=True, axis="x")
    ax.grid(False, axis="y")
    guide = (
        "Chaque point est le taux d'une Mission Locale, le trait horizontal son "
        "intervalle de confiance à 95 % ; la ligne pointillée est le taux régional."
    )
    if code_ml:
        guide += " La Mission Locale du rapport est en rouge."
    if n_hidden:
        guide += (
            f" {n_hidden} Mission(s) Locale(s) sans taux publiable (moins de "
            f"{MIN_DENOMINATOR} jeunes accompagnés) n'apparaissent pas."
        )
    return st.figure(fig, alt=f"{LABELS[rate]} des Missions Locales", guide=guide)


def _short(name: str) -> str:
    return name.replace("Mission locale synthétique ", "ML ").replace(
        "Mission Locale ", "ML "
    )


def all_rate_dotplots(inputs) -> st.Html:
    """The four Article 4 rates as dot plots, one after the other."""
    return st.join(
        st.heading("Taux de l'article 4 : les Missions Locales et leur intervalle"),
        *(rate_dotplot(inputs, r) for r in RATE_NAMES),
    )


def ml_position_strip(inputs, code_ml: str) -> st.Html:
    """One strip per rate: every ML a light dot, this ML in red with its interval."""
    values, mask = _rows(inputs, "annuel", niveau="ml")
    region, _ = _rows(inputs, "annuel", niveau="region")
    fig, ax = st.new_figure(height=2.6)
    mine = (values["code"].astype(str) == str(code_ml)).to_numpy()
    hidden_mine = []
    for i, rate in enumerate(RATE_NAMES):
        y = len(RATE_NAMES) - 1 - i
        ok = (mask[rate] == "").to_numpy() & values[rate].notna().to_numpy()
        others = ok & ~mine
        jitter = np.linspace(-0.12, 0.12, int(others.sum()))
        ax.scatter(
            values.loc[others, rate], y + jitter, s=12, color="#9fb3c8", zorder=2
        )
        if len(region):
            ax.plot(
                [region[rate].iloc[0]] * 2, [y - 0.3, y + 0.3], color="#5a6270", lw=1.2
            )
        if (ok & mine).any():
            r = values[mine].iloc[0]
            ax.hlines(
                y, r[f"{rate}_ic_bas"], r[f"{rate}_ic_haut"], color="#c0392b", lw=2
            )
            ax.scatter([r[rate]], [y], s=40, color="#c0392b", zorder=3)
        else:
            hidden_mine.append(LABELS[rate])
    ax.set_yticks(range(len(RATE_NAMES)), [LABELS[r] for r in reversed(RATE_NAMES)])
    ax.set_title(f"Position parmi les Missions Locales, {inputs.year}")
    st.apply_axes_style(ax, percent=True, axis="x")
    ax.grid(False, axis="y")
    guide = (
        "Chaque point gris est une Mission Locale ; le point rouge est celle du "
        "rapport, avec son intervalle de confiance à 95 % ; le trait vertical gris "
        "est le taux régional."
    )
    if hidden_mine:
        guide += (
            " Non publiable ici (moins de "
            f"{MIN_DENOMINATOR} jeunes accompagnés ou effectif masqué) : "
            + ", ".join(hidden_mine).lower()
            + "."
        )
    return st.figure(
        fig, alt="Position de la Mission Locale pour chaque taux", guide=guide
    )


# ============================================================ monthly curves
def monthly_curves(
    inputs,
    level: str = "region",
    code: str = "NAQ",
    indicator: str = "jeunes_accompagnes",
) -> st.Html:
    """Month by month this year against the year before (``mois`` rows)."""
    cur, cur_mask = _rows(inputs, "mensuel", niveau=level, code=code, portee="mois")
    fig, ax = st.new_figure(height=3.2)
    months = np.arange(1, 13)
    labels = list(st.MOIS_COURTS)
    upto = inputs.month
    y_cur = _series(cur, cur_mask, indicator)[:upto]
    ax.plot(months[:upto], y_cur, marker="o", color="#1f4e79", label=str(inputs.year))
    if "mensuel_n_1" in _available(inputs):
        prev, prev_mask = _rows(
            inputs, "mensuel_n_1", niveau=level, code=code, portee="mois"
        )
        ax.plot(
            months,
            _series(prev, prev_mask, indicator),
            marker="o",
            ms=3,
            color="#9fb3c8",
            label=str(inputs.year - 1),
        )
    ax.set_xticks(months, labels)
    ax.set_ylim(bottom=0)
    ax.set_title(f"{LABELS[indicator]} par mois")
    ax.legend(loc="lower left")
    st.apply_axes_style(ax)
    hidden = int((cur_mask[indicator] != "").sum())
    guide = (
        f"Nombre de {LABELS[indicator].lower()} chaque mois de {inputs.year} "
        f"(bleu foncé), comparé à {inputs.year - 1} (bleu clair)."
    )
    if indicator not in ("premiers_accueils", "entretiens"):
        guide += " Un jeune vu plusieurs mois compte dans chacun de ces mois."
    if hidden:
        guide += (
            f" {hidden} mois masqué(s) par le secret statistique ne sont pas tracés."
        )
    return st.figure(fig, alt=f"{LABELS[indicator]} par mois", guide=guide)


def _series(values: pd.DataFrame, mask: pd.DataFrame, col: str) -> np.ndarray:
    ordered = values.assign(_m=mask[col].to_numpy()).sort_values("periode")
    out = ordered[col].to_numpy(dtype=float).copy()
    out[(ordered["_m"] != "").to_numpy()] = np.nan
    return out


def _available(inputs) -> set[str]:
    return set(inputs.meta.get("tables", [])) | set(getattr(inputs, "_tables", {}))


# ================================================================= profile
_PROFILE = (
    ("part_femmes", "Femmes"),
    ("part_age_16_17", "Mineurs (16-17 ans)"),
    ("part_age_18_21", "18-21 ans"),
    ("part_age_22_25", "22-25 ans"),
    ("part_age_26_plus", "26 ans et plus"),
    ("part_neet", "Ni en emploi, ni en études, ni en formation (NEET)"),
    ("part_sans_diplome", "Sans diplôme"),
    ("part_non_inscrits_france_travail", "Non inscrits à France Travail"),
    ("part_zrr", "Résidant en zone de revitalisation rurale"),
    ("part_qpv", "Résidant en quartier prioritaire (QPV)"),
)


def profile_table(inputs, level: str = "region", code: str = "NAQ") -> st.Html:
    """Profile of the young people accompanied, with last year for comparison."""
    sel = _key_rows(inputs, level, code)
    rows = []
    for name, label in _PROFILE:
        if name not in sel.index:
            continue
        r = sel.loc[name]
        rows.append(
            {
                "Caractéristique": label,
                str(inputs.year): _cell(
                    r["valeur"], r["valeur_masque"], inputs.threshold, "rate"
                ),
                str(inputs.year - 1): _cell(
                    r["valeur_n_1"], r["valeur_n_1_masque"], inputs.threshold, "rate"
                ),
            }
        )
    if not rows:
        return st.paragraph("Profil non disponible pour ce territoire.")
    shown = pd.DataFrame(rows)
    return st.join(
        st.heading("Profil des jeunes accompagnés"),
        st.table(
            shown,
            caption="Part des jeunes accompagnés dans l'année présentant chaque caractéristique",
            numeric=list(shown.columns[1:]),
            guide=(
                "Âge au premier accueil ; NEET, diplôme et inscription à France "
                "Travail tels que déclarés au premier accueil."
            ),
        ),
    )


# ================================================== support schemes and aids
_SCHEMES = (
    ("entrees_pacea", "Entrées en PACEA"),
    ("entrees_cej", "Entrées en Contrat d'engagement jeune (CEJ)"),
)


def schemes_and_aids(inputs, level: str = "region", code: str = "NAQ") -> st.Html:
    """Entries into support schemes and aids granted, with last year."""
    sel = _key_rows(inputs, level, code)
    sel = sel[sel["theme"].isin(["dispositifs", "aides"])]
    rows = []
    for name, r in sel.iterrows():
        label = _aid_label(name)
        unit = " €" if r["unite"] == "euros" else ""

        def shown(value: float, reason: str, unit: str = unit) -> str:
            text = _cell(value, reason, inputs.threshold)
            return text + unit if not reason and not pd.isna(value) else text

        rows.append(
            {
                "Indicateur": label,
                str(inputs.year): shown(r["valeur"], r["valeur_masque"]),
                str(inputs.year - 1): shown(r["valeur_n_1"], r["valeur_n_1_masque"]),
                "Évolution": _change_note(r) or "–",
            }
        )
    if not rows:
        return st.paragraph(
            "Aucun dispositif ni aide dans l'extrait pour ce territoire."
        )
    shown = pd.DataFrame(rows)
    return st.join(
        st.heading("Dispositifs d'accompagnement et aides"),
        st.table(
            shown,
            caption=f"Entrées en dispositif et aides attribuées, {inputs.year}",
            numeric=list(shown.columns[1:]),
            guide=(
                "Les entrées en dispositif comptent les jeunes dont le dispositif "
                "commence dans l'année ; les aides sont comptées à leur date "
                "d'attribution, montants en euros."
            ),
        ),
    )


_AID_WORDS = {
    "permis_b": "permis B",
    "sante": "santé",
    "numerique": "numérique",
    "mobilite_internationale": "mobilité internationale",
    "logement": "logement",
    "aide_alimentaire": "aide alimentaire",
    "allocation": "allocation",
    "autre": "autres",
    "total": "toutes",
}


def _aid_label(name: str) -> str:
    for scheme, label in _SCHEMES:
        if name == scheme:
            return label
    for key, word in _AID_WORDS.items():
        if f"_{key}_" in f"_{name}_":
            if name.endswith("montant_eur"):
                return f"Aides {word} : montant"
            if name.startswith("beneficiaires"):
                return f"Aides {word} : bénéficiaires"
            return f"Aides {word} : nombre"
    return name.replace("_", " ").capitalize()


# ========================================================= monthly follow-up
_FOLLOWUP = (
    ("jeunes_accompagnes", "mois", "Accompagnés (mois)"),
    ("jeunes_accompagnes", "cumul", "Accompagnés (cumul)"),
    ("premiers_accueils", "cumul", "Premiers accueils (cumul)"),
    ("entretiens", "cumul", "Entretiens (cumul)"),
    ("entrees_formation", "cumul", "Entrées en formation (cumul)"),
    ("entrees_alternance", "cumul", "Entrées en alternance (cumul)"),
    ("entrees_emploi", "cumul", "Entrées en emploi (cumul)"),
)


def followup_table(inputs) -> st.Html:
    """The month and year to date of every ML, with the change on a year."""
    from ..formatting import fr_signed_pct

    fu = inputs["suivi"]
    threshold = inputs.threshold
    key = ["niveau", "code", "libelle"]
    units = fu[key].drop_duplicates()
    units = units.assign(
        _o=units["niveau"].map({"ml": 0, "departement": 1, "region": 2})
    ).sort_values(["_o", "code"])
    units = units[units["niveau"].isin(["ml", "region"])]
    by = fu.set_index(["code", "indicateur", "portee"])
    rows = []
    for _, u in units.iterrows():
        row = {"Mission Locale": u["libelle"]}
        for ind, scope, label in _FOLLOWUP:
            try:
                r = by.loc[(u["code"], ind, scope)]
            except KeyError:
                row[label] = "–"
                continue
            r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
            value = _cell(r["valeur"], r["valeur_masque"], threshold)
            change = (
                ""
                if pd.isna(r["evolution_relative"])
                else f" ({fr_signed_pct(r['evolution_relative'], 0)})"
            )
            row[label] = value + change
        rows.append(row)
    shown = pd.DataFrame(rows)
    month = st.fr_month(inputs.year, inputs.month)
    return st.join(
        st.heading(f"Suivi de {month} par Mission Locale"),
        st.table(
            shown,
            caption=(
                f"Activité du mois de {month} et cumul depuis janvier, évolution sur "
                "un an entre parenthèses"
            ),
            numeric=list(shown.columns[1:]),
            total_last=True,
            guide=(
                "« mois » : le seul mois de "
                f"{month} ; « cumul » : de janvier à fin {month}, chaque jeune "
                "compté une fois. Entre parenthèses, l'évolution par rapport à la "
                f"même période de {inputs.year - 1}."
            ),
        ),
    )


def followup_heatmap(inputs) -> st.Html:
    """Change on a year of the month's accompanied, per ML, as a bar chart."""
    fu = inputs["suivi"]
    sel = fu[
        (fu["niveau"] == "ml")
        & (fu["indicateur"] == "jeunes_accompagnes")
        & (fu["portee"] == "cumul")
    ].dropna(subset=["evolution_relative"])
    sel = sel.sort_values("evolution_relative")
    fig, ax = st.new_figure(height=max(4.0, 0.16 * len(sel) + 1.2))
    colours = np.where(sel["evolution_relative"] >= 0, "#1f4e79", "#c0392b")
    ax.barh(np.arange(len(sel)), sel["evolution_relative"], color=colours)
    ax.set_yticks(np.arange(len(sel)), [_short(n) for n in sel["libelle"]], fontsize=7)
    ax.axvline(0, color="#5a6270", lw=0.8)
    ax.set_title("Jeunes accompagnés depuis janvier : évolution sur un an")
    st.apply_axes_style(ax, percent=True, axis="x")
    ax.grid(False, axis="y")
    return st.figure(
        fig,
        alt="Évolution sur un an du nombre de jeunes accompagnés par Mission Locale",
        guide=(
            "Chaque barre compare le nombre de jeunes accompagnés de janvier à fin "
            f"{st.fr_month(inputs.year, inputs.month)} à la même période de l'année "
            "précédente : à droite une hausse, à gauche (en rouge) une baisse."
        ),
    )


# ==================================================== Mission Locale report
def ml_key_figures(inputs, code_ml: str) -> st.Html:
    """Key figures of one ML: January to the month, against the same months last year."""
    v, m = _rows(
        inputs,
        "mensuel",
        niveau="ml",
        code=code_ml,
        portee="cumul",
        periode=f"{inputs.year}-{inputs.month:02d}",
    )
    prev_v = prev_m = None
    if "mensuel_n_1" in _available(inputs):
        prev_v, prev_m = _rows(
            inputs,
            "mensuel_n_1",
            niveau="ml",
            code=code_ml,
            portee="cumul",
            periode=f"{inputs.year - 1}-{inputs.month:02d}",
        )
    cards = []
    for name, label in _CARDS:
        if name not in v.columns:
            continue
        value = _cell(v[name].iloc[0], m[name].iloc[0], inputs.threshold)
        note = None
        if prev_v is not None and len(prev_v):
            p, pr = prev_v[name].iloc[0], prev_m[name].iloc[0]
            if not pr and not m[name].iloc[0] and p:
                from ..formatting import fr_signed_pct

                note = f"{fr_signed_pct(v[name].iloc[0] / p - 1)} sur un an"
        cards.append((value, label, note))
    label = inputs.meta["labels"].get(code_ml, code_ml)
    return st.join(
        st.heading("Chiffres clés"),
        st.paragraph(
            st.esc(
                f"{label} : de janvier à fin {st.fr_month(inputs.year, inputs.month)}, "
                f"comparé à la même période de {inputs.year - 1}."
            )
        ),
        st.key_figures_cards(cards),
    )


def ml_position(inputs, code_ml: str) -> st.Html:
    """The ML's rates next to its department and the region."""
    dep = inputs.meta["departements"].get(code_ml)
    rows = []
    for level, code in (("ml", code_ml), ("departement", dep), ("region", "NAQ")):
        v, m = _rows(inputs, "annuel", niveau=level, code=code)
        if len(v):
            rows.append((v, m))
    values = pd.concat([r[0] for r in rows])
    mask = pd.concat([r[1] for r in rows])
    shown = _display_table(
        values,
        mask,
        inputs.threshold,
        ("jeunes_accompagnes",),
        RATE_NAMES,
        {"libelle": "Territoire"},
    )
    ranks = _rank_line(inputs, code_ml)
    return st.join(
        st.heading("Indicateurs de l'article 4 et position"),
        ml_position_strip(inputs, code_ml),
        st.table(
            shown,
            caption=(
                f"Taux d'entrée de l'année {inputs.year} : la Mission Locale, son "
                "département et la région"
            ),
            numeric=list(shown.columns[1:]),
            guide=(
                "Entre crochets, l'intervalle de confiance à 95 % (Wilson). " + ranks
            ),
        ),
    )


def _rank_line(inputs, code_ml: str) -> str:
    values, mask = _rows(inputs, "annuel", niveau="ml")
    parts = []
    for rate in ("taux_formation", "taux_emploi"):
        ok = (mask[rate] == "") & values[rate].notna()
        v = values[ok]
        if str(code_ml) not in set(v["code"].astype(str)):
            continue
        mine = v.loc[v["code"].astype(str) == str(code_ml), rate].iloc[0]
        above = int((v[rate] > mine).sum())
        parts.append(
            f"{LABELS[rate]} : {above} Mission(s) Locale(s) sur {len(v)} ont un taux "
            "plus élevé"
        )
    if not parts:
        return ""
    return (
        "; ".join(parts)
        + ". Un rang ne dit pas à lui seul si l'écart est réel : voir les intervalles."
    )


def ml_monthly_curves(inputs, code_ml: str) -> st.Html:
    """Monthly accompanied and entries of one ML against the year before."""
    return st.join(
        st.heading("Mois par mois"),
        monthly_curves(inputs, "ml", code_ml, "jeunes_accompagnes"),
        monthly_curves(inputs, "ml", code_ml, "premiers_accueils"),
    )


def regional_trends(inputs) -> st.Html:
    """Regional monthly curves: accompanied, first receptions, entries."""
    return st.join(
        st.heading("Tendances mois par mois"),
        monthly_curves(inputs, "region", "NAQ", "jeunes_accompagnes"),
        monthly_curves(inputs, "region", "NAQ", "entrees_formation"),
        monthly_curves(inputs, "region", "NAQ", "entrees_emploi"),
    )


# ================================================= parts computed elsewhere
def _part(inputs, name: str) -> Any:
    """A shared part, or None when it is absent or failed."""
    if name not in _available(inputs):
        return None
    try:
        return inputs[name]
    except (KeyError, OSError):
        return None


def _unavailable(inputs, name: str, heading: str) -> st.Html:
    text = inputs.meta.get("messages", {}).get(name) or (
        "Cette partie n'est pas disponible pour cette exécution."
    )
    return st.join(st.heading(heading), st.paragraph(st.esc(text), "avertissement"))


def targets(inputs) -> st.Html:
    """Progress against the agreement's targets (see :mod:`observatoire.targets`)."""
    from .. import targets as targets_module

    heading = "Objectifs de la convention"
    part = _part(inputs, "objectifs")
    if part is None:
        return _unavailable(inputs, "objectifs", heading)
    if not len(part):
        return st.join(
            st.heading(heading),
            st.paragraph(f"Aucun objectif n'est déclaré pour {inputs.year}."),
        )
    fig = targets_module.progress_chart(part, disclosure_threshold=inputs.threshold)
    styler = targets_module.progress_table(part, disclosure_threshold=inputs.threshold)
    month = st.fr_month(inputs.year, inputs.month)
    return st.join(
        st.heading(heading),
        st.paragraph(
            st.esc(
                f"Où en est-on, à fin {month}, des objectifs fixés pour {inputs.year} ? "
                "Les cibles marquées « convention 2022-2024 » reprennent les chiffres "
                "de la convention entre la Région et le réseau."
            )
        ),
        st.figure(
            fig,
            alt="Avancement de chaque objectif en pourcentage de sa cible",
            guide=(
                "Chaque ligne est un objectif, en pourcentage de sa cible (trait noir "
                "à 100 %) : la barre foncée est le réalisé depuis janvier, la barre "
                "claire la projection au 31 décembre, le losange gris le réalisé à la "
                "même date l'an dernier. La projection suppose que la fin de l'année "
                "suit le profil saisonnier moyen des années précédentes."
            ),
        ),
        st.Html(
            '<div class="table-wrap">'
            + styler.set_uuid("objectifs")
            .set_caption(st.esc(f"Objectifs {inputs.year}, à fin {month}"))
            .set_table_attributes('class="tableau"')
            .to_html()
            + "</div>"
        ),
    )


def _shown(
    inputs, name: str, heading: str, *, code: str | None = None, why: str | None = None
) -> st.Html:
    """A block the shared step rendered (for one ML when ``code``), or why not.

    ``why`` names the part whose failure message explains an absence (default
    ``name``).
    """
    part = _part(inputs, name)
    if part is not None and code is not None:
        part = part.get(code)
    return part if part is not None else _unavailable(inputs, why or name, heading)


def evaluation_regional(inputs) -> st.Html:
    """Evaluation sections of the regional report."""
    return _shown(inputs, "evaluation_regionale", "Évaluation")


def evaluation_ml(inputs, code_ml: str) -> st.Html:
    """Evaluation sections of one ML's report."""
    return _shown(
        inputs, "evaluation_ml", "Évaluation", code=code_ml, why="evaluation_regionale"
    )


def trajectories_study(inputs) -> st.Html:
    """The observatory's study of paths (cohort, typology, plots)."""
    return _shown(inputs, "trajectoires", "Trajectoires")


def ml_trajectories(inputs, code_ml: str) -> st.Html:
    """The ML's cohort across the regional typology."""
    return _shown(
        inputs,
        "trajectoires_ml",
        "Trajectoires des jeunes",
        code=code_ml,
        why="trajectoires",
    )


# ================================================================= methods
def method_notes(inputs) -> st.Html:
    """Definitions, source and conventions, at the end of every report."""
    from ..indicators import DEFINITIONS

    items = "".join(
        f"<li><b>{st.esc(label)}</b> : {st.esc(text)}</li>"
        for k, (label, text) in DEFINITIONS.items()
        if k in LABELS
    )
    source = (
        "Source : extrait de l'entrepôt régional i-milo"
        + (
            " — données synthétiques générées pour la démonstration"
            if inputs.synthetic
            else ""
        )
        + f", extraction du {st.fr_date_long(pd.Timestamp(inputs.meta['extraction_date']))}."
    )
    return st.join(
        st.heading("Définitions et méthode"),
        st.paragraph(st.esc(source)),
        st.Html(f"<ul>{items}</ul>"),
        st.paragraph(
            st.esc(
                "Un jeune est compté une fois par case : les chiffres d'un "
                "département ou de la région comptent des jeunes distincts, un "
                "cumul depuis janvier compte chaque jeune une fois sur les mois "
                "écoulés."
            )
        ),
    )


# =============================================================== evaluation
def _frame_html(frame: pd.DataFrame, caption: str, guide: str | None = None) -> st.Html:
    """An evaluation table (strings already protected) as a styled table."""
    numeric = [
        c
        for c in frame.columns
        if c not in ("Indicateur", "Mission Locale", "Ventilation", "Modalité")
        and c not in ("Situation", "Remarque", "Horizon", "Caractéristique (référence)")
        and not c.startswith("Position")
    ]
    return st.table(frame, caption=caption, numeric=numeric, guide=guide)


def _evaluation_blocks(
    wh: Any, year: int, threshold: int
) -> tuple[st.Html, dict[str, st.Html]]:
    """The evaluation sections: regional block and one block per ML.

    Rendered in the shared step from the model results, which hold row-level
    data and therefore never reach the cache: only protected tables and
    figures do. Exits and the first-reception cohort are those of the year
    before, so that 6 and 12 months after them are observed.
    """
    from .. import evaluation as ev

    guide = ev.reading_guide
    opts = {"threshold": threshold, "min_denominator": MIN_DENOMINATOR}
    cohort_year = year - 1
    # MLs differ more than chance alone explains (local labour markets, offer):
    # limits widened for overdispersion keep the signals to the real outliers
    comp = ev.compare_missions_locales(wh, year, overdispersion=True)
    outs = ev.outcomes_after_training(wh, cohort_year)
    surv = ev.time_to_employment(wh, cohort_year)

    notes = [m for m in (comp.message, *comp.messages.values()) if m]
    region = [
        st.heading("Évaluation"),
        st.paragraph(
            st.esc(
                "Trois regards complémentaires sur l'insertion : ce que deviennent "
                "les sortants de formation financée par la Région, le délai d'accès "
                "au premier emploi, et une comparaison des Missions Locales qui tient "
                "compte du profil des jeunes qu'elles accompagnent."
            )
        ),
        st.heading(
            f"Après une formation financée par la Région (sorties {cohort_year})", 3
        ),
        st.figure(
            ev.outcomes_figure(outs, **opts),
            alt="Situation des sortants de formation Région à 6 et 12 mois",
            guide=guide("barres_sorties"),
        ),
        _frame_html(
            ev.outcomes_table(outs, dimension="sous_categorie", horizon=6, **opts),
            f"Situation 6 mois après la sortie, par type de formation (sorties {cohort_year})",
            guide("sorties_formation"),
        ),
        st.heading(
            f"Délai d'accès au premier emploi (premiers accueils {cohort_year})", 3
        ),
        st.figure(
            ev.survival_figure(surv, "niveau_diplome", min_group=MIN_DENOMINATOR),
            alt="Part des jeunes encore sans emploi selon le temps écoulé, par diplôme",
            guide=guide("courbes_survie"),
        ),
        _frame_html(
            ev.medians_table(surv, variable="niveau_diplome", **opts),
            "Délai médian avant le premier emploi, par diplôme",
            guide("medianes"),
        ),
        _frame_html(
            ev.logrank_table(surv),
            "Le délai d'accès à l'emploi diffère-t-il selon le profil ? (log-rank)",
            guide("logrank"),
        ),
        _frame_html(
            ev.cox_table(surv),
            "Modèle de Cox : chances relatives d'accéder à un emploi selon le profil",
            guide("cox"),
        ),
        st.heading(f"Comparaison ajustée des Missions Locales ({year})", 3),
    ]
    for outcome in ("entrees_emploi", "entrees_formation"):
        region.append(
            st.figure(
                ev.funnel_figure(comp, outcome, threshold=threshold),
                alt=f"Entonnoir des rapports observé / attendu : {LABELS[outcome]}",
                guide=guide("entonnoir"),
            )
        )
    if notes:
        region.append(st.paragraph(st.esc(" ".join(notes)), "avertissement"))

    per_ml: dict[str, st.Html] = {}
    table = ev.comparison_table(comp, names=False, **opts)
    exits = ev.outcomes_table(outs, dimension="code_ml", horizon=6, **opts)
    for code in wh.missions_locales["code_ml"].astype(str):
        mine = table[table["Mission Locale"].astype(str) == code].drop(
            columns=["Mission Locale"]
        )
        mine_exits = exits[exits["Modalité"].astype(str) == code].drop(
            columns=["Ventilation", "Modalité"]
        )
        blocks = [
            st.heading("Évaluation"),
            st.heading(f"Entrées observées et attendues ({year})", 3),
            _frame_html(
                mine.reset_index(drop=True),
                "Entrées observées et attendues compte tenu du profil des jeunes",
                guide("rapports_oe"),
            ),
            st.heading(
                f"Sortants de formation financée par la Région ({cohort_year})", 3
            ),
        ]
        if len(mine_exits):
            blocks.append(
                _frame_html(
                    mine_exits.reset_index(drop=True),
                    "Situation 6 mois après la sortie de formation",
                    guide("sorties_formation"),
                )
            )
        else:
            blocks.append(
                st.paragraph("Aucune sortie de formation financée par la Région.")
            )
        per_ml[code] = st.join(*blocks)
    return st.join(*region), per_ml


# ============================================================= trajectories
#: length of the observed paths, in months from the month of first reception
TRAJECTORY_MONTHS = 24


def _trajectory_blocks(wh: Any, year: int, threshold: int) -> dict[str, Any]:
    """The trajectory study and each ML's share of the regional typology.

    The cohort is the young people first received two years before the report's
    year, so that their 24 months are observed by its end. Like the evaluation,
    it is rendered in the shared step: the sequences are row-level data and
    never reach the cache; only figures (aggregates) and protected tables do.
    """
    from .. import trajectories as tr

    cohort = year - 2
    typo = tr.cohort_typology(wh, cohort, months=TRAJECTORY_MONTHS)
    n = len(typo.labels)
    names = [typo.group_names[g] for g in sorted(typo.group_names)]
    intro = (
        f"Les parcours de la cohorte des {st.fr_int(n)} jeunes accueillis pour la "
        f"première fois en {cohort} sont suivis mois par mois pendant "
        f"{TRAJECTORY_MONTHS} mois à partir de leur premier accueil. Chaque mois "
        "reçoit un état (emploi durable, emploi, alternance, formation, immersion ou "
        "service civique, scolarité, accompagnement sans situation, sans contact). "
        f"Les parcours se regroupent en {typo.k} grands types : "
        + ", ".join(f"« {nm} »" for nm in names)
        + "."
    )
    profiles = typo.group_profiles.copy()
    shown = _profile_display(profiles, threshold)
    silhouette = typo.silhouette_by_k.rename(
        columns={"nb_groupes": "Nombre de types", "silhouette": "Silhouette moyenne"}
    )
    silhouette["Silhouette moyenne"] = [
        _fr_decimal(v, 3) for v in silhouette["Silhouette moyenne"]
    ]
    silhouette["retenu"] = np.where(silhouette["retenu"], "retenu", "")
    silhouette = silhouette.rename(columns={"retenu": "Choix"})
    study = st.join(
        st.heading(f"Cohorte {cohort} : {TRAJECTORY_MONTHS} mois de parcours"),
        st.paragraph(st.esc(intro)),
        st.figure(
            tr.plot_state_distribution(
                typo, title="Situation des jeunes mois après mois"
            ),
            alt="Répartition des situations de la cohorte mois par mois",
            guide=(
                "Chaque barre est un mois après le premier accueil ; ses couleurs "
                "donnent la part des jeunes dans chaque situation ce mois-là. On lit "
                "comment la part en emploi ou en formation monte au fil des mois, et "
                "comment celle des jeunes sans contact grandit."
            ),
        ),
        st.heading("Les types de parcours", 2),
        st.figure(
            tr.plot_state_distribution(typo, by_group=True),
            alt="Répartition des situations mois par mois, pour chaque type de parcours",
            guide=(
                "Un panneau par type de parcours, avec sa part dans la cohorte : le "
                "nom de chaque type vient des situations qui y dominent."
            ),
        ),
        st.figure(
            tr.plot_index(typo),
            alt="Parcours individuels rangés par type, sans identifiant",
            guide=(
                "Chaque ligne fine est le parcours d'un jeune de l'échantillon "
                "classé, sans identifiant, rangé avec les autres parcours de son "
                "type : la couleur dit la situation de chaque mois."
            ),
        ),
        st.figure(
            tr.plot_mean_time(typo),
            alt="Nombre moyen de mois passés dans chaque situation, par type",
            guide=(
                "Pour chaque type, combien de mois en moyenne les jeunes passent "
                "dans chaque situation sur les 24 mois."
            ),
        ),
        st.heading("Qui suit quel parcours ?", 2),
        st.table(
            shown,
            caption="Profil des jeunes de chaque type de parcours",
            numeric=list(shown.columns[1:]),
            guide=(
                "Lecture en ligne : par exemple la part de jeunes sans diplôme parmi "
                "ceux qui suivent ce type de parcours, à comparer à la dernière ligne "
                "(toute la cohorte)."
            ),
        ),
        st.heading("Passages d'une situation à l'autre", 2),
        st.figure(
            tr.plot_transition_rates(typo.sequences),
            alt="Taux de passage d'une situation à une autre d'un mois au suivant",
            guide=(
                "Probabilité, d'un mois au suivant, de passer de la situation en ligne "
                "à la situation en colonne ; la diagonale (rester) domine."
            ),
        ),
        st.heading("Méthode de la typologie", 2),
        st.paragraph(
            st.esc(
                "Les parcours sont comparés deux à deux par appariement optimal (OM), "
                "avec des coûts de substitution tirés des taux de transition observés "
                "(TRATE) et un coût d'insertion-suppression de 1, comme dans le "
                "logiciel TraMineR ; un échantillon tiré au sort est classé par "
                "partition autour des médoïdes (PAM), puis chaque jeune rejoint le type "
                "dont le parcours représentatif (médoïde) est le plus proche. Le "
                "nombre de types retenu maximise la silhouette moyenne, qui mesure si "
                "chaque parcours est plus proche de son type que des autres (de −1 à 1)."
            )
        ),
        st.figure(
            tr.plot_silhouette(typo),
            alt="Silhouette des parcours de l'échantillon, par type",
            guide=(
                "Chaque barre horizontale est un parcours de l'échantillon : une "
                "silhouette proche de 1 signifie un parcours bien rangé, négative un "
                "parcours plus proche d'un autre type."
            ),
        ),
        st.table(
            silhouette,
            caption="Silhouette moyenne selon le nombre de types",
            numeric=["Silhouette moyenne"],
        ),
    )
    per_ml = _ml_trajectory_blocks(typo, cohort, threshold)
    return {"etude": study, "ml": per_ml}


def _fr_decimal(value: float, digits: int) -> str:
    from ..formatting import fr_num

    return fr_num(value, digits)


def _profile_display(profiles: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Group profiles as French strings; groups under the threshold masked."""
    out = pd.DataFrame({"Type de parcours": profiles.index.astype(str)})
    small = profiles["Effectif"].between(1, threshold - 1).to_numpy()
    for col in profiles.columns:
        values = profiles[col].to_numpy()
        if col == "Effectif":
            text = [st.fr_int(v) for v in values]
        elif col.startswith("Âge"):
            text = [_fr_decimal(v, 1) for v in values]
        else:
            text = [st.fr_pct(v) for v in values]
        out[col] = np.where(small, f"< {threshold}", text)
    return out


def _ml_trajectory_blocks(typo: Any, cohort: int, threshold: int) -> dict[str, st.Html]:
    """Each ML's cohort across the regional types, against the region."""
    shares = typo.ml_shares
    region = typo.group_profiles
    overall = region["Part de la cohorte"]
    out: dict[str, st.Html] = {}
    for code, rows in shares.groupby("code_ml", sort=True):
        n_ml = int(rows["effectif_ml"].iloc[0])
        body = []
        for r in rows.sort_values("groupe").itertuples(index=False):
            masked = 0 < r.effectif < threshold or n_ml < MIN_DENOMINATOR
            body.append(
                {
                    "Type de parcours": r.nom_groupe,
                    "Jeunes": f"< {threshold}"
                    if 0 < r.effectif < threshold
                    else st.fr_int(r.effectif),
                    "Part dans la Mission Locale": "n.d."
                    if masked
                    else st.fr_pct(r.part),
                    "Part dans la région": st.fr_pct(overall.get(r.nom_groupe, np.nan)),
                }
            )
        shown = pd.DataFrame(body)
        out[str(code)] = st.join(
            st.heading("Trajectoires des jeunes"),
            st.paragraph(
                st.esc(
                    f"Les {st.fr_int(n_ml)} jeunes accueillis pour la première fois en "
                    f"{cohort} par la Mission Locale, répartis entre les types de "
                    f"parcours de la région (suivi de {TRAJECTORY_MONTHS} mois)."
                    if n_ml >= threshold
                    else f"Moins de {threshold} jeunes accueillis en {cohort} : "
                    "répartition non diffusée."
                )
            ),
            st.table(
                shown if n_ml >= threshold else shown.iloc[0:0],
                caption=f"Types de parcours de la cohorte {cohort}",
                numeric=[
                    "Jeunes",
                    "Part dans la Mission Locale",
                    "Part dans la région",
                ],
                guide=(
                    "Une part nettement plus forte qu'en région pour un type de "
                    "parcours dit ce qui distingue les jeunes suivis ici ; elle dépend "
                    "aussi de leur profil et du territoire."
                ),
            ),
        )
    return out
