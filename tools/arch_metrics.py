"""Structural figures of the package, for ``docs/architecture.md`` (issue #14).

Run from the repository root::

    .venv/bin/python tools/arch_metrics.py            # summary
    .venv/bin/python tools/arch_metrics.py --details  # every place behind each count

It reads ``src/observatoire`` as text (nothing is imported) and prints:

- functions whose data-flow parameters (``wh``, ``warehouse``, ``source``,
  ``inputs``) are untyped or typed ``Any``;
- imports that reach into another package's private module
  (``from ..data._schema import``), lazy ones included; ``_io`` and
  ``exceptions``, the package's shared foundations, are not counted;
- the longest functions (lines from ``def`` to the last line of the body);
- import cycles between modules, lazy imports (inside functions) included,
  ``if TYPE_CHECKING:`` blocks left out; importing ``pkg`` counts as
  importing ``pkg/__init__.py``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGE = "observatoire"
FLOW_PARAMS = ("wh", "warehouse", "source", "inputs")
SHARED_PRIVATE = {"_io", "exceptions"}


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, module: str, is_pkg: bool):
    """(imported module, imported names, line, lazy) of every runtime import."""
    base = module.split(".") if is_pkg else module.split(".")[:-1]

    def walk(node, lazy):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    yield from walk(ast.Module(body=[sub], type_ignores=[]), lazy)
                continue
            inner = lazy or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    head = base[: len(base) - child.level + 1]
                    target = ".".join(head + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                yield target, [a.name for a in child.names], child.lineno, inner
            elif isinstance(child, ast.Import):
                for a in child.names:
                    yield a.name, [], child.lineno, inner
            yield from walk(child, inner)

    yield from walk(tree, False)


def _untyped_flow(tree: ast.Module) -> list[tuple[str, int, str]]:
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        a = node.args
        bad = []
        for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
            if arg.arg not in FLOW_PARAMS:
                continue
            ann = arg.annotation
            text = ast.unparse(ann) if ann is not None else ""
            if ann is None or text in ("Any", "typing.Any", "'Any'"):
                bad.append(f"{arg.arg}: {text or '(untyped)'}")
        if bad:
            out.append((node.name, node.lineno, ", ".join(bad)))
    return out


def _functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default="src/observatoire")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--longest", type=int, default=5)
    args = ap.parse_args(argv)
    root = Path(args.src)
    mods = _modules(root)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    private, untyped, funcs = [], [], []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(root.parent)
        is_pkg = path.name == "__init__.py"
        own_pkg = mod.split(".")[1] if mod.count(".") else ""
        for target, names, line, lazy in _imports(tree, mod, is_pkg):
            if not target.startswith(PACKAGE):
                continue
            # ``from pkg import sub`` imports the module ``pkg.sub``;
            # ``from pkg import name`` (or ``import pkg``) imports ``pkg``
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in mods]
            if len(subs) < max(len(names), 1):
                subs.append(target)
            graph[mod].update(c for c in subs if c in mods and c != mod)
            parts = target.split(".")
            # another package's private module: observatoire.<pkg>._<mod>
            if (
                len(parts) >= 3
                and parts[1] != own_pkg
                and parts[2].startswith("_")
                and parts[1] not in SHARED_PRIVATE
            ):
                private.append(f"{rel}:{line} {target}" + (" (lazy)" if lazy else ""))
        untyped += [
            f"{rel}:{ln} {name}({what})" for name, ln, what in _untyped_flow(tree)
        ]
        funcs += [(n, f"{rel}:{ln} {name}") for name, ln, n in _functions(tree)]
    cycles = _cycles(graph)
    funcs.sort(reverse=True)

    print(f"functions with untyped/Any {'/'.join(FLOW_PARAMS)}: {len(untyped)}")
    if args.details:
        print("".join(f"  {u}\n" for u in untyped), end="")
    print(f"imports of another package's private module: {len(private)}")
    if args.details:
        print("".join(f"  {p}\n" for p in private), end="")
    print("longest functions:")
    for n, where in funcs[: args.longest]:
        print(f"  {n:4d} lines  {where}")
    print(f"import cycles (lazy imports included): {len(cycles)}")
    for c in cycles:
        print("  " + " <-> ".join(c))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
