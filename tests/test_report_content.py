"""What the report sections say: Article 4 for N and N−1, « À retenir », targets.

Hand-made protected tables (the shape the shared step caches) so every figure
is checked by hand: 300 entries into employment among 1 000 young people
accompanied against 250 / 1 000 a year earlier is +5,0 points, a clear rise
(z = 2,50); a masked count is never shown nor tested.
"""

from __future__ import annotations

import pandas as pd
import pytest

from observatoire import synthesis
from observatoire.reports import sections as s
from observatoire.reports._cache import ReportInputs
from observatoire.reports.sections import common

NBSP = "\u00a0"


def _suivi_rows(code: str, level: str, figures: dict) -> list[dict]:
    rows = []
    for ind, (now, before, mask) in figures.items():
        for scope in ("mois", "cumul"):
            rows.append(
                {
                    "niveau": level,
                    "code": code,
                    "libelle": "Pau" if level == "ml" else "Nouvelle-Aquitaine",
                    "periode": "2024-10",
                    "portee": scope,
                    "indicateur": ind,
                    "valeur": float("nan") if mask else now,
                    "valeur_n_1": before,
                    "evolution_relative": float("nan"),
                    "valeur_masque": mask,
                    "valeur_n_1_masque": "",
                }
            )
    return rows


FIGURES = {
    "jeunes_accompagnes": (1000.0, 1000.0, ""),
    "premiers_accueils": (130.0, 100.0, ""),
    "entretiens": (5000.0, 5000.0, ""),
    "entrees_formation": (200.0, 200.0, ""),
    "entrees_formation_region": (3.0, 40.0, "primaire"),
    "entrees_alternance": (50.0, 50.0, ""),
    "entrees_emploi": (300.0, 250.0, ""),
    "entrees_emploi_durable": (100.0, 100.0, ""),
    "entrees_emploi_sortants_formation_region": (30.0, 25.0, ""),
    "taux_formation": (0.2, 0.2, ""),
    "taux_formation_region": (0.003, 0.04, "denominateur"),
    "taux_alternance": (0.05, 0.05, ""),
    "taux_emploi": (0.3, 0.25, ""),
}


@pytest.fixture()
def inputs() -> ReportInputs:
    suivi = pd.DataFrame(
        _suivi_rows("M1", "ml", FIGURES) + _suivi_rows("NAQ", "region", FIGURES)
    )
    objectifs = pd.DataFrame(
        [
            {
                "indicateur": "entrees_formation",
                "libelle": "Entrées en formation",
                "niveau": "region",
                "code": "NAQ",
                "cible_min": 12000.0,
                "realise": 7540.0,
                "secret_realise": False,
                "statut": "hors d'atteinte",
            }
        ]
    )
    meta = {
        "year": 2024,
        "month": 10,
        "disclosure_threshold": 5,
        "labels": {"M1": "Pau"},
        "departements": {"M1": "64"},
        "tables": ["suivi", "objectifs"],
        "extraction_date": "2024-11-05",
    }
    return ReportInputs(meta, None, {"suivi": suivi, "objectifs": objectifs})


def test_each_article_4_figure_has_n_n_1_its_change_and_its_reading(inputs):
    lines = {c.name: c for c in common.compared(inputs, "ml", "M1")}
    emploi = lines["taux_emploi"]
    assert (emploi.now, emploi.before) == (f"30,0{NBSP}%", f"25,0{NBSP}%")
    assert emploi.change.shown == f"+5,0{NBSP}points"
    assert emploi.change.verdict == "hausse nette"
    # 130 against 100: +30,0 % (a tenth, as the cards), within the noise (p = 0,056)
    assert lines["premiers_accueils"].change.shown == f"+30,0{NBSP}%"
    assert not lines["premiers_accueils"].change.significant
    assert lines["jeunes_accompagnes"].change.shown == "stable"
    # the Region-funded entries: masked in N, never shown nor tested
    region = lines["entrees_formation_region"]
    assert region.masked and region.change is None and region.now == "< 5"
    assert lines["taux_formation_region"].now == "n.d."
    # the share of entries into employment after a Region-funded training: 10 %
    share = lines["part_sortants_formation_region"]
    assert (share.now, share.before, share.change.shown) == (
        f"10,0{NBSP}%",
        f"10,0{NBSP}%",
        "stable",
    )
    html = s.year_on_year(inputs, "ml", "M1").html
    assert "dont sortants de formations financées par la Région" in html
    assert "non publiable" in html and "hausse nette" in html


def test_the_synthesis_says_what_moved_the_targets_and_what_to_discuss(inputs):
    said = common.key_sentences(inputs, "region", "NAQ")
    assert 3 <= len(said) <= 6
    assert said[0] == (
        "1\u202f000 jeunes accompagnés (janvier à fin octobre 2024), stable sur un an."
    )
    assert said[1] == (
        f"Taux d'entrée en emploi : 30,0{NBSP}% contre 25,0{NBSP}% un an plus tôt, "
        f"hausse nette (+5,0{NBSP}points)."
    )
    # (12 000 − 7 540) / 2 months = 2 230 a month
    assert "il faudrait 2\u202f230 entrées par mois d'ici décembre." in said[3], said
    assert said[-1] == (
        "À discuter en comité : l'objectif hors d'atteinte au rythme actuel — "
        "entrées en formation."
    )
    for sentence in said:
        assert "O/E" not in sentence and "Wilson" not in sentence


def test_the_target_table_gives_what_each_target_needs_per_month(inputs):
    table = common._targets_needed_table(inputs, inputs["objectifs"]).html
    assert "2\u202f230 entrées par mois" in table and "7\u202f540" in table


def test_a_masked_target_is_said_to_be_masked(inputs):
    inputs["objectifs"].loc[0, "secret_realise"] = True
    said = common.key_sentences(inputs, "region", "NAQ")
    assert any("n'est pas publiable" in x for x in said)
    assert not any("7\u202f540" in x for x in said)


def test_the_follow_up_shows_the_run_month_both_years_and_the_rates_in_points(inputs):
    html = s.followup_table(inputs).html
    assert "Suivi de octobre 2024" in html and "décembre" not in html
    for column in ("Accompagnés 2024", "Accompagnés 2023", "dont Région 2024"):
        assert column in html
    assert "dont après formation Région 2023" in html
    # 30 % against 25 % of 1 000: +5,0 points, beyond the noise, said in words
    # as in the other tables (no star to decode)
    assert f"+5,0{NBSP}points, hausse nette" in html
    assert "points *" not in html and "étoile" not in html
    assert "Taux formation Région 2024" in html and "n.d." in html
    assert f"+0{NBSP}%" not in html and f"−0{NBSP}%" not in html
    assert ">stable<" in html


# ------------------------------------------------- rates of the year against N−1
def _annual(rows: list[tuple]) -> dict[str, pd.DataFrame]:
    """A protected annual table: (level, code, name, accompanied, employment, mask)."""
    from observatoire.indicators import OUTPUT_COLUMNS, RATES

    values, mask = [], []
    for level, code, name, acc, emp, hidden in rows:
        v = {c: 0.0 for c in OUTPUT_COLUMNS}
        v.update(niveau=level, code=code, libelle=name, periode="2024", portee="annee")
        v.update(jeunes_accompagnes=acc, entrees_emploi=emp, entrees_formation=acc / 10)
        v["entrees_formation_region"] = v["entrees_alternance"] = acc / 20
        for rate, (num, den) in RATES.items():
            v[rate] = v[num] / v[den]
            v[f"{rate}_ic_bas"], v[f"{rate}_ic_haut"] = v[rate] - 0.01, v[rate] + 0.01
        m = {c: "" for c in OUTPUT_COLUMNS}
        m.update(hidden)
        for col, reason in hidden.items():
            if reason:
                v[col] = float("nan")
        values.append(v)
        mask.append(m)
    return {"values": pd.DataFrame(values), "mask": pd.DataFrame(mask)}


@pytest.fixture()
def annual_inputs() -> ReportInputs:
    now = _annual(
        [
            ("ml", "M1", "Mission locale synthétique Pau 1", 1000.0, 300.0, {}),
            # 15 accompanied: under the minimum denominator, no rate is shown
            ("ml", "M2", "Mission locale synthétique Pau 2", 15.0, 3.0,
             {"entrees_emploi": "primaire", "taux_emploi": "denominateur"}),
            ("region", "NAQ", "Nouvelle-Aquitaine", 1015.0, 303.0, {}),
        ]
    )  # fmt: skip
    before = _annual(
        [
            ("ml", "M1", "Mission locale synthétique Pau 1", 1000.0, 250.0, {}),
            ("ml", "M2", "Mission locale synthétique Pau 2", 40.0, 10.0, {}),
            ("region", "NAQ", "Nouvelle-Aquitaine", 1040.0, 260.0, {}),
        ]
    )
    meta = {
        "year": 2024,
        "month": 12,
        "disclosure_threshold": 5,
        "labels": {"M1": "ML Pau 1", "M2": "ML Pau 2"},
        "departements": {"M1": "64", "M2": "64"},
        "tables": ["annuel", "annuel_n_1"],
        "extraction_date": "2025-01-05",
    }
    return ReportInputs(meta, None, {"annuel": now, "annuel_n_1": before})


def test_each_rate_of_each_ml_has_n_n_1_and_whether_it_moved(annual_inputs):
    changes = common.annual_rate_changes(annual_inputs, "ml")
    emploi = changes["M1"]["taux_emploi"]
    # 300 / 1 000 against 250 / 1 000: +5,0 points, z = 2,50, a clear rise
    assert (emploi.now, emploi.before) == (f"30,0{NBSP}%", f"25,0{NBSP}%")
    assert emploi.reading == f"+5,0{NBSP}points, hausse nette"
    # 100 / 1 000 both years
    assert changes["M1"]["taux_formation"].reading == "stable"
    # M2: 15 accompanied in N, the rate is not published and never tested
    small = changes["M2"]["taux_emploi"]
    assert (small.now, small.before, small.change) == ("n.d.", f"25,0{NBSP}%", None)
    assert small.reading == "–"
    assert changes["M2"]["taux_formation"].now == "n.d."


def test_the_43_ml_table_shows_the_rates_of_both_years_under_one_name(annual_inputs):
    html = s.missions_locales_table(annual_inputs).html
    assert "Taux emploi 2024" in html and "Taux emploi 2023" in html
    assert "Taux emploi : évolution" in html
    assert f"+5,0{NBSP}points, hausse nette" in html
    assert "ML Pau 1" in html and "Mission locale synthétique" not in html
    assert "p-value" not in html and "Wilson" not in html


# ------------------------------------- one annex builder, acronyms spelled out
def test_the_annex_builder_gives_every_report_the_same_shape():
    from observatoire.reports import _style as st

    html = common.annex(
        common.source_sentence(True, "2025-01-05", "journal des actions"),
        st.paragraph("Période : 2024."),
        definitions=(("Action", "une réunion"),),
        methods=(("Silhouette", "qualité de la classification"),),
        glossary=(("ERIP", "Espace régional d'information de proximité."),),
    ).html
    order = ["<h2>Définitions et méthode</h2>", "Source : journal des actions",
             "données synthétiques", "extraction du 5 janvier 2025",
             "Période : 2024.", "<dt>Action</dt>", "<h3>Glossaire</h3>",
             "<dt>ERIP</dt>", "<h3>Méthodes</h3>", "<dt>Silhouette</dt>"]  # fmt: skip
    at = [html.index(part) for part in order]
    assert at == sorted(at)
    # a report without methods to name has no empty « Méthodes » heading
    assert "Méthodes" not in common.annex("Source : x.", methods=()).html


def test_acronyms_are_spelled_out_once_in_reading_order():
    seen: set[str] = set()
    first = common.spell_out("Jeunes NEET, résidant en QPV.", seen)
    assert first == (
        "Jeunes ni en emploi, ni en études, ni en formation (NEET), résidant en "
        "quartier prioritaire de la politique de la ville (QPV)."
    )
    # later on the same page: the acronym alone
    assert common.spell_out("Les jeunes NEET.", seen) == "Les jeunes NEET."
    # words already written before the acronym are not repeated
    said = "Zone de revitalisation rurale (ZRR)"
    assert common.spell_out(said, set()) == said


# ----------------------------------------- key figures of a year not yet over
def _key_inputs(months: int | None) -> ReportInputs:
    """Key figures of the region, 2024 against 2023 over ``months`` months."""
    rows = [
        ("profil", "part_femmes", "part", 0.52, 0.50),
        ("aides", "aides_permis_b_nombre", "nombre", 410.0, 380.0),
        ("aides", "aides_permis_b_montant_eur", "euros", 12345.0, 11000.0),
    ]
    kf = pd.DataFrame(
        [
            {
                "niveau": "region",
                "code": "NAQ",
                "libelle": "Nouvelle-Aquitaine",
                "annee": 2024,
                "theme": theme,
                "indicateur": name,
                "unite": unit,
                "valeur": now,
                "valeur_n_1": before,
                "evolution": now - before,
                "evolution_relative": now / before - 1,
                "valeur_masque": "",
                "valeur_n_1_masque": "",
            }
            for theme, name, unit, now, before in rows
        ]
    )
    meta = {
        "year": 2024,
        "month": 7,
        "disclosure_threshold": 5,
        "labels": {},
        "departements": {},
        "tables": ["chiffres_cles"],
        "extraction_date": "2024-08-10",
        "couverture_annee": "partial",
    }
    if months is not None:
        meta["mois_chiffres_cles"] = months
    return ReportInputs(meta, None, {"chiffres_cles": kf})


def test_key_figures_of_a_partial_year_say_they_compare_the_same_months():
    inputs = _key_inputs(7)
    said = "période partielle : janvier à juillet 2024 comparé à janvier à juillet 2023"
    profile = s.profile_table(inputs).html
    aids = s.schemes_and_aids(inputs).html
    assert (
        f"Part des jeunes accompagnés dans l'année présentant chaque caractéristique — {said}"
        in profile
    )
    assert f"Entrées en dispositif et aides attribuées, 2024 — {said}" in aids
    # never the annual note « du 1er janvier au 10 août » (unlike with unlike)
    assert "10 août" not in profile + aids
    # 410 against 380: +7,9 %
    assert f"+7,9{NBSP}% sur un an" in aids
    # a whole year says nothing more; an older cache keeps the annual note
    assert "période partielle" not in s.profile_table(_key_inputs(12)).html
    assert (
        "du 1er janvier au 10 août 2024" in s.schemes_and_aids(_key_inputs(None)).html
    )


def test_in_december_the_targets_not_reached_are_said_first(inputs):
    # two targets reached listed first, one missed last: with three sentences
    # on the figures, two slots are left, and the missed one takes one of them
    reached = {
        "niveau": "region",
        "code": "NAQ",
        "cible_min": 100.0,
        "realise": 150.0,
        "secret_realise": False,
        "statut": "atteint",
    }
    goals = pd.DataFrame(
        [
            {**reached, "indicateur": "aides_permis_b_nombre", "libelle": "Permis B"},
            {**reached, "indicateur": "entrees_cej", "libelle": "CEJ"},
            {**inputs["objectifs"].iloc[0].to_dict(), "statut": "non atteint"},
        ]
    )
    inputs = ReportInputs(
        {**inputs.meta, "month": 12},
        None,
        {"suivi": inputs["suivi"], "objectifs": goals},
    )
    said = common.key_sentences(inputs, "region", "NAQ")
    # 12 000 − 7 540 = 4 460 missing at the end of the year
    assert (
        "Entrées en formation : 7\u202f540 à fin décembre 2024 pour une cible de "
        "12\u202f000 : cible non atteinte, il manque 4\u202f460 entrées." in said
    ), said
    assert said[-1] == (
        "À discuter en comité : l'objectif non atteint en fin d'année — entrées en "
        "formation."
    )


def test_a_change_within_the_noise_reads_short_in_a_table_cell():
    # 52 / 1 000 against 50 / 1 000: +0,2 point, far from significant
    change = synthesis.change_in_rate(52, 1000, 50, 1000)
    assert not change.significant
    cell = common.RateChange(f"5,2{NBSP}%", f"5,0{NBSP}%", change)
    assert cell.reading == f"+0,2{NBSP}point, dans la marge"
    # the sentence keeps the whole verdict
    assert change.verdict == "légère hausse, dans la marge d'incertitude"
