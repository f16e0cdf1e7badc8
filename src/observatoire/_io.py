"""Files in and out: atomic writes, the output-path guard, bounded messages, YAML.

- :func:`atomic_path`, :func:`write_text_atomic`, :func:`write_bytes_atomic`,
  :func:`write_csv`: write to a temporary name beside the target, then rename;
  a run interrupted half-way never leaves a partial output behind.
- :func:`check_output`: the one guard every command applies to a path it will
  write: never inside an extract it reads, never onto an input file, never a
  directory where a file is expected, never under a file.
- :func:`is_database_url`: tells a database source from a directory.
- :func:`excerpt`: user data echoed in a message, bounded and escaped.
- :func:`load_yaml`: a configuration file read strictly.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .exceptions import OutputError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it onto ``target`` on success.

    On any exception (Ctrl-C included) the temporary file is removed and
    ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600 files; outputs are shared documents: usual umask rights
    os.chmod(tmp_path, 0o666 & ~_UMASK)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return its path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return its path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


# ------------------------------------------------------------- CSV for people
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text value a spreadsheet would read as a formula with ``'``.

    >>> neutralise('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(df):
    """A copy of ``df`` whose text cells (and column names) are neutralised."""
    # lazy: pandas (about 0.5 s); the command line imports this module first
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(neutralise).astype(object)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def write_csv(df, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV with ``,`` and ``.`` decimals, atomically.

    Text cells are neutralised against formula injection (:func:`neutralise`).
    """
    safe = neutralise_frame(df)
    with atomic_path(path) as tmp:
        safe.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)


# ------------------------------------------------------------ sources, outputs
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_database_url(source: object) -> bool:
    """True for a database URL (``postgresql://...``), False for a path.

    Examples
    --------
    >>> is_database_url("postgresql://u@h/db"), is_database_url("data/entrepot")
    (True, False)
    """
    return isinstance(source, str) and bool(_URL.match(source))


def check_output(
    target: str | os.PathLike[str],
    *,
    option: str = "--out",
    reads: Iterable[str | os.PathLike[str] | None] = (),
    directory: bool = False,
) -> Path:
    """Check a path a command is about to write; return it.

    Raises :class:`~observatoire.exceptions.OutputError` (one line) when the
    path is, or lies inside, something the command reads (``reads``: extract
    directories, input files; database URLs are ignored), when a file is
    expected and the path is a directory (or the reverse), when a parent on
    the way is a file, or when the nearest existing folder is not writable.
    """
    target = Path(target)
    where = f"{option} {target}"
    resolved = target.resolve()
    for source in reads:
        if source is None or is_database_url(source):
            continue
        src = Path(source).resolve()
        if resolved == src:
            raise OutputError(f"{where}: is an input of this command; write elsewhere")
        if src.is_dir() and src in resolved.parents:
            raise OutputError(
                f"{where}: inside the extract {source} that this command reads; "
                "write elsewhere"
            )
    if target.exists() or target.is_symlink():
        if directory and not target.is_dir():
            raise OutputError(f"{where}: exists and is not a folder")
        if not directory and target.is_dir():
            raise OutputError(f"{where}: is a folder; give a file name")
        if not directory and not target.is_file():
            raise OutputError(f"{where}: exists and is not a regular file")
    parent = resolved.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{where}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{where}: {parent} is not writable")
    return target


# ------------------------------------------------------------ bounded messages
#: longest excerpt of user data any message echoes
EXCERPT_CHARS = 60


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A short, printable excerpt of ``value`` for an error message.

    Control and invisible characters are shown escaped (``\\x1b``, ``\\u200b``),
    so nothing from a file can drive the terminal, and the text is cut at
    ``limit`` characters with the full length said.

    Examples
    --------
    >>> excerpt("code_ml\\u200b")
    "'code_ml\\\\u200b'"
    >>> excerpt("\\x1b[31mrouge")
    "'\\\\x1b[31mrouge'"
    >>> excerpt("x" * 100, limit=5)
    "'xxxxx…' (100 characters)"
    """
    text = value if isinstance(value, str) else str(value)
    escaped = printable(text[:limit])
    if len(text) > limit:
        return f"'{escaped}…' ({len(text)} characters)"
    return f"'{escaped}'"


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with control and invisible characters escaped, cut at ``limit``.

    For a whole message line (:func:`excerpt` quotes a value inside one).

    >>> printable("a\\x1b[2Jb\\nc")
    'a\\\\x1b[2Jb\\\\nc'
    """
    shown = text if limit is None else text[:limit]
    out = "".join(
        ch
        if ch.isprintable() and ch not in "\u200b\u200c\u200d\u2060\ufeff"
        else ch.encode("unicode_escape").decode("ascii")
        for ch in shown
    )
    return out + ("…" if limit is not None and len(text) > limit else "")


# ------------------------------------------------------------------ safe YAML
#: largest configuration file read (parameters, targets, correspondences)
YAML_MAX_BYTES = 1_000_000


def load_yaml(path: str | os.PathLike[str], *, error: type[Exception]) -> object:
    """Read a small configuration YAML file strictly.

    Refuses what a configuration file never needs and an attacker would use:
    aliases and anchors (the "billion laughs" bomb), duplicated keys (silently
    "last one wins" otherwise), files over :data:`YAML_MAX_BYTES`, and text that
    is not UTF-8. Every refusal is one ``error(...)`` naming the file and line.

    Parameters
    ----------
    path : path-like
        The YAML file.
    error : exception class
        Raised with a one-line message (e.g. ``ParamsError``).

    Returns
    -------
    object
        The parsed document (plain dicts, lists, strings, numbers, None).
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: not found or not a regular file")
    size = path.stat().st_size
    if size > YAML_MAX_BYTES:
        raise error(
            f"{path}: {size:,} bytes, more than a configuration file may hold "
            f"({YAML_MAX_BYTES:,})"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise error(f"{path}: holds NUL bytes, not a text file")
    import yaml  # here: the command line imports this module before anything heavy

    try:
        return yaml.load(text, Loader=_strict_loader())  # noqa: S506 - safe subclass
    except _StrictYAMLError as exc:
        raise error(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise error(f"{path}: not valid YAML ({where}{excerpt(problem)})") from None


class _StrictYAMLError(Exception):
    pass


@functools.cache
def _strict_loader() -> type:
    # lazy: as in load_yaml
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise _StrictYAMLError(
                    f"line {event.start_mark.line + 1}: YAML aliases (*name) are "
                    "not allowed in configuration files"
                )
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise _StrictYAMLError(
                    f"line {event.start_mark.line + 1}: YAML anchors (&name) are "
                    "not allowed in configuration files"
                )
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):  # type: ignore[override]
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise _StrictYAMLError(
                        f"line {key_node.start_mark.line + 1}: a key must be a "
                        "plain value"
                    ) from None
                if key in seen:
                    raise _StrictYAMLError(
                        f"line {key_node.start_mark.line + 1}: key {excerpt(key)} "
                        f"already given on line {seen[key]}"
                    )
                seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    return StrictLoader
