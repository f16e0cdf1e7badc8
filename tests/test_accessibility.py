"""Reports as documents a public body can publish: accessible, printable, sent whole.

Three layers, each tested on hand-made input first, then on a real batch (three
Missions Locales of the session's small synthetic extract, PDFs on when
Chromium is here):

- the page checks that axe-core cannot make (:mod:`.._accessibility`: what
  the alternatives of the charts say, data tables, captions);
- axe-core (WCAG 2.0/2.1 A and AA) in headless Chromium, through
  ``tools/browser/browser.mjs`` (:mod:`.._browser`), at 1280 and 320 pixels;
- the accessibility statement, the PDFs listed in the manifest and the index,
  and the ``publication/`` folder.

The browser tests skip with the reason when Chromium, Node or the npm packages
are missing on a user's clone, and fail under CI=true, where ``.ci/run``
installs them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _helpers import unavailable

from observatoire import reports
from observatoire.exceptions import BrowserError
from observatoire.reports import _browser
from observatoire.reports._accessibility import check_page
from observatoire.reports._params import parse_params
from observatoire.reports._publication import publication_files, publish
from observatoire.reports._statement import (
    KNOWN_ISSUES,
    render_statement,
    write_statement,
)

MLS = ["ML16A", "ML33A", "ML87A"]
REPORT_KINDS = (
    "rapport_regional",
    "suivi_mensuel",
    "trajectoires",
    "bilan_animation",
    "rapport_mission_locale",
)
GOOD_ALT = (
    "Jeunes accompagnés par mois en 2024 : de 880 en janvier à 790 en décembre, "
    "avec un creux de 545 en août"
)
DATA_TABLE = (
    "<details><summary>Données du graphique</summary><table><caption>Jeunes "
    'accompagnés par mois</caption><thead><tr><th scope="col">Mois</th>'
    '<th scope="col">Jeunes</th></tr></thead><tbody><tr><th scope="row">janv.</th>'
    "<td>880</td></tr></tbody></table></details>"
)


@pytest.fixture(scope="module")
def publishable_run(synthetic_extract, tmp_path_factory):
    """A batch on three MLs, with PDFs when Chromium is here, and a contact."""
    folder = tmp_path_factory.mktemp("publication")
    params = {
        "run": "publiable",
        "data": str(synthetic_extract),
        "mls": MLS,
        "output_dir": str(folder / "sorties"),
        "jobs": 2,
        "timeout": 300,
        "pdf": _browser.find_chromium() is not None,
        "contact": "accessibilite@example.org",
    }
    path = folder / "publiable.yaml"
    path.write_text(json.dumps(params), encoding="utf-8")  # JSON is YAML
    result = reports.run_batch(reports.load_params(path), progress=False)
    assert result.exit_code == 0, [r.error for r in result.failed]
    return result


# ------------------------------------------------------------ the page checks
def _figure(alt: str, after: str = DATA_TABLE, caption: str = "") -> str:
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure><img src="data:image/png;base64,AA" alt="{alt}">{cap}{after}</figure>'
    )


def test_a_chart_with_a_describing_alternative_and_its_data_passes():
    assert check_page(_figure(GOOD_ALT)) == []
    # the data table may also be the element right after the figure
    page = f'<figure><img src="x" alt="{GOOD_ALT}"></figure>{DATA_TABLE}'
    assert check_page(page) == []


@pytest.mark.parametrize(
    ("alt", "expected"),
    [
        ("figure_3.png", "file name"),
        ("Graphique", "generic word"),
        ("Entrées en formation par mois", "does not say what it shows"),
        (
            "Situation des sortants de formation Région à 6 et 12 mois",
            "does not say what it shows",
        ),
    ],
)
def test_an_alternative_that_only_names_the_chart_is_refused(alt, expected):
    problems = check_page(_figure(alt))
    assert len(problems) == 1 and expected in problems[0]


def test_an_alternative_repeating_the_caption_or_a_heading_is_refused():
    long_title = (
        "Part des jeunes encore sans emploi 6 mois après le premier accueil, "
        "selon le niveau de diplôme"
    )
    problems = check_page(_figure(long_title, caption=long_title))
    assert problems == [
        f"<img alt={long_title[:60]!r}>: the alternative repeats a title or caption "
        "instead of saying what the chart shows"
    ]
    page = f"<h3>{long_title}</h3>" + _figure(long_title)
    assert "repeats a title" in check_page(page)[0]


def test_missing_alt_empty_alt_chart_outside_figure_and_shared_alt():
    assert check_page('<figure><img src="x"></figure>') == [
        "<img alt=''>: no alt attribute",
        "figure <img alt=''>: no data table next to the chart",
    ]
    assert "empty alternative" in check_page(_figure(""))[0]
    # decorative images may have an empty alternative
    assert check_page('<p><img src="x" alt="" role="presentation"></p>') == []
    assert check_page(f'<div><img src="x" alt="{GOOD_ALT}"></div>') == [
        f"<img alt={GOOD_ALT[:60]!r}>: a chart outside a <figure>"
    ]
    twice = check_page(_figure(GOOD_ALT) + _figure(GOOD_ALT))
    assert len(twice) == 1
    assert twice[0].startswith("2 charts share one alternative ('jeunes accompagnés")


def test_a_chart_without_its_data_table_is_refused():
    assert check_page(_figure(GOOD_ALT, after="")) == [
        f"figure <img alt={GOOD_ALT[:60]!r}>: no data table next to the chart"
    ]


def test_tables_need_a_caption_and_scoped_row_headers():
    bare = "<table><tbody><tr><th>Gironde</th><td>12</td></tr></tbody></table>"
    assert check_page(bare) == [
        "table 'Gironde': no <caption>",
        "table 'Gironde': header cell 'Gironde' outside <thead> has no scope",
    ]
    good = (
        "<table><caption>Jeunes par département</caption><thead><tr><th>Département"
        '</th><th>Jeunes</th></tr></thead><tbody><tr><th scope="row">Gironde</th>'
        "<td>12</td></tr></tbody></table>"
    )
    assert check_page(good) == []


# ------------------------------------------------------------------ statement
def _manifest(**params) -> dict:
    return {
        "title": "Observatoire",
        "run": "essai",
        "started": "2026-12-03T10:00:00+01:00",
        "observatoire_version": "0.1.0",
        "parameters": {"pdf": False, "contact": None, **params},
        "reports": [
            {"name": "rapport_regional", "status": "ok", "html": "html/r.html"},
            {"name": "suivi_mensuel", "status": "failed", "html": None},
        ],
    }


def test_statement_follows_the_rgaa_model_and_claims_no_conformity():
    page = render_statement(_manifest(), today=dt.date(2026, 12, 3))
    assert '<html lang="fr">' in page
    for section in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert f"<h2>{section}</h2>" in page
    # no complete audit: « non conforme », whatever the automated tests say
    assert "<strong>non conformes</strong>" in page
    assert "3 décembre 2026" in page
    assert "1 rapport, en pages web" in page  # the report that was produced
    assert "n'ont pas été\nlancés sur cette exécution" in page
    for rgaa, wcag, _, _ in KNOWN_ISSUES:
        assert f"critère RGAA {rgaa},\nWCAG {wcag}" in page
    if not KNOWN_ISSUES:
        assert "Aucune non-conformité n'est connue à ce jour" in page
        assert "relèvent les\nnon-conformités listées plus bas" not in page
    assert "Aucune adresse de contact n'a été indiquée" in page
    assert "Défenseur des droits" in page and 'href="index.html"' in page


def test_statement_lists_the_known_non_conformities(monkeypatch):
    from observatoire.reports import _statement

    issue = ("10.11", "1.4.10", "Texte trop petit.", "graphiques")
    monkeypatch.setattr(_statement, "KNOWN_ISSUES", (issue,))
    page = render_statement(_manifest(), today=dt.date(2026, 12, 3))
    assert "<li>Texte trop petit. <em>(critère RGAA 10.11,\nWCAG 1.4.10" in page
    assert "relèvent les non-conformités listées plus bas" in page
    assert "Aucune non-conformité n'est connue" not in page


def test_statement_gives_the_contact_and_only_this_run_s_audit():
    manifest = _manifest(contact="accessibilite@example.org", pdf=True)
    audit = {
        "run_started": manifest["started"],
        "date": "2026-12-03",
        "axe_version": "4.14.1",
        "results": [
            {"page": "/r/index.html", "name": "index.html", "width": 320,
             "violations": []},
            {"page": "/r/html/r.html", "name": "html/r.html", "width": 320,
             "violations": [{"id": "image-alt", "nodes": 3}]},
        ],
    }  # fmt: skip
    page = render_statement(manifest, audit=audit)
    assert '<a href="mailto:accessibilite@example.org">' in page
    assert "en\npages web et en PDF" in page
    assert "axe-core\n4.14.1" in page and "à 320 pixels de large" in page
    assert '<th scope="row">html/r.html</th>' in page and "image-alt (3)" in page
    assert "Sur 2 vérifications (une par page et\npar largeur), 1 sans" in page
    # an audit of another run is not this run's result
    stale = {**audit, "run_started": "2026-11-01T09:00:00+01:00"}
    assert "image-alt" not in render_statement(manifest, audit=stale)


def test_statement_page_passes_the_page_checks(tmp_path):
    path = write_statement(tmp_path, _manifest(contact="https://example.org/a11y"))
    assert path == tmp_path / "accessibilite.html"
    assert check_page(path.read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------- publication
def test_publish_copies_pages_pdfs_and_downloads_only(tmp_path):
    run = tmp_path / "run"
    files = {
        "index.html": "i",
        "accessibilite.html": "a",
        "manifest.json": "{}",
        "html/ok.html": "ok",
        "html/failed.html": "partial",
        "html/.ok.tmp.html": "x",
        "pdf/ok.pdf": "%PDF-",
        "notebooks/ok.ipynb": "{}",
        "cache/k/meta.json": "{}",
        "logs/ok.kernel.log": "",
        "telechargements/ok/ok.xlsx": "x",
        "telechargements/ok/ok_csv.zip": "x",
        "telechargements/ok/.ok.xlsx.tmp": "x",
        "telechargements/failed/failed.xlsx": "x",
    }
    for rel, text in files.items():
        (run / rel).parent.mkdir(parents=True, exist_ok=True)
        (run / rel).write_text(text)
    manifest = {
        "reports": [
            {
                "status": "ok",
                "html": "html/ok.html",
                "pdf": "pdf/ok.pdf",
                "downloads": [
                    "telechargements/ok/ok.xlsx",
                    "telechargements/ok/ok_csv.zip",
                    "telechargements/ok/.ok.xlsx.tmp",  # never a hidden file
                    "telechargements/../manifest.json",  # nor outside its folder
                ],
            },
            {
                "status": "failed",
                "html": "html/failed.html",
                "notebook": "x",
                "downloads": ["telechargements/failed/failed.xlsx"],
            },
        ]
    }
    expected = [
        "index.html",
        "accessibilite.html",
        "html/ok.html",
        "pdf/ok.pdf",
        "telechargements/ok/ok.xlsx",
        "telechargements/ok/ok_csv.zip",
    ]
    assert publication_files(run, manifest) == expected
    (run / "publication" / "stale.html").parent.mkdir()
    (run / "publication" / "stale.html").write_text("old")
    out = publish(run, manifest)
    copied = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    )
    assert copied == sorted(expected)  # the previous folder replaced whole
    assert (out / "html/ok.html").read_text() == "ok"
    assert [p.name for p in run.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------ the batch's run
@pytest.mark.slow
def test_batch_writes_the_statement_linked_from_the_index(publishable_run):
    run_dir = publishable_run.run_dir
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert '<a href="accessibilite.html">Accessibilité : non conforme</a>' in index
    statement = (run_dir / "accessibilite.html").read_text(encoding="utf-8")
    assert "mailto:accessibilite@example.org" in statement
    assert "7 rapports" in statement
    assert check_page(index) == [] and check_page(statement) == []


@pytest.mark.slow
def test_batch_publication_folder_holds_no_working_file(publishable_run):
    run_dir = publishable_run.run_dir
    out = run_dir / "publication"
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    expected = {"index.html", "accessibilite.html"}
    for r in publishable_run.results:
        expected.add(r.html)
        if r.pdf:
            expected.add(r.pdf)
        expected.update(r.downloads or ())  # telechargements/<report>/…
    assert names == expected
    assert any(n.startswith("telechargements/") for n in names)
    assert not any(n.startswith(("notebooks/", "cache/", "logs/")) for n in names)


@pytest.mark.slow
def test_no_page_of_the_run_or_of_the_publication_has_a_dead_link(publishable_run):
    """Every local link (and its anchor) of every page leads somewhere.

    In the run folder and in ``publication/``: the portal, its journal (run
    folder only), the statement and the navigation of every report page.
    """
    from test_index import _dead_links

    run_dir = publishable_run.run_dir
    for root in (run_dir, run_dir / "publication"):
        pages = sorted(root.glob("*.html")) + sorted(root.glob("html/*.html"))
        assert len(pages) >= 2 + len(publishable_run.results), root
        for page in pages:
            assert _dead_links(page, root) == [], page
    assert (run_dir / "journal.html").is_file()
    assert not (run_dir / "publication" / "journal.html").exists()
    ml = next(r for r in publishable_run.results if r.code_ml == "ML33A")
    page = (run_dir / ml.html).read_text(encoding="utf-8")
    assert 'href="../index.html#dep-33"' in page
    assert 'href="rapport_regional.html"' in page


@pytest.mark.slow
def test_batch_pdfs_are_listed_in_manifest_and_index(publishable_run):
    if _browser.find_chromium() is None:
        unavailable("browser", "no Chromium (apt-get install chromium)")
    run_dir = publishable_run.run_dir
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert manifest["parameters"]["pdf"] is True
    for entry in manifest["reports"]:
        assert entry["pdf"] == f"pdf/{entry['name']}.pdf"
        assert (run_dir / entry["pdf"]).read_bytes()[:5] == b"%PDF-"
        assert f'<a href="{entry["pdf"]}">version PDF<span' in index


def test_batch_with_pdf_stops_before_any_notebook_without_chromium(
    synthetic_extract, tmp_path, monkeypatch
):
    monkeypatch.setenv("OBSERVATOIRE_CHROMIUM", str(tmp_path / "pas-de-chromium"))
    p = parse_params(
        {"data": str(synthetic_extract), "output_dir": str(tmp_path), "pdf": True}
    )
    with pytest.raises(BrowserError, match="pdf: true needs headless Chromium"):
        reports.run_batch(p, progress=False)
    assert not (tmp_path / "run").exists()


# ------------------------------------------------------------------- axe-core
def test_axe_runner_finds_a_known_violation(browser, tmp_path):
    page = tmp_path / "mauvaise.html"
    page.write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Essai'
        '</title></head><body><main><h1>Essai</h1><img src="x.png"></main></body>'
        "</html>",
        encoding="utf-8",
    )
    (result,) = _browser.run_axe([page], width=320)
    assert result["width"] == 320 and result["axe_version"].startswith("4.")
    assert {v["id"]: v["nodes"] for v in result["violations"]} == {"image-alt": 1}


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violation_on_the_index_the_statement_and_the_journal(
    browser, publishable_run, width
):
    run_dir = publishable_run.run_dir
    pages = [run_dir / n for n in ("index.html", "accessibilite.html", "journal.html")]
    results = _browser.run_axe(pages, width=width)
    assert _browser.summarize(results) == {p.name: {} for p in pages}
    for r in results:  # reflow (WCAG 1.4.10): no sideways scrolling of the page
        assert r["scroll_width"] <= width, r["page"]


@pytest.mark.slow
def test_audit_states_this_run_s_results_on_the_statement(browser, publishable_run):
    from observatoire.reports._statement import audit_run

    run_dir = publishable_run.run_dir
    audit = audit_run(run_dir, widths=(320,))
    names = [r["name"] for r in audit["results"]]
    assert names[:2] == ["index.html", "accessibilite.html"]
    assert len(names) == 2 + len(publishable_run.results)
    saved = json.loads((run_dir / "accessibilite.json").read_text(encoding="utf-8"))
    assert (
        saved["run_started"]
        == json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))[
            "started"
        ]
    )
    for folder in (run_dir, run_dir / "publication"):
        page = (folder / "accessibilite.html").read_text(encoding="utf-8")
        assert '<th scope="row">index.html</th>' in page
        assert "à 320 pixels de large" in page
    assert not (run_dir / "publication" / "accessibilite.json").exists()


@pytest.mark.slow
def test_screenshot_is_a_png_of_the_page(browser, publishable_run, tmp_path):
    shot = _browser.screenshot(
        publishable_run.run_dir / "accessibilite.html", tmp_path / "a.png", width=390
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width == 390


def test_tools_folder_is_found_and_pinned(monkeypatch):
    monkeypatch.delenv("OBSERVATOIRE_BROWSER_TOOLS", raising=False)
    folder = _browser.tools_dir()
    assert folder == Path(__file__).resolve().parents[1] / "tools" / "browser"
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("axe-core", "playwright-core"):
        version = package["dependencies"][name]
        assert version[0].isdigit(), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert shutil.which("node") or not os.environ.get("CI")


# ------------------------------------- every report kind (issue 16, phase 2)
def _report_of_kind(run, kind: str) -> Path:
    entry = next(r for r in run.results if r.kind == kind)
    return run.run_dir / entry.html


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violation_on_one_report_of_each_kind(
    browser, publishable_run, width
):
    pages = [_report_of_kind(publishable_run, k) for k in REPORT_KINDS]
    results = _browser.run_axe(pages, width=width)
    assert _browser.summarize(results) == {p.name: {} for p in pages}
    wide = {Path(r["page"]).name: r["scroll_width"] for r in results}
    # reflow (WCAG 1.4.10, RGAA 10.11): the page never scrolls sideways
    assert wide == {p.name: width for p in pages}


@pytest.mark.slow
def test_wide_tables_use_the_window_on_a_desktop_screen(browser, publishable_run):
    """A table wider than the text column widens to the window before it scrolls.

    At 1600 px the monthly follow-up's tables (13 columns of counts or rates)
    show every column; the regional report's 43-ML table still scrolls inside
    its own region, never the page.
    """
    pages = [_report_of_kind(publishable_run, k) for k in ("suivi_mensuel",)]
    pages.append(_report_of_kind(publishable_run, "rapport_regional"))
    results = _browser.run_axe(pages, width=1600)
    assert [r["scroll_width"] for r in results] == [1600, 1600]
    followup = results[0]["tables"]
    assert followup, "the follow-up shows tables"
    assert [t["label"] for t in followup if t["scroll_width"] > t["client_width"]] == []
    # wider than the 60rem (960 px) text column: the table broke out of it
    assert max(t["client_width"] for t in followup) > 960


@pytest.mark.slow
@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_every_chart_of_each_report_kind_has_an_alternative_and_its_data(
    publishable_run, kind
):
    page = _report_of_kind(publishable_run, kind).read_text(encoding="utf-8")
    assert check_page(page) == []


# ------------------------------------------- the shared table and figure helpers
def test_table_declares_its_headers_caption_and_a_focusable_scroll_region():
    import pandas as pd

    from observatoire.reports import _style as st

    frame = pd.DataFrame({"Département": ["Gironde", "Landes"], "Jeunes": [1234, 56]})
    html = st.table(frame, caption="Jeunes par département", numeric=["Jeunes"]).html
    assert html.startswith(
        '<div class="table-wrap" role="region" aria-label="Jeunes par département" '
        'tabindex="0">'
    )
    assert "<caption>Jeunes par département</caption>" in html
    assert '<th scope="col">Département</th>' in html
    assert '<th scope="row">Gironde</th><td class="num">1\u202f234</td>' in html
    assert check_page(html) == []
    with pytest.raises(ValueError, match="caption is required"):
        st.table(frame, caption=" ")


def test_figure_carries_a_describing_alternative_and_its_data_table():
    import pandas as pd

    from observatoire.reports import _style as st

    fig, ax = st.new_figure()
    data = pd.DataFrame(
        {"Mois": ["janv.", "févr.", "mars"], "2024": [880.0, float("nan"), 790.0]}
    )
    ax.plot([1, 2, 3], data["2024"])
    html = st.figure(fig, alt="Jeunes accompagnés par mois", guide="g", data=data).html
    # from the data: first to last, the extremes; the masked month is left out
    alt = (
        "Jeunes accompagnés par mois. 2024 : de 880 en janv. à 790 en mars, le plus "
        "haut 880 (janv.), le plus bas 790 (mars)."
    )
    assert f'alt="{alt}"' in html and "data:image/svg+xml;base64," in html
    assert '<th scope="row">févr.</th><td class="num">masqué</td>' in html
    assert check_page(html) == []
    with pytest.raises(ValueError, match="data="):
        st.figure(st.new_figure()[0], alt="x", guide="g")


def test_describe_names_where_the_ml_stands_and_rates_in_percent():
    import pandas as pd

    from observatoire.reports import _style as st

    data = pd.DataFrame({"ML": ["A", "B", "C"], "Taux": [0.2, 0.5, 0.35]})
    text = st.describe("Taux", data, percent=["Taux"], ordered=False, highlight="C")
    # French numbers: a narrow no-break space before « % »
    assert text.replace("\u202f", " ").replace("\u00a0", " ") == (
        "Taux. Taux : le plus haut 50,0 % (B), le plus bas 20,0 % (A), "
        "C : 35,0 %, 2e sur 3."
    )


def test_funnel_marks_outliers_by_shape_as_well_as_colour():
    import pandas as pd

    from observatoire.evaluation import funnel_figure
    from observatoire.figures import attached_data

    class Comp:  # the fields funnel_figure reads
        year, limites, overdispersion = 2024, "poisson", {}
        table = pd.DataFrame(
            {
                "indicateur": ["entrees_emploi"] * 3,
                "code_ml": ["ML1", "ML2", "ML3"],
                "attendus": [50.0, 60.0, 70.0],
                "observes": [50, 120, 20],
                "ratio": [1.0, 2.0, 20 / 70],
                "accompagnes": [400, 400, 400],
                "signal": ["", "au-dessus", "en dessous"],
            }
        )

    fig = funnel_figure(Comp(), "entrees_emploi")
    markers = {
        c.get_label(): c.get_paths()[0].vertices.shape[0]
        for c in fig.axes[0].collections
    }
    # three groups, three shapes (a circle has many vertices, triangles few)
    assert set(markers) == {
        "dans les limites", "au-dessus des limites", "en dessous des limites"
    }  # fmt: skip
    assert len(set(markers.values())) >= 2
    data, _, _ = attached_data(fig)
    assert list(data["Signal"]) == ["dans les limites", "au-dessus", "en dessous"]


# ---------------------------------------- row headers of every table (RGAA 5.6)
class _Tables(HTMLParser):
    """Each table's caption and, per body row, its first cell (tag, scope, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._open: list[dict] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._open.append({"caption": None, "rows": [], "body": False})
            self.tables.append(self._open[-1])
        elif not self._open:
            return
        elif tag == "caption":
            self._in, self._open[-1]["caption"] = "caption", ""
        elif tag == "tbody":
            self._open[-1]["body"] = True
        elif tag == "tr" and self._open[-1]["body"]:
            self._open[-1]["rows"].append([])
        elif tag in ("th", "td") and self._open[-1]["body"]:
            self._open[-1]["rows"][-1].append([tag, attrs.get("scope"), ""])
            self._in = "cell"

    def handle_endtag(self, tag):
        if tag == "table" and self._open:
            self._open.pop()
        elif tag in ("caption", "th", "td"):
            self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self._open[-1]["caption"] += data
        elif self._in == "cell":
            self._open[-1]["rows"][-1][-1][2] += data


def _tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _undeclared(html: str) -> list[str]:
    """Tables without a caption, body rows not led by a ``<th scope="row">``."""
    problems = []
    for t in _tables(html):
        name = (t["caption"] or "").strip()
        if not name:
            problems.append("a table without a caption")
        for row in t["rows"]:
            if not row or row[0][:2] != ["th", "row"]:
                problems.append(f"{name}: row {row[0][2] if row else ''!r}")
    return problems


def test_review_tables_declare_their_row_headers_and_captions():
    from observatoire import animation, data
    from observatoire.reports import sections

    fixture = Path(__file__).parent / "fixtures" / "animation" / "bilan"
    review = animation.annual_review(data.load(fixture), year=2024)
    for which in sections.REVIEW_TABLES:
        html = sections.review_block(review, which).html
        assert _undeclared(html) == [], which
        (table,) = _tables(html)
        assert table["caption"].endswith(", 2024") and table["rows"], which
        assert check_page(html) == [], which
    html = sections.review_block(review, "par_departement").html
    (table,) = _tables(html)
    rows = {r[0][2]: [c[2] for c in r] for r in table["rows"]}
    # four MLs (MLA, MLB in Gironde, MLC in Dordogne, MLD in Haute-Vienne);
    # MLD took part in no action: 3 of 4 reached, Haute-Vienne none
    assert rows["Ensemble"][1:4] == ["4", "3", "75,0\u00a0%"]
    assert rows["Haute-Vienne (87)"][1:] == ["1", "0", "0,0\u00a0%", "0", "0", "1"]
    assert '<th scope="col" class="num">Part touchée</th>' in html
    evolution = _tables(sections.review_block(review, "evolution").html)[0]
    hours = next(r for r in evolution["rows"] if r[0][2].startswith("Heures"))
    assert [c[2] for c in hours][1:4] == ["11,5", "36,5", "+25"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_every_table_of_each_report_kind_declares_its_row_headers(
    publishable_run, kind
):
    page = _report_of_kind(publishable_run, kind).read_text(encoding="utf-8")
    assert _undeclared(page) == []
    captions = [t["caption"] for t in _tables(page)]
    if kind == "rapport_regional":  # the targets table, once a pandas Styler
        assert any(c.startswith("Objectifs ") for c in captions), captions
    if kind == "bilan_animation":
        assert any(c.startswith("Actions d'animation par type") for c in captions)


# ------------------------ states told by pattern as well as colour (RGAA 3.1)
def _svg(fig) -> str:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue().decode("utf-8")


def test_trajectory_plots_give_each_state_a_pattern_shown_in_the_legend():
    from observatoire import trajectories as tr
    from observatoire.trajectories._plots import STATE_HATCHES

    states = ["emploi_durable", "emploi", "alternance", "formation", "accompagnement"]
    rows = [
        ["emploi_durable"] * 6,
        ["emploi"] * 3 + ["emploi_durable"] * 3,
        ["formation"] * 4 + ["emploi"] * 2,
        ["accompagnement"] * 2 + ["formation"] * 4,
        ["alternance"] * 6,
        ["accompagnement"] * 6,
    ] * 3
    seq = tr.define_sequences(rows, None, alphabet=states)
    figures = {
        "chronogramme": tr.plot_state_distribution(seq),
        "tapis": tr.plot_index(seq),
        "tapis trié (MDS)": tr.plot_index(seq, sort="mds"),
        "fréquences relatives": tr.plot_relative_frequency(seq, k=6),
        "durées moyennes": tr.plot_mean_time(seq),
    }
    # five states, two blues and two orange hues: five distinct patterns
    assert len({STATE_HATCHES[s] for s in states}) == len(states)
    for name, fig in figures.items():
        (legend,) = fig.legends
        keys = {
            t.get_text(): p.get_hatch()
            for t, p in zip(legend.get_texts(), legend.get_patches(), strict=True)
        }
        assert keys == {s: STATE_HATCHES[s] for s in states}, name
        svg = _svg(fig)
        at = svg.index('<g id="legend_1">')
        defined = set(re.findall(r'<pattern id="(h[0-9a-f]+)"', svg))
        in_legend = set(re.findall(r"url\(#(h[0-9a-f]+)\)", svg[at:]))
        in_chart = set(re.findall(r"url\(#(h[0-9a-f]+)\)", svg[:at]))
        # each legend key filled with its own pattern, and the chart drawn with
        # as many patterns: the reader matches them without the colours
        assert len(in_legend) == len(states) and in_legend <= defined, name
        assert len(in_chart) >= len(states) and in_chart <= defined, name
        if name in ("chronogramme", "durées moyennes"):  # same fill, same pattern
            assert in_legend <= in_chart, name


# ------------------------------ chart text of at least 10 px on a phone (10.11)
_SVG_SRC = re.compile(
    r'<img\b[^>]*?\bsrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"'
)


def _smallest_text(svg: str) -> tuple[float, float]:
    """(smallest font size, viewBox width) of a matplotlib SVG, in its units."""
    box = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg).group(1))
    sizes = [float(v) for v in re.findall(r"font-size: ([\d.]+)px", svg)]
    return min(sizes), box


def test_chart_keeps_the_width_its_smallest_text_needs_in_a_focusable_region():
    import pandas as pd

    from observatoire.reports import _style as st

    fig, ax = st.new_figure()  # 7.5 in wide: a viewBox of 540 pt
    ax.plot([1, 2, 3], [880, 545, 790])
    ax.set_xticks([1, 2, 3], ["janv.", "févr.", "mars"], fontsize=7)
    data = pd.DataFrame({"Mois": ["janv.", "févr.", "mars"], "2024": [880, 545, 790]})
    html = st.figure(fig, alt="Jeunes accompagnés par mois", guide="g", data=data).html
    # 7-pt labels: 10 px when the 540-pt-wide chart is drawn 540 × 10 / 7 px wide
    assert 'style="min-width: 772px"' in html
    assert (
        '<div class="graphique" role="region" aria-label="Graphique : Jeunes '
        'accompagnés par mois" tabindex="0"' in html
    )
    svg = base64.b64decode(_SVG_SRC.search(html).group(1)).decode("utf-8")
    assert _smallest_text(svg) == (7.0, 540.0)
    assert st.min_chart_width(svg) == 772
    assert check_page(html) == []


@pytest.mark.slow
@pytest.mark.parametrize("width", [320, 1280])
def test_chart_text_renders_at_10_px_or_more_without_the_page_scrolling(
    browser, publishable_run, width
):
    pages = [_report_of_kind(publishable_run, k) for k in REPORT_KINDS]
    for result in _browser.chart_layout(pages, width=width):
        page = Path(result["page"]).read_text(encoding="utf-8")
        svgs = [base64.b64decode(m).decode("utf-8") for m in _SVG_SRC.findall(page)]
        images = result["images"]
        assert len(images) == len(svgs) > 0, result["page"]
        assert result["scroll_width"] == width, result["page"]  # no sideways page
        for image, svg in zip(images, svgs, strict=True):
            size, box = _smallest_text(svg)
            rendered = size * image["width"] / box
            assert rendered >= 10 - 1e-6, (result["page"], image["alt"], rendered)
            assert image["region"].startswith("Graphique : "), image["alt"]
            assert image["region_width"] <= width
