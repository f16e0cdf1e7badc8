"""Report-ready tables (French labels, disclosure applied) and reading guides.

Disclosure (data contract, "Statistical disclosure control"), through
``observatoire.disclosure`` (:func:`~observatoire.disclosure.protect_table`;
every table returned here carries its marker):

- a count from 1 to ``threshold - 1`` (default 1 to 4) is shown as ``< 5``;
  0 is shown (it discloses nobody);
- a rate, share or ratio (with its interval) is hidden, shown as ``s``
  (secret statistique), when its denominator is below ``min_denominator``
  (default 20) or when its numerator is masked: the rate times the published
  denominator would give the masked count back.

- secondary suppression (shown ``s``): the groups of a breakdown (the MLs,
  training types or profile groups of a table) add up to the ``Ensemble``
  figures, so a lone masked cell in a breakdown gets the smallest non-zero other
  cell of its breakdown hidden too; and ``n_sortants = n_exclus + n_observes``
  in a row, so one of these hidden hides the other. Repeated until stable.
  Relations with tables published elsewhere (the contract indicators) are the
  ``disclosure`` module's business.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import disclosure as sdc

# the contract's disclosure constants, defined once (observatoire.disclosure)
from ..disclosure import DEFAULT_MIN_DENOMINATOR, DEFAULT_THRESHOLD
from ..exceptions import ParamsError
from ..formatting import MISSING, fr_int, fr_num, fr_pct
from ._adjusted import OUTCOMES as ADJUSTED_OUTCOMES
from ._adjusted import AdjustedComparison
from ._outcomes import OUTCOME_LABELS, PROFILE_DIMENSIONS, TrainingOutcomes
from ._survival import COHORTS, SurvivalAnalysis

logger = logging.getLogger(__name__)

#: shown for a hidden rate or a cell hidden to protect a masked one
HIDDEN = "s"

#: breakdown column -> French label (outcome and survival tables)
DIMENSION_LABELS: dict[str, str] = {
    "ensemble": "Ensemble",
    "code_ml": "Mission Locale",
    "sous_categorie": "Type de formation",
    **PROFILE_DIMENSIONS,
}

#: display labels of the breakdown values (the tidy tables keep the codes)
MODALITY_LABELS: dict[str, dict[str, str]] = {
    "ensemble": {"ensemble": "Ensemble"},
    "sexe": {"F": "Femmes", "H": "Hommes"},
    "tranche_age": {
        "16-17": "16-17 ans",
        "18-21": "18-21 ans",
        "22-25": "22-25 ans",
        "26+": "26 ans ou plus",
    },
    "niveau_diplome": {
        "aucun": "Sans diplôme",
        "3": "CAP-BEP (niveau 3)",
        "4": "Bac (niveau 4)",
        "5": "Bac+2 (niveau 5)",
        "6+": "Bac+3 ou plus (niveau 6+)",
    },
    "sous_categorie": {
        "qualifiante": "Qualifiante",
        "preparatoire": "Préparatoire",
        "remise_a_niveau": "Remise à niveau",
    },
}
#: display order of the breakdown values (others follow, sorted)
_MODALITY_ORDER: dict[str, list[str]] = {
    k: list(v) for k, v in MODALITY_LABELS.items() if k != "ensemble"
}


def modality_label(variable: str, value: str) -> str:
    """French display label of a breakdown value (``aucun`` -> ``Sans diplôme``).

    Examples
    --------
    >>> modality_label("niveau_diplome", "4"), modality_label("qpv", "oui")
    ('Bac (niveau 4)', 'oui')
    """
    return MODALITY_LABELS.get(variable, {}).get(str(value), str(value))


def modality_order(variable: str, values) -> list[str]:
    """``values`` in display order (age, diploma, ... in their natural order)."""
    order = _MODALITY_ORDER.get(variable, [])
    rank = {v: i for i, v in enumerate(order)}
    return sorted(set(map(str, values)), key=lambda v: (rank.get(v, len(order)), v))


READING_GUIDES: dict[str, str] = {
    "sorties_formation": (
        "Pour les jeunes sortis d'une formation financée par la Région pendant la "
        "période, ce tableau donne la part qui, au nombre de mois indiqué après "
        "la date de sortie, est en emploi (dont emploi durable : CDI ou contrat prévu pour "
        "au moins six mois), en alternance ou de nouveau en formation, ce jour-là. "
        "Les jeunes dont la date d'observation tombe après la date d'extraction "
        "ne sont pas encore observables : ils sont comptés à part et exclus du "
        "calcul. L'intervalle de confiance à 95 % indique la précision de la part : "
        "deux groupes dont les intervalles se chevauchent largement ne se "
        "distinguent pas nettement. Une situation qui n'a pas été saisie dans "
        "i-Milo n'est pas vue : ces parts sont des minima. « < 5 » signale un "
        "effectif de 1 à 4 masqué, « s » une part non diffusée (moins de 20 "
        "jeunes observés)."
    ),
    "courbes_survie": (
        "Chaque courbe part de 100 % au premier accueil (ou à la sortie de "
        "formation) et descend à chaque entrée en emploi : elle donne, mois après "
        "mois, la part des jeunes encore sans emploi. "
        "Les jeunes sans emploi à la date d'extraction sont comptés jusqu'à cette "
        "date puis sortent du calcul sans être considérés comme sans emploi pour "
        "toujours. Une courbe qui descend plus vite signale un accès plus "
        "rapide à l'emploi ; l'écart entre deux profils est une description, pas "
        "l'effet du profil lui-même. Un emploi non saisi dans i-Milo n'est pas vu : "
        "les courbes sont plutôt pessimistes. Les groupes de moins de 20 jeunes ne "
        "sont pas tracés."
    ),
    "medianes": (
        "La durée médiane est le nombre de mois au bout duquel la moitié des jeunes "
        "a trouvé un premier emploi ; « non atteinte » veut dire que moins de la "
        "moitié en a trouvé un pendant le suivi observé. Les parts « sans emploi à "
        "6 mois » et « à 12 mois » se lisent sur les courbes. « < 5 » signale un "
        "effectif de 1 à 4 masqué, « s » une valeur non diffusée (groupe de moins "
        "de 20 jeunes)."
    ),
    "logrank": (
        "Ce tableau dit si les courbes des groupes d'une même caractéristique "
        "(par exemple les tranches d'âge) diffèrent plus que le hasard ne "
        "l'expliquerait. Une valeur sous 0,05 indique une différence réelle entre "
        "les groupes, sans en donner la taille ni la cause (méthode : annexe "
        "« Méthodes »)."
    ),
    "cox": (
        "Ce tableau compare, à autres caractéristiques égales et au sein de "
        "chaque Mission Locale, la vitesse d'accès à l'emploi. Un rapport de "
        "risques de 1,20 veut dire qu'à tout moment, les jeunes de ce groupe "
        "entrent en emploi 20 % plus vite que ceux du groupe de référence (indiqué "
        "entre parenthèses) ; 0,80 veut dire 20 % moins vite. Si l'intervalle de "
        "confiance contient 1, la différence n'est pas établie. Ces rapports "
        "décrivent des écarts entre profils, pas l'effet d'une action."
    ),
    "rapports_oe": (
        "Pour chaque Mission Locale, le nombre d'entrées observé est rapproché "
        "du nombre attendu si ses jeunes accompagnés avaient les mêmes chances "
        "que les jeunes de même profil (âge, sexe, diplôme, NEET, inscription à "
        "France Travail, ZRR, QPV) dans l'ensemble de la région. Un rapport "
        "observé / attendu de 1,10 signifie 10 % d'entrées de plus qu'attendu. Une Mission Locale "
        "hors des limites de l'entonnoir est un signal à discuter avec elle, pas un "
        "classement : le modèle ignore le marché du travail local, l'offre de "
        "formation et la qualité de la saisie."
    ),
    "entonnoir": (
        "Chaque point est une Mission Locale : en abscisse le nombre d'entrées "
        "attendu compte tenu du profil de ses jeunes, en ordonnée le rapport entre "
        "entrées observées et attendues (1 = comme attendu). Les lignes tracent "
        "l'écart que le seul hasard produit 95 fois sur 100 (tirets) et 998 fois "
        "sur 1 000 (trait plein) ; elles se resserrent quand la taille augmente. "
        "Un point au-delà du trait plein est un signal à discuter, pas un "
        "classement ni un jugement : le modèle ne tient compte que du profil des "
        "jeunes. Quand beaucoup de points sortent des limites, les Missions Locales "
        "diffèrent plus que le hasard ne l'explique (marché local, offre, saisie). "
        "Si la note sous le graphique indique des limites élargies, elles tiennent "
        "compte de ces écarts habituels : un point au-delà s'écarte plus que les "
        "Missions Locales ne s'écartent d'ordinaire entre elles."
    ),
    "barres_sorties": (
        "Chaque barre donne la part des sortants de formation financée par la "
        "Région qui est dans la situation indiquée 6 ou 12 mois après la sortie ; "
        "le trait noir est l'intervalle de confiance à 95 %. Les parts calculées "
        "sur moins de 20 jeunes observés ne sont pas montrées."
    ),
}


def reading_guide(name: str) -> str:
    """Plain-language French reading guide of a figure or table.

    Parameters
    ----------
    name : str
        One of the keys of :data:`READING_GUIDES`: ``sorties_formation``,
        ``barres_sorties``, ``courbes_survie``, ``medianes``, ``logrank``,
        ``cox``, ``rapports_oe``, ``entonnoir``.

    Raises
    ------
    ParamsError
        If ``name`` is not a known guide.

    Examples
    --------
    >>> reading_guide("entonnoir").split(" : ")[0]
    'Chaque point est une Mission Locale'
    """
    if name not in READING_GUIDES:
        raise ParamsError(
            f"reading guide {name!r} is not one of {', '.join(READING_GUIDES)}"
        )
    return READING_GUIDES[name]


# ------------------------------------------------------------------ disclosure
def _masked(counts, threshold: int) -> np.ndarray:
    """True where a count is from 1 to ``threshold - 1``."""
    c = np.asarray(counts, dtype=float)
    return (c >= 1) & (c < threshold)


def _show_counts(counts, threshold: int, hide=None) -> list[str]:
    """French counts, 1..threshold-1 as ``< threshold``, ``hide`` as ``s``."""
    c = np.asarray(counts, dtype=float)
    masked = _masked(c, threshold)
    hide = np.zeros(len(c), dtype=bool) if hide is None else np.asarray(hide)
    out = []
    for v, m, h in zip(c, masked, hide, strict=True):
        out.append(HIDDEN if h else (f"< {threshold}" if m else fr_int(v)))
    return out


def _protect(
    frame: pd.DataFrame,
    columns: list[str],
    threshold: int,
    *,
    groups=None,
    sums: tuple[tuple[str, tuple[str, ...]], ...] = (),
    name: str = "evaluation",
    hide: pd.DataFrame | None = None,
):
    """Primary and secondary suppression of count columns, through ``disclosure``.

    ``groups``: one key per row; the rows of a group add up to a total that is
    published elsewhere (the modalities of a breakdown and its ``Ensemble``
    row; None for a row in no group): that total joins the table as a fixed
    cell, so no group keeps a lone masked cell. ``sums``: columns of a row that
    add up to another (``n_sortants`` = ``n_exclus_horizon`` + ``n_observes``).
    ``hide``: cells another published table hides (same rows and columns).

    Returns
    -------
    (dict, dict, ProtectedTable)
        column -> primary mask (shown ``< threshold``), column -> every
        hidden cell (primary or secondary, the latter shown ``s``), and the
        protection (for :func:`observatoire.disclosure.mark`).
    """
    n = len(frame)
    work = frame[columns].reset_index(drop=True).apply(pd.to_numeric).astype(float)
    rows = [f"l{i}" for i in range(n)]
    keys = [None] * n if groups is None else list(groups)
    work.insert(0, "_ligne", rows)
    work.insert(
        0, "_groupe", [f"seul{i}" if k is None else str(k) for i, k in enumerate(keys)]
    )
    totals = (
        work.loc[np.array([k is not None for k in keys], dtype=bool)]
        .groupby("_groupe", sort=False)[columns]
        .sum()
        .reset_index()
        .assign(_ligne="ensemble")
    )
    whole = pd.concat([work, totals], ignore_index=True)
    structure = sdc.Structure(
        keys=("_groupe", "_ligne"),
        values=tuple(columns),
        additivity=(
            sdc.Additivity("_ligne", {"ensemble": rows}, name="modalités"),
            *(sdc.Additivity(sdc.COLUMN, {t: p}, name=t) for t, p in sums),
        ),
        fixed={"_ligne": ["ensemble"]},
        name=name,
    )
    if hide is not None:
        hide = hide.reset_index(drop=True).reindex(whole.index, fill_value=False)
    protected = sdc.protect_table(whole, structure, threshold, hide=hide)
    reasons = protected.reasons.iloc[:n]
    primary = {c: (reasons[c] == "primaire").to_numpy() for c in columns}
    hidden = {c: (reasons[c] != "").to_numpy() for c in columns}
    return primary, hidden, protected


def mark(table: pd.DataFrame, protected) -> pd.DataFrame:
    """The display table, marked as protected (``disclosure.mark``)."""
    return sdc.mark(table, protected)


def _no_counts(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table of model statistics (no count of people), marked as checked."""
    return sdc.mark(table, structure=sdc.Structure((), (), name=name))


def _display(
    counts, primary: np.ndarray, hidden: np.ndarray, threshold: int
) -> list[str]:
    """French counts: primary cells ``< threshold``, other hidden ones ``s``."""
    return [
        f"< {threshold}" if p else (HIDDEN if h else fr_int(v))
        for v, p, h in zip(
            np.asarray(counts, dtype=float), primary, hidden, strict=True
        )
    ]


def _rate_hidden(
    denominator, numerator, threshold: int, min_denominator: int
) -> np.ndarray:
    """True where a rate must not be shown (small denominator, masked numerator)."""
    den = np.asarray(denominator, dtype=float)
    hidden = den < min_denominator
    if numerator is not None:
        hidden = hidden | _masked(numerator, threshold)
    return hidden


def _interval(lo, hi, fmt) -> list[str]:
    return [
        MISSING if (pd.isna(a) or pd.isna(b)) else f"{fmt(a)} – {fmt(b)}"
        for a, b in zip(lo, hi, strict=True)
    ]


def _fr_p(p: float) -> str:
    if pd.isna(p):
        return MISSING
    return "< 0,001" if p < 0.001 else fr_num(p, 3)


# ------------------------------------------------------------------ outcomes
def outcomes_table(
    res: TrainingOutcomes,
    *,
    dimension: str = "ensemble",
    horizon: int | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
) -> pd.DataFrame:
    """Outcomes after Region-funded training, for a report (French, protected).

    Parameters
    ----------
    res : TrainingOutcomes
        Result of :func:`outcomes_after_training`.
    dimension : str
        ``ensemble``, ``code_ml``, ``sous_categorie`` or a profile column
        (``tranche_age``, ``sexe``, ``niveau_diplome``, ``neet``,
        ``inscrit_france_travail``, ``zrr``, ``qpv``).
    horizon : int, optional
        Keep one horizon (6 or 12 months); default both.
    threshold, min_denominator : int
        Disclosure rules (see the module notes).

    Returns
    -------
    pd.DataFrame
        Strings only, columns ``Ventilation``, ``Modalité``, ``Horizon``,
        ``Situation``, ``Sortants``, ``Exclus (horizon après l'extraction)``,
        ``Observés``, ``Effectif``, ``Part``, ``IC 95 %``, ``Remarque``.
        A masked ``Exclus`` or ``Observés`` hides the other one too (they add
        up to ``Sortants``).

    Raises
    ------
    ParamsError
        If ``dimension`` is not one of the breakdowns.
    """
    if dimension not in DIMENSION_LABELS:
        raise ParamsError(
            f"dimension {dimension!r} is not one of {', '.join(DIMENSION_LABELS)}"
        )
    t = res.table.loc[res.table["dimension"] == dimension]
    if horizon is not None:
        t = t.loc[t["horizon_mois"] == int(horizon)]
    t = t.reset_index(drop=True)
    counts = ["n_sortants", "n_exclus_horizon", "n_observes", "n_situation"]
    # the modalities of a breakdown add up to the Ensemble table, per horizon
    # and outcome (each sortant is in exactly one modality)
    groups = (
        None
        if dimension == "ensemble"
        else [f"{h}|{r}" for h, r in zip(t["horizon_mois"], t["resultat"], strict=True)]
    )
    primary, hidden, protected = _protect(
        t,
        counts,
        threshold,
        groups=groups,
        sums=(("n_sortants", ("n_exclus_horizon", "n_observes")),),
        name="sorties de formation",
    )
    hide_rate = (
        _rate_hidden(t["n_observes"], None, threshold, min_denominator)
        | hidden["n_observes"]
        | hidden["n_situation"]
    )
    part = [
        HIDDEN if h else fr_pct(v) for h, v in zip(hide_rate, t["part"], strict=True)
    ]
    ic = _interval(t["ic_bas"], t["ic_haut"], fr_pct)
    ic = [HIDDEN if h else v for h, v in zip(hide_rate, ic, strict=True)]

    def show(col: str) -> list[str]:
        return _display(t[col], primary[col], hidden[col], threshold)

    out = pd.DataFrame(
        {
            "Ventilation": DIMENSION_LABELS[dimension],
            "Modalité": [modality_label(dimension, v) for v in t["modalite"]],
            "Horizon": [f"{h} mois" for h in t["horizon_mois"]],
            "Situation": t["resultat"].map(OUTCOME_LABELS).to_numpy(),
            "Sortants": show("n_sortants"),
            "Exclus (horizon après l'extraction)": show("n_exclus_horizon"),
            "Observés": show("n_observes"),
            "Effectif": show("n_situation"),
            "Part": part,
            "IC 95 %": ic,
            "Remarque": t["avertissement"].fillna("").astype(object).to_numpy(),
        }
    )
    return mark(out, protected)


# ------------------------------------------------------------------ survival
def medians_table(
    res: SurvivalAnalysis,
    *,
    variable: str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
) -> pd.DataFrame:
    """Median time to first job and share still without a job, for a report.

    Parameters
    ----------
    res : SurvivalAnalysis
        Result of :func:`time_to_employment`.
    variable : str, optional
        Keep one breakdown (``ensemble`` or a profile column); default all.
    threshold, min_denominator : int
        Disclosure rules: estimates of a group below ``min_denominator`` young
        people are hidden (``s``), counts 1-4 masked.

    Returns
    -------
    pd.DataFrame
        Strings: ``Ventilation``, ``Modalité``, ``Jeunes``, ``Entrées en
        emploi``, ``Médiane (mois)``, ``IC 95 % de la médiane``, ``Sans emploi
        à 6 mois``, ``Sans emploi à 12 mois``, ``Remarque``.
    """
    m = res.medians
    if variable is not None:
        m = m.loc[m["variable"] == variable]
    if len(m):  # groups in their natural order (age, diploma), variables as given
        rank = {
            (v, x): i
            for v in m["variable"].unique()
            for i, x in enumerate(
                modality_order(v, m.loc[m["variable"] == v, "modalite"])
            )
        }
        key = [
            rank[(v, str(x))] for v, x in zip(m["variable"], m["modalite"], strict=True)
        ]
        m = m.assign(_k=key).sort_values(["_k"], kind="stable")
        first = {v: i for i, v in enumerate(m["variable"].unique())}
        m = m.assign(_v=m["variable"].map(first)).sort_values(
            ["_v", "_k"], kind="stable"
        )
    m = m.reset_index(drop=True)
    # the groups of a profile add up to the Ensemble row
    groups = [None if v == "ensemble" else v for v in m["variable"]]
    primary, hidden, protected = _protect(
        m, ["n", "n_emplois"], threshold, groups=groups, name="délais médians"
    )
    # with n and the curve shown, a hidden event count could be worked back
    # from the estimates: they go with it
    small = (
        _rate_hidden(m["n"], None, threshold, min_denominator)
        | hidden["n"]
        | hidden["n_emplois"]
    )

    def median(v: float) -> str:
        return "non atteinte" if pd.isna(v) else fr_num(v, 1)

    def ci(lo: float, hi: float) -> str:
        if pd.isna(lo) and pd.isna(hi):
            return MISSING
        high = "non atteinte" if (pd.isna(hi) or np.isinf(hi)) else fr_num(hi, 1)
        return f"{MISSING if pd.isna(lo) else fr_num(lo, 1)} – {high}"

    rows = {
        "Ventilation": [DIMENSION_LABELS.get(v, v) for v in m["variable"]],
        "Modalité": [
            modality_label(v, x)
            for v, x in zip(m["variable"], m["modalite"], strict=True)
        ],
        "Jeunes": _display(m["n"], primary["n"], hidden["n"], threshold),
        "Entrées en emploi": _display(
            m["n_emplois"], primary["n_emplois"], hidden["n_emplois"], threshold
        ),
        "Médiane (mois)": [
            HIDDEN if s else median(v)
            for s, v in zip(small, m["mediane_mois"], strict=True)
        ],
        "IC 95 % de la médiane": [
            HIDDEN if s else ci(lo, hi)
            for s, lo, hi in zip(
                small, m["mediane_ic_bas"], m["mediane_ic_haut"], strict=True
            )
        ],
    }
    for month in (6, 12):
        rows[f"Sans emploi à {month} mois"] = [
            HIDDEN if s else fr_pct(v)
            for s, v in zip(small, m[f"sans_emploi_{month}_mois"], strict=True)
        ]
    rows["Remarque"] = m["avertissement"].fillna("").astype(object).to_numpy()
    return mark(pd.DataFrame(rows), protected)


def logrank_table(res: SurvivalAnalysis) -> pd.DataFrame:
    """Log-rank comparisons of the profile groups, for a report (French).

    Returns
    -------
    pd.DataFrame
        ``Caractéristique``, ``Groupes``, ``Khi-deux``, ``Degrés de liberté``,
        ``p``, ``Remarque``. No count of people: nothing to mask.
    """
    t = res.logrank
    return _no_counts(
        pd.DataFrame(
            {
                "Caractéristique": [DIMENSION_LABELS.get(v, v) for v in t["variable"]],
                "Groupes": [fr_int(v) for v in t["n_groupes"]],
                "Khi-deux": [fr_num(v, 1) for v in t["chi2"]],
                "Degrés de liberté": [fr_int(v) for v in t["ddl"]],
                "p": [_fr_p(v) for v in t["p_valeur"]],
                "Remarque": t["avertissement"].fillna("").astype(object).to_numpy(),
            }
        ),
        "log-rank",
    )


def cox_table(res: SurvivalAnalysis) -> pd.DataFrame:
    """Hazard ratios of the Cox model, for a report (French).

    Returns
    -------
    pd.DataFrame
        ``Caractéristique (référence)``, ``Rapport de risques``,
        ``IC 95 %``, ``p``. Model coefficients only: nothing to mask.
    """
    t = res.cox
    return _no_counts(
        pd.DataFrame(
            {
                "Caractéristique (référence)": t["libelle"].astype(object).to_numpy(),
                "Rapport de risques": [fr_num(v, 2) for v in t["hr"]],
                "IC 95 %": _interval(
                    t["hr_ic_bas"], t["hr_ic_haut"], lambda v: fr_num(v, 2)
                ),
                "p": [_fr_p(v) for v in t["p_valeur"]],
            }
        ),
        "Cox",
    )


# ------------------------------------------------------------------ adjusted
POSITION_LABELS = {
    "au-dessus": "au-dessus des limites à 99,8 % : signal à discuter",
    "en dessous": "en dessous des limites à 99,8 % : signal à discuter",
    "95_haut": "au-dessus de la limite à 95 % seulement",
    "95_bas": "en dessous de la limite à 95 % seulement",
    "": "dans les limites",
}


def comparison_table(
    comp: AdjustedComparison,
    *,
    indicateur: str | None = None,
    names: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    min_denominator: int = DEFAULT_MIN_DENOMINATOR,
    indicators=None,
) -> pd.DataFrame:
    """Observed / expected entries of each ML, for a report (French, protected).

    Parameters
    ----------
    comp : AdjustedComparison
        Result of :func:`compare_missions_locales`.
    indicateur : str, optional
        One outcome (``entrees_formation``, ``entrees_formation_region``,
        ``entrees_alternance``, ``entrees_emploi``); default all, one block each.
    names : bool
        Show the ML's name (else its code).
    threshold, min_denominator : int
        Disclosure: counts 1-4 masked, and what would give them back by
        subtraction from the region's total (secondary suppression); O/E and
        its interval hidden when fewer than ``min_denominator`` young people
        are accompanied or a count is masked.
    indicators : ProtectedTable, optional
        ``disclosure.protect`` of the year's indicator table: a count it hides
        (``jeunes_accompagnes``, the outcome of an ML) is hidden here too,
        since the reports publish both.

    Returns
    -------
    pd.DataFrame
        Strings, sorted by indicator then ML (never by ratio): ``Indicateur``,
        ``Mission Locale``, ``Jeunes accompagnés``, ``Entrées observées (O)``,
        ``Entrées attendues (E)``, ``O/E``, ``IC 95 % du rapport O/E``,
        ``Position dans l'entonnoir``, ``Remarque``.
    """
    t = comp.table
    if indicateur is not None:
        t = t.loc[t["indicateur"] == indicateur]
    t = t.sort_values(["indicateur", "code_ml"], kind="stable").reset_index(drop=True)
    # the MLs of an outcome add up to the region; the same counts are in the
    # indicator tables, so a cell hidden there is hidden here too
    like = None
    if indicators is not None:
        shown = indicators.reasons.assign(
            _niveau=indicators.values["niveau"].astype(str).to_numpy(),
            _code=indicators.values["code"].astype(str).to_numpy(),
        )
        shown = shown[shown["_niveau"] == "ml"].set_index("_code")
        codes = t["code_ml"].astype(str)
        like = pd.DataFrame(
            {
                "accompagnes": shown["jeunes_accompagnes"]
                .reindex(codes)
                .fillna("")
                .ne("")
                .to_numpy(),
                "observes": [
                    bool(shown[ind].get(code, "")) if ind in shown else False
                    for ind, code in zip(t["indicateur"], codes, strict=True)
                ],
            }
        )
    primary, hid, protected = _protect(
        t,
        ["accompagnes", "observes"],
        threshold,
        groups=t["indicateur"].astype(str).tolist(),
        name="comparaison ajustée",
        hide=like,
    )
    o_masked = hid["observes"]
    hidden = (
        _rate_hidden(t["accompagnes"], None, threshold, min_denominator)
        | hid["accompagnes"]
        | hid["observes"]
    )
    # E with O/E would give O back, so E goes with a masked O
    position = np.where(
        t["signal"].fillna("") != "",
        t["signal"].fillna(""),
        np.where(
            t["hors_limites_95"] & (t["ratio"] > t["limite_95_haut"]),
            "95_haut",
            np.where(t["hors_limites_95"], "95_bas", ""),
        ),
    )
    ml = t["nom_ml"].fillna(t["code_ml"]) if names else t["code_ml"]
    out = pd.DataFrame(
        {
            "Indicateur": t["indicateur"].map(ADJUSTED_OUTCOMES).to_numpy(),
            "Mission Locale": ml.astype(object).to_numpy(),
            "Jeunes accompagnés": _display(
                t["accompagnes"], primary["accompagnes"], hid["accompagnes"], threshold
            ),
            "Entrées observées (O)": _display(
                t["observes"], primary["observes"], hid["observes"], threshold
            ),
            "Entrées attendues (E)": [
                HIDDEN if m else fr_num(v, 1)
                for m, v in zip(o_masked, t["attendus"], strict=True)
            ],
            "O/E": [
                HIDDEN if h else fr_num(v, 2)
                for h, v in zip(hidden, t["ratio"], strict=True)
            ],
            "IC 95 % du rapport O/E": [
                HIDDEN if h else v
                for h, v in zip(
                    hidden,
                    _interval(
                        t["ratio_ic_bas"], t["ratio_ic_haut"], lambda v: fr_num(v, 2)
                    ),
                    strict=True,
                )
            ],
            "Position dans l'entonnoir": [
                HIDDEN if h else POSITION_LABELS[p]
                for h, p in zip(hidden, position, strict=True)
            ],
            "Remarque": t["avertissement"].fillna("").astype(object).to_numpy(),
        }
    )
    return mark(out, protected)


def cohort_title(res: SurvivalAnalysis) -> str:
    """French description of a survival cohort (for titles)."""
    return COHORTS[res.cohort][1].format(period=res.period)
