"""The run's portal (``index.html``), its journal and the navigation of report pages.

Everything here is built by hand: a manifest and a shared cache with three
Missions Locales in two departments (Charente 1 in 16; Gironde 2 and Gironde 10
in 33, so that natural order differs from character order), whose figures are
small enough to check by eye:

============  ===========  ==========  =========  =========  =========  ========
ML            accompagnés  n-1         formation  dont Rég.  altern.    emploi
============  ===========  ==========  =========  =========  =========  ========
Charente 1    120          100         25 %       10 %       5 %        30 %
Gironde 2     1 500        1 500       12,5 %     s          8 %        20 %
Gironde 10    < 5 (3)      10          n.d.       n.d.       n.d.       n.d.
============  ===========  ==========  =========  =========  =========  ========

So the change on a year is +20,0 %, « stable » and « n.d. » (a masked count
gives no change). Gironde 2's report failed; so did the monthly follow-up.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from observatoire.reports import _browser
from observatoire.reports._cache import ReportInputs, write_cache
from observatoire.reports._html import render_page, report_nav
from observatoire.reports._index import (
    JOURNAL,
    headline_rows,
    render_index,
    render_journal,
    sort_rows,
    write_index,
)
from observatoire.reports._publication import publish

NNBSP = "\u202f"  # thousands separator
NBSP = "\u00a0"  # before « % »
RATES = ["taux_formation", "taux_formation_region", "taux_alternance", "taux_emploi"]
NAMES = {
    "ML16A": "Mission Locale Charente 1",
    "ML33B": "Mission Locale Gironde 2",
    "ML33A": "Mission Locale Gironde 10",
}
DEPS = {"ML16A": "16", "ML33A": "33", "ML33B": "33"}
KEY = "0123456789abcdef"


def _protected(rows: list[dict], masks: dict[tuple[str, str], str]) -> dict:
    """A protected table as the cache holds it: values and a mask of reasons."""
    values = pd.DataFrame(rows)
    mask = pd.DataFrame("", index=values.index, columns=values.columns)
    for (code, col), reason in masks.items():
        mask.loc[values["code"] == code, col] = reason
    return {"values": values, "mask": mask}


def _row(code, period, accompanied, rates, niveau="ml", portee="cumul"):
    return {
        "niveau": niveau,
        "code": code,
        "portee": portee,
        "periode": period,
        "jeunes_accompagnes": accompanied,
        **dict(zip(RATES, rates, strict=True)),
    }


def _tables() -> dict:
    current = [
        _row("ML16A", "2024-03", 120.0, [0.25, 0.10, 0.05, 0.30]),
        _row("ML33B", "2024-03", 1500.0, [0.125, 0.04, 0.08, 0.20]),
        # the count under the threshold is still in the values here: the mask,
        # not the value, says what a reader may see
        _row("ML33A", "2024-03", 3.0, [0.5, 0.0, 0.0, 0.5]),
        # rows the index must not read: the month alone, another month, the region
        _row("ML16A", "2024-03", 999.0, [0.9] * 4, portee="mois"),
        _row("ML16A", "2024-02", 888.0, [0.9] * 4),
        _row("NAQ", "2024-03", 1623.0, [0.2] * 4, niveau="region"),
    ]
    masks = {
        ("ML33A", "jeunes_accompagnes"): "primaire",
        **{("ML33A", r): "denominateur" for r in RATES},
        ("ML33B", "taux_formation_region"): "secondaire",
    }
    previous = [
        _row("ML16A", "2023-03", 100.0, [np.nan] * 4),
        _row("ML33B", "2023-03", 1500.0, [np.nan] * 4),
        _row("ML33A", "2023-03", 10.0, [np.nan] * 4),
    ]
    return {
        "mensuel": _protected(current, masks),
        "mensuel_n_1": _protected(previous, {}),
    }


def _meta() -> dict:
    return {
        "year": 2024,
        "month": 3,
        "disclosure_threshold": 5,
        "synthetic": True,
        "extraction_date": "2024-04-05",
        "labels": dict(NAMES),
        "departements": dict(DEPS),
        "messages": {},
    }


def _entry(name, kind, status="ok", code=None, **extra) -> dict:
    entry = {
        "name": name,
        "kind": kind,
        "status": status,
        "started": "2024-04-06T09:00:00+02:00",
        "duration_s": 8.5,
        "execute_s": 6.0,
        "export_s": 2.5,
        "html": f"html/{name}.html" if status == "ok" else None,
        "notebook": f"notebooks/{name}.ipynb",
        "reused": False,
        "attempts": 1,
        "error": "",
    }
    if code:
        entry.update(code_ml=code, libelle=NAMES[code])
    entry.update(extra)
    return entry


def _manifest() -> dict:
    ml = "rapport_mission_locale"
    return {
        "observatoire_version": "0.1.0",
        "run": "essai",
        "title": "Observatoire des Missions Locales",
        "parameters": {
            "year": 2024,
            "month": 3,
            "disclosure_threshold": 5,
            "mls": list(NAMES),
            "data": "/donnees/extrait",
        },
        "parameters_file": "params/essai.yaml",
        "data_fingerprint": "f" * 64,
        "cache_key": KEY,
        "extraction_date": "2024-04-05",
        "synthetic": True,
        "started": "2024-04-06T09:00:00+02:00",
        "duration_s": 95.0,
        "complete": True,
        "reused": ["trajectoires"],
        "timings_s": {"shared": 40.0},
        "reports": [
            _entry("rapport_regional", "rapport_regional"),
            _entry(
                "suivi_mensuel",
                "suivi_mensuel",
                "failed",
                error="ValueError: panne simulée",
            ),
            _entry(
                "trajectoires", "trajectoires", reused=True, pdf="pdf/trajectoires.pdf"
            ),
            _entry("bilan_animation", "bilan_animation"),
            _entry(f"{ml}_ML16A", ml, code="ML16A"),
            _entry(f"{ml}_ML33A", ml, code="ML33A"),
            _entry(f"{ml}_ML33B", ml, "failed", code="ML33B", error="KeyError: x"),
        ],
    }


@pytest.fixture
def inputs() -> ReportInputs:
    return ReportInputs(_meta(), None, _tables())


@pytest.fixture
def run(tmp_path) -> Path:
    """A run folder: the cache, the pages of the reports produced, the manifest."""
    run_dir = tmp_path / "essai"
    write_cache(run_dir / "cache" / KEY, _tables(), _meta())
    manifest = _manifest()
    for entry in manifest["reports"]:
        for key in ("html", "notebook", "pdf"):
            if entry.get(key):
                (run_dir / entry[key]).parent.mkdir(parents=True, exist_ok=True)
                (run_dir / entry[key]).write_text("x", encoding="utf-8")
        if entry.get("html"):  # a report page with its navigation
            nav = report_nav(entry["kind"], _meta(), entry.get("code_ml"))
            page = render_page(
                "<h1>Rapport</h1><h2>Chiffres</h2><h2>Définitions et méthode</h2>",
                title="Rapport",
                nav=nav,
            )
            (run_dir / entry["html"]).write_text(page, encoding="utf-8")
    (run_dir / "logs").mkdir()
    (run_dir / "logs" / "suivi_mensuel.kernel.log").write_text("", encoding="utf-8")
    (run_dir / "accessibilite.html").write_text("a", encoding="utf-8")
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    write_index(run_dir / "index.html", manifest)
    return run_dir


class _Page(HTMLParser):
    """Links, ids and the rows of each pre-rendered order of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.variant: str | None = None
        self.orders: dict[str, list[str]] = {}
        self.sorted_by: dict[str, tuple[str, str]] = {}
        self._row: str | None = None
        self._th: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        cls = a.get("class") or ""
        if tag == "div" and ("tri-variante" in cls or "tri-defaut" in cls):
            self.variant = a["id"]
            self.orders[self.variant] = []
        if tag == "tr" and self.variant and "data-rang" in a:
            self._row = ""
        if tag == "th" and self.variant:
            self._th, self._text = a, []

    def handle_data(self, data):
        if self._th is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "th" and self._th is not None:
            text = "".join(self._text).strip()
            if self._row is not None and self._row == "":
                self.orders[self.variant].append(text)
                self._row = None
            elif self._th.get("aria-sort"):
                label = self._th["data-libelle"]
                self.sorted_by[self.variant] = (label, self._th["aria-sort"])
            self._th = None


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


# ------------------------------------------------------------ headline figures
def test_headline_rows_read_only_the_protected_year_to_date_row(inputs):
    rows = {h.code: h.cells for h in headline_rows(inputs)}
    assert [h.name for h in headline_rows(inputs)] == [
        "Mission Locale Charente 1",
        "Mission Locale Gironde 2",
        "Mission Locale Gironde 10",
    ]  # natural order: 2 before 10
    assert rows["ML16A"]["jeunes_accompagnes"] == ("120", 120.0)
    assert rows["ML16A"]["taux_formation"] == (f"25,0{NBSP}%", 0.25)
    assert rows["ML16A"]["evolution"] == (f"+20,0{NBSP}%", pytest.approx(0.2))
    assert rows["ML16A"]["departement"][0] == "Charente"
    assert rows["ML33B"]["jeunes_accompagnes"] == (f"1{NNBSP}500", 1500.0)
    assert rows["ML33B"]["taux_formation_region"] == ("s", None)
    assert rows["ML33B"]["evolution"] == ("stable", 0.0)
    # masked: the sign, never the value behind it, and no change from it
    assert rows["ML33A"]["jeunes_accompagnes"] == ("< 5", None)
    assert {rows["ML33A"][r] for r in RATES} == {("n.d.", None)}
    assert rows["ML33A"]["evolution"] == ("n.d.", None)


def test_change_without_last_year_is_a_dash(inputs):
    tables = _tables()
    del tables["mensuel_n_1"]
    rows = headline_rows(ReportInputs(_meta(), None, tables))
    assert {h.cells["evolution"] for h in rows} == {("–", None)}


def test_sort_orders_put_hidden_figures_last_either_way(inputs):
    rows = headline_rows(inputs)

    def codes(key, descending=False):
        return [h.code for h in sort_rows(rows, key, descending)]

    assert codes("jeunes_accompagnes", True) == ["ML33B", "ML16A", "ML33A"]
    assert codes("jeunes_accompagnes") == ["ML16A", "ML33B", "ML33A"]
    assert codes("nom", True) == ["ML33A", "ML33B", "ML16A"]
    assert codes("departement") == ["ML16A", "ML33B", "ML33A"]
    # departments reversed, names still in natural order inside one
    assert codes("departement", True) == ["ML33B", "ML33A", "ML16A"]
    assert codes("taux_formation_region", True) == ["ML16A", "ML33B", "ML33A"]
    assert codes("evolution", True) == ["ML16A", "ML33B", "ML33A"]
    assert codes("evolution") == ["ML33B", "ML16A", "ML33A"]


# ------------------------------------------------------------------- the page
def test_index_groups_ml_reports_by_department_in_natural_order(run):
    text = (run / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in text
    assert "Données synthétiques" in text and 'class="bandeau"' in text
    assert "extrait du 5 avril 2024" in text
    sections = re.findall(
        r'<section class="departement"[^>]*><h3 id="(dep-\d+)">([^<]*)</h3>(.*?)'
        r"</section>",
        text,
        re.S,
    )
    assert [(a, h) for a, h, _ in sections] == [
        ("dep-16", "Charente (16)"),
        ("dep-33", "Gironde (33)"),
    ]
    gironde = sections[1][2]
    assert gironde.index("Gironde 2<") < gironde.index("Gironde 10<")
    # the failed report is listed, unavailable, without a link
    assert "Mission Locale Gironde 2</span> — <span" in gironde
    assert "indisponible (échec de la production)" in gironde
    assert "rapport_mission_locale_ML33B.html" not in text
    assert '<a href="html/rapport_mission_locale_ML33A.html">' in gironde


def test_index_lists_the_regional_reports_with_what_they_hold(run):
    text = (run / "index.html").read_text(encoding="utf-8")
    regional = text[text.index('id="rapports-regionaux"') : text.index("rapports-ml")]
    assert '<a href="html/rapport_regional.html">Rapport régional</a>' in regional
    assert "Les chiffres clés de la région" in regional
    assert "Suivi mensuel des 43 Missions Locales</span> — " in regional
    assert 'href="html/suivi_mensuel.html"' not in text
    assert '<a href="pdf/trajectoires.pdf">version PDF' in regional
    assert "7 rapports" not in text and "5 rapports sur 7 disponibles" in text
    # the methods annex and the accessibility statement
    assert 'href="html/rapport_regional.html#definitions-et-methode"' in text
    assert '<a href="accessibilite.html">Accessibilité : non conforme</a>' in text


def test_every_order_is_prerendered_and_reached_without_javascript(run):
    page = _page((run / "index.html").read_text(encoding="utf-8"))
    assert len(page.orders) == 16  # 8 columns, two directions
    g2, g10, c1 = NAMES["ML33B"], NAMES["ML33A"], NAMES["ML16A"]
    assert page.orders["tri-departement-asc"] == [c1, g2, g10]  # the default
    assert page.orders["tri-jeunes_accompagnes-desc"] == [g2, c1, g10]
    assert page.orders["tri-jeunes_accompagnes-asc"] == [c1, g2, g10]
    assert page.orders["tri-nom-desc"] == [g10, g2, c1]
    assert page.orders["tri-evolution-desc"] == [c1, g2, g10]
    assert page.sorted_by["tri-departement-asc"] == ("Département", "ascending")
    assert page.sorted_by["tri-taux_emploi-desc"] == ("Taux d'emploi", "descending")
    # every header link leads to an order on the page
    sorts = [h for h in page.links if h.startswith("#tri-")]
    assert len(sorts) == 16 * 8 and {h[1:] for h in sorts} <= set(page.orders)
    text = (run / "index.html").read_text(encoding="utf-8")
    # the sorted column's link reverses it; another column's starts largest first
    assert re.search(
        r'aria-sort="descending"[^>]*data-libelle="Taux d\'emploi"[^>]*>'
        r'<a class="tri" href="#tri-taux_emploi-asc">',
        text.replace("&#x27;", "'"),
    )
    assert ".tri-variante:target { display: block; }" in text
    assert ".tri-variante:target ~ .tri-defaut { display: none; }" in text


def test_masked_values_stay_masked_in_the_table(run):
    text = (run / "index.html").read_text(encoding="utf-8")
    default = text[text.index('id="tri-departement-asc"') :]
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Gironde 10.*?</tr>", default).group(0)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert cells == ["Gironde", "&lt; 5", "n.d.", "n.d.", "n.d.", "n.d.", "n.d."]
    assert 'data-v="3' not in text and ">3<" not in text
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Gironde 2<.*?</tr>", default).group(0)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == [
        "Gironde", f"1{NNBSP}500", f"12,5{NBSP}%", "s", f"8,0{NBSP}%",
        f"20,0{NBSP}%", "stable",
    ]  # fmt: skip
    # the rows the index must not read left no trace
    body = text[text.index("<body>") :]
    assert "999" not in body and "888" not in body and f"1{NNBSP}623" not in body


def test_search_box_is_hidden_until_the_script_shows_it(run):
    text = (run / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="recherche" id="recherche"[^>]*>', text).group(0)
    assert " hidden" in box and 'role="search"' in box
    assert '<label for="recherche-ml">' in text
    assert "search.hidden = false" in text


def test_names_are_escaped(tmp_path):
    meta = _meta()
    meta["labels"]["ML16A"] = "<script>alert(1)</script> & Cie"
    manifest = _manifest()
    manifest["reports"][4]["libelle"] = meta["labels"]["ML16A"]
    text = render_index(manifest, ReportInputs(meta, None, _tables()))
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in text


def test_index_without_cache_still_lists_every_report(tmp_path):
    manifest = _manifest()
    text = render_index(manifest, None)
    assert "Les chiffres clés ne sont pas disponibles" in text
    assert text.count('href="html/rapport_mission_locale_') == 2  # ML16A, ML33A
    # without the cache's departments the MLs are listed together
    assert "Département non renseigné" in text


# -------------------------------------------------------------------- journal
def test_journal_holds_the_run_log(run):
    text = (run / JOURNAL).read_text(encoding="utf-8")
    assert "Journal de l'exécution « essai »" in text.replace("&#x27;", "'")
    assert "5 rapports sur 7 produits, <strong>2 en échec</strong>" in text
    assert "dont 1 réutilisé" in text
    assert "ValueError: panne simulée" in text and "KeyError: x" in text
    assert '<a href="notebooks/suivi_mensuel.ipynb">carnet exécuté</a>' in text
    # a kernel's log is linked only when it is there
    assert 'href="logs/suivi_mensuel.kernel.log"' in text
    assert 'href="logs/rapport_regional.kernel.log"' not in text
    assert "f" * 64 in text and KEY in text and "params/essai.yaml" in text
    assert '<th scope="row">mls</th><td><code>[&quot;ML16A&quot;, ' in text
    assert '<td class="statut-failed">échec</td>' in text
    assert "8,5 s" in text and "6,0 s" in text and "95 s" in text
    assert '<a href="index.html">Portail des rapports</a>' in text
    assert 'href="manifest.json"' in text


def test_an_interrupted_run_says_so_on_both_pages(inputs):
    manifest = _manifest()
    manifest["complete"] = False
    manifest["reports"][5].update(status="interrupted", html=None, error="")
    journal = render_journal(manifest)
    assert '<td class="statut-interrupted">interrompu</td>' in journal
    assert "exécution en cours ou interrompue" in journal
    index = render_index(manifest, inputs)
    assert "(production en cours ou interrompue)" in index
    assert "Gironde 10</span> — <span" in index
    assert "indisponible (exécution interrompue)" in index


def test_run_index_links_the_journal_and_the_published_one_does_not(run):
    manifest = _manifest()
    assert f'href="{JOURNAL}"' in (run / "index.html").read_text(encoding="utf-8")
    out = publish(run, manifest)
    published = (out / "index.html").read_text(encoding="utf-8")
    assert JOURNAL not in published and not (out / JOURNAL).exists()
    assert "Mission Locale Gironde 2" in published  # the same portal otherwise
    # the run's own index is not changed by the publication
    assert f'href="{JOURNAL}"' in (run / "index.html").read_text(encoding="utf-8")


def _dead_links(page: Path, root: Path) -> list[str]:
    """Local links of ``page`` to no file under ``root``, or to no anchor in it."""
    parsed = _page(page.read_text(encoding="utf-8"))
    dead = []
    for href in parsed.links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        target = (page.parent / parts.path).resolve() if parts.path else page
        if not target.is_file() or root.resolve() not in target.parents:
            dead.append(href)
        elif parts.fragment and target.suffix == ".html":
            ids = _page(target.read_text(encoding="utf-8")).ids
            if parts.fragment not in ids:
                dead.append(href)
    return dead


def test_no_link_of_the_index_or_journal_is_dead(run):
    publish(run, _manifest())
    for page in (run / "index.html", run / JOURNAL, run / "publication/index.html"):
        assert _dead_links(page, page.parent) == [], page


# ----------------------------------------------------------- report navigation
def test_ml_report_links_to_the_index_its_department_and_the_regional_report():
    nav = report_nav("rapport_mission_locale", _meta(), "ML33A")
    assert nav.startswith('<nav class="fil" aria-label="')
    assert re.findall(r'href="([^"]+)"', nav) == [
        "../index.html",
        "../index.html#dep-33",
        "rapport_regional.html",
        "../index.html#dep-33",
    ]
    assert '<li aria-current="page">Mission Locale Gironde 10</li>' in nav
    assert "Gironde (33)" in nav


def test_other_reports_link_to_the_index_and_the_regional_report():
    nav = report_nav("suivi_mensuel", _meta())
    assert re.findall(r'href="([^"]+)"', nav) == [
        "../index.html",
        "rapport_regional.html",
    ]
    assert 'aria-current="page">Suivi mensuel — mars 2024</li>' in nav
    regional = report_nav("rapport_regional", _meta())
    assert re.findall(r'href="([^"]+)"', regional) == ["../index.html"]
    # a run without a regional report does not link to one
    alone = report_nav("trajectoires", _meta(), regional=False)
    assert "rapport_regional.html" not in alone


def test_report_nav_links_resolve_in_the_run_and_the_publication(run):
    manifest = _manifest()
    out = publish(run, manifest)
    for folder in (run, out):
        for entry in manifest["reports"]:
            if entry["status"] == "ok":
                page = folder / entry["html"]
                assert _dead_links(page, folder) == [], page
                text = page.read_text(encoding="utf-8")
                assert text.index('<nav class="fil"') < text.index("<h1")


def test_report_nav_is_not_printed():
    page = render_page("<h1>R</h1>", title="R", nav=report_nav("trajectoires", {}))
    assert "nav.fil { display: none !important; }" in page


# -------------------------------------------------------------------- browser
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violation_on_the_index_and_the_journal(browser, run, width):
    publish(run, _manifest())
    pages = [run / "index.html", run / JOURNAL]
    results = _browser.run_axe(pages, width=width)
    results += _browser.run_axe([run / "publication" / "index.html"], width=width)
    assert [r["violations"] for r in results] == [[], [], []]
    for r in results:  # reflow (WCAG 1.4.10): no sideways scrolling of the page
        assert r["scroll_width"] <= width, r["page"]


_BEHAVIOUR = r"""
const { chromium } = require(process.env.PLAYWRIGHT);
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM, headless: true, chromiumSandbox: false,
  });
  const out = {};
  for (const js of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const tab = await context.newPage();
    await tab.goto(process.env.PAGE);
    const names = () => tab.$$eval(
      ".tri table tbody th", (ths) => ths.filter((th) => th.offsetParent !== null)
        .map((th) => th.textContent.trim()));
    const state = { search: await tab.isVisible("#recherche-ml"), first: await names() };
    if (js) {
      state.tables = await tab.$$eval(".tri table", (t) => t.length);
      await tab.click("th[data-libelle='Jeunes accompagnés'] button");
      state.clicked = await names();
      state.sort = await tab.getAttribute("th[data-libelle='Jeunes accompagnés']",
                                          "aria-sort");
      await tab.click("th[data-libelle='Jeunes accompagnés'] button");
      state.again = await names();
      state.status = await tab.textContent("#tri-etat");
      await tab.fill("#recherche-ml", "gironde");
      state.found = await names();
      state.lists = await tab.$$eval("section.departement li",
        (li) => li.filter((x) => x.offsetParent !== null).map((x) => x.dataset.code));
      state.count = await tab.textContent("#recherche-nombre");
    } else {
      await tab.click(".tri-defaut th[data-libelle='Jeunes accompagnés'] a");
      state.clicked = await names();
      state.hash = new URL(tab.url()).hash;
    }
    out[js ? "js" : "nojs"] = state;
    await context.close();
  }
  await browser.close();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e)); process.exit(3); });
"""


def test_table_sorts_and_search_filters_with_and_without_javascript(
    browser, run, tmp_path
):
    import subprocess

    script = tmp_path / "comportement.cjs"
    script.write_text(_BEHAVIOUR, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "PLAYWRIGHT": str(_browser.tools_dir() / "node_modules" / "playwright-core"),
        "CHROMIUM": browser.chromium,
        "PAGE": (run / "index.html").as_uri(),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [browser.node, str(script)], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    c1, g2, g10 = NAMES["ML16A"], NAMES["ML33B"], NAMES["ML33A"]
    # without JavaScript: no search box; a header link shows another order
    assert seen["nojs"]["search"] is False
    assert seen["nojs"]["first"] == [c1, g2, g10]
    assert seen["nojs"]["hash"] == "#tri-jeunes_accompagnes-desc"
    assert seen["nojs"]["clicked"] == [g2, c1, g10]
    # with JavaScript: one table, sorted in place, both directions, masked last
    js = seen["js"]
    assert js["search"] is True and js["tables"] == 1
    assert js["first"] == [c1, g2, g10]
    assert js["clicked"] == [g2, c1, g10] and js["sort"] == "descending"
    assert js["again"] == [c1, g2, g10]
    assert js["status"] == "Tableau trié par Jeunes accompagnés, ordre croissant."
    assert js["found"] == [g2, g10]
    assert js["lists"] == ["ML33B", "ML33A"]
    assert js["count"] == "2 Missions Locales sur 3 pour « gironde »."
