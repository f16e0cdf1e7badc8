"""The page builder (``reports._html``): notebook body to HTML."""

from __future__ import annotations

import threading

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_notebook, new_output

from observatoire.reports import _html, _soup


def _notebook(text: str):
    cell = new_code_cell(
        "x",
        outputs=[
            new_output(
                "display_data", data={"text/html": f"<p class='guide'>{text}</p>"}
            )
        ],
    )
    return nbformat.from_dict(new_notebook(cells=[cell]))


def test_body_shows_outputs_without_code_and_is_the_same_when_the_exporter_is_kept():
    premier = _notebook("Premier rapport")
    first = _html.notebook_body(premier)
    second = _html.notebook_body(_notebook("Second rapport"))
    assert "Premier rapport" in first and "Second rapport" not in first
    assert "Second rapport" in second and "Premier rapport" not in second
    assert ">x<" not in first  # no input cell
    assert _html.notebook_body(premier) == first  # nothing kept from the second


def test_each_thread_has_its_own_exporter():
    # the batch exports from one thread per kernel
    mine = _html._exporter()
    assert _html._exporter() is mine
    other = []
    thread = threading.Thread(target=lambda: other.append(_html._exporter()))
    thread.start()
    thread.join()
    assert other[0] is not mine


def test_guillemets_hold_their_words_in_the_text_and_the_contents_list():
    page = _html.render_page(
        "<h2>Le « halo »</h2><p>une « hausse nette » ; « x »</p><h2>Autre</h2>",
        title="Rapport",
    )
    assert "une «\u00a0hausse nette\u00a0» ; «\u00a0x\u00a0»" in page
    body = page.split("</head>", 1)[1]  # (the print stylesheet's comments quote)
    assert "« " not in body and " »" not in body
    # the heading and its entry in the contents list alike
    assert page.count("Le «\u00a0halo\u00a0»") == 2


# ------------------------------------------- nbconvert's BeautifulSoup pass
#: what report pages hold: classes with runs of blanks, both quotes in a value,
#: character and entity references, void elements, blank runs between tags,
#: a boolean attribute, a data: URI, a multi-valued ``headers``
_PAGE_CELLS = (
    '<div  class="table-wrap  x" id=t><table class="tableau">'
    "<caption>Taux d&#x27;entrée &lt; 5 &amp; plus</caption>\n  \n"
    '<tr><th id="h1">A</th><td headers="h1   h2" title="dit &quot;l\'an&quot;">'
    "45,2\u202f%&nbsp;</td></tr>\t</table></div>",
    '<figure><img src="data:image/png;base64,iVBORw0KGgo+/=" alt="Courbe"><br>'
    "<figcaption title='a \"b\"'>Source : i-Milo</figcaption></figure>"
    "<details open><summary>Méthode</summary><p>x<br/>y</p></details>",
    '<p><a href="a.html?x=1&amp;y=2" download="f.xlsx">f.xlsx</a> (XLSX, 41 ko)</p>',
)


def _page_notebook(*fragments: str, markdown: str = "## Titre\n\nTexte « cité » & co."):
    cells = [nbformat.v4.new_markdown_cell(markdown)]
    for text in fragments:
        cells.append(
            new_code_cell(
                "x",
                outputs=[new_output("display_data", data={"text/html": text})],
            )
        )
    return nbformat.from_dict(new_notebook(cells=cells))


def _stock_body(nb) -> str:
    stock = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    return stock.from_notebook_node(nb)[0]


def test_reserialise_writes_a_fragment_as_beautifulsoup_does():
    page = (
        '<p  class="a  b" title=\'dit "oui"\' id=x>l&#x27;an &amp; &lt;5<br>'
        '<img alt="" src="i.png"></p>\n\n  <p>\u00a0é</p>'
    )
    expected = (
        '<p class="a b" id="x" title=\'dit "oui"\'>l\'an &amp; &lt;5<br/>'
        '<img alt="" src="i.png"/></p>\n<p>\u00a0é</p>'
    )
    assert _soup.reserialise(page) == expected
    assert str(BeautifulSoup(page, features="html.parser")) == expected


def test_page_exporter_gives_nbconvert_s_page_byte_for_byte():
    nb = _page_notebook(*_PAGE_CELLS)
    ours = _html._exporter().from_notebook_node(nb)[0]
    assert ours == _stock_body(nb)
    assert "<br/>" in ours and "Taux d'entrée &lt; 5 &amp; plus" in ours
    # and the fast pass wrote it: the page is one it covers
    assert _soup.reserialise(ours) == str(BeautifulSoup(ours, features="html.parser"))


def test_pages_the_fast_pass_does_not_cover_are_nbconvert_s_own():
    others = {
        "a comment": "<p>a<!-- note --></p>",
        "pre": "<pre>  a\n\n  b</pre>",
        "left open": "<div><p>a</div>",
        "no alt": '<img src="i.png">',
        "a windows-1252 reference": "<p>&#150;</p>",
        "another entity": "<p>&eacute;</p>",
        "a jp-Notebook": '<div class="jp-Notebook"><div class="jp-OutputArea-output">'
        "a</div></div>",
    }
    for why, fragment in others.items():
        nb = _page_notebook(fragment)
        ours = _html._exporter().from_notebook_node(nb)[0]
        assert ours == _stock_body(nb), why
        try:
            _soup.reserialise(fragment)
        except _soup.Unsupported:
            continue
        raise AssertionError(f"{why}: covered by the fast pass")
    # nbconvert's own pass did its work: an alt for the image that had none
    nb = _page_notebook(others["no alt"])
    assert (
        'alt="No description has been provided for this image"'
        in (_html._exporter().from_notebook_node(nb)[0])
    )


def test_a_block_is_kept_once_in_a_notebook_as_html_not_again_as_text():
    from IPython.core.formatters import DisplayFormatter

    from observatoire.reports._style import Html

    shown, _ = DisplayFormatter().format(Html("<p>Quatre</p>"))
    assert shown["text/html"] == "<p>Quatre</p>"
    assert shown["text/plain"] == "<Html: 13 characters of report HTML>"
