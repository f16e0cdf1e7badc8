"""Sections every report kind can show: title, profile, aids, monthly curves, targets, methods.

A section used by one report kind only lives in that kind's module
(:mod:`.regional`, :mod:`.ml`, :mod:`.followup`, :mod:`.trajectories`,
:mod:`.animation`); one shown by two or more kinds lives here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...indicators import DEFINITIONS
from .. import _style as st
from . import _base as base

if TYPE_CHECKING:
    from .._cache import ReportInputs


# =================================================================== titles
@base.documented
def title(inputs: ReportInputs, kind: str, code_ml: str | None = None) -> st.Html:
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
        st.conventions(inputs.threshold, base.MIN_DENOMINATOR),
    )


@base.documented
def ml_code(inputs: ReportInputs, code_ml: str | None) -> str:
    """``code_ml``, or the first ML of the extract when None."""
    return code_ml if code_ml else sorted(inputs.meta["labels"])[0]


@base.documented
def monthly_curves(
    inputs: ReportInputs,
    level: str = "region",
    code: str = "NAQ",
    indicator: str = "jeunes_accompagnes",
) -> st.Html:
    """Month by month this year against the year before (``mois`` rows)."""
    cur, cur_mask = base.rows(inputs, "mensuel", niveau=level, code=code, portee="mois")
    fig, ax = st.new_figure(height=3.2)
    months = np.arange(1, 13)
    labels = list(st.MOIS_COURTS)
    upto = inputs.month
    y_cur = base.series(cur, cur_mask, indicator)[:upto]
    ax.plot(months[:upto], y_cur, marker="o", color="#1f4e79", label=str(inputs.year))
    if "mensuel_n_1" in base.available(inputs):
        prev, prev_mask = base.rows(
            inputs, "mensuel_n_1", niveau=level, code=code, portee="mois"
        )
        ax.plot(
            months,
            base.series(prev, prev_mask, indicator),
            marker="o",
            ms=3,
            color="#9fb3c8",
            label=str(inputs.year - 1),
        )
    ax.set_xticks(months, labels)
    ax.set_ylim(bottom=0)
    ax.set_title(f"{base.LABELS[indicator]} par mois")
    ax.legend(loc="lower left")
    st.apply_axes_style(ax)
    hidden = int((cur_mask[indicator] != "").sum())
    guide = (
        f"Nombre de {base.LABELS[indicator].lower()} chaque mois de {inputs.year} "
        f"(bleu foncé), comparé à {inputs.year - 1} (bleu clair)."
    )
    if indicator not in ("premiers_accueils", "entretiens"):
        guide += " Un jeune vu plusieurs mois compte dans chacun de ces mois."
    if hidden:
        guide += (
            f" {hidden} mois masqué(s) par le secret statistique ne sont pas tracés."
        )
    return st.figure(fig, alt=f"{base.LABELS[indicator]} par mois", guide=guide)


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


@base.documented
def profile_table(
    inputs: ReportInputs, level: str = "region", code: str = "NAQ"
) -> st.Html:
    """Profile of the young people accompanied, with last year for comparison."""
    sel = base.key_rows(inputs, level, code)
    rows = []
    for name, label in _PROFILE:
        if name not in sel.index:
            continue
        r = sel.loc[name]
        rows.append(
            {
                "Caractéristique": label,
                str(inputs.year): base.cell(
                    r["valeur"], r["valeur_masque"], inputs.threshold, "rate"
                ),
                str(inputs.year - 1): base.cell(
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


_SCHEMES = (
    ("entrees_pacea", "Entrées en PACEA"),
    ("entrees_cej", "Entrées en Contrat d'engagement jeune (CEJ)"),
)


@base.documented
def schemes_and_aids(
    inputs: ReportInputs, level: str = "region", code: str = "NAQ"
) -> st.Html:
    """Entries into support schemes and aids granted, with last year."""
    sel = base.key_rows(inputs, level, code)
    sel = sel[sel["theme"].isin(["dispositifs", "aides"])]
    rows = []
    for name, r in sel.iterrows():
        label = _aid_label(name)
        unit = " €" if r["unite"] == "euros" else ""

        def shown(value: float, reason: str, unit: str = unit) -> str:
            text = base.cell(value, reason, inputs.threshold)
            return text + unit if not reason and not pd.isna(value) else text

        rows.append(
            {
                "Indicateur": label,
                str(inputs.year): shown(r["valeur"], r["valeur_masque"]),
                str(inputs.year - 1): shown(r["valeur_n_1"], r["valeur_n_1_masque"]),
                "Évolution": base.change_note(r) or "–",
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


#: aids whose French name is not « Aides <word> »
_AID_NAMES = {"total": "Toutes aides", "aide_alimentaire": "Aide alimentaire",
              "autre": "Autres aides"}  # fmt: skip


def _aid_label(name: str) -> str:
    for scheme, label in _SCHEMES:
        if name == scheme:
            return label
    for key, word in _AID_WORDS.items():
        if f"_{key}_" in f"_{name}_":
            aid = _AID_NAMES.get(key, f"Aides {word}")
            if name.endswith("montant_eur"):
                return f"{aid} : montant"
            if name.startswith("beneficiaires"):
                return f"{aid} : bénéficiaires"
            return f"{aid} : nombre"
    return name.replace("_", " ").capitalize()


@base.documented
def targets(inputs: ReportInputs) -> st.Html:
    """Progress against the agreement's targets (see :mod:`observatoire.targets`)."""
    from ... import targets as targets_module

    heading = "Objectifs de la convention"
    part = base.part(inputs, "objectifs")
    if part is None:
        return base.unavailable(inputs, "objectifs", heading)
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


@base.documented
def method_notes(inputs: ReportInputs) -> st.Html:
    """Definitions, source and conventions, at the end of every report."""
    items = "".join(
        f"<li><b>{st.esc(label)}</b> : {st.esc(text)}</li>"
        for k, (label, text) in DEFINITIONS.items()
        if k in base.LABELS
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
