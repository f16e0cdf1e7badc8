"""The trajectory study (``notebooks/trajectoires.ipynb``) and each ML's share of it.

Like the evaluation, rendered in the shared step (:func:`trajectory_blocks`):
the sequences are row-level data and never reach the cache; only figures
(aggregates) and protected tables do.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ... import disclosure
from ...data import DEPARTEMENT_NAMES
from ...formatting import fr_ml_name, fr_month, fr_num
from .. import _style as st
from . import _base as base
from .common import (
    GLOSSARY,
    METHODS,
    annex,
    natural_key,
    source_sentence,
    spell_out,
)

if TYPE_CHECKING:
    from ...data import Warehouse
    from ...trajectories import Typology
    from .._cache import ReportInputs


@base.documented
def trajectories_study(inputs: ReportInputs) -> st.Html:
    """The observatory's study of paths (cohort, typology, plots)."""
    return base.shown(inputs, "trajectoires", "Trajectoires")


#: how the study is computed, in plain words after each method's name (the
#: body of the study names none of them)
TRAJECTORY_METHODS: tuple[tuple[str, str], ...] = (
    ("Comparer deux parcours : appariement optimal (OM), coûts TRATE", "Deux parcours sont d'autant plus proches qu'il faut peu de modifications pour passer de l'un à l'autre, mois par mois (appariement optimal, « optimal matching », OM). Remplacer une situation par une autre coûte d'autant moins que le passage de l'une à l'autre est fréquent dans la cohorte (coûts tirés des taux de transition observés, TRATE) ; insérer ou supprimer un mois coûte 1."),
    ("Former les types : partition autour des médoïdes (PAM)", "Un échantillon de la cohorte tiré au sort est partagé en types autour de parcours centraux, les médoïdes (le parcours le plus proche de tous les autres de son type) ; chaque jeune de la cohorte rejoint ensuite le type dont le médoïde est le plus proche de son parcours."),
    ("Nombre de types : silhouette moyenne (ASW) et autres indicateurs", "La silhouette d'un parcours (de −1 à 1) compare sa distance moyenne aux parcours de son type à celle des parcours du type voisin ; le nombre de types retenu a la meilleure silhouette moyenne (ASW) parmi les typologies dont chaque type rassemble au moins 5 % de l'échantillon. Au-dessus de 0,70 la qualité de la classification est dite forte, de 0,51 à 0,70 bonne, de 0,26 à 0,50 modeste (les types résument des tendances), en dessous faible (seuils de Kaufman et Rousseeuw). L'indice de Hubert (HC, meilleur plus bas), le point bisérial (PBC) et la part de la dispersion expliquée (R²) complètent le diagnostic."),
    ("Stabilité : rééchantillonnage (bootstrap), indice de Rand ajusté", "La typologie est refaite sur des échantillons tirés au hasard avec remise ; l'indice de Rand ajusté mesure l'accord de chaque nouvelle typologie avec celle retenue (1 : identique, 0 : pas plus que le hasard). Au-dessus de 0,8 en moyenne, les types sont dits stables."),
    ("Parcours représentatifs : critère de densité (seqrep)", "Les parcours autour desquels se concentrent le plus de parcours du type sont retenus l'un après l'autre, jusqu'à couvrir un quart des jeunes du type ; un parcours représentatif n'est montré que s'il représente au moins 20 jeunes."),
    ("Rangement des parcours individuels : positionnement multidimensionnel (MDS)", "Dans chaque type, les parcours sont rangés selon la première coordonnée d'un positionnement multidimensionnel de leurs distances, ce qui place côte à côte les parcours qui se ressemblent (comme sortv = « mds » dans TraMineR)."),
    ("Ce qui distingue les parcours : arbre de régression (seqtree), pseudo-R² (dissassoc)", "L'arbre sépare pas à pas l'échantillon selon la caractéristique qui réduit le plus la dispersion des parcours de chaque groupe ; la part expliquée d'une caractéristique est le pseudo-R² de l'analyse de dispersion des distances, et la p-valeur vient d'un test par permutations : sous 0,05, le lien a peu de chances d'être dû au hasard."),
    ("Complexité (seqici) et turbulence (seqST)", "L'indice de complexité combine le nombre de changements de situation et l'entropie des situations traversées ; la turbulence d'Elzinga combine le nombre de successions distinctes et la variance des durées, normalisée de 0 à 1."),
    ("Logiciel de référence", "Les calculs suivent les définitions du logiciel TraMineR (R) et sont vérifiés sur ses résultats de référence."),
    *(m for m in METHODS if m[0] == "Secret statistique"),
)  # fmt: skip


@base.documented
def trajectory_method_notes(inputs: ReportInputs) -> st.Html:
    """The study's « Définitions et méthode » annex: source, cohort, the states,
    the glossary, the methods named, the quality of the typology in figures."""
    meta = inputs.meta
    return annex(
        source_sentence(inputs.synthetic, meta.get("extraction_date")),
        st.paragraph(
            st.esc(
                "Cohorte : les jeunes accueillis pour la première fois une année "
                f"donnée, suivis pendant {TRAJECTORY_MONTHS} mois à partir du mois de "
                "leur premier accueil. Chaque mois reçoit la situation qui occupe le "
                "plus de jours du mois (une situation plus favorable l'emporte quand "
                "deux se chevauchent) : emploi durable (contrat à durée indéterminée "
                "ou prévu pour au moins six mois), alternance, emploi, formation, "
                "scolarité, immersion ou service civique ; sans situation, le mois est "
                "« accompagnement » s'il y a eu un contact avec une Mission Locale "
                "ce mois-là ou dans les deux mois précédents, « sans contact » "
                "sinon. Les mois postérieurs au dernier mois complet de l'extrait "
                "ne sont pas observés."
            )
        ),
        methods=TRAJECTORY_METHODS,
        glossary=tuple(g for g in GLOSSARY if g[0] in ("NEET", "QPV", "ZRR")),
        details=base.part(inputs, "trajectoires_methodes"),
    )


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
    truncated = window_sentences(
        {cohort: tr.cohort_window(wh.coverage, cohort, TRAJECTORY_MONTHS)},
        wh.coverage,
    )
    seen: set[str] = set()  # acronyms spelled out so far, in reading order
    study = st.join(
        st.heading(f"Cohorte {cohort} : {TRAJECTORY_MONTHS} mois de parcours"),
        st.paragraph(st.esc(intro)),
        *[st.paragraph(st.esc(sentence)) for sentence in truncated],
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
                "nom de chaque type vient des situations qui y dominent. On compare "
                "la place de l'emploi, de l'accompagnement et de la perte de contact "
                "d'un type à l'autre."
            ),
        ),
        st.figure(
            _index_sorted_by_mds(typo),
            alt=(
                "Parcours individuels de l'échantillon, sans identifiant, un panneau "
                "par type, les parcours qui se ressemblent rangés côte à côte"
            ),
            guide=(
                "Chaque ligne fine est le parcours d'un jeune de l'échantillon "
                "classé, sans identifiant, avec les autres parcours de son type ; "
                "dans chaque type, les parcours qui se ressemblent sont côte à côte "
                "et la couleur dit la situation de chaque mois. On y voit la "
                "diversité des parcours que chaque type résume."
            ),
        ),
        st.figure(
            tr.plot_mean_time(
                typo, title="Temps passé dans chaque situation, par type de parcours"
            ),
            alt="Nombre moyen de mois passés dans chaque situation, par type",
            guide=(
                "Pour chaque type, combien de mois en moyenne les jeunes passent "
                f"dans chaque situation sur les {TRAJECTORY_MONTHS} mois ; la "
                "dernière barre est celle de toute la cohorte."
            ),
        ),
        st.heading("Qui suit quel parcours ?", 2),
        st.paragraph(
            st.esc(
                spell_out(
                    "Le tableau décrit les jeunes de chaque type : âge au premier "
                    "accueil, sexe, diplôme, part des jeunes NEET, résidant en ZRR "
                    "ou en QPV.",
                    seen,
                )
            )
        ),
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
    )
    # the methods' own figures and tables: in the annex, not in the body
    methods = st.join(
        st.heading("La typologie en chiffres", 3),
        st.paragraph(st.esc(_METHOD_TEXT)),
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
    analysis = tr.typology_study(
        typo,
        resamples=STUDY_RESAMPLES,
        permutations=STUDY_PERMUTATIONS,
        threshold=threshold,
    )
    body, details = _study_blocks(typo, analysis, threshold, wh, cohort, seen)
    per_ml = _ml_trajectory_blocks(typo, cohort, threshold, analysis)
    return {
        "etude": st.join(study, body),
        "ml": per_ml,
        "methodes": st.join(methods, details),
    }


#: how the typology is built, with the names of its methods (annex)
_METHOD_TEXT = (
    "Les parcours sont comparés deux à deux par appariement optimal (OM), avec des "
    "coûts de substitution tirés des taux de transition observés (TRATE) et un coût "
    "d'insertion-suppression de 1, comme dans le logiciel TraMineR ; un échantillon "
    "tiré au sort est classé par partition autour des médoïdes (PAM), puis chaque "
    "jeune rejoint le type dont le parcours représentatif (médoïde) est le plus "
    "proche. Le nombre de types retenu maximise la silhouette moyenne, qui mesure si "
    "chaque parcours est plus proche de son type que des autres (de −1 à 1), parmi "
    "les typologies dont chaque type rassemble au moins 5 % de l'échantillon."
)


#: bootstrap resamples and permutations of the study: bounded, the study runs
#: in the report batch (about 0.3 s a resample, 0.02 s a permutation of a factor)
STUDY_RESAMPLES = 10
STUDY_PERMUTATIONS = 99
#: mean ARI of the resamples from which a typology is told « stable »
STABLE_ARI = 0.8

#: the quality statistics shown, their French names and which way is better
QUALITY_SHOWN: dict[str, tuple[str, str]] = {
    "ASW": ("Silhouette moyenne (ASW)", "plus haut"),
    "HC": ("Indice de Hubert (HC)", "plus bas"),
    "PBC": ("Point bisérial (PBC)", "plus haut"),
    "R2": ("Part de la dispersion expliquée (R²)", "plus haut"),
}


def _index_sorted_by_mds(typo: Typology) -> Any:
    """The index plot of the sample by type, sorted by MDS on its distance matrix."""
    # lazy: as in trajectory_blocks, a report kernel never loads numba
    from ... import trajectories as tr

    sample = SimpleNamespace(
        sequences=tr.Sequences(
            typo.sequences.codes[typo.sample],
            typo.sequences.alphabet,
            typo.sequences.labels,
            pd.RangeIndex(len(typo.sample)),
            typo.sequences.positions,
        ),
        labels=typo.sample_labels,
        group_names=typo.group_names,
    )
    return tr.plot_index(sample, sort=_first_mds_coordinate(typo.sample_distances))


def _first_mds_coordinate(d: np.ndarray) -> np.ndarray:
    """First coordinate of the classical MDS of ``d`` (its sign is arbitrary).

    Only the leading eigenvector of the double-centred matrix is needed to sort
    the rows: Lanczos (``eigsh``, k=1) takes a fraction of a second on the
    sample where a full eigendecomposition takes about a minute on the batch
    machine.
    """
    # lazy: scipy (as trajectories), never in a report kernel
    from scipy.sparse.linalg import eigsh

    sq = np.asarray(d, dtype=np.float64) ** 2
    b = -0.5 * (sq - sq.mean(axis=0)[None, :] - sq.mean(axis=1)[:, None] + sq.mean())
    if len(b) < 50:  # small: the full decomposition is cheap and always defined
        values, vectors = np.linalg.eigh(b)
        values, vectors = values[-1:], vectors[:, -1:]
    else:  # a fixed, non-constant start (constants are in the null space of b)
        start = np.linspace(1.0, 2.0, len(b))
        values, vectors = eigsh(b, k=1, which="LA", v0=start)
    return vectors[:, 0] * np.sqrt(max(float(values[0]), 0.0))


def _study_blocks(
    typo: Typology,
    study: Any,
    threshold: int,
    wh: Warehouse,
    cohort: int,
    seen: set[str] | None = None,
) -> tuple[st.Html, st.Html]:
    """How many types and how stable, representative paths, what separates the
    paths, their complexity (issue #19): the body in plain words, and the
    methods' figures and tables for the annex."""
    # lazy: as in trajectory_blocks, a report kernel never loads numba
    from ... import trajectories as tr

    quality = typo.quality
    n_sample = study.n_sample
    summary = study.stability.summary.loc[typo.k]
    shown_quality = quality_display(quality, threshold)
    cr = tr.ClusterRange(quality[list(tr.QUALITY_STATS)], pd.DataFrame(), typo.method)
    nodes = study.tree_nodes
    factors = factors_display(study.factors)
    q_body, q_details = _quality_blocks(
        typo, quality, shown_quality, cr, n_sample, summary, threshold
    )
    r_body, r_details = _representative_blocks(typo, study, threshold)
    t_body, t_details = _tree_blocks(study, nodes, factors, threshold, seen)
    return (
        st.join(
            q_body,
            r_body,
            t_body,
            _complexity_blocks(typo, study, threshold, wh, cohort),
        ),
        st.join(q_details, r_details, t_details),
    )


def _quality_blocks(
    typo: Typology,
    quality: pd.DataFrame,
    shown_quality: pd.DataFrame,
    cr: Any,
    n_sample: int,
    summary: pd.Series,
    threshold: int,
) -> tuple[st.Html, st.Html]:
    """« Combien de types de parcours ? »: in plain words in the body; the quality
    table, why that k and the stability in figures for the annex."""
    body = st.join(
        st.heading("Combien de types de parcours ?", 2),
        st.paragraph(st.esc(k_plain_sentence(quality, n_sample, threshold))),
        st.paragraph(
            st.esc(stability_plain_sentence(summary, typo.k, STUDY_RESAMPLES))
        ),
    )
    details = st.join(
        st.heading("Qualité de la classification selon le nombre de types", 3),
        st.paragraph(st.esc(k_choice_sentence(quality, n_sample, threshold))),
        st.paragraph(
            st.esc(stability_sentence(summary, typo.k, STUDY_RESAMPLES, STABLE_ARI))
        ),
        st.table(
            shown_quality,
            caption=(
                "Qualité de la typologie selon le nombre de types "
                f"(échantillon de {st.fr_int(n_sample)} parcours)"
            ),
            numeric=list(shown_quality.columns[1:-1]),
            guide=(
                "Chaque ligne est une typologie en k types de l'échantillon. La "
                "silhouette, le point bisérial et le R² sont meilleurs plus hauts, "
                "l'indice de Hubert plus bas ; le plus petit type dit si chaque "
                "type rassemble assez de jeunes pour être décrit."
            ),
        ),
        st.figure(
            cr.plot(),
            alt=(
                "Courbes de la silhouette, de l'indice de Hubert, du point bisérial "
                "et du R² selon le nombre de types, de 2 à "
                f"{int(quality.index.max())} ; valeurs dans le tableau ci-dessus"
            ),
            guide=(
                "Une courbe par indicateur de qualité ; le nombre de types retenu "
                "est celui où la silhouette culmine parmi les typologies dont chaque "
                "type rassemble assez de jeunes."
            ),
        ),
    )
    return body, details


#: the mean silhouette from which a structure is strong, reasonable, weak
#: (Kaufman and Rousseeuw), and its reading in plain French
_STRUCTURE: tuple[tuple[float, str], ...] = (
    (0.70, "forte : les types sont nettement séparés"),
    (0.50, "bonne : la plupart des parcours sont bien rangés dans leur type"),
    (
        0.25,
        "modeste : les types résument de vraies tendances, mais bien des parcours "
        "sont à la frontière de deux types",
    ),
    (
        float("-inf"),
        "faible : les types sont des repères commodes plus que des groupes distincts",
    ),
)


def classification_quality(asw: float) -> str:
    """The quality of a classification in plain French, from its mean silhouette.

    Parameters
    ----------
    asw : float
        Mean silhouette width (ASW) of the classification, at most 1.

    Returns
    -------
    str
        « forte », « bonne », « modeste »… followed by « : » and what it means
        for a reader (the first band of ``_STRUCTURE`` that ``asw`` exceeds).

    Examples
    --------
    >>> classification_quality(0.389).split(" :")[0]
    'modeste'
    >>> classification_quality(0.72).split(" :")[0]
    'forte'
    """
    return next(text for bound, text in _STRUCTURE if asw > bound)


def _retained(quality: pd.DataFrame, threshold: int) -> tuple[int, pd.Series, str]:
    """The number of types retained, its quality row and its smallest type in words.

    The smallest type's size is not given under the disclosure threshold.
    """
    k = int(quality.index[quality["retenu"].to_numpy()][0])
    row = quality.loc[k]
    smallest = int(row["plus_petit_type"])
    size = f"{st.fr_int(smallest)} jeunes" if smallest >= threshold else "peu de jeunes"
    return k, row, size


def k_plain_sentence(quality: pd.DataFrame, n_sample: int, threshold: int) -> str:
    """Why the retained number of types, without the name of any measure.

    Parameters
    ----------
    quality : pandas.DataFrame
        :attr:`Typology.quality` (index ``k``; ``ASW``, ``plus_petit_type``,
        ``retenu``).
    n_sample : int
        Young people of the clustered sample.
    threshold : int
        Disclosure threshold (a smallest type under it is not given).

    Returns
    -------
    str
    """
    k, row, size = _retained(quality, threshold)
    return (
        f"La classification retient {k} types : c'est le découpage où les parcours "
        "de chaque type se ressemblent le plus tout en différant de ceux des autres "
        "types, parmi ceux dont chaque type rassemble au moins 5 % des "
        f"{st.fr_int(n_sample)} jeunes de l'échantillon (le plus petit en rassemble "
        f"{size}). Qualité de la classification : "
        f"{classification_quality(float(row['ASW']))}."
    )


def stability_plain_sentence(summary: pd.Series, k: int, resamples: int) -> str:
    """Whether the types come back on other samples, in plain French.

    Parameters
    ----------
    summary : pandas.Series
        Summary of the adjusted Rand indices between the classification and its
        re-runs on resamples; only ``summary["mean"]`` is read.
    k : int
        Number of types of the classification.
    resamples : int
        Number of resamples the classification was re-run on.

    Returns
    -------
    str
        One French sentence; the types read as stable when the mean index is at
        least ``STABLE_ARI``.
    """
    mean = float(summary["mean"])
    verdict = (
        "les types sont stables"
        if mean >= STABLE_ARI
        else "les types ne sont pas stables : à lire comme des tendances"
    )
    if mean >= 0.95:
        how = "presque à l'identique"
    elif mean >= STABLE_ARI:
        how = "en grande partie"
    else:
        how = "seulement en partie"
    return (
        f"Refaite sur {resamples} autres échantillons tirés au hasard, la "
        f"classification en {k} types se retrouve {how} : {verdict}."
    )


def _tree_blocks(
    study: Any,
    nodes: pd.DataFrame,
    factors: pd.DataFrame,
    threshold: int,
    seen: set[str] | None = None,
) -> tuple[st.Html, st.Html]:
    """« Ce qui distingue les parcours »: the tree told and drawn, the factors in
    plain words; the factors' pseudo-R² and p-values for the annex."""
    plain = factors_plain(study.factors)
    body = st.join(
        st.heading("Ce qui distingue les parcours", 2),
        st.paragraph(
            st.esc(
                spell_out(
                    "Un arbre sépare pas à pas les jeunes de l'échantillon selon la "
                    "caractéristique qui rend leurs parcours les plus semblables : "
                    "âge au premier accueil, diplôme, NEET, ZRR, QPV, sexe, "
                    "département, Mission Locale, entrée en formation financée par "
                    "la Région. Chaque groupe de l'arbre rassemble au moins "
                    f"{st.fr_int(getattr(study, 'tree_min_size', threshold))} jeunes. "
                    "Les Missions Locales sont regroupées en deux ensembles dont les "
                    "parcours diffèrent le plus, par une recherche ordonnée (essayer "
                    f"tous les regroupements de {_ml_count(study)} Missions Locales "
                    "n'est pas faisable). Les caractéristiques de l'arbre expliquent "
                    f"{st.fr_pct(study.tree_r2)} des différences entre parcours"
                    + (
                        " : l'essentiel tient au parcours de chacun plus qu'à son "
                        "profil."
                        if study.tree_r2 < 0.2
                        else "."
                    ),
                    seen,
                )
            )
        ),
        *[
            st.paragraph(st.esc(sentence))
            for sentence in tree_sentences(nodes, threshold, base.MIN_DENOMINATOR)
        ],
        st.Html(tree_outline(nodes, threshold, base.MIN_DENOMINATOR)),
        st.table(
            plain,
            caption="Part des différences entre parcours liée à chaque caractéristique",
            numeric=["Groupes comparés", "Part des différences expliquée"],
            guide=(
                "Chaque caractéristique prise seule : la part des différences entre "
                "parcours qui sépare ses groupes, et si ce lien dépasse ce que le "
                "hasard explique. Une caractéristique à nombreuses valeurs (la "
                "Mission Locale) explique mécaniquement un peu plus."
            ),
        ),
    )
    details = st.join(
        st.heading("Part expliquée de chaque caractéristique", 3),
        st.table(
            factors,
            caption="Pseudo-R² et p-valeur de chaque caractéristique",
            numeric=["Part expliquée (pseudo-R²)", "Valeurs", "p-valeur"],
            guide=(
                "Pseudo-R² de l'analyse de dispersion des distances (dissassoc de "
                f"TraMineR) et p-valeur d'un test par {STUDY_PERMUTATIONS} "
                "permutations (sous 0,05 : un lien peu probable par hasard)."
            ),
        ),
    )
    return body, details


def factors_plain(factors: pd.DataFrame) -> pd.DataFrame:
    """Each characteristic's share of the differences, and whether the link is
    beyond chance, in plain French (largest first).

    Parameters
    ----------
    factors : pandas.DataFrame
        One row per characteristic (index), with columns ``n_groups`` and
        ``PseudoR2`` (a share in [0, 1]) and, when tested, ``p_PseudoF``.

    Returns
    -------
    pandas.DataFrame
        Display strings: « Caractéristique », « Groupes comparés », « Part des
        différences expliquée » and, with ``p_PseudoF``, « Au-delà du hasard ? »
        (« oui » below 0.05).
    """
    ordered = factors.sort_values("PseudoR2", ascending=False, kind="stable")
    out = pd.DataFrame(
        {
            "Caractéristique": ordered.index.astype(str),
            "Groupes comparés": [st.fr_int(v) for v in ordered["n_groups"]],
            "Part des différences expliquée": [
                st.fr_pct(v) for v in ordered["PseudoR2"]
            ],
        }
    )
    if "p_PseudoF" in ordered:
        out["Au-delà du hasard ?"] = [
            "oui" if v < 0.05 else "non, peut-être le hasard"
            for v in ordered["p_PseudoF"]
        ]
    return out


def _ml_count(study: Any) -> str:
    """Number of Missions Locales of the sample, in French (« les » when unknown)."""
    factors = getattr(study, "factors", None)
    if factors is not None and "Mission Locale" in factors.index:
        return st.fr_int(int(factors.loc["Mission Locale", "n_groups"]))
    return "toutes les"


def _representative_blocks(
    typo: Typology, study: Any, threshold: int
) -> tuple[st.Html, st.Html]:
    """« Parcours représentatifs »: each type's representative paths in words and
    in a table (body); the relative-frequency plot, how faithful they are (annex)."""
    # lazy: as in trajectory_blocks, a report kernel never loads numba
    from ... import trajectories as tr

    reps = study.representatives
    blocks = [st.heading("Parcours représentatifs de chaque type", 2)]
    if reps is None or not len(reps):
        blocks.append(
            st.paragraph(st.esc("Les parcours représentatifs ne sont pas disponibles."))
        )
        return st.join(*blocks), st.Html("")
    blocks.append(
        st.paragraph(
            st.esc(
                "Chaque type est résumé par quelques parcours représentatifs du "
                "type : les parcours autour desquels se regroupent le plus de jeunes "
                "du type, choisis jusqu'à couvrir un quart d'entre eux. Chaque "
                "parcours représentatif est donné avec le nombre de jeunes de "
                "l'échantillon dont il est le plus proche ; il n'est montré que "
                f"s'il représente au moins {base.MIN_DENOMINATOR} jeunes."
            )
        )
    )
    blocks.append(
        st.table(
            representatives_display(reps, base.MIN_DENOMINATOR),
            caption="Parcours représentatifs de chaque type (échantillon)",
            numeric=["Jeunes représentés", "Part du type"],
            guide=(
                "Un parcours représentatif n'est pas celui d'une personne : c'est un "
                "parcours autour duquel se regroupent de nombreux jeunes du type. "
                "Il se lit mois après mois, de gauche à droite."
            ),
        )
    )
    if not hasattr(tr, "plot_relative_frequency"):
        return st.join(*blocks), st.Html("")
    sample_seq = tr.Sequences(
        typo.sequences.codes[typo.sample],
        typo.sequences.alphabet,
        typo.sequences.labels,
        pd.RangeIndex(len(typo.sample)),
        typo.sequences.positions,
    )
    names = np.array([typo.group_names[g] for g in typo.sample_labels], dtype=object)
    fig = tr.plot_relative_frequency(sample_seq, typo.sample_distances, groups=names)
    details = st.join(
        st.heading("Fidélité des parcours représentatifs", 3),
        st.figure(
            fig,
            alt=(
                "Pour chaque type, les parcours médians de tranches de jeunes "
                "rangés du plus au moins typique, et la dispersion des parcours "
                "autour d'eux"
            ),
            guide=(
                "À gauche, chaque ligne résume une tranche de jeunes du type "
                "aux parcours voisins (son médoïde) ; à droite, l'écart des "
                "parcours de la tranche à ce résumé : des boîtes basses disent "
                "que le résumé est fidèle."
            ),
        ),
    )
    return st.join(*blocks), details


def representatives_display(reps: pd.DataFrame, minimum: int) -> pd.DataFrame:
    """Representative paths in French; those standing for fewer than ``minimum``
    young people are left out (a path of few people could be recognised).

    Parameters
    ----------
    reps : pandas.DataFrame
        :attr:`TypologyStudy.representatives`.
    minimum : int
        Smallest number of young people a shown path stands for.

    Returns
    -------
    pandas.DataFrame
    """
    kept = reps[reps["jeunes"] >= minimum]
    return pd.DataFrame(
        {
            "Type de parcours": kept["nom_groupe"].astype(str).to_numpy(),
            "Parcours représentatif": kept["parcours"].astype(str).to_numpy(),
            "Jeunes représentés": [st.fr_int(v) for v in kept["jeunes"]],
            "Part du type": [
                st.fr_pct(a / b)
                for a, b in zip(kept["jeunes"], kept["jeunes_type"], strict=True)
            ],
        }
    )


def _complexity_blocks(
    typo: Typology, study: Any, threshold: int, wh: Warehouse, cohort: int
) -> st.Html:
    """Complexity and turbulence of the paths by profile and between cohorts."""
    # lazy: as in trajectory_blocks, a report kernel never loads numba
    from ... import trajectories as tr

    by_profile = study.indicators_by_profile
    blocks = [st.heading("Complexité et turbulence des parcours", 2)]
    if by_profile is None:
        blocks.append(st.paragraph(st.esc("Indicateurs non disponibles.")))
        return st.join(*blocks)
    blocks.append(
        st.paragraph(
            st.esc(
                "La complexité d'un parcours (de 0 à 1) croît avec le nombre de "
                "changements de situation et la variété des situations traversées ; "
                "la turbulence (de 0 à 1) croît avec le nombre de successions "
                "différentes et l'irrégularité des durées. Un parcours stable vers "
                "l'emploi a une complexité faible ; un parcours haché "
                "d'allers-retours, forte."
            )
        )
    )
    default = (cohort - 1, cohort)
    for sentence in window_sentences(
        {y: tr.cohort_window(wh.coverage, y, typo.months) for y in default},
        wh.coverage,
        compared=True,
    ):
        blocks.append(st.paragraph(st.esc(sentence)))
    choice = tr.comparable_cohorts(wh.coverage, cohort, typo.months)
    by_cohort = None
    horizon = typo.months
    if choice is not None:
        compared, horizon = choice
        by_cohort = tr.indicators_by_cohort(wh, list(compared), horizon)
        if by_cohort is not None and (tuple(compared), horizon) != (
            default,
            typo.months,
        ):
            blocks.append(
                st.paragraph(
                    st.esc(
                        f"La comparaison porte donc sur les cohortes {compared[0]} "
                        f"et {compared[1]}, que l'extrait couvre entièrement, sur "
                        f"leurs {horizon} premiers mois."
                    )
                )
            )
    if by_cohort is not None:
        blocks.append(st.paragraph(st.esc(cohort_change_sentence(by_cohort))))
        blocks.append(
            st.table(
                indicators_display(
                    by_cohort.rename(columns={"cohorte": "valeur"}).assign(
                        caracteristique="Cohorte",
                        valeur=lambda f: f["valeur"].astype(str),
                    ),
                    threshold,
                ),
                caption="Complexité et turbulence des parcours selon la cohorte "
                f"({horizon} premiers mois)",
                numeric=["Jeunes", "Complexité moyenne", "Turbulence moyenne"],
            )
        )
    by_profile = by_profile[by_profile["caracteristique"] != "Mission Locale"]
    blocks.append(
        st.table(
            indicators_display(by_profile, threshold),
            caption=f"Complexité et turbulence des parcours de la cohorte {cohort} "
            "selon le profil",
            numeric=["Jeunes", "Complexité moyenne", "Turbulence moyenne"],
            guide=(
                "Moyennes sur les jeunes de chaque groupe ; n.d. : moins de "
                f"{base.MIN_DENOMINATOR} jeunes."
            ),
        )
    )
    return st.join(*blocks)


def indicators_display(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Mean complexity and turbulence in French: counts 1 to threshold - 1
    masked, no mean on fewer than the minimum denominator.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per characteristic value, with columns ``caracteristique``,
        ``valeur``, ``jeunes`` (count), ``complexite`` and ``turbulence`` (means).
    threshold : int
        Disclosure threshold: counts 1 to ``threshold - 1`` read « moins de
        threshold ».

    Returns
    -------
    pandas.DataFrame
        Display strings, one row per row of ``frame``; the means read « n.d. »
        under ``base.MIN_DENOMINATOR`` young people.
    """
    small = frame["jeunes"] < base.MIN_DENOMINATOR
    return pd.DataFrame(
        {
            "Caractéristique": frame["caracteristique"].astype(str).to_numpy(),
            "Valeur": [
                _departement(v) if c == "Département" else str(v)
                for c, v in zip(frame["caracteristique"], frame["valeur"], strict=True)
            ],
            "Jeunes": [_count(v, threshold) for v in frame["jeunes"]],
            "Complexité moyenne": np.where(
                small, "n.d.", [fr_num(v, 3) for v in frame["complexite"]]
            ),
            "Turbulence moyenne": np.where(
                small, "n.d.", [fr_num(v, 3) for v in frame["turbulence"]]
            ),
        }
    )


def _departement(code: object) -> str:
    """« Gironde (33) » for a department code, the code when unknown."""
    name = DEPARTEMENT_NAMES.get(str(code))
    return f"{name} ({code})" if name else str(code)


def window_sentences(
    windows: dict[int, dict], coverage: Any, compared: bool = False
) -> list[str]:
    """What the extract misses of each cohort's observation window, in French.

    Parameters
    ----------
    windows : dict
        Cohort year -> :func:`~observatoire.trajectories.cohort_window`.
    coverage : Coverage
        The extract's span (``Warehouse.coverage``), for the months named.
    compared : bool
        The cohorts are those of a comparison: a cohort not wholly covered is
        said to be left out of it.

    Returns
    -------
    list of str
        One sentence per cohort not wholly covered (empty when all are).
    """
    out = []
    for year, w in windows.items():
        if w["complete"]:
            continue
        missing = []
        if w["manque_debut"] and coverage.first is not None:
            first = pd.Timestamp(coverage.first)
            missing.append(
                f"l'extrait ne commence qu'en {fr_month(first.year, first.month)}"
            )
        if w["manque_fin"] and coverage.latest_complete_month is not None:
            y, m = coverage.latest_complete_month
            missing.append(f"il s'arrête en {fr_month(y, m)}")
        why = " et ".join(missing) or "l'extrait ne la couvre pas"
        seen = (
            f"seuls {w['mois_observes']} des {w['mois_fenetre']} mois de sa fenêtre "
            f"d'observation ({fr_month(w['debut'].year, w['debut'].month)} à "
            f"{fr_month(w['fin'].year, w['fin'].month)}) sont observés"
        )
        if compared:
            out.append(f"La cohorte {year} n'est pas comparée : {why}, {seen}.")
        else:
            early = (
                ", et les premiers mois des jeunes accueillis avant le début de "
                "l'extrait manquent (ils se lisent « sans contact »)"
                if w["manque_debut"]
                else ""
            )
            out.append(f"Attention : pour la cohorte {year}, {why} ; {seen}{early}.")
    return out


def cohort_change_sentence(by_cohort: pd.DataFrame) -> str:
    """The change of complexity between the first and last cohorts, in French.

    Parameters
    ----------
    by_cohort : pandas.DataFrame
        One row per cohort in order, with columns ``cohorte`` (year of entry),
        ``complexite`` and ``turbulence`` (means); at least one row.

    Returns
    -------
    str
        One French sentence comparing the last cohort with the first (a change
        under 0.01 reads « à peu près la même »).
    """
    first, last = by_cohort.iloc[0], by_cohort.iloc[-1]
    diff = float(last["complexite"] - first["complexite"])
    way = (
        "à peu près la même"
        if abs(diff) < 0.01
        else ("plus forte" if diff > 0 else "plus faible")
    )
    return (
        f"La complexité moyenne des parcours des jeunes accueillis en "
        f"{int(last['cohorte'])} ({fr_num(last['complexite'], 3)}) est {way} que "
        f"celle des jeunes accueillis en {int(first['cohorte'])} "
        f"({fr_num(first['complexite'], 3)}) ; leur turbulence moyenne passe de "
        f"{fr_num(first['turbulence'], 3)} à {fr_num(last['turbulence'], 3)}."
    )


def k_choice_sentence(quality: pd.DataFrame, n_sample: int, threshold: int) -> str:
    """Why the retained number of types, in plain French.

    Parameters
    ----------
    quality : pandas.DataFrame
        :attr:`Typology.quality` (index ``k``; ``ASW``, ``plus_petit_type``,
        ``eligible``, ``retenu``).
    n_sample : int
        Young people of the clustered sample.
    threshold : int
        Disclosure threshold (a smallest type under it is not given).

    Returns
    -------
    str
    """
    k, row, size = _retained(quality, threshold)
    best_asw = int(quality["ASW"].idxmax())
    text = (
        f"La typologie retient {k} types : c'est le nombre de types dont la "
        f"silhouette moyenne ({fr_num(row['ASW'], 2)}) est la meilleure"
    )
    if best_asw != k:
        text += (
            " parmi les typologies dont le plus petit type rassemble au moins 5 % "
            f"de l'échantillon ({best_asw} types donneraient une silhouette de "
            f"{fr_num(quality.loc[best_asw, 'ASW'], 2)}, mais avec un type de "
            f"{_few(int(quality.loc[best_asw, 'plus_petit_type']), threshold)})"
        )
    elif not bool(row["eligible"]):
        text += " (aucune typologie n'a tous ses types d'au moins 5 % de l'échantillon)"
    return (
        text + f" ; son plus petit type rassemble {size} sur les "
        f"{st.fr_int(n_sample)} de l'échantillon."
    )


def _few(count: int, threshold: int) -> str:
    return (
        f"{st.fr_int(count)} jeunes"
        if count >= threshold
        else "moins de " + (f"{threshold} jeunes")
    )


def stability_sentence(
    summary: pd.Series, k: int, resamples: int, stable: float = STABLE_ARI
) -> str:
    """The bootstrap check of ``k`` types in plain French (« types stables » or not).

    Parameters
    ----------
    summary : pandas.Series
        The row of :attr:`StabilityResult.summary` for ``k`` (``mean``,
        ``stable_share``).
    k, resamples : int
    stable : float
        Mean adjusted Rand index from which the types are called stable.

    Returns
    -------
    str
    """
    mean = float(summary["mean"])
    share = float(summary["stable_share"])
    verdict = (
        "les types sont stables"
        if mean >= stable
        else "les types ne sont pas stables : à lire comme des tendances"
    )
    return (
        f"Refaite sur {resamples} tirages au hasard de l'échantillon (bootstrap), la "
        f"typologie en {k} types se retrouve avec un indice de Rand ajusté moyen de "
        f"{fr_num(mean, 2)} (1 : la même typologie) et au moins {fr_num(stable, 1)} "
        f"dans {st.fr_pct(share, 0)} des tirages : {verdict}."
    )


# ------------------------------------------------------------------- tree text
#: each characteristic as the subject of « ce qui sépare le plus les parcours est … »
FACTOR_NOUNS: dict[str, str] = {
    "Âge au premier accueil": "l'âge au premier accueil",
    "Diplôme": "le diplôme",
    "NEET": "le fait d'être NEET",
    "ZRR": "la résidence en ZRR",
    "QPV": "la résidence en QPV",
    "Sexe": "le sexe",
    "Département": "le département",
    "Mission Locale": "la Mission Locale",
    "Formation financée par la Région": "l'entrée en formation financée par la Région",
}


def _values_phrase(
    var: str, values: tuple, na: bool = False, other: tuple = (), first: bool = True
) -> str:
    """The young people of one side of a split, as words after « les jeunes ».

    ``other`` holds the values of the other side: the Missions Locales are
    counted, « suivis dans 21 des 42 Missions Locales » on the first (left)
    side, « suivis dans les 21 autres Missions Locales » on the second.
    """
    vals = [str(v) for v in values]
    yes = vals == ["oui"]
    if var == "Mission Locale":
        if len(vals) == 1:
            # the ML's one name (formatting.fr_ml_name): « ML Gironde 2 »
            text = f"suivis par la {fr_ml_name(vals[0])}"
        elif first:
            total = len(vals) + len(other)
            text = f"suivis dans {len(vals)} des {total} Missions Locales"
        else:
            text = f"suivis dans les {len(vals)} autres Missions Locales"
    elif var == "Formation financée par la Région":
        text = (
            "entrés en formation financée par la Région"
            if yes
            else "sans formation financée par la Région"
        )
    elif var == "NEET":
        text = "NEET au premier accueil" if yes else "non NEET au premier accueil"
    elif var in ("ZRR", "QPV"):
        text = f"résidant en {var}" if yes else f"ne résidant pas en {var}"
    elif var == "Sexe":
        text = " ou ".join("femmes" if v == "femme" else "hommes" for v in vals)
    elif var == "Diplôme":
        text = _or([v if v == "sans diplôme" else f"de niveau {v}" for v in vals])
    elif var == "Âge au premier accueil":
        text = _or([f"de {v}" for v in vals]) + " au premier accueil"
    elif var == "Département":
        text = ("du département " if len(vals) == 1 else "des départements ") + _or(
            vals
        )
    else:
        text = f"dont « {var} » vaut " + _or(vals)
    return text + (" (ou non renseigné)" if na else "")


def _or(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " ou " + words[-1]


def _employment_months(row: pd.Series) -> float:
    return float(
        row.get("mois_emploi_durable", 0.0)
        + row.get("mois_emploi", 0.0)
        + row.get("mois_alternance", 0.0)
    )


def _node_phrases(nodes: pd.DataFrame) -> dict[int, list[str]]:
    """For each node, the phrases of the conditions on the way from the root."""
    out: dict[int, list[str]] = {int(nodes.index[0]): []}
    for node_id, row in nodes.iterrows():
        if row["is_leaf"]:
            continue
        for side, child in (
            ("split_left", row["left_child"]),
            ("split_right", row["right_child"]),
        ):
            na = bool(nodes.loc[int(child)].get("avec_na", False))
            first = side == "split_left"
            other = row["split_right" if first else "split_left"]
            out[int(child)] = [
                *out[int(node_id)],
                _values_phrase(row["split_var"], row[side], na, other, first),
            ]
    return out


def _count(n: float, threshold: int) -> str:
    n = int(round(n))
    return f"moins de {threshold}" if 0 < n < threshold else st.fr_int(n)


def tree_sentences(
    nodes: pd.DataFrame, threshold: int, min_denominator: int
) -> list[str]:
    """One French sentence per split of the tree of characteristics.

    « Parmi les jeunes sans diplôme, ce qui sépare le plus les parcours est
    l'entrée en formation financée par la Région (…) : les jeunes entrés en
    formation financée par la Région (120) passent en moyenne 8,2 mois en
    emploi et 3,1 mois sans contact, contre 5,1 et 6,0 pour les autres (300). »

    Parameters
    ----------
    nodes : pandas.DataFrame
        :attr:`TypologyStudy.tree_nodes`.
    threshold, min_denominator : int
        Counts 1 to ``threshold - 1`` are not given; no mean on fewer than
        ``min_denominator`` young people.

    Returns
    -------
    list of str
        Empty when the tree has no split.
    """
    phrases = _node_phrases(nodes)
    sentences = []
    for node_id, row in nodes.iterrows():
        if row["is_leaf"]:
            continue
        where = phrases[int(node_id)]
        who = (
            "Parmi l'ensemble des jeunes"
            if not where
            else "Parmi les jeunes " + " et ".join(where)
        )
        left = nodes.loc[int(row["left_child"])]
        right = nodes.loc[int(row["right_child"])]
        lp = _values_phrase(
            row["split_var"], row["split_left"], False, row["split_right"]
        )
        rp = _values_phrase(
            row["split_var"], row["split_right"], False, row["split_left"], False
        )
        noun = FACTOR_NOUNS.get(row["split_var"], f"« {row['split_var']} »")
        text = (
            f"{who}, ce qui sépare le plus les parcours est {noun} "
            f"({st.fr_pct(row['split_R2'])} de leur dispersion)"
        )
        if min(left["n"], right["n"]) < min_denominator:
            sentences.append(
                text + f" : les jeunes {lp} ({_count(left['n'], threshold)}) et les "
                f"jeunes {rp} ({_count(right['n'], threshold)})."
            )
            continue
        sentences.append(
            text + f" : les jeunes {lp} ({_count(left['n'], threshold)}) passent en "
            f"moyenne {fr_num(_employment_months(left), 1)} mois en emploi ou "
            f"alternance et {fr_num(left['mois_sans_contact'], 1)} mois sans contact, "
            f"contre {fr_num(_employment_months(right), 1)} et "
            f"{fr_num(right['mois_sans_contact'], 1)} pour les jeunes {rp} "
            f"({_count(right['n'], threshold)})."
        )
    return sentences


def tree_outline(nodes: pd.DataFrame, threshold: int, min_denominator: int) -> str:
    """The tree as an indented French list (HTML ``ul``), counts under control.

    Each node reads « jeunes <condition> : n jeunes, x mois en emploi ou
    alternance, y mois sans contact » (means only on ``min_denominator`` young
    people or more).

    Parameters
    ----------
    nodes : pandas.DataFrame
        :attr:`TypologyStudy.tree_nodes`, the root first.
    threshold : int
        Counts 1 to ``threshold - 1`` are not given.
    min_denominator : int
        No mean on fewer young people than this.

    Returns
    -------
    str
        HTML: a ``div`` of class ``arbre`` holding a heading and the nested
        ``ul``, text escaped.
    """
    phrases = _node_phrases(nodes)
    # the Missions Locales of each side of a split on them, named in the outline
    named: dict[int, tuple] = {}
    for _, row in nodes[~nodes["is_leaf"].astype(bool)].iterrows():
        if row["split_var"] == "Mission Locale":
            named[int(row["left_child"])] = tuple(row["split_left"])
            named[int(row["right_child"])] = tuple(row["split_right"])

    def item(node_id: int) -> str:
        row = nodes.loc[node_id]
        label = (
            "Ensemble des jeunes de l'échantillon"
            if not phrases[node_id]
            else "Jeunes " + phrases[node_id][-1]
        )
        if len(named.get(node_id, ())) > 1:
            shown = sorted((fr_ml_name(v) for v in named[node_id]), key=natural_key)
            label += " (" + ", ".join(shown) + ")"
        detail = f"{_count(row['n'], threshold)} jeunes"
        if row["n"] >= min_denominator:
            detail += (
                f", {fr_num(_employment_months(row), 1)} mois en emploi ou alternance, "
                f"{fr_num(row['mois_sans_contact'], 1)} mois sans contact en moyenne"
            )
        inner = ""
        if not row["is_leaf"]:
            inner = (
                "<ul>"
                + item(int(row["left_child"]))
                + item(int(row["right_child"]))
                + "</ul>"
            )
        return f"<li>{st.esc(label)} : {st.esc(detail)}{inner}</li>"

    return (
        '<div class="arbre"><p><strong>L\'arbre des parcours</strong> (chaque '
        "niveau sépare le groupe du dessus en deux)</p><ul>"
        + item(int(nodes.index[0]))
        + "</ul></div>"
    )


def quality_display(quality: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The cluster-quality table in French (display strings, masked small types).

    Parameters
    ----------
    quality : pandas.DataFrame
        One row per number of types (index), with the columns of
        ``QUALITY_SHOWN``, ``plus_petit_type`` (count) and ``retenu`` (bool).
    threshold : int
        Counts 1 to ``threshold - 1`` read « moins de threshold ».

    Returns
    -------
    pandas.DataFrame
        Display strings, one row per number of types; « Choix » reads
        « retenu » on the chosen one.
    """
    out = pd.DataFrame({"Nombre de types": [str(int(k)) for k in quality.index]})
    for stat, (label, _) in QUALITY_SHOWN.items():
        out[label] = [fr_num(v, 2) for v in quality[stat]]
    out["Plus petit type (jeunes)"] = [
        _count(v, threshold) for v in quality["plus_petit_type"]
    ]
    out["Choix"] = np.where(quality["retenu"].to_numpy(), "retenu", "")
    return out


def factors_display(factors: pd.DataFrame) -> pd.DataFrame:
    """Pseudo-R² of each characteristic, largest first, in French.

    Parameters
    ----------
    factors : pandas.DataFrame
        One row per characteristic (index), with columns ``n_groups`` and
        ``PseudoR2`` (a share in [0, 1]) and, when tested, ``p_PseudoF``.

    Returns
    -------
    pandas.DataFrame
        Display strings: « Caractéristique », « Valeurs », « Part expliquée
        (pseudo-R²) » and, with ``p_PseudoF``, « p-valeur ».
    """
    ordered = factors.sort_values("PseudoR2", ascending=False, kind="stable")
    out = pd.DataFrame(
        {
            "Caractéristique": ordered.index.astype(str),
            "Valeurs": [st.fr_int(v) for v in ordered["n_groups"]],
            "Part expliquée (pseudo-R²)": [st.fr_pct(v) for v in ordered["PseudoR2"]],
        }
    )
    if "p_PseudoF" in ordered:
        out["p-valeur"] = [fr_num(v, 2) for v in ordered["p_PseudoF"]]
    return out


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


def _ml_summary(typo: Typology, study: Any, name: str, n_ml: int) -> str:
    """The short version of the study for one ML: types, stability, complexity."""
    mean = float(study.stability.summary.loc[typo.k, "mean"])
    text = (
        f"La typologie régionale compte {typo.k} types de parcours, retenus pour la "
        "qualité de la classification ; ils sont "
        + ("stables" if mean >= STABLE_ARI else "peu stables")
        + " d'un tirage de l'échantillon à l'autre."
    )
    ind = study.indicators_by_profile
    if ind is None or n_ml < base.MIN_DENOMINATOR:
        return text
    mine = ind[(ind["caracteristique"] == "Mission Locale") & (ind["valeur"] == name)]
    if len(mine) != 1 or int(mine["jeunes"].iloc[0]) < base.MIN_DENOMINATOR:
        return text
    region = ind.iloc[0]
    row = mine.iloc[0]
    return text + (
        f" Complexité moyenne des parcours des jeunes de la Mission Locale : "
        f"{fr_num(row['complexite'], 3)} (région : {fr_num(region['complexite'], 3)}) ;"
        f" turbulence moyenne : {fr_num(row['turbulence'], 3)} (région : "
        f"{fr_num(region['turbulence'], 3)})."
    )


def _ml_trajectory_blocks(
    typo: Typology, cohort: int, threshold: int, study: Any = None
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
            None
            if study is None
            else st.paragraph(
                st.esc(_ml_summary(typo, study, str(rows["nom_ml"].iloc[0]), n_ml))
            ),
        )
    return out
