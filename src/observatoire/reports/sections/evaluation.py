"""The evaluation sections of the regional and Mission Locale reports.

Rendered once per run in the shared step (:func:`evaluation_blocks`): the model
results hold row-level data and never reach the cache, only the HTML built here
does. The notebooks show them through :func:`.regional.evaluation_regional` and
:func:`.ml.evaluation_ml`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _style as st
from . import _base as base

if TYPE_CHECKING:
    from ...data import Warehouse
    from ...disclosure import ProtectedTable


#: the adjusted comparison's columns in words (the letters O and E are the
#: « Méthodes » annex's)
_PLAIN_COLUMNS = {
    "Entrées observées (O)": "Entrées observées",
    "Entrées attendues (E)": "Entrées attendues",
    "O/E": "Rapport observé / attendu",
    "IC 95 % du rapport O/E": "IC 95 % du rapport",
}


def evaluation_blocks(
    wh: Warehouse,
    year: int,
    threshold: int,
    indicators: ProtectedTable | None = None,
) -> tuple[st.Html, dict[str, st.Html]]:
    """The evaluation sections: regional block and one block per ML.

    Rendered in the shared step from the model results, which hold row-level
    data and therefore never reach the cache: only protected tables and
    figures do. Exits and the first-reception cohort are those of the year
    before, so that 6 and 12 months after them are observed.

    Parameters
    ----------
    wh : Warehouse
        The loaded extract.
    year : int
        The report's year (comparison of MLs); exits and cohort: ``year - 1``.
    threshold : int
        Disclosure threshold of the run.
    indicators : ProtectedTable, optional
        The protected contract indicators of ``year``: the comparison's counts
        are theirs, so it hides what they hide (no recovery across tables).

    Returns
    -------
    (Html, dict)
        The regional block, and code_ml -> that ML's block.
    """
    # imported here: a notebook kernel that only reads the cache never loads
    # the models (statsmodels, scipy)
    from ... import evaluation as ev

    guide = ev.reading_guide
    opts = {"threshold": threshold, "min_denominator": base.MIN_DENOMINATOR}
    cohort_year = year - 1
    # MLs differ more than chance alone explains (local labour markets, offer):
    # limits widened for overdispersion keep the signals to the real outliers
    comp = ev.compare_missions_locales(wh, year, overdispersion=True)
    outs = ev.outcomes_after_training(wh, cohort_year)
    surv = ev.time_to_employment(wh, cohort_year)

    notes = [m for m in (comp.message, *comp.messages.values()) if m]
    region = [
        st.heading("Évaluation"),
        st.paragraph(
            st.esc(
                "Trois regards complémentaires sur l'insertion : ce que deviennent "
                "les sortants de formation financée par la Région, le délai d'accès "
                "au premier emploi, et une comparaison des Missions Locales qui tient "
                "compte du profil des jeunes qu'elles accompagnent."
            )
        ),
        st.heading(
            f"Après une formation financée par la Région (sorties {cohort_year})", 3
        ),
        st.figure(
            ev.outcomes_figure(outs, **opts),
            alt="Situation des sortants de formation Région à 6 et 12 mois",
            guide=guide("barres_sorties"),
        ),
        base.frame_html(
            ev.outcomes_table(outs, dimension="sous_categorie", horizon=6, **opts),
            f"Situation 6 mois après la sortie, par type de formation (sorties {cohort_year})",
            guide("sorties_formation"),
        ),
        st.heading(
            f"Délai d'accès au premier emploi (premiers accueils {cohort_year})", 3
        ),
        st.figure(
            ev.survival_figure(surv, "niveau_diplome", min_group=base.MIN_DENOMINATOR),
            alt="Part des jeunes encore sans emploi selon le temps écoulé, par diplôme",
            guide=guide("courbes_survie"),
        ),
        base.frame_html(
            ev.medians_table(surv, variable="niveau_diplome", **opts),
            "Délai médian avant le premier emploi, par diplôme",
            guide("medianes"),
        ),
        base.frame_html(
            ev.logrank_table(surv),
            "Le délai d'accès à l'emploi diffère-t-il selon le profil ?",
            guide("logrank"),
        ),
        base.frame_html(
            ev.cox_table(surv),
            "Vitesse d'accès à l'emploi selon le profil, à autres caractéristiques "
            "égales",
            guide("cox"),
        ),
        st.heading(f"Comparaison ajustée des Missions Locales ({year})", 3),
    ]
    for outcome in ("entrees_emploi", "entrees_formation"):
        region.append(
            st.figure(
                ev.funnel_figure(comp, outcome, threshold=threshold),
                alt=(
                    "Écart à l'attendu des Missions Locales compte tenu du profil "
                    f"de leurs jeunes : {base.LABELS[outcome]}"
                ),
                guide=guide("entonnoir"),
            )
        )
    if notes:
        region.append(st.paragraph(st.esc(" ".join(notes)), "avertissement"))

    per_ml: dict[str, st.Html] = {}
    table = ev.comparison_table(comp, names=False, indicators=indicators, **opts)
    exits = ev.outcomes_table(outs, dimension="code_ml", horizon=6, **opts)
    for code in wh.missions_locales["code_ml"].astype(str):
        mine = (
            table[table["Mission Locale"].astype(str) == code]
            .drop(columns=["Mission Locale"])
            .rename(columns=_PLAIN_COLUMNS)
        )
        mine_exits = exits[exits["Modalité"].astype(str) == code].drop(
            columns=["Ventilation", "Modalité"]
        )
        blocks = [
            st.heading("Évaluation"),
            st.heading(f"Entrées observées et attendues ({year})", 3),
            base.frame_html(
                mine.reset_index(drop=True),
                "Entrées observées et attendues compte tenu du profil des jeunes",
                guide("rapports_oe"),
            ),
            st.heading(
                f"Sortants de formation financée par la Région ({cohort_year})", 3
            ),
        ]
        if len(mine_exits):
            blocks.append(
                base.frame_html(
                    mine_exits.reset_index(drop=True),
                    "Situation 6 mois après la sortie de formation",
                    guide("sorties_formation"),
                )
            )
        else:
            blocks.append(
                st.paragraph("Aucune sortie de formation financée par la Région.")
            )
        per_ml[code] = st.join(*blocks)
    return st.join(*region), per_ml
