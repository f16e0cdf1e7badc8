"""Targets of the agreement (``observatoire.targets``): loading, progress, chart.

The warehouses are built in memory, a handful of rows each; every expected
figure is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatoire import targets
from observatoire.data import Warehouse
from observatoire.data._schema import empty_frame
from observatoire.exceptions import ParamsError

ROOT = Path(__file__).resolve().parents[1]
MLS = pd.DataFrame(
    {
        "code_ml": ["MLA", "MLB", "MLC"],
        "nom_ml": [
            "Mission locale fictive A",
            "Mission locale fictive B",
            "Mission locale fictive C",
        ],  # fmt: skip
        "departement": ["33", "33", "24"],
    }
)


def _frame(name: str, rows: dict) -> pd.DataFrame:
    """A contract table holding ``rows`` (other columns empty)."""
    n = len(next(iter(rows.values())))
    out = empty_frame(name).reindex(range(n))
    for col, values in rows.items():
        out[col] = pd.Series(values, dtype=out[col].dtype)
    return out


def _dates(*pairs: tuple[str, int]) -> list[str]:
    """``("2022-03-15", 20)`` -> that date 20 times."""
    return [d for d, k in pairs for _ in range(k)]


def _aids_warehouse(start: str = "2022-01-03") -> Warehouse:
    """Aids with a known seasonal profile; extract from ``start`` to 2024-07-10.

    permis_b (all to J1 of MLA): 2022: 20 in March + 80 in October (share
    reached at end of June: 20/100 = 0.20); 2023: 30 in May + 70 in November
    (0.30); 2024: 10 in each of January, February, April and June.
    sante: 3 aids to J2 of MLB in February 2024.
    """
    permis = _dates(
        ("2022-03-15", 20), ("2022-10-12", 80), ("2023-05-10", 30), ("2023-11-08", 70),
        ("2024-01-10", 10), ("2024-02-14", 10), ("2024-04-09", 10), ("2024-06-18", 10),
    )  # fmt: skip
    sante = _dates(("2024-02-20", 3))
    aides = _frame(
        "aides",
        {
            "id_aide": [f"AI{i}" for i in range(len(permis) + len(sante))],
            "id_jeune": ["J1"] * len(permis) + ["J2"] * len(sante),
            "type_aide": ["permis_b"] * len(permis) + ["sante"] * len(sante),
            "financeur": ["region"] * (len(permis) + len(sante)),
            "date_attribution": pd.to_datetime(permis + sante),
        },
    )
    # CEJ entries of J1: one in March 2023, two in 2024 (February, May)
    dispositifs = _frame(
        "dispositifs",
        {
            "id_jeune": ["J1", "J1", "J1"],
            "dispositif": ["CEJ"] * 3,
            "date_debut": pd.to_datetime(["2023-03-01", "2024-02-01", "2024-05-02"]),
        },
    )
    jeunes = _frame("jeunes", {"id_jeune": ["J1", "J2"], "code_ml": ["MLA", "MLB"]})
    evenements = _frame(
        "evenements",
        {
            "id_evenement": ["E1"],
            "id_jeune": ["J1"],
            "code_ml": ["MLA"],
            "date_evenement": pd.to_datetime([start]),
            "type_evenement": ["atelier"],
        },
    )
    return Warehouse(
        MLS, jeunes, evenements, empty_frame("situations"), dispositifs, aides,
        extraction_date=pd.Timestamp("2024-07-10"),
    )  # fmt: skip


def _indicator_warehouse() -> Warehouse:
    """Four young people, contacts from 2023-01-02, extract of 2023-07-15.

    J1 (MLA): interview 1 Feb, training started 1 March (en_cours) -> entry.
    J2 (MLA): interview 10 May, training 15 June (terminee) -> entry.
    J3 (MLA): interview 1 April, training only planned (prevue) -> no entry.
    J4 (MLB): interview 3 March, training from 1 September -> not by June.
    """
    jeunes = _frame(
        "jeunes",
        {
            "id_jeune": ["J1", "J2", "J3", "J4"],
            "code_ml": ["MLA", "MLA", "MLA", "MLB"],
            "date_premier_accueil": pd.to_datetime(["2022-06-01"] * 4),
        },
    )
    evenements = _frame(
        "evenements",
        {
            "id_evenement": ["E0", "E1", "E2", "E3", "E4"],
            "id_jeune": ["J1", "J1", "J2", "J3", "J4"],
            "code_ml": ["MLA", "MLA", "MLA", "MLA", "MLB"],
            "date_evenement": pd.to_datetime(
                ["2023-01-02", "2023-02-01", "2023-05-10", "2023-04-01", "2023-03-03"]
            ),
            "type_evenement": ["atelier"] + ["entretien_individuel"] * 4,
        },
    )
    situations = _frame(
        "situations",
        {
            "id_situation": ["S1", "S2", "S3", "S4"],
            "id_jeune": ["J1", "J2", "J3", "J4"],
            "categorie": ["formation"] * 4,
            "sous_categorie": ["qualifiante"] * 4,
            "financeur": ["region"] * 4,
            "date_debut": pd.to_datetime(
                ["2023-03-01", "2023-06-15", "2023-05-01", "2023-09-01"]
            ),
            "etat": ["en_cours", "terminee", "prevue", "en_cours"],
        },
    )
    return Warehouse(
        MLS, jeunes, evenements, situations, extraction_date=pd.Timestamp("2023-07-15")
    )


def _targets(*items: dict) -> pd.DataFrame:
    return targets.parse_targets({"objectifs": list(items)}, MLS)


def _permis(**kw) -> dict:
    return {"indicateur": "aides:permis_b", "niveau": "region", "annee": 2024, **kw}


# ------------------------------------------------------------------ projection
def test_seasonal_projection_on_a_known_series():
    wh = _aids_warehouse()
    t = _targets(_permis(valeur=150))
    row = targets.progress(wh, t, 2024, 6).iloc[0]
    # January to June 2024: 4 x 10 = 40; same point of 2023: the 30 of May.
    # Share reached at end of June: 2022 0.20, 2023 0.30 -> 0.25 on average;
    # projection 40 / 0.25 = 160 (a linear pro rata would say 80).
    assert row["realise"] == 40
    assert row["realise_n_1"] == 30
    assert row["part_attendue"] == pytest.approx(0.25)
    assert row["projection"] == pytest.approx(160.0)
    assert row["methode_projection"] == (
        "profil saisonnier 2022 et 2023 (2 années complètes)"
    )
    # 160 >= 150
    assert row["statut"] == "en bonne voie"
    assert row["taux_projection"] == pytest.approx(160 / 150)


def test_seasonal_projection_averages_a_zero_share():
    wh = _aids_warehouse()
    row = targets.progress(wh, _targets(_permis(valeur=150)), 2024, 3).iloc[0]
    # end of March: 2022 has reached 20/100, 2023 nothing yet (0/100): 0.10 on
    # average; 2024 January + February = 20 -> projection 200
    assert row["realise"] == 20
    assert row["projection"] == pytest.approx(200.0)


@pytest.mark.parametrize(
    ("target", "status"),
    [
        # projection 160 at end of June (see above)
        ({"valeur": 160}, "en bonne voie"),  # 160 >= 160
        ({"valeur": 170}, "à surveiller"),  # 160 / 170 = 0.94: 90 % or more
        ({"valeur": 178}, "hors d'atteinte"),  # 0.9 x 178 = 160.2 > 160, just out
        ({"valeur": 200}, "hors d'atteinte"),  # 160 / 200 = 0.80 < 0.90
        ({"fourchette": [150, 170]}, "en bonne voie"),  # inside the range
        ({"fourchette": [100, 150]}, "au-dessus de la fourchette"),  # 160 > 150
    ],
)
def test_status_rule(target, status):
    row = targets.progress(_aids_warehouse(), _targets(_permis(**target)), 2024, 6)
    assert row["statut"].iloc[0] == status


def test_year_over_says_reached_or_not():
    wh = _aids_warehouse()
    t = _targets(
        {"indicateur": "aides:permis_b", "niveau": "region", "annee": 2023,
         "valeur": 100},
        {"indicateur": "aides:permis_b", "niveau": "MLA", "annee": 2023,
         "valeur": 101},
    )  # fmt: skip
    out = targets.progress(wh, t, 2023, 12)
    # 2023: 30 + 70 = 100 aids, all to J1 of MLA; at month 12 the projection is
    # the realised value
    assert out["realise"].tolist() == [100, 100]
    assert out["projection"].tolist() == [100, 100]
    assert out["methode_projection"].tolist() == ["année complète"] * 2
    assert out["statut"].tolist() == ["atteint", "non atteint"]
    # same point of 2022: the whole of 2022, 20 + 80
    assert out["realise_n_1"].tolist() == [100, 100]


def test_linear_pro_rata_without_a_previous_complete_year():
    # the extract starts on 3 January 2024: no complete year before 2024
    wh = _aids_warehouse(start="2024-01-03")
    row = targets.progress(wh, _targets(_permis(valeur=100)), 2024, 6).iloc[0]
    # 40 aids by June, 40 x 12 / 6 = 80; 2023 is not covered: no comparison
    assert row["projection"] == pytest.approx(80.0)
    assert row["part_attendue"] == pytest.approx(0.5)
    assert row["methode_projection"] == (
        "prorata linéaire (aucune année complète antérieure)"
    )
    assert np.isnan(row["realise_n_1"])
    assert row["statut"] == "hors d'atteinte"  # 80 < 90


def test_a_previous_year_with_nothing_is_left_out_of_the_profile():
    wh = _aids_warehouse()
    t = _targets({"indicateur": "dispositifs:CEJ", "niveau": "MLA", "annee": 2024,
                  "valeur": 2})  # fmt: skip
    row = targets.progress(wh, t, 2024, 6, raw=True).iloc[0]
    # CEJ entries: none in 2022 (left out), one in March 2023 (share 1.0 at
    # June), February and May 2024: 2 -> projection 2 / 1.0 = 2
    assert row["realise"] == 2 and row["realise_n_1"] == 1
    assert row["projection"] == pytest.approx(2.0)
    assert row["methode_projection"] == "profil saisonnier 2023 (1 année complète)"


def test_levels_department_and_ml():
    wh = _aids_warehouse()
    t = _targets(
        _permis(niveau="departement", departement="33", valeur=10),
        _permis(niveau="MLA", valeur=10),
        _permis(niveau="MLB", valeur=10),
        _permis(niveau="departement", departement="24", valeur=10),
    )
    out = targets.progress(wh, t, 2024, 6)
    # every permis B goes to J1, whose file is at MLA (Gironde): 40 in 33 and at
    # MLA, 0 at MLB and in Dordogne (0 is shown: it discloses nobody)
    assert out["realise"].tolist() == [40, 40, 0, 0]
    assert out["libelle_niveau"].tolist() == [
        "Gironde", "Mission locale fictive A", "Mission locale fictive B", "Dordogne",
    ]  # fmt: skip
    assert out[["niveau", "code"]].values.tolist() == [
        ["departement", "33"], ["ml", "MLA"], ["ml", "MLB"], ["departement", "24"],
    ]  # fmt: skip


def test_small_counts_are_masked_unless_raw_is_asked():
    wh = _aids_warehouse()
    t = _targets(
        {"indicateur": "aides:sante", "niveau": "MLB", "annee": 2024, "valeur": 10},
        {"indicateur": "aides:sante", "niveau": "region", "annee": 2024, "valeur": 10},
    )  # fmt: skip
    out = targets.progress(wh, t, 2024, 6)
    # 3 sante aids (J2, MLB): 1-4 is masked, projection too (it would give 3 back)
    assert out["secret_realise"].tolist() == [True, True]
    assert out["realise"].isna().all() and out["projection"].isna().all()
    assert out["taux_projection"].isna().all()
    # nothing in 2023: 0 is shown
    assert out["realise_n_1"].tolist() == [0, 0]
    assert not out["secret_realise_n_1"].any()
    raw = targets.progress(wh, t, 2024, 6, raw=True)
    assert raw["realise"].tolist() == [3, 3]
    html = targets.progress_table(out).to_html()
    assert "&lt; 5" in html
    assert "3" not in targets.progress_table(out).data.iloc[0, 3]


def test_an_aid_count_that_would_give_a_masked_one_back_is_masked_too():
    # permis B by end of June 2024: MLA 12 (J1), MLB 2 (J2), Gironde 14.
    # Targets for Gironde and MLA: shown as they are, 14 - 12 would give MLB's
    # 2 back. Every unit is protected together: MLB's 2 is masked (primary),
    # MLA's 12 too (the smaller other cell of {Gironde; MLA, MLB}).
    aides = _frame(
        "aides",
        {
            "id_aide": [f"A{i}" for i in range(14)],
            "id_jeune": ["J1"] * 12 + ["J2"] * 2,
            "type_aide": ["permis_b"] * 14,
            "financeur": ["region"] * 14,
            "date_attribution": pd.to_datetime(
                ["2024-03-05"] * 12 + ["2024-04-02"] * 2
            ),
        },
    )
    jeunes = _frame("jeunes", {"id_jeune": ["J1", "J2"], "code_ml": ["MLA", "MLB"]})
    evenements = _frame(
        "evenements",
        {
            "id_evenement": ["E1"],
            "id_jeune": ["J1"],
            "code_ml": ["MLA"],
            "date_evenement": pd.to_datetime(["2024-01-02"]),
            "type_evenement": ["atelier"],
        },
    )
    wh = Warehouse(
        MLS, jeunes, evenements, empty_frame("situations"), aides=aides,
        extraction_date=pd.Timestamp("2024-07-10"),
    )  # fmt: skip
    t = _targets(
        _permis(niveau="departement", departement="33", valeur=30),
        {"indicateur": "aides:permis_b", "niveau": "MLA", "annee": 2024, "valeur": 20},
    )  # fmt: skip
    raw = targets.progress(wh, t, 2024, 6, raw=True)
    assert raw["realise"].tolist() == [14, 12]
    out = targets.progress(wh, t, 2024, 6)
    assert out["secret_realise"].tolist() == [False, True]
    assert out["realise"].iloc[0] == 14 and np.isnan(out["realise"].iloc[1])


def test_contract_indicator_uses_indicators_compute_and_disclosure():
    wh = _indicator_warehouse()
    t = _targets(
        {"indicateur": "entrees_formation", "niveau": "region", "annee": 2023,
         "valeur": 4},
        {"indicateur": "jeunes_accompagnes", "niveau": "region", "annee": 2023,
         "valeur": 8},
        {"indicateur": "taux_formation", "niveau": "region", "annee": 2023,
         "valeur": 0.4},
    )  # fmt: skip
    raw = targets.progress(wh, t, 2023, 6, raw=True)
    # by end of June: J1 and J2 entered (J3 planned only, J4 in September) = 2;
    # accompanied: J1, J2, J3, J4 = 4; rate 2 / 4. No year before 2023 in the
    # extract: linear, 2 x 12 / 6 = 4, 4 x 2 = 8, and the rate 4 / 8.
    assert raw["realise"].tolist() == [2, 4, 0.5]
    assert raw["projection"].tolist() == [4, 8, 0.5]
    assert raw["statut"].tolist() == ["en bonne voie"] * 3
    assert raw["realise_n_1"].isna().all()
    # for circulation: 2 and 4 are below 5, the rate has 4 < 20 young people
    safe = targets.progress(wh, t, 2023, 6)
    assert safe["secret_realise"].tolist() == [True, True, True]
    assert safe["realise"].isna().all()
    # with a threshold of 2, the counts 2 and 4 can be shown; the rate cannot
    low = targets.progress(wh, t, 2023, 6, disclosure_threshold=2)
    assert low["secret_realise"].tolist() == [False, False, True]


def test_tables_computed_by_the_caller_are_used_not_recomputed(monkeypatch):
    from observatoire import disclosure, indicators

    wh = _indicator_warehouse()
    t = _targets(
        {"indicateur": "entrees_formation", "niveau": "region", "annee": 2023,
         "valeur": 4},
        {"indicateur": "taux_formation", "niveau": "region", "annee": 2023,
         "valeur": 0.4},
    )  # fmt: skip
    full = indicators.compute(wh, "2023", monthly=True)
    reasons = disclosure.protect(full, threshold=2, min_denominator=20).reasons
    expected = targets.progress(wh, t, 2023, 6, disclosure_threshold=2)

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    # 2023 is the only year the extract holds: nothing is left to compute
    monkeypatch.setattr(indicators, "compute", refuse)
    monkeypatch.setattr(disclosure, "protect", refuse)
    given = targets.progress(
        wh, t, 2023, 6, disclosure_threshold=2, computed={2023: (full, reasons)}
    )
    pd.testing.assert_frame_equal(given, expected)
    # the same decisions as above: the count 2 shown at threshold 2, the rate
    # (4 young people, fewer than 20) masked
    assert given["secret_realise"].tolist() == [False, True]


# -------------------------------------------------------------- the defaults
def test_default_file_carries_the_agreement_figures():
    t = targets.load_targets(ROOT / "params" / "objectifs.yaml")
    by = t[t["annee"] == 2024].set_index("indicateur")
    # "plus de 12 000" entries into training; "entre 5500 et 6000" permis B;
    # 18 000 digital passes spread over the three years of the agreement
    assert by.loc["entrees_formation", "cible_min"] == 12000
    assert by.loc["aides:permis_b", ["cible_min", "cible_max"]].tolist() == [5500, 6000]
    assert by.loc["aides:numerique", "cible_min"] == 6000
    assert sorted(t["annee"].unique()) == [2022, 2023, 2024]
    assert t["niveau"].eq("region").all()
    assert t["source"].str.startswith("Accord-cadre 2022-2024").all()


# ----------------------------------------------------------- bad parameters
@pytest.mark.parametrize(
    ("item", "message"),
    [
        (_permis(indicateur="entrees_formaton", valeur=1),
         r"objectifs\[0\]\.indicateur: 'entrees_formaton' is not an indicator"),
        (_permis(indicateur="aides:voiture", valeur=1),
         r"objectifs\[0\]\.indicateur: 'aides:voiture' is not an indicator"),
        (_permis(niveau="national", valeur=1),
         r"objectifs\[0\]\.niveau: 'national' is neither 'region', 'departement' "
         r"nor an ML code"),
        (_permis(niveau="ML99Z", valeur=1), r"objectifs\[0\]\.niveau: 'ML99Z'"),
        (_permis(niveau="departement", departement="18", valeur=1),
         r"objectifs\[0\]\.departement: '18' is not a department"),
        (_permis(niveau="departement", valeur=1),
         r"objectifs\[0\]\.departement: None is not a department"),
        (_permis(departement="33", valeur=1),
         r"objectifs\[0\]\.departement: only allowed with niveau 'departement'"),
        (_permis(fourchette=[6000, 5500]),
         r"objectifs\[0\]\.fourchette: \[6000, 5500\] is upside down"),
        (_permis(fourchette=[5500]), r"objectifs\[0\]\.fourchette: \[5500\] is not a list of two"),
        (_permis(valeur="beaucoup"), r"objectifs\[0\]\.valeur: 'beaucoup' is not a number"),
        (_permis(valeur=-1), r"objectifs\[0\]\.valeur: -1 is not a number >= 0"),
        (_permis(valeur=True), r"objectifs\[0\]\.valeur: True is not a number"),
        (_permis(annee="2024", valeur=1), r"objectifs\[0\]\.annee: '2024' is not a year"),
        (_permis(annee=[2024, 24], valeur=1), r"objectifs\[0\]\.annee: \[2024, 24\]"),
        (_permis(), r"objectifs\[0\]: give exactly one of 'valeur' or 'fourchette'"),
        (_permis(valeur=1, fourchette=[1, 2]), r"give exactly one of"),
        (_permis(valeur=1, cible=3), r"objectifs\[0\]: unknown key 'cible'"),
        ({"indicateur": "aides:permis_b", "valeur": 1, "annee": 2024},
         r"objectifs\[0\]: key 'niveau' is missing"),
        (_permis(indicateur="taux_formation", valeur=15),
         r"taux_formation is a rate, its target 15 must be a proportion"),
        (_permis(valeur=1, libelle=3), r"objectifs\[0\]\.libelle: 3 is not text"),
        ("entrees_formation", r"objectifs\[0\]: expected a mapping"),
    ],
)  # fmt: skip
def test_bad_target_is_a_clear_error_naming_the_key(item, message):
    with pytest.raises(ParamsError, match=message):
        _targets(item)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ParamsError) as err:
        _targets(_permis(indicateur="x", valeur=1), _permis(fourchette=[3, 1]))
    assert "objectifs[0].indicateur" in str(err.value)
    assert "objectifs[1].fourchette" in str(err.value)


def test_bad_file_structure(tmp_path):
    with pytest.raises(
        ParamsError, match="unknown key 'objectif'; valid keys: objectifs"
    ):
        targets.parse_targets({"objectif": []})
    with pytest.raises(ParamsError, match="objectifs: expected a list"):
        targets.parse_targets({"objectifs": {"indicateur": "entrees_formation"}})
    with pytest.raises(
        ParamsError, match="expected a mapping with the key 'objectifs'"
    ):
        targets.parse_targets(["entrees_formation"])
    with pytest.raises(ParamsError, match="declared twice"):
        _targets(_permis(valeur=1), _permis(annee=[2023, 2024], valeur=2))
    with pytest.raises(ParamsError, match="cannot read the target file"):
        targets.load_targets(tmp_path / "absent.yaml")
    path = tmp_path / "objectifs.yaml"
    path.write_text("objectifs: [\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="objectifs.yaml: not valid YAML"):
        targets.load_targets(path)


def test_yaml_file_with_an_unknown_ml_names_the_file_and_key(tmp_path):
    path = tmp_path / "objectifs.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            objectifs:
              - indicateur: entrees_emploi
                niveau: ML99Z
                annee: 2024
                valeur: 30
            """
        ),
        encoding="utf-8",
    )
    # without the MLs the code cannot be checked at load...
    assert targets.load_targets(path)["code"].tolist() == ["ML99Z"]
    # ...with them it is refused, and progress refuses it too
    with pytest.raises(
        ParamsError, match=r"objectifs.yaml: objectifs\[0\]\.niveau: 'ML99Z'"
    ):
        targets.load_targets(path, MLS)
    with pytest.raises(ParamsError, match="ml 'ML99Z' is not in missions_locales"):
        targets.progress(_aids_warehouse(), targets.load_targets(path), 2024, 6)


def test_progress_refuses_a_month_the_extract_does_not_cover():
    wh, t = _aids_warehouse(), _targets(_permis(valeur=1))
    # extraction on 2024-07-10: July is not complete
    with pytest.raises(ParamsError, match="month 2024-07 is not complete"):
        targets.progress(wh, t, 2024, 7)
    with pytest.raises(ParamsError, match="month: 13 is not between 1 and 12"):
        targets.progress(wh, t, 2024, 13)
    with pytest.raises(ParamsError, match="year: '2024' is not a whole number"):
        targets.progress(wh, t, "2024", 6)


# ------------------------------------------------------------------- display
def test_chart_is_a_compact_french_figure():
    wh = _aids_warehouse()
    t = _targets(_permis(fourchette=[100, 150]), _permis(niveau="MLA", valeur=150))
    out = targets.progress(wh, t, 2024, 6)
    fig = targets.progress_chart(out)
    ax, side = fig.axes
    assert ax.get_yticklabels()[0].get_text() == (
        "Aides au permis B – Mission locale fictive A"
    )
    texts = [t.get_text() for t in side.texts]
    # range 100-150, projection 160: above it; 40 realised so far
    assert texts[0].startswith("au-dessus de la fourchette – objectif 100 à 150")
    assert "réalisé 40, projection 160" in texts[0]
    assert fig.get_suptitle() == "Objectifs 2024 : situation à fin juin 2024"
    assert fig.get_size_inches()[1] < 4  # two lines: small
    empty = targets.progress_chart(out.iloc[0:0])
    assert (
        empty.axes[0].texts[0].get_text() == "Aucun objectif déclaré pour cette année"
    )


def test_inputs_are_not_modified():
    wh = _aids_warehouse()
    t = _targets(_permis(valeur=150))
    before_t, before_a = t.copy(), wh.aides.copy()
    targets.progress(wh, t, 2024, 6)
    pd.testing.assert_frame_equal(t, before_t)
    pd.testing.assert_frame_equal(wh.aides, before_a)
