"""Sections every report kind can show: title, profile, aids, monthly curves, targets, methods.

A section used by one report kind only lives in that kind's module
(:mod:`.regional`, :mod:`.ml`, :mod:`.followup`, :mod:`.trajectories`,
:mod:`.animation`); one shown by two or more kinds lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ... import indicators, synthesis
from ...formatting import fr_signed_pct
from ...indicators import COUNT_COLUMNS, DEFINITIONS, RATES
from .. import _style as st
from . import _base as base
from ._once import computed_once, drawn_once

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
        # the study's shares are not estimates given with a margin
        st.conventions(
            inputs.threshold, base.MIN_DENOMINATOR, intervals=kind != "trajectoires"
        ),
    )


def change_note(value: float, previous: float) -> str | None:
    """« +4,9 % sur un an », « stable sur un an » (never « +0,0 % »), None without N−1.

    Parameters
    ----------
    value : float
        The count in year N.
    previous : float
        The same count a year earlier (N−1); NaN when unknown.

    Returns
    -------
    str or None
        The change in percent, to a tenth, in French; None when either value is
        missing or ``previous`` is 0.

    Examples
    --------
    >>> print(change_note(10001, 10000), change_note(5, float("nan")))
    stable sur un an None
    >>> change_note(110, 100) == "+10,0\u00a0% sur un an"
    True
    """
    if pd.isna(value) or pd.isna(previous) or previous == 0:
        return None
    pct = round(100 * (float(value) / float(previous) - 1), 1)
    if pct == 0:
        return "stable sur un an"
    return f"{fr_signed_pct(pct / 100)} sur un an"


def natural_key(text: str) -> list:
    """Sort key putting « Gironde 2 » before « Gironde 10 ».

    Parameters
    ----------
    text : str
        A label, such as a Mission Locale's name.

    Returns
    -------
    list of tuple
        One ``(kind, number, text)`` tuple per run of digits or of other
        characters: digits compare as numbers, the rest case-insensitively.

    Examples
    --------
    >>> sorted(["ML Gironde 10", "ML Gironde 2"], key=natural_key)
    ['ML Gironde 2', 'ML Gironde 10']
    """
    return [
        (0, int(t), "") if t.isdigit() else (1, 0, t.lower())
        for t in re.split(r"(\d+)", text)
    ]


@base.documented
def ml_code(inputs: ReportInputs, code_ml: str | None) -> str:
    """``code_ml``, or the first ML of the extract when None.

    Returns
    -------
    str
        A Mission Locale code: ``code_ml`` when given, else the smallest code of
        ``inputs.meta["labels"]``.
    """
    return code_ml if code_ml else sorted(inputs.meta["labels"])[0]


@base.documented
@drawn_once
def monthly_curves(
    inputs: ReportInputs,
    level: str = "region",
    code: str = "NAQ",
    indicator: str = "jeunes_accompagnes",
) -> st.Html:
    """Month by month this year against the year before (``mois`` rows)."""
    cur, cur_mask = base.rows(inputs, "mensuel", niveau=level, code=code, portee="mois")
    fig, ax = st.new_figure(height=3.2)
    # 86 of them in a batch: laid out once for each set of texts around the axes
    st.reuse_layout(fig, "monthly_curves")
    months = np.arange(1, 13)
    labels = list(st.MOIS_COURTS)
    upto = inputs.month
    y_cur = base.series(cur, cur_mask, indicator)[:upto]
    data = pd.DataFrame({"Mois": labels, str(inputs.year): _twelve(y_cur)})
    ax.plot(months[:upto], y_cur, marker="o", color="#1f4e79", label=str(inputs.year))
    if "mensuel_n_1" in base.available(inputs):
        prev, prev_mask = base.rows(
            inputs, "mensuel_n_1", niveau=level, code=code, portee="mois"
        )
        y_prev = base.series(prev, prev_mask, indicator)
        data[str(inputs.year - 1)] = _twelve(y_prev)
        ax.plot(
            months,
            y_prev,
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
        f"Nombre {synthesis.of_word(base.LABELS[indicator].lower())} chaque mois de "
        f"{inputs.year} (bleu foncé), comparé à {inputs.year - 1} (bleu clair)."
    )
    if indicator not in ("premiers_accueils", "entretiens"):
        guide += " Un jeune vu plusieurs mois compte dans chacun de ces mois."
    if hidden:
        guide += " " + synthesis.plural(
            hidden,
            "mois masqué par le secret statistique n'est pas tracé.",
            "mois masqués par le secret statistique ne sont pas tracés.",
        )
    return st.figure(
        fig, alt=f"{base.LABELS[indicator]} par mois", guide=guide, data=data
    )


def _twelve(values: np.ndarray) -> np.ndarray:
    """``values`` padded with NaN to one per month (the months not yet reached)."""
    out = np.full(12, np.nan)
    out[: min(len(values), 12)] = values[:12]
    return out


_PROFILE = (
    ("part_femmes", "Femmes"),
    ("part_age_16_17", "Mineurs (16-17 ans)"),
    ("part_age_18_21", "18-21 ans"),
    ("part_age_22_25", "22-25 ans"),
    ("part_age_26_plus", "26 ans et plus"),
    ("part_neet", "Ni en emploi, ni en études, ni en formation (NEET)"),
    ("part_sans_diplome", "Sans diplôme"),
    ("part_non_inscrits_france_travail", "Non inscrits à France Travail"),
    ("part_zrr", "Résidant en zone de revitalisation rurale (ZRR)"),
    ("part_qpv", "Résidant en quartier prioritaire de la politique de la ville (QPV)"),
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
            caption=base.with_key_figures_period(
                "Part des jeunes accompagnés dans l'année présentant chaque "
                "caractéristique",
                inputs,
            ),
            numeric=list(shown.columns[1:]),
            guide=(
                "Âge au premier accueil ; NEET, diplôme et inscription à France "
                "Travail tels que déclarés au premier accueil."
            ),
        ),
    )


_SCHEMES = (
    (
        "entrees_pacea",
        "Entrées en parcours contractualisé d'accompagnement vers l'emploi et "
        "l'autonomie (PACEA)",
    ),
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
                "Évolution": change_note(r["valeur"], r["valeur_n_1"]) or "–",
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
            caption=base.with_key_figures_period(
                f"Entrées en dispositif et aides attribuées, {inputs.year}",
                inputs,
            ),
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
@drawn_once
def targets(inputs: ReportInputs) -> st.Html:
    """Progress against the agreement's targets (see :mod:`observatoire.targets`)."""
    # lazy: only the report showing targets loads that module
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
    caption = f"Objectifs {inputs.year}, à fin {month}"
    sentences = []
    for level, code in (
        part[["niveau", "code"]].drop_duplicates().itertuples(index=False)
    ):
        for g in target_lines(inputs, level, str(code)):
            sentences.append(_target_text(inputs, g))
    return st.join(
        st.heading(heading),
        st.paragraph(
            st.esc(
                f"Où en est-on, à fin {month}, des objectifs fixés pour {inputs.year} ? "
                "Chaque objectif reprend un chiffre de l'accord-cadre 2022-2024 entre "
                "la Région et le réseau des Missions Locales (sa source est rappelée "
                "dans le tableau)."
            )
        ),
        st.Html("<ul>" + "".join(f"<li>{st.esc(t)}</li>" for t in sentences) + "</ul>"),
        _targets_needed_table(inputs, part),
        st.figure(
            fig,
            alt="Avancement de chaque objectif en pourcentage de sa cible",
            data=_targets_data(part),
            percent=["Réalisé (part de la cible)", "Projection (part de la cible)"],
            ordered=False,
            guide=(
                "Chaque ligne est un objectif, en pourcentage de sa cible (trait noir "
                "à 100 %) : la barre foncée est le réalisé depuis janvier, la barre "
                "claire la projection au 31 décembre, le losange gris le réalisé à la "
                "même date l'an dernier. La projection suppose que la fin de l'année "
                "suit le profil saisonnier moyen des années précédentes."
            ),
        ),
        # the values of the Styler, rendered like every report table (caption,
        # row headers declared: RGAA 5.6); the status is written out in words
        st.table(styler.data, caption=caption, numeric=list(styler.data.columns[2:6])),
    )


def _target_text(inputs: ReportInputs, g: dict) -> str:
    month = st.fr_month(inputs.year, inputs.month)
    if g["done"] is None:
        return f"{g['label']} : le réalisé n'est pas publiable (secret statistique)."
    return synthesis.target_sentence(
        g["label"], g["done"], g["target"], 12 - inputs.month, g["unit"], month
    )


def _targets_needed_table(inputs: ReportInputs, part: pd.DataFrame) -> st.Html:
    """Done, target and what each target needs per month until December."""
    rows = []
    for level, code in (
        part[["niveau", "code"]].drop_duplicates().itertuples(index=False)
    ):
        name = inputs.meta["labels"].get(str(code), str(code))
        for g in target_lines(inputs, level, str(code)):
            done = g["done"]
            if done is None:
                need = "non publiable"
            elif done >= g["target"]:
                need = "cible atteinte"
            elif g["needed"] is None:
                need = f"il manque {st.fr_int(g['target'] - done)}"
            else:
                need = f"{st.fr_int(g['needed'])} {g['unit']} par mois"
            rows.append(
                {
                    "Objectif": g["label"],
                    "Territoire": "Nouvelle-Aquitaine" if level == "region" else name,
                    "Réalisé": "< " + str(inputs.threshold)
                    if done is None
                    else st.fr_int(done),
                    "Cible": st.fr_int(g["target"]),
                    "Pour l'atteindre d'ici décembre": need,
                }
            )
    if not rows:
        return st.Html("")
    frame = pd.DataFrame(rows)
    month = st.fr_month(inputs.year, inputs.month)
    return st.table(
        frame,
        caption=base.with_partial(
            f"Ce qu'il reste à faire pour chaque objectif, à fin {month}", inputs
        ),
        numeric=["Réalisé", "Cible"],
        guide=(
            "Réalisé de janvier à fin du mois ; pour une fourchette, la cible est "
            "son bas. Le rythme nécessaire partage ce qui manque entre les mois "
            "restants jusqu'à décembre."
        ),
    )


#: acronyms a committee member may not know, spelled out once
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("ARML", "Association régionale des Missions Locales : elle anime le réseau des 43 Missions Locales de Nouvelle-Aquitaine et y relaie les politiques régionales."),
    ("CEJ", "Contrat d'engagement jeune : accompagnement intensif de 15 à 20 heures par semaine, avec une allocation."),
    ("ERIP", "Espace régional d'information de proximité : lieu d'information sur la formation et l'emploi soutenu par la Région."),
    ("NEET", "Jeune ni en emploi, ni en études, ni en formation (de l'anglais « Neither in Employment, Education nor Training »)."),
    ("PACEA", "Parcours contractualisé d'accompagnement vers l'emploi et l'autonomie : le cadre commun de l'accompagnement en Mission Locale."),
    ("QPV", "Quartier prioritaire de la politique de la ville."),
    ("ZRR", "Zone de revitalisation rurale."),
    ("Accord-cadre", "Convention 2022-2024 entre la Région Nouvelle-Aquitaine et le réseau des Missions Locales, dont l'article 4 fixe les indicateurs suivis ici."),
)  # fmt: skip

#: methods named in the reports, said in plain words (the body avoids the names)
METHODS: tuple[tuple[str, str], ...] = (
    ("Intervalle de confiance (Wilson)", "Fourchette dans laquelle le vrai taux a 95 chances sur 100 de se trouver, compte tenu du nombre de jeunes ; elle est calculée par la méthode de Wilson, fiable même pour de petits effectifs."),
    ("Évolution sur un an", "Un taux est comparé à celui de la même période de l'année précédente par un test de deux proportions, un nombre par un test de Poisson (loi des petits nombres) ; « hausse nette » ou « baisse nette » veut dire que l'écart a moins de 5 chances sur 100 d'être dû au hasard."),
    ("Comparaison ajustée (rapport observé / attendu, O/E)", "Le nombre d'entrées d'une Mission Locale est rapproché de celui qu'elle aurait si ses jeunes avaient les chances moyennes de la région pour leur profil (modèle de régression) ; l'entonnoir trace les limites que le hasard explique, élargies pour la surdispersion (les Missions Locales diffèrent plus que le hasard seul)."),
    ("Courbes de maintien sans emploi (Kaplan-Meier)", "Part des jeunes encore sans emploi mois après mois ; un jeune suivi moins longtemps (date d'extraction atteinte) compte jusqu'à cette date puis sort du calcul (censure)."),
    ("Log-rank et modèle de Cox", "Le log-rank dit si les courbes de plusieurs groupes diffèrent plus que le hasard ; le modèle de Cox compare la vitesse d'accès à l'emploi à autres caractéristiques égales."),
    ("Trajectoires (OM, TRATE, PAM, médoïdes)", "Les parcours mois par mois sont comparés deux à deux (appariement optimal, OM, avec des coûts de substitution tirés des transitions observées, TRATE), puis regroupés autour de parcours types (partitionnement autour des médoïdes, PAM)."),
    ("Secret statistique", "Un effectif de 1 à 4 est masqué, ainsi que les cases qui permettraient de le retrouver par différence ; un taux calculé sur moins de 20 jeunes n'est pas diffusé."),
)  # fmt: skip


#: the words each acronym stands for, written out where a page first uses it
SPELLED_OUT: dict[str, str] = {
    "ARML": "Association régionale des Missions Locales",
    "CEJ": "contrat d'engagement jeune",
    "ERIP": "espace régional d'information de proximité",
    "NEET": "ni en emploi, ni en études, ni en formation",
    "PACEA": "parcours contractualisé d'accompagnement vers l'emploi et l'autonomie",
    "QPV": "quartier prioritaire de la politique de la ville",
    "ZRR": "zone de revitalisation rurale",
}


def spell_out(text: str, seen: set[str] | None = None) -> str:
    """``text`` with each acronym not yet in ``seen`` written out at its first use.

    The acronym follows its words in brackets; ``seen`` (updated) carries what
    a page has already spelled out, in reading order. Words already written
    before the acronym are not repeated.

    Parameters
    ----------
    text : str
        French text that may contain acronyms of :data:`SPELLED_OUT`.
    seen : set of str, optional
        Acronyms already spelled out on the page; updated in place with those
        found in ``text``. None starts from an empty set.

    Returns
    -------
    str
        ``text`` with the first use of each acronym not yet seen preceded by its
        words (capitalized at the start of a sentence).

    Examples
    --------
    >>> seen = set()
    >>> spell_out("ERIP et ERIP", seen)
    "Espace régional d'information de proximité (ERIP) et ERIP"
    >>> spell_out("l'ARML relaie les ERIP", seen)
    "l'Association régionale des Missions Locales (ARML) relaie les ERIP"
    """
    seen = set() if seen is None else seen
    for acronym, words in SPELLED_OUT.items():
        if acronym in seen:
            continue
        found = re.search(rf"\b{acronym}\b", text)
        if found is None:
            continue
        seen.add(acronym)
        if words.lower() in text[: found.start()].lower():
            continue
        before = text[: found.start()]
        start = not before.strip() or before.rstrip().endswith((".", ":", "!", "?"))
        shown = words[0].upper() + words[1:] if start else words
        text = f"{before}{shown} ({acronym}){text[found.end() :]}"
    return text


def annex(
    source: str,
    *parts: st.Html | None,
    definitions: tuple[tuple[str, str], ...] = (),
    methods: tuple[tuple[str, str], ...] = METHODS,
    glossary: tuple[tuple[str, str], ...] = GLOSSARY,
    details: st.Html | None = None,
) -> st.Html:
    """The « Définitions et méthode » annex that closes every report.

    Parameters
    ----------
    source : str
        The sentence naming the source, its extraction and whether it is
        synthetic (plain text, escaped here).
    *parts : Html
        What the report defines (indicators, cohort, what is counted), in order.
    definitions : tuple of (term, explanation)
        Terms the report counts, as a definition list after ``parts``.
    methods, glossary : tuple of (term, explanation)
        The « Méthodes » list (the names the report's body leaves out) and the
        « Glossaire » of acronyms.
    details : Html, optional
        The methods' own figures and tables, after the « Méthodes » list.

    Returns
    -------
    Html
    """
    return st.join(
        st.heading("Définitions et méthode"),
        st.paragraph(st.esc(source)),
        *parts,
        _definition_list(list(definitions)) if definitions else None,
        st.heading("Glossaire", 3),
        _definition_list(list(glossary)),
        st.heading("Méthodes", 3) if methods else None,
        _definition_list(list(methods)) if methods else None,
        details,
    )


def source_sentence(synthetic: bool, extraction_date: object, what: str = "") -> str:
    """« Source : extrait de l'entrepôt régional i-Milo — données synthétiques… ».

    ``what`` names the part of the extract a report reads (« journal des
    actions d'animation »); the extraction day is given when known.

    Parameters
    ----------
    synthetic : bool
        Whether the extract is synthetic: the sentence then says so.
    extraction_date : date-like or None
        Day of the extraction; None or NaN leaves it out.
    what : str, default ""
        Part of the extract the report reads; empty means the whole extract.

    Returns
    -------
    str
        One French sentence, ending with a full stop.
    """
    text = "Source : " + (what or "extrait de l'entrepôt régional i-Milo")
    if synthetic:
        text += " — données synthétiques, fabriquées pour la démonstration"
    if extraction_date is not None and not pd.isna(extraction_date):
        text += f", extraction du {st.fr_date_long(pd.Timestamp(extraction_date))}"
    return text + "."


def _definition_list(items: list[tuple[str, str]]) -> st.Html:
    return st.Html(
        "<dl>"
        + "".join(f"<dt>{st.esc(k)}</dt><dd>{st.esc(v)}</dd>" for k, v in items)
        + "</dl>"
    )


def _targets_data(part: pd.DataFrame) -> pd.DataFrame:
    """The values the progress chart draws: realised and projected, over the target."""
    target = pd.to_numeric(part["cible_min"], errors="coerce").replace(0, np.nan)
    hidden = part["secret_realise"].fillna(False).astype(bool)
    realised = (pd.to_numeric(part["realise"], errors="coerce") / target).mask(hidden)
    projected = (pd.to_numeric(part["projection"], errors="coerce") / target).mask(
        hidden
    )
    return pd.DataFrame(
        {
            "Objectif": [
                f"{a} ({b})"
                for a, b in zip(part["libelle"], part["libelle_niveau"], strict=True)
            ],
            "Réalisé (part de la cible)": realised.to_numpy(),
            "Projection (part de la cible)": projected.to_numpy(),
        }
    )


@base.documented
def method_notes(inputs: ReportInputs) -> st.Html:
    """Definitions in force, source, glossary and the methods annex, at the end."""
    meta = inputs.meta
    definitions = (
        indicators.definitions_in_force(meta["accompagnement"])
        if meta.get("accompagnement")
        else DEFINITIONS
    )
    items = "".join(
        f"<li><b>{st.esc(label)}</b> : {st.esc(text)}</li>"
        for k, (label, text) in definitions.items()
        if k in base.LABELS
    )
    source = source_sentence(inputs.synthetic, meta["extraction_date"])
    parts = []
    if meta.get("definition_accompagnement"):
        parts.append(
            st.paragraph(
                st.esc(
                    "Définition en vigueur dans ce rapport : "
                    + meta["definition_accompagnement"]
                )
            )
        )
    if meta.get("correspondances"):
        parts.append(
            st.paragraph(
                st.esc(
                    "Les codes de l'extrait ont été ramenés au référentiel du contrat "
                    "de données par le fichier de correspondances "
                    f"« {Path(str(meta['correspondances'])).name} »."
                )
            )
        )
    parts += [
        st.Html(f"<ul>{items}</ul>"),
        st.paragraph(
            st.esc(
                "Un jeune est compté une fois par case : les chiffres d'un "
                "département ou de la région comptent des jeunes distincts, un "
                "cumul depuis janvier compte chaque jeune une fois sur les mois "
                "écoulés."
            )
        ),
    ]
    return annex(source, *parts)


# ======================================================= year on year (Article 4)
#: label of the Article 4 line the definitions name shortly
_SORTANTS = "dont sortants de formations financées par la Région"

#: counts compared with the same period a year earlier, in the indicators'
#: order (the young people merely in contact are not an Article 4 figure)
COMPARED_COUNTS: tuple[str, ...] = tuple(
    c for c in COUNT_COLUMNS if c != "jeunes_en_contact"
)

#: rates compared: the four Article 4 rates, then the share of entries into
#: employment that follow a Region-funded training (numerator, denominator)
COMPARED_RATES: tuple[tuple[str, str, str, str], ...] = (
    *((name, base.LABELS[name], num, den) for name, (num, den) in RATES.items()),
    (
        "part_sortants_formation_region",
        "Part des entrées en emploi après une formation financée par la Région",
        "entrees_emploi_sortants_formation_region",
        "entrees_emploi",
    ),
)


@dataclass(frozen=True)
class Compared:
    """One figure of the year-on-year table, as shown, and its change."""

    name: str
    label: str
    kind: str  # "count" or "rate"
    now: str
    before: str
    change: synthesis.Change | None
    masked: bool


def article4_cards() -> list[tuple[str, str]]:
    """The key-figure cards, with the Region-funded line of entries into employment.

    Returns
    -------
    list of tuple of (str, str)
        ``(count name, French label)`` pairs in display order: the cards of
        ``base.CARDS`` with the Region-funded line after ``entrees_emploi``.
    """
    out = []
    for name, label in base.CARDS:
        out.append((name, label))
        if name == "entrees_emploi":
            out.append(
                (
                    "entrees_emploi_sortants_formation_region",
                    "dont après une formation Région",
                )
            )
    return out


def year_to_date_cards(
    inputs: ReportInputs, level: str, code: str
) -> list[tuple[str, str, str | None]]:
    """Key-figure cards of January to the report's month, against the same months.

    Read from the protected monthly tables (``cumul`` rows of ``mensuel`` and
    ``mensuel_n_1``); a masked value shows its sign and gets no change.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    level : {'region', 'departement', 'ml'}
        Level of the unit shown.
    code : str
        Code of that unit (``NAQ`` for the region).

    Returns
    -------
    list of tuple of (str, str, str or None)
        One ``(value as shown, label, change note)`` per card present in the
        table; the note (:func:`change_note`) is None when either year is masked
        or N−1 is missing.
    """

    def year_to_date(table: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        period = f"{year}-{inputs.month:02d}"
        return base.rows(
            inputs, table, niveau=level, code=code, portee="cumul", periode=period
        )

    v, m = year_to_date("mensuel", inputs.year)
    prev_v = prev_m = None
    if "mensuel_n_1" in base.available(inputs):
        prev_v, prev_m = year_to_date("mensuel_n_1", inputs.year - 1)
    cards = []
    for name, label in article4_cards():
        if name not in v.columns or not len(v):
            continue
        value = base.cell(v[name].iloc[0], m[name].iloc[0], inputs.threshold)
        note = None
        if prev_v is not None and len(prev_v):
            p, pr = prev_v[name].iloc[0], prev_m[name].iloc[0]
            if not pr and not m[name].iloc[0] and p:
                note = change_note(v[name].iloc[0], p)
        cards.append((value, label, note))
    return cards


def count_label(name: str) -> str:
    """The label of a count in the year-on-year tables.

    Parameters
    ----------
    name : str
        A contract count name (a key of ``base.LABELS``) or
        ``entrees_emploi_sortants_formation_region``.

    Returns
    -------
    str
        Its French label.
    """
    if name == "entrees_emploi_sortants_formation_region":
        return _SORTANTS
    return base.LABELS[name]


@computed_once
def compared(
    inputs: ReportInputs, level: str, code: str, scope: str = "cumul"
) -> list[Compared]:
    """Article 4 figures of one unit, this year and the same period a year earlier.

    Read from the protected follow-up table (``suivi``: the month, or January
    to the month, against the same months a year earlier); a masked value is
    never shown nor tested, and its line says so.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    level : {'region', 'departement', 'ml'}
        Level of the unit shown.
    code : str
        Code of that unit (``NAQ`` for the region).
    scope : {'cumul', 'mois'}, default 'cumul'
        January to the report's month (``cumul``) or the month alone (``mois``).

    Returns
    -------
    list of Compared
        The counts of ``COMPARED_COUNTS`` then the rates of ``COMPARED_RATES``
        found in the table; ``change`` is None when either year is masked or too
        small to compare (a rate needs ``base.MIN_DENOMINATOR`` young people).
    """
    fu = inputs["suivi"]
    sel = fu[
        (fu["niveau"] == level)
        & (fu["code"].astype(str) == str(code))
        & (fu["portee"] == scope)
    ].set_index("indicateur")
    thr = inputs.threshold
    out: list[Compared] = []

    def published(name: str, prev: bool = False) -> float | None:
        if name not in sel.index:
            return None
        r = sel.loc[name]
        value = r["valeur_n_1" if prev else "valeur"]
        reason = r["valeur_n_1_masque" if prev else "valeur_masque"]
        return None if reason or pd.isna(value) else float(value)

    def shown(name: str, prev: bool = False) -> str:
        if name not in sel.index:
            return "–"
        r = sel.loc[name]
        value = r["valeur_n_1" if prev else "valeur"]
        reason = r["valeur_n_1_masque" if prev else "valeur_masque"]
        if not reason and pd.isna(value):
            return "–"
        return base.cell(value, reason, thr)

    for name in COMPARED_COUNTS:
        if name not in sel.index:
            continue
        now, before = published(name), published(name, prev=True)
        change = (
            # a tenth of a percent, as the key-figure cards (change_note)
            synthesis.change_in_count(now, before, digits=1)
            if now is not None and before is not None
            else None
        )
        out.append(
            Compared(
                name,
                count_label(name),
                "count",
                shown(name),
                shown(name, prev=True),
                change,
                now is None,
            )
        )
    for name, label, num, den in COMPARED_RATES:
        k, n = published(num), published(den)
        k0, n0 = published(num, True), published(den, True)
        ok = k is not None and n is not None and n >= base.MIN_DENOMINATOR
        ok0 = k0 is not None and n0 is not None and n0 >= base.MIN_DENOMINATOR
        if name in sel.index and sel.loc[name, "valeur_masque"]:
            ok = False  # the disclosure step hid the rate itself
        change = (
            synthesis.change_in_rate(k, n, k0, n0) if ok and ok0 and k <= n else None
        )
        out.append(
            Compared(
                name,
                label,
                "rate",
                st.fr_pct(k / n) if ok else "n.d.",
                st.fr_pct(k0 / n0) if ok0 else "n.d.",
                change,
                not ok,
            )
        )
    return out


def _reading(c: Compared) -> str:
    if c.masked:
        return "non publiable"
    if c.change is None:
        return "pas de comparaison"
    return c.change.verdict


@base.documented
def year_on_year(
    inputs: ReportInputs, level: str = "region", code: str = "NAQ"
) -> st.Html:
    """Every Article 4 figure for N and N−1, its change and whether it moved."""
    lines = compared(inputs, level, code)
    if not lines:
        return st.paragraph("Comparaison sur un an non disponible pour ce territoire.")
    y, y0 = str(inputs.year), str(inputs.year - 1)
    frame = pd.DataFrame(
        [
            {
                "Indicateur": c.label,
                y: c.now,
                y0: c.before,
                "Évolution": c.change.shown if c.change is not None else "–",
                "Lecture": _reading(c),
            }
            for c in lines
        ]
    )
    month = st.fr_month(inputs.year, inputs.month)
    return st.join(
        st.heading("Article 4 : cette année et l'an dernier"),
        st.table(
            frame,
            caption=base.with_partial(
                f"Indicateurs de l'article 4 de janvier à fin {month}, comparés à la "
                f"même période de {inputs.year - 1}",
                inputs,
            ),
            numeric=[y, y0, "Évolution"],
            guide=(
                "Évolution en pourcentage pour un nombre, en points pour un taux. "
                "« Hausse nette » ou « baisse nette » : un écart plus grand que ce que "
                "le hasard d'une année sur l'autre explique ; « dans la marge "
                "d'incertitude » : un écart qui peut n'être que du hasard ; « stable » : "
                "pas d'écart visible à la précision affichée."
            ),
        ),
    )


@dataclass(frozen=True)
class RateChange:
    """One rate of one unit over a year, N and N−1 as shown, and its change."""

    now: str
    before: str
    change: synthesis.Change | None

    @property
    def reading(self) -> str:
        """« +2,1 points, hausse nette », « −0,3 point, dans la marge », « stable ».

        « – » without a comparison. Short, for a table cell: the sign already
        says « hausse » or « baisse », and the table's guide spells out
        « dans la marge » (d'incertitude); a sentence uses the verdict whole.
        """
        if self.change is None:
            return "–"
        if self.change.direction == "stable":
            return "stable"
        if not self.change.significant:
            return f"{self.change.shown}, dans la marge"
        return f"{self.change.shown}, {self.change.verdict}"


@computed_once
def annual_rate_changes(
    inputs: ReportInputs, level: str
) -> dict[str, dict[str, RateChange]]:
    """The four Article 4 rates of every unit of ``level``, year N against N−1.

    Read from the protected annual tables (``annuel``, ``annuel_n_1``) when
    the report's month is December, else from January to the month in both
    years (``mensuel``, ``mensuel_n_1``, ``cumul`` rows), so that the two
    periods have the same length. A rate the disclosure step hid, or whose
    count or denominator is hidden or below the minimum denominator, reads
    « n.d. » (or the mask sign of the rate) and is not tested. The test is the
    synthesis's (:func:`observatoire.synthesis.change_in_rate`).

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    level : {'region', 'departement', 'ml'}
        Level of the units.

    Returns
    -------
    dict
        code -> rate name -> :class:`RateChange`.
    """

    def table(name: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        if inputs.month == 12:
            return base.rows(inputs, name.replace("mensuel", "annuel"), niveau=level)
        period = f"{year}-{inputs.month:02d}"
        return base.rows(inputs, name, niveau=level, portee="cumul", periode=period)

    now_v, now_m = table("mensuel", inputs.year)
    previous = "annuel_n_1" if inputs.month == 12 else "mensuel_n_1"
    if previous in base.available(inputs):
        prev_v, prev_m = table("mensuel_n_1", inputs.year - 1)
    else:
        prev_v, prev_m = now_v.iloc[:0], now_m.iloc[:0]
    prev_at = {str(c): i for i, c in enumerate(prev_v["code"])}
    codes = now_v["code"].astype(str)
    # the columns as arrays once: a cell read through pandas costs ~0.1 ms,
    # and a unit reads up to 36 of them
    columns = {c for rate, pair in RATES.items() for c in (rate, *pair)}
    now_v, prev_v = ({c: v[c].to_numpy() for c in columns} for v in (now_v, prev_v))
    now_m, prev_m = (
        {c: m[c].to_numpy(dtype=object) for c in columns} for m in (now_m, prev_m)
    )

    def published(values, mask, i, rate) -> tuple[float, float] | None:
        num, den = RATES[rate]
        if mask[rate][i] or mask[num][i] or mask[den][i]:
            return None
        k, n = values[num][i], values[den][i]
        if pd.isna(k) or pd.isna(n) or n < base.MIN_DENOMINATOR or k > n:
            return None
        return float(k), float(n)

    def shown(values, mask, i, rate) -> str:
        if i is None:
            return "–"
        if mask[rate][i]:
            return base.cell(np.nan, mask[rate][i], inputs.threshold)
        got = published(values, mask, i, rate)
        return "n.d." if got is None else st.fr_pct(got[0] / got[1])

    out: dict[str, dict[str, RateChange]] = {}
    for i, code in enumerate(codes):
        j = prev_at.get(code)
        per_rate = {}
        for rate in RATES:
            a = published(now_v, now_m, i, rate)
            b = None if j is None else published(prev_v, prev_m, j, rate)
            change = synthesis.change_in_rate(*a, *b) if a and b else None
            per_rate[rate] = RateChange(
                shown(now_v, now_m, i, rate), shown(prev_v, prev_m, j, rate), change
            )
        out[code] = per_rate
    return out


def period_compared(inputs: ReportInputs) -> str:
    """« 2024 comparé à 2023 », or « janvier à novembre 2024 comparé aux mêmes mois de 2023 ».

    The period :func:`annual_rate_changes` compares: the year in December,
    else January to the report's month.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).

    Returns
    -------
    str
        The French phrase naming both periods.
    """
    y0 = inputs.year - 1
    if inputs.month == 12:
        return f"{inputs.year} comparé à {y0}"
    return (
        f"{st.fr_months_span(inputs.year, inputs.month)} comparé aux mêmes mois de {y0}"
    )


#: short rate headers of the wide N / N−1 tables (the follow-up writes the same)
RATE_SHORT = {
    "taux_formation": "Taux formation",
    "taux_formation_region": "Taux formation Région",
    "taux_alternance": "Taux alternance",
    "taux_emploi": "Taux emploi",
}


def territory_units(values: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The ``(level, code, name)`` rows of :func:`rates_year_on_year_table`.

    Parameters
    ----------
    values : pandas.DataFrame
        Indicator rows with the columns ``niveau``, ``code`` and ``libelle``
        (as :func:`._base.rows` and :func:`._base.named` give them), in reading order.

    Returns
    -------
    list of tuple of str
        One ``(niveau, code, libelle)`` per row, as strings.
    """
    return [
        (str(level), str(code), str(name))
        for level, code, name in zip(
            values["niveau"], values["code"], values["libelle"], strict=True
        )
    ]


def rates_year_on_year_table(
    inputs: ReportInputs,
    units: list[tuple[str, str, str]],
    first: str,
    caption: str,
    *,
    departments: bool = False,
) -> st.Html:
    """The four Article 4 rates of ``units`` for N and N−1 and their change.

    ``units`` are ``(level, code, name)`` rows in reading order; ``first`` is the
    header of the name column. Each rate gets three columns: N, N−1 and its
    change in points with its reading (« +2,1 points, hausse nette »,
    « légère baisse, dans la marge d'incertitude », « stable »).

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    units : list of tuple of (str, str, str)
        ``(level, code, name)`` rows in reading order; a unit absent from the
        tables is left out.
    first : str
        Header of the name column.
    caption : str
        Caption of the table.
    departments : bool, default False
        Add a « Dép. » column with each unit's department.

    Returns
    -------
    Html
        The table with its reading guide; empty Html when no unit has figures.
    """
    y, y0 = inputs.year, inputs.year - 1
    # each level once (not once per unit: the regional table has 44)
    by_level = {
        level: annual_rate_changes(inputs, level) for level in {u[0] for u in units}
    }
    rows = []
    for level, code, name in units:
        per_rate = by_level[level].get(str(code))
        if per_rate is None:
            continue
        row = {first: name}
        if departments:
            row["Dép."] = inputs.meta["departements"].get(str(code), "")
        for rate, short in RATE_SHORT.items():
            rc = per_rate[rate]
            row[f"{short} {y}"] = rc.now
            row[f"{short} {y0}"] = rc.before
            row[f"{short} : évolution"] = rc.reading
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not len(frame):
        return st.Html("")
    skip = 2 if departments else 1
    return st.table(
        frame,
        caption=caption,
        # the readings are words: they wrap, the table stays on the page
        numeric=[c for c in frame.columns[skip:] if not c.endswith("évolution")],
        total_last=units[-1][0] == "region" and len(units) > 2,
        guide=(
            f"Chaque taux de l'année {y} à côté de celui de {y0} et son évolution en "
            "points. « Hausse nette » ou « baisse nette » : un écart plus grand que ce "
            "que le hasard d'une année sur l'autre explique ; « dans la marge » : "
            "dans la marge d'incertitude, un écart qui peut n'être que du hasard ; "
            "« stable » : pas d'écart au dixième de point. « n.d. » : taux non "
            "diffusé (moins de "
            f"{base.MIN_DENOMINATOR} jeunes accompagnés ou effectif masqué), jamais "
            "comparé."
        ),
    )


# ============================================================== « À retenir »
#: the figures the synthesis speaks of, and how it names them in a sentence
_SPOKEN = {
    "jeunes_accompagnes": "le nombre de jeunes accompagnés",
    "entrees_emploi": "le nombre d'entrées en emploi",
    "taux_emploi": "le taux d'entrée en emploi",
    "taux_formation": "le taux d'entrée en formation",
    "taux_formation_region": "le taux d'entrée en formation financée par la Région",
    "taux_alternance": "le taux d'entrée en alternance",
}


def _unit_word(indicator: str) -> str:
    if indicator.startswith("aides"):
        return "aides"
    if indicator.startswith(("entrees", "dispositifs")):
        return "entrées"
    return "jeunes"


def target_lines(inputs: ReportInputs, level: str, code: str) -> list[dict]:
    """The targets of one unit with what they need each month until December.

    Each item: ``label``, ``done`` (None when masked), ``target``, ``needed``
    (per month, None when reached or in December), ``unit``, ``status``.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    level : {'region', 'departement', 'ml'}
        Level of the unit shown.
    code : str
        Code of that unit (``NAQ`` for the region).

    Returns
    -------
    list of dict
        One dict per target of the unit, in table order; empty when the report
        has no ``objectifs`` table. ``done`` and ``target`` are in the target's
        unit (a count of young people or a rate).
    """
    part = base.part(inputs, "objectifs")
    if part is None or not len(part):
        return []
    sel = part[(part["niveau"] == level) & (part["code"].astype(str) == str(code))]
    left = 12 - inputs.month
    out = []
    for _, r in sel.iterrows():
        masked = bool(r["secret_realise"]) or pd.isna(r["realise"])
        done = None if masked else float(r["realise"])
        target = float(r["cible_min"])
        out.append(
            {
                "label": str(r["libelle"]),
                "done": done,
                "target": target,
                "needed": None
                if done is None
                else synthesis.per_month_needed(done, target, left),
                "unit": _unit_word(str(r["indicateur"])),
                "status": str(r["statut"]),
            }
        )
    return out


def _adjusted_position(inputs: ReportInputs, code_ml: str, outcome: str) -> str | None:
    """The ML's position in the adjusted comparison, read from its evaluation block.

    The shared step renders the evaluation once per run (its models hold
    row-level data); the block of each ML carries the protected table of
    observed and expected entries, whose « Position » column is read here.
    """
    block = base.part(inputs, "evaluation_ml")
    block = block.get(code_ml) if block is not None else None
    if block is None:
        return None
    for row in _table_rows(str(block)):
        if row and row[0] == outcome and len(row) >= 7:
            position = row[6]
            if position.startswith("au-dessus des limites"):
                return "au-dessus"
            if position.startswith("en dessous des limites"):
                return "en dessous"
            if position.startswith("au-dessus de la limite"):
                return "un peu au-dessus"
            if position.startswith("en dessous de la limite"):
                return "un peu en dessous"
            if position == "dans les limites":
                return "dans la norme"
            return None  # masked
    return None


def _table_rows(html_text: str) -> list[list[str]]:
    """Text of the cells of every table row of an HTML block."""

    class _Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None and self.rows:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = _Rows()
    parser.feed(html_text)
    return parser.rows


def key_sentences(
    inputs: ReportInputs, level: str, code: str, *, scope: str = "cumul"
) -> list[str]:
    """The 3 to 6 sentences of « À retenir », from the report's protected tables.

    Parameters
    ----------
    inputs : ReportInputs
        The report's inputs (:func:`~observatoire.reports.open_report`).
    level : {'region', 'departement', 'ml'}
        Level of the unit shown.
    code : str
        Code of that unit (``NAQ`` for the region).
    scope : {'cumul', 'mois'}, default 'cumul'
        January to the report's month (``cumul``) or the month alone (``mois``).

    Returns
    -------
    list of str
        French sentences in reading order, the discussion sentence last.
    """
    lines = {c.name: c for c in compared(inputs, level, code, scope)}
    month = st.fr_month(inputs.year, inputs.month)
    period = f"le mois de {month}" if scope == "mois" else f"janvier à fin {month}"
    out: list[str] = []
    acc = lines.get("jeunes_accompagnes")
    if acc is not None:
        if acc.change is None:
            out.append(synthesis.masked_sentence("Les jeunes accompagnés"))
        else:
            out.append(
                synthesis.describe_count(f"jeunes accompagnés ({period})", acc.change)
            )
    for rate in ("taux_emploi", "taux_formation"):
        c = lines.get(rate)
        if c is None:
            continue
        if c.change is None:
            out.append(
                f"{c.label} : non publiable ici (secret statistique ou trop peu "
                "de jeunes), pas de comparaison sur un an."
            )
        else:
            out.append(synthesis.describe_rate(c.label, c.change))
    if level == "ml":
        name = inputs.meta["labels"].get(code, code)
        position = _adjusted_position(inputs, code, "Entrées en emploi")
        if position is not None:
            out.append(
                synthesis.adjusted_sentence(name, "d'entrées en emploi", position)
            )
    goals = target_lines(inputs, level, code)
    # the targets not reached first (in December too); the table shows them all
    goals.sort(key=lambda g: g["done"] is not None and g["done"] >= g["target"])
    for g in goals[: max(0, 5 - len(out))]:
        if g["done"] is None:
            out.append(
                f"{g['label']} : le réalisé n'est pas publiable (secret statistique)."
            )
        else:
            out.append(
                synthesis.target_sentence(
                    g["label"],
                    g["done"],
                    g["target"],
                    12 - inputs.month,
                    g["unit"],
                    month,
                )
            )
    spoken = [
        (_SPOKEN[name], lines[name].change)
        for name in _SPOKEN
        if name in lines and lines[name].change is not None
    ]
    missed = [
        g["label"]
        for g in goals
        if g["status"] in ("hors d'atteinte", "à surveiller", "non atteint")
    ]
    out.append(
        synthesis.discussion_sentence(spoken, missed, year_end=inputs.month == 12)
    )
    return out


@base.documented
def key_points(
    inputs: ReportInputs, level: str = "region", code: str = "NAQ"
) -> st.Html:
    """« À retenir »: what a director reads in one minute, in plain French."""
    items = "".join(f"<li>{st.esc(s)}</li>" for s in key_sentences(inputs, level, code))
    partial = base.partial_period(inputs)
    return st.join(
        st.heading("À retenir"),
        st.paragraph(
            st.esc(
                f"{partial.capitalize()}, comparée aux mêmes mois de "
                f"{inputs.year - 1} (l'année n'est pas terminée dans l'extrait)."
            ),
            "avertissement",
        )
        if partial
        else None,
        st.Html(f'<ul class="a-retenir">{items}</ul>'),
        st.paragraph(
            st.esc(
                "Chaque chiffre cité figure dans les tableaux du rapport ; « nette » "
                "veut dire plus grand que ce que le hasard d'une année sur l'autre "
                "explique."
            )
        ),
    )
