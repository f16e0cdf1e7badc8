"""« Télécharger les données »: the last-but-one cell of every notebook.

The report's own tables, protected, as an XLSX workbook and a zip of CSV
files (:mod:`observatoire.reports._downloads`), linked from the page with
``data:`` URIs so that the HTML file stays self-contained. When the report
runs on a batch cache, the same files are written to
``<run>/telechargements/<report>/``, where the batch lists them in the
manifest and the publication folder takes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import _downloads
from .. import _style as st
from . import _base as base

if TYPE_CHECKING:
    from .._cache import ReportInputs

HEADING = "Télécharger les données"


def _block(files: list[_downloads.Download], rules: str) -> st.Html:
    if not files:
        return st.join(
            st.heading(HEADING),
            st.paragraph(
                st.esc(
                    "Ce rapport n'a pas de tableau à télécharger pour cette exécution."
                )
            ),
        )
    intro = (
        "Les tableaux de ce rapport, pour les reprendre dans un tableur : un "
        "classeur Excel (un onglet par tableau, un onglet « Définitions » et un "
        "onglet « Règles de diffusion ») et les mêmes tableaux en CSV. " + rules
    )
    return st.join(
        st.heading(HEADING),
        st.paragraph(st.esc(intro)),
        st.Html(f'<div class="no-print">{_downloads.links_html(files)}</div>'),
        st.paragraph(
            st.esc(
                "Version imprimée : les fichiers se téléchargent depuis la version "
                "en ligne de ce rapport, ou dans le dossier « telechargements » de "
                "la publication."
            ),
            "guide",
        ),
    )


@base.documented
def download_data(
    inputs: ReportInputs, kind: str, code_ml: str | None = None
) -> st.Html:
    """Links to the report's tables as XLSX and CSV (written for the batch too)."""
    files = _downloads.downloads(inputs, kind, code_ml)
    run_dir = _downloads.run_folder(inputs)
    if run_dir is not None and files:
        _downloads.write_downloads(
            run_dir, _downloads.report_name(kind, code_ml), files
        )
    rules = (
        f"Les chiffres sont ceux du rapport, protégés de la même façon : « < "
        f"{inputs.threshold} », « s » et « n.d. » y gardent leur sens (rappelé "
        "dans l'onglet « Règles de diffusion ») ; aucune donnée individuelle n'y "
        "figure."
    )
    return _block(files, rules)


def review_download_data(
    review: Any, *, synthetic: bool = False, cache_dir: str | None = None
) -> st.Html:
    """Links to the tables of the ARML's annual review as XLSX and CSV.

    Parameters
    ----------
    review : AnnualReview
        From :func:`observatoire.animation.annual_review`.
    synthetic : bool
        Whether the extract is synthetic (said in every file).
    cache_dir : str, optional
        The batch cache the notebook read: the files are then also written to
        the run's ``telechargements/bilan_animation/``.

    Returns
    -------
    Html
        One block of report HTML (one notebook cell's output).
    """
    files = _downloads.review_downloads(review, synthetic=synthetic)
    if cache_dir and files and Path(cache_dir).parent.name == "cache":
        run_dir = Path(cache_dir).parent.parent
        _downloads.write_downloads(run_dir, "bilan_animation", files)
    rules = (
        "Ces chiffres décrivent les Missions Locales et leurs professionnels, pas "
        "des jeunes : aucune règle de secret statistique ne s'y applique."
    )
    return _block(files, rules)
