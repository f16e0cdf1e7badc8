"""What a report reads: the shared tables of a run, from the cache or in memory.

:class:`ReportInputs` is the one object every section takes. It lives apart from
:mod:`._cache` (which writes and finds caches, and computes a run through
:mod:`._shared`) so that the shared step can build one without importing the
module that calls it.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: names of the cached tables read in this process since the last reset; the
#: batch asks a kernel for it after each report, to know which slice of the
#: cache the report depends on (see ``_reuse``)
tables_read: set[str] = set()


@dataclass
class ReportInputs:
    """The inputs a report shows: shared tables plus what describes them.

    ``meta`` holds ``year``, ``month``, ``disclosure_threshold``, ``synthetic``,
    ``extraction_date``, ``labels`` (ML code to name), ``departements`` (ML code
    to department code). Tables are read from the cache on first use.
    """

    meta: dict[str, Any]
    folder: Path | None = None
    _tables: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> Any:
        if self.folder is not None:
            tables_read.add(name)
        if name not in self._tables:
            if self.folder is None:
                raise KeyError(name)
            with (self.folder / f"{name}.pkl").open("rb") as fh:
                self._tables[name] = _share_attrs(pickle.load(fh))
        return self._tables[name]

    @property
    def year(self) -> int:
        """The year the run reports on."""
        return int(self.meta["year"])

    @property
    def month(self) -> int:
        """The month the run reports on (1 to 12)."""
        return int(self.meta["month"])

    @property
    def synthetic(self) -> bool:
        """True when the extract is synthetic (every report then says so)."""
        return bool(self.meta.get("synthetic"))

    @property
    def threshold(self) -> int:
        """The disclosure threshold: counts from 1 to this value minus one are masked."""
        return int(self.meta["disclosure_threshold"])


class _SharedDict(dict):
    """A value of a cached table's ``attrs``, shared by every frame derived from it.

    pandas deep-copies ``DataFrame.attrs`` into the result of every operation
    (each column read, filter, ``.loc``); the disclosure marker of a cached
    table is a nested structure, and copying it was a fifth of the time of a
    Mission Locale's report and most of the monthly follow-up's table. A report
    reads ``attrs``, it never changes them: sharing is enough.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedDict:
        return self


class _SharedList(list):
    """A list value of a cached table's ``attrs``, shared (see :class:`_SharedDict`)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedList:
        return self


def _share_attrs(table: Any) -> Any:
    """``table`` (a frame, or a dict of frames) with its ``attrs`` values shared."""
    frames = table.values() if isinstance(table, dict) else (table,)
    for frame in frames:
        attrs = getattr(frame, "attrs", None)
        if not isinstance(attrs, dict) or not attrs:
            continue
        shared = {}
        for key, value in attrs.items():
            if type(value) is dict:
                value = _SharedDict(value)
            elif type(value) is list:
                value = _SharedList(value)
            shared[key] = value
        frame.attrs = shared
    return table
