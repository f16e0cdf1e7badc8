"""Annual review of the ARML's network animation (``observatoire.animation``).

The fixture ``tests/fixtures/animation/bilan`` is a hand-written extract: 4 MLs
(MLA and MLB in Gironde 33, MLC in Dordogne 24, MLD in Haute-Vienne 87), 12
actions (A01-A03 in 2023, A04-A12 in 2024), 19 participations. Every expected
number below is worked out by hand from those files; the comments say how.

2024 at a glance (participants in brackets):
A04 prof./formation 14 h: MLA(2) MLC(1)      A05 webinaire/permis_b 1,5 h: MLA(1)
A06 réunion/formation 3 h: MLA(2) MLB(1) MLC(2)  A07 groupe/sante 2,5 h: MLA(1)
A08 webinaire/numerique, no duration: MLA(1) MLC(1)
A09 info/alternance 2 h: MLA(2)   A10 prof./sante 7 h: MLC(1)
A11 réunion/erip 3,5 h: MLA(1) MLC(1)   A12 groupe/formation 3 h: nobody
2023: A01 prof./formation 7 h: MLA(3) MLB(1); A02 réunion/emploi 3 h: MLA(2)
MLB(1) MLC(1); A03 webinaire/sante 1,5 h: MLA(1).
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from observatoire import animation, data, reports
from observatoire.exceptions import ParamsError
from observatoire.formatting import fr_hours
from observatoire.reports import sections

FIXTURE = Path(__file__).parent / "fixtures" / "animation"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wh():
    return data.load(FIXTURE / "bilan")


# ---------------------------------------------------------------- the loader
def test_bad_participations_are_rejected_one_by_one_and_nothing_else_is_lost(wh):
    # entrees_invalides = bilan + 1 action dated after the extraction date
    # (A13, 01/02/2025 > 2025-01-05) and 4 participations: A99 (unknown action),
    # MLZ (unknown ML), nb_participants 0, and one to the rejected A13.
    bad = data.load(FIXTURE / "entrees_invalides")
    got = sorted(
        bad.rejects[["table", "ligne", "colonne", "regle"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [
        ("animations", 14, "date_animation", "date_future"),
        ("animations_participations", 21, "id_animation", "reference"),
        ("animations_participations", 22, "code_ml", "reference"),
        ("animations_participations", 23, "nb_participants", "minimum"),
        ("animations_participations", 24, "id_animation", "reference"),
    ]
    # each reject says what is wrong in plain words
    assert bad.rejects["detail"].str.len().gt(5).all()
    rec = bad.reconciliation.set_index("table")
    # read = accepted + rejected: 13 = 12 + 1 actions, 23 = 19 + 4 participations
    # read, accepted, rejected, set aside (no correspondence: none)
    assert rec.loc["animations"].tolist() == [13, 12, 1, 0]
    assert rec.loc["animations_participations"].tolist() == [23, 19, 4, 0]
    # the good rows are all there: the review is the clean fixture's
    clean = animation.annual_review(wh, year=2024)
    dirty = animation.annual_review(bad, year=2024)
    pd.testing.assert_frame_equal(clean.by_policy, dirty.by_policy)
    pd.testing.assert_frame_equal(clean.per_ml, dirty.per_ml)
    assert clean.text == dirty.text


# ---------------------------------------------------------------- the tables
def test_actions_by_type(wh):
    t = animation.actions_by(wh, year=2024, by="type_animation").set_index(
        "type_animation"
    )
    # contract order; "autre" has no action in 2023 or 2024, so no row
    assert t.index.tolist() == [
        "professionnalisation", "reunion_reseau", "groupe_travail", "webinaire",
        "information_dispositif", "total",
    ]  # fmt: skip
    # professionnalisation: A04 (14 h, 2+1) and A10 (7 h, 1); MLA, MLC; 2023: A01
    assert t.loc["professionnalisation", ["actions", "heures", "participants",
                                          "ml_touchees", "actions_n_1", "evolution"]
                 ].tolist() == [2, 21.0, 4, 2, 1, 1]  # fmt: skip
    # réunion: A06 (3 h, 2+1+2) and A11 (3,5 h, 1+1); MLA, MLB, MLC; 2023: A02
    assert t.loc["reunion_reseau", ["actions", "heures", "participants", "ml_touchees"]
                 ].tolist() == [2, 6.5, 7, 3]  # fmt: skip
    # groupe de travail: A07 (2,5 h, 1) and A12 (3 h, nobody): 1 ML; none in 2023
    assert t.loc["groupe_travail", ["actions", "heures", "participants", "ml_touchees",
                                    "actions_n_1", "evolution"]
                 ].tolist() == [2, 5.5, 1, 1, 0, 2]  # fmt: skip
    # webinaire: A05 (1,5 h) and A08 (no duration: adds no hour, counted apart)
    assert t.loc["webinaire", ["actions", "heures", "actions_sans_duree", "participants"]
                 ].tolist() == [2, 1.5, 1, 3]  # fmt: skip
    # total: 9 actions, 14+1,5+3+2,5+2+7+3,5+3 = 36,5 h, 17 participants,
    # 3 distinct MLs (not 2+3+1+2+1), 3 actions in 2023
    assert t.loc["total", ["libelle", "actions", "heures", "participants",
                           "ml_touchees", "actions_n_1", "evolution"]
                 ].tolist() == ["Ensemble", 9, 36.5, 17, 3, 3, 6]  # fmt: skip


def test_actions_by_policy_keeps_a_policy_of_last_year_only(wh):
    t = animation.actions_by(wh, year=2024, by="politique_regionale").set_index(
        "politique_regionale"
    )
    # emploi had A02 in 2023 and nothing in 2024: a row with 0 and -1
    assert t.loc["emploi", ["actions", "actions_n_1", "evolution"]].tolist() == [
        0,
        1,
        -1,
    ]
    # formation: A04, A06, A12 = 3 actions, 14+3+3 = 20 h, 3+5+0 = 8 participants
    assert t.loc["formation", ["actions", "heures", "participants", "ml_touchees"]
                 ].tolist() == [3, 20.0, 8, 3]  # fmt: skip
    # santé: A07 (2,5 h, MLA) and A10 (7 h, MLC); 2023: A03
    assert t.loc["sante", ["actions", "heures", "participants", "ml_touchees",
                           "actions_n_1"]].tolist() == [2, 9.5, 2, 2, 1]  # fmt: skip
    assert t.loc["permis_b", "libelle"] == "Permis B"
    assert t["actions"].drop("total").sum() == 9


def test_reach_summary_and_share_of_the_43(wh):
    s = animation.reach_summary(wh, year=2024)
    # MLA 7 actions, MLB 1 (A06), MLC 5, MLD none: 3 reached, 2 at least twice
    assert s["actions"] == 9 and s["heures"] == 36.5 and s["participants"] == 17
    assert s["ml_touchees"] == 3 and s["ml_touchees_2_fois"] == 2
    assert s["part_43"] == pytest.approx(3 / 43)
    assert s["ml_reseau"] == 4 and s["part_reseau"] == pytest.approx(0.75)
    assert s["ml_moins_2_fois"] == 2  # MLB (1) and MLD (0)


def test_ml_reach(wh):
    r = animation.ml_reach(wh, year=2024)
    # department then name: MLC (24), MLA, MLB (33), MLD (87)
    assert r["code_ml"].tolist() == ["MLC", "MLA", "MLB", "MLD"]
    # MLA: A04 A05 A06 A07 A08 A09 A11 = 7 actions, 2+1+2+1+1+2+1 = 10 staff,
    # policies formation, permis_b, sante, numerique, alternance, erip = 6;
    # 2023: A01 A02 A03 = 3
    a = r.set_index("code_ml").loc["MLA"]
    assert [a.actions, a.participants, a.politiques, a.actions_n_1] == [7, 10, 6, 3]
    # MLC: A04 A06 A08 A10 A11 = 5 actions, 1+2+1+1+1 = 6 staff
    c = r.set_index("code_ml").loc["MLC"]
    assert [c.actions, c.participants, c.actions_n_1] == [5, 6, 1]
    assert r.set_index("code_ml")["touchee"].to_dict() == {
        "MLC": True, "MLA": True, "MLB": True, "MLD": False,
    }  # fmt: skip


def test_rarely_reached_names_the_mls(wh):
    rare = animation.rarely_reached(wh, year=2024)
    # fewest first: MLD (0 action, 0 in 2023), then MLB (A06 only; 2023: A01, A02)
    assert rare[["code_ml", "nom_ml", "actions", "actions_n_1", "participants"]
                ].values.tolist() == [
        ["MLD", "Mission locale fictive D", 0, 0, 0],
        ["MLB", "Mission locale fictive B", 1, 2, 1],
    ]  # fmt: skip
    assert rare["libelle_departement"].tolist() == ["Haute-Vienne", "Gironde"]


def test_reach_by_departement(wh):
    d = animation.reach_by_departement(wh, year=2024).set_index("departement")
    cols = ["ml_reseau", "ml_touchees", "part_touchees", "actions", "participants",
            "ml_moins_2_fois"]  # fmt: skip
    # 24: MLC, 5 actions, 6 staff. 33: MLA and MLB; actions of MLA (7) and MLB
    # (A06, already in MLA's) = 7; staff 10+1 = 11; MLB reached once.
    # 87: MLD, nothing. Total: 4 MLs, 3 reached; 8 actions with an ML (A12 has
    # none), 17 staff, 2 MLs reached fewer than twice.
    assert d.loc["24", cols].tolist() == [1, 1, 1.0, 5, 6, 0]
    assert d.loc["33", cols].tolist() == [2, 2, 1.0, 7, 11, 1]
    assert d.loc["87", cols].tolist() == [1, 0, 0.0, 0, 0, 1]
    assert d.loc["total", cols].tolist() == [4, 3, 0.75, 8, 17, 2]
    assert d.loc["33", "libelle"] == "Gironde"


def test_year_over_year(wh):
    y = animation.year_over_year(wh, year=2024).set_index("indicateur")
    # 2023: 3 actions, 7+3+1,5 = 11,5 h, 4+4+1 = 9 staff, MLA MLB MLC reached
    # (MLA 3 times, MLB twice, MLC once)
    assert y.loc["actions", ["annee_n_1", "annee", "evolution"]].tolist() == [3, 9, 6]
    assert y.loc["actions", "evolution_pct"] == pytest.approx(2.0)  # +200 %
    assert y.loc["heures", ["annee_n_1", "annee", "evolution"]].tolist() == [
        11.5,
        36.5,
        25.0,
    ]
    assert y.loc["participants", ["annee_n_1", "annee"]].tolist() == [9, 17]
    assert y.loc["ml_touchees", ["annee_n_1", "annee", "evolution"]].tolist() == [
        3,
        3,
        0,
    ]
    assert y.loc["ml_touchees_2_fois", ["annee_n_1", "annee"]].tolist() == [2, 2]
    # 2023: MLC (1) and MLD (0); 2024: MLB (1) and MLD (0)
    assert y.loc["ml_moins_2_fois", ["annee_n_1", "annee"]].tolist() == [2, 2]


def test_ml_policy_matrix(wh):
    m = animation.ml_policy_matrix(wh, year=2024)
    # policies with a 2024 action, contract order (emploi only had 2023)
    assert m.columns.tolist() == ["formation", "alternance", "permis_b", "sante",
                                  "numerique", "erip"]  # fmt: skip
    assert m.index.tolist() == ["MLC", "MLA", "MLB", "MLD"]
    assert m.loc["MLA"].tolist() == [
        2,
        1,
        1,
        1,
        1,
        1,
    ]  # A04 A06 | A09 | A05 | A07 | A08 | A11
    assert m.loc["MLC"].tolist() == [2, 0, 0, 1, 1, 1]  # A04 A06 | A10 | A08 | A11
    assert m.loc["MLB"].tolist() == [1, 0, 0, 0, 0, 0]  # A06
    assert m.loc["MLD"].tolist() == [0] * 6
    # staff instead of actions: MLA formation = A04 (2) + A06 (2)
    assert (
        animation.ml_policy_matrix(wh, year=2024, value="participants").at[
            "MLA", "formation"
        ]
        == 4
    )


def test_summary_text_in_french(wh):
    text = animation.summary_text(wh, year=2024)
    assert text.startswith(
        "En 2024, l'ARML a mené 9 actions d'animation du réseau (36,5 heures) : "
        "17 participations de professionnels des Missions Locales."
    )
    # 3/43 = 6,98 %
    assert (
        "3 Missions Locales sur 43 ont été touchées (7,0\u00a0%), dont 2 au moins deux fois."
        in text
    )
    # formation 3, santé 2, then among the 1-action policies the most attended
    # first (alternance, numérique, ERIP: 2 staff each, contract order) -> alternance
    assert (
        "Les politiques régionales les plus relayées sont : formation (3), "
        "santé et prévention (2) et alternance (1)." in text
    )
    assert (
        "2 Missions Locales ont été touchées moins de deux fois : ML fictive D "
        "(aucune action) et ML fictive B (1 action)." in text
    )
    assert text.endswith(
        "Par rapport à 2023 (3 actions, 3 Missions Locales touchées), le nombre "
        "d'actions est en hausse de 200,0\u00a0%."
    )


def test_summary_text_first_year_and_empty_year(wh):
    # 2023 has no 2022 to compare with; 2022 has no action at all
    assert animation.summary_text(wh, year=2023).endswith(
        "Aucune action n'est enregistrée en 2022 pour comparer."
    )
    assert animation.summary_text(wh, year=2022) == (
        "En 2022, aucune action d'animation du réseau n'est enregistrée."
    )


def test_hours_are_rounded_in_french():
    # 2,96 h is 3,0 h, not "2,0" (truncated integer part + rounded decimals)
    assert fr_hours(2.96) == "3,0"
    assert fr_hours(1234.0) == "1\u202f234"


def test_inputs_are_not_modified(wh):
    before = {
        n: getattr(wh, n).copy() for n in ("animations", "animations_participations")
    }
    animation.annual_review(wh, year=2024)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(wh, name), frame)


def test_mapping_source_gives_the_same_review(wh):
    src = {
        "animations": wh.animations,
        "animations_participations": wh.animations_participations,
        "missions_locales": wh.missions_locales,
    }
    pd.testing.assert_frame_equal(
        animation.ml_reach(src, year=2024), animation.ml_reach(wh, year=2024)
    )


def test_bad_arguments_are_clear_errors(wh):
    with pytest.raises(ParamsError, match="year: '2024' is not a year"):
        animation.actions_by(wh, year="2024")
    with pytest.raises(ParamsError, match="by: 'departement' is not a grouping"):
        animation.actions_by(wh, year=2024, by="departement")
    with pytest.raises(ParamsError, match="value: 'heures' is not one of"):
        animation.ml_policy_matrix(wh, year=2024, value="heures")
    with pytest.raises(ParamsError, match="which: 'tout' is not a table"):
        sections.review_table(animation.annual_review(wh, year=2024), "tout")


# ---------------------------------------------------------- notebook helpers
def test_resolve_year_auto_is_the_latest_complete_year(wh):
    # extraction date 2025-01-05: 2024 is complete
    assert animation.resolve_year(wh, "auto") == 2024
    assert animation.resolve_year(wh, "2023") == 2023
    # an extract taken on 2024-12-30 has no complete 2024: back to 2023
    src = {
        "animations": wh.animations,
        "animations_participations": wh.animations_participations,
        "extraction_date": pd.Timestamp("2024-12-30"),
    }
    assert animation.resolve_year(src, "auto") == 2023
    # one taken on 2024-12-31 holds that day (the rule of Warehouse.coverage,
    # the same as the reports' latest complete month): 2024 is complete
    src["extraction_date"] = pd.Timestamp("2024-12-31")
    assert animation.resolve_year(src, "auto") == 2024
    src["extraction_date"] = pd.Timestamp("2023-06-01")
    with pytest.raises(ParamsError, match="no complete year"):
        animation.resolve_year(src, "auto")


def test_review_tables_are_french_html(wh):
    review = animation.annual_review(wh, year=2024)
    for which in sections.REVIEW_TABLES:
        html = sections.review_table(review, which).to_html()
        assert "<table" in html
    html = sections.review_table(review, "par_departement").to_html()
    assert "75,0\u00a0%" in html and "Gironde (33)" in html
    html = sections.review_table(review, "evolution").to_html()
    # hours 11,5 -> 36,5: +25 (whole hours without decimals), +217,4 %
    assert "+200,0\u00a0%" in html and ">36,5<" in html and ">+25<" in html
    # 3 MLs touched both years: a change of nothing reads « stable », not 0,0 %
    assert ">stable<" in html and not re.search("[>+−]0,0\u00a0%<", html)
    head = sections.review_header(review, title="Bilan", synthetic=True)._repr_html_()
    assert "Données synthétiques" in head
    assert "En 2024, l&#x27;Association régionale des Missions Locales (ARML)" in head


def test_the_review_spells_out_its_acronyms_at_their_first_use(wh):
    review = animation.annual_review(wh, year=2024)
    head = sections.review_header(review, synthetic=True).html
    # « l'ARML » opens the summary: its words come with it, once
    assert "l&#x27;Association régionale des Missions Locales (ARML) a mené" in head
    assert head.count("Association régionale") == 1
    # ERIP is not among the three policies of the summary: the policy table,
    # where the review names it first, spells it out
    assert "ERIP" not in head
    table = sections.review_block(review, "par_politique").html
    assert ">Espace régional d'information de proximité (ERIP)</th>" in unescape(table)


def test_the_review_tables_name_each_ml_once_and_the_departments(wh):
    review = animation.annual_review(wh, year=2024)
    for which in ("par_ml", "moins_2_fois"):
        html = sections.review_block(review, which).html
        assert "ML fictive D" in html and "Mission locale fictive" not in html
    # par_ml: by department (Dordogne 24 before Gironde 33), then by name
    html = sections.review_block(review, "par_ml").html
    assert html.index("Dordogne (24)") < html.index("Gironde (33)")
    assert html.index(">ML fictive A<") < html.index(">ML fictive B<")


def test_the_review_has_its_definitions_and_method_annex(wh):
    review = animation.annual_review(wh, year=2024)
    html = sections.review_method_notes(
        review, synthetic=True, extraction_date=pd.Timestamp("2025-01-05")
    ).html
    assert html.startswith("<h2>Définitions et méthode</h2>")
    assert "données synthétiques" in html and "extraction du 5 janvier 2025" in html
    assert "du 1er janvier au 31 décembre 2024, comparées à celles de 2023" in html
    for term in ("Action d&#x27;animation", "Participants", "Mission Locale touchée"):
        assert f"<dt>{term}</dt>" in html
    assert "Règles de diffusion" in html and "aucune case n&#x27;est masquée" in html
    # the glossary of the other reports, its entries for the review
    assert "<dt>ERIP</dt>" in html and "<dt>ARML</dt>" in html
    assert "<dt>PACEA</dt>" not in html and "Kaplan" not in html


def test_heatmap_is_a_figure_with_french_labels(wh):
    fig = animation.heatmap_ml_policy(wh, year=2024)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Formation", "Alternance", "Permis B", "Santé et prévention", "Numérique", "ERIP",
    ]  # fmt: skip
    # the one name of each ML (formatting.fr_ml_name), as in the tables
    assert ax.get_yticklabels()[0].get_text() == "ML fictive C (24)"
    assert "2024" in ax.get_title(loc="left")


def test_heatmap_cells_are_embedded_at_their_own_resolution_and_kept_out_of_layout(wh):
    import base64
    import re

    from observatoire.reports import _style as st

    fig = animation.heatmap_ml_policy(wh, year=2024)
    ax = fig.axes[0]
    mat = animation.ml_policy_matrix(wh, year=2024)
    # one number per non-empty cell, centred in it, not measured by the layout
    numbers = [t for t in ax.texts if t.get_text()]
    assert len(numbers) == int((mat.to_numpy() > 0).sum())
    assert not any(t.get_in_layout() for t in numbers)
    # the image is one pixel a cell, scaled sharp by the browser (no resampling
    # to the output resolution, which was most of the time of the chart)
    uri = re.search(
        r'src="data:image/svg\+xml;base64,([^"]+)"',
        st.figure(fig, alt="carte", guide="g").html,
    ).group(1)
    svg = base64.b64decode(uri).decode("utf-8")
    assert "image-rendering:pixelated" in svg
    png = base64.b64decode(re.search(r"data:image/png;base64,([^\"]+)", svg).group(1))
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (height, width) == mat.shape


def test_default_data_dir_finds_the_project_root(tmp_path):
    # a project: pyproject.toml at the root, data/entrepot, notebooks/
    (tmp_path / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    (tmp_path / "data" / "entrepot").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    found = reports.default_data_dir(tmp_path / "notebooks")
    assert found == (tmp_path / "data" / "entrepot").resolve()


# ----------------------------------------------------------------- notebook
def test_notebook_is_committed_clean():
    nb = json.loads((ROOT / "notebooks" / "bilan_animation.ipynb").read_text("utf-8"))
    first = nb["cells"][0]
    assert "parameters" in first["metadata"]["tags"]
    src = "".join(first["source"])
    assert "data = None" in src and 'year = "auto"' in src
    # the batch sends no title: the review's heading is fixed (REVIEW_TITLE)
    assert "title = " not in src
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            assert "def " not in "".join(cell["source"])


def test_notebook_runs_on_the_fixture(tmp_path):
    papermill = pytest.importorskip("papermill")
    extract = tmp_path / "entrepot"
    shutil.copytree(FIXTURE / "bilan", extract)
    out = tmp_path / "bilan.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "bilan_animation.ipynb"),
        str(out),
        parameters={"data": str(extract), "year": "auto"},
        cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    text = out.read_text("utf-8")
    # the summary of the hand-computed 2024, and the named rarely reached MLs
    assert "Missions Locales (ARML) a mené 9 actions" in text
    assert "ML fictive D" in text and "Mission locale fictive" not in text
    assert "Définitions et méthode" in text
    # the heat map, as SVG, with its values as a table
    assert "data:image/svg+xml;base64" in text and "Données du graphique" in text
