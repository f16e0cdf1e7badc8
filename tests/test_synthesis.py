"""The change tests and the wording scan of the « À retenir » synthesis."""

import math

import pytest
from statsmodels.stats.proportion import proportions_ztest

from observatoire.synthesis import (
    change_in_count,
    change_in_rate,
    describe_count,
    wording_problems,
)


def test_rate_test_is_the_pooled_two_proportion_z_test():
    # 120/400 = 30 % against 100/400 = 25 %: pooled 27.5 %, se 0.03157, z 1.584
    c = change_in_rate(120, 400, 100, 400)
    z = 0.05 / math.sqrt(0.275 * 0.725 * (2 / 400))
    assert c.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    _, p_sm = proportions_ztest([120, 100], [400, 400])
    assert c.p_value == pytest.approx(p_sm, rel=1e-12)
    assert c.shown == "+5,0\u00a0points"
    assert not c.significant
    assert c.verdict == "légère hausse, dans la marge d'incertitude"


def test_rate_change_that_rounds_to_zero_is_stable():
    # 25.04 % against 25.00 %: 0.04 point, shown to a tenth: 0.0
    c = change_in_rate(2504, 10_000, 2500, 10_000)
    assert (c.shown, c.direction, c.verdict) == ("stable", "stable", "stable")


def test_rate_fall_in_points():
    c = change_in_rate(200, 1000, 300, 1000)
    assert c.shown == "−10,0\u00a0points"
    assert c.verdict == "baisse nette"
    assert change_in_rate(99, 1000, 100, 1000).shown == "−0,1\u00a0point"


def test_rate_refuses_impossible_inputs():
    with pytest.raises(ValueError):
        change_in_rate(5, 0, 1, 10)
    with pytest.raises(ValueError):
        change_in_rate(11, 10, 1, 10)


def test_count_test_is_exact_conditional_binomial():
    # 15 against 5: P(X >= 15 | Bin(20, 1/2)) = 21700/2^20 = 0.020695; two-sided 0.041389
    c = change_in_count(15, 5)
    assert c.p_value == pytest.approx(2 * 21700 / 2**20, rel=1e-9)
    assert c.significant and c.verdict == "hausse nette"
    assert c.shown == "+200\u00a0%"


def test_count_edge_cases():
    assert change_in_count(0, 0).verdict == "stable"
    assert change_in_count(3, 0).shown == "nouveau"
    assert change_in_count(1001, 1000).shown == "stable"
    assert change_in_count(90, 100).shown == "−10\u00a0%"
    with pytest.raises(ValueError):
        change_in_count(-1, 4)


def test_describe_count_never_says_minus_zero():
    text = describe_count("premiers accueils", change_in_count(2000, 2001))
    assert "0\u00a0%" not in text and "stable" in text


@pytest.mark.parametrize(
    "text",
    [
        "Nombre de entrées",
        "8 Mission(s) Locale(s)",
        "âge >= 18",
        "Aides aide alimentaire : nombre de de jeunes",
        "évolution (−0\u00a0%)",
        "évolution (+0 %)",
        "the rate of training",
        "le accompagnement",
    ],
)
def test_wording_scan_finds_the_mistakes_seen_in_reports(text):
    assert wording_problems(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Nombre d'entrées en formation : 12\u202f345, soit 45,2\u00a0%",
        "Total des jeunes accompagnés de la région",
        "Part de handicap, de jeunes, de 16 à 25 ans",
        "évolution (−3\u00a0%), stable sur un an",
        "1\u202f234\u202f234 euros",
    ],
)
def test_wording_scan_accepts_correct_french(text):
    assert wording_problems(text) == []
