"""Export an executed notebook to one self-contained French HTML page.

nbconvert's ``HTMLExporter`` (``basic`` template) renders the cells without
code, prompts or the parameter cells; the page around it is ours: ``lang="fr"``,
a viewport meta and a narrow column for phones, a table of contents built from
the headings, the images already embedded as base64 PNG. The file is written
under a temporary name and renamed, so an interrupted run leaves no partial page.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import threading
import unicodedata
from pathlib import Path

from .. import __version__
from .._io import write_text_atomic
from ..data import DEPARTEMENT_NAMES
from ._style import fr_date_long, report_title

#: cells dropped from the HTML (Papermill tags its parameter cells)
REMOVED_TAGS = frozenset(
    {"parameters", "injected-parameters", "remove_cell", "remove-cell"}
)

PAGE_CSS = """
:root { --accent: #1f4e79; --muted: #5a6270; --line: #d6dbe1; --soft: #f3f5f8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: #1d232b; line-height: 1.5;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; color: var(--accent); margin: .6rem 0 .4rem; }
h2 { font-size: 1.3rem; color: var(--accent); margin: 2rem 0 .6rem;
  padding-top: .4rem; border-top: 2px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
p, li { max-width: 48rem; }
a { color: var(--accent); }
a.anchor-link { display: none; }
a[download] { overflow-wrap: anywhere; }  /* long file names fit a phone */
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0 1.5rem; }
figcaption, .guide { color: var(--muted); font-size: .92rem; margin-top: .3rem; }
.sous-titre { color: var(--muted); margin: 0 0 1rem; }
.bandeau { background: #fff4ce; border: 2px solid #c59100; color: #5c4300;
  border-radius: 6px; padding: .6rem .9rem; font-weight: 600; margin: .8rem 0; }
.conventions { background: var(--soft); border-left: 4px solid var(--accent);
  padding: .5rem .9rem; margin: 1rem 0; font-size: .92rem; }
.conventions p { margin: .2rem 0; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .6rem 0 1rem; }
.table-wrap thead th:first-child, .table-wrap tbody th:first-child {
  position: sticky; left: 0; z-index: 1; }
.table-wrap tbody th:first-child { background: #fff; }
@media screen and (min-width: 64rem) {
  /* a table wider than the text column uses the width of the window (centred on the
     column) before it scrolls: committee members on a desktop see every column */
  .table-wrap { width: fit-content; min-width: 100%; max-width: calc(100vw - 3rem);
    position: relative; left: 50%; transform: translateX(-50%); }
}
table { border-collapse: collapse; font-size: .9rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; color: #1d232b; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--soft); text-align: left; border-bottom: 2px solid var(--line); }
td.num, th.num, td.col_heading { text-align: right; white-space: nowrap; }
thead th.num, thead th.col_heading { white-space: normal; min-width: 5.5rem; }
table.tableau tbody th:first-child { min-width: 11rem; text-align: left; font-weight: normal; }
tr.total td, tr.total th { font-weight: 600; border-top: 2px solid var(--line); }
.chiffres { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr));
  gap: .6rem; margin: .8rem 0 1.2rem; }
.chiffre { background: var(--soft); border-radius: 6px; padding: .6rem .7rem; }
.chiffre .valeur { display: block; font-size: 1.45rem; font-weight: 700; color: var(--accent); }
.chiffre .libelle { display: block; font-size: .85rem; color: var(--muted); }
.chiffre .evolution { display: block; font-size: .8rem; color: var(--muted); }
nav.sommaire { background: var(--soft); border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; }
nav.sommaire h2 { border: 0; margin: .2rem 0; padding: 0; font-size: 1.05rem; }
nav.sommaire ol { margin: .2rem 0; padding-left: 1.3rem; }
nav.sommaire li { margin: .1rem 0; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2.5rem;
  border-top: 1px solid var(--line); padding-top: .6rem; }
.jp-OutputArea-output pre { white-space: pre-wrap; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  main { padding: .6rem .7rem 2rem; }
  h1 { font-size: 1.35rem; }
  h2 { font-size: 1.15rem; }
  table { font-size: .8rem; }
  th, td { padding: .25rem .4rem; }
}
nav.fil { font-size: .92rem; margin: .2rem 0 .6rem; color: var(--muted); }
nav.fil ol { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; }
nav.fil li + li::before { content: "\\203A"; content: "\\203A" / ""; margin: 0 .45rem; }
nav.fil p { margin: .2rem 0 0; }
@media print {
  nav.sommaire { display: none; } a { color: inherit; }
  nav.fil { display: none !important; } /* links between pages: no use on paper */
}
"""

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="observatoire {version}">
<title>{title}</title>
<style>{css}</style>
{print_style}
</head>
<body>
<main>
{nav}{body}
<footer>{footer}</footer>
</main>
</body>
</html>
"""

_HEADING = re.compile(r"<h([1-3])(\s[^>]*)?>(.*?)</h\1>", re.S | re.I)
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
#: a space inside French quotation marks, which a line must not break at
_QUOTE_SPACE = re.compile(r"(«) | (»)")


def slugify(text: str) -> str:
    """A lowercase ASCII anchor from a French heading.

    Examples
    --------
    >>> slugify("Position parmi les 43 Missions Locales")
    'position-parmi-les-43-missions-locales'
    >>> slugify("Profil des jeunes accompagnés")
    'profil-des-jeunes-accompagnes'

    Parameters
    ----------
    text : str
        A heading's text (tags already removed).

    Returns
    -------
    str
        Letters and digits without accents, runs of anything else as one
        ``-``; ``section`` when nothing is left.
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text or "section"


def add_toc(body: str, *, title: str = "Sommaire") -> str:
    """Give every ``h2``/``h3`` an id and insert a table of contents.

    The contents list goes just before the first ``h2``, after the title block
    (subtitle, banner, conventions); ``h3`` entries nest under the ``h2``
    before them.

    Parameters
    ----------
    body : str
        The page's HTML body. A heading that has an ``id`` keeps it; two
        headings with the same text get distinct ids (``-2``, ``-3``...).
    title : str, default "Sommaire"
        Label of the contents list (French, shown to the reader).

    Returns
    -------
    str
        ``body`` with an id on each ``h1``-``h3`` and the contents list
        inserted; no list when it has fewer than two ``h2``/``h3``.
    """
    seen: set[str] = set()
    entries: list[tuple[int, str, str]] = []

    def fix(match: re.Match[str]) -> str:
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        text = html.unescape(_TAG.sub("", inner.replace("¶", ""))).strip()
        found = _ID.search(attrs)
        anchor = found.group(1) if found else slugify(text)
        base, n = anchor, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        attrs = _ID.sub("", attrs)
        if level > 1:
            entries.append((level, anchor, text))
        return f'<h{level}{attrs} id="{anchor}">{inner}</h{level}>'

    body = _HEADING.sub(fix, body)
    if len(entries) < 2:
        return body
    items: list[str] = []
    open_sub = False
    # a page without h2 (its sections are h3) lists them as its first level:
    # an <ol> directly inside an <ol> is not a list (RGAA 9.3, axe-core "list")
    top = min(level for level, _, _ in entries)
    # sections (h3) before the first top-level heading have no item to nest in:
    # they are listed at the first level too
    first_top = next(i for i, (level, _, _) in enumerate(entries) if level == top)
    for i, (level, anchor, text) in enumerate(entries):
        link = f'<a href="#{anchor}">{html.escape(text)}</a>'
        if level == top or i < first_top:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(f"<li>{link}")
        else:
            if not open_sub:
                items.append("<ol>")
                open_sub = True
            items.append(f"<li>{link}</li>")
    items.append("</ol></li>" if open_sub else "</li>")
    nav = (
        f'<nav class="sommaire" aria-label="{title}"><h2 class="toc-title">{title}</h2>'
        f"<ol>{''.join(items)}</ol></nav>"
    )
    # after the h1 and what directly follows it (subtitle, banner, conventions):
    # before the first section heading
    first_h2 = re.search(r"<h2[\s>]", body, re.I)
    if first_h2 is None:
        return nav + body
    return body[: first_h2.start()] + nav + body[first_h2.start() :]


def _prepare(nb):
    """Drop parameter cells, stderr streams and empty code cells."""
    nb = nb.copy()
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVED_TAGS:
            continue
        if cell.cell_type == "code":
            cell = cell.copy()
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
            if not cell.outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def notebook_body(nb) -> str:
    """The cells of an executed notebook as HTML: outputs and text, no code.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (``nbformat.read`` of Papermill's output).

    Returns
    -------
    str
        The body of the page (nbconvert's ``basic`` template, no input cells,
        no prompts), to be wrapped by :func:`render_page`.
    """
    body, _ = _exporter().from_notebook_node(_prepare(nb))
    return body


_EXPORTERS = threading.local()


def _exporter():
    """This thread's HTML exporter, made once.

    Building one loads and compiles its templates (about 0.03 s, once per report
    of a batch otherwise); a conversion does not change the exporter, but the
    batch exports from one thread per kernel, hence one per thread.
    """
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        exporter = _EXPORTERS.html = _page_exporter_class()(
            # nbconvert's own option: the notebook is checked against its schema
            # once, after the last preprocessor, instead of after each of the
            # twelve (a quarter of the export's time); a check changes nothing,
            # the page is the same
            optimistic_validation=True,
            template_name="basic",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            anchor_link_text="",
        )
    return exporter


_PAGE_EXPORTER = None


def _page_exporter_class():
    """nbconvert's HTMLExporter, its BeautifulSoup pass done by :mod:`._soup`."""
    global _PAGE_EXPORTER
    if _PAGE_EXPORTER is not None:
        return _PAGE_EXPORTER
    # lazy: nbconvert costs about 0.7 s; a report kernel imports this module
    # (report_nav) and never converts
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    # lazy: with nbconvert (it loads BeautifulSoup), only where a page is written
    from . import _soup

    class PageExporter(HTMLExporter):
        """The same page as ``HTMLExporter``, about twice as fast.

        Its ``from_notebook_node`` up to the template, then :func:`._soup.reserialise`
        for the BeautifulSoup pass that follows it; a page that pass does not
        cover is exported by ``HTMLExporter`` itself.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            # as HTMLExporter.from_notebook_node (nbconvert 7), up to the soup
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            given = resources
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(
                self, nb, resources, **kw
            )
            try:
                return _soup.reserialise(page), resources
            except _soup.Unsupported:
                return super().from_notebook_node(nb, given, **kw)

    _PAGE_EXPORTER = PageExporter
    return PageExporter


def department_anchor(dep: str) -> str:
    """The anchor of a department's list of reports in the run's index.

    >>> department_anchor("33")
    'dep-33'

    Parameters
    ----------
    dep : str
        A department code (``"33"``); empty for MLs with no department.

    Returns
    -------
    str
        ``dep-<code>``, or ``dep-autres``.
    """
    return f"dep-{dep}" if dep else "dep-autres"


def report_nav(
    kind: str,
    meta: dict,
    code_ml: str | None = None,
    *,
    regional: bool = True,
) -> str:
    """The navigation at the top of a report page (``html/<report>.html``).

    A breadcrumb back to the run's index (``../index.html``); for a Mission
    Locale, through its department's list in the index, which links the
    department's other reports that exist (and says which are unavailable);
    and a link to the regional report, for every other report, when the run
    produces it (``regional``).

    Parameters
    ----------
    kind : str
        The report kind (:data:`observatoire.reports.REPORT_KINDS`).
    meta : dict
        The shared inputs' description (``labels``, ``departements``).
    code_ml : str, optional
        The report's Mission Locale.
    regional : bool, default True
        Whether the run has a regional report to link to.

    Returns
    -------
    str
        A ``<nav>`` (its links are relative to ``html/``).
    """
    crumbs = ['<li><a href="../index.html">Portail des rapports</a></li>']
    also = []
    if code_ml is not None:
        dep = str(meta.get("departements", {}).get(code_ml, ""))
        name = DEPARTEMENT_NAMES.get(dep, dep) or "Autres"
        label = f"{name} ({dep})" if dep in DEPARTEMENT_NAMES else name
        anchor = department_anchor(dep)
        crumbs.append(
            f'<li><a href="../index.html#{anchor}">{html.escape(label)}</a></li>'
        )
        current = meta.get("labels", {}).get(code_ml, code_ml)
        also.append(
            f'<a href="../index.html#{anchor}">les autres Missions Locales '
            "du département</a>"
        )
    else:
        current = report_title(kind, meta)
    crumbs.append(f'<li aria-current="page">{html.escape(str(current))}</li>')
    if regional and kind != "rapport_regional":
        also.insert(0, '<a href="rapport_regional.html">le rapport régional</a>')
    line = f"<p>Voir aussi : {' ; '.join(also)}.</p>" if also else ""
    return (
        f'<nav class="fil" aria-label="Fil d\'Ariane et rapports liés">'
        f"<ol>{''.join(crumbs)}</ol>{line}</nav>\n"
    )


def render_page(body: str, *, title: str, footer: str = "", nav: str = "") -> str:
    """Wrap an HTML body in the French report page (TOC, CSS, viewport, ``nav``).

    Parameters
    ----------
    body : str
        The report's HTML (:func:`notebook_body`); its contents list is
        added here (:func:`add_toc`).
    title : str
        The page title (``<title>``), escaped here.
    footer : str, optional
        HTML after the body (the generation line), inserted as it is.
    nav : str, optional
        HTML navigation at the top (:func:`report_nav`), inserted as it is.

    Returns
    -------
    str
        A whole HTML document (``lang="fr"``, the page and print CSS, the
        package version in ``<meta name="generator">``).
    """
    # lazy: _pdf and _browser only where a page is written, never in a report kernel
    from ._pdf import print_style_tag

    return PAGE.format(
        version=__version__,
        title=html.escape(title),
        css=PAGE_CSS,
        print_style=print_style_tag(),
        nav=nav,
        body=add_toc(_french_spacing(body)),
        footer=footer,
    )


def _french_spacing(body: str) -> str:
    """Guillemets kept with their words: « mot » never wraps to « / mot / ».

    Examples
    --------
    >>> _french_spacing("<p>une « hausse nette » ici</p>") == (
    ...     "<p>une «\u00a0hausse nette\u00a0» ici</p>"
    ... )
    True
    """
    return _QUOTE_SPACE.sub(lambda m: "«\u00a0" if m.group(1) else "\u00a0»", body)


def export_html(
    notebook: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    title: str,
    footer: str | None = None,
    nav: str = "",
) -> Path:
    """Export an executed notebook file to a self-contained HTML page.

    Parameters
    ----------
    notebook : path
        Executed ``.ipynb``.
    target : path
        HTML file to write (atomically).
    title : str
        The page ``<title>``.
    footer : str, optional
        HTML for the page footer; default names the tool and the date.
    nav : str, optional
        HTML of the navigation above the title (:func:`report_nav`).

    Returns
    -------
    Path
        ``target``.
    """
    # lazy: nbformat (about 0.1 s), only when a notebook is exported
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    if footer is None:
        footer = (
            f"Produit le {fr_date_long(dt.date.today())} par observatoire "
            f"{html.escape(__version__)}."
        )
    page = render_page(notebook_body(nb), title=title, footer=footer, nav=nav)
    return write_text_atomic(target, page)
