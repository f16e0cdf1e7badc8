"""The synthetic warehouse generator: determinism, round trip, calibration.

Small-scale tests check that the same arguments give the same bytes and that a
generated extract loads with zero rejects. The calibration tests generate the
default warehouse (seed 2024, scale 1, 2022-2024) once for the module and check
it against the figures of the 2022-2024 framework agreement (the data contract's
last section), each with the tolerance stated next to it. Their expected values
are the agreement's, never figures read back from the generator.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from observatoire import data, synthetic
from observatoire.cli import main

YEARS = (2022, 2023, 2024)
TABLES = (
    "missions_locales",
    "jeunes",
    "evenements",
    "situations",
    "dispositifs",
    "aides",
    "animations",
    "animations_participations",
)


def _digests(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
    }


# ------------------------------------------------------------- small scale
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_arguments_give_identical_bytes(tmp_path, fmt):
    args = {"seed": 5, "years": (2023, 2024), "scale": 0.02, "fmt": fmt}
    a = synthetic.generate(tmp_path / "a", **args)
    b = synthetic.generate(tmp_path / "b", **args)
    digests = _digests(a)
    # eight tables plus metadonnees.json
    assert len(digests) == 9
    assert {f"{t}.{fmt}" for t in TABLES} <= set(digests)
    assert digests == _digests(b)


def test_another_seed_gives_other_data(tmp_path):
    a = synthetic.generate(tmp_path / "a", seed=5, years=(2024, 2024), scale=0.02)
    b = synthetic.generate(tmp_path / "b", seed=6, years=(2024, 2024), scale=0.02)
    da, db = _digests(a), _digests(b)
    assert da["jeunes.parquet"] != db["jeunes.parquet"]
    assert da["evenements.parquet"] != db["evenements.parquet"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_loads_with_zero_rejects(tmp_path, fmt):
    out = synthetic.generate(tmp_path / "w", seed=3, scale=0.03, fmt=fmt)
    wh = data.load(out)
    assert wh.n_rejected == 0
    rec = wh.reconciliation.set_index("table")
    assert set(rec.index) == set(TABLES)
    assert (rec["lignes_rejetees"] == 0).all()
    # every table has rows, and all of them were accepted
    assert (rec["lignes_lues"] > 0).all()
    assert (rec["lignes_lues"] == rec["lignes_acceptees"]).all()
    assert wh.synthetic
    # extraction date: 5 January of the year after the last one
    assert wh.extraction_date == pd.Timestamp("2025-01-05")
    assert (wh.evenements["date_evenement"] <= wh.extraction_date).all()


def test_cli_generate_writes_a_loadable_extract(tmp_path):
    out = tmp_path / "cli"
    code = main(["generate", "--out", str(out), "--scale", "0.01", "--years", "2024"])
    assert code == 0
    assert data.load(out).n_rejected == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0}, "scale"),
        ({"scale": -1.0}, "scale"),
        ({"scale": 1e-9}, "scale 1e-09 is too small"),  # no young person at all
        ({"seed": -5}, "seed"),
        ({"seed": 2.5}, "seed"),
        ({"years": (2024, 2022)}, "years"),
        ({"years": "2024"}, "years"),
        ({"fmt": "xlsx"}, "fmt"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        synthetic.generate(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()


def test_truth_matches_what_generate_is_told():
    t = synthetic.truth(seed=2024, scale=2.0, years=(2023, 2024))
    assert (t.seed, t.scale, t.years) == (2024, 2.0, (2023, 2024))
    # the ML effects depend on the seed alone
    same = synthetic.truth(seed=2024, scale=0.5)
    pd.testing.assert_frame_equal(t.ml_effects, same.ml_effects)
    assert len(t.ml_effects) == 43
    # seasonality factors average 1 over the twelve months
    means = t.seasonality.drop(columns="mois_calendaire").mean()
    np.testing.assert_allclose(means.to_numpy(), 1.0)


# ------------------------------------------------- calibration at scale 1
@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The default warehouse (seed 2024, scale 1, 2022-2024), read once."""
    out = synthetic.generate(tmp_path_factory.mktemp("scale1"))
    return {t: pd.read_parquet(out / f"{t}.parquet") for t in TABLES}


def _year(dates: pd.Series, year: int) -> pd.Series:
    return dates.dt.year == year


#: the network's national definition of « accompanied » (the contract's default)
ACCOMPANYING = ("entretien_individuel", "atelier", "information_collective")


def _accompanied(wh, year: int) -> pd.DataFrame:
    """(id_jeune, code_ml) with an interview, workshop or collective session in ``year``."""
    ev = wh["evenements"]
    ent = ev[
        ev["type_evenement"].isin(ACCOMPANYING) & _year(ev["date_evenement"], year)
    ]
    return ent[["id_jeune", "code_ml"]].drop_duplicates()


def _entries(wh, year: int, categorie: str) -> pd.Series:
    """Distinct accompanied young people of the region entering ``categorie``."""
    s = wh["situations"]
    sel = (
        (s["categorie"] == categorie)
        & (s["etat"] != "prevue")
        & _year(s["date_debut"], year)
    )
    acc = _accompanied(wh, year)["id_jeune"].unique()
    return pd.Series(s.loc[sel, "id_jeune"].unique()).loc[lambda x: x.isin(acc)]


def _age_at_reception(jeunes: pd.DataFrame) -> pd.Series:
    b, r = jeunes["date_naissance"], jeunes["date_premier_accueil"]
    before_birthday = (r.dt.month < b.dt.month) | (
        (r.dt.month == b.dt.month) & (r.dt.day < b.dt.day)
    )
    return r.dt.year - b.dt.year - before_birthday.astype(int)


def _within(value: float, target: float, rel: float) -> bool:
    return abs(value - target) <= rel * target


@pytest.mark.slow
@pytest.mark.parametrize("year", YEARS)
def test_calibration_volumes(warehouse, year):
    wh = warehouse
    acc = _accompanied(wh, year)
    # agreement: about 92,200 young people accompanied a year (national
    # definition: interview, workshop or collective information); +-5 %
    n_acc = acc["id_jeune"].nunique()
    assert _within(n_acc, 92_200, 0.05), n_acc
    # agreement: 37,600 first receptions a year; +-5 %
    j = wh["jeunes"]
    n_rec = int(_year(j["date_premier_accueil"], year).sum())
    assert _within(n_rec, 37_600, 0.05), n_rec
    # agreement: about 530,000 individual interviews a year; +-5 %
    ev = wh["evenements"]
    n_int = int(
        (
            (ev["type_evenement"] == "entretien_individuel")
            & _year(ev["date_evenement"], year)
        ).sum()
    )
    assert _within(n_int, 530_000, 0.05), n_int
    # agreement: more than 12,000 entries into training a year; we also keep
    # them under 14,000 (about 15 % of those accompanied at most)
    n_form = len(_entries(wh, year, "formation"))
    assert 12_000 <= n_form <= 14_000, n_form
    # agreement: 5,500 to 6,000 permis B aids a year; exactly that band
    a = wh["aides"]
    n_permis = int(
        ((a["type_aide"] == "permis_b") & _year(a["date_attribution"], year)).sum()
    )
    assert 5_500 <= n_permis <= 6_000, n_permis


def _network_ratios(wh, year: int) -> dict[str, float]:
    """First receptions, PACEA entries and durable jobs against the accompanied.

    Written from the contract, independently of ``indicators``: durable is a
    CDI or a contract planned to last at least 183 days, among the distinct
    young people accompanied in the year who entered a job in the year.
    """
    acc = _accompanied(wh, year)["id_jeune"].unique()
    j, d, s = wh["jeunes"], wh["dispositifs"], wh["situations"]
    first = int(_year(j["date_premier_accueil"], year).sum())
    pacea = d.loc[
        (d["dispositif"] == "PACEA") & _year(d["date_debut"], year), "id_jeune"
    ].nunique()
    jobs = s[
        (s["categorie"] == "emploi")
        & (s["etat"] != "prevue")
        & _year(s["date_debut"], year)
        & s["id_jeune"].isin(acc)
    ]
    planned = (jobs["date_fin_prevue"] - jobs["date_debut"]).dt.days
    durable = jobs.loc[(jobs["sous_categorie"] == "cdi") | (planned >= 183), "id_jeune"]
    return {
        "first_per_accompanied": first / len(acc),
        "pacea_per_accompanied": pacea / len(acc),
        "durable_share": durable.nunique() / jobs["id_jeune"].nunique(),
    }


def _check_network_ratios(ratios: dict[str, float]) -> None:
    # published network ratios, orders of magnitude: first receptions about a
    # third of those accompanied (the agreement's 37,600 / 92,200 = 0.41), so
    # within [0.30, 0.45]; PACEA entries about a third, within [0.28, 0.40];
    # most jobs durable (CDI or CDD of six months or more): over half, and not
    # implausibly all of them (at most 75 %)
    assert 0.30 <= ratios["first_per_accompanied"] <= 0.45, ratios
    assert 0.28 <= ratios["pacea_per_accompanied"] <= 0.40, ratios
    assert 0.50 < ratios["durable_share"] <= 0.75, ratios


@pytest.mark.slow
@pytest.mark.parametrize("year", YEARS)
def test_calibration_network_ratios(warehouse, year):
    _check_network_ratios(_network_ratios(warehouse, year))


def test_calibration_network_ratios_small_scale(tmp_path):
    # the ratios do not depend on the scale: a tenth of the network (about
    # 9,500 accompanied, 1 s to generate) keeps the check in the fast suite
    out = synthetic.generate(tmp_path / "s", scale=0.1, years=(2022, 2023))
    tables = {t: pd.read_parquet(out / f"{t}.parquet") for t in TABLES}
    _check_network_ratios(_network_ratios(tables, 2023))


@pytest.mark.slow
@pytest.mark.parametrize("year", YEARS)
def test_calibration_profile_of_those_received(warehouse, year):
    j = warehouse["jeunes"]
    rec = j[_year(j["date_premier_accueil"], year)]
    age = _age_at_reception(rec)
    shares = {
        "18-21": ((age >= 18) & (age <= 21)).mean(),
        "minors": (age < 18).mean(),
        "neet": rec["neet"].mean(),
        "no diploma": (rec["niveau_diplome"] == "aucun").mean(),
        "not registered": (~rec["inscrit_france_travail"]).mean(),
        "zrr": rec["zrr"].mean(),
        "qpv": rec["qpv"].mean(),
    }
    # agreement, of those received: 57 % aged 18-21, 19 % minors, 83 % NEET,
    # 37 % no diploma, 47 % not registered with Pole emploi, 26 % ZRR, 9 % QPV;
    # each within 3 percentage points
    agreement = {
        "18-21": 0.57,
        "minors": 0.19,
        "neet": 0.83,
        "no diploma": 0.37,
        "not registered": 0.47,
        "zrr": 0.26,
        "qpv": 0.09,
    }
    for name, target in agreement.items():
        assert abs(shares[name] - target) <= 0.03, (name, shares[name])


@pytest.mark.slow
def test_calibration_network(warehouse):
    ml = warehouse["missions_locales"]
    # agreement: 43 MLs over the 12 departments of Nouvelle-Aquitaine
    assert len(ml) == 43
    assert ml["departement"].nunique() == 12
    assert ml["nom_ml"].str.contains("synthétique").all()
    # agreement: 590 reception sites, 1,300 staff; sites are rounded to the
    # total, staff to 0.1 per ML (so within 43 * 0.05)
    assert ml["nb_lieux_accueil"].sum() == 590
    assert abs(ml["etp"].sum() - 1300) <= 43 * 0.05
    # ML sizes: a large urban ML with several thousand young people a year,
    # several times (here at least 4 times) the smallest rural ones
    per_ml = _accompanied(warehouse, 2023).groupby("code_ml").size()
    assert len(per_ml) == 43
    assert per_ml.max() >= 5_000
    assert per_ml.max() >= 4 * per_ml.min()


@pytest.mark.slow
def test_rates_differ_between_mls_and_profiles(warehouse):
    # cohort received in 2022, entry into employment within 365 days
    j, s = warehouse["jeunes"], warehouse["situations"]
    coh = j[_year(j["date_premier_accueil"], 2022)]
    e = s[(s["categorie"] == "emploi") & (s["etat"] != "prevue")].merge(
        coh[["id_jeune", "date_premier_accueil"]]
    )
    e = e[(e["date_debut"] - e["date_premier_accueil"]).dt.days < 365]
    coh = coh.assign(emploi=coh["id_jeune"].isin(e["id_jeune"]))

    def gap(flag: pd.Series) -> float:
        return coh.loc[~flag, "emploi"].mean() - coh.loc[flag, "emploi"].mean()

    # injected effects: no diploma -0.40, QPV -0.30, NEET -0.20 on the log
    # hazard; with about 37,000 young people the gaps must show, in points
    assert gap(coh["niveau_diplome"] == "aucun") >= 0.05
    assert gap(coh["qpv"]) >= 0.03
    assert gap(coh["neet"]) >= 0.01
    # ML effects: employment rates are not homogeneous across MLs
    table = pd.crosstab(coh["code_ml"], coh["emploi"])
    assert chi2_contingency(table)[1] < 1e-10
    rate = coh.groupby("code_ml")["emploi"].mean()
    assert rate.max() >= 1.5 * rate.min()


@pytest.mark.slow
def test_seasonality(warehouse):
    s, ev = warehouse["situations"], warehouse["evenements"]
    for cat, september_at_least in (("formation", 1.5), ("alternance", 2.0)):
        x = s[
            (s["categorie"] == cat)
            & (s["etat"] != "prevue")
            & _year(s["date_debut"], 2023)
        ]
        by_month = x.groupby(x["date_debut"].dt.month).size()
        # September peak: at least 1.5 (training) or 2 (work-study) times the
        # monthly mean, and the largest month
        assert by_month[9] >= september_at_least * by_month.mean(), (cat, by_month[9])
        assert by_month.idxmax() == 9
    ent = ev[
        (ev["type_evenement"] == "entretien_individuel")
        & _year(ev["date_evenement"], 2023)
    ]
    by_month = ent.groupby(ent["date_evenement"].dt.month).size()
    # August dip of interviews: under 70 % of the monthly mean, the smallest month
    assert by_month[8] <= 0.7 * by_month.mean()
    assert by_month.idxmin() == 8


@pytest.mark.slow
def test_support_schemes_over_time(warehouse):
    d = warehouse["dispositifs"]
    start = d["date_debut"]
    switch = pd.Timestamp("2022-03-01")
    gj, cej = d[d["dispositif"] == "GARANTIE_JEUNES"], d[d["dispositif"] == "CEJ"]
    # the Garantie jeunes ends on 1 March 2022, the CEJ starts that day
    assert (gj["date_debut"] < switch).all() and len(gj) > 0
    assert (cej["date_debut"] >= switch).all() and len(cej) > 0
    assert (gj["date_debut"] >= "2022-01-01").any()
    # PACEA throughout: new ones every month of the three years, none before
    # it existed (1 January 2017)
    pacea = start[d["dispositif"] == "PACEA"]
    assert (pacea >= "2017-01-01").all()
    months = pacea[(pacea >= "2022-01-01") & (pacea < "2025-01-01")].dt.to_period("M")
    assert months.nunique() == 36
    # the CEJ starts in each year from 2022
    assert set(cej["date_debut"].dt.year) >= set(YEARS)


@pytest.mark.slow
def test_typical_trajectories_exist(warehouse):
    # cohort received in the first half of 2022, followed 24 months
    j, s, ev = warehouse["jeunes"], warehouse["situations"], warehouse["evenements"]
    coh = j[
        (j["date_premier_accueil"] >= "2022-01-01")
        & (j["date_premier_accueil"] < "2022-07-01")
    ]
    coh = coh.set_index("id_jeune")["date_premier_accueil"]
    s = s[(s["etat"] != "prevue") & s["id_jeune"].isin(coh.index)].copy()
    s["mois"] = (s["date_debut"] - s["id_jeune"].map(coh)).dt.days / 30.44
    s = s[s["mois"] < 24]
    first = s.sort_values("date_debut").groupby("id_jeune").first()
    last = (
        ev[ev["id_jeune"].isin(coh.index)].groupby("id_jeune")["date_evenement"].max()
    )
    last_month = ((last - coh.reindex(last.index)).dt.days / 30.44).reindex(coh.index)

    quick = first.index[(first["categorie"] == "emploi") & (first["mois"] < 3)]
    training_end = (
        s[s["categorie"] == "formation"].groupby("id_jeune")["date_fin"].min()
    )
    job = s.loc[s["categorie"] == "emploi", ["id_jeune", "date_debut"]]
    job = job.assign(fin_formation=job["id_jeune"].map(training_end)).dropna()
    after = (job["date_debut"] >= job["fin_formation"]) & (
        job["date_debut"] <= job["fin_formation"] + pd.Timedelta(days=183)
    )
    training_then_job = job.loc[after, "id_jeune"].unique()
    work_study = s.loc[s["categorie"] == "alternance", "id_jeune"].unique()
    school = s.loc[s["categorie"] == "scolarite", "id_jeune"].unique()
    none = coh.index[~coh.index.isin(s["id_jeune"])]
    long_none = none[last_month[none] >= 12]
    dropped = none[last_month[none] < 3]

    n = len(coh)
    shares = {
        "quick employment": len(quick) / n,
        "training then employment": len(training_then_job) / n,
        "work-study": len(work_study) / n,
        "back to school": len(school) / n,
        "12 months without a situation, still in contact": len(long_none) / n,
        "no situation, out of contact within 3 months": len(dropped) / n,
    }
    # each typical path is common enough to be seen (at least 2 % of a cohort
    # of about 18,800), quick employment is frequent (at least 10 %)
    for name, share in shares.items():
        assert share >= 0.02, (name, share)
    assert shares["quick employment"] >= 0.10


@pytest.mark.slow
def test_arml_animations(warehouse):
    an, part = warehouse["animations"], warehouse["animations_participations"]
    per_year = an.groupby(an["date_animation"].dt.year).size()
    # synthetic figure of the contract: about 120 to 180 actions a year
    assert list(per_year.index) == list(YEARS)
    assert per_year.between(120, 180).all()
    part = part.merge(an[["id_animation", "date_animation"]])
    reach = (
        part[_year(part["date_animation"], 2023)]
        .groupby("code_ml")
        .size()
        .reindex(warehouse["missions_locales"]["code_ml"], fill_value=0)
    )
    # most MLs (at least 35 of 43) reached several (3+) times a year; some
    # small rural ones far less than the typical ML (under a third of the median)
    assert (reach >= 3).sum() >= 35
    assert reach.min() < reach.median() / 3
