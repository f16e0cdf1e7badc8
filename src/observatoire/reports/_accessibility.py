"""Checks of a report page that axe-core cannot make: what the alternatives say.

axe-core finds an image without ``alt``; it cannot tell an alternative that
repeats the chart's title from one that says what the chart shows. These
checks read the page's HTML (standard library parser) and apply the rules of
RGAA 4.1 topics 1 (images) and 5 (tables) as this project writes its pages:

- every ``<img>`` has an ``alt``; an empty one only on a decorative image
  (``role="presentation"`` or ``aria-hidden="true"``);
- an informative image is a chart: it sits in a ``<figure>``;
- its alternative says what the chart shows, in a sentence: at least
  :data:`MIN_ALT_WORDS` words (a title is shorter) and a figure (digit: the
  values, the extremes, the change), not a file name, not a
  generic word, not the text of a heading, a caption or its figure's
  ``<figcaption>`` (the title is not a description);
- two charts of a page do not share one alternative;
- every figure holding a chart has its data as a table: a ``<table>`` inside
  the figure (a ``<details>`` is fine) or in the element right after it;
- every ``<table>`` has a non-empty ``<caption>``, and a header cell outside
  its ``<thead>`` declares its ``scope`` (``row`` for a row header).

:func:`check_page` returns the problems found, one line each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: an alternative shorter than this names a chart, it does not describe it
MIN_ALT_WORDS = 15
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_FILE_NAME = re.compile(r"^\S+\.(png|jpe?g|gif|svg|webp|bmp)$", re.I)
_GENERIC = re.compile(
    r"^(image|img|graphique|figure|chart|plot|graph|illustration|photo)\s*\d*$", re.I
)


@dataclass
class Node:
    """An element of the parsed page."""

    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """The element's text, descendants included, as a reader hears it.

        Returns
        -------
        str
            The text pieces joined, runs of white space made one space.
        """
        parts: list[str] = []
        for c in self.children:
            parts.append(c if isinstance(c, str) else c.text())
        return " ".join(" ".join(parts).split())

    def iter(self, tag: str | None = None):
        """The element's descendants, in document order.

        Parameters
        ----------
        tag : str, optional
            Only the elements of this (lower-case) tag; None yields them all.

        Yields
        ------
        Node
            Each matching descendant (not the element itself).
        """
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def ancestor(self, tag: str) -> Node | None:
        """The nearest enclosing element of a tag.

        Parameters
        ----------
        tag : str
            A lower-case tag name, such as ``figure``.

        Returns
        -------
        Node or None
            The closest ancestor with that tag, None when there is none.
        """
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node

    def next_element(self) -> Node | None:
        """The element's next sibling element (text between them skipped).

        Returns
        -------
        Node or None
            None for the last element of its parent, or the root.
        """
        if self.parent is None:
            return None
        siblings = [c for c in self.parent.children if isinstance(c, Node)]
        at = next(i for i, c in enumerate(siblings) if c is self)
        return siblings[at + 1] if at + 1 < len(siblings) else None


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.current.children.append(data)


def parse(page: str) -> Node:
    """The page as a tree of :class:`Node` (lenient about unclosed tags).

    Parameters
    ----------
    page : str
        An HTML page or fragment.

    Returns
    -------
    Node
        A root node (tag ``#document``) whose children are the page's top-level
        elements and text.
    """
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w%]+", " ", text.lower()).split())


def _label(node: Node) -> str:
    alt = node.attrs.get("alt", "")
    return f"<{node.tag} alt={alt[:60]!r}>"


def _has_table(node: Node | None) -> bool:
    if node is None:
        return False
    return node.tag == "table" or any(True for _ in node.iter("table"))


def check_page(page: str) -> list[str]:
    """Problems of a page's images, figures and tables (empty: none found).

    Parameters
    ----------
    page : str
        An HTML page or fragment.

    Returns
    -------
    list of str
        One English line per problem, naming the element
        (« <img alt='...'>: ... »): images first, then shared alternatives,
        figures and tables.

    Examples
    --------
    >>> check_page('<figure><img src="a.png" alt="a.png"></figure>')[0]
    "<img alt='a.png'>: the alternative is a file name"
    >>> good = ('<figure><img src="x" alt="Jeunes accompagnés par mois en 2024 : '
    ...         'de 880 en janvier à 790 en décembre, avec un creux de 545 en août">'
    ...         '<details><summary>Données</summary><table><caption>Données du '
    ...         'graphique</caption><tr><th scope="row">janv.</th><td>880</td>'
    ...         '</tr></table></details></figure>')
    >>> check_page(good)
    []
    """
    root = parse(page)
    problems: list[str] = []
    titles = {
        _norm(n.text())
        for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption")
        for n in root.iter(tag)
    }
    titles.discard("")
    seen_alts: dict[str, int] = {}
    for img in root.iter("img"):
        label = _label(img)
        if "alt" not in img.attrs:
            problems.append(f"{label}: no alt attribute")
            continue
        alt = img.attrs["alt"].strip()
        decorative = img.attrs.get("role") in ("presentation", "none") or (
            img.attrs.get("aria-hidden") == "true"
        )
        if not alt:
            if not decorative:
                problems.append(f"{label}: empty alternative on an informative image")
            continue
        figure = img.ancestor("figure")
        if figure is None:
            problems.append(f"{label}: a chart outside a <figure>")
        if _FILE_NAME.match(alt) or alt.startswith("data:"):
            problems.append(f"{label}: the alternative is a file name")
            continue
        if _GENERIC.match(alt):
            problems.append(f"{label}: the alternative is a generic word")
            continue
        norm = _norm(alt)
        caption = figure.iter("figcaption") if figure is not None else iter(())
        if norm in titles or any(norm == _norm(c.text()) for c in caption):
            problems.append(
                f"{label}: the alternative repeats a title or caption "
                "instead of saying what the chart shows"
            )
        elif len(re.findall(r"\w+", alt)) < MIN_ALT_WORDS or not re.search(r"\d", alt):
            problems.append(
                f"{label}: the alternative names the chart but does not say what it "
                f"shows (fewer than {MIN_ALT_WORDS} words or no figure)"
            )
        seen_alts[norm] = seen_alts.get(norm, 0) + 1
    for norm, n in seen_alts.items():
        if n > 1:
            problems.append(f"{n} charts share one alternative ({norm[:60]!r})")
    for figure in root.iter("figure"):
        charts = [*figure.iter("img"), *figure.iter("svg")]
        if not charts:
            continue
        if not (_has_table(figure) or _has_table(figure.next_element())):
            problems.append(
                f"figure {_label(charts[0])}: no data table next to the chart"
            )
    for table in root.iter("table"):
        caption = next(table.iter("caption"), None)
        first = next((c for c in table.iter("th")), None)
        where = f"table {first.text()[:40]!r}" if first is not None else "table"
        if caption is None or not caption.text():
            problems.append(f"{where}: no <caption>")
        for th in table.iter("th"):
            if th.ancestor("thead") is None and th.attrs.get("scope") not in (
                "row",
                "rowgroup",
                "col",
                "colgroup",
            ):
                problems.append(
                    f"{where}: header cell {th.text()[:30]!r} outside <thead> "
                    "has no scope"
                )
                break
    return problems
