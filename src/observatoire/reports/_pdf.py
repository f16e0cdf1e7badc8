"""PDF of a report page, printed by headless Chromium with the print stylesheet.

The page is printed as a reader's browser would print it, with
``static/print.css`` (A4, page numbers, nothing cut off, header rows repeated)
inserted when the page does not carry it already, and the ``<details>`` blocks
(data tables of the charts) opened. Chromium's own PDF is tagged (a screen
reader follows its structure) and has an outline built from the headings.

Only Debian's ``chromium`` is needed (no Node): ``chromium --headless
--print-to-pdf``. The PDF is written under a temporary name and renamed.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

from .._io import atomic_path, excerpt
from ..exceptions import BrowserError
from ._browser import QUIET_FLAGS, find_chromium

#: seconds one page may take to print
TIMEOUT = 180
#: marks a page that already carries the print stylesheet
PRINT_MARK = "data-observatoire-print"

_HEAD_END = re.compile(r"</head\s*>", re.I)
_DETAILS = re.compile(r"<details(?![^>]*\bopen\b)", re.I)


@cache
def print_css() -> str:
    """The print stylesheet (``reports/static/print.css``)."""
    return (
        resources.files("observatoire.reports")
        .joinpath("static/print.css")
        .read_text(encoding="utf-8")
    )


@cache
def print_js() -> str:
    """The script that marks the tables too wide for a portrait page."""
    return (
        resources.files("observatoire.reports")
        .joinpath("static/print.js")
        .read_text(encoding="utf-8")
    )


def print_style_tag() -> str:
    """The print stylesheet and its script, for a page's ``<head>``.

    Returns
    -------
    str
        HTML: a ``<style media="print">`` element marked with ``PRINT_MARK``,
        then a ``<script>`` element.
    """
    return (
        f'<style media="print" {PRINT_MARK}>\n{print_css()}</style>\n'
        f"<script>\n{print_js()}</script>"
    )


def for_print(page: str) -> str:
    """The page as it is printed: print stylesheet in, ``<details>`` open.

    Parameters
    ----------
    page : str
        A complete HTML page.

    Returns
    -------
    str
        The page with :func:`print_style_tag` before ``</head>`` (at the start
        without one; not added twice) and every ``<details>`` open.

    Examples
    --------
    >>> out = for_print("<html><head></head><body><details><summary>x"
    ...                 "</summary></details></body></html>")
    >>> "@page" in out, "<details open" in out
    (True, True)
    >>> for_print(out) == out
    True
    """
    if PRINT_MARK not in page:
        found = _HEAD_END.search(page)
        at = found.start() if found else 0
        page = page[:at] + print_style_tag() + "\n" + page[at:]
    return _DETAILS.sub("<details open", page)


def _command(chromium: str, page: Path, target: Path, profile: str) -> list[str]:
    cmd = [
        chromium,
        "--headless",
        "--disable-gpu",
        *QUIET_FLAGS,
        f"--user-data-dir={profile}",  # one profile per print: prints run in parallel
        "--no-pdf-header-footer",  # page numbers come from the stylesheet
        "--generate-pdf-document-outline",
        f"--print-to-pdf={target}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to run as root with its sandbox (CI runs as root)
        cmd.append("--no-sandbox")
    return [*cmd, page.resolve().as_uri()]


def write_pdf(
    page: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    chromium: str | None = None,
    timeout: int = TIMEOUT,
) -> Path:
    """Print an HTML page to an A4 PDF.

    Parameters
    ----------
    page : path
        The HTML page (self-contained: images embedded).
    target : path
        The PDF to write (atomically).
    chromium : str, optional
        Browser binary; default :func:`~observatoire.reports._browser.find_chromium`.
    timeout : int
        Seconds before the print is abandoned.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    BrowserError
        No Chromium, or it failed or produced no PDF (the message names the
        page and Chromium's last line).
    """
    page, target = Path(page), Path(target)
    chromium = chromium or find_chromium()
    if chromium is None:
        raise BrowserError(
            f"{page.name}: no Chromium to print the PDF with "
            "(apt-get install chromium, or set OBSERVATOIRE_CHROMIUM)"
        )
    text = page.read_text(encoding="utf-8")
    # printed from a copy beside the page, so that relative links still resolve
    copy = page.with_name(f".{page.stem}.print.tmp.html")
    copy.write_text(for_print(text), encoding="utf-8")
    try:
        with (
            atomic_path(target) as tmp,
            tempfile.TemporaryDirectory(prefix="observatoire-chromium-") as profile,
        ):
            try:
                done = subprocess.run(
                    _command(chromium, copy, tmp, profile),
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired as exc:
                raise BrowserError(
                    f"{page.name}: Chromium did not print within {timeout} s"
                ) from exc
            except OSError as exc:
                raise BrowserError(
                    f"{page.name}: cannot start {chromium}: {exc}"
                ) from exc
            head = tmp.read_bytes()[:5] if tmp.is_file() else b""
            if done.returncode != 0 or head != b"%PDF-":
                lines = [
                    ln for ln in done.stderr.splitlines() if "ERROR:dbus" not in ln
                ]
                last = lines[-1] if lines else "no message"
                raise BrowserError(
                    f"{page.name}: Chromium produced no PDF (exit {done.returncode}: "
                    f"{excerpt(last)})"
                )
    finally:
        copy.unlink(missing_ok=True)
    return target
