"""The report batch: notebooks executed with Papermill into French HTML pages.

One small synthetic warehouse (the session's ``synthetic_extract``) serves; the batch
runs on three Missions Locales. What is checked is what a batch operator and a
committee member see: every report produced, the index and the manifest truthful,
a failure confined to its report, ``--resume`` finishing the job, and pages that
hold no code, no identifier of a young person and no count under the threshold.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from observatoire import data, reports
from observatoire.cli import main
from observatoire.formatting import fr_ml_name
from observatoire.reports._html import add_toc

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
MLS = ["ML16A", "ML33A", "ML87A"]
KINDS = [
    "rapport_regional",
    "suivi_mensuel",
    "trajectoires",
    "bilan_animation",
    "rapport_mission_locale",
]  # written out: the registry (reports._kinds) is checked against it


@pytest.fixture(scope="module")
def small_extract(synthetic_extract) -> Path:
    return synthetic_extract


def _params_file(folder: Path, extract: Path, **extra: object) -> Path:
    lines = {
        "run": "essai",
        "data": str(extract),
        "mls": MLS,
        "output_dir": str(folder / "sorties"),
        "jobs": 2,
        "timeout": 300,
        **extra,
    }
    path = folder / "essai.yaml"
    path.write_text(json.dumps(lines), encoding="utf-8")  # JSON is YAML
    return path


@pytest.fixture(scope="module")
def batch_run(small_extract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    params = reports.load_params(_params_file(folder, small_extract))
    result = reports.run_batch(params, progress=False)
    return result


# ------------------------------------------------------------------ the batch
def test_batch_produces_every_report_index_and_manifest(batch_run):
    names = {r.name for r in batch_run.results}
    expected = {k for k in KINDS if k != "rapport_mission_locale"} | {
        f"rapport_mission_locale_{c}" for c in MLS
    }
    assert expected <= names
    assert [r.name for r in batch_run.failed] == []
    assert batch_run.exit_code == 0
    run_dir = batch_run.run_dir
    for r in batch_run.results:
        assert (run_dir / r.html).is_file()
        assert (run_dir / r.notebook).is_file()
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    assert manifest["synthetic"] is True
    assert manifest["data_fingerprint"] and manifest["observatoire_version"]
    assert {e["name"] for e in manifest["reports"]} == names
    assert all(e["status"] == "ok" and e["duration_s"] > 0 for e in manifest["reports"])
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in index
    for r in batch_run.results:
        assert f'href="{r.html}"' in index
    # nothing half-written is left behind
    assert not list(run_dir.rglob(".*.tmp*"))


def test_html_pages_are_self_contained_french_and_hold_no_code(batch_run):
    for r in batch_run.results:
        page = (batch_run.run_dir / r.html).read_text(encoding="utf-8")
        assert '<html lang="fr"' in page
        assert 'name="viewport"' in page
        assert "Sommaire" in page  # table of contents
        # no code cell, no prompt, no parameter cell
        assert "reports.open_report" not in page
        assert "jp-InputPrompt" not in page and "In&nbsp;[" not in page
        assert "disclosure_threshold =" not in page
        # images embedded, nothing fetched from elsewhere
        assert not re.search(r'<img[^>]+src="(?!data:)', page)
        assert not re.search(r"<script[^>]+src=", page)
        assert len(page.encode()) < 2_000_000
        assert "Données synthétiques" in page


def test_html_pages_hold_no_identifier_of_a_young_person(batch_run, small_extract):
    import pandas as pd

    ids = set(pd.read_parquet(small_extract / "jeunes.parquet")["id_jeune"])
    pattern = re.compile(r"J\d{7}")
    for r in batch_run.results:
        for path in (batch_run.run_dir / r.html, batch_run.run_dir / r.notebook):
            text = path.read_text(encoding="utf-8")
            assert not (set(pattern.findall(text)) & ids), path.name


def test_masked_counts_are_explained_where_they_appear(batch_run):
    page = (batch_run.run_dir / "html" / "rapport_regional.html").read_text(
        encoding="utf-8"
    )
    assert "Secret statistique" in page
    assert "effectif inférieur à 5" in page


# ------------------------------------------------- what a committee member reads
_BLOCKS = {"p", "li", "td", "th", "caption", "h1", "h2", "h3", "h4", "div", "figcaption", "ul", "tr", "summary", "span"}  # fmt: skip


class _Page(HTMLParser):
    """Visible text of a page, one string per block (a cell, a paragraph…).

    Text inside the « À retenir » list is also kept apart, and so is the text
    of every table (cells and captions).
    """

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = [""]
        self.skip = 0
        self.in_summary = 0
        self.in_table = 0
        self.summary: list[str] = []
        self.tables: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in _BLOCKS:
            self.blocks.append("")
        if tag == "ul" and ("class", "a-retenir") in attrs:
            self.in_summary = 1
        elif tag == "li" and self.in_summary:
            self.summary.append("")
        if tag == "table":
            self.in_table += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "ul":
            self.in_summary = 0
        if tag == "table":
            self.in_table -= 1
        if tag in _BLOCKS:
            self.blocks.append("")

    def handle_data(self, data):
        if self.skip:
            return
        self.blocks[-1] += data
        if self.in_summary and self.summary:
            self.summary[-1] += data
        if self.in_table:
            self.tables.append(data)


def _read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_page_reads_as_french_a_committee_member_understands(batch_run):
    from observatoire.synthesis import wording_problems

    found = []
    for r in batch_run.results:
        for block in _read_page(batch_run.run_dir / r.html).blocks:
            found += [(r.name, *p) for p in wording_problems(" ".join(block.split()))]
    assert found == []


#: a number as the reports write it: 12 345, 45,2, −3, +1,8
_NUMBER = re.compile(r"[−+]?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?")


def test_the_synthesis_opens_each_report_and_every_number_is_in_a_table(batch_run):
    pages = ["rapport_regional", "suivi_mensuel"] + [
        f"rapport_mission_locale_{c}" for c in MLS
    ]
    for name in pages:
        page = _read_page(batch_run.run_dir / "html" / f"{name}.html")
        assert 3 <= len(page.summary) <= 6, name
        tables = " ".join(" ".join(page.tables).split())
        for sentence in page.summary:
            sentence = " ".join(sentence.split())
            for jargon in ("O/E", "Wilson", "p-value", "valeur p", "Poisson"):
                assert jargon not in sentence, (name, sentence)
            for number in _NUMBER.findall(sentence):
                assert number.lstrip("+−") in tables, (name, number, sentence)


def test_article_4_is_shown_for_both_years_with_the_region_funded_lines(batch_run):
    from observatoire.indicators import DEFINITIONS, RATES

    for name in ["rapport_regional", f"rapport_mission_locale_{MLS[0]}"]:
        page = _read_page(batch_run.run_dir / "html" / f"{name}.html")
        tables = " ".join(page.tables)
        assert "Article 4 : cette année et l'an dernier" in " ".join(page.blocks)
        assert "dont sortants de formations financées par la Région" in tables
        for rate in RATES:
            assert DEFINITIONS[rate][0] in tables, (name, rate)
        assert "Évolution" in tables and "Lecture" in tables
    page = _read_page(batch_run.run_dir / "html" / "suivi_mensuel.html")
    tables = " ".join(page.tables)
    for column in ("dont Région", "dont après formation Région", "Taux emploi"):
        years = set(re.findall(rf"{column} (\d{{4}})", tables))
        assert len(years) == 2, (column, years)  # N and N−1 side by side
    assert "Taux formation Région : évolution" in tables
    assert not re.search(r"[−+]0(?:,0)?\s?%", tables)


def test_every_report_carries_its_downloads_and_the_regional_one_all_mls(batch_run):
    import base64
    import io

    from openpyxl import load_workbook

    run_dir = batch_run.run_dir
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    published = run_dir / "publication"
    for entry in manifest["reports"]:
        names = [Path(rel).name for rel in entry["downloads"]]
        assert [n.rsplit(".", 1)[-1] for n in names] == ["xlsx", "zip"], entry["name"]
        page = (run_dir / entry["html"]).read_text(encoding="utf-8")
        for rel in entry["downloads"]:
            assert rel.startswith(f"telechargements/{entry['name']}/")
            data = (run_dir / rel).read_bytes()
            # the page's data: link is the batch's file, byte for byte
            assert f'download="{Path(rel).name}"' in page
            assert f';base64,{base64.b64encode(data).decode("ascii")}"' in page
            assert (published / rel).read_bytes() == data
    (regional,) = [e for e in manifest["reports"] if e["name"] == "rapport_regional"]
    wb = load_workbook(io.BytesIO((run_dir / regional["downloads"][0]).read_bytes()))
    first = wb.sheetnames[0]  # the year's indicators
    assert first.startswith("Indicateurs ")
    rows = list(wb[first].iter_rows(min_row=3, values_only=True))
    levels = [r[0] for r in rows]
    # the batch ran three ML reports; the regional file holds the 43 MLs
    assert levels.count("Mission Locale") == 43
    assert levels.count("Département") == 12 and levels.count("Région") == 1
    assert wb[first]["A1"].value.startswith("DONNÉES SYNTHÉTIQUES")
    assert {"Définitions", "Règles de diffusion", "Chiffres clés"} <= set(wb.sheetnames)


#: the committee reports: their body is the sections of reports.sections that
#: the issue on committee reports covers (the trajectory study and the ARML
#: review have their own methods text)
_COMMITTEE = ["rapport_regional", "suivi_mensuel"] + [
    f"rapport_mission_locale_{c}" for c in MLS
]

#: method names that belong in the « Méthodes » annex only
_JARGON = re.compile(
    r"Wilson|Kaplan|log-rank|\bCox\b|surdispersion|\bOM\b|TRATE|\bPAM\b"
    r"|médoïde|p-value|valeur p\b|O/E|censur",
    re.IGNORECASE,
)
_ANNEX = re.compile(r"<h2[^>]*>\s*Définitions et méthode")
_ALT = re.compile(r'<img[^>]+alt="([^"]*)"')


def _body_and_annex(name: str, run_dir: Path) -> tuple[_Page, str, str]:
    html = (run_dir / "html" / f"{name}.html").read_text(encoding="utf-8")
    at = _ANNEX.search(html)
    assert at, f"{name}: no « Définitions et méthode » annex"
    body = _Page()
    body.feed(html[: at.start()])
    alts = " ".join(_ALT.findall(html[: at.start()]))
    return body, alts, html[at.start() :]


def test_method_names_stay_in_the_annex(batch_run):
    found = []
    for name in _COMMITTEE:
        body, alts, annex = _body_and_annex(name, batch_run.run_dir)
        for block in [*body.blocks, unescape(alts)]:
            found += [(name, m) for m in _JARGON.findall(" ".join(block.split()))]
        assert "Kaplan-Meier" in annex and "Wilson" in annex  # the annex has them
    assert found == []


#: each acronym and the words it stands for, which come at or before its first use
_ACRONYMS = {
    "PACEA": "parcours contractualisé d'accompagnement vers l'emploi et l'autonomie",
    "CEJ": "contrat d'engagement jeune",
    "ERIP": "espace régional d'information de proximité",
    "ZRR": "zone de revitalisation rurale",
    "QPV": "quartier prioritaire de la politique de la ville",
    "NEET": "ni en emploi, ni en études, ni en formation",
}


def test_acronyms_are_spelled_out_at_their_first_use(batch_run):
    for r in batch_run.results:
        if r.name not in _COMMITTEE:
            continue
        page = _read_page(batch_run.run_dir / r.html)
        blocks = [" ".join(b.split()).replace("’", "'") for b in page.blocks]
        for acronym, words in _ACRONYMS.items():
            first = next(
                (i for i, b in enumerate(blocks) if re.search(rf"\b{acronym}\b", b)),
                None,
            )
            if first is None:
                continue
            seen = " ".join(blocks[: first + 1]).lower()
            assert words in seen, (r.name, acronym, blocks[first])


def test_each_ml_has_one_name_on_each_page(batch_run, small_extract):
    import pandas as pd

    ml = pd.read_parquet(small_extract / "missions_locales.parquet")
    for name in _COMMITTEE:
        named = 0
        page = _read_page(batch_run.run_dir / "html" / f"{name}.html")
        html = (batch_run.run_dir / "html" / f"{name}.html").read_text("utf-8")
        cells = [" ".join(t.split()) for t in page.tables]
        shown = " ".join(cells) + " " + unescape(" ".join(_ALT.findall(html)))
        for code, official in zip(ml["code_ml"], ml["nom_ml"], strict=True):
            display = fr_ml_name(official)
            assert display != official  # the check below is not vacuous
            forms = {official: official in shown, display: display in shown}
            forms[code] = code in cells  # a code alone in a cell
            used = [f for f, present in forms.items() if present]
            assert len(used) <= 1, (name, code, used)
            named += display in shown
        assert named, name  # the names are there: the check is not vacuous


#: the trajectory study and the ARML review: committee reports too (issue 15),
#: whose own method names stay in their annex
_STUDIES = ["trajectoires", "bilan_animation"]
_STUDY_JARGON = re.compile(
    _JARGON.pattern + r"|silhouette|\bASW\b|TraMineR|seqrep|seqtree|seqici|seqST"
    r"|dissassoc|\bMDS\b|bootstrap|\bRand\b|Hubert|bisérial|pseudo-R²|p-valeur",
    re.IGNORECASE,
)


def test_the_study_and_the_review_keep_method_names_in_their_annex(batch_run):
    found = []
    for name in _STUDIES:
        body, alts, annex = _body_and_annex(name, batch_run.run_dir)
        for block in [*body.blocks, unescape(alts)]:
            found += [(name, m) for m in _STUDY_JARGON.findall(" ".join(block.split()))]
        assert re.search(r"<h3[^>]*>Glossaire</h3>", annex), name
    assert found == []
    _, _, annex = _body_and_annex("trajectoires", batch_run.run_dir)
    for method in ("TRATE", "médoïdes (PAM)", "silhouette moyenne (ASW)", "seqrep"):
        assert method in annex, method  # the annex has them
    assert "Qualité de la typologie selon le nombre de types" in annex


def test_the_study_and_the_review_spell_out_acronyms_and_name_each_ml_once(
    batch_run, small_extract
):
    import pandas as pd

    ml = pd.read_parquet(small_extract / "missions_locales.parquet")
    for name in _STUDIES:
        path = batch_run.run_dir / "html" / f"{name}.html"
        page = _read_page(path)
        blocks = [" ".join(b.split()).replace("’", "'") for b in page.blocks]
        for acronym, words in _ACRONYMS.items():
            first = next(
                (i for i, b in enumerate(blocks) if re.search(rf"\b{acronym}\b", b)),
                None,
            )
            if first is not None:
                seen = " ".join(blocks[: first + 1]).lower()
                assert words in seen, (name, acronym, blocks[first])
        text = " ".join(blocks) + unescape(" ".join(_ALT.findall(path.read_text())))
        for official in ml["nom_ml"]:
            assert official not in text, (name, official)
    review = " ".join(
        _read_page(batch_run.run_dir / "html" / "bilan_animation.html").tables
    )
    assert all(fr_ml_name(n) in review for n in ml["nom_ml"])  # not vacuous


def test_second_run_reuses_the_cache_and_resume_runs_nothing(batch_run):
    params = reports.load_params(batch_run.run_dir.parent.parent / "essai.yaml")
    again = reports.run_batch(params, resume=True, progress=False)
    assert again.exit_code == 0
    assert sorted(again.skipped) == sorted(r.name for r in batch_run.results)


def test_failure_in_one_report_spares_the_others_and_resume_finishes(
    small_extract, tmp_path
):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    # a notebook that fails for one ML only
    path = notebooks / "rapport_mission_locale.ipynb"
    nb = nbformat.read(path, as_version=4)
    boom = nbformat.v4.new_code_cell(
        'if code_ml == "ML33A":\n    raise RuntimeError("panne simulée")'
    )
    nb.cells.insert(2, boom)
    nbformat.write(nb, path)
    params = reports.load_params(
        _params_file(tmp_path, small_extract, reports=["rapport_mission_locale"])
    )
    result = reports.run_batch(params, notebooks_dir=notebooks, progress=False)
    status = {r.name: r.status for r in result.results}
    assert status == {
        "rapport_mission_locale_ML16A": "ok",
        "rapport_mission_locale_ML33A": "failed",
        "rapport_mission_locale_ML87A": "ok",
    }
    assert result.exit_code == 1
    failed = result.failed[0]
    assert "panne simulée" in failed.error
    # the executed notebook keeps the error; no HTML for the failed report
    assert (result.run_dir / failed.notebook).is_file()
    assert not (result.run_dir / "html" / "rapport_mission_locale_ML33A.html").exists()
    index = (result.run_dir / "index.html").read_text(encoding="utf-8")
    assert "échec" in index
    assert "1 failed" in result.summary()

    # repaired: --resume runs the failed report only
    nb.cells.pop(2)
    nbformat.write(nb, path)
    resumed = reports.run_batch(
        params, notebooks_dir=notebooks, resume=True, progress=False
    )
    assert resumed.exit_code == 0
    assert sorted(resumed.skipped) == [
        "rapport_mission_locale_ML16A",
        "rapport_mission_locale_ML87A",
    ]
    manifest = json.loads((result.run_dir / "manifest.json").read_text("utf-8"))
    assert {e["status"] for e in manifest["reports"]} == {"ok"}


def test_cli_batch_reports_parameter_errors_in_one_line(
    small_extract, tmp_path, capsys
):
    path = tmp_path / "mauvais.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            data: {small_extract}
            mls: [ML99Z]
            output_dir: {tmp_path / "sorties"}
            """
        ),
        encoding="utf-8",
    )
    assert main(["batch", "--params", str(path)]) == 2
    err = capsys.readouterr().err
    # one error message (listing every problem), no traceback
    assert err.count("observatoire batch: error:") == 1
    assert "ML99Z" in err.split("observatoire batch: error:")[1]
    assert "Traceback" not in err
    assert not (tmp_path / "sorties" / "mauvais" / "index.html").exists()


# ------------------------------------------------------------ notebooks alone
def test_a_notebook_runs_as_an_analyst_runs_it_without_the_batch(
    small_extract, tmp_path
):
    import papermill as pm

    out = tmp_path / "regional.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "rapport_regional.ipynb"),
        str(out),
        parameters={"data": str(small_extract)},
        cwd=str(NOTEBOOKS),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "Chiffres clés" in html and "Par département" in html


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        tags = [set(c.metadata.get("tags", [])) for c in nb.cells]
        assert any("parameters" in t for t in tags), path.name
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None, path.name


# ------------------------------------------------------- registry of report kinds
def _declared_parameters(kind: str) -> set[str]:
    import papermill as pm

    return set(pm.inspect_notebook(str(NOTEBOOKS / f"{kind}.ipynb")))


def test_every_report_kind_has_its_notebook_and_only_those():
    from observatoire.reports._kinds import KINDS as REGISTRY

    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(REGISTRY)
    assert reports.REPORT_KINDS == tuple(REGISTRY) == tuple(KINDS)


def test_each_notebook_declares_exactly_what_the_batch_sends(small_extract):
    from observatoire.reports._kinds import KINDS as REGISTRY
    from observatoire.reports._kinds import plan

    params = reports.check_against_warehouse(
        reports._params.parse_params({"data": str(small_extract), "mls": MLS[:2]}),
        data.load(small_extract),
    )
    planned = plan(params, Path("cache"))
    # one job per regional kind, one per ML for the ML report
    assert [j.name for j in planned] == [
        "rapport_regional",
        "suivi_mensuel",
        "trajectoires",
        "bilan_animation",
        "rapport_mission_locale_ML16A",
        "rapport_mission_locale_ML33A",
    ]
    for job in planned:
        declared = _declared_parameters(job.kind)
        assert set(REGISTRY[job.kind].parameters) == declared, job.kind
        assert set(job.parameters) == declared, job.name
    # the bilan reviews the latest complete year; the others the run's month
    assert {j.kind: j.parameters["year"] for j in planned}["bilan_animation"] == "auto"


def test_open_report_refuses_a_parameter_it_does_not_know(small_extract):
    with pytest.raises(TypeError, match="title"):
        reports.open_report(data=str(small_extract), title="Rapport")


# --------------------------------------------------------------- HTML helpers
def test_table_of_contents_goes_after_the_title_block():
    body = "<h1>Titre</h1><p>sous-titre</p><h2>Un</h2><h3>Un.a</h3><h2>Deux</h2>"
    out = add_toc(body)
    nav = out.index("<nav")
    assert out.index("sous-titre") < nav < out.index('<h2 id="un">')
    assert '<a href="#un-a">Un.a</a>' in out


def test_sections_before_the_first_h2_are_listed_at_the_first_level():
    # the ARML review: h3 sections, then the downloads' h2 (axe-core "list":
    # an <ol> directly inside an <ol> is not a list)
    out = add_toc("<h1>T</h1><h3>a</h3><h3>b</h3><h2>c</h2><h3>d</h3>")
    nav = out[out.index("<nav") : out.index("</nav>")]
    assert "<ol><ol>" not in nav
    assert nav.count("<li>") == 4
    assert '<li><a href="#c">c</a><ol><li><a href="#d">d</a></li></ol></li>' in nav


def test_a_part_that_fails_leaves_a_message_and_the_rest_of_the_report(
    small_extract, monkeypatch
):
    from observatoire.reports import _shared, sections
    from observatoire.reports._cache import ReportInputs

    def broken(*args, **kwargs):
        raise RuntimeError("modèle en panne")

    monkeypatch.setattr(_shared, "evaluation_blocks", broken)
    wh = data.load(small_extract)
    params = reports.check_against_warehouse(
        reports._params.parse_params({"data": str(small_extract)}), wh
    )
    tables, meta = _shared.compute_shared(wh, params)
    assert "evaluation_regionale" not in tables and "annuel" in tables
    assert "n'a pas pu être calculée" in meta["messages"]["evaluation_regionale"]
    rep = ReportInputs({**meta, "tables": list(tables)}, None, tables)
    for block in (
        sections.evaluation_regional(rep),
        sections.evaluation_ml(rep, MLS[0]),
    ):
        assert "n&#x27;a pas pu être calculée" in block.html  # HTML-escaped
    # the other sections are unaffected
    assert "Chiffres clés" in sections.key_figures(rep).html
    assert "Cohorte" in sections.trajectories_study(rep).html


def test_a_bad_target_file_stops_the_run_before_any_notebook(
    small_extract, tmp_path, capsys
):
    targets = tmp_path / "objectifs.yaml"
    targets.write_text(
        "objectifs:\n  - indicateur: entrees_inventees\n    niveau: region\n"
        "    annee: 2024\n    valeur: 10\n",
        encoding="utf-8",
    )
    path = _params_file(tmp_path, small_extract, targets=str(targets))
    assert main(["batch", "--params", str(path)]) == 2
    err = capsys.readouterr().err
    assert "entrees_inventees" in err and "Traceback" not in err
    assert not (tmp_path / "sorties" / "essai" / "html").exists()


# ------------------------------------------------ text from the data is escaped
PAYLOADS = ("<script>alert(1)</script>", "\"&'<>", "<img src=x onerror=alert(2)>")
#: matplotlib would read this as mathtext and fail to draw (unknown symbol)
MATHTEXT = r"$\notasymbol$"


@pytest.fixture(scope="module")
def hostile_extract(small_extract, tmp_path_factory) -> Path:
    """The small extract with markup in every text a report shows."""
    import pandas as pd

    folder = tmp_path_factory.mktemp("hostile") / "entrepot"
    shutil.copytree(small_extract, folder)
    ml = pd.read_parquet(folder / "missions_locales.parquet")
    names = (*PAYLOADS, MATHTEXT)
    ml["nom_ml"] = [f"{names[i % len(names)]} ML {i}" for i in range(len(ml))]
    an = pd.read_parquet(folder / "animations.parquet")
    an["intitule"] = PAYLOADS[0]
    # through write_extract, which keeps the fingerprints of metadonnees.json
    data.write_extract({"missions_locales": ml, "animations": an}, folder)
    return folder


@pytest.mark.slow
def test_names_from_the_data_never_reach_a_page_as_markup(hostile_extract):
    from observatoire import animation
    from observatoire.reports import _shared, sections
    from observatoire.reports._cache import ReportInputs
    from observatoire.reports._html import render_page
    from observatoire.reports._style import report_title

    wh = data.load(hostile_extract)
    params = reports.check_against_warehouse(
        reports._params.parse_params({"data": str(hostile_extract)}), wh
    )
    tables, meta = _shared.compute_shared(wh, params)
    rep = ReportInputs({**meta, "tables": list(tables)}, None, tables)
    code = sorted(meta["labels"])[0]  # its name holds the <script> payload
    s = sections
    blocks = [
        s.title(rep, "rapport_regional"),
        s.title(rep, "rapport_mission_locale", code),
        s.key_figures(rep),
        s.departments_table(rep),
        s.missions_locales_table(rep),
        s.all_rate_dotplots(rep),
        s.regional_trends(rep),
        s.profile_table(rep),
        s.schemes_and_aids(rep),
        s.targets(rep),
        s.evaluation_regional(rep),
        s.followup_table(rep),
        s.followup_heatmap(rep),
        s.trajectories_study(rep),
        s.ml_key_figures(rep, code),
        s.ml_position(rep, code),
        s.ml_monthly_curves(rep, code),
        s.profile_table(rep, "ml", code),
        s.schemes_and_aids(rep, "ml", code),
        s.ml_trajectories(rep, code),
        s.evaluation_ml(rep, code),
        s.method_notes(rep),
    ]
    pages = [
        render_page(
            "".join(b.html for b in blocks),
            title=report_title("rapport_mission_locale", meta, code),
        )
    ]
    review = animation.annual_review(wh, year=animation.resolve_year(wh, "auto"))
    # figures with the names on an axis are drawn (no mathtext error)
    heatmap = animation.heatmap_ml_policy(wh, year=review.year)
    pages.append(s.as_image(heatmap, alt="carte").html)
    pages.append(s.review_header(review, synthetic=True)._repr_html_())
    for which in s.REVIEW_TABLES:
        table = s.review_table(review, which)
        pages.append(table.to_html() if hasattr(table, "to_html") else table.html)
    html = "".join(pages)
    for payload in PAYLOADS:
        assert payload not in html, payload
    assert "<script>alert" not in html and "<img src=x" not in html
    # the names are shown, escaped: the check above is not vacuous
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ML 0" in html
    assert "&lt;img src=x onerror=alert(2)&gt; ML 2" in html
    assert f"{MATHTEXT} ML 3" in html  # shown as written in the tables


def test_trajectory_study_page_has_the_sections_of_issue_19(batch_run):
    (page,) = [
        (batch_run.run_dir / r.html).read_text(encoding="utf-8")
        for r in batch_run.results
        if r.name == "trajectoires"
    ]
    for heading in (
        "Combien de types de parcours ?",
        "Parcours représentatifs de chaque type",
        "Ce qui distingue les parcours",
        "Complexité et turbulence des parcours",
    ):
        assert f">{heading}</h2>" in page
    assert "Qualité de la typologie selon le nombre de types" in page
    assert "pseudo-R²" in page and "tirages au hasard" in page


# ------------------------------------- an earlier month, a year not yet complete
#: the mid-year extract ends here: latest complete month June 2024
_CUT = "2024-07-10"

#: the date columns after which a row did not exist yet on the extraction day
_STARTS = {
    "evenements": "date_evenement",
    "situations": "date_debut",
    "dispositifs": "date_debut",
    "aides": "date_attribution",
    "animations": "date_animation",
    "jeunes": "date_premier_accueil",
}


@pytest.fixture(scope="module")
def mid_year_extract(small_extract, tmp_path_factory) -> Path:
    """The small extract as it was on 10 July 2024 (rows after that left out)."""
    import pandas as pd

    folder = tmp_path_factory.mktemp("mi_annee") / "entrepot"
    tables = {p.stem: pd.read_parquet(p) for p in small_extract.glob("*.parquet")}
    cut = pd.Timestamp(_CUT)
    for name, col in _STARTS.items():
        tables[name] = tables[name][~(tables[name][col] > cut)]
    people = set(tables["jeunes"]["id_jeune"])
    for name in ("evenements", "situations", "dispositifs", "aides"):
        tables[name] = tables[name][tables[name]["id_jeune"].isin(people)]
    kept = set(tables["animations"]["id_animation"])
    part = tables["animations_participations"]
    tables["animations_participations"] = part[part["id_animation"].isin(kept)]
    meta = json.loads((small_extract / "metadonnees.json").read_text("utf-8"))
    meta = {k: v for k, v in meta.items() if k != "empreintes"}
    data.write_extract(tables, folder, metadata={**meta, "date_extraction": _CUT})
    return folder


def _rows_by_header(html: str) -> list[dict[str, str]]:
    """Every body row of every table of a page, keyed by its table's headers."""
    from observatoire.reports.sections.common import _table_rows

    out, header = [], None
    for row in _table_rows(html):
        if row and row[0] in ("Mission Locale", "Indicateur", "Territoire"):
            header = row
        elif header is not None and len(row) == len(header):
            out.append(dict(zip(header, row, strict=True)))
    return out


@pytest.mark.slow
def test_follow_up_of_an_earlier_month_of_a_year_not_yet_complete(
    mid_year_extract, tmp_path
):
    from observatoire import indicators
    from observatoire.formatting import fr_int

    wh = data.load(mid_year_extract)
    assert wh.coverage.latest_complete_month == (2024, 6)
    assert wh.coverage.covers(2024) == "partial"
    params = reports.load_params(
        _params_file(tmp_path, mid_year_extract, year=2024, month=3)
    )
    result = reports.run_batch(
        params, only=["suivi_mensuel", "rapport_regional"], progress=False
    )
    assert {r.name for r in result.results} == {"suivi_mensuel", "rapport_regional"}
    assert result.exit_code == 0
    html = (result.run_dir / "html" / "suivi_mensuel.html").read_text("utf-8")
    assert ">Suivi mensuel — mars 2024</h1>" in html
    assert "Suivi de mars 2024 par Mission Locale" in html

    # two values against the follow-up computed here on the same warehouse
    fu = indicators.monthly_followup(wh, 2024, 3)
    region = fu[fu["niveau"] == "region"].set_index(["portee", "indicateur"])
    month = region.loc[("mois", "jeunes_accompagnes")]
    ytd = region.loc[("cumul", "entrees_emploi")]
    rows = [
        r
        for r in _rows_by_header(html)
        if r.get("Mission Locale") == "Nouvelle-Aquitaine"
    ]

    def shown(value) -> str:
        # as _rows_by_header reads a cell: its spaces (here U+202F) as one space
        return " ".join(fr_int(value).split())

    assert rows[0]["Accompagnés 2024"] == shown(month["valeur"])
    assert rows[0]["Accompagnés 2023"] == shown(month["valeur_n_1"])
    assert rows[1]["Emploi 2024"] == shown(ytd["valeur"])
    assert rows[1]["Emploi 2023"] == shown(ytd["valeur_n_1"])

    # the year is not complete in the extract: said next to the figures
    partial = "période partielle : janvier à mars 2024"
    assert f"— {partial}" in html  # table captions
    assert "Période partielle : janvier à mars 2024, comparée" in html  # synthesis
    regional = (result.run_dir / "html" / "rapport_regional.html").read_text("utf-8")
    assert "Activité de janvier à fin mars 2024" in regional  # the tiles
    assert f"— {partial}." in regional
    # the tables of the year run to the extraction day
    assert "période partielle : du 1er janvier au 10 juillet 2024" in regional
