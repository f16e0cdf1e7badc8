"""``<run>/publication/``: what a run is meant to send, and nothing else.

A run folder also holds the executed notebooks, the shared cache, the kernels'
logs and the manifest (parameters, data fingerprint): working files, not
documents. :func:`publish` copies into ``<run>/publication/`` only

- the pages: ``index.html``, ``accessibilite.html`` and ``html/*.html`` of the
  reports produced;
- their PDFs (``pdf/*.pdf``) when the run made them;
- their downloads (``telechargements/<report>/``: the XLSX workbook and the
  zip of CSV files of each report, see :mod:`._downloads`) when present.

The copies are the same pages but the index, rendered again without its link
to ``journal.html``: the journal (the run's log) is an operator page pointing
at the executed notebooks, the kernels' logs and the manifest, none of which
is published, so it stays in the run folder. The folder is built under a temporary name and swapped in whole,
so it is never half-written. Files are hard-linked where the file system
allows it (no space used twice), else copied.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .._io import write_text_atomic
from ._downloads import DOWNLOADS_DIR
from ._index import render_published_index

PUBLICATION_DIR = "publication"
#: top-level pages copied when present
PAGES = ("index.html", "accessibilite.html")
#: folders whose files are copied (relative to the run folder), with the
#: file suffixes kept
FOLDERS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    DOWNLOADS_DIR: (".xlsx", ".csv", ".zip"),
}


def publication_files(run_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """Paths (relative to ``run_dir``) that belong in the publication folder.

    Report pages, PDFs and downloads are taken from the manifest (reports
    produced only): the downloads of a report that failed this time, or that
    this run no longer plans, are left out. Hidden and temporary files never
    are taken, nor a path outside its folder.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    manifest : dict
        The run's ``manifest.json`` contents.

    Returns
    -------
    list of str
        POSIX paths relative to ``run_dir``, without duplicates: the portal and
        the accessibility statement (when present), then each report produced's
        page, PDF and downloads, in manifest order; only files that exist.
    """
    wanted: list[str] = [p for p in PAGES if (run_dir / p).is_file()]
    for entry in manifest.get("reports", []):
        if entry.get("status") != "ok":
            continue
        for key in ("html", "pdf"):
            rel = entry.get(key)
            if rel and (run_dir / rel).is_file():
                wanted.append(rel)
        for rel in entry.get("downloads") or ():
            if _is_download(run_dir, rel):
                wanted.append(rel)
    return list(dict.fromkeys(wanted))


def _is_download(run_dir: Path, rel: str) -> bool:
    """``rel`` is a file of ``telechargements/<report>/`` with a download suffix."""
    parts = Path(rel).parts
    return (
        len(parts) == 3
        and parts[0] == DOWNLOADS_DIR
        and not any(p.startswith(".") or p == ".." for p in parts)
        and Path(rel).suffix.lower() in FOLDERS[DOWNLOADS_DIR]
        and (run_dir / rel).is_file()
    )


def report_downloads(run_dir: str | os.PathLike[str], name: str) -> list[str]:
    """The download files of report ``name`` (paths relative to ``run_dir``).

    The report's notebook writes them to ``telechargements/<name>/`` (see
    :mod:`._downloads`); the batch lists them in the manifest.

    Parameters
    ----------
    run_dir : str or os.PathLike
        The run folder.
    name : str
        The report's output name (``<kind>`` or ``<kind>_<code_ml>``).

    Returns
    -------
    list of str
        POSIX paths of its ``.xlsx``, ``.csv`` and ``.zip`` files, by name;
        hidden files left out; empty when the folder does not exist.
    """
    folder = Path(run_dir) / DOWNLOADS_DIR / name
    if not folder.is_dir():
        return []
    return [
        f"{DOWNLOADS_DIR}/{name}/{p.name}"
        for p in sorted(folder.iterdir())
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() in FOLDERS[DOWNLOADS_DIR]
    ]


def _link_or_copy(source: Path, dest: Path) -> None:
    # a hard link costs no space; the run's pages are replaced by rename, never
    # rewritten in place, so the published copy keeps what was published
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def publish(run_dir: str | os.PathLike[str], manifest: dict[str, Any]) -> Path:
    """Copy a run's pages, PDFs and downloads into ``<run>/publication/``.

    Parameters
    ----------
    run_dir : path
        The run folder (``<output_dir>/<run>``).
    manifest : dict
        The run's manifest (which reports were produced, their files).

    Returns
    -------
    Path
        The publication folder; it replaces any previous one whole.
    """
    run_dir = Path(run_dir)
    target = run_dir / PUBLICATION_DIR
    staging = Path(tempfile.mkdtemp(prefix=f".{PUBLICATION_DIR}.", dir=run_dir))
    try:
        for rel in publication_files(run_dir, manifest):
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(run_dir / rel, dest)
        if (staging / "index.html").is_file():
            # the published index does not link to the journal, which stays
            # behind (a rename: the run's own index.html is left untouched)
            write_text_atomic(
                staging / "index.html", render_published_index(run_dir, manifest)
            )
        staging.chmod(0o755)
        old = None
        if target.exists():
            old = run_dir / f".{PUBLICATION_DIR}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
