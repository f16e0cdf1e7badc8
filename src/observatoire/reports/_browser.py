"""Headless Chromium: find it, and run the project's browser tools with it.

Two levels, so that a machine with only Debian's ``chromium`` can still print:

- :func:`find_chromium` finds the browser binary (``OBSERVATOIRE_CHROMIUM``,
  else ``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``);
  the PDF export (``_pdf.py``) needs nothing more;
- :func:`find_tools` also finds Node and ``tools/browser/`` of the project
  (``browser.mjs`` with ``axe-core`` and ``playwright-core`` installed by
  ``make browser``) for the accessibility checks and screenshots:
  :func:`run_axe`, :func:`screenshot`.

Nothing here downloads a browser: ``playwright-core`` drives the system one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import BrowserError

#: browser binaries tried in order when OBSERVATOIRE_CHROMIUM is not set
CHROMIUM_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
#: WCAG rule sets of axe-core that RGAA 4.1 (WCAG 2.1 AA) covers
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: seconds one call of the browser tools may take
TIMEOUT = 300
#: oldest Node.js that playwright-core runs on
NODE_MAJOR = 20
#: Chromium switches that keep a headless run off the network (background
#: updates, sync, field trials): the pages are local files
QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-dev-shm-usage",
)


@dataclass(frozen=True)
class BrowserTools:
    """Where the browser tools are: Node, ``browser.mjs`` and Chromium."""

    node: str
    script: Path
    chromium: str

    def command(self, *args: str) -> list[str]:
        """The command line running ``browser.mjs`` with ``args``.

        Parameters
        ----------
        *args : str
            The script's sub-command and its arguments.

        Returns
        -------
        list of str
            ``[node, script, *args]``, for :func:`subprocess.run`.
        """
        return [self.node, str(self.script), *args]


def find_chromium() -> str | None:
    """Path of the Chromium binary, or None when there is none.

    Returns
    -------
    str or None
        ``OBSERVATOIRE_CHROMIUM`` when set (looked up on ``PATH``, or as a file),
        else the first of ``CHROMIUM_NAMES`` found on ``PATH``.
    """
    wanted = os.environ.get("OBSERVATOIRE_CHROMIUM")
    if wanted:
        return shutil.which(wanted) or (wanted if Path(wanted).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def tools_dir() -> Path:
    """``tools/browser`` of the project (``OBSERVATOIRE_BROWSER_TOOLS`` overrides).

    Returns
    -------
    Path
        The folder holding ``browser.mjs`` and its ``node_modules``; it may not
        exist.
    """
    wanted = os.environ.get("OBSERVATOIRE_BROWSER_TOOLS")
    if wanted:
        return Path(wanted)
    return Path(__file__).resolve().parents[3] / "tools" / "browser"


def missing_tools() -> str | None:
    """Why the browser tools cannot run here, or None when they can.

    Returns
    -------
    str or None
        The first missing piece (Chromium, Node.js or a recent enough one,
        ``browser.mjs``, an npm package) and how to install it.
    """
    if find_chromium() is None:
        return (
            "no Chromium found (apt-get install chromium, or set OBSERVATOIRE_CHROMIUM)"
        )
    node = shutil.which("node")
    if node is None:
        return "Node.js not found (apt-get install nodejs npm)"
    major = _node_major(node)
    if major is not None and major < NODE_MAJOR:
        return f"Node.js {major} is too old for playwright-core (needs {NODE_MAJOR})"
    folder = tools_dir()
    if not (folder / "browser.mjs").is_file():
        return f"{folder}/browser.mjs not found"
    for package in ("axe-core", "playwright-core"):
        if not (folder / "node_modules" / package / "package.json").is_file():
            return f"npm package {package} not installed in {folder} (make browser)"
    return None


def _node_major(node: str) -> int | None:
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def find_tools() -> BrowserTools:
    """The browser tools, ready to run.

    Returns
    -------
    BrowserTools
        Node, the script and Chromium, found.

    Raises
    ------
    BrowserError
        Chromium, Node, or the npm packages are missing (the message says which
        and how to install it).
    """
    reason = missing_tools()
    if reason is not None:
        raise BrowserError(f"browser tools unavailable: {reason}")
    return BrowserTools(
        node=shutil.which("node") or "node",
        script=tools_dir() / "browser.mjs",
        chromium=find_chromium() or "chromium",
    )


def _run(tools: BrowserTools, args: list[str], *, timeout: int) -> str:
    env = {**os.environ, "CHROMIUM": tools.chromium}
    try:
        done = subprocess.run(
            tools.command(*args),
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BrowserError(f"browser tools: no answer after {timeout} s") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BrowserError(f"browser tools failed (exit {done.returncode}): {last}")
    return done.stdout


def run_axe(
    pages: list[str | os.PathLike[str]],
    *,
    width: int = 1280,
    tags: tuple[str, ...] = WCAG_TAGS,
    timeout: int = TIMEOUT,
) -> list[dict[str, Any]]:
    """Check pages with axe-core in headless Chromium.

    Parameters
    ----------
    pages : list of path
        HTML files.
    width : int
        Viewport width in CSS pixels (320 checks the reflow of WCAG 1.4.10).
    tags : tuple of str
        axe-core rule tags; default WCAG 2.0 and 2.1, levels A and AA.

    Returns
    -------
    list of dict
        One per page: ``page``, ``width``, ``scroll_width`` (the document's
        width: more than ``width`` means the page scrolls sideways),
        ``tables`` (each scrolling table region's ``label``, ``scroll_width``
        and ``client_width``: equal widths mean every column is in view),
        ``axe_version``, ``violations`` and ``incomplete`` (each a list of
        ``{"id", "impact", "help", "tags", "nodes", "targets"}``).
    """
    if not pages:
        return []
    tools = find_tools()
    out = _run(
        tools,
        ["axe", "--width", str(width), "--tags", ",".join(tags), *map(str, pages)],
        timeout=timeout,
    )
    return json.loads(out)


def chart_layout(
    pages: list[str | os.PathLike[str]], *, width: int = 320, timeout: int = TIMEOUT
) -> list[dict[str, Any]]:
    """How wide each page and each of its images render at a viewport ``width``.

    Parameters
    ----------
    pages : list of str or os.PathLike
        HTML files to open.
    width : int, default 320
        Viewport width in CSS pixels.
    timeout : int, default TIMEOUT
        Seconds to wait for the browser tools before :class:`BrowserError`.

    Returns
    -------
    list of dict
        One per page: ``page``, ``width``, ``scroll_width`` and ``images``, in
        document order, each with ``alt``, its rendered ``width`` and the
        ``region`` (label of the focusable scroll region around it, or None)
        with that region's ``region_width``.
    """
    if not pages:
        return []
    out = _run(
        find_tools(),
        ["layout", "--width", str(width), *map(str, pages)],
        timeout=timeout,
    )
    return json.loads(out)


def screenshot(
    page: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    width: int = 1280,
    timeout: int = TIMEOUT,
) -> Path:
    """Full-page PNG screenshot of an HTML file at a viewport ``width``.

    Parameters
    ----------
    page : str or os.PathLike
        The HTML file to open.
    target : str or os.PathLike
        Where to write the PNG.
    width : int, default 1280
        Viewport width in CSS pixels.
    timeout : int, default TIMEOUT
        Seconds to wait for the browser tools before :class:`BrowserError`.

    Returns
    -------
    Path
        ``target``.
    """
    tools = find_tools()
    _run(
        tools,
        ["screenshot", "--width", str(width), str(page), str(target)],
        timeout=timeout,
    )
    return Path(target)


def summarize(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Violations per page: ``{page name: {rule id: nodes}}``.

    Parameters
    ----------
    results : list of dict
        axe-core results per page (:func:`run_axe`): ``page`` and
        ``violations``, each with ``id`` and ``nodes``.

    Returns
    -------
    dict of str to dict of str to int
        By page file name, the number of nodes per violated rule (pages with
        the same file name overwrite each other).

    Examples
    --------
    >>> summarize([{"page": "/r/index.html", "violations": [
    ...     {"id": "image-alt", "nodes": 2}]}])
    {'index.html': {'image-alt': 2}}
    """
    return {
        Path(r["page"]).name: {v["id"]: int(v["nodes"]) for v in r["violations"]}
        for r in results
    }
