"""Sections of the annual review of the network animation (``notebooks/bilan_animation.ipynb``).

:mod:`observatoire.animation` computes the review (:class:`~observatoire.animation.AnnualReview`:
tables of numbers, a French summary, the ML x policy heat map); this module
renders it: French headers and number formats, the header block, the figure.
The figures are about institutions (MLs, staff), not young people: no
disclosure rule applies and Missions Locales are named.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pandas as pd
from pandas.io.formats.style import Styler

from ... import disclosure
from ...animation import TOTAL_CODE, AnnualReview
from ...data import DEPARTEMENT_NAMES
from ...exceptions import ParamsError
from ...formatting import fr_hours, fr_int, fr_ml_name, fr_pct, fr_signed_pct
from .. import _style as st
from . import _base as base
from .common import GLOSSARY, annex, natural_key, source_sentence, spell_out

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _styler(table: pd.DataFrame, formats: dict[str, Any], which: str) -> Styler:
    # a stable CSS id (pandas draws a random one): same inputs, same page
    uid = hashlib.sha1(f"animation|{which}".encode()).hexdigest()[:8]
    styler = (
        table.style.set_uuid(uid)
        .hide(axis="index")
        .format(formats, na_rep="–", escape="html")
    )
    styler = styler.set_table_styles(
        [
            {"selector": "th", "props": "text-align: left; padding: 3px 8px;"},
            {"selector": "td", "props": "padding: 3px 8px;"},
        ]
    )
    # through observatoire.disclosure like every report table; the structure
    # holds no count of young people (actions, hours, MLs and staff describe
    # institutions), so nothing is masked
    return disclosure.mark(
        styler,
        structure=disclosure.Structure(
            keys=(), values=(), name=f"animation {which} (établissements)"
        ),
    )


def _signed(v: Any) -> str:
    if v is None or pd.isna(v):
        return "–"
    if v == 0:
        return "0"
    return ("+" if v > 0 else "−") + fr_int(abs(v))


def _hours(v: Any) -> str:
    return "–" if v is None or pd.isna(v) else fr_hours(float(v))


#: tables of :func:`review_table`
REVIEW_TABLES = ("par_type", "par_politique", "par_departement", "moins_2_fois",
                 "evolution", "par_ml")  # fmt: skip


def _review_frame(
    review: AnnualReview, which: str
) -> tuple[pd.DataFrame, dict[str, Any], list[str]] | st.Html:
    """One table of the review: its values, their formats and its numeric columns.

    ``review`` and ``which`` are those of :func:`review_table`.

    Returns
    -------
    tuple or Html
        (table of values under French headers, a formatter per column, the
        right-aligned columns); for an empty ``moins_2_fois``, a displayable
        French sentence instead.
    """
    n, n1 = review.year, review.year - 1
    if which in ("par_type", "par_politique"):
        t = review.by_type if which == "par_type" else review.by_policy
        first = "Type d'action" if which == "par_type" else "Politique régionale"
        table = pd.DataFrame(
            {
                # « ERIP » said in words the first time the review names it
                first: [spell_out(str(v)) for v in t["libelle"]],
                f"Actions {n}": t["actions"],
                "Heures": t["heures"],
                "Participants": t["participants"],
                "Missions Locales touchées": t["ml_touchees"],
                f"Actions {n1}": t["actions_n_1"],
                "Évolution": t["evolution"],
            }
        )
        fmt = {c: fr_int for c in table.columns[1:]}
        fmt.update({"Heures": _hours, "Évolution": _signed})
        return table, fmt, list(table.columns[1:])
    if which == "par_departement":
        t = review.per_departement
        table = pd.DataFrame(
            {
                "Département": [
                    lab if code == TOTAL_CODE else f"{lab} ({code})"
                    for code, lab in zip(t["departement"], t["libelle"], strict=True)
                ],
                "Missions Locales": t["ml_reseau"],
                "Touchées": t["ml_touchees"],
                "Part touchée": t["part_touchees"],
                "Actions suivies": t["actions"],
                "Participants": t["participants"],
                "Touchées moins de deux fois": t["ml_moins_2_fois"],
            }
        )
        fmt = {c: fr_int for c in table.columns[1:]}
        fmt["Part touchée"] = fr_pct
        return table, fmt, list(table.columns[1:])
    if which == "moins_2_fois":
        t = review.rarely_reached
        if not t.empty:
            t = _natural(t, ["departement", "nom_ml"])
        if t.empty:
            return st.Html(
                f"<p>Toutes les Missions Locales ont été touchées au moins deux fois "
                f"en {n}.</p>"
            )
        table = pd.DataFrame(
            {
                "Mission Locale": [fr_ml_name(v) for v in t["nom_ml"]],
                "Département": [
                    f"{lab} ({code})" if lab else code
                    for code, lab in zip(
                        t["departement"], t["libelle_departement"], strict=True
                    )
                ],
                f"Actions suivies en {n}": t["actions"],
                f"Actions suivies en {n1}": t["actions_n_1"],
                "Participants": t["participants"],
            }
        )
        fmt = {c: fr_int for c in table.columns[2:]}
        return table, fmt, list(table.columns[2:])
    if which == "evolution":
        t = review.year_over_year
        table = pd.DataFrame(
            {
                "Indicateur": t["libelle"],
                str(n1): t["annee_n_1"],
                str(n): t["annee"],
                "Évolution": t["evolution"],
                "Évolution (%)": t["evolution_pct"],
            }
        )
        cells = table.astype(object)
        for i, is_hours in zip(table.index, t["indicateur"].eq("heures"), strict=True):
            fmt = _hours if is_hours else fr_int
            for col in (str(n1), str(n)):
                cells.at[i, col] = fmt(table.at[i, col])
            ev = table.at[i, "Évolution"]
            sign = "+" if ev > 0 else "−" if ev < 0 else ""
            cells.at[i, "Évolution"] = sign + fmt(abs(ev))
            pct = table.at[i, "Évolution (%)"]
            # no « 0,0 % » nor « +0,0 % »: a change of nothing reads « stable »
            small = not pd.isna(pct) and round(100 * float(pct), 1) == 0
            cells.at[i, "Évolution (%)"] = "stable" if small else fr_signed_pct(pct)
        return cells, {}, list(cells.columns[1:])
    if which == "par_ml":
        t = _natural(review.per_ml, ["departement", "nom_ml"])
        table = pd.DataFrame(
            {
                "Mission Locale": [fr_ml_name(v) for v in t["nom_ml"]],
                "Département": [_departement(v) for v in t["departement"]],
                f"Actions suivies en {n}": t["actions"],
                "Participants": t["participants"],
                "Politiques abordées": t["politiques"],
                f"Actions suivies en {n1}": t["actions_n_1"],
            }
        )
        fmt = {c: fr_int for c in table.columns[2:]}
        return table, fmt, list(table.columns[2:])
    raise ParamsError(
        f"which: {which!r} is not a table; valid: {', '.join(REVIEW_TABLES)}"
    )


def _departement(code: Any) -> str:
    """« Gironde (33) », as the per-department table names it."""
    code = str(code)
    name = DEPARTEMENT_NAMES.get(code)
    return f"{name} ({code})" if name else code


def review_table(review: AnnualReview, which: str) -> Styler | st.Html:
    """One table of the review as a French, formatted pandas Styler.

    Parameters
    ----------
    review : AnnualReview
    which : str
        One of :data:`REVIEW_TABLES`: ``par_type``, ``par_politique``,
        ``par_departement``, ``moins_2_fois`` (named MLs reached fewer than
        twice), ``evolution`` (change on the previous year), ``par_ml``.

    Returns
    -------
    pandas.io.formats.style.Styler
        French headers, ``12 345`` counts, ``45,2 %`` shares; for an empty
        ``moins_2_fois``, a displayable French sentence instead. The report
        shows the same table through :func:`review_block`.
    """
    built = _review_frame(review, which)
    if isinstance(built, st.Html):
        return built
    table, fmt, _ = built
    return _styler(table, fmt, which)


def _or_dash(fmt: Any) -> Any:
    """``fmt`` with « – » for a missing value (as the Styler's ``na_rep``)."""

    def shown(v: Any) -> str:
        return "–" if v is None or (not isinstance(v, str) and pd.isna(v)) else fmt(v)

    return shown


def _natural(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows in natural order of ``columns``: « Gironde 2 » before « Gironde 10 »."""
    keys = (
        frame[columns]
        .astype(str)
        .apply(lambda row: tuple(natural_key(v) for v in row), axis=1)
    )
    return frame.iloc[sorted(range(len(frame)), key=lambda i: keys.iloc[i])]


#: caption and reading guide of each review table
_CAPTIONS = {
    "evolution": (
        "Les actions d'animation de l'année et de l'année précédente",
        "Chaque ligne compare un total de l'année à celui de l'année précédente ; "
        "l'évolution est donnée en nombre puis en pourcentage.",
    ),
    "par_type": (
        "Actions d'animation par type",
        "Une action compte une fois ; les heures sont celles des actions, les "
        "participants ceux des Missions Locales présentes.",
    ),
    "par_politique": (
        "Actions d'animation par politique régionale relayée",
        "Une action qui relaie deux politiques compte dans chacune : le total des "
        "lignes peut dépasser le nombre d'actions.",
    ),
    "par_departement": (
        "Missions Locales touchées par l'animation, par département",
        "« Touchées » : Missions Locales ayant participé à au moins une action de "
        "l'année ; « moins de deux fois » : celles qui ont participé à une seule "
        "action, ou à aucune.",
    ),
    "moins_2_fois": (
        "Missions Locales touchées moins de deux fois dans l'année",
        "Missions Locales à inviter en priorité aux prochaines actions.",
    ),
    "par_ml": (
        "Actions suivies par chaque Mission Locale",
        "Missions Locales par département, dans l'ordre de leur nom ; « politiques "
        "abordées » : nombre de politiques régionales différentes relayées dans les "
        "actions suivies.",
    ),
}


@base.documented
def review_block(review: AnnualReview, which: str) -> st.Html:
    """One review table with its caption and its reading guide, as HTML.

    Rendered by :func:`observatoire.reports._style.table` like every report
    table: a caption, column headers and row headers declared (RGAA 5.6),
    every text escaped.
    """
    built = _review_frame(review, which)
    if isinstance(built, st.Html):
        return built
    table, fmt, numeric = built
    caption, guide = _CAPTIONS[which]
    return st.table(
        table,
        caption=f"{caption}, {review.year}",
        numeric=numeric,
        formatters={c: _or_dash(f) for c, f in fmt.items()},
        guide=f"Lecture : {st.esc(guide)}",
    )


#: the heading of the annual review
REVIEW_TITLE = "Bilan annuel de l'animation du réseau des Missions Locales"


@base.documented
def review_header(
    review: AnnualReview, *, title: str = REVIEW_TITLE, synthetic: bool = False
) -> st.Html:
    """Title, synthetic-data banner and plain-language summary, as HTML."""
    # the one synthetic-data banner of every report (reports._style)
    banner = st.banner(synthetic)
    seen: set[str] = set()  # acronyms spelled out so far, in reading order
    summary = spell_out(review.text, seen)
    note = spell_out(
        "Article 4 de l'accord-cadre 2022-2024 : bilan annuel des activités "
        "d'animation déployées par l'ARML pour appuyer auprès des Missions Locales "
        "la diffusion des politiques régionales. Les chiffres portent sur des "
        "structures et non sur des jeunes : les Missions Locales sont nommées, "
        "aucun secret statistique ne s'applique (voir l'annexe « Définitions et "
        "méthode »).",
        seen,
    )
    return st.Html(
        f"<h1>{st.esc(title)}, {review.year}</h1>"
        f"{banner.html if banner else ''}"
        f'<p style="font-size:1.05em;line-height:1.45">{st.esc(summary)}</p>'
        f'<p style="color:#555;font-size:0.9em">{st.esc(note)}</p>'
    )


#: what the review counts, in the words of its tables (the annex's definitions)
REVIEW_DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Action d'animation", "Réunion, webinaire, groupe de travail, formation des équipes ou information sur un dispositif organisée par l'ARML pour les Missions Locales ; une action compte une fois, même si elle relaie plusieurs politiques ou réunit plusieurs Missions Locales."),
    ("Heures", "Durée des actions de l'année, telle qu'enregistrée ; une action sans durée saisie compte pour une action mais pour zéro heure."),
    ("Participants", "Professionnels des Missions Locales présents, additionnés sur les actions : une même personne présente à deux actions compte deux fois."),
    ("Mission Locale touchée", "Mission Locale dont au moins un professionnel a participé à une action de l'année ; « moins de deux fois » : à une action au plus."),
    ("Politiques abordées", "Nombre de politiques régionales différentes relayées par les actions qu'une Mission Locale a suivies."),
    ("Évolution", "Écart entre l'année du bilan et l'année précédente, en nombre puis en pourcentage de l'année précédente."),
)  # fmt: skip


@base.documented
def review_method_notes(
    review: AnnualReview, *, synthetic: bool = False, extraction_date: Any = None
) -> st.Html:
    """The review's « Définitions et méthode » annex: source, period, what is
    counted, the disclosure rule applied, the glossary (as every report's)."""
    n = review.year
    return annex(
        source_sentence(
            synthetic,
            extraction_date,
            "journal des actions d'animation de l'ARML et de leurs participants "
            "(tables animations et animations_participations de l'extrait), "
            "référentiel des Missions Locales",
        ),
        st.paragraph(
            st.esc(
                f"Période : les actions datées du 1er janvier au 31 décembre {n}, "
                f"comparées à celles de {n - 1}. Les Missions Locales sont celles "
                f"du réseau régional, rangées par département puis par nom "
                "(« Gironde 2 » avant « Gironde 10 »)."
            )
        ),
        st.paragraph(
            st.esc(
                "Règles de diffusion : le bilan compte des actions, des heures et "
                "des professionnels des Missions Locales, jamais des jeunes. Le "
                "secret statistique du contrat de données (effectifs de jeunes de 1 "
                "à 4 masqués, taux sur moins de 20 jeunes non diffusés) ne "
                "s'applique donc pas : aucune case n'est masquée et les Missions "
                "Locales sont nommées. Aucune donnée individuelle ne figure dans le "
                "bilan."
            )
        ),
        definitions=REVIEW_DEFINITIONS,
        methods=(),
        glossary=tuple(g for g in GLOSSARY if g[0] in ("ARML", "ERIP", "Accord-cadre")),
    )


@base.documented
def section(text: str, level: int = 3) -> st.Html:
    """A French section heading (``<h3>`` by default) for the notebook."""
    return st.heading(text, level)


@base.documented
def as_image(
    fig: Figure,
    *,
    dpi: int | None = None,
    alt: str = "",
    guide: str | None = None,
    data: pd.DataFrame | None = None,
) -> st.Html:
    """A matplotlib figure in a ``<figure>`` with its alternative and data table.

    ``alt`` names the chart; the alternative adds what it shows, drawn from
    ``data`` or from the values the drawing function attached
    (:func:`observatoire.figures.attach_data`, as
    :func:`observatoire.animation.heatmap_ml_policy` does). ``dpi`` is kept
    for older notebooks and ignored: every report figure has one resolution.
    """
    return st.figure(
        fig,
        alt=alt or "Graphique du bilan de l'animation",
        guide=st.esc(guide)
        if guide
        else (
            "Chaque ligne est une Mission Locale, chaque colonne une politique "
            "régionale ; plus la case est foncée, plus la Mission Locale a suivi "
            "d'actions sur cette politique (le nombre est écrit dans la case)."
        ),
        data=data,
        ordered=False,
    )
