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


def test_cohort_window_against_the_extract_span():
    from observatoire.data import Coverage
    from observatoire.trajectories import cohort_window

    # extract: first contact 03/01/2022, extraction 05/01/2025 (complete to 12/2024)
    cov = Coverage(pd.Timestamp("2022-01-03"), pd.Timestamp("2025-01-05"))
    # 2021 cohort, 24 months: window 01/2021 to 11/2023 (12 + 23 = 35 months), the
    # 12 months of 2021 before the extract
    w = cohort_window(cov, 2021, 24)
    assert (str(w["debut"]), str(w["fin"])) == ("2021-01", "2023-11")
    assert (w["mois_fenetre"], w["manque_debut"], w["manque_fin"]) == (35, 12, 0)
    assert w["mois_observes"] == 23 and not w["complete"]
    # 2022: 01/2022 to 11/2024, wholly covered (first contact in its first month)
    assert cohort_window(cov, 2022, 24)["complete"]
    # 2023: to 11/2025, 11 months after 12/2024
    w = cohort_window(cov, 2023, 24)
    assert (w["manque_debut"], w["manque_fin"], w["mois_observes"]) == (0, 11, 24)
    # 12 months: 2023's window 01/2023-12/2024 is covered
    assert cohort_window(cov, 2023, 12)["complete"]
    # no contact at all: nothing observed
    assert cohort_window(Coverage(None, None), 2022, 12)["mois_observes"] == 0


def test_truncated_cohorts_said_in_the_study():
    from observatoire.data import Coverage
    from observatoire.reports.sections.trajectories import window_sentences
    from observatoire.trajectories import cohort_window

    cov = Coverage(pd.Timestamp("2021-03-08"), pd.Timestamp("2025-01-05"))
    windows = {y: cohort_window(cov, y, 24) for y in (2021, 2022)}
    assert window_sentences(windows, cov, compared=True) == [
        "La cohorte 2021 n'est pas comparée : l'extrait ne commence qu'en mars "
        "2021, seuls 33 des 35 mois de sa fenêtre d'observation (janvier 2021 à "
        "novembre 2023) sont observés."
    ]
    (alone,) = window_sentences({2021: windows[2021]}, cov)
    assert alone.startswith("Attention : pour la cohorte 2021, l'extrait ne commence")
    assert alone.endswith("(ils se lisent « sans contact »).")
    assert window_sentences({2022: windows[2022]}, cov) == []


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
        # best average silhouette among the k whose smallest type holds at least
        # 5 % of the sample
        table = typology.silhouette_by_k
        assert table["nb_groupes"].tolist() == [2, 3, 4, 5, 6, 7, 8]
        assert table["retenu"].sum() == 1
        quality = typology.quality
        assert quality.index.tolist() == [2, 3, 4, 5, 6, 7, 8]
        ok = quality["plus_petit_type"] >= 0.05 * len(typology.sample)
        assert quality["eligible"].tolist() == ok.tolist()
        best = table.set_index("nb_groupes").loc[ok[ok].index, "silhouette"].idxmax()
        assert best == typology.k
        assert quality.loc[best, "retenu"]
        assert typology.silhouette == pytest.approx(quality.loc[best, "ASW"], abs=1e-12)
        # the smallest type of each partition, counted from the partitions kept
        for kk in quality.index:
            sizes = typology.sample_partitions[f"cluster{kk}"].value_counts()
            assert quality.loc[kk, "plus_petit_type"] == sizes.min()

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


# ------------------------------------------------------------ the study (#19)
NBSP, NNBSP = "\xa0", "\u202f"


def _quality_table(asw, smallest, eligible):
    k = list(range(2, 2 + len(asw)))
    retained = max(
        [kk for kk, ok in zip(k, eligible, strict=True) if ok] or k,
        key=lambda kk: asw[kk - 2],
    )
    return pd.DataFrame(
        {
            "ASW": asw,
            "HC": 0.1,
            "PBC": 0.5,
            "R2": 0.3,
            "plus_petit_type": smallest,
            "eligible": eligible,
            "retenu": [kk == retained for kk in k],
        },
        index=pd.Index(k, name="k"),
    )


def _hand_tree() -> pd.DataFrame:
    # root (100) split on the diploma; its right child (60) on Region-funded
    # training into 45 and 15 (under 20: no means)
    rows = {
        1: (None, 1, False, 100, "Diplôme", ("sans diplôme",), ("CAP-BEP", "bac"), 0.1, 2, 3),
        2: (1, 2, True, 40, None, None, None, np.nan, None, None),
        3: (1, 2, False, 60, "Formation financée par la Région", ("non",), ("oui",), 0.05, 4, 5),
        4: (3, 3, True, 45, None, None, None, np.nan, None, None),
        5: (3, 3, True, 15, None, None, None, np.nan, None, None),
    }  # fmt: skip
    cols = ["parent_id", "depth", "is_leaf", "n", "split_var", "split_left",
            "split_right", "split_R2", "left_child", "right_child"]  # fmt: skip
    nodes = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    nodes.index.name = "node_id"
    # mean months: employment = durable + other + work-study
    nodes["mois_emploi_durable"] = [5.0, 2.0, 7.0, 8.0, 4.0]
    nodes["mois_emploi"] = [1.0, 1.0, 1.0, 1.0, 1.0]
    nodes["mois_alternance"] = [0.0, 0.0, 0.5, 0.5, 0.5]
    nodes["mois_sans_contact"] = [6.0, 10.0, 3.5, 3.0, 5.0]
    nodes["avec_na"] = False
    return nodes


class TestStudySentences:
    def test_k_choice_best_silhouette(self):
        from observatoire.reports.sections.trajectories import k_choice_sentence

        q = _quality_table([0.3, 0.4, 0.35], [400, 300, 150], [True, True, True])
        assert k_choice_sentence(q, 2000, 5) == (
            "La typologie retient 3 types : c'est le nombre de types dont la "
            "silhouette moyenne (0,40) est la meilleure ; son plus petit type "
            f"rassemble 300 jeunes sur les 2{NNBSP}000 de l'échantillon."
        )

    def test_k_choice_says_why_a_better_silhouette_was_left(self):
        from observatoire.reports.sections.trajectories import k_choice_sentence

        # k = 4 has the best silhouette but a type of 3 young people (< 5 %)
        q = _quality_table([0.3, 0.4, 0.45], [400, 300, 3], [True, True, False])
        assert k_choice_sentence(q, 2000, 5) == (
            "La typologie retient 3 types : c'est le nombre de types dont la "
            "silhouette moyenne (0,40) est la meilleure parmi les typologies dont "
            "le plus petit type rassemble au moins 5 % de l'échantillon (4 types "
            "donneraient une silhouette de 0,45, mais avec un type de moins de 5 "
            "jeunes) ; son plus petit type rassemble 300 jeunes sur les "
            f"2{NNBSP}000 de l'échantillon."
        )

    def test_stability_in_plain_words(self):
        from observatoire.reports.sections.trajectories import stability_sentence

        stable = pd.Series({"mean": 0.93, "stable_share": 0.9})
        assert stability_sentence(stable, 3, 10) == (
            "Refaite sur 10 tirages au hasard de l'échantillon (bootstrap), la "
            "typologie en 3 types se retrouve avec un indice de Rand ajusté moyen de "
            f"0,93 (1 : la même typologie) et au moins 0,8 dans 90{NBSP}% des "
            "tirages : les types sont stables."
        )
        unstable = pd.Series({"mean": 0.41, "stable_share": 0.0})
        assert stability_sentence(unstable, 5, 10).endswith(
            "les types ne sont pas stables : à lire comme des tendances."
        )

    def test_tree_told_in_french(self):
        from observatoire.reports.sections.trajectories import tree_sentences

        first, second = tree_sentences(_hand_tree(), 5, 20)
        # node 2: 2 + 1 + 0 = 3 months in employment, node 3: 7 + 1 + 0.5 = 8.5
        assert first == (
            "Parmi l'ensemble des jeunes, ce qui sépare le plus les parcours est le "
            f"diplôme (10,0{NBSP}% de leur dispersion) : les jeunes sans diplôme (40) "
            "passent en moyenne 3,0 mois en emploi ou alternance et 10,0 mois sans "
            "contact, contre 8,5 et 3,5 pour les jeunes de niveau CAP-BEP ou de "
            "niveau bac (60)."
        )
        # a child of 15 young people: no means (fewer than 20), count shown (>= 5)
        assert second == (
            "Parmi les jeunes de niveau CAP-BEP ou de niveau bac, ce qui sépare le "
            "plus les parcours est l'entrée en formation financée par la Région "
            f"(5,0{NBSP}% de leur dispersion) : les jeunes sans formation financée "
            "par la Région (45) et les jeunes entrés en formation financée par la "
            "Région (15)."
        )

    def test_tree_counts_under_the_threshold_are_masked(self):
        from observatoire.reports.sections.trajectories import (
            tree_outline,
            tree_sentences,
        )

        nodes = _hand_tree()
        nodes.loc[5, "n"] = 3
        assert "Région (moins de 5)." in tree_sentences(nodes, 5, 20)[1]
        outline = tree_outline(nodes, 5, 20)
        assert "moins de 5 jeunes</li>" in outline
        assert "3 jeunes" not in outline
        # means only from 20 young people on: the leaf of 40 has them
        assert "Jeunes sans diplôme : 40 jeunes, 3,0 mois en emploi" in outline
        assert outline.count("<ul>") == 3  # root, and each split's two children

    def test_tree_split_on_the_missions_locales_counted(self):
        from observatoire.reports.sections.trajectories import (
            tree_outline,
            tree_sentences,
        )

        # the root split on the ML: 3 of the 5 MLs to the left, 2 to the right
        nodes = _hand_tree()
        nodes.at[1, "split_var"] = "Mission Locale"
        nodes.at[1, "split_left"] = ("ML A", "ML B", "ML C")
        nodes.at[1, "split_right"] = ("ML D", "ML E")
        first, second = tree_sentences(nodes, 5, 20)
        assert first.startswith(
            "Parmi l'ensemble des jeunes, ce qui sépare le plus les parcours est la "
            f"Mission Locale (10,0{NBSP}% de leur dispersion) : les jeunes suivis dans "
            "3 des 5 Missions Locales (40) passent en moyenne 3,0 mois en emploi"
        )
        # the other side: « les 2 autres », not a second « 2 des 5 » (issue 19)
        assert (
            "pour les jeunes suivis dans les 2 autres Missions Locales (60)." in first
        )
        assert second.startswith(
            "Parmi les jeunes suivis dans les 2 autres Missions Locales,"
        )
        # the outline names them
        outline = tree_outline(nodes, 5, 20)
        assert (
            "Jeunes suivis dans 3 des 5 Missions Locales (ML A, ML B, ML C) : 40"
            in (outline)
        )
        nodes.at[1, "split_left"] = ("Mission locale synthétique Gironde 1",)
        assert (
            tree_sentences(nodes, 5, 20)[0].count(
                "les jeunes suivis par la ML Gironde 1 (40)"
            )
            == 1
        )

    def test_quality_and_factor_tables(self):
        from observatoire.reports.sections.trajectories import (
            factors_display,
            quality_display,
        )

        q = _quality_table([0.3, 0.4], [400, 3], [True, False])
        shown = quality_display(q, 5)
        assert shown["Plus petit type (jeunes)"].tolist() == ["400", "moins de 5"]
        # k = 3 has the better silhouette but a type of 3: k = 2 is retained
        assert shown["Choix"].tolist() == ["retenu", ""]
        assert shown["Silhouette moyenne (ASW)"].tolist() == ["0,30", "0,40"]
        factors = pd.DataFrame(
            {"n_groups": [2, 5], "PseudoF": [1.0, 3.0], "PseudoR2": [0.001, 0.02],
             "p_PseudoF": [0.5, 0.01]},
            index=["Sexe", "Diplôme"],
        )  # fmt: skip
        out = factors_display(factors)
        assert out["Caractéristique"].tolist() == ["Diplôme", "Sexe"]
        assert out["Part expliquée (pseudo-R²)"].tolist() == [
            f"2,0{NBSP}%",
            f"0,1{NBSP}%",
        ]


class TestTypologyStudy:
    def test_covariates_in_french(self, typology, small_warehouse):
        cov = typology.covariates
        assert len(cov) == typology.n
        assert set(cov["Sexe"].dropna()) <= {"femme", "homme"}
        assert set(cov["NEET"].dropna()) <= {"oui", "non"}
        assert list(cov["Diplôme"].cat.categories) == [
            "sans diplôme", "CAP-BEP", "bac", "bac+2", "bac+3 et plus"
        ]  # fmt: skip
        assert cov["Âge au premier accueil"].cat.ordered
        assert "id_jeune" not in cov

    def test_region_training_hand_computed(self):
        from observatoire.trajectories._imilo_typology import _region_training

        # A: Region-funded training in its 2nd month; B: one only planned; C: one
        # starting after its 3 months; D: funded by the State
        sit = pd.DataFrame(
            {
                "id_jeune": ["A", "B", "C", "D"],
                "categorie": ["formation"] * 4,
                "financeur": ["region", "region", "region", "etat"],
                "etat": ["en_cours", "prevue", "terminee", "en_cours"],
                "date_debut": pd.to_datetime(
                    ["2022-02-10", "2022-01-20", "2022-04-01", "2022-01-15"]
                ),
            }
        )
        ids = pd.Series(["A", "B", "C", "D", "E"])
        first = pd.to_datetime(pd.Series(["2022-01-25"] * 5))
        got = _region_training(sit, ids, first, 3)
        assert got.tolist() == [True, False, False, False, False]

    def test_cohorts_before_the_extract_are_not_compared(self, small_warehouse):
        from observatoire.trajectories import indicators_by_cohort

        # the extract starts on 03/01/2022: the 2021 cohort's 2021 is missing;
        # over 12 months the 2022 and 2023 cohorts are wholly covered
        assert small_warehouse.coverage.first == pd.Timestamp("2022-01-03")
        assert indicators_by_cohort(small_warehouse, [2021, 2022], 24) is None
        both = indicators_by_cohort(small_warehouse, [2021, 2022, 2023], 12)
        assert both["cohorte"].tolist() == [2022, 2023]

    def test_cohorts_compared_over_what_the_extract_covers(
        self, typology, small_warehouse
    ):
        from observatoire.reports.sections.trajectories import _complexity_blocks
        from observatoire.trajectories import comparable_cohorts, typology_study

        cov = small_warehouse.coverage
        # 2021 starts before the extract, 2023's 24 months end after it: over 12
        # months 2022 (01/2022-12/2023) and 2023 (01/2023-12/2024) are covered
        assert comparable_cohorts(cov, 2022, 24) == ((2022, 2023), 12)
        assert comparable_cohorts(cov, 2022, 24, shortest=24) is None
        study = typology_study(typology, resamples=2, permutations=0)
        html = _complexity_blocks(typology, study, 5, small_warehouse, 2022).html
        # the apostrophe is escaped in the HTML
        assert "La cohorte 2021 n&#x27;est pas comparée" in html
        assert "seuls 23 des 35 mois" in html
        assert "sur les cohortes 2022 et 2023" in html and "12 premiers mois" in html
        assert "La cohorte 2022 n" not in html

    def test_study_reuses_the_sample(self, typology):
        from observatoire.trajectories import typology_study

        study = typology_study(typology, resamples=3, permutations=9)
        assert study.n_sample == len(typology.sample)
        assert study.stability.summary.index.tolist() == [typology.k]
        nodes = study.tree_nodes
        assert nodes.loc[nodes.index[0], "n"] == study.n_sample
        # children partition their parent
        for _, row in nodes[~nodes["is_leaf"]].iterrows():
            kids = nodes.loc[[int(row["left_child"]), int(row["right_child"])], "n"]
            assert kids.sum() == row["n"]
        months = nodes[[f"mois_{s}" for s in STATES]].sum(axis=1)
        np.testing.assert_allclose(months, typology.months)
        # no node under the disclosure threshold nor 5 % of the sample
        assert (nodes["n"] >= study.tree_min_size).all()
        assert study.tree_min_size > max(0.05 * study.n_sample, 4)
        big = typology_study(typology, resamples=2, permutations=0, threshold=400)
        assert big.tree_min_size == 400 and (big.tree_nodes["n"] >= 400).all()
        assert set(study.factors.index) == set(typology.covariates.columns)
        assert (
            (study.factors["PseudoR2"] >= 0) & (study.factors["PseudoR2"] <= 1)
        ).all()


class TestStudyDisplays:
    def test_path_in_words(self):
        from observatoire.trajectories import describe_path

        f, e, s = STATES.index(FO), STATES.index(ED), STATES.index(SC)
        assert describe_path(np.array([f] * 8 + [e] * 16)) == (
            "8 mois en formation puis 16 mois en emploi durable"
        )
        assert describe_path(np.array([s, s, f, e])) == (
            "2 mois sans contact, 1 mois en formation puis 1 mois en emploi durable"
        )
        assert describe_path(np.array([e] * 3)) == "3 mois en emploi durable"

    def test_representative_paths_shown_only_for_many_young_people(self):
        from observatoire.reports.sections.trajectories import (
            representatives_display,
        )

        reps = pd.DataFrame(
            {
                "groupe": [1, 1, 2],
                "nom_groupe": ["Formation", "Formation", "Emploi"],
                "rang": [1, 2, 1],
                "parcours": ["24 mois en formation", "rare", "24 mois en emploi"],
                "jeunes": [150, 19, 40],
                "jeunes_type": [200, 200, 80],
            }
        )
        out = representatives_display(reps, 20)
        assert out["Parcours représentatif"].tolist() == [
            "24 mois en formation",
            "24 mois en emploi",
        ]
        assert out["Jeunes représentés"].tolist() == ["150", "40"]
        assert out["Part du type"].tolist() == [f"75,0{NBSP}%", f"50,0{NBSP}%"]

    def test_indicators_masked_and_cohorts_compared(self):
        from observatoire.reports.sections.trajectories import (
            cohort_change_sentence,
            indicators_display,
        )

        frame = pd.DataFrame(
            {
                "caracteristique": ["Ensemble", "Sexe", "Sexe"],
                "valeur": ["toute la cohorte", "femme", "homme"],
                "jeunes": [103, 100, 3],
                "complexite": [0.2, 0.21, 0.5],
                "turbulence": [0.3, 0.31, 0.6],
            }
        )
        out = indicators_display(frame, 5)
        assert out["Jeunes"].tolist() == ["103", "100", "moins de 5"]
        assert out["Complexité moyenne"].tolist() == ["0,200", "0,210", "n.d."]
        cohorts = pd.DataFrame(
            {"cohorte": [2021, 2022], "jeunes": [500, 600],
             "complexite": [0.24, 0.182], "turbulence": [0.241, 0.191]}
        )  # fmt: skip
        assert cohort_change_sentence(cohorts) == (
            "La complexité moyenne des parcours des jeunes accueillis en 2022 "
            "(0,182) est plus faible que celle des jeunes accueillis en 2021 "
            "(0,240) ; leur turbulence moyenne passe de 0,241 à 0,191."
        )


def test_ml_summary_short_version():
    from types import SimpleNamespace

    from observatoire.reports.sections.trajectories import _ml_summary

    typo = SimpleNamespace(k=3)
    ind = pd.DataFrame(
        {
            "caracteristique": ["Ensemble", "Mission Locale", "Mission Locale"],
            "valeur": ["toute la cohorte", "ML A", "ML B"],
            "jeunes": [1000, 980, 20 - 1],
            "complexite": [0.182, 0.19, 0.3],
            "turbulence": [0.191, 0.2, 0.3],
        }
    )
    study = SimpleNamespace(
        stability=SimpleNamespace(summary=pd.DataFrame({"mean": [0.95]}, index=[3])),
        indicators_by_profile=ind,
    )
    first = (
        "La typologie régionale compte 3 types de parcours, retenus pour la "
        "qualité de la classification ; ils sont stables d'un tirage de "
        "l'échantillon à l'autre."
    )
    assert _ml_summary(typo, study, "ML A", 980) == first + (
        " Complexité moyenne des parcours des jeunes de la Mission Locale : 0,190 "
        "(région : 0,182) ; turbulence moyenne : 0,200 (région : 0,191)."
    )
    # fewer than 20 young people: no mean
    assert _ml_summary(typo, study, "ML B", 19) == first


def test_first_mds_coordinate_of_points_on_a_line():
    from observatoire.reports.sections.trajectories import _first_mds_coordinate

    # points 0, 1, 3, 6 on a line: the first MDS coordinate is their centred
    # position (mean 2.5), up to the sign
    x = np.array([0.0, 1.0, 3.0, 6.0])
    got = _first_mds_coordinate(np.abs(x[:, None] - x[None, :]))
    np.testing.assert_allclose(np.abs(got), np.abs(x - 2.5), atol=1e-9)
    assert np.sign(got[0]) == -np.sign(got[-1])
