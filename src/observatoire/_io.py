"""Atomic file writing: write to a temporary name beside the target, then rename.

A run interrupted half-way never leaves a partial output behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml


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
    shown = text[:limit]
    escaped = "".join(
        ch
        if ch.isprintable() and ch not in "\u200b\u200c\u200d\u2060\ufeff"
        else ch.encode("unicode_escape").decode("ascii")
        for ch in shown
    )
    if len(text) > limit:
        return f"'{escaped}…' ({len(text)} characters)"
    return f"'{escaped}'"


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
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - safe subclass
    except _StrictYAMLError as exc:
        raise error(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise error(f"{path}: not valid YAML ({where}{excerpt(problem)})") from None


class _StrictYAMLError(Exception):
    pass


def _strict_loader() -> type:
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


_StrictLoader = _strict_loader()
