"""The run's portal (``index.html``) and its operator log (``journal.html``).

``index.html`` is what a committee member opens first. It holds, in French:

- the synthetic-data banner (when the extract is synthetic) and the period;
- the regional reports (regional report, monthly follow-up, trajectory study,
  ARML review), one line each on what they contain;
- the Mission Locale reports grouped by department, names in natural order
  (« Gironde 2 » before « Gironde 10 »);
- each ML's headline figures (young people accompanied, the four Article 4
  rates, the change on a year), read **only** from the protected tables of the
  run's shared cache (masked values stay masked, « < 5 », « n.d. »), in a table
  that sorts without JavaScript: every order is pre-rendered and reached by a
  link to its anchor (CSS ``:target``); with JavaScript the header links
  become buttons that sort in place and set ``aria-sort``;
- a search box that filters the MLs; it needs JavaScript, so it is hidden
  (``hidden``) until the script shows it, never a dead control;
- links to the accessibility statement and to the methods (the « Définitions
  et méthode » annex of the regional report).

A report that failed is still listed, as unavailable, without a link.

``journal.html`` is the run's log: status, durations, executed or reused,
failures with their one-line error, the run's parameters and fingerprints. It
is an operator page: it links to the executed notebooks, the kernels' logs and
the manifest, which are never published, so it stays in the run folder only.
The index of the run folder links to it; the copy of the index in
``publication/`` (:func:`render_published_index`) does not, so the published
folder has no dead link.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import write_text_atomic
from ..data import DEPARTEMENT_NAMES, DEPARTEMENTS
from ..disclosure import DEFAULT_MIN_DENOMINATOR
from ..formatting import fr_date_long, fr_month, fr_signed_pct
from ._cache import ReportInputs, read_meta
from ._html import PAGE_CSS, department_anchor
from ._kinds import INDEX_GROUPS, KINDS
from ._style import SYNTHETIC_BANNER, scroll_region

logger = logging.getLogger(__name__)

JOURNAL = "journal.html"
STATUS_FR = {"ok": "réussi", "failed": "échec", "interrupted": "interrompu"}
#: the index's groups and labels come from the registry of report kinds
GROUPS = INDEX_GROUPS
LABELS = {name: k.index_label for name, k in KINDS.items() if k.index_label}
#: anchor of the methods annex in the regional report (its heading's slug)
METHODS_ANCHOR = "definitions-et-methode"
#: one line on what each report kind contains, as the portal says it
DESCRIPTIONS = {
    "rapport_regional": (
        "Les chiffres clés de la région et de chaque département, les indicateurs "
        "de l'article 4 de la convention pour les 43 Missions Locales, les "
        "objectifs, l'évaluation des formations financées par la Région et les "
        "méthodes."
    ),
    "suivi_mensuel": (
        "Le mois écoulé et le cumul depuis janvier de chaque Mission Locale, "
        "comparés à la même période de l'année précédente."
    ),
    "trajectoires": (
        "Les parcours des jeunes dans les mois qui suivent leur premier accueil : "
        "les grands types de trajectoires et ce qui les distingue."
    ),
    "bilan_animation": (
        "Le bilan annuel de l'animation du réseau par l'ARML : actions menées, "
        "participation des Missions Locales et des professionnels."
    ),
}


# ============================================================ headline figures
@dataclass(frozen=True)
class Column:
    """A column of the headline table: key, French header, kind of value."""

    key: str
    label: str
    kind: str  # "text", "count", "rate" or "change"

    @property
    def first_descending(self) -> bool:
        """Figures sort largest first on the first click, names A to Z."""
        return self.kind != "text"


def _columns() -> tuple[Column, ...]:
    # short headers: the table has nine columns and must read on a phone; the
    # paragraph above it says what each rate counts
    return (
        Column("nom", "Mission Locale", "text"),
        Column("departement", "Département", "text"),
        Column("jeunes_accompagnes", "Jeunes accompagnés", "count"),
        Column("taux_formation", "Taux de formation", "rate"),
        Column("taux_formation_region", "dont formation Région", "rate"),
        Column("taux_alternance", "Taux d'alternance", "rate"),
        Column("taux_emploi", "Taux d'emploi", "rate"),
        Column("evolution", "Évolution sur un an", "change"),
    )


@dataclass(frozen=True)
class Headline:
    """One ML's line of the headline table.

    ``cells`` maps a column key to (text shown, sort value); the sort value is
    None for a masked or missing figure, which sorts last in either order.
    """

    code: str
    name: str
    departement: str
    cells: dict[str, tuple[str, float | None]]


def headline_rows(inputs: ReportInputs) -> list[Headline]:
    """Each ML's headline figures, from the protected tables of the cache.

    January to the run's month (``mensuel``, ``portee == "cumul"``), as the
    ML reports' key figures: the young people accompanied, the four rates,
    and the change in the accompanied against the same months a year earlier
    (``mensuel_n_1``), shown only when both counts are published.

    Parameters
    ----------
    inputs : ReportInputs
        The run's shared inputs (a cache folder written by the batch).

    Returns
    -------
    list of Headline
        One per ML of the extract, in natural order of their names.
    """
    # lazy: at the top, a cycle (sections -> _downloads -> _publication -> here)
    from .sections._base import RATE_NAMES, available, cell, rows
    from .sections.common import natural_key

    threshold = inputs.threshold
    year, month = inputs.year, inputs.month
    shown = ("jeunes_accompagnes", *RATE_NAMES)
    kinds = {"jeunes_accompagnes": "count", **{r: "rate" for r in RATE_NAMES}}

    def records(table: str, period: str) -> dict[str, tuple[dict, dict]]:
        # plain records, read once: the cached frames carry attrs that pandas
        # copies on every column access
        values, mask = rows(inputs, table, niveau="ml", portee="cumul", periode=period)
        codes = values["code"].astype(str).tolist()
        v = values[list(shown)].to_dict("records")
        m = mask[list(shown)].to_dict("records")
        return dict(zip(codes, zip(v, m, strict=True), strict=True))

    current = records("mensuel", f"{year}-{month:02d}")
    previous = None
    if "mensuel_n_1" in available(inputs):
        previous = records("mensuel_n_1", f"{year - 1}-{month:02d}")
    labels: dict[str, str] = inputs.meta.get("labels", {})
    departements: dict[str, str] = inputs.meta.get("departements", {})
    out = []
    for code, name in labels.items():
        dep = str(departements.get(code, ""))
        cells: dict[str, tuple[str, float | None]] = {
            "nom": (name, None),
            "departement": (DEPARTEMENT_NAMES.get(dep, dep), None),
        }
        if code not in current:
            cells.update({key: ("–", None) for key in (*shown, "evolution")})
            out.append(Headline(code, name, dep, cells))
            continue
        values, mask = current[code]
        for key in shown:
            value, reason = values[key], mask[key]
            if reason or pd.isna(value):
                cells[key] = (cell(value, reason, threshold, kinds[key]), None)
            else:
                cells[key] = (
                    cell(value, "", threshold, kinds[key]),
                    _shown(value, kinds[key]),
                )
        before = previous.get(code) if previous is not None else None
        cells["evolution"] = _change(
            values["jeunes_accompagnes"],
            mask["jeunes_accompagnes"],
            None
            if before is None
            else (before[0]["jeunes_accompagnes"], before[1]["jeunes_accompagnes"]),
        )
        out.append(Headline(code, name, dep, cells))
    out.sort(key=lambda h: natural_key(h.name))
    return out


#: the headline rows of the last cache folder read: the batch rewrites the
#: index after every report, and a cache folder, named by the hash of its
#: data and parameters, never changes once written
_LAST: dict[str, list[Headline]] = {}


def _headlines(inputs: ReportInputs) -> list[Headline]:
    if inputs.folder is None:
        return headline_rows(inputs)
    key = str(inputs.folder)
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = headline_rows(inputs)
    return _LAST[key]


def _change(value, reason, previous) -> tuple[str, float | None]:
    """The change on a year: only between two published counts.

    « n.d. » when either count is hidden (the change would give it back),
    « – » when there is nothing to compare to.
    """
    if previous is None:
        return ("–", None)
    prev, prev_reason = previous
    if reason or prev_reason:
        return ("n.d.", None)
    if pd.isna(value) or pd.isna(prev) or float(prev) == 0:
        return ("–", None)
    change = float(value) / float(prev) - 1
    if round(100 * change, 1) == 0:
        return ("stable", 0.0)
    return (fr_signed_pct(change), _shown(change, "rate"))


def _shown(value: float, kind: str) -> float:
    """A figure at the precision it is printed (0,1 % for a rate): the page
    sorts on what it shows, and its markup carries no more than its text."""
    return round(float(value), 3 if kind == "rate" else 0)


def sort_rows(
    rows: list[Headline], key: str, descending: bool = False
) -> list[Headline]:
    """The rows in the order of one column (the orders the page offers).

    Names sort in natural order, departments by code then name; figures by
    value, ties in natural order of names, and a hidden or missing figure goes
    last in either direction (a reader looks for the figures).

    Parameters
    ----------
    rows : list of Headline
        The headline rows (:func:`headline_rows`).
    key : str
        ``nom``, ``departement``, or a column key of ``Headline.cells``.
    descending : bool, default False
        Reverse order (departments reversed, names still A to Z inside each;
        hidden figures still last).

    Returns
    -------
    list of Headline
        A new list; ``rows`` is not changed.
    """
    # lazy: at the top, a cycle (sections -> _downloads -> _publication -> here)
    from .sections.common import natural_key

    by_name = sorted(rows, key=lambda h: natural_key(h.name))
    rank = {h.code: i for i, h in enumerate(by_name)}
    if key == "nom":
        return by_name[::-1] if descending else by_name
    if key == "departement":
        ordered = sorted(
            by_name, key=lambda h: (_dep_rank(h.departement), rank[h.code])
        )
        if descending:  # departments reversed, names still A to Z inside each
            ordered = sorted(
                by_name, key=lambda h: (-_dep_rank(h.departement), rank[h.code])
            )
        return ordered
    shown = [h for h in by_name if h.cells[key][1] is not None]
    hidden = [h for h in by_name if h.cells[key][1] is None]
    sign = -1 if descending else 1
    shown.sort(key=lambda h: (sign * h.cells[key][1], rank[h.code]))
    return shown + hidden


def _dep_rank(dep: str) -> int:
    return DEPARTEMENTS.index(dep) if dep in DEPARTEMENTS else len(DEPARTEMENTS)


# ======================================================================= page
_CSS = """
main { max-width: 72rem; }
.tri tbody th { text-align: left; font-weight: normal; min-width: 11rem; }
.tri thead th.num { white-space: normal; min-width: 6rem; vertical-align: bottom; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
.intro { margin: .4rem 0 1rem; }
ul.rapports { list-style: none; padding: 0; }
ul.rapports li { margin: .5rem 0; max-width: 48rem; }
ul.rapports .quoi { display: block; color: var(--muted); font-size: .92rem; }
.indisponible { color: #a12622; font-weight: 600; }
nav.departements ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap;
  gap: .3rem .9rem; margin: .3rem 0; }
section.departement h3 { margin-top: 1.1rem; }
section.departement ul { margin: .2rem 0; padding-left: 1.2rem; }
.recherche { background: var(--soft); border-radius: 6px; padding: .6rem .9rem;
  margin: 1rem 0; }
.recherche label { font-weight: 600; display: block; }
.recherche input { font: inherit; padding: .3rem .5rem; width: 100%;
  max-width: 24rem; border: 1px solid #6b7480; border-radius: 4px; }
.recherche p { margin: .3rem 0 0; font-size: .92rem; color: var(--muted); }
.tri-variante { display: none; }
.tri-variante:target { display: block; }
.tri-variante:target ~ .tri-defaut { display: none; }
th a.tri, th button.tri { color: inherit; font: inherit; font-weight: 600;
  text-align: inherit; }
th button.tri { background: none; border: 0; padding: 0; cursor: pointer;
  text-decoration: underline; text-underline-offset: .15em; }
th .sens { font-weight: normal; }
.liens { margin: 1rem 0; }
@media print {
  .recherche, nav.departements { display: none !important; }
  .tri-variante { display: none !important; }
  .tri-defaut { display: block !important; }
  th .sens { display: none; }
}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  function norm(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var box = document.querySelector(".tri");
  if (box) {
    var wanted = location.hash.slice(1);
    var keep = box.querySelector(".tri-defaut");
    box.querySelectorAll(".tri-variante").forEach(function (v) {
      if (v.id === wanted) { keep = v; }
    });
    box.querySelectorAll(".tri-variante, .tri-defaut").forEach(function (v) {
      if (v !== keep) { v.remove(); }
    });
    keep.className = "tri-defaut";
    var table = keep.querySelector("table");
    var caption = table.querySelector("caption .ordre");
    var status = document.getElementById("tri-etat");
    var heads = table.querySelectorAll("thead th");
    function sortBy(index, descending) {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute("data-v");
        var y = b.cells[index].getAttribute("data-v");
        if (x === "" || y === "") {
          if (x !== y) { return x === "" ? 1 : -1; }
        } else if (+x !== +y) {
          return descending ? +y - +x : +x - +y;
        }
        return +a.getAttribute("data-rang") - +b.getAttribute("data-rang");
      });
      rows.forEach(function (r) { body.appendChild(r); });
      heads.forEach(function (th, i) {
        var button = th.querySelector("button");
        if (i === index) {
          th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        } else {
          th.removeAttribute("aria-sort");
        }
        if (button) {
          button.setAttribute("data-sens", i === index ? (descending ? "desc" : "asc") : "");
        }
      });
      var text = heads[index].getAttribute("data-libelle") + ", " +
        (descending ? heads[index].getAttribute("data-desc")
                    : heads[index].getAttribute("data-asc"));
      if (caption) { caption.textContent = text; }
      if (status) { status.textContent = "Tableau trié par " + text + "."; }
    }
    heads.forEach(function (th, index) {
      var link = th.querySelector("a.tri");
      if (!link) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tri";
      button.textContent = th.getAttribute("data-libelle");
      button.setAttribute("data-sens", th.hasAttribute("aria-sort")
        ? (th.getAttribute("aria-sort") === "descending" ? "desc" : "asc") : "");
      button.addEventListener("click", function () {
        var sens = button.getAttribute("data-sens");
        var descending = sens ? sens === "asc"
                              : th.getAttribute("data-premier") === "desc";
        sortBy(index, descending);
      });
      link.replaceWith(button);
    });
  }
  var search = document.getElementById("recherche");
  if (search) {
    search.hidden = false;
    var input = document.getElementById("recherche-ml");
    var count = document.getElementById("recherche-nombre");
    var items = document.querySelectorAll("[data-recherche]");
    input.addEventListener("input", function () {
      var q = norm(input.value.trim());
      var seen = {};
      items.forEach(function (el) {
        var ok = !q || norm(el.getAttribute("data-recherche")).indexOf(q) >= 0;
        el.hidden = !ok;
        if (ok && el.tagName === "LI") { seen[el.getAttribute("data-code")] = 1; }
      });
      document.querySelectorAll("section.departement").forEach(function (s) {
        s.hidden = !s.querySelector("li[data-recherche]:not([hidden])");
      });
      var n = Object.keys(seen).length;
      var total = document.querySelectorAll("section.departement li[data-recherche]").length;
      count.textContent = q ? n + " Mission" + (n > 1 ? "s" : "") + " Locale" +
        (n > 1 ? "s" : "") + " sur " + total + " pour « " + input.value.trim() + " »."
        : "";
    });
  }
})();
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _period(manifest: dict[str, Any]) -> str:
    params = manifest.get("parameters", {})
    year, month = params.get("year"), params.get("month")
    if isinstance(year, int) and isinstance(month, int):
        return f"année {year}, données jusqu'à fin {fr_month(year, month)}"
    return ""


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


def _extraction(manifest: dict[str, Any]) -> str:
    day = manifest.get("extraction_date")
    return fr_date_long(_date(day)) if day else ""


def _subtitle(manifest: dict[str, Any]) -> str:
    parts = [f"Exécution « {_e(manifest.get('run', ''))} »"]
    if _period(manifest):
        parts.append(_e(_period(manifest)))
    if _extraction(manifest):
        parts.append(f"extrait du {_e(_extraction(manifest))}")
    return " — ".join(parts)


def _head(title: str, extra_css: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{PAGE_CSS}{extra_css}</style>\n"
        "</head>\n<body>\n<main>\n"
    )


def _banner(manifest: dict[str, Any]) -> str:
    if not manifest.get("synthetic"):
        return ""
    return f'<div class="bandeau" role="note">{_e(SYNTHETIC_BANNER)}</div>\n'


def _ok(entry: dict[str, Any] | None) -> bool:
    return bool(entry and entry.get("status") == "ok" and entry.get("html"))


def _unavailable(entry: dict[str, Any]) -> str:
    if entry.get("status") == "interrupted":
        why = "exécution interrompue"
    elif entry.get("status") == "failed":
        why = "échec de la production"
    else:
        why = "en cours de production"
    return f'<span class="indisponible">indisponible ({why})</span>'


def _report_link(entry: dict[str, Any], label: str) -> str:
    """A report's link and its PDF, or its name marked unavailable."""
    if not _ok(entry):
        return f"<span>{_e(label)}</span> — {_unavailable(entry)}"
    out = f'<a href="{_e(entry["html"])}">{_e(label)}</a>'
    if entry.get("pdf"):
        out += (
            f' — <a href="{_e(entry["pdf"])}">version PDF'
            f'<span class="visually-hidden"> de {_e(label)}</span></a>'
        )
    return out


def _regional_section(reports: list[dict[str, Any]]) -> str:
    title, kinds = GROUPS[0]
    items = []
    for entry in reports:
        if entry.get("kind") not in kinds:
            continue
        label = LABELS.get(entry["kind"], entry.get("name", ""))
        what = DESCRIPTIONS.get(entry["kind"], "")
        items.append(
            f"<li>{_report_link(entry, label)}"
            + (f'<span class="quoi">{_e(what)}</span>' if what else "")
            + "</li>"
        )
    if not items:
        return ""
    return (
        f'<h2 id="rapports-regionaux">{_e(title)}</h2>\n'
        f'<ul class="rapports">{"".join(items)}</ul>\n'
    )


def _department_of(entry: dict[str, Any], departements: dict[str, str]) -> str:
    return str(departements.get(str(entry.get("code_ml")), ""))


def _ml_section(
    reports: list[dict[str, Any]], labels: dict[str, str], departements: dict[str, str]
) -> str:
    # lazy: at the top, a cycle (sections -> _downloads -> _publication -> here)
    from .sections.common import natural_key

    entries = [
        e for e in reports if KINDS.get(e.get("kind")) and KINDS[e["kind"]].per_ml
    ]
    if not entries:
        return ""
    by_dep: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_dep.setdefault(_department_of(entry, departements), []).append(entry)
    order = sorted(by_dep, key=lambda d: (_dep_rank(d), d))
    n_ok = sum(_ok(e) for e in entries)
    parts = [
        f'<h2 id="rapports-ml">{_e(GROUPS[-1][0])}</h2>\n',
        f"<p>{n_ok} rapport{'s' if n_ok > 1 else ''} de Mission Locale sur "
        f"{len(entries)}, classés par département.</p>\n",
    ]
    if len(order) > 1:
        links = "".join(
            f'<li><a href="#{department_anchor(d)}">{_e(_dep_name(d))}</a></li>'
            for d in order
        )
        parts.append(
            '<nav class="departements" aria-label="Départements">'
            f"<ul>{links}</ul></nav>\n"
        )
    parts.append(
        '<div class="recherche" id="recherche" role="search" hidden>'
        '<label for="recherche-ml">Rechercher une Mission Locale</label>'
        '<input type="search" id="recherche-ml" autocomplete="off" '
        'aria-describedby="recherche-aide recherche-nombre">'
        '<p id="recherche-aide">Par nom ou par département ; la liste et le tableau '
        "des chiffres clés ne gardent que les Missions Locales trouvées.</p>"
        '<p id="recherche-nombre" aria-live="polite"></p></div>\n'
    )
    for dep in order:
        items = []
        for entry in sorted(
            by_dep[dep],
            key=lambda e: natural_key(_ml_label(e, labels)),
        ):
            label = _ml_label(entry, labels)
            items.append(
                f'<li data-code="{_e(entry.get("code_ml", ""))}" '
                f'data-recherche="{_e(label + " " + _dep_name(dep) + " " + dep)}">'
                f"{_report_link(entry, label)}</li>"
            )
        heading = _e(_dep_name(dep))
        parts.append(
            # no accessible name: twelve sections must not become twelve landmarks
            '<section class="departement">'
            f'<h3 id="{department_anchor(dep)}">{heading}</h3>'
            f"<ul>{''.join(items)}</ul></section>\n"
        )
    return "".join(parts)


def _dep_name(dep: str) -> str:
    if not dep:
        return "Département non renseigné"
    name = DEPARTEMENT_NAMES.get(dep)
    return f"{name} ({dep})" if name else dep


def _ml_label(entry: dict[str, Any], labels: dict[str, str]) -> str:
    code = str(entry.get("code_ml") or "")
    return entry.get("libelle") or labels.get(code) or code


def _order_words(column: Column, descending: bool) -> str:
    if column.key == "departement":
        return "numéro décroissant" if descending else "numéro croissant"
    if column.kind == "text":
        return "ordre alphabétique inverse" if descending else "ordre alphabétique"
    return "ordre décroissant" if descending else "ordre croissant"


def _headline_table(
    rows: list[Headline],
    column: Column,
    descending: bool,
    columns: tuple[Column, ...],
    links: dict[str, str],
    period: str,
) -> str:
    """One pre-rendered order of the headline table."""
    head = []
    for c in columns:
        if c.key == column.key:
            target_desc = not descending
            sort = f' aria-sort="{"descending" if descending else "ascending"}"'
        else:
            target_desc = c.first_descending
            sort = ""
        href = f"#tri-{c.key}-{'desc' if target_desc else 'asc'}"
        head.append(
            f'<th scope="col"{sort} class="{"num" if c.kind != "text" else ""}" '
            f'data-libelle="{_e(c.label)}" data-asc="{_e(_order_words(c, False))}" '
            f'data-desc="{_e(_order_words(c, True))}" '
            f'data-premier="{"desc" if c.first_descending else "asc"}">'
            f'<a class="tri" href="{href}">{_e(c.label)}'
            f'<span class="visually-hidden"> (trier par '
            f"{_e(_order_words(c, target_desc))})</span></a></th>"
        )
    body = []
    by_name = sort_rows(rows, "nom")
    rank = {h.code: i for i, h in enumerate(by_name)}
    dep_rank = {h.code: i for i, h in enumerate(sort_rows(rows, "departement"))}
    for h in sort_rows(rows, column.key, descending):
        name = _e(h.name)
        link = links.get(h.code)
        first = f'<a href="{_e(link)}">{name}</a>' if link else name
        cells = [
            f'<th scope="row" data-v="{rank[h.code]}">{first}</th>',
            f'<td data-v="{dep_rank[h.code]}">{_e(h.cells["departement"][0])}</td>',
        ]
        for c in columns[2:]:
            text, value = h.cells[c.key]
            cells.append(
                f'<td class="num" data-v="{"" if value is None else repr(value)}">'
                f"{_e(text)}</td>"
            )
        search = f"{h.name} {h.cells['departement'][0]} {h.departement}"
        body.append(
            f'<tr data-rang="{rank[h.code]}" data-recherche="{_e(search)}">'
            f"{''.join(cells)}</tr>"
        )
    order = f"{column.label}, {_order_words(column, descending)}"
    caption = (
        f"Chiffres clés des Missions Locales, {_e(period)} — triés par "
        f'<span class="ordre">{_e(order)}</span>'
    )
    table = (
        f"<table><caption>{caption}</caption><thead><tr>{''.join(head)}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )

    return scroll_region(
        table, f"Chiffres clés des Missions Locales, triés par {order}"
    )


def _headline_section(
    inputs: ReportInputs | None,
    reports: list[dict[str, Any]],
    threshold: int | None,
) -> str:
    heading = '<h2 id="chiffres-cles">Chiffres clés des Missions Locales</h2>\n'
    if inputs is None:
        return heading + (
            '<p class="avertissement">Les chiffres clés ne sont pas disponibles pour '
            "cette exécution (entrées partagées introuvables).</p>\n"
        )
    try:
        rows = _headlines(inputs)
    except Exception as exc:  # the list of reports must still be shown
        logger.warning("index: headline figures failed: %s", exc, exc_info=True)
        return heading + (
            '<p class="avertissement">Les chiffres clés n\'ont pas pu être lus '
            f"({_e(type(exc).__name__)}).</p>\n"
        )
    links = {
        str(e.get("code_ml")): e["html"]
        for e in reports
        if KINDS.get(e.get("kind")) and KINDS[e["kind"]].per_ml and _ok(e)
    }
    year, month = inputs.year, inputs.month
    period = f"de janvier à fin {fr_month(year, month)}"
    columns = _columns()
    default = columns[1]
    variants = []
    for c in columns:
        for descending in (False, True):
            if c.key == default.key and not descending:
                continue
            variants.append(
                f'<div class="tri-variante" id="tri-{c.key}-'
                f'{"desc" if descending else "asc"}">'
                + _headline_table(rows, c, descending, columns, links, period)
                + "</div>"
            )
    variants.append(
        f'<div class="tri-defaut" id="tri-{default.key}-asc">'
        + _headline_table(rows, default, False, columns, links, period)
        + "</div>"
    )
    intro = (
        f"<p>Pour chaque Mission Locale, {_e(period)} : les jeunes accompagnés et "
        "les quatre taux de l'article 4 de la convention, parts des jeunes "
        "accompagnés entrés en formation (taux de formation), en formation "
        "financée par la Région (dont formation Région), en alternance et en "
        "emploi ; l'évolution compare les jeunes accompagnés à la même période de "
        f"{year - 1}. Les titres de colonne trient le tableau.</p>\n"
    )
    return (
        heading
        + intro
        + _legend(threshold or inputs.threshold)
        + '<p id="tri-etat" class="visually-hidden" aria-live="polite"></p>\n'
        + f'<div class="tri">{"".join(variants)}</div>\n'
    )


def _legend(threshold: int) -> str:
    """The signs that replace a figure in the table (the reports' conventions)."""
    return (
        '<div class="conventions"><p><strong>Secret statistique.</strong> '
        f"<b>&lt; {threshold}</b> : effectif inférieur à {threshold}, masqué ; "
        "<b>s</b> : valeur masquée pour qu'on ne puisse pas retrouver un petit "
        "effectif par différence ; <b>n.d.</b> : non diffusé (taux calculé sur "
        f"moins de {DEFAULT_MIN_DENOMINATOR} jeunes, ou évolution qui redonnerait "
        "un effectif masqué) ; <b>–</b> : pas de valeur (rien à comparer)."
        "</p></div>\n"
    )


def _links(manifest: dict[str, Any], *, journal: bool) -> str:
    items = ['<li><a href="accessibilite.html">Accessibilité : non conforme</a></li>']
    regional = next(
        (e for e in manifest.get("reports", []) if e.get("kind") == "rapport_regional"),
        None,
    )
    if _ok(regional):
        items.insert(
            0,
            f'<li><a href="{_e(regional["html"])}#{METHODS_ANCHOR}">Méthodes et '
            "définitions (annexe du rapport régional)</a></li>",
        )
    if journal:
        items.append(
            f'<li><a href="{JOURNAL}">Journal de l\'exécution</a> (statut et durée de '
            "chaque rapport, erreurs, paramètres ; page d'exploitation, non "
            "publiée)</li>"
        )
    return (
        '<nav class="liens" aria-label="Méthodes et informations">'
        f"<ul>{''.join(items)}</ul></nav>\n"
    )


def render_index(
    manifest: dict[str, Any],
    inputs: ReportInputs | None = None,
    *,
    journal: bool = True,
) -> str:
    """The portal page of a run.

    Parameters
    ----------
    manifest : dict
        The run's manifest (reports, their files and status, parameters).
    inputs : ReportInputs, optional
        The run's shared inputs, for the headline figures; without them the
        page says the figures are not available.
    journal : bool, default True
        Link to ``journal.html`` (the run folder's index); False for the copy
        in ``publication/``, where the journal is not.

    Returns
    -------
    str
        The HTML page.
    """
    reports = manifest.get("reports", [])
    meta = inputs.meta if inputs is not None else {}
    labels = meta.get("labels", {})
    departements = meta.get("departements", {})
    title = manifest.get("title") or "Observatoire"
    n_ok = sum(_ok(e) for e in reports)
    n_failed = sum(e.get("status") in ("failed", "interrupted") for e in reports)
    status = (
        f"{n_ok} rapport{'s' if n_ok > 1 else ''} sur {len(reports)} "
        f"disponible{'s' if n_ok > 1 else ''}"
    )
    if n_failed:
        status += f", {n_failed} indisponible{'s' if n_failed > 1 else ''}"
    if not manifest.get("complete", True):
        status += " (production en cours ou interrompue)"
    threshold = manifest.get("parameters", {}).get("disclosure_threshold")
    parts = [
        _head(f"{title} — {manifest.get('run', '')}", _CSS),
        f"<h1>{_e(title)}</h1>\n",
        f'<p class="sous-titre">{_subtitle(manifest)}</p>\n',
        _banner(manifest),
        '<p class="intro">Les rapports de l\'observatoire de la formation des jeunes '
        "accompagnés par les Missions Locales de Nouvelle-Aquitaine : la région, "
        f"le suivi mensuel, les parcours, l'animation du réseau et chaque Mission "
        f"Locale. {_e(status)}.</p>\n",
        _links(manifest, journal=journal),
        _regional_section(reports),
        _ml_section(reports, labels, departements),
        _headline_section(
            inputs, reports, threshold if isinstance(threshold, int) else None
        ),
        f"<footer>{_footer(manifest)}.</footer>\n</main>\n",
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n",
    ]
    return "".join(parts)


def _footer(manifest: dict[str, Any]) -> str:
    started = manifest.get("started", "")
    when = f"Produit le {fr_date_long(_date(started))}" if started else "Produit"
    version = manifest.get("observatoire_version", "")
    return f"{_e(when)} par observatoire {_e(version)}"


# ==================================================================== journal
_JOURNAL_CSS = """
main { max-width: 72rem; }
tbody th { text-align: left; font-weight: normal; }
td.statut-ok { color: #2e6b30; font-weight: 600; }
td.statut-failed, td.statut-interrupted { color: #a12622; font-weight: 600; }
td.erreur { font-size: .8rem; color: #5a6270; max-width: 22rem; overflow-wrap: anywhere; }
td code, dd code { overflow-wrap: anywhere; }
"""


def _duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    return (
        f"{seconds:.0f} s".replace(".", ",")
        if seconds >= 10
        else f"{seconds:.1f} s".replace(".", ",")
    )


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def render_journal(
    manifest: dict[str, Any], run_dir: str | os.PathLike[str] | None = None
) -> str:
    """The run's log: every report's status, durations and error; the parameters.

    Parameters
    ----------
    manifest : dict
        The run's manifest.
    run_dir : path, optional
        The run folder: the links to the kernels' logs are given only for the
        logs that are there.

    Returns
    -------
    str
        The HTML page (it links to working files: it is not published).
    """
    run = Path(run_dir) if run_dir is not None else None
    reports = manifest.get("reports", [])
    title = f"Journal de l'exécution « {manifest.get('run', '')} »"
    n_ok = sum(r.get("status") == "ok" for r in reports)
    n_reused = sum(bool(r.get("reused")) for r in reports)
    parts = [
        _head(title, _JOURNAL_CSS),
        '<nav aria-label="Fil d\'Ariane"><a href="index.html">Portail des rapports</a> › '
        '<span aria-current="page">Journal</span></nav>\n',
        f"<h1>{_e(title)}</h1>\n",
        f'<p class="sous-titre">{_subtitle(manifest)}</p>\n',
        _banner(manifest),
        f"<p>{n_ok} rapport{'s' if n_ok > 1 else ''} sur {len(reports)} "
        f"produit{'s' if n_ok > 1 else ''}"
        + (
            f", <strong>{len(reports) - n_ok} en échec</strong>"
            if n_ok < len(reports)
            else ""
        )
        + (
            f", dont {n_reused} réutilisé{'s' if n_reused > 1 else ''} sans être "
            "exécuté" + ("s" if n_reused > 1 else "") + " (entrées inchangées)"
            if n_reused
            else ""
        )  # fmt: skip
        + (
            " ; exécution en cours ou interrompue"
            if not manifest.get("complete", True)
            else ""
        )
        + f" ; durée totale {_e(_duration(manifest.get('duration_s')) or '–')}.</p>\n",
        "<p>Page d'exploitation : elle renvoie aux carnets exécutés et aux journaux "
        "des noyaux, qui ne sont pas publiés ; elle n'est pas copiée dans "
        "<code>publication/</code>.</p>\n",
    ]
    for group, kinds in GROUPS:
        rows = []
        for r in reports:
            if r.get("kind") not in kinds:
                continue
            label = LABELS.get(r["kind"]) or (
                f"{r.get('libelle') or r.get('code_ml')} ({r.get('code_ml')})"
            )
            name = f'<a href="{_e(r["html"])}">{_e(label)}</a>' if _ok(r) else _e(label)
            files = []
            if r.get("notebook"):
                files.append(f'<a href="{_e(r["notebook"])}">carnet exécuté</a>')
            log = f"logs/{r.get('name')}.kernel.log"
            if run is not None and (run / log).is_file():
                files.append(f'<a href="{_e(log)}">journal du noyau</a>')
            if r.get("pdf") and r.get("status") == "ok":
                files.append(f'<a href="{_e(r["pdf"])}">PDF</a>')
            how = "réutilisé" if r.get("reused") else "exécuté"
            if r.get("attempts", 1) > 1:
                how += f" ({r['attempts']} tentatives)"
            status = r.get("status", "failed")
            rows.append(
                f'<tr><th scope="row">{name}</th>'
                f'<td class="statut-{_e(status)}">{_e(STATUS_FR.get(status, status))}'
                f"</td><td>{_e(how)}</td>"
                f'<td class="num">{_e(_duration(r.get("duration_s")))}</td>'
                f'<td class="num">{_e(_duration(r.get("execute_s")))}</td>'
                f'<td class="num">{_e(_duration(r.get("export_s")))}</td>'
                f'<td class="erreur">{_e(r.get("error", "")) if status != "ok" else ""}'
                f"</td><td>{' — '.join(files)}</td></tr>"
            )
        if not rows:
            continue
        caption = f"{group} : statut et durée de production"
        table = (
            f"<table><caption>{_e(caption)}</caption><thead><tr>"
            '<th scope="col">Rapport</th><th scope="col">Statut</th>'
            '<th scope="col">Production</th><th scope="col" class="num">Durée</th>'
            '<th scope="col" class="num">dont exécution</th>'
            '<th scope="col" class="num">dont export</th>'
            '<th scope="col">Erreur</th><th scope="col">Fichiers</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        parts.append(f"<h2>{_e(group)}</h2>\n{scroll_region(table, caption)}\n")
    parts.append(_run_description(manifest, scroll_region))
    parts.append(
        f"<footer>{_footer(manifest)} — détail complet dans "
        '<a href="manifest.json">manifest.json</a>.</footer>\n</main>\n'
        "</body>\n</html>\n"
    )
    return "".join(parts)


def _run_description(manifest: dict[str, Any], scroll_region) -> str:
    started = manifest.get("started", "")
    facts = [
        (
            "Lancée le",
            (fr_date_long(_date(started)) + started[10:16].replace("T", " à "))
            if started
            else "",
        ),  # fmt: skip
        ("Version d'observatoire", manifest.get("observatoire_version", "")),
        ("Empreinte des données", manifest.get("data_fingerprint") or ""),
        ("Clé des entrées partagées", manifest.get("cache_key") or ""),
        ("Fichier de paramètres", manifest.get("parameters_file") or ""),
    ]
    rows = "".join(
        f'<tr><th scope="row">{_e(k)}</th><td><code>{_e(v)}</code></td></tr>'
        for k, v in facts
        if v
    )
    for key, value in manifest.get("parameters", {}).items():
        rows += (
            f'<tr><th scope="row">{_e(key)}</th><td><code>{_e(_value(value))}</code>'
            "</td></tr>"
        )
    caption = "Paramètres et empreintes de l'exécution"
    table = f"<table><caption>{caption}</caption><tbody>{rows}</tbody></table>"
    out = f"<h2>Paramètres</h2>\n{scroll_region(table, caption)}\n"
    timings = manifest.get("timings_s") or {}
    if timings:
        trs = "".join(
            f'<tr><th scope="row">{_e(k)}</th><td class="num">'
            f"{_e(_duration(v) or '0 s')}</td></tr>"
            for k, v in timings.items()
        )
        cap = "Durée des étapes communes"
        t = (
            f'<table><caption>{cap}</caption><thead><tr><th scope="col">Étape</th>'
            f'<th scope="col" class="num">Durée</th></tr></thead><tbody>{trs}</tbody>'
            "</table>"
        )
        out += scroll_region(t, cap) + "\n"
    return out


# ==================================================================== writing
def run_inputs(
    run_dir: str | os.PathLike[str], manifest: dict[str, Any]
) -> ReportInputs | None:
    """The shared inputs of a run, from ``<run>/cache/<cache_key>``, or None.

    Parameters
    ----------
    run_dir : str or os.PathLike
        The run folder.
    manifest : dict
        The run's ``manifest.json`` contents; its ``cache_key`` names the cache.

    Returns
    -------
    ReportInputs or None
        The inputs read from the cache folder; None when the manifest has no
        cache key or the folder holds no complete cache (``meta.json``).
    """
    key = manifest.get("cache_key")
    if not key:
        return None
    folder = Path(run_dir) / "cache" / str(key)
    meta = read_meta(folder)
    if meta is None:
        return None
    return ReportInputs(meta, folder)


def render_published_index(
    run_dir: str | os.PathLike[str], manifest: dict[str, Any]
) -> str:
    """The index as ``publication/`` holds it: no link to the journal.

    Parameters
    ----------
    run_dir : str or os.PathLike
        The run folder (its cache gives the headline figures).
    manifest : dict
        The run's ``manifest.json`` contents.

    Returns
    -------
    str
        The HTML page (:func:`render_index` with ``journal=False``).
    """
    return render_index(manifest, run_inputs(run_dir, manifest), journal=False)


def write_index(target: str | os.PathLike[str], manifest: dict[str, Any]) -> Path:
    """Write the portal and, next to it, ``journal.html`` (atomically).

    The headline figures are read from the run's shared cache
    (``<run>/cache/<cache_key>``, the run folder being ``target``'s folder).

    Parameters
    ----------
    target : str or os.PathLike
        Path of the index page, in the run folder.
    manifest : dict
        The run's ``manifest.json`` contents.

    Returns
    -------
    Path
        The index page.
    """
    target = Path(target)
    run_dir = target.parent
    inputs = run_inputs(run_dir, manifest)
    write_text_atomic(run_dir / JOURNAL, render_journal(manifest, run_dir))
    return write_text_atomic(target, render_index(manifest, inputs))
