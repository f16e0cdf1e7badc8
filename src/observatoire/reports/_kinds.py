"""The registry of report kinds: one entry per notebook the batch can run.

Everything that lists report kinds reads them from :data:`KINDS`: the run
parameters (``reports:`` in ``params/*.yaml``, :data:`REPORT_KINDS`), the batch
planning (:func:`plan`), the page titles (:func:`observatoire.reports._style.report_title`),
the run's index page and the tests. A new report kind is one entry here, one
notebook ``notebooks/<name>.ipynb`` whose ``parameters`` cell declares exactly
:attr:`ReportKind.parameters`, and one module of sections under
``reports/sections/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._params import RunParams


@dataclass(frozen=True)
class ReportKind:
    """One kind of report.

    Attributes
    ----------
    name : str
        Notebook stem (``notebooks/<name>.ipynb``) and output name.
    title : str
        French name of the report (page ``<title>``).
    index_label : str or None
        How the run's index lists it; None for a report per Mission Locale,
        listed by the ML's name.
    group : str
        Heading of the index under which it is listed.
    per_ml : bool
        One report per Mission Locale of the run (``code_ml`` parameter).
    parameters : tuple of str
        The parameters the batch sends, exactly those its notebook declares.
    annual : bool
        Covers the latest complete year (``year: "auto"``) rather than the
        run's year and month.
    """

    name: str
    title: str
    index_label: str | None
    group: str
    per_ml: bool = False
    parameters: tuple[str, ...] = (
        "year",
        "month",
        "data",
        "cache_dir",
        "disclosure_threshold",
    )
    annual: bool = False

    @property
    def notebook(self) -> str:
        """File name of the notebook, in the project's ``notebooks/``."""
        return f"{self.name}.ipynb"


_REGIONAL = "Rapports régionaux"
_ML = "Rapports des Missions Locales"

#: every report kind, in the order a run executes them
KINDS: dict[str, ReportKind] = {
    k.name: k
    for k in (
        ReportKind(
            "rapport_regional", "Rapport régional", "Rapport régional", _REGIONAL
        ),
        ReportKind(
            "suivi_mensuel",
            "Suivi mensuel",
            "Suivi mensuel des 43 Missions Locales",
            _REGIONAL,
        ),
        ReportKind(
            "trajectoires",
            "Trajectoires des jeunes",
            "Trajectoires des jeunes (étude de parcours)",
            _REGIONAL,
        ),
        ReportKind(
            "bilan_animation",
            "Bilan de l'animation du réseau",
            "Bilan annuel de l'animation du réseau (ARML)",
            _REGIONAL,
            parameters=("data", "year", "cache_dir"),
            annual=True,
        ),
        ReportKind(
            "rapport_mission_locale",
            "Rapport de la Mission Locale",
            None,
            _ML,
            per_ml=True,
            parameters=(
                "code_ml",
                "year",
                "month",
                "data",
                "cache_dir",
                "disclosure_threshold",
            ),
        ),
    )
}

#: report kind names, in the order they run
REPORT_KINDS: tuple[str, ...] = tuple(KINDS)

#: the index's groups of reports, in order, each with its kinds
INDEX_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (group, tuple(k.name for k in KINDS.values() if k.group == group))
    for group in dict.fromkeys(k.group for k in KINDS.values())
)


@dataclass(frozen=True)
class PlannedReport:
    """One notebook execution of a run: output name, kind, parameters."""

    name: str
    kind: str
    parameters: dict[str, Any]
    code_ml: str | None = None

    @property
    def html_name(self) -> str:
        """Its HTML page, relative to the run folder."""
        return f"html/{self.name}.html"

    @property
    def notebook_name(self) -> str:
        """Its executed notebook, relative to the run folder."""
        return f"notebooks/{self.name}.ipynb"

    @property
    def log_name(self) -> str:
        """Its kernel's log, relative to the run folder."""
        return f"logs/{self.name}.kernel.log"

    @property
    def pdf_name(self) -> str:
        """Its printed PDF, relative to the run folder."""
        return f"pdf/{self.name}.pdf"


def only_choices() -> str:
    """The report kinds ``--only`` accepts besides ML codes, as a help text lists them.

    Returns
    -------
    str
        Every kind of :data:`KINDS`, comma-separated, a per-ML kind followed by
        « (every ML of the run) ».

    Examples
    --------
    >>> only_choices().split(", ")[-1]
    'rapport_mission_locale (every ML of the run)'
    """
    return ", ".join(
        f"{k.name} (every ML of the run)" if k.per_ml else k.name
        for k in KINDS.values()
    )


def plan(params: RunParams, cache_dir: Path | None) -> list[PlannedReport]:
    """The notebooks a run executes, with the parameters each one declares.

    Parameters
    ----------
    params : RunParams
        Resolved parameters (``year`` and ``month`` numbers, ``mls`` codes).
    cache_dir : Path or None
        The shared step's cache folder the notebooks read.

    Returns
    -------
    list of PlannedReport
        In the order of :data:`KINDS`, one per report kind asked by
        ``params.reports`` and, for a per-ML kind, one per ML of ``params.mls``
        (named ``<kind>_<code_ml>``).
    """
    values = {
        "data": params.data,
        "cache_dir": str(cache_dir) if cache_dir is not None else None,
        "year": params.year,
        "month": params.month,
        "disclosure_threshold": params.disclosure_threshold,
    }
    jobs: list[PlannedReport] = []
    for kind in KINDS.values():
        if kind.name not in params.reports:
            continue
        # an annual review covers the latest complete year, not the month's
        sent = {**values, "year": "auto"} if kind.annual else values
        common = {k: sent[k] for k in kind.parameters if k != "code_ml"}
        if kind.per_ml:
            for code in params.mls:
                jobs.append(
                    PlannedReport(
                        f"{kind.name}_{code}",
                        kind.name,
                        {**common, "code_ml": code},
                        code,
                    )
                )
        else:
            jobs.append(PlannedReport(kind.name, kind.name, common))
    return jobs
