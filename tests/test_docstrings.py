"""Public functions keep numpy-style docstrings (the style guide, issue #14).

ruff's pydocstyle rules cannot check a numpy ``Parameters`` section (D417 is
off under the numpy convention), and the sections complete theirs at import
(``sections._base.documented``): so the check reads the docstrings of the
imported functions, as ``help()`` shows them.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

#: modules whose every public function (and public method) is documented
DOCUMENTED = [
    "observatoire.reports._accessibility",
    "observatoire.reports._batch",
    "observatoire.reports._browser",
    "observatoire.reports._cache",
    "observatoire.reports._downloads",
    "observatoire.reports._engine",
    "observatoire.reports._html",
    "observatoire.reports._index",
    "observatoire.reports._kernel",
    "observatoire.reports._kinds",
    "observatoire.reports._params",
    "observatoire.reports._pdf",
    "observatoire.reports._protect",
    "observatoire.reports._publication",
    "observatoire.reports._reuse",
    "observatoire.reports._statement",
    "observatoire.reports._style",
    "observatoire.reports.sections._base",
    "observatoire.reports.sections._once",
    "observatoire.reports.sections.common",
    "observatoire.reports.sections.trajectories",
]


def _public_functions(module_name: str):
    module = importlib.import_module(module_name)
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj):
            for attr, meth in vars(obj).items():
                if not attr.startswith("_") and inspect.isfunction(meth):
                    yield f"{name}.{attr}", meth


def missing_sections(fn) -> list[str]:
    """The numpy sections ``fn``'s docstring lacks: Parameters, Returns."""
    doc = "\n" + (inspect.getdoc(fn) or "")
    sig = inspect.signature(fn)
    missing = []
    if [p for p in sig.parameters if p not in ("self", "cls")] and (
        "\nParameters\n----------" not in doc
    ):
        missing.append("Parameters")
    returns_none = sig.return_annotation in (None, "None")
    if not returns_none and not any(
        f"\n{s}\n{'-' * len(s)}" in doc for s in ("Returns", "Yields")
    ):
        missing.append("Returns")
    return missing


def test_the_check_sees_a_missing_section():
    def documented(a: int) -> int:
        """Twice ``a``.

        Parameters
        ----------
        a : int

        Returns
        -------
        int
        """
        return 2 * a

    def bare(a: int) -> int:
        """Twice ``a``."""
        return 2 * a

    def nothing_back(a: int) -> None:
        """Print ``a``.

        Parameters
        ----------
        a : int
        """

    assert missing_sections(documented) == []
    assert missing_sections(bare) == ["Parameters", "Returns"]
    assert missing_sections(nothing_back) == []


@pytest.mark.parametrize("module_name", DOCUMENTED)
def test_public_functions_have_numpy_sections(module_name):
    lacking = {
        name: missing
        for name, fn in _public_functions(module_name)
        if (missing := missing_sections(fn))
    }
    assert lacking == {}


@pytest.mark.parametrize("module_name", DOCUMENTED)
def test_parameters_come_before_returns(module_name):
    """The numpy order, also where ``documented`` adds the Parameters."""
    disordered = [
        name
        for name, fn in _public_functions(module_name)
        if "\nReturns\n" in (doc := inspect.getdoc(fn) or "")
        and "\nParameters\n" in doc
        and doc.index("\nReturns\n") < doc.index("\nParameters\n")
    ]
    assert disordered == []
