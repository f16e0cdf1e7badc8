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


def test_loaded_csv_extract():
    # the hand-written CSV extract through data.load (Arrow strings, French dates).
    # No metadonnees.json: the extraction date is the last contact, 12/12/2023, so
    # December 2023 is censored. J01: received 10/01/2023; contacts in January,
    # February, March; formation 01/03-30/06; cdd from 01/09/2023 planned until
    # 29/02/2024 (181 days: not durable), still running.
    from pathlib import Path

    from observatoire.data import load

    wh = load(Path(__file__).parent / "fixtures" / "entrepot_mini")
    result = monthly_states(wh, 2023, months=12).set_index("id_jeune")
    assert [str(v) for v in result.loc["J01", month_columns(12)]] == [
        ACC, ACC, FO, FO, FO, FO,  # Jan-Feb contacts, Mar-Jun formation
        SC, SC,  # Jul: no contact in May, June, July; Aug likewise
        EM, EM, EM,  # Sep-Nov: the cdd
        CE,  # Dec 2023: after the last complete month
    ]  # fmt: skip


def test_one_colour_and_label_per_state():
    assert set(STATE_COLOURS) == set(STATES) == set(STATE_LABELS)
    assert len(set(STATE_COLOURS.values())) == len(STATES)


# ------------------------------------------------------------------ typology
from observatoire.trajectories import distances  # noqa: E402
from observatoire.trajectories._imilo_typology import (  # noqa: E402
    ALL_LABEL,
    PROFILE_COLUMNS,
    Typology,
    _sequences_from_codes,
    cohort_typology,
    group_names,
    om_to_references,
)


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory):
    """A small synthetic warehouse (scale 0.02, about 780 first receptions in 2022)."""
    from observatoire.data import load
    from observatoire.synthetic import generate

    out = tmp_path_factory.mktemp("entrepot_002")
    generate(out, seed=7, scale=0.02)
    return load(out)


@pytest.fixture(scope="module")
def typology(small_warehouse) -> Typology:
    return cohort_typology(small_warehouse, 2022)


def _share(codes: np.ndarray, state: str) -> float:
    return float((codes == STATES.index(state)).mean())


class TestGroupNames:
    def test_same_path_told_apart_by_the_month_of_change(self):
        # both groups: accompagnement then sans_contact; group 1 changes at month 3,
        # group 2 at month 6 -> the month of the first change makes them unique
        a, s = STATES.index(ACC), STATES.index(SC)
        codes = np.array([[a] * 2 + [s] * 6, [a] * 5 + [s] * 3])
        assert group_names(codes, np.array([1, 2]), 2) == {
            1: "Accompagnement puis perte de contact (changement au mois 3)",
            2: "Accompagnement puis perte de contact (changement au mois 6)",
        }

    def test_identical_groups_fall_back_on_numbers(self):
        # two groups always in formation: no change of state, no second state,
        # so only the group numbers can tell them apart
        f = STATES.index(FO)
        codes = np.full((2, 4), f)
        assert group_names(codes, np.array([1, 2]), 2) == {
            1: "Formation (groupe 1)",
            2: "Formation (groupe 2)",
        }

    def test_second_state_named_when_it_holds_a_quarter(self):
        # formation is the modal state every month (3 of 4 people), emploi holds
        # 1/4 of the months -> "Formation et emploi"
        f, e = STATES.index(FO), STATES.index(EM)
        codes = np.array([[f] * 6, [f] * 6, [f] * 6, [e] * 6])
        assert group_names(codes, np.ones(4, dtype=int), 1) == {
            1: "Formation et emploi"
        }


class TestOmToReferences:
    def test_hand_computed(self):
        # a = 0 1 1, b = 1 1 0 with substitution 2 and indel 1: deleting the leading
        # 0 and inserting a trailing 0 costs 2, cheaper than two substitutions (4)
        sm = np.array([[0.0, 2.0], [2.0, 0.0]])
        got = om_to_references(np.array([[0, 1, 1]]), np.array([[1, 1, 0]]), sm, 1.0)
        assert got.tolist() == [[2.0]]

    def test_matches_the_core_distances(self, typology):
        # same definition as trajectories.distances (OM, TRATE costs, indel 1)
        from observatoire.trajectories import substitution_costs

        codes = typology.sequences.codes[:60]
        seq = _sequences_from_codes(codes)
        sm = substitution_costs(typology.sequences, method="TRATE").to_numpy()
        full = distances(seq, method="OM", sm=sm, indel=1.0)
        refs = [0, 17, 42]
        got = om_to_references(codes, codes[refs], sm, 1.0)
        np.testing.assert_allclose(got, full[:, refs], rtol=0, atol=1e-9)


class TestCohortTypology:
    def test_typical_paths_of_the_generator(self, typology):
        # the generator models durable exits into employment and drop-outs: the
        # silhouette-chosen typology must show a group living mostly in durable
        # employment and one mostly out of contact
        codes = typology.sequences.codes
        groups = [codes[typology.labels == g] for g in range(1, typology.k + 1)]
        assert any(_share(rows, ED) >= 0.5 for rows in groups)
        assert any(_share(rows[:, -8:], SC) >= 0.5 for rows in groups)

    def test_training_groups_with_more_groups(self, small_warehouse):
        # with 8 groups the work-study and training paths get their own groups
        ty = cohort_typology(small_warehouse, 2022, k=8)
        codes = ty.sequences.codes
        groups = [codes[ty.labels == g] for g in range(1, 9)]
        assert any(_share(rows, AL) >= 0.4 for rows in groups)
        assert any(_share(rows, FO) >= 0.4 for rows in groups)

    def test_k_chosen_by_silhouette(self, typology):
        table = typology.silhouette_by_k
        assert table["nb_groupes"].tolist() == [3, 4, 5, 6, 7, 8]
        assert table["retenu"].sum() == 1
        best = table.loc[table["silhouette"].idxmax()]
        assert bool(best["retenu"]) and best["nb_groupes"] == typology.k
        assert typology.silhouette == pytest.approx(best["silhouette"])

    def test_groups_numbered_by_size_with_unique_names(self, typology):
        sizes = np.bincount(typology.labels)[1:]
        assert len(sizes) == typology.k and (sizes > 0).all()
        assert (np.diff(sizes) <= 0).all()
        names = list(typology.group_names.values())
        assert len(set(names)) == typology.k and all(names)

    def test_profiles(self, typology, small_warehouse):
        prof = typology.group_profiles
        assert list(prof.columns) == list(PROFILE_COLUMNS)
        assert list(prof.index) == [*typology.group_names.values(), ALL_LABEL]
        groups = prof.drop(index=ALL_LABEL)
        assert groups["Effectif"].sum() == prof.loc[ALL_LABEL, "Effectif"] == typology.n
        assert groups["Part de la cohorte"].sum() == pytest.approx(1.0)
        # the whole-cohort share of women, computed here straight from jeunes
        j = small_warehouse.jeunes
        cohort = j[j["date_premier_accueil"].dt.year == 2022]
        assert prof.loc[ALL_LABEL, "Femmes"] == pytest.approx(
            (cohort["sexe"] == "F").mean()
        )
        shares = prof.drop(columns=["Effectif", "Âge moyen au premier accueil"])
        assert ((shares >= 0) & (shares <= 1)).all().all()
        # the four age bands cover everyone
        bands = ["Moins de 18 ans", "18-21 ans", "22-25 ans", "26 ans et plus"]
        np.testing.assert_allclose(prof[bands].sum(axis=1), 1.0)

    def test_ml_shares(self, typology):
        sh = typology.ml_shares
        assert list(sh.columns) == [
            "code_ml", "nom_ml", "groupe", "nom_groupe", "effectif", "effectif_ml", "part"
        ]  # fmt: skip
        per_ml = sh.groupby("code_ml").agg(
            total=("effectif", "sum"), ml=("effectif_ml", "first")
        )
        assert (per_ml["total"] == per_ml["ml"]).all()
        assert per_ml["total"].sum() == typology.n
        by_group = sh.groupby("groupe")["effectif"].sum()
        assert by_group.tolist() == np.bincount(typology.labels)[1:].tolist()
        np.testing.assert_allclose(sh["part"], sh["effectif"] / sh["effectif_ml"])

    def test_no_identifier_inside(self, typology, small_warehouse):
        ids = set(small_warehouse.jeunes["id_jeune"].astype(str))
        assert isinstance(typology.sequences.ids, pd.RangeIndex)
        for frame in (
            typology.group_profiles,
            typology.ml_shares,
            typology.silhouette_by_k,
        ):
            cells = set(map(str, frame.to_numpy().ravel())) | set(map(str, frame.index))
            assert not cells & ids
        assert not any(i in repr(typology) for i in ids)

    def test_sample_and_nearest_medoid(self, small_warehouse):
        # cluster a sample of 300; every other sequence joins its nearest medoid
        # (checked with the core's distances), and the result is seeded
        ty = cohort_typology(small_warehouse, 2022, k=4, sample_size=300, seed=11)
        again = cohort_typology(small_warehouse, 2022, k=4, sample_size=300, seed=11)
        np.testing.assert_array_equal(ty.labels, again.labels)
        assert len(ty.sample) == 300
        np.testing.assert_array_equal(ty.labels[ty.sample], ty.sample_labels)
        from observatoire.trajectories import substitution_costs

        sm = substitution_costs(ty.sequences, method="TRATE").to_numpy()
        others = np.setdiff1d(np.arange(ty.n), ty.sample)[:40]
        rows = np.concatenate([ty.medoids, others])
        d = distances(_sequences_from_codes(ty.sequences.codes[rows]), "OM", sm=sm)
        to_medoids = d[4:, :4]
        nearest = to_medoids.min(axis=1, keepdims=True)
        # the group of each is one of its nearest medoids (ties possible)
        own = to_medoids[np.arange(len(others)), ty.labels[others] - 1]
        np.testing.assert_allclose(own, nearest[:, 0])

    def test_ward(self, small_warehouse):
        ty = cohort_typology(small_warehouse, 2022, k=4, method="ward")
        assert ty.method == "ward" and ty.k == 4
        assert sorted(set(ty.labels)) == [1, 2, 3, 4]

    def test_censored_cohort_is_too_short(self, small_warehouse):
        # the 2024 cohort is observed until December 2024 only
        with pytest.raises(SequenceError, match="shorter than 24 months"):
            cohort_typology(small_warehouse, 2024)

    def test_bad_arguments(self, small_warehouse):
        with pytest.raises(SequenceError, match="unknown clustering method 'kmeans'"):
            cohort_typology(small_warehouse, 2022, method="kmeans")
        with pytest.raises(SequenceError, match="k_range"):
            cohort_typology(small_warehouse, 2022, k_range=(1, 3))
        with pytest.raises(SequenceError, match="empty cohort"):
            cohort_typology(small_warehouse, 1990)

    def test_too_small_for_k(self):
        # the mini warehouse's 2024 cohort has 5 people: not enough for 8 groups
        with pytest.raises(SequenceError, match="too small for 8 groups"):
            cohort_typology(
                _mini_warehouse(), 2024, months=6, k=8, extraction_date="2025-01-05"
            )


# --------------------------------------------------------------------- plots
from matplotlib.figure import Figure  # noqa: E402

from observatoire.trajectories import _plots  # noqa: E402


class TestPlots:
    @pytest.mark.parametrize(
        "name",
        [
            "plot_state_distribution",
            "plot_index",
            "plot_transition_rates",
            "plot_mean_time",
        ],
    )
    def test_on_typology_and_sequences(self, name, typology):
        import io

        seq = from_warehouse(_mini_warehouse(), 2024, months=8)
        for data in (typology, seq):
            fig = getattr(_plots, name)(data)
            assert isinstance(fig, Figure)
            fig.savefig(io.BytesIO(), format="png", dpi=40)

    def test_by_group_and_silhouette(self, typology):
        fig = _plots.plot_state_distribution(typology, by_group=True)
        assert len([ax for ax in fig.axes if ax.get_visible()]) == typology.k
        fig = _plots.plot_silhouette(typology)
        assert isinstance(fig, Figure)

    def test_colours_are_fixed_per_state(self, typology):
        # the emploi_durable bars of the chronogram use its colour
        from matplotlib.colors import to_hex

        fig = _plots.plot_state_distribution(typology)
        colours = {to_hex(p.get_facecolor()) for p in fig.axes[0].patches}
        assert STATE_COLOURS[ED].lower() in colours
        assert STATE_COLOURS[SC].lower() in colours

    def test_index_plot_shows_no_identifier(self):
        seq = from_warehouse(_mini_warehouse(), 2024, months=8)
        fig = _plots.plot_index(seq)
        texts = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
        texts += [ax.get_ylabel() for ax in fig.axes]
        assert not any(j in " ".join(texts) for j in ["J1", "J2", "J3", "J4", "J5"])

    def test_transition_heat_map_leaves_censored_months_out(self):
        # the mini cohort has censored months (J4, J5) but no scolarite
        seq = from_warehouse(_mini_warehouse(), 2024, months=8)
        fig = _plots.plot_transition_rates(seq)
        shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert shown == [
            "Emploi durable", "Emploi", "Alternance", "Formation",
            "Immersion / service civique", "Accompagnement", "Sans contact",
        ]  # fmt: skip

    def test_unknown_state_has_no_colour(self):
        from observatoire.trajectories import define_sequences

        seq = define_sequences([["emploi", "chomage"]], None, ["emploi", "chomage"])
        with pytest.raises(SequenceError, match="no colour for state.*'chomage'"):
            _plots.plot_state_distribution(seq)

    def test_by_group_needs_a_typology(self):
        seq = from_warehouse(_mini_warehouse(), 2024, months=8)
        with pytest.raises(SequenceError, match="by_group needs a Typology"):
            _plots.plot_state_distribution(seq, by_group=True)
        with pytest.raises(SequenceError, match="needs a Typology"):
            _plots.plot_silhouette(seq)
