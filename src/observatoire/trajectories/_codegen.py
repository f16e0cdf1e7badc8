"""Write ``_lanes.py``, the unrolled lane kernels of OM, OMspell and TWED.

Run ``python src/observatoire/trajectories/_codegen.py && ruff format
src/observatoire/trajectories/_lanes.py`` (as a script: importing the package needs
``_lanes.py``). Not imported at run time.

Each kernel aligns one row sequence against ``LANES`` column sequences at once. The
three share one lane loop, written here once (:func:`_kernel`): a one-row DP buffer
``E`` ((T + 1) x LANES) holds the previous row until each cell is overwritten with the
current one, and every lane keeps its diagonal (``d``) and left (``f``) cells in scalar
variables. Per column, every lane loads its cell of the previous row (``u``), computes
its candidates, keeps the smallest and stores it, then shifts ``d``. The lanes are
written out as scalar variables, statement by statement over the lanes, so that every
load of a cell row comes before every store: LLVM's SLP vectoriser then packs the
``LANES`` independent pairs into SIMD registers without having to prove that the row
buffer and the costs do not alias. What differs between the methods is a
:class:`_Method`: the buffer's first row and column, the row's invariants and the cell
update (the candidates; OMspell and TWED keep the smallest of three with the same
selects, :func:`_min3`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LANES = 16


@dataclass(frozen=True)
class _Method:
    """What one kernel adds to the shared lane loop (``{l}`` is the lane)."""

    name: str
    signature: str
    doc: tuple[str, ...]
    #: statements before the row loop (filling the buffer's first row and column)
    setup: tuple[str, ...]
    #: the row loop, its row invariants, then per-lane statements at the row start
    row_loop: str
    row_setup: tuple[str, ...]
    row_lanes: tuple[str, ...]
    #: the column loop and its invariants, per-lane cell update (``u{l}`` holds the
    #: previous row's cell; it leaves the new cell in ``f{l}``), per-lane carries
    #: after the shift of ``d``
    col_loop: str
    col_setup: tuple[str, ...]
    cell: tuple[str, ...]
    carry: tuple[str, ...] = ()
    #: the buffer's last cell of each lane into ``out`` after the row loop
    finish: bool = True


def _lines(fmt: str, indent: int) -> list[str]:
    pad = " " * indent
    return [pad + fmt.format(l=lane) for lane in range(LANES)]


def _min(target: str, a: str, b: str) -> str:
    """One lane's ``target = min(a, b)`` as a select (no branch, no call)."""
    return f"{target}{{l}} = {a}{{l}} if {a}{{l}} < {b}{{l}} else {b}{{l}}"


def _min3(x: str, y: str, z: str) -> tuple[str, ...]:
    """Per-lane ``f = min(x, y, z)`` from candidate expressions (``y`` reused)."""
    return (
        f"x{{l}} = {x}" if x else "",
        f"y{{l}} = {y}",
        f"z{{l}} = {z}",
        _min("y", "y", "z"),
        _min("f", "x", "y"),
    )


def _lane_block(formats: tuple[str, ...], indent: int) -> list[str]:
    out: list[str] = []
    for fmt in formats:
        if fmt:
            out += _lines(fmt, indent)
    return out


def _kernel(method: _Method) -> list[str]:
    """Source lines of one lane kernel: the shared loop around the method's parts."""
    out = ["", "", "@njit(cache=True)", f"def {method.name}({method.signature}):"]
    out += ['    """' + method.doc[0]]
    out += [("    " + line) if line else "" for line in method.doc[1:]]
    out += ['    """']
    out += ["    " + line for line in method.setup]
    out += ["    " + method.row_loop]
    out += ["        " + line for line in method.row_setup]
    out += _lane_block(method.row_lanes, 8)
    out += ["        " + method.col_loop]
    out += ["            " + line for line in method.col_setup]
    col = method.col_loop.split()[1]  # the column index of the loop
    out += _lines(f"u{{l}} = E[{col}, {{l}}]", 12)
    out += _lane_block(method.cell, 12)
    out += _lines(f"E[{col}, {{l}}] = f{{l}}", 12)
    out += _lines("d{l} = u{l}", 12)
    out += _lane_block(method.carry, 12)
    if method.finish:
        out += [f"    for lane in range({LANES}):", "        out[lane] = E[T, lane]"]
    return out


OM = _Method(
    name="align_lanes",
    signature="a, G, E, out",
    doc=(
        "E[m, T] (rewritten OM recurrence) of ``a`` against the lanes held in G.",
        "",
        "G[s, q, l] = cost[s, b_l[q - 1]] - 2 indel for q >= 1; E is a (T + 1) x LANES",
        "work buffer; out[l] receives E[m, T] of lane l.",
    ),
    setup=(
        "m = a.shape[0]",
        "T = G.shape[1] - 1",
        "for q in range(T + 1):",
        f"    for lane in range({LANES}):",
        "        E[q, lane] = 0.0",
    ),
    row_loop="for p in range(m):",
    row_setup=("g = G[a[p]]",),
    row_lanes=("d{l} = 0.0", "f{l} = 0.0"),
    col_loop="for q in range(1, T + 1):",
    col_setup=(),
    cell=(
        "x{l} = d{l} + g[q, {l}]",
        _min("x", "x", "u"),
        _min("f", "x", "f"),
    ),
)

OMSPELL = _Method(
    name="omspell_lanes",
    signature="ast, ada, ain, m, G, BS, BD, BI, N, E, tc",
    doc=(
        "F[m, q] for every q <= N of spell sequence ``a`` against the lanes.",
        "",
        "ast/ada/ain: states, durations (``dur ** tpow - 1``) and indels of the row",
        "spells; G[s, q, l] = sm[s, b_lq] + tc db_lq; BS[q, l] the column state (as a",
        "float), BD[q, l] = tc db_lq, BI[q, l] its indel (q >= 1). E ((N + 1) x LANES)",
        "receives row m of the DP table (each lane's distance is read at its own",
        "length: the column spell sequences are padded to the longest of the block).",
        "The same-state and other-state substitutions are both computed, then",
        "selected without a branch.",
    ),
    setup=(
        *[f"E[0, {lane}] = 0.0" for lane in range(LANES)],
        "for q in range(1, N + 1):",
        *[
            f"    E[q, {lane}] = E[q - 1, {lane}] + BI[q, {lane}]"
            for lane in range(LANES)
        ],
    ),
    row_loop="for p in range(m):",
    row_setup=(
        "ap = ast[p]",
        "fa = float(ap)",
        "tda = tc * ada[p]",
        "ia = ain[p]",
        "g = G[ap]",
    ),
    row_lanes=("d{l} = E[0, {l}]", "f{l} = d{l} + ia", "E[0, {l}] = f{l}"),
    col_loop="for q in range(1, N + 1):",
    col_setup=(),
    cell=(
        "s{l} = d{l} + (g[q, {l}] + tda)",
        "t{l} = d{l} + abs(tda - BD[q, {l}])",
        "x{l} = t{l} if BS[q, {l}] == fa else s{l}",
        *_min3("", "f{l} + BI[q, {l}]", "u{l} + ia"),
    ),
    finish=False,
)

TWED = _Method(
    name="twed_lanes",
    signature="a, S, CW, W, RW, E, out",
    doc=(
        "TWED of row sequence ``a`` against the lanes of S / CW (infinity borders).",
        "",
        "S[s, j, l] = sm[s, b_l[j - 1]] (j = 0: the dummy state 0); CW[j, l] =",
        "sm[b_l[j-1], b_l[j-2]] + nu + h; W[k] = 2 nu k; RW[i] = sm[a_i, a_{i-1}] + nu",
        "+ h; E is a (T + 1) x LANES work row; out[l] receives F[m, T] of lane l.",
        "Each lane also carries its previous-column cost (``p``).",
    ),
    setup=(
        "m = a.shape[0]",
        "T = S.shape[1] - 1",
        "inf = np.inf",
        f"for lane in range({LANES}):",
        "    E[0, lane] = 0.0",
        "for j in range(1, T + 1):",
        f"    for lane in range({LANES}):",
        "        E[j, lane] = inf",
    ),
    row_loop="for i in range(1, m + 1):",
    row_setup=(
        "sa = S[a[i - 1]]",
        "sp = S[a[i - 2] if i > 1 else 0]",
        "rw = RW[i]",
    ),
    row_lanes=(
        "d{l} = E[0, {l}]",
        "f{l} = inf",
        "p{l} = sp[0, {l}]",
        "E[0, {l}] = inf",
    ),
    col_loop="for j in range(1, T + 1):",
    col_setup=("w = W[abs(i - j)]",),
    cell=_min3("d{l} + (sa[j, {l}] + p{l}) + w", "f{l} + CW[j, {l}]", "u{l} + rw"),
    carry=("p{l} = sp[j, {l}]",),
)

METHODS = (OM, OMSPELL, TWED)


def generate() -> str:
    """Source text of ``_lanes.py``."""
    out = [
        '"""Unrolled lane kernels of OM, OMspell and TWED.',
        "",
        "GENERATED by _codegen.py (one lane loop, one cell update per method): edit that",
        "file, not this one.",
        '"""',
        "",
        "import numpy as np",
        "from numba import njit",
        "",
        f"LANES = {LANES}",
    ]
    for method in METHODS:
        out += _kernel(method)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    target = Path(__file__).with_name("_lanes.py")
    target.write_text(generate())
    print(f"wrote {target}")
