"""Report sections: what each notebook cell shows, one call per cell.

Each function takes the report's inputs (:class:`~observatoire.reports._cache.ReportInputs`,
from :func:`~observatoire.reports.open_report`) and returns one block of report
HTML (:class:`~observatoire.reports._style.Html`). Where a section lives:

- :mod:`.common`: sections two or more report kinds show (title, profile,
  support schemes and aids, monthly curves, targets, definitions and method);
- :mod:`.regional`, :mod:`.ml`, :mod:`.followup`, :mod:`.trajectories`,
  :mod:`.animation`: the sections of one report kind each;
- :mod:`.evaluation` and :mod:`.trajectories` also hold the blocks the shared
  step renders once per run from row-level models (:mod:`.._shared`);
- :mod:`.downloads`: « Télécharger les données », the report's tables as
  XLSX and CSV (:mod:`.._downloads`);
- :mod:`._base`: labels (from the indicator definitions), masked cells, rows.

Every section degrades gracefully: when the shared step could not compute a
part, it recorded a French message and the section shows it.
"""

from .animation import (
    REVIEW_TABLES,
    as_image,
    review_block,
    review_header,
    review_method_notes,
    review_table,
    section,
)
from .common import (
    key_points,
    method_notes,
    ml_code,
    monthly_curves,
    profile_table,
    schemes_and_aids,
    targets,
    title,
    year_on_year,
)
from .downloads import download_data, review_download_data
from .followup import followup_heatmap, followup_table
from .ml import (
    evaluation_ml,
    ml_key_figures,
    ml_monthly_curves,
    ml_position,
    ml_position_strip,
    ml_trajectories,
)
from .regional import (
    all_rate_dotplots,
    departments_table,
    evaluation_regional,
    key_figures,
    missions_locales_table,
    rate_dotplot,
    regional_trends,
)
from .trajectories import trajectories_study, trajectory_method_notes

__all__ = [
    "REVIEW_TABLES",
    "as_image",
    "review_block",
    "review_download_data",
    "review_header",
    "review_method_notes",
    "review_table",
    "section",
    "all_rate_dotplots",
    "departments_table",
    "download_data",
    "evaluation_ml",
    "evaluation_regional",
    "followup_heatmap",
    "followup_table",
    "key_figures",
    "key_points",
    "method_notes",
    "missions_locales_table",
    "ml_code",
    "ml_key_figures",
    "ml_monthly_curves",
    "ml_position",
    "ml_position_strip",
    "ml_trajectories",
    "monthly_curves",
    "profile_table",
    "rate_dotplot",
    "regional_trends",
    "schemes_and_aids",
    "targets",
    "title",
    "trajectories_study",
    "trajectory_method_notes",
    "year_on_year",
]
