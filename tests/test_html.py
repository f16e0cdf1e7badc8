"""The page builder (``reports._html``): notebook body to HTML."""

from __future__ import annotations

import threading

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from observatoire.reports import _html


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
