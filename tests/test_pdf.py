"""PDF export: a hand-made page printed by headless Chromium with the print stylesheet.

The page has what breaks a naive print: a table of twelve columns too wide for
a portrait A4 page and long enough to span pages, headings, a figure. What is
checked in the PDF is what a reader of the printed report sees: A4 pages
numbered « page N sur M », every column on the page, the header row repeated
on the next page, the title in the text, a tagged (accessible) file.
``pdfinfo`` and ``pdftotext`` (poppler-utils) read it back.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from _helpers import unavailable

from observatoire.exceptions import BrowserError, ParamsError
from observatoire.reports._browser import find_chromium
from observatoire.reports._params import parse_params
from observatoire.reports._pdf import PRINT_MARK, for_print, print_css, write_pdf

COLUMNS = [f"Colonne {i:02d}" for i in range(1, 13)]
ROWS = 70


def _need(tool: str, package: str) -> str:
    found = find_chromium() if tool == "chromium" else shutil.which(tool)
    if found is None:
        unavailable("PDF", f"{tool} not found (apt-get install {package})")
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The hand-made page and its PDF."""
    _need("chromium", "chromium")
    folder = tmp_path_factory.mktemp("pdf")
    head = "".join(f'<th scope="col" class="num">{c}</th>' for c in COLUMNS)
    body = "".join(
        f'<tr><th scope="row">Mission Locale {r:02d}</th>'
        + "".join(f'<td class="num">{r * 1000 + c} jeunes</td>' for c in range(12))
        + "</tr>"
        for r in range(1, ROWS + 1)
    )
    page = folder / "essai.html"
    page.write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Rapport d'essai</title>"
        "<style>.table-wrap { overflow-x: auto } td.num { white-space: nowrap }</style>"
        "</head><body><main><h1>Rapport d'essai imprimé</h1>"
        "<h2>Tableau large</h2><div class='table-wrap'><table>"
        f"<caption>Douze colonnes</caption><thead><tr><th>Mission Locale</th>{head}"
        f"</tr></thead><tbody>{body}</tbody></table></div>"
        "<details><summary>Données</summary><p>Contenu replié</p></details>"
        "</main></body></html>",
        encoding="utf-8",
    )
    pdf = write_pdf(page, folder / "essai.pdf")
    return page, pdf


def _info(pdf) -> dict[str, str]:
    _need("pdfinfo", "poppler-utils")
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return dict(
        (k.strip(), v.strip())
        for k, _, v in (ln.partition(":") for ln in out.splitlines())
    )


PORTRAIT, LANDSCAPE = (595, 842), (842, 595)


def _sizes(pdf) -> list[tuple[int, int]]:
    """(width, height) of each page, in points."""
    info = _info(pdf)
    out = []
    for n in range(1, int(info["Pages"]) + 1):
        width, height = re.findall(r"[\d.]+", info[f"Page {n:4d} size"])[:2]
        out.append((round(float(width)), round(float(height))))
    return out


def _outside_the_page(pdf) -> list[str]:
    """Words drawn (even partly) outside their page: cut off in print."""
    _need("pdftotext", "poppler-utils")
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    cut = []
    pages = re.finditer(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S
    )
    for n, page in enumerate(pages, start=1):
        width, height = float(page.group(1)), float(page.group(2))
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
            r'yMax="([-\d.]+)">(.*?)</word>',
            page.group(3),
        ):
            if (
                float(x0) < 0
                or float(y0) < 0
                or float(x1) > width
                or float(y1) > height
            ):
                cut.append(f"page {n}: {word}")
    return cut


def _text(pdf, page: int) -> str:
    """A page's text in drawing order (a wrapped cell's words stay together)."""
    _need("pdftotext", "poppler-utils")
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-raw", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    # a name wrapped after its hyphen (« Haute-|Vienne ») reads whole
    return re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(out.split()))


def test_for_print_inserts_the_stylesheet_once_and_opens_details():
    page = "<html><head><title>t</title></head><body><details><p>x</details></body>"
    out = for_print(page)
    assert out.count(PRINT_MARK) == 1 and out.index(PRINT_MARK) < out.index("</head>")
    assert "<details open" in out and for_print(out) == out
    css = print_css()
    for rule in (
        "size: A4 portrait",
        "thead { display: table-header-group; }",
        "break-after: avoid",
        'counter(page) " sur " counter(pages)',
    ):
        assert rule in css


def test_pdf_is_a4_numbered_tagged_and_holds_the_title(printed):
    _, pdf = printed
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = _info(pdf)
    pages = int(info["Pages"])
    # 70 rows of a 12-column table do not fit one page; they fit well under 10
    assert 2 <= pages <= 10
    assert info["Tagged"] == "yes"
    sizes = _sizes(pdf)
    assert len(sizes) == pages and set(sizes) <= {PORTRAIT, LANDSCAPE}
    # the title page is portrait; the table, too wide for it, is on landscape
    # pages with its heading (print.js, @page paysage)
    assert sizes[0] == PORTRAIT
    for n in range(1, pages + 1):
        if "Colonne 12" in _text(pdf, n):
            assert sizes[n - 1] == LANDSCAPE, n
    first = _text(pdf, 1)
    assert "Rapport d'essai imprimé" in first
    assert f"page 1 sur {pages}" in first
    assert f"page {pages} sur {pages}" in _text(pdf, pages)


def test_every_column_is_printed_and_the_header_row_repeats(printed):
    _, pdf = printed
    pages = int(_info(pdf)["Pages"])
    texts = [_text(pdf, n) for n in range(1, pages + 1)]
    holding = [t for t in texts if "jeunes" in t]
    assert len(holding) >= 2  # 70 rows span pages
    # the last column is on the page, not cut off at the right edge
    assert "Colonne 12" in holding[0] and "1011 jeunes" in holding[0]
    for text in holding[1:]:  # header row repeated on every page
        assert "Colonne 01" in text and "Colonne 12" in text
    assert f"{ROWS * 1000 + 11} jeunes" in holding[-1]
    assert _outside_the_page(pdf) == []


def test_folded_details_are_printed_open(printed):
    _, pdf = printed
    pages = int(_info(pdf)["Pages"])
    assert "Contenu replié" in _text(pdf, pages)


def test_no_partial_file_is_left_behind(printed):
    page, pdf = printed
    assert sorted(p.name for p in page.parent.iterdir()) == ["essai.html", "essai.pdf"]


def test_missing_or_failing_chromium_is_one_clear_error(tmp_path, monkeypatch):
    page = tmp_path / "p.html"
    page.write_text("<html><head></head><body>x</body></html>", encoding="utf-8")
    monkeypatch.setenv("OBSERVATOIRE_CHROMIUM", str(tmp_path / "absent"))
    with pytest.raises(BrowserError, match=r"p.html: no Chromium to print the PDF"):
        write_pdf(page, tmp_path / "p.pdf")
    fake = tmp_path / "faux-chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(BrowserError, match=r"no PDF \(exit 3: 'cannot open display'\)"):
        write_pdf(page, tmp_path / "p.pdf", chromium=str(fake))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faux-chromium", "p.html"]


def test_pdf_parameter_must_be_true_or_false():
    assert parse_params({"data": "/srv/e", "pdf": True}).pdf is True
    assert parse_params({"data": "/srv/e"}).pdf is False
    with pytest.raises(ParamsError, match="pdf: expected true or false, got 'oui'"):
        parse_params({"data": "/srv/e", "pdf": "oui"})


def test_report_pages_carry_the_print_stylesheet():
    from observatoire.reports._html import render_page

    page = render_page("<h1>T</h1><h2>A</h2><h2>B</h2>", title="Rapport")
    assert page.count(PRINT_MARK) == 1
    assert page.index(PRINT_MARK) < page.index("</head>")
    assert for_print(page) == page  # the PDF export adds nothing more


def test_a_heading_and_its_introduction_go_to_the_page_of_their_cards(tmp_path):
    """Seen on an ML report: « Chiffres clés » and its one line ended page 1,
    its cards (never cut in two) started page 2."""
    _need("chromium", "chromium")
    cards = "".join(
        f'<div class="chiffre" style="height: 40mm">Carte {i}</div>' for i in range(6)
    )
    page = tmp_path / "cartes.html"
    page.write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>r</title>'
        "</head><body><main><h1>Rapport</h1>"
        '<div style="height: 200mm">Début du rapport</div>'
        "<h2>Chiffres clés</h2><p>Une ligne qui présente les cartes.</p>"
        f'<div class="chiffres">{cards}</div></main></body></html>',
        encoding="utf-8",
    )
    pdf = write_pdf(page, tmp_path / "cartes.pdf")
    first, second = _text(pdf, 1), _text(pdf, 2)
    assert "Début du rapport" in first and "Carte 0" in second  # the cards moved
    assert "Chiffres clés" not in first and "présente les cartes" not in first
    assert "Chiffres clés Une ligne qui présente les cartes. Carte 0" in second


def test_a_reader_s_own_print_shows_folded_details(tmp_path):
    """Printed straight from the page (Ctrl+P), not through write_pdf's copy."""
    from observatoire.reports._pdf import _command, print_style_tag

    chromium = _need("chromium", "chromium")
    page = tmp_path / "replie.html"
    page.write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>r</title>'
        f"{print_style_tag()}</head><body><details><summary>Données</summary>"
        "<p>Valeurs tracées</p></details></body></html>",
        encoding="utf-8",
    )
    pdf = tmp_path / "replie.pdf"
    profile = tmp_path / "profil"
    subprocess.run(
        _command(chromium, page, pdf, str(profile)), capture_output=True, timeout=120
    )
    assert "Valeurs tracées" in _text(pdf, 1)


# ---------------------------------------- the regional report of a test batch
PER_ML_CAPTION = "Indicateurs de l'article 4 par Mission Locale"


@pytest.fixture(scope="module")
def regional(synthetic_extract, tmp_path_factory):
    """The regional report of a batch on the small extract, as HTML and PDF."""
    import json

    from observatoire import reports

    _need("chromium", "chromium")
    _need("pdftotext", "poppler-utils")
    folder = tmp_path_factory.mktemp("regional")
    path = folder / "regional.yaml"
    path.write_text(
        json.dumps(  # JSON is YAML
            {
                "run": "impression",
                "data": str(synthetic_extract),
                "reports": ["rapport_regional"],
                "output_dir": str(folder / "sorties"),
                "jobs": 1,
                "timeout": 300,
                "pdf": True,
            }
        ),
        encoding="utf-8",
    )
    result = reports.run_batch(reports.load_params(path), progress=False)
    assert result.exit_code == 0, [r.error for r in result.failed]
    (entry,) = result.results
    return result.run_dir / entry.html, result.run_dir / entry.pdf


def _cells(fragment: str) -> list[str]:
    import html

    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split())
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", fragment, re.S)
    ]


def _table(page: str, caption: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows (display text) of the table of ``page`` with ``caption``."""
    start = page.index(f"<caption>{caption}")
    start = page.rindex("<table", 0, start)
    table = page[start : page.index("</table>", start)]
    head, body = table.split("<tbody>")
    return _cells(head), [_cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


@pytest.mark.slow
def test_printed_regional_report_keeps_every_column_of_the_per_ml_table(regional):
    page, pdf = regional
    header, rows = _table(page.read_text(encoding="utf-8"), PER_ML_CAPTION)
    assert len(rows) == 43 and header[-1].startswith("Taux")
    pages = int(_info(pdf)["Pages"])
    texts = [_text(pdf, n) for n in range(1, pages + 1)]
    # from the page of the caption to the page of the last ML's row
    first = next(n for n, t in enumerate(texts) if PER_ML_CAPTION in t)
    last = next(n for n in range(first, pages) if rows[-1][0] in texts[n])
    holding = range(first, last + 1)
    printed = " ".join(texts[n] for n in holding)
    for name in header:  # every column header, the rates' included
        assert name in printed, name
    # the last rate column (with its interval) of the first and the last ML
    for row in (rows[0], rows[-1]):
        assert row[-1] in printed, (row[0], row[-1])
    # the header row is repeated on each page the table spans
    for n in holding:
        assert header[-1] in texts[n] and header[2] in texts[n], n + 1
    # a table wider than a portrait page is set on landscape pages
    sizes = _sizes(pdf)
    assert all(sizes[n] == LANDSCAPE for n in holding)
    assert sizes[0] == PORTRAIT
    # nothing drawn outside its page, on any page of the report
    assert _outside_the_page(pdf) == []
