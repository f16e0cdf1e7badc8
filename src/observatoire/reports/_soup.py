"""nbconvert's last pass over a page, without building a BeautifulSoup tree.

``HTMLExporter.from_notebook_node`` renders its template, then parses the page
with BeautifulSoup (``html.parser``) to give an ``alt`` to images that have
none and a ``tabindex`` to the cells of a ``.jp-Notebook``, and returns
``str(soup)``: the page as BeautifulSoup writes it back (attributes sorted,
texts re-escaped, ``<img/>``, blank runs between tags shortened). That pass is
about 60 % of a report's export, mostly tree building and CSS selection.

:func:`reserialise` gives the same string from the same tokens (the standard
library's ``html.parser``, as BeautifulSoup uses it), written out as they come.
It covers what report pages hold (balanced elements, images with an ``alt``,
the five common entities, character references below 128, no ``.jp-Notebook``)
and raises :class:`Unsupported` on anything else (comments, ``<pre>``,
``<script>``, an element left open or closed out of order...), for which the
caller uses nbconvert's own pass. The tables of void elements and
multi-valued attributes are read from BeautifulSoup's own HTML builder.
``tests/test_html.py`` compares both on pages built to hold every case.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bs4.builder import HTMLParserTreeBuilder

_BUILDER = HTMLParserTreeBuilder()
#: written ``<br/>``, never closed
_VOID = frozenset(_BUILDER.empty_element_tags or ())
#: attributes whose value is a list of words (``class``...), by tag (``*``: all)
_LISTS = {
    tag: frozenset(names) for tag, names in _BUILDER.cdata_list_attributes.items()
}
#: elements whose text BeautifulSoup keeps or writes differently: not covered
_SPECIAL = frozenset({*_BUILDER.preserve_whitespace_tags, *_BUILDER.string_containers})
#: the entities covered, as BeautifulSoup reads them
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'", "nbsp": "\xa0"}
_ASCII_SPACES = frozenset(" \n\t\x0c\r")
_WORDS = re.compile(r"\S+")
_ESCAPE = re.compile("[<>&]")
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


class Unsupported(ValueError):
    """A page this pass does not cover: nbconvert's own pass must run."""


def _escape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def _quoted(value: str) -> str:
    """An attribute value quoted as BeautifulSoup quotes it."""
    if '"' in value:
        if "'" in value:
            return '"' + value.replace('"', "&quot;") + '"'
        return "'" + value + "'"
    return '"' + value + '"'


class _Writer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def _flush(self) -> None:
        if not self.text:
            return
        text = "".join(self.text)
        self.text = []
        if all(c in _ASCII_SPACES for c in text):
            text = "\n" if "\n" in text else " "
        self.out.append(_escape(text))

    def handle_starttag(self, tag, attrs, *, closed=False):
        self._flush()
        if tag in _SPECIAL:
            raise Unsupported(tag)
        values: dict[str, str] = {}
        for key, value in attrs:
            values[key] = "" if value is None else value
        if tag == "img" and "alt" not in values:
            raise Unsupported("an image without alt")
        lists = _LISTS.get("*", frozenset()) | _LISTS.get(tag, frozenset())
        parts = []
        for key in sorted(values):
            value = values[key]
            if key in lists:
                words = _WORDS.findall(value)
                if key == "class" and "jp-Notebook" in words:
                    raise Unsupported("a .jp-Notebook")
                value = " ".join(words)
            parts.append(f" {key}={_quoted(_escape(value))}")
        attributes = "".join(parts)
        if tag in _VOID:
            self.out.append(f"<{tag}{attributes}/>")
            return
        self.out.append(f"<{tag}{attributes}>")
        if closed:
            self.out.append(f"</{tag}>")
        else:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        self._flush()
        if tag in _VOID:
            return  # BeautifulSoup closed it with its start tag
        if not self.open or self.open[-1] != tag:
            raise Unsupported(f"</{tag}> out of order")
        self.open.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.text.append(data)

    def handle_entityref(self, name):
        if name not in _ENTITIES:
            raise Unsupported(f"&{name};")
        self.text.append(_ENTITIES[name])

    def handle_charref(self, name):
        try:
            code = int(name[1:], 16) if name[:1] in "xX" else int(name)
        except ValueError:
            raise Unsupported(f"&#{name};") from None
        if not 0 < code < 128:
            raise Unsupported(f"&#{name};")
        # BeautifulSoup adds the text after the reference, empty here
        self.text.extend((chr(code), ""))

    def handle_comment(self, data):
        raise Unsupported("a comment")

    def handle_decl(self, decl):
        raise Unsupported("a declaration")

    def handle_pi(self, data):
        raise Unsupported("a processing instruction")

    def unknown_decl(self, data):
        raise Unsupported("a declaration")


def reserialise(page: str) -> str:
    """``page`` as nbconvert's BeautifulSoup pass writes it back.

    Parameters
    ----------
    page : str
        HTML rendered by nbconvert's template.

    Returns
    -------
    str
        ``str(BeautifulSoup(page, "html.parser"))``, the page unchanged
        otherwise (its images have their ``alt``, it has no ``.jp-Notebook``).

    Raises
    ------
    Unsupported
        The page holds something this pass does not cover (see the module doc).
    """
    writer = _Writer()
    writer.feed(page)
    writer.close()
    writer._flush()
    if writer.open:
        raise Unsupported(f"<{writer.open[-1]}> left open")
    return "".join(writer.out)
