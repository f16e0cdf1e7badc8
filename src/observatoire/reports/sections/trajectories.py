"""The trajectory study (``notebooks/trajectoires.ipynb``) and each ML's share of it.

Like the evaluation, rendered in the shared step (:func:`trajectory_blocks`):
the sequences are row-level data and never reach the cache; only figures
(aggregates) and protected tables do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ... import disclosure
from ...formatting import fr_num
from .. import _style as st
from . import _base as base

if TYPE_CHECKING:
    from ...data import Warehouse
    from ...trajectories import Typology
    from .._cache import ReportInputs


@base.documented
def trajectories_study(inputs: ReportInputs) -> st.Html:
    """The observatory's study of paths (cohort, typology, plots)."""
    return base.shown(inputs, "trajectoires", "Trajectoires")


#: length of the observed paths, in months from the month of first reception
TRAJECTORY_MONTHS = 24


def trajectory_blocks(wh: Warehouse, year: int, threshold: int) -> dict[str, Any]:
    """The trajectory study and each ML's share of the regional typology.

    The cohort is the young people first received two years before the report's
    year, so that their 24 months are observed by its end. Like the evaluation,
    it is rendered in the shared step: the sequences are row-level data and
    never reach the cache; only figures (aggregates) and protected tables do.

    Parameters
    ----------
    wh : Warehouse
        The loaded extract.
    year : int
        The report's year; the cohort is ``year - 2``.
    threshold : int
        Disclosure threshold of the run.

    Returns
    -------
    dict
        ``etude``: the study's Html; ``ml``: code_ml -> that ML's Html.
    """
    # imported here: a notebook kernel that only reads the cache never loads
    # the sequence analysis (numba)
    from ... import trajectories as tr

    cohort = year - 2
    typo = tr.cohort_typology(wh, cohort, months=TRAJECTORY_MONTHS)
    n = len(typo.labels)
    names = [typo.group_names[g] for g in sorted(typo.group_names)]
    intro = (
        f"Les parcours de la cohorte des {st.fr_int(n)} jeunes accueillis pour la "
        f"première fois en {cohort} sont suivis mois par mois pendant "
        f"{TRAJECTORY_MONTHS} mois à partir de leur premier accueil. Chaque mois "
        "reçoit un état (emploi durable, emploi, alternance, formation, immersion ou "
        "service civique, scolarité, accompagnement sans situation, sans contact). "
        f"Les parcours se regroupent en {typo.k} grands types : "
        + ", ".join(f"« {nm} »" for nm in names)
        + "."
    )
    profiles = typo.group_profiles.copy()
    shown = _profile_display(profiles, threshold)
    silhouette = typo.silhouette_by_k.rename(
        columns={"nb_groupes": "Nombre de types", "silhouette": "Silhouette moyenne"}
    )
    silhouette["Silhouette moyenne"] = [
        _fr_decimal(v, 3) for v in silhouette["Silhouette moyenne"]
    ]
    silhouette["retenu"] = np.where(silhouette["retenu"], "retenu", "")
    silhouette = silhouette.rename(columns={"retenu": "Choix"})
    study = st.join(
        st.heading(f"Cohorte {cohort} : {TRAJECTORY_MONTHS} mois de parcours"),
        st.paragraph(st.esc(intro)),
        st.figure(
            tr.plot_state_distribution(
                typo, title="Situation des jeunes mois après mois"
            ),
            alt="Répartition des situations de la cohorte mois par mois",
            guide=(
                "Chaque barre est un mois après le premier accueil ; ses couleurs "
                "donnent la part des jeunes dans chaque situation ce mois-là. On lit "
                "comment la part en emploi ou en formation monte au fil des mois, et "
                "comment celle des jeunes sans contact grandit."
            ),
        ),
        st.heading("Les types de parcours", 2),
        st.figure(
            tr.plot_state_distribution(typo, by_group=True),
            alt="Répartition des situations mois par mois, pour chaque type de parcours",
            guide=(
                "Un panneau par type de parcours, avec sa part dans la cohorte : le "
                "nom de chaque type vient des situations qui y dominent."
            ),
        ),
        st.figure(
            tr.plot_index(typo),
            alt="Parcours individuels rangés par type, sans identifiant",
            guide=(
                "Chaque ligne fine est le parcours d'un jeune de l'échantillon "
                "classé, sans identifiant, rangé avec les autres parcours de son "
                "type : la couleur dit la situation de chaque mois."
            ),
        ),
        st.figure(
            tr.plot_mean_time(typo),
            alt="Nombre moyen de mois passés dans chaque situation, par type",
            guide=(
                "Pour chaque type, combien de mois en moyenne les jeunes passent "
                "dans chaque situation sur les 24 mois."
            ),
        ),
        st.heading("Qui suit quel parcours ?", 2),
        st.table(
            shown,
            caption="Profil des jeunes de chaque type de parcours",
            numeric=list(shown.columns[1:]),
            guide=(
                "Lecture en ligne : par exemple la part de jeunes sans diplôme parmi "
                "ceux qui suivent ce type de parcours, à comparer à la dernière ligne "
                "(toute la cohorte)."
            ),
        ),
        st.heading("Passages d'une situation à l'autre", 2),
        st.figure(
            tr.plot_transition_rates(typo.sequences),
            alt="Taux de passage d'une situation à une autre d'un mois au suivant",
            guide=(
                "Probabilité, d'un mois au suivant, de passer de la situation en ligne "
                "à la situation en colonne ; la diagonale (rester) domine."
            ),
        ),
        st.heading("Méthode de la typologie", 2),
        st.paragraph(
            st.esc(
                "Les parcours sont comparés deux à deux par appariement optimal (OM), "
                "avec des coûts de substitution tirés des taux de transition observés "
                "(TRATE) et un coût d'insertion-suppression de 1, comme dans le "
                "logiciel TraMineR ; un échantillon tiré au sort est classé par "
                "partition autour des médoïdes (PAM), puis chaque jeune rejoint le type "
                "dont le parcours représentatif (médoïde) est le plus proche. Le "
                "nombre de types retenu maximise la silhouette moyenne, qui mesure si "
                "chaque parcours est plus proche de son type que des autres (de −1 à 1)."
            )
        ),
        st.figure(
            tr.plot_silhouette(typo),
            alt="Silhouette des parcours de l'échantillon, par type",
            guide=(
                "Chaque barre horizontale est un parcours de l'échantillon : une "
                "silhouette proche de 1 signifie un parcours bien rangé, négative un "
                "parcours plus proche d'un autre type."
            ),
        ),
        st.table(
            silhouette,
            caption="Silhouette moyenne selon le nombre de types",
            numeric=["Silhouette moyenne"],
        ),
    )
    per_ml = _ml_trajectory_blocks(typo, cohort, threshold)
    return {"etude": study, "ml": per_ml}


def _fr_decimal(value: float, digits: int) -> str:
    return fr_num(value, digits)


def _profile_display(profiles: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Group profiles as French strings; groups under the threshold masked."""
    out = pd.DataFrame({"Type de parcours": profiles.index.astype(str)})
    # the types add up to the cohort (« Ensemble de la cohorte »), whose size
    # the page prints
    whole = profiles.index.astype(str).str.startswith("Ensemble")
    counts = profiles["Effectif"].to_numpy(dtype=float)
    why = np.full(len(profiles), "", dtype=object)
    why[~whole] = disclosure.protect_parts(
        counts[~whole], counts[whole].sum() if whole.any() else None, threshold
    ).reasons["n"]
    small = why != ""
    label = np.where(why == "primaire", f"< {threshold}", "s")
    for col in profiles.columns:
        values = profiles[col].to_numpy()
        if col == "Effectif":
            text = [st.fr_int(v) for v in values]
        elif col.startswith("Âge"):
            text = [_fr_decimal(v, 1) for v in values]
        else:
            text = [st.fr_pct(v) for v in values]
        out[col] = np.where(small, label, text)
    return out


def _ml_trajectory_blocks(
    typo: Typology, cohort: int, threshold: int
) -> dict[str, st.Html]:
    """Each ML's cohort across the regional types, against the region."""
    shares = typo.ml_shares
    region = typo.group_profiles
    overall = region["Part de la cohorte"]
    out: dict[str, st.Html] = {}
    for code, rows in shares.groupby("code_ml", sort=True):
        n_ml = int(rows["effectif_ml"].iloc[0])
        body = []
        rows = rows.sort_values("groupe")
        # the types add up to n_ml, which the paragraph prints
        why = disclosure.protect_parts(rows["effectif"], n_ml, threshold).reasons["n"]
        for r, reason in zip(rows.itertuples(index=False), why, strict=True):
            masked = bool(reason) or n_ml < base.MIN_DENOMINATOR
            body.append(
                {
                    "Type de parcours": r.nom_groupe,
                    "Jeunes": (f"< {threshold}" if reason == "primaire" else "s")
                    if reason
                    else st.fr_int(r.effectif),
                    "Part dans la Mission Locale": "n.d."
                    if masked
                    else st.fr_pct(r.part),
                    "Part dans la région": st.fr_pct(overall.get(r.nom_groupe, np.nan)),
                }
            )
        shown = pd.DataFrame(body)
        out[str(code)] = st.join(
            st.heading("Trajectoires des jeunes"),
            st.paragraph(
                st.esc(
                    f"Les {st.fr_int(n_ml)} jeunes accueillis pour la première fois en "
                    f"{cohort} par la Mission Locale, répartis entre les types de "
                    f"parcours de la région (suivi de {TRAJECTORY_MONTHS} mois)."
                    if n_ml >= threshold
                    else f"Moins de {threshold} jeunes accueillis en {cohort} : "
                    "répartition non diffusée."
                )
            ),
            st.table(
                shown if n_ml >= threshold else shown.iloc[0:0],
                caption=f"Types de parcours de la cohorte {cohort}",
                numeric=[
                    "Jeunes",
                    "Part dans la Mission Locale",
                    "Part dans la région",
                ],
                guide=(
                    "Une part nettement plus forte qu'en région pour un type de "
                    "parcours dit ce qui distingue les jeunes suivis ici ; elle dépend "
                    "aussi de leur profil et du territoire."
                ),
            ),
        )
    return out
