"""Contract indicators on the hand-built extract ``tests/fixtures/indicateurs``.

Every expected number below is worked out by hand from the fixture (its README
lists who is there for which case); the comments give the reasoning. The last
tests check that the fast implementation and the plain pandas reference agree on
a small synthetic warehouse.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from observatoire import data, indicators, synthetic
from observatoire.exceptions import ParamsError
from observatoire.indicators._reference import compute_reference

FIXTURE = Path(__file__).parent / "fixtures" / "indicateurs"


@pytest.fixture(scope="module")
def wh() -> data.Warehouse:
    warehouse = data.load(FIXTURE)
    assert warehouse.n_rejected == 0
    return warehouse


@pytest.fixture(scope="module")
def annual(wh) -> pd.DataFrame:
    return indicators.compute(wh, 2023)


@pytest.fixture(scope="module")
def monthly(wh) -> pd.DataFrame:
    return indicators.compute(wh, 2023, monthly=True)


def _row(table: pd.DataFrame, code: str, periode: str = "2023", portee: str = "annee"):
    hit = table[
        (table["code"] == code)
        & (table["periode"] == periode)
        & (table["portee"] == portee)
    ]
    assert len(hit) == 1, (code, periode, portee)
    return hit.iloc[0]


def _series(table: pd.DataFrame, code: str, portee: str, column: str) -> list[int]:
    rows = table[(table["code"] == code) & (table["portee"] == portee)]
    return rows.sort_values("periode")[column].astype(int).tolist()


# ------------------------------------------------------------------ shape
def test_columns_rows_and_order(annual):
    assert list(annual.columns) == list(indicators.OUTPUT_COLUMNS)
    assert list(annual.columns[:5]) == [
        "niveau",
        "code",
        "libelle",
        "periode",
        "portee",
    ]
    # MLs by code, departments in contract order (24 before 33), then the region
    assert annual["code"].tolist() == ["M1", "M2", "M3", "24", "33", "NAQ"]
    assert annual["niveau"].tolist() == ["ml"] * 3 + ["departement"] * 2 + ["region"]
    assert annual.loc[3, "libelle"] == "Dordogne"
    assert annual.loc[5, "libelle"] == "Nouvelle-Aquitaine"
    assert set(annual["portee"]) == {"annee"}
    for col in indicators.COUNT_COLUMNS:
        assert annual[col].dtype == np.int64


def test_monthly_has_12_mois_and_12_cumul_rows_per_unit(monthly, annual):
    assert len(monthly) == 6 * 24
    per_unit = monthly.groupby(["code", "portee"]).size()
    assert (per_unit == 12).all()
    # the annual row is the December year-to-date row
    december = monthly[
        (monthly["periode"] == "2023-12") & (monthly["portee"] == "cumul")
    ]
    counts = list(indicators.COUNT_COLUMNS)
    np.testing.assert_array_equal(
        december[counts].to_numpy(), annual[counts].to_numpy()
    )


def test_bad_period_is_a_params_error(wh):
    with pytest.raises(ParamsError, match="2023-13"):
        indicators.compute(wh, "2023-13")
    with pytest.raises(ParamsError, match="last year"):
        indicators.compute(wh, "last year")


def test_compute_does_not_touch_its_input(wh):
    before = wh.evenements.copy()
    indicators.compute(wh, 2023, monthly=True)
    pd.testing.assert_frame_equal(wh.evenements, before)


# ------------------------------------------------------------ annual counts
def test_activity_counts_2023(annual):
    # M1 events 2023: J01 (Jan), J02 (Feb), J03 x2 (Aug), J09 (May), J11 (Jun)
    # interviews, J14 phone call -> 6 in contact, 5 accompanied, 6 interviews;
    # first receptions of files held by M1 in 2023: J01, J09, J11, J14 -> 4
    # (J02 was received in 2022, J03 in 2021).
    assert _row(annual, "M1")[
        ["jeunes_en_contact", "jeunes_accompagnes", "premiers_accueils", "entretiens"]
    ].tolist() == [6, 5, 4, 6]
    # M2: J01 (Mar), J07 x2, J10 interviews; J05 only a workshop: accompanied
    # under the national definition (a workshop counts) -> 4 in contact, 4
    # accompanied, 4 interviews; first receptions J05, J07, J10 -> 3.
    assert _row(annual, "M2")[
        ["jeunes_en_contact", "jeunes_accompagnes", "premiers_accueils", "entretiens"]
    ].tolist() == [4, 4, 3, 4]
    # M3: J04, J06, J08 x3, J12, J15 interviews (J06's Dec 2022 one is out);
    # first receptions 2023: J12, J15.
    assert _row(annual, "M3")[
        ["jeunes_en_contact", "jeunes_accompagnes", "premiers_accueils", "entretiens"]
    ].tolist() == [5, 5, 2, 7]
    # Gironde = M1 + M2, but J01 (seen by both) counts once: 6 + 4 - 1 = 9 in
    # contact, 5 + 4 - 1 = 8 accompanied; interviews and first receptions add up.
    assert _row(annual, "33")[
        ["jeunes_en_contact", "jeunes_accompagnes", "premiers_accueils", "entretiens"]
    ].tolist() == [9, 8, 7, 10]
    # Dordogne holds only M3.
    assert _row(annual, "24")[
        ["jeunes_en_contact", "jeunes_accompagnes", "premiers_accueils", "entretiens"]
    ].tolist() == [5, 5, 2, 7]
    assert _row(annual, "NAQ")[
        ["jeunes_en_contact", "jeunes_accompagnes", "premiers_accueils", "entretiens"]
    ].tolist() == [14, 13, 9, 17]


ENTRIES = [
    "entrees_formation",
    "entrees_formation_region",
    "entrees_alternance",
    "entrees_emploi",
    "entrees_emploi_durable",
    "entrees_emploi_sortants_formation_region",
]


def test_entries_2023_per_ml(annual):
    # M1 accompanied J01 J02 J03 J09 J11.
    # formation: J01 (Apr, region) and J11 (Mar, region; accompanied only in
    # June, but both fall in 2023) -> 2, both region-funded; J02's training is
    # only `prevue` -> no.
    # emploi: J03 (CDD 91 days: not durable; starts 183 days after a region
    # training ended: after-training) and J09 (CDI: durable) -> 2, 1, 1.
    assert _row(annual, "M1")[ENTRIES].tolist() == [2, 2, 0, 2, 1, 1]
    # M2 accompanied J01 J05 J07 J10: J01 counts here too (accompanied at M2 in
    # March); J07 entered twice (Feb region, Sep France Travail) -> once;
    # J10's apprenticeship is `abandonnee` but did start -> 1. J05 (a
    # workshop in April: accompanied) started a CDI in May: a durable job.
    assert _row(annual, "M2")[ENTRIES].tolist() == [2, 2, 1, 1, 1, 0]
    # M3 accompanied J04 J06 J08 J12 J15: J06's training began 2022-12-12 ->
    # not a 2023 entry; emploi J04 (CDD 184 days: durable; 200 days after its
    # training: not after-training) and J12 (11-day interim).
    assert _row(annual, "M3")[ENTRIES].tolist() == [0, 0, 0, 2, 1, 0]


def test_entries_2023_department_and_region(annual):
    # Gironde: J01 entered a training and was accompanied by M1 and M2: once,
    # so 2 + 2 - 1 = 3 (J01, J07, J11), all region-funded; jobs J03 J09 (M1)
    # and J05 (M2), durable J09 J05.
    assert _row(annual, "33")[ENTRIES].tolist() == [3, 3, 1, 3, 2, 1]
    assert _row(annual, "24")[ENTRIES].tolist() == [0, 0, 0, 2, 1, 0]
    # region: formation J01 J07 J11; emploi J03 J04 J05 J09 J12, durable J04
    # J05 J09, after a region training J03 only.
    assert _row(annual, "NAQ")[ENTRIES].tolist() == [3, 3, 1, 5, 3, 1]


def test_rates_and_wilson_bounds(annual):
    row = _row(annual, "NAQ")
    # 3 training entrants, 1 work-study, 5 jobs over 13 people accompanied
    assert row["taux_formation"] == pytest.approx(3 / 13)
    assert row["taux_formation_region"] == pytest.approx(3 / 13)
    assert row["taux_alternance"] == pytest.approx(1 / 13)
    assert row["taux_emploi"] == pytest.approx(5 / 13)
    low, high = proportion_confint(5, 13, alpha=0.05, method="wilson")
    assert row["taux_emploi_ic_bas"] == pytest.approx(low)
    assert row["taux_emploi_ic_haut"] == pytest.approx(high)
    # M1: 2 of 5
    assert _row(annual, "M1")["taux_formation"] == pytest.approx(2 / 5)


def test_rate_is_missing_without_anyone_accompanied(wh):
    # nobody was accompanied in April 2023 at M3 (J08 stopped in March)
    row = _row(indicators.compute(wh, "2023-04"), "M3", "2023-04", "mois")
    assert row["jeunes_accompagnes"] == 0
    assert np.isnan(row["taux_formation"])
    assert np.isnan(row["taux_formation_ic_bas"])


def test_previous_year_december_entry(wh):
    # 2022: J06 accompanied at M3 in December and entered a training on
    # 2022-12-12 -> 1 entry at M3 in 2022; J03/J04's 2022 trainings began in
    # September but neither was accompanied in 2022.
    row = _row(indicators.compute(wh, 2022), "M3", "2022")
    assert row["entrees_formation"] == 1
    assert row["entrees_formation_region"] == 0
    assert _row(indicators.compute(wh, 2022), "NAQ", "2022")["entrees_formation"] == 1


# ------------------------------------------------------------ months, cumul
def test_distinct_people_over_months(monthly):
    # M3 accompanied: Jan J06 J08, Feb J08, Mar J08, May J12, Aug J04, Nov J15
    assert _series(monthly, "M3", "mois", "jeunes_accompagnes") == [
        2, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0
    ]  # fmt: skip
    # year to date: J08 counts once although seen three months running
    assert _series(monthly, "M3", "cumul", "jeunes_accompagnes") == [
        2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5
    ]  # fmt: skip
    # interviews are events: the year to date is the running sum (J08: 3)
    assert _series(monthly, "M3", "cumul", "entretiens") == [
        2, 3, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7
    ]  # fmt: skip
    # region, March year to date: J01 J06 J08 (Jan), J02 J07 (Feb), J01 again
    # at M2 in March -> 5, not 3 + 3 + 2 = 8
    assert _row(monthly, "NAQ", "2023-03", "cumul")["jeunes_accompagnes"] == 5


def test_entries_by_month_and_year_to_date(monthly):
    # M1: J01 accompanied Jan, entered Apr -> counts from April; J11 entered
    # Mar, accompanied Jun -> from June. Never both in the same month.
    assert _series(monthly, "M1", "cumul", "entrees_formation") == [
        0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2
    ]  # fmt: skip
    assert _series(monthly, "M1", "mois", "entrees_formation") == [0] * 12
    # M2: J07 accompanied and entered in Feb, again both in Sep; J01
    # accompanied at M2 in March, entered in April -> from April
    assert _series(monthly, "M2", "mois", "entrees_formation") == [
        0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
    ]  # fmt: skip
    assert _series(monthly, "M2", "cumul", "entrees_formation") == [
        0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2
    ]  # fmt: skip
    # region: J07 from Feb, J01 from Apr, J11 from Jun; J07's second entry in
    # September adds nobody
    assert _series(monthly, "NAQ", "cumul", "entrees_formation") == [
        0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3
    ]  # fmt: skip


def test_a_month_gives_its_mois_and_cumul_rows(wh):
    table = indicators.compute(wh, "2023-03")
    assert len(table) == 12
    # M2 in contact, March alone: J01; January to March: J07 (Feb) and J01
    assert _row(table, "M2", "2023-03", "mois")["jeunes_en_contact"] == 1
    assert _row(table, "M2", "2023-03", "cumul")["jeunes_en_contact"] == 2


# ------------------------------------------------------------ key figures
@pytest.fixture(scope="module")
def key(wh) -> pd.DataFrame:
    # the fixture ends on 6 November 2023: by default key_figures compares
    # January to October of both years (tests below); these tests pin the
    # figures of the whole calendar years, asked for explicitly
    return indicators.key_figures(wh, 2023, months=12)


def _kf(key: pd.DataFrame, code: str, name: str) -> pd.Series:
    hit = key[(key["code"] == code) & (key["indicateur"] == name)]
    assert len(hit) == 1, (code, name)
    return hit.iloc[0]


def test_key_figures_shape(key):
    assert list(key.columns) == list(indicators.KEY_FIGURE_COLUMNS)
    assert set(key["niveau"]) == {"departement", "region"}
    assert (key["annee"] == 2023).all()


def test_key_figures_activity_with_change(key):
    # 2022: contact J02 (M1), J13 (M2), J06 J08 (M3) -> 4; accompanied J02 J13
    # J06, and J08 (a workshop in March) -> 4; interviews E08 E19 E22 -> 3;
    # first receptions J02 J06 J08 J13 -> 4
    for name, now, before in [
        ("jeunes_en_contact", 14, 4),
        ("jeunes_accompagnes", 13, 4),
        ("premiers_accueils", 9, 4),
        ("entretiens", 17, 3),
        ("entretiens_par_jeune_accompagne", 17 / 13, 3 / 4),
    ]:
        row = _kf(key, "NAQ", name)
        assert row["valeur"] == pytest.approx(now), name
        assert row["valeur_n_1"] == pytest.approx(before), name
        assert row["evolution"] == pytest.approx(now - before), name
        assert row["evolution_relative"] == pytest.approx((now - before) / before)


def test_key_figures_profile_of_the_accompanied(key):
    # the 13 accompanied in 2023: J01 J02 J03 J04 J05 J06 J07 J08 J09 J10 J11
    # J12 J15 (J05 through a workshop); women J01 J03 J05 J07 J11 J12; age at
    # first reception: under 18 J05 (17: birthday on 1 June not reached on 12
    # April), J06 (16), J08 (15), J10 (17); 18-21 J01 J02 J03 J07 J09 J12 J15
    # (19: birthday on 20 Nov not reached on 6 Nov); 22-25 J04; 26+ J11; NEET
    # all but J05 and J09; no diploma J01 J04 J06 J08 J10; not registered J01
    # J04 J05 J06 J08 J10 J12; ZRR J04 J06 J08 J12 J15; QPV J01 J07.
    expected = {
        "part_femmes": 6,
        "part_age_16_17": 4,
        "part_age_18_21": 7,
        "part_age_22_25": 1,
        "part_age_26_plus": 1,
        "part_neet": 11,
        "part_sans_diplome": 5,
        "part_non_inscrits_france_travail": 7,
        "part_zrr": 5,
        "part_qpv": 2,
    }
    for name, hits in expected.items():
        row = _kf(key, "NAQ", name)
        assert row["unite"] == "part"
        assert row["valeur"] == pytest.approx(hits / 13), name
        low, high = proportion_confint(hits, 13, alpha=0.05, method="wilson")
        assert row["ic_bas"] == pytest.approx(low), name
        assert row["ic_haut"] == pytest.approx(high), name


def test_key_figures_schemes_and_aids(key):
    # PACEA 2023: J01 (file at M1, Gironde); CEJ 2023: J01 J03 (Gironde), J12
    # (Dordogne); 2022: CEJ J06 (Dordogne)
    assert _kf(key, "33", "entrees_pacea")["valeur"] == 1
    assert _kf(key, "33", "entrees_cej")["valeur"] == 2
    assert _kf(key, "24", "entrees_cej")["valeur"] == 1
    assert _kf(key, "NAQ", "entrees_cej")[["valeur", "valeur_n_1"]].tolist() == [3, 1]
    # permis B 2023: two for J01 (1,200 + 300 EUR), one for J04 without amount
    row = _kf(key, "NAQ", "aides_permis_b_nombre")
    assert row[["valeur", "valeur_n_1"]].tolist() == [3, 1]
    row = _kf(key, "NAQ", "aides_permis_b_montant_eur")
    assert row[["valeur", "valeur_n_1"]].tolist() == [1500, 1000]
    assert _kf(key, "NAQ", "beneficiaires_permis_b")["valeur"] == 2
    assert _kf(key, "33", "beneficiaires_permis_b")["valeur"] == 1
    # all aids: 3 permis B + J09's health aid (50 EUR)
    assert _kf(key, "NAQ", "aides_total_nombre")["valeur"] == 4
    assert _kf(key, "NAQ", "aides_total_montant_eur")["valeur"] == 1550


def test_key_figures_entries_and_rates(key):
    assert _kf(key, "NAQ", "entrees_formation")[["valeur", "valeur_n_1"]].tolist() == [
        3,
        1,
    ]
    row = _kf(key, "NAQ", "taux_formation")
    # 3/13 now, 1/4 (J06 of J02 J06 J08 J13) in 2022
    assert row["valeur"] == pytest.approx(3 / 13)
    assert row["evolution"] == pytest.approx(3 / 13 - 1 / 4)


def test_key_figures_of_a_year_not_over_compare_the_same_months(wh):
    # The fixture ends on 6 November 2023 (its last contact): the latest complete
    # month is October, so 2023 is compared January to October with January to
    # October 2022, never with the whole of 2022.
    assert wh.coverage.covers(2023) == "partial"
    assert indicators.months_compared(wh, 2023) == 10
    assert indicators.months_compared(wh, 2022) == 12
    key = indicators.key_figures(wh, 2023, levels=("ml", "departement", "region"))
    assert key.attrs["mois"] == 10
    # 2023, January to October: J15 (first reception and interview on 6 Nov,
    # M3) is out -> 13 in contact, 12 accompanied, 8 first receptions, 16
    # interviews. 2022, January to October: J06's interview of 5 December and
    # first reception are out -> contact and accompanied J02 J08 J13 (J08 by a
    # workshop, J13 by an information session), first receptions J02 J08 J13,
    # interviews E19 E22.
    for name, now, before in [
        ("jeunes_en_contact", 13, 3),
        ("jeunes_accompagnes", 12, 3),
        ("premiers_accueils", 8, 3),
        ("entretiens", 16, 2),
        ("entretiens_par_jeune_accompagne", 16 / 12, 2 / 3),
    ]:
        row = _kf(key, "NAQ", name)
        assert row["valeur"] == pytest.approx(now), name
        assert row["valeur_n_1"] == pytest.approx(before), name
        assert row["evolution_relative"] == pytest.approx((now - before) / before)
    # M3 without J15: J04 J06 J08 J12 accompanied in 2023; J08 only in 2022
    assert _kf(key, "M3", "jeunes_accompagnes")[["valeur", "valeur_n_1"]].tolist() == [
        4,
        1,
    ]
    # training entries: J01 (April), J07 (February), J11 (March) of 12; in 2022
    # J06's entry of 12 December falls outside January to October: 0 of 3
    row = _kf(key, "NAQ", "taux_formation")
    assert row["valeur"] == pytest.approx(3 / 12)
    assert row["valeur_n_1"] == pytest.approx(0.0)
    assert row["evolution"] == pytest.approx(3 / 12)
    # the profile of the 12: J15 (man, 19, NEET, ZRR) leaves the shares
    assert _kf(key, "NAQ", "part_femmes")["valeur"] == pytest.approx(6 / 12)
    assert _kf(key, "NAQ", "part_zrr")["valeur"] == pytest.approx(4 / 12)
    assert _kf(key, "NAQ", "part_age_18_21")["valeur"] == pytest.approx(6 / 12)
    assert _kf(key, "NAQ", "part_neet")["valeur"] == pytest.approx(10 / 12)
    # schemes and aids by date: the 2023 ones all fall by October; J06's CEJ
    # (20 Dec 2022) and permis B (15 Dec 2022, 1 000 EUR) are out of 2022
    assert _kf(key, "NAQ", "entrees_cej")[["valeur", "valeur_n_1"]].tolist() == [3, 0]
    row = _kf(key, "NAQ", "aides_permis_b_nombre")
    assert row[["valeur", "valeur_n_1"]].tolist() == [3, 0]
    row = _kf(key, "NAQ", "aides_permis_b_montant_eur")
    assert row[["valeur", "valeur_n_1"]].tolist() == [1500, 0]
    assert np.isnan(row["evolution_relative"])  # no base to divide by


def test_key_figures_of_chosen_months(wh):
    # January to March of both years: 2023 J01 J02 J06 J07 J08 accompanied
    # (E01-E03, E09, E10, E12-E14), 2022 J02 J08 J13; PACEA J01 (1 Feb 2023)
    key = indicators.key_figures(wh, 2023, months=3)
    assert key.attrs["mois"] == 3
    row = _kf(key, "NAQ", "jeunes_accompagnes")
    assert row[["valeur", "valeur_n_1"]].tolist() == [5, 3]
    assert _kf(key, "NAQ", "entretiens")[["valeur", "valeur_n_1"]].tolist() == [8, 2]
    assert _kf(key, "33", "entrees_pacea")["valeur"] == 1
    # CEJ J03 (1 March) only; J01's (September) and J12's (June) come later
    assert _kf(key, "NAQ", "entrees_cej")["valeur"] == 1
    # no aid before May 2023
    assert _kf(key, "NAQ", "aides_total_nombre")["valeur"] == 0
    for bad in (0, 13):
        with pytest.raises(ValueError, match="months must be 1 to 12"):
            indicators.key_figures(wh, 2023, months=bad)


def test_key_figures_without_previous_year_coverage(wh):
    # the extract starts in January 2022: 2022 has no year before it
    key = indicators.key_figures(wh, 2022)
    assert key["valeur_n_1"].isna().all()
    assert key["evolution"].isna().all()


# ------------------------------------------------------- monthly follow-up
def test_monthly_followup_march(wh):
    f = indicators.monthly_followup(wh, 2023, 3)
    assert list(f.columns) == list(indicators.FOLLOWUP_COLUMNS)

    def get(code, portee, name):
        hit = f[
            (f["code"] == code) & (f["portee"] == portee) & (f["indicateur"] == name)
        ]
        assert len(hit) == 1
        return hit.iloc[0]

    # M1 accompanied, March 2023: nobody; March 2022: J02 -> -1, -100 %
    row = get("M1", "mois", "jeunes_accompagnes")
    assert row[
        ["valeur", "valeur_n_1", "evolution", "evolution_relative"]
    ].tolist() == [
        0,
        1,
        -1,
        -1,
    ]
    # M1 January-March: J01 J02 in 2023, J02 in 2022 -> +1, +100 %
    row = get("M1", "cumul", "jeunes_accompagnes")
    assert row[
        ["valeur", "valeur_n_1", "evolution", "evolution_relative"]
    ].tolist() == [
        2,
        1,
        1,
        1,
    ]
    # M3 March: J08 accompanied now (interview) and in March 2022 (a
    # workshop, which the national definition counts) -> 1 against 1
    row = get("M3", "mois", "jeunes_accompagnes")
    assert row[
        ["valeur", "valeur_n_1", "evolution", "evolution_relative"]
    ].tolist() == [1, 1, 0, 0]
    assert get("M3", "mois", "jeunes_en_contact")[
        ["valeur", "valeur_n_1"]
    ].tolist() == [
        1,
        1,
    ]


def test_monthly_followup_every_month(wh):
    f = indicators.monthly_followup(wh, 2023)
    # 6 units x 12 months x 2 scopes x (10 counts + 4 rates)
    assert len(f) == 6 * 12 * 2 * 14
    one = indicators.monthly_followup(wh, 2023, 3)
    same = f[f["periode"] == "2023-03"].reset_index(drop=True)
    pd.testing.assert_frame_equal(same, one.reset_index(drop=True))
    # M2 interviews, months of 2023 against 2022: Feb J07 (1 vs 0), Mar J01
    # (1 vs J13 1)
    rows = f[
        (f["code"] == "M2")
        & (f["portee"] == "mois")
        & (f["indicateur"] == "entretiens")
    ]
    assert rows["valeur"].tolist()[:3] == [0, 1, 1]
    assert rows["valeur_n_1"].tolist()[:3] == [0, 0, 1]


def test_monthly_followup_bad_month(wh):
    with pytest.raises(ParamsError, match="month 13"):
        indicators.monthly_followup(wh, 2023, 13)


# ---------------------------------------------- fast against the reference
@pytest.fixture(scope="module")
def small_synthetic(tmp_path_factory) -> data.Warehouse:
    out = tmp_path_factory.mktemp("synthetique")
    synthetic.generate(out, seed=11, years=(2022, 2023), scale=0.02)
    return data.load(out)


@pytest.mark.parametrize(
    "period,monthly", [(2023, False), (2023, True), ("2022-07", False)]
)
def test_fast_and_reference_agree_on_synthetic(small_synthetic, period, monthly):
    fast = indicators.compute(small_synthetic, period, monthly=monthly)
    slow = compute_reference(small_synthetic, period, monthly=monthly)
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, rtol=1e-12)
    assert fast["entrees_formation"].sum() > 0  # the comparison is not vacuous


def test_fast_and_reference_agree_on_fixture(wh):
    for period, monthly in [(2023, True), (2022, False)]:
        pd.testing.assert_frame_equal(
            indicators.compute(wh, period, monthly=monthly),
            compute_reference(wh, period, monthly=monthly),
            check_exact=False,
            rtol=1e-12,
        )


def test_key_figures_at_ml_level(wh):
    key = indicators.key_figures(
        wh, 2023, levels=("ml", "departement", "region"), months=12
    )
    assert set(key["niveau"]) == {"ml", "departement", "region"}
    # ML activity is compute's: M1 6 in contact, 5 accompanied, 4 first
    # receptions, 6 interviews (see test_activity_counts_2023)
    for name, value in [
        ("jeunes_en_contact", 6),
        ("jeunes_accompagnes", 5),
        ("premiers_accueils", 4),
        ("entretiens", 6),
    ]:
        assert _kf(key, "M1", name)["valeur"] == value, name
    # M2 accompanied J01 J05 J07 J10: women J01 J05 J07 -> 3 / 4
    assert _kf(key, "M2", "part_femmes")["valeur"] == pytest.approx(3 / 4)
    # aids and schemes go to the ML holding the file: J01's two permis B at M1,
    # J04's at M3; CEJ 2023 J01 and J03 (files at M1), J12 (M3)
    assert _kf(key, "M1", "aides_permis_b_nombre")["valeur"] == 2
    assert _kf(key, "M2", "aides_permis_b_nombre")["valeur"] == 0
    assert _kf(key, "M3", "aides_permis_b_nombre")["valeur"] == 1
    assert _kf(key, "M1", "entrees_cej")["valeur"] == 2
    assert _kf(key, "M3", "entrees_cej")["valeur"] == 1
    with pytest.raises(ValueError, match="unknown level"):
        indicators.key_figures(wh, 2023, levels=("commune",))


def test_reused_counts_follow_the_tables(wh):
    # compute reuses the counts of the last tables seen: a warehouse with other
    # situations (J09's CDI removed) must be counted again, not served stale
    import dataclasses

    before = _row(indicators.compute(wh, 2023), "M1")["entrees_emploi"]
    situations = wh.situations[wh.situations["id_situation"] != "S11"].copy()
    other = dataclasses.replace(wh, situations=situations)
    assert _row(indicators.compute(other, 2023), "M1")["entrees_emploi"] == before - 1
    assert _row(indicators.compute(wh, 2023), "M1")["entrees_emploi"] == before


# ------------------------------------------------------ who is accompanied
STRICT = ["entretien_individuel"]


def test_strict_definition_is_a_parameter_away(wh):
    # individual interviews only: J05 (workshop) is no longer accompanied at
    # M2, nor J08 in 2022 (workshop) or J13 in January 2022 (information)
    annual = indicators.compute(wh, 2023, accompagnement=STRICT)
    assert annual.attrs["accompagnement"] == STRICT
    cols = [
        "jeunes_en_contact",
        "jeunes_accompagnes",
        "premiers_accueils",
        "entretiens",
    ]
    assert _row(annual, "M2")[cols].tolist() == [4, 3, 3, 4]
    assert _row(annual, "NAQ")[cols].tolist() == [14, 12, 9, 17]
    # J05's CDI no longer counts
    assert _row(annual, "M2")[ENTRIES].tolist() == [2, 2, 1, 0, 0, 0]
    assert _row(annual, "NAQ")[ENTRIES].tolist() == [3, 3, 1, 4, 2, 1]
    assert _row(annual, "NAQ")["taux_emploi"] == pytest.approx(4 / 12)
    # the whole calendar year, as compute's annual row above
    key = indicators.key_figures(wh, 2023, accompagnement=STRICT, months=12)
    assert _kf(key, "NAQ", "jeunes_accompagnes")[["valeur", "valeur_n_1"]].tolist() == [
        12,
        3,
    ]
    assert _kf(key, "NAQ", "part_femmes")["valeur"] == pytest.approx(5 / 12)
    f = indicators.monthly_followup(wh, 2023, 3, accompagnement=STRICT)
    row = f[
        (f["code"] == "M3")
        & (f["portee"] == "mois")
        & (f["indicateur"] == "jeunes_accompagnes")
    ].iloc[0]
    assert row[["valeur", "valeur_n_1"]].tolist() == [1, 0]
    # the national definition is the default, counted afresh (not served stale)
    assert _row(indicators.compute(wh, 2023), "NAQ")["jeunes_accompagnes"] == 13


def test_a_block_of_code_can_set_the_definition(wh):
    with indicators.accompaniment(STRICT):
        assert _row(indicators.compute(wh, 2023), "NAQ")["jeunes_accompagnes"] == 12
        # an explicit argument wins over the block
        national = indicators.compute(
            wh, 2023, accompagnement=list(indicators.NATIONAL_ACCOMPANIMENT)
        )
        assert _row(national, "NAQ")["jeunes_accompagnes"] == 13
    assert indicators.current_accompaniment() == indicators.NATIONAL_ACCOMPANIMENT


def test_workshop_only_definition_counts_the_workshops(wh):
    # 2023 workshops: J05 (M2, April) only
    table = indicators.compute(wh, 2023, accompagnement=["atelier"])
    assert _row(table, "M2")["jeunes_accompagnes"] == 1
    assert _row(table, "NAQ")["jeunes_accompagnes"] == 1
    assert _row(table, "M1")["jeunes_accompagnes"] == 0


def test_bad_definition_is_a_params_error(wh):
    with pytest.raises(ParamsError, match="'entretien' is not an event type"):
        indicators.compute(wh, 2023, accompagnement=["entretien"])
    with pytest.raises(ParamsError, match="empty list"):
        indicators.compute(wh, 2023, accompagnement=[])
    with pytest.raises(ParamsError, match="are not event types"):
        indicators.check_accompaniment(["a", "b"])


def test_the_definition_in_force_in_french():
    national = indicators.accompaniment_sentence()
    assert (
        "au moins un entretien individuel, un atelier ou une information collective"
        in national
    )
    assert "définition nationale" in national
    strict = indicators.accompaniment_sentence(STRICT)
    assert "au moins un entretien individuel dans la période" in strict
    assert "plus stricte que la définition nationale" in strict
    assert "ateliers et les informations collectives" in strict
    wider = indicators.accompaniment_sentence(
        ["entretien_individuel", "atelier", "information_collective", "contact_ecrit"]
    )
    assert "plus large" in wider
    defs = indicators.definitions_in_force(STRICT)
    assert defs["jeunes_accompagnes"][1].startswith(
        "Jeunes distincts ayant eu au moins un entretien individuel dans"
    )
    assert indicators.is_national() and not indicators.is_national(STRICT)


@pytest.mark.parametrize("accompagnement", [STRICT, ["atelier", "contact_ecrit"]])
def test_fast_and_reference_agree_under_other_definitions(
    small_synthetic, accompagnement
):
    kw = {"accompagnement": accompagnement}
    pd.testing.assert_frame_equal(
        indicators.compute(small_synthetic, 2023, monthly=True, **kw),
        compute_reference(small_synthetic, 2023, monthly=True, **kw),
        check_exact=False,
        rtol=1e-12,
    )
