"""Disclosure control: primary and secondary suppression, rates, display and CSV.

Tables are built by hand, a few rows each; the comments say which cell a naive
rule would leak and how.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatoire import data, disclosure, indicators
from observatoire.exceptions import DisclosureError

FIXTURE = Path(__file__).parent / "fixtures" / "indicateurs"

#: M1 and M2 in Gironde (33), M3 alone in Dordogne (24)
HIERARCHY = pd.DataFrame(
    {
        "niveau": ["ml", "ml", "ml", "departement", "departement"],
        "code": ["M1", "M2", "M3", "24", "33"],
        "niveau_parent": ["departement"] * 3 + ["region"] * 2,
        "code_parent": ["33", "33", "24", "NAQ", "NAQ"],
    }
)
UNITS = [
    ("ml", "M1"),
    ("ml", "M2"),
    ("ml", "M3"),
    ("departement", "24"),
    ("departement", "33"),
    ("region", "NAQ"),
]


def _table(**columns: list[int]) -> pd.DataFrame:
    """One annual row per unit of UNITS, with the given count columns."""
    table = pd.DataFrame(
        {
            "niveau": [u[0] for u in UNITS],
            "code": [u[1] for u in UNITS],
            "libelle": [u[1] for u in UNITS],
            "periode": "2023",
            "portee": "annee",
        }
    )
    for name, values in columns.items():
        table[name] = np.array(values, dtype=np.int64)
    return table


def _reasons(protected, column: str) -> dict[str, str]:
    return dict(zip(protected.values["code"], protected.reasons[column], strict=True))


def test_naive_rule_leaks_by_subtraction_and_secondary_suppression_stops_it():
    # interviews: M1 3, M2 40 -> Gironde 43; M3 12 = Dordogne 12; region 55.
    # Masking M1 alone (the naive rule) leaks it: 43 - 40 = 3. M2 must go too
    # (the smallest other non-zero cell of {33, M1, M2}: 40 < 43).
    table = _table(entretiens=[3, 40, 12, 12, 43, 55])
    naive_shown = table.set_index("code")["entretiens"]
    assert naive_shown["33"] - naive_shown["M2"] == 3  # the leak
    p = disclosure.protect(table, hierarchy=HIERARCHY)
    assert _reasons(p, "entretiens") == {
        "M1": "primaire",
        "M2": "secondaire",
        "M3": "",
        "24": "",
        "33": "",
        "NAQ": "",
    }


def test_masking_spreads_through_a_single_ml_department():
    # M3 has 2 interviews, so Dordogne (= M3) has 2: both primary. The region
    # (70) minus Gironde (68) would give Dordogne back: Gironde is the smallest
    # other cell of {NAQ, 24, 33} and is masked; then Gironde minus M2 would
    # give M1 back... so in {33, M1, M2} one ML goes too: M1 (20 < 48).
    table = _table(entretiens=[20, 48, 2, 2, 68, 70])
    p = disclosure.protect(table, hierarchy=HIERARCHY)
    assert _reasons(p, "entretiens") == {
        "M1": "secondaire",
        "M2": "",
        "M3": "primaire",
        "24": "primaire",
        "33": "secondaire",
        "NAQ": "",
    }


def test_zero_is_shown_and_never_picked_while_something_else_is_left():
    # M1 0 interviews, M2 4 (primary), Gironde 4 (primary too): two masked
    # cells in {33, M1, M2}, nothing more needed; 0 discloses nobody.
    table = _table(entretiens=[0, 4, 30, 30, 4, 34])
    p = disclosure.protect(table, hierarchy=HIERARCHY)
    reasons = _reasons(p, "entretiens")
    assert reasons["M1"] == ""
    assert reasons["M2"] == reasons["33"] == "primaire"
    # {NAQ, 24, 33}: Gironde masked alone -> Dordogne (30 < 34) goes, then
    # {24, M3}: Dordogne masked alone -> M3
    assert reasons["24"] == reasons["M3"] == "secondaire"
    assert reasons["NAQ"] == ""


def test_distinct_counts_are_protected_as_near_additive_by_default():
    # accompanied: M1 3, M2 10, Gironde 12 (one person seen by both). 12 - 10 = 2
    # is not exactly M1 but close to it: by default M2 is masked as well.
    table = _table(jeunes_accompagnes=[3, 10, 25, 25, 12, 37])
    strict = disclosure.protect(table, hierarchy=HIERARCHY)
    assert _reasons(strict, "jeunes_accompagnes")["M2"] == "secondaire"
    loose = disclosure.protect(table, hierarchy=HIERARCHY, distinct_as_additive=False)
    assert _reasons(loose, "jeunes_accompagnes")["M2"] == ""
    assert _reasons(loose, "jeunes_accompagnes")["M1"] == "primaire"


def test_threshold_is_configurable():
    table = _table(entretiens=[10, 40, 12, 12, 50, 62])
    assert (
        _reasons(disclosure.protect(table, hierarchy=HIERARCHY), "entretiens")["M1"]
        == ""
    )
    p = disclosure.protect(table, threshold=11, hierarchy=HIERARCHY)
    assert _reasons(p, "entretiens")["M1"] == "primaire"
    with pytest.raises(DisclosureError, match="threshold 1"):
        disclosure.protect(table, threshold=1, hierarchy=HIERARCHY)


def _with_rates(table: pd.DataFrame) -> pd.DataFrame:
    return indicators._core.add_rates(table)


def test_rates_hidden_on_small_denominator_or_masked_count():
    counts = {name: [0] * 6 for name in indicators.COUNT_COLUMNS}
    # accompanied: M1 19 (below 20), M2 30, M3 40 = Dordogne, Gironde 49, region 89
    counts["jeunes_accompagnes"] = [19, 30, 40, 40, 49, 89]
    counts["jeunes_en_contact"] = counts["jeunes_accompagnes"]
    counts["entretiens"] = counts["jeunes_accompagnes"]
    # training entries: M2 3 (primary) -> rate 3/30 = 10 % would give it back;
    # M1 8, M3 0 -> rate 0 % shown (0 is not masked)
    counts["entrees_formation"] = [8, 3, 0, 0, 11, 11]
    table = _with_rates(_table(**counts))
    p = disclosure.protect(table, hierarchy=HIERARCHY)
    rates = _reasons(p, "taux_formation")
    assert rates["M1"] == "denominateur"
    assert rates["M2"] == "secondaire"
    assert rates["M3"] == ""
    # M2's 3 forces M1's 8 out too ({33, M1, M2}: 8 < 11), so Gironde's rate
    # stays (its own count 11 is shown)
    assert _reasons(p, "entrees_formation")["M1"] == "secondaire"
    assert rates["33"] == ""
    shown = disclosure.render(p).set_index("code")
    assert shown.loc["M2", "taux_formation"] == "s"
    assert shown.loc["M2", "taux_formation_ic_bas"] == "s"
    assert shown.loc["M3", "taux_formation"] == "0,0\u00a0%"
    assert shown.loc["M2", "entrees_formation"] == "< 5"
    assert shown.loc["M1", "entrees_formation"] == "s"
    assert shown.loc["NAQ", "jeunes_accompagnes"] == "89"


def test_for_csv_leaves_masked_cells_empty_with_a_flag_column():
    table = _table(
        entretiens=[3, 40, 12, 12, 43, 55], premiers_accueils=[6, 7, 8, 8, 13, 21]
    )
    out = disclosure.protect(table, hierarchy=HIERARCHY).for_csv().set_index("code")
    assert pd.isna(out.loc["M1", "entretiens"])
    assert pd.isna(out.loc["M2", "entretiens"])
    assert out.loc["33", "entretiens"] == 43
    assert out.loc["M1", disclosure.FLAG_COLUMN] == "entretiens"
    assert out.loc["M3", disclosure.FLAG_COLUMN] == ""


def test_year_to_date_minus_previous_one_gives_the_month():
    rows = [
        ("region", "NAQ", f"2023-{m:02d}", portee)
        for portee in ("mois", "cumul")
        for m in (1, 2, 3)
    ]
    table = pd.DataFrame(rows, columns=["niveau", "code", "periode", "portee"])
    # interviews add up over months: months 20, 3, 9 -> so far 20, 23, 32.
    # February's 3 is masked, but 23 - 20 would give it back: in {cumul Feb,
    # cumul Jan, mois Feb} the smallest other cell goes (cumul Jan, 20 < 23);
    # then {cumul Jan, mois Jan} (the same cell) holds cumul Jan alone -> mois
    # Jan goes; {cumul Mar, cumul Feb, mois Mar} holds nothing masked.
    table["entretiens"] = [20, 3, 9, 20, 23, 32]
    p = disclosure.protect(table)
    assert p.reasons["entretiens"].tolist() == [
        "secondaire",
        "primaire",
        "",
        "secondaire",
        "",
        "",
    ]


def test_distinct_counts_do_not_add_up_over_months():
    rows = [
        ("region", "NAQ", f"2023-{m:02d}", p) for p in ("mois", "cumul") for m in (1, 2)
    ]
    table = pd.DataFrame(rows, columns=["niveau", "code", "periode", "portee"])
    # accompanied: 30 in January, 3 in February, 31 so far: 31 - 30 = 1 is the
    # number of new people, not February's 3, so nothing more is masked
    table["jeunes_accompagnes"] = [30, 3, 30, 31]
    p = disclosure.protect(table)
    assert p.reasons["jeunes_accompagnes"].tolist() == ["", "primaire", "", ""]


def test_ml_and_department_rows_need_a_hierarchy():
    table = _table(entretiens=[3, 40, 12, 12, 43, 55])
    with pytest.raises(DisclosureError, match="hierarchy"):
        disclosure.protect(table)


def _lone_masked_cells(protected, table) -> list[tuple]:
    """Groups {department or region, its parts} holding exactly one masked cell."""
    parents = {"M1": "33", "M2": "33", "M3": "24", "24": "NAQ", "33": "NAQ"}
    counts = [c for c in indicators.COUNT_COLUMNS if c in table]
    found = []
    for (periode, portee), rows in protected.reasons.groupby(
        [table["periode"], table["portee"]]
    ):
        codes = table.loc[rows.index, "code"].tolist()
        for total in ("33", "24", "NAQ"):
            members = [total] + [c for c in codes if parents.get(c) == total]
            pos = [rows.index[codes.index(c)] for c in members]
            for col in counts:
                if (protected.reasons.loc[pos, col] != "").sum() == 1:
                    found.append((periode, portee, total, col))
    return found


def test_fixture_tables_leave_no_lone_masked_cell():
    wh = data.load(FIXTURE)
    for table in (
        indicators.compute(wh, 2023),
        indicators.compute(wh, 2023, monthly=True),
    ):
        before = table.copy()
        p = disclosure.protect(table)  # hierarchy from compute's attrs
        pd.testing.assert_frame_equal(table, before)
        assert p.n_masked > 0
        assert _lone_masked_cells(p, table) == []
        # no rate is shown over fewer than 20 people accompanied
        shown = p.reasons["taux_emploi"] == ""
        assert (table.loc[shown, "jeunes_accompagnes"] >= 20).all()


# ------------------------------------------------------------ tidy tables
def _figures(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["niveau", "code", "indicateur", "unite", "valeur", "valeur_n_1"],
    ).assign(
        annee=2023,
        evolution=lambda t: t["valeur"] - t["valeur_n_1"],
        evolution_relative=lambda t: t["valeur"] / t["valeur_n_1"] - 1,
    )


def test_key_figure_profile_share_implies_a_small_count():
    # Dordogne: 3 QPV residents out of 400 accompanied -> the share 0.75 %
    # times 400 gives the 3 back: hidden although 400 >= 20. The region's
    # share (3 + 40 = 43 of 1,000) minus Gironde's (40 of 600) would give it
    # back too: Gironde's implied count is masked as well.
    table = _figures(
        [
            ("departement", "24", "jeunes_accompagnes", "nombre", 400, 380),
            ("departement", "24", "part_qpv", "part", 3 / 400, 20 / 380),
            ("departement", "33", "jeunes_accompagnes", "nombre", 600, 610),
            ("departement", "33", "part_qpv", "part", 40 / 600, 50 / 610),
            ("region", "NAQ", "jeunes_accompagnes", "nombre", 1000, 990),
            ("region", "NAQ", "part_qpv", "part", 43 / 1000, 70 / 990),
        ]
    )
    out = disclosure.protect_figures(table).set_index(["code", "indicateur"])
    assert out.loc[("24", "part_qpv"), "valeur_masque"] == "secondaire"
    assert out.loc[("33", "part_qpv"), "valeur_masque"] == "secondaire"
    assert out.loc[("NAQ", "part_qpv"), "valeur_masque"] == ""
    assert np.isnan(out.loc[("24", "part_qpv"), "valeur"])
    # the year before had 20 and 50: nothing hidden there, but the change of a
    # hidden value is hidden
    assert out.loc[("24", "part_qpv"), "valeur_n_1_masque"] == ""
    assert np.isnan(out.loc[("24", "part_qpv"), "evolution"])
    assert out.loc[("NAQ", "part_qpv"), "evolution"] == pytest.approx(
        43 / 1000 - 70 / 990
    )


def test_key_figure_amount_is_hidden_with_its_count():
    # 2 health aids in Dordogne (primary), so Gironde's 30 goes too; their
    # amounts would give the count's people away: hidden alike
    table = _figures(
        [
            ("departement", "24", "aides_sante_nombre", "nombre", 2, 8),
            ("departement", "24", "aides_sante_montant_eur", "euros", 150, 400),
            ("departement", "33", "aides_sante_nombre", "nombre", 30, 25),
            ("departement", "33", "aides_sante_montant_eur", "euros", 2000, 1500),
            ("region", "NAQ", "aides_sante_nombre", "nombre", 32, 33),
            ("region", "NAQ", "aides_sante_montant_eur", "euros", 2150, 1900),
        ]
    )
    out = disclosure.protect_figures(table).set_index(["code", "indicateur"])
    reasons = out["valeur_masque"].to_dict()
    assert reasons[("24", "aides_sante_nombre")] == "primaire"
    assert reasons[("33", "aides_sante_nombre")] == "secondaire"
    assert reasons[("24", "aides_sante_montant_eur")] == "secondaire"
    assert reasons[("33", "aides_sante_montant_eur")] == "secondaire"
    assert reasons[("NAQ", "aides_sante_montant_eur")] == ""
    assert out.loc[("NAQ", "aides_sante_montant_eur"), "valeur"] == 2150


def test_followup_and_key_figures_of_the_fixture():
    wh = data.load(FIXTURE)
    # the whole calendar years (the fixture ends on 6 November 2023: by default
    # key_figures would compare January to October of both years)
    key = disclosure.protect_figures(indicators.key_figures(wh, 2023, months=12))
    region = key[key["code"] == "NAQ"].set_index("indicateur")
    # 2023: 13 accompanied (national definition), 3 training entrants -> count
    # masked, rate hidden (13 < 20); 2022 had 4 accompanied -> masked
    assert region.loc["jeunes_accompagnes", "valeur"] == 13
    assert region.loc["jeunes_accompagnes", "valeur_n_1_masque"] == "primaire"
    assert np.isnan(region.loc["jeunes_accompagnes", "evolution"])
    assert region.loc["entrees_formation", "valeur_masque"] == "primaire"
    assert region.loc["taux_formation", "valeur_masque"] == "denominateur"
    assert region.loc["part_qpv", "valeur_masque"] == "denominateur"
    follow = disclosure.protect_figures(indicators.monthly_followup(wh, 2023))
    shown = follow[follow["valeur_masque"] == ""]
    counts = shown[shown["indicateur"].isin(indicators.COUNT_COLUMNS)]
    assert not counts["valeur"].between(1, 4).any()
    assert not counts["valeur_n_1"].between(1, 4).any()


# ------------------------------------------------- declared structures
GRID = disclosure.Structure(
    keys=("ligne",),
    values=("x", "y", "z", "total"),
    additivity=(
        disclosure.Additivity("ligne", {"Total": ["A", "B", "C"]}),
        disclosure.Additivity(disclosure.COLUMN, {"total": ["x", "y", "z"]}),
    ),
)


def _grid() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ligne": ["A", "B", "C", "Total"],
            "x": [12, 8, 30, 50],
            "y": [3, 15, 7, 25],
            "z": [20, 9, 11, 40],
            "total": [35, 32, 48, 115],
        }
    )


def _published(table: pd.DataFrame, hidden: dict[str, list[str]]) -> pd.DataFrame:
    out = table.astype({c: float for c in ("x", "y", "z", "total")})
    for col, rows in hidden.items():
        out.loc[out["ligne"].isin(rows), col] = np.nan
    return out


def test_grid_naive_rule_leaks_and_the_declared_structure_stops_it():
    # A/y = 3 is the only small cell. Masked alone it comes back twice:
    # column y: 25 - 15 - 7 = 3; row A: 35 - 12 - 20 = 3.
    naive = _published(_grid(), {"y": ["A"]})
    found = disclosure.recoverable_cells(naive, GRID)
    assert found[["ligne", "colonne", "methode"]].values.tolist() == [
        ["A", "y", "equation"]
    ]
    assert found["borne_min"].tolist() == [3.0]
    # By hand, equations in order (columns x, y, z, total; then rows A, B, C):
    # col y {25; 3*, 15, 7}: C/y (7) goes; row A {35; 12, 3*, 20}: A/x (12);
    # row C {48; 30, 7*, 11}: C/z (11); then col x {50; 12*, 8, 30}: B/x (8);
    # col z {40; 20, 9, 11*}: B/z (9). The hidden cells close a cycle
    # A/x - A/y - C/y - C/z - B/z - B/x: each can move by the same t.
    p = disclosure.protect_table(_grid(), GRID)
    reasons = p.reasons.set_axis(_grid()["ligne"]).to_dict("index")
    assert reasons == {
        "A": {"x": "secondaire", "y": "primaire", "z": "", "total": ""},
        "B": {"x": "secondaire", "y": "", "z": "secondaire", "total": ""},
        "C": {"x": "", "y": "secondaire", "z": "secondaire", "total": ""},
        "Total": {"x": "", "y": "", "z": "", "total": ""},
    }
    assert disclosure.recoverable_cells(p).empty
    assert disclosure.recoverable_cells(p, method="intervalle").empty
    assert p.n_masked == 6  # every cell of GRID is a count


def test_checker_finds_a_cell_no_single_equation_gives_back():
    # Every row and column has 0 or at least 2 hidden cells, yet A/z is known:
    # rows A + B give A/x + A/y + A/z + B/x + B/y = 20 + 21 - 5 = 36, and
    # columns x and y give A/x + B/x + A/y + B/y = (25 - 8) + (27 - 12) = 32.
    table = pd.DataFrame(
        {
            "ligne": ["A", "B", "C", "Total"],
            "x": [10, 7, 8, 25],
            "y": [6, 9, 12, 27],
            "z": [4, 5, 6, 15],
            "total": [20, 21, 26, 67],
        }
    )
    published = _published(
        table,
        {
            "x": ["A", "B"],
            "y": ["A", "B"],
            "z": ["A", "C", "Total"],
            "total": ["C", "Total"],
        },
    )
    assert disclosure.recoverable_cells(published, GRID).empty
    found = disclosure.recoverable_cells(published, GRID, method="intervalle")
    assert found[["ligne", "colonne"]].values.tolist() == [["A", "z"]]
    assert found["borne_min"].iloc[0] == pytest.approx(4.0)
    assert found["borne_max"].iloc[0] == pytest.approx(4.0)


def test_bounds_of_the_label_can_pin_and_the_check_hides_more():
    # 8 = a + b with a and b both shown "< 5": each is 4. No equation has a
    # lone hidden cell, but the labels' bounds (1 to 4) pin both.
    structure = disclosure.Structure(
        keys=("ligne",),
        values=("a", "b", "total"),
        additivity=(disclosure.Additivity(disclosure.COLUMN, {"total": ["a", "b"]}),),
    )
    table = pd.DataFrame({"ligne": ["L"], "a": [4], "b": [4], "total": [8]})
    quick = disclosure.protect_table(table, structure, verify=False)
    assert quick.reasons.iloc[0].tolist() == ["primaire", "primaire", ""]
    assert disclosure.recoverable_cells(quick).empty
    pinned = disclosure.recoverable_cells(quick, method="intervalle")
    assert sorted(pinned["colonne"]) == ["a", "b"]
    # the check hides the total: a and b are then anything from 1 to 4
    p = disclosure.protect_table(table, structure)
    assert p.reasons.iloc[0].tolist() == ["primaire", "primaire", "secondaire"]
    assert disclosure.recoverable_cells(p, method="intervalle").empty


def test_two_levels_with_amounts_tied_to_counts():
    # aids and their amounts by ML, department (M1 + M2 = Gironde, M3 =
    # Dordogne) and region. M1 has 2 aids (primary) for 300 EUR: Gironde's
    # 4 300 EUR minus M2's 4 000 would give the amount back, and 22 - 20 the
    # count. M2 goes (count 20 < 22), and both amounts with their counts.
    table = _table()
    table["aides"] = [2, 20, 10, 10, 22, 32]
    table["montant"] = [300.0, 4000.0, 1500.0, 1500.0, 4300.0, 5800.0]
    parents = {"M1": "33", "M2": "33", "M3": "24", "24": "NAQ", "33": "NAQ"}
    structure = disclosure.Structure(
        keys=("code",),
        values=("aides", "montant"),
        counts={disclosure.COLUMN: ["aides"]},
        additivity=(disclosure.Additivity.from_parents("code", parents),),
        links=(disclosure.Link(disclosure.COLUMN, {"montant": ["aides"]}),),
    )
    naive = table.assign(aides=table["aides"].where(table["code"] != "M1"))
    naive["montant"] = naive["montant"].where(table["code"] != "M1")
    leaks = disclosure.recoverable_cells(naive, structure)
    assert sorted(leaks["colonne"]) == ["aides", "montant"]
    p = disclosure.protect_table(table, structure)
    assert _reasons(p, "aides") == {
        "M1": "primaire",
        "M2": "secondaire",
        "M3": "",
        "24": "",
        "33": "",
        "NAQ": "",
    }
    assert _reasons(p, "montant")["M1"] == _reasons(p, "montant")["M2"] == "secondaire"
    assert p.n_masked == 2  # amounts are not counts
    assert disclosure.recoverable_cells(p, method="intervalle").empty
    shown = p.masked_values().set_index("code")
    assert disclosure.is_protected(shown.reset_index())
    assert shown.loc["33", "montant"] == 4300.0


def test_a_linked_table_across_years():
    # entries in 2022 and 2023, their sum over the two years and the change.
    # A has 3 in 2022 (primary). Row A: 13 - 10 would give it back, column
    # 2022: 23 - 20. By hand: col 2022 hides B/2022 (20 < 23), row A hides
    # A/2023 (10 < 13), row B hides B/2023 (25 < 45): a cycle. The change of
    # A (10 - 3 = 7) with A's two-year total (13) would give 3 back: it is
    # hidden with its years, and so is B's; the Ensemble change is shown.
    table = pd.DataFrame(
        {
            "ligne": ["A", "B", "Ensemble"],
            "n_2022": [3, 20, 23],
            "n_2023": [10, 25, 35],
            "n_deux_ans": [13, 45, 58],
            "evolution": [7, 5, 12],
        }
    )
    structure = disclosure.Structure(
        keys=("ligne",),
        values=("n_2022", "n_2023", "n_deux_ans", "evolution"),
        counts={disclosure.COLUMN: ["n_2022", "n_2023", "n_deux_ans"]},
        additivity=(
            disclosure.Additivity("ligne", {"Ensemble": ["A", "B"]}),
            disclosure.Additivity(
                disclosure.COLUMN, {"n_deux_ans": ["n_2022", "n_2023"]}
            ),
        ),
        links=(
            disclosure.Link(disclosure.COLUMN, {"evolution": ["n_2022", "n_2023"]}),
        ),
    )
    p = disclosure.protect_table(table, structure)
    assert p.reasons.to_numpy().tolist() == [
        ["primaire", "secondaire", "", "secondaire"],
        ["secondaire", "secondaire", "", "secondaire"],
        ["", "", "", ""],
    ]
    assert disclosure.recoverable_cells(p, method="intervalle").empty


def test_aids_by_type_with_their_total_in_key_figures():
    # The ML23A defect: "toutes" is the sum of the types, so one masked type
    # comes back by subtraction (103 - 100 = 3 aids, 3 690 - 3 000 EUR).
    rows = []
    for code, niveau, permis, mobilite in (
        ("M1", "ml", (100, 3000.0), (3, 690.0)),
        ("M2", "ml", (50, 1500.0), (10, 2000.0)),
        ("33", "departement", (150, 4500.0), (13, 2690.0)),
        ("NAQ", "region", (150, 4500.0), (13, 2690.0)),
    ):
        for kind, (n, eur) in (
            ("permis_b", permis),
            ("mobilite_internationale", mobilite),
        ):
            rows.append((niveau, code, f"aides_{kind}_nombre", "nombre", n))
            rows.append((niveau, code, f"aides_{kind}_montant_eur", "euros", eur))
        rows.append(
            (niveau, code, "aides_total_nombre", "nombre", permis[0] + mobilite[0])
        )
        rows.append(
            (niveau, code, "aides_total_montant_eur", "euros", permis[1] + mobilite[1])
        )
    table = pd.DataFrame(
        rows, columns=["niveau", "code", "indicateur", "unite", "valeur"]
    ).assign(annee=2023, theme="aides")
    hierarchy = pd.DataFrame(
        {
            "niveau": ["ml", "ml"],
            "code": ["M1", "M2"],
            "niveau_parent": ["departement"] * 2,
            "code_parent": ["33"] * 2,
        }
    )
    out = disclosure.protect_figures(table, hierarchy=hierarchy)
    reasons = out.set_index(["code", "indicateur"])["valeur_masque"].to_dict()
    # M1's 3: its total (103) minus permis B (100) -> permis B goes too (the
    # smaller part); Gironde's mobility (13) minus M2's (10) -> M2's goes
    assert reasons[("M1", "aides_mobilite_internationale_nombre")] == "primaire"
    assert reasons[("M1", "aides_permis_b_nombre")] == "secondaire"
    assert reasons[("M2", "aides_mobilite_internationale_nombre")] == "secondaire"
    assert reasons[("M1", "aides_mobilite_internationale_montant_eur")] == "secondaire"
    assert reasons[("M1", "aides_total_nombre")] == ""
    published = out.assign(periode="2023", portee="annee")
    structure = out.attrs[disclosure.MARKER]["structure"]
    assert disclosure.recoverable_cells(published, structure).empty
    assert disclosure.recoverable_cells(published, structure, method="intervalle").empty


def test_unprotected_tables_carry_no_marker():
    assert not disclosure.is_protected(_grid())
    p = disclosure.protect_table(_grid(), GRID)
    assert disclosure.is_protected(p.masked_values())
    assert disclosure.is_protected(disclosure.render(p))
    assert disclosure.is_protected(disclosure.mark(_grid(), p))
    with pytest.raises(DisclosureError, match="repeats"):
        disclosure.protect_table(pd.concat([_grid(), _grid()]), GRID)


def test_marked_table_keeps_its_declared_structure_through_pandas_operations():
    # pandas deep-copies attrs after each operation: the structure is shared,
    # not copied (a declaration never changes), and the marker survives
    structure = disclosure.Structure(
        keys=("ligne",),
        values=("x", "y"),
        additivity=(disclosure.Additivity("ligne", {"Total": ["A", "B"]}),),
    )
    frame = pd.DataFrame({"ligne": ["A", "B", "Total"], "x": [1, 2, 3], "y": [4, 5, 9]})
    disclosure.mark(frame, structure=structure, threshold=5)
    derived = frame[frame["x"] > 1].rename(columns={"y": "z"})
    assert disclosure.is_protected(derived)
    assert derived.attrs[disclosure.MARKER]["structure"] is structure
    assert derived.attrs[disclosure.MARKER] is not frame.attrs[disclosure.MARKER]
