"""What the trajectory study tells a committee (``reports.sections.trajectories``).

Hand-made tables of the shape the study computes: the body says in plain words
what the classification is worth, the method names go to the annex, and the
tree of characteristics names each side of a split on the Missions Locales
once (« 3 des 5 », then « les 2 autres »).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatoire.reports import _style as st
from observatoire.reports import sections as s
from observatoire.reports._cache import ReportInputs
from observatoire.reports.sections import trajectories as tr

NBSP = "\u00a0"
NNBSP = "\u202f"


def _quality(asw: list[float], smallest: list[int]) -> pd.DataFrame:
    k = list(range(2, 2 + len(asw)))
    best = k[int(np.argmax(asw))]
    return pd.DataFrame(
        {"ASW": asw, "plus_petit_type": smallest, "eligible": True,
         "retenu": [kk == best for kk in k]},
        index=pd.Index(k, name="k"),
    )  # fmt: skip


def _ml_split() -> pd.DataFrame:
    # the root (100) split on the ML: 3 of 5 MLs (40 young people) against 2 (60)
    cols = ["parent_id", "depth", "is_leaf", "n", "split_var", "split_left",
            "split_right", "split_R2", "left_child", "right_child"]  # fmt: skip
    rows = {
        1: (None, 1, False, 100, "Mission Locale",
            ("Mission locale synthétique Gironde 2", "Mission locale synthétique Gironde 10",
             "ML Pau"),
            ("Mission locale synthétique Landes 1", "Mission locale synthétique Landes 2"),
            0.1, 2, 3),
        2: (1, 2, True, 40, None, None, None, np.nan, None, None),
        3: (1, 2, True, 60, None, None, None, np.nan, None, None),
    }  # fmt: skip
    nodes = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    nodes.index.name = "node_id"
    nodes["mois_emploi_durable"] = [5.0, 2.0, 7.0]
    nodes["mois_emploi"] = [1.0, 1.0, 1.0]
    nodes["mois_alternance"] = [0.0, 0.0, 0.5]
    nodes["mois_sans_contact"] = [6.0, 10.0, 3.5]
    nodes["avec_na"] = False
    return nodes


def test_the_other_side_of_a_split_on_the_mls_reads_the_others():
    (sentence,) = tr.tree_sentences(_ml_split(), 5, 20)
    # 2 + 1 + 0 = 3 months in employment on the left, 7 + 1 + 0,5 = 8,5 right
    assert sentence == (
        "Parmi l'ensemble des jeunes, ce qui sépare le plus les parcours est la "
        f"Mission Locale (10,0{NBSP}% de leur dispersion) : les jeunes suivis dans 3 "
        "des 5 Missions Locales (40) passent en moyenne 3,0 mois en emploi ou "
        "alternance et 10,0 mois sans contact, contre 8,5 et 3,5 pour les jeunes "
        "suivis dans les 2 autres Missions Locales (60)."
    )
    outline = tr.tree_outline(_ml_split(), 5, 20)
    # each ML by its one name (formatting.fr_ml_name), never the official one
    assert (
        "Jeunes suivis dans 3 des 5 Missions Locales (ML Gironde 2, ML Gironde 10, "
        "ML Pau) : 40 jeunes"
    ) in outline
    assert (
        "Jeunes suivis dans les 2 autres Missions Locales (ML Landes 1, ML Landes 2)"
        in outline
    )
    assert "Mission locale synthétique" not in outline + sentence


def test_the_body_says_what_the_classification_is_worth_in_plain_words():
    q = _quality([0.30, 0.389, 0.35], [400, 300, 150])
    said = tr.k_plain_sentence(q, 2000, 5)
    assert said == (
        "La classification retient 3 types : c'est le découpage où les parcours de "
        "chaque type se ressemblent le plus tout en différant de ceux des autres "
        f"types, parmi ceux dont chaque type rassemble au moins 5 % des 2{NNBSP}000 "
        "jeunes de l'échantillon (le plus petit en rassemble 300 jeunes). Qualité "
        "de la classification : modeste : les types résument de vraies tendances, "
        "mais bien des parcours sont à la frontière de deux types."
    )
    # Kaufman and Rousseeuw's bounds: over 0,70 strong, 0,51-0,70 reasonable
    assert tr.classification_quality(0.71).startswith("forte")
    assert tr.classification_quality(0.60).startswith("bonne")
    assert tr.classification_quality(0.20).startswith("faible")
    stable = pd.Series({"mean": 0.99, "stable_share": 1.0})
    assert tr.stability_plain_sentence(stable, 3, 10) == (
        "Refaite sur 10 autres échantillons tirés au hasard, la classification en "
        "3 types se retrouve presque à l'identique : les types sont stables."
    )
    shaky = pd.Series({"mean": 0.41, "stable_share": 0.0})
    assert "seulement en partie : les types ne sont pas stables" in (
        tr.stability_plain_sentence(shaky, 5, 10)
    )
    for text in (said, tr.stability_plain_sentence(shaky, 5, 10)):
        for name in ("silhouette", "ASW", "bootstrap", "Rand", "médoïde", "PAM"):
            assert name not in text


def test_the_factor_table_of_the_body_says_whether_a_link_is_beyond_chance():
    factors = pd.DataFrame(
        {"n_groups": [2, 5], "PseudoR2": [0.001, 0.02], "p_PseudoF": [0.5, 0.01]},
        index=["Sexe", "Diplôme"],
    )
    out = tr.factors_plain(factors)
    assert out["Caractéristique"].tolist() == ["Diplôme", "Sexe"]
    assert out["Part des différences expliquée"].tolist() == [
        f"2,0{NBSP}%",
        f"0,1{NBSP}%",
    ]
    assert out["Au-delà du hasard ?"].tolist() == ["oui", "non, peut-être le hasard"]
    assert not any("pseudo" in c.lower() or "valeur" in c for c in out.columns)


def test_the_study_annex_names_the_methods_and_holds_their_figures():
    meta = {"extraction_date": "2025-01-05", "synthetic": True, "messages": {}}
    details = st.join(st.heading("La typologie en chiffres", 3))
    inputs = ReportInputs(meta, None, {"trajectoires_methodes": details})
    html = s.trajectory_method_notes(inputs).html
    assert html.startswith("<h2>Définitions et méthode</h2>")
    assert "extraction du 5 janvier 2025" in html
    assert "suivis pendant 24 mois" in html
    for name in ("(OM)", "TRATE", "(PAM)", "médoïdes", "(ASW)", "bootstrap",
                 "Rand ajusté", "seqrep", "(MDS)", "pseudo-R²", "seqici", "seqST",
                 "TraMineR", "Secret statistique"):  # fmt: skip
        assert name in html, name
    # the glossary of the acronyms the study uses, then its own figures last
    for acronym in ("NEET", "QPV", "ZRR"):
        assert f"<dt>{acronym}</dt>" in html
    assert "<dt>PACEA</dt>" not in html and "Wilson" not in html
    assert html.index("<h3>Méthodes</h3>") < html.index("La typologie en chiffres")


def test_the_study_does_not_announce_confidence_intervals_it_does_not_give():
    meta = {
        "year": 2024, "month": 12, "disclosure_threshold": 5,
        "extraction_date": "2025-01-05", "synthetic": True, "messages": {},
    }  # fmt: skip
    inputs = ReportInputs(meta, None, {})
    study = s.title(inputs, "trajectoires").html
    regional = s.title(inputs, "rapport_regional").html
    for page in (study, regional):
        assert "effectif inférieur à 5" in page and "moins de 20" in page
    assert "intervalle de confiance" in regional
    assert "intervalle de confiance" not in study
