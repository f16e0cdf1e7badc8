"""iMilo trajectories: monthly states from a warehouse, typology, plots.

The mini warehouse below is written by hand; each person's expected months are
worked out in the comments from the rules of ``trajectories._imilo``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from observatoire.data import Warehouse
from observatoire.exceptions import SequenceError
from observatoire.trajectories._imilo import (
    STATE_COLOURS,
    STATE_LABELS,
    STATES,
    from_warehouse,
    last_complete_month,
    month_columns,
    monthly_states,
)

d = pd.to_datetime
EXTRACTION = pd.Timestamp("2024-10-02")  # last complete month: September 2024

ACC, SC, ED, EM = "accompagnement", "sans_contact", "emploi_durable", "emploi"
AL, FO, IS, CE = "alternance", "formation", "immersion_service_civique", "censure"


def _mini_warehouse(extra_situations: list[tuple] | None = None) -> Warehouse:
    missions_locales = pd.DataFrame({"code_ml": ["MLA", "MLB"], "nom_ml": ["A", "B"]})
    jeunes = pd.DataFrame(
        {
            "id_jeune": ["J1", "J2", "J3", "J4", "J5", "J6"],
            "code_ml": ["MLA", "MLA", "MLA", "MLA", "MLB", "MLA"],
            "date_premier_accueil": d(
                ["2024-01-15", "2024-01-03", "2024-02-20", "2024-03-28", "2024-05-06",
                 "2023-11-10"]
            ),
        }
    )  # fmt: skip
    evenements = pd.DataFrame(
        [
            ("J1", "MLA", "2024-01-15"),
            ("J2", "MLA", "2024-01-03"),
            ("J2", "MLA", "2024-03-10"),
            ("J3", "MLA", "2024-02-20"),
            ("J3", "MLA", "2024-03-05"),
            ("J3", "MLB", "2024-08-12"),  # contact at another ML counts too
            ("J4", "MLA", "2024-03-28"),
            ("J5", "MLB", "2024-05-06"),
            ("J6", "MLA", "2023-11-10"),
        ],
        columns=["id_jeune", "code_ml", "date_evenement"],
    )
    evenements["date_evenement"] = d(evenements["date_evenement"])
    rows = [
        # id, categorie, sous_categorie, debut, fin_prevue, fin, etat
        ("J1", "formation", "qualifiante", "2024-02-01", "2024-03-31", "2024-03-31", "terminee"),
        # planned 182 days (2024-03-20 -> 2024-09-18): not durable
        ("J1", "emploi", "cdd", "2024-03-20", "2024-09-18", "2024-05-31", "terminee"),
        # planned, never started: ignored
        ("J2", "formation", "qualifiante", "2024-02-01", "2024-06-30", None, "prevue"),
        ("J2", "immersion", None, "2024-02-05", "2024-02-16", "2024-02-16", "terminee"),
        ("J2", "formation", "preparatoire", "2024-04-01", "2024-04-30", "2024-04-30", "terminee"),
        ("J2", "emploi", "cdi", "2024-04-16", None, None, "en_cours"),
        ("J4", "service_civique", None, "2024-04-10", "2024-05-31", "2024-05-31", "terminee"),
        # planned exactly 183 days (2024-06-01 -> 2024-12-01): durable
        ("J4", "emploi", "cdd", "2024-06-01", "2024-12-01", None, "en_cours"),
        ("J4", "immersion", None, "2024-07-01", "2024-07-10", "2024-07-10", "terminee"),
        ("J5", "scolarite", None, "2024-04-15", None, "2024-05-10", "abandonnee"),
        ("J5", "emploi", "interim", "2024-05-20", None, "2024-06-05", "terminee"),
        ("J5", "alternance", "apprentissage", "2024-06-24", "2026-06-23", None, "en_cours"),
        ("J6", "emploi", "cdi", "2023-12-01", None, None, "en_cours"),
        *(extra_situations or []),
    ]  # fmt: skip
    situations = pd.DataFrame(
        rows,
        columns=["id_jeune", "categorie", "sous_categorie", "date_debut",
                 "date_fin_prevue", "date_fin", "etat"],
    )  # fmt: skip
    for col in ("date_debut", "date_fin_prevue", "date_fin"):
        situations[col] = d(situations[col])
    return Warehouse(
        missions_locales=missions_locales,
        jeunes=jeunes,
        evenements=evenements,
        situations=situations,
        extraction_date=EXTRACTION,
    )


# Expected months 1-8 of the 2024 cohort (J6 was received in 2023: not in it).
EXPECTED = {
    # Jan: first reception = contact. Feb: formation. Mar: formation 1-19 (19 days)
    # vs cdd 20-31 (12 days, the overlap days go to emploi by priority) -> formation.
    # Apr-May: emploi (182 planned days: not durable). Jun-Aug: no situation, no
    # contact since January -> sans_contact.
    "J1": [ACC, FO, FO, EM, EM, SC, SC, SC],
    # Jan: contact. Feb: the planned training is ignored, 12-day immersion. Mar: no
    # situation, contact on 10 March. Apr: formation 1-15 (15 days after priority)
    # vs cdi 16-30 (15 days): tie -> emploi_durable by priority. May-Aug: the cdi
    # still runs (no date_fin).
    "J2": [ACC, IS, ACC, ED, ED, ED, ED, ED],
    # Feb-Mar: contacts. Apr: contact in March (1 month before). May: contact in
    # March (2 months before). Jun, Jul: 3rd and 4th month without contact. Aug:
    # contact at MLB. Sep: contact in August.
    "J3": [ACC, ACC, ACC, ACC, SC, SC, ACC, ACC],
    # Mar: contact. Apr: service civique 10-30 (21 days). May: service civique.
    # Jun-Sep: cdd planned 183 days -> durable; the July immersion lies under it.
    # Oct: after September, the last complete month -> censure.
    "J4": [ACC, IS, IS, ED, ED, ED, ED, CE],
    # May: scolarite 1-10 (10 days) vs interim 20-31 (12 days) -> emploi. Jun:
    # interim 1-5 (5 days) vs alternance 24-30 (7 days) -> alternance. Jul-Sep:
    # alternance. Oct-Dec: censure.
    "J5": [EM, AL, AL, AL, AL, CE, CE, CE],
}


class TestMonthlyStates:
    def test_exact_state_matrix(self):
        wh = _mini_warehouse()
        result = monthly_states(wh, 2024, months=8)
        assert list(result.columns) == ["id_jeune", "code_ml", *month_columns(8)]
        assert result["id_jeune"].tolist() == ["J1", "J2", "J3", "J4", "J5"]
        got = {
            row.id_jeune: [str(v) for v in row[month_columns(8)]]
            for _, row in result.iterrows()
        }
        assert got == EXPECTED

    def test_input_untouched(self):
        wh = _mini_warehouse()
        before = wh.situations.copy()
        monthly_states(wh, 2024, months=8)
        pd.testing.assert_frame_equal(wh.situations, before)

    def test_one_ml(self):
        result = monthly_states(_mini_warehouse(), 2024, months=8, code_ml="MLB")
        assert result["id_jeune"].tolist() == ["J5"]
        assert [str(v) for v in result.iloc[0, 2:]] == EXPECTED["J5"]

    def test_extraction_date_override(self):
        # with an extract of 1 June 2024 the last complete month is May:
        # J1's June-August become censure
        result = monthly_states(
            _mini_warehouse(), 2024, months=8, extraction_date="2024-06-01"
        )
        assert [str(v) for v in result.iloc[0, 2:]] == [ACC, FO, FO, EM, EM, CE, CE, CE]

    def test_last_complete_month(self):
        assert str(last_complete_month("2024-10-02")) == "2024-09"
        assert str(last_complete_month("2024-09-30")) == "2024-09"
        assert str(last_complete_month("2024-10-01")) == "2024-09"

    def test_from_warehouse_sequences(self):
        seq = from_warehouse(_mini_warehouse(), 2024, months=8)
        assert list(seq.ids) == ["J1", "J2", "J3", "J4", "J5"]
        assert seq.alphabet == STATES
        assert seq.labels[0] == "Emploi durable"
        expected_codes = [[STATES.index(s) for s in EXPECTED[j]] for j in seq.ids]
        np.testing.assert_array_equal(seq.codes, expected_codes)

    def test_empty_cohort(self):
        with pytest.raises(SequenceError, match="empty cohort.*2019"):
            monthly_states(_mini_warehouse(), 2019)

    def test_empty_cohort_at_ml(self):
        # MLB received nobody in 2023 (J6 is at MLA)
        with pytest.raises(SequenceError, match="empty cohort.*MLB"):
            monthly_states(_mini_warehouse(), 2023, code_ml="MLB")

    def test_unknown_ml(self):
        with pytest.raises(SequenceError, match="unknown code_ml 'MLZ'"):
            monthly_states(_mini_warehouse(), 2024, code_ml="MLZ")

    def test_unknown_category(self):
        bad = [("J1", "stage", None, "2024-02-01", None, None, "en_cours")]
        with pytest.raises(SequenceError, match="unknown situations.categorie 'stage'"):
            monthly_states(_mini_warehouse(bad), 2024)

    def test_unknown_etat(self):
        bad = [("J1", "emploi", "cdd", "2024-02-01", None, None, "suspendue")]
        with pytest.raises(SequenceError, match="unknown situations.etat 'suspendue'"):
            monthly_states(_mini_warehouse(bad), 2024)

    def test_too_short(self):
        with pytest.raises(SequenceError, match="months must be at least 1, got 0"):
            monthly_states(_mini_warehouse(), 2024, months=0)

    def test_sequence_error_is_value_error(self):
        with pytest.raises(ValueError):
            monthly_states(_mini_warehouse(), 2019)


def test_one_colour_and_label_per_state():
    assert set(STATE_COLOURS) == set(STATES) == set(STATE_LABELS)
    assert len(set(STATE_COLOURS.values())) == len(STATES)
