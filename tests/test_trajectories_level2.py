"""Representatives, indicators, OMspell/TWED/CHI2/LCP, rf and MDS plots: by hand and
against TraMineR 2.2-12 (../shared/data/traminer_level2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from observatoire.exceptions import SequenceError
from observatoire.trajectories import _kernels_more as km
from observatoire.trajectories import (
    define_sequences,
    distances,
    mds_coordinate,
    plot_index,
    plot_relative_frequency,
    relative_frequency,
    representatives,
    sample_representatives,
    sequence_indicators,
    substitution_costs,
)
from observatoire.trajectories._distances import cross_distances
from observatoire.trajectories._represent import sps


def _seq(rows, alphabet=("a", "b")):
    return define_sequences([list(r) for r in rows], None, list(alphabet))


# ----------------------------------------------------------------------- indicators
def test_indicators_by_hand():
    got = sequence_indicators(_seq(["abab", "aabb", "aaaa"]))
    abab, aabb, aaaa = (got.iloc[i] for i in range(3))
    # abab: DSS a b a b; subsequences "", a, b, aa, ab, ba, bb, aab, aba, abb, bab, abab
    assert (abab["Dlgth"], abab["Trans"], abab["Nsubs"]) == (4, 3, 12)
    assert abab["Transp"] == 1 and abab["Visited"] == 2 and abab["Recu"] == 2
    assert abab["Entr"] == pytest.approx(1, abs=1e-15)
    assert abab["Cplx"] == pytest.approx(1, abs=1e-15)
    assert abab["Volat"] == pytest.approx(0.5 * 1 + 0.5 * 1, abs=1e-15)
    # durations 1 1 1 1: mean 1, variance 0, vmax = 3 (1 - 1)^2 = 0 -> log2(12)
    assert (abab["MeanD"], abab["Dustd"]) == (1, 0)
    assert abab["Turb"] == pytest.approx(math.log2(12), abs=1e-14)
    # the most turbulent sequence of length 4 over {a, b} is abab itself
    assert abab["Turbn"] == pytest.approx(1, abs=1e-14)
    # aabb: DSS a b (4 subsequences), durations 2 2, vmax = (2 - 1)(1 - 2)^2 = 1
    assert (aabb["Dlgth"], aabb["Nsubs"], aabb["MeanD"]) == (2, 4, 2)
    assert aabb["Turb"] == pytest.approx(math.log2(4 * 2 / 1), abs=1e-14)
    assert aabb["Turbn"] == pytest.approx(2 / (math.log2(12) - 1), abs=1e-14)
    assert aabb["Transp"] == pytest.approx(1 / 3, abs=1e-15)
    assert aabb["Cplx"] == pytest.approx(math.sqrt(1 / 3), abs=1e-15)
    # aaaa: one spell, 2 subsequences, Turb = log2(2) = 1 -> normalised 0
    assert (aaaa["Nsubs"], aaaa["Turb"], aaaa["Turbn"], aaaa["Entr"]) == (2, 1, 0, 0)
    assert aaaa["Volat"] == 0 and aaaa["Recu"] == 1
    assert list(got.columns) == [
        "Lgth", "NonM", "Dlgth", "Visited", "Visitp", "Recu", "Trans", "Transp",
        "Entr", "MeanD", "Dustd", "MeanD2", "Dustd2", "Nsubs", "Volat", "Cplx",
        "Turb", "Turbn", "Turb2", "Turb2n",
    ]  # fmt: skip


def test_indicators_type2_and_missing_by_hand():
    seq = _seq(["aabb"], ("a", "b", "c"))
    got = sequence_indicators(seq, ["meand2", "dustd2", "visitp"]).iloc[0]
    # c is not visited: a spell of length 0. mean 4/3; variance
    # ((2 - 4/3)^2 + (2 - 4/3)^2 + (4/3)^2) / 3 = 8/9
    assert got["MeanD2"] == pytest.approx(4 / 3, abs=1e-15)
    assert got["Dustd2"] == pytest.approx(math.sqrt(8 / 9), abs=1e-15)
    assert got["Visitp"] == pytest.approx(2 / 3, abs=1e-15)
    miss = define_sequences([["a", None, "a", "b"]], None, ["a", "b"])
    row = sequence_indicators(miss, ["lgth", "nonm", "dlgth", "meand"]).iloc[0]
    # the missing month is dropped: spells a (2 months), b (1)
    assert row.tolist() == [4, 3, 2, 1.5]
    row = sequence_indicators(miss, ["dlgth", "visitp"], with_missing=True).iloc[0]
    assert row.tolist() == [4, 1.0]  # a * a b: 4 spells, 3 of 3 states


def test_indicators_bad_input():
    seq = _seq(["ab"])
    with pytest.raises(SequenceError, match="unknown indicator 'nvisit'"):
        sequence_indicators(seq, "nvisit")
    with pytest.raises(SequenceError, match="w must be"):
        sequence_indicators(seq, w=2)
    assert list(sequence_indicators(seq, "visit").columns) == ["Visited"]


# ------------------------------------------------------------------ representatives
@pytest.fixture
def line():
    """Five sequences whose dissimilarities are those of the points 0, 1, 2, 10, 11."""
    x = np.array([0.0, 1, 2, 10, 11])
    seq = _seq(["aaaa", "aaab", "aabb", "abbb", "bbbb"])
    return seq, np.abs(x[:, None] - x[None, :])


def test_representatives_by_hand(line):
    seq, d = line
    # radius 0.1 x 11 = 1.1; density (points within < 1.1): 2, 3, 2, 2, 2
    rep = representatives(seq, d, "density", coverage=0.25)
    assert rep.index.tolist() == [1]  # covers 0, 1, 2: 60 % >= 25 %
    assert rep.scores.tolist() == [2, 3, 2, 2, 2]
    rep = representatives(seq, d, "density", coverage=0.8)
    # 0 and 2 lie within 1.1 of point 1; 10 is kept and covers the rest
    assert rep.index.tolist() == [1, 3] and rep.groups.tolist() == [1, 1, 1, 2, 2]
    st = rep.statistics
    assert st["na"].tolist() == [3, 2, 5] and st["nb"].tolist() == [3, 2, 5]
    assert st["SD"].tolist() == [2, 1, 3]
    # distance to the centre: mean distance minus half the overall mean
    # rows 24, 21, 20, 28, 31 / 5, overall mean 4.96 -> 2.32, 1.72, 1.52, 3.12, 3.72
    np.testing.assert_allclose(st["DC"], [5.56, 6.84, 12.4], rtol=0, atol=1e-12)
    # V: inside {0, 1, 2} centre distances 1, 2/3, 1 minus half their mean -> 4/9
    np.testing.assert_allclose(st["V"], [4 / 9, 0.25, 12.4 / 5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        st["Q"], [(5.56 - 2) / 5.56 * 100, (6.84 - 1) / 6.84 * 100, (12.4 - 3) / 12.4 * 100],
        rtol=0, atol=1e-12,
    )  # fmt: skip
    assert rep.quality == pytest.approx((12.4 - 3) / 12.4, abs=1e-15)
    assert rep.coverage == 1.0
    # dist: sums 24, 21, 20, 28, 31 increasing -> 2, then 1 (within 1.1 of 2: skipped),
    # then 0 (at 2 > 1.1: kept)
    assert representatives(seq, d, "dist", nrep=2).index.tolist() == [2, 0]
    table = rep.to_frame()
    assert table["sps"].tolist() == ["(a,3)-(b,1)", "(a,1)-(b,3)"]
    assert table["rank"].tolist() == [1, 2]


def test_representatives_ties_and_weights():
    seq = _seq(["aaaa", "aaaa", "bbbb", "bbbb", "bbbb"])
    d = distances(seq, "HAM")
    rep = representatives(seq, d, "freq", coverage=1.0)
    assert rep.index.tolist() == [2, 0]  # 3 copies first, then 2
    # weights: the two a's outweigh the three b's
    w = np.array([5.0, 5, 1, 1, 1])
    rep = representatives(seq, d, "freq", coverage=0.5, weights=w)
    assert rep.index.tolist() == [0] and rep.n == 13
    assert rep.statistics.loc["Total", "na_pct"] == 100
    # the sequences' own weights are used by default (seqrep's weighted = TRUE)
    wseq = define_sequences([list(r) for r in ["aaaa", "aaaa", "bbbb", "bbbb", "bbbb"]],
                            None, ["a", "b"], weights=w)  # fmt: skip
    own = representatives(wseq, d, "freq", coverage=0.5)
    assert own.index.tolist() == [0] and own.n == 13
    assert own.sequences.weights.tolist() == [5.0]
    assert representatives(
        wseq, d, "freq", coverage=0.5, weighted=False
    ).index.tolist() == [2]


def test_sample_representatives(line):
    seq, d = line
    # a "sample" of everything is the plain selection; every sequence gets a group
    full = sample_representatives(
        seq, "density", 0.8, method="HAM", sm=None, sample_size=5
    )
    plain = representatives(seq, distances(seq, "HAM"), "density", 0.8)
    assert full.sample.index.tolist() == plain.index.tolist()
    np.testing.assert_array_equal(full.groups, plain.groups)
    part = sample_representatives(
        seq, "freq", 1.0, method="HAM", sm=None, sample_size=3
    )
    assert part.sample_index.size == 3 and set(part.sample.index) <= set(
        part.sample_index
    )
    ham = distances(seq, "HAM")[:, part.sample.index]
    np.testing.assert_allclose(part.distance, ham.min(axis=1), rtol=0, atol=0)
    with pytest.raises(SequenceError, match="sample_size"):
        sample_representatives(seq, sample_size=1)


def test_representatives_bad_input(line):
    seq, d = line
    with pytest.raises(SequenceError, match="unknown criterion"):
        representatives(seq, d, "mode")
    with pytest.raises(SequenceError, match="coverage"):
        representatives(seq, d, coverage=0)
    with pytest.raises(SequenceError, match="radius"):
        representatives(seq, d, radius=2)
    with pytest.raises(SequenceError, match="5 x 5"):
        representatives(_seq(["ab", "ba"]), d)
    with pytest.raises(SequenceError, match="weights"):
        representatives(seq, d, weights=[1, 2])


# --------------------------------------------------------------------- distances
def test_twed_by_hand():
    # sm a-b 1, nu = h = 0.5. ab-aa: match a-a (0), then b-a costs
    # sm(b, a) + sm(a, a) = 1; ab-ba: 1 + 2 = 3; aa-ba: 1 + (sm(a,a) + sm(a,b)) = 2
    seq = _seq(["ab", "aa", "ba"])
    sm = np.array([[0.0, 1.0], [1.0, 0.0]])
    got = distances(seq, "TWED", sm=sm, nu=0.5, h=0.5)
    np.testing.assert_allclose(
        got, [[0, 1, 3], [1, 0, 2], [3, 2, 0]], rtol=0, atol=1e-15
    )
    # YujianBo: 2 d / (d + maxdist), maxdist = 2 (2 indel + nu) T, indel = 2 + 1
    norm = distances(seq, "TWED", sm=sm, nu=0.5, h=0.5, norm="auto")
    assert norm[0, 2] == pytest.approx(2 * 3 / (3 + 2 * (6 + 0.5) * 2), abs=1e-15)


@pytest.mark.parametrize("k,T,n", [(2, 5, 9), (4, 12, 21), (6, 30, 17)])
def test_twed_lanes_equal_plain(k, T, n):
    rng = np.random.default_rng(k * 100 + T)
    codes = rng.integers(0, k, (n, T))
    alphabet = [f"s{i}" for i in range(k)]
    seq = define_sequences(np.array(alphabet, dtype=object)[codes], None, alphabet)
    sm = rng.uniform(0.5, 2, (k, k))
    sm = sm + sm.T
    np.fill_diagonal(sm, 0)
    got = distances(seq, "TWED", sm=sm, nu=0.3, h=0.7)
    plain = np.array(
        [
            [
                km.twed_plain(codes[i], codes[j], sm, 0.3, 0.7, 1000 * sm.max())
                for j in range(n)
            ]
            for i in range(n)
        ]
    )
    np.testing.assert_allclose(got, plain, rtol=0, atol=1e-12)
    cross = cross_distances(seq, [0, 3], np.arange(n), "TWED", sm=sm, nu=0.3, h=0.7)
    np.testing.assert_allclose(cross, plain[[0, 3]], rtol=0, atol=1e-12)


@pytest.mark.parametrize("k,T,n", [(2, 6, 11), (3, 15, 37), (5, 40, 23)])
def test_omspell_lanes_equal_scalar(k, T, n):
    rng = np.random.default_rng(k * 7 + T)
    # runs of random lengths, so that the numbers of spells differ between sequences
    codes = np.repeat(rng.integers(0, k, (n, T)), rng.integers(1, 4, T), axis=1)[:, :T]
    alphabet = [f"s{i}" for i in range(k)]
    seq = define_sequences(np.array(alphabet, dtype=object)[codes], None, alphabet)
    sm = rng.uniform(0.5, 2, (k, k))
    sm = sm + sm.T
    np.fill_diagonal(sm, 0)
    indel = rng.uniform(0.5, 1.5, k)
    got = distances(seq, "OMspell", sm=sm, indel=indel, expcost=0.3, tpow=0.7)
    from observatoire.trajectories import _distances_more as dm

    st, ind, du, ln = dm._spell_arrays(seq.codes, indel, 0.3, 0.7)
    plain = km.omspell_square(st, ind, du, ln, sm, 0.3)  # one pair at a time
    np.testing.assert_allclose(got, plain, rtol=0, atol=1e-12)
    cross = cross_distances(seq, np.arange(n), [1, 4], "OMspell", sm=sm, indel=indel,
                            expcost=0.3, tpow=0.7)  # fmt: skip
    np.testing.assert_allclose(cross, plain[:, [1, 4]], rtol=0, atol=1e-12)


def test_omspell_by_hand():
    # aab = (a,2)(b,1), abb = (a,1)(b,2); sm a-b 1, indel 1, expcost 0.5:
    # a2 ~ a1 costs 0.5 |1 - 0|, b1 ~ b2 costs 0.5 |0 - 1| -> 1
    seq = _seq(["aab", "abb", "bbb"])
    sm = np.array([[0.0, 1.0], [1.0, 0.0]])
    got = distances(seq, "OMspell", sm=sm, indel=1.0, expcost=0.5)
    assert got[0, 1] == pytest.approx(1.0, abs=1e-15)
    # aab vs (b,3): substitute a2 -> b3 (1 + 0.5 (1 + 2)) and delete b1 (1): 3.5,
    # or match b1 ~ b3 (0.5 x 2) and delete a2 (1 + 0.5): 2.5
    assert got[0, 2] == pytest.approx(2.5, abs=1e-15)
    cross = cross_distances(seq, [0], [1, 2], "OMspell", sm=sm, indel=1.0)
    np.testing.assert_allclose(cross, got[[0]][:, [1, 2]], rtol=0, atol=1e-15)


def test_chi2_by_hand():
    seq = _seq(["ab", "aa", "bb"])
    # position 1: a a b (2/3, 1/3); position 2: b a b (1/3, 2/3)
    # ab-aa differ at 2: 1/(2/3) + 1/(1/3) = 4.5; aa-bb at both: 9
    got = distances(seq, "CHI2")
    r = math.sqrt(4.5)
    np.testing.assert_allclose(
        got, [[0, r, r], [r, 0, 3], [r, 3, 0]], rtol=0, atol=1e-14
    )
    # one interval: shares (1/2, 1/2), (1, 0), (0, 1); margins (1/2, 1/2)
    full = distances(seq, "CHI2", step=2)
    np.testing.assert_allclose(
        full, [[0, 1, 1], [1, 0, 2], [1, 2, 0]], rtol=0, atol=1e-14
    )
    # norm: margins x (1/p_min1 + 1/p_min2) = 4.5 per position, / sqrt(2 intervals)
    norm = distances(seq, "CHI2", norm="auto")
    assert norm[1, 2] == pytest.approx(math.sqrt(9 / 4.5) / math.sqrt(2), abs=1e-14)
    # explicit breaks give the general (table) kernel: the same as step 2
    np.testing.assert_allclose(
        distances(seq, "CHI2", breaks=[(1, 2)]), full, rtol=0, atol=1e-14
    )


def test_chi2_intervals_against_formula():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 3, (12, 7))
    seq = define_sequences(
        np.array(list("abc"), dtype=object)[codes], None, list("abc")
    )
    got = distances(seq, "CHI2", step=3)  # intervals 1-3, 4-6, 7
    blocks = [range(0, 3), range(3, 6), range(6, 7)]
    shares = np.concatenate(
        [
            np.stack([(codes[:, b] == s).mean(axis=1) for s in range(3)], 1)
            for b in blocks
        ],
        axis=1,
    )
    counts = np.concatenate(
        [
            np.stack([(codes[:, b] == s).sum(axis=1) for s in range(3)], 1)
            for b in blocks
        ],
        axis=1,
    ).astype(float)
    pdot = np.concatenate([c.sum(0) / c.sum() for c in np.split(counts, 3, axis=1)])
    keep = pdot > 0
    diff = shares[:, None, keep] - shares[None, :, keep]
    expected = np.sqrt((diff**2 / pdot[keep]).sum(axis=2))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)


def test_lcp_rlcp_and_norms():
    seq = _seq(["aba", "abb", "bba"])
    np.testing.assert_array_equal(distances(seq, "LCP")[0], [0, 2, 6])
    np.testing.assert_array_equal(distances(seq, "RLCP")[0], [0, 6, 2])
    # gmean: 1 - common / T
    np.testing.assert_allclose(distances(seq, "LCP", norm="auto")[0], [0, 1 / 3, 1])
    # HAM and OM: maxlength divides by T (x indel for OM)
    ham = distances(seq, "HAM")
    np.testing.assert_allclose(distances(seq, "HAM", norm="auto"), ham / 3)
    om = distances(seq, "OM", sm="CONSTANT", indel=1.0)
    np.testing.assert_allclose(
        distances(seq, "OM", sm="CONSTANT", norm="maxlength"), om / 3
    )
    # LCS gmean: d / (2 T)
    np.testing.assert_allclose(
        distances(seq, "LCS", norm="auto"), distances(seq, "LCS") / 6
    )


def test_new_distances_bad_input():
    seq = _seq(["ab", "ba"])
    with pytest.raises(SequenceError, match="needs nu"):
        distances(seq, "TWED", sm="TRATE")
    with pytest.raises(SequenceError, match="needs sm"):
        distances(seq, "OMspell")
    with pytest.raises(SequenceError, match="unknown norm"):
        distances(seq, "LCP", norm="max")
    with pytest.raises(SequenceError, match="CHI2"):
        distances(seq, "CHI2", norm="maxlength")
    with pytest.raises(SequenceError, match="step"):
        distances(seq, "CHI2", step=5)
    with pytest.raises(SequenceError, match="zero diagonal"):
        distances(seq, "TWED", sm=np.ones((2, 2)), nu=1)
    with pytest.raises(SequenceError, match="expcost"):
        distances(seq, "OMspell", sm="TRATE", expcost=-1)
    with pytest.raises(SequenceError, match="unknown distance method"):
        distances(seq, "SVRspell")
    miss = define_sequences([["a", None], ["b", "a"]], None, ["a", "b"])
    with pytest.raises(SequenceError, match="missing"):
        distances(miss, "TWED", sm="CONSTANT", nu=1)


# -------------------------------------------------------------------------- plots
def test_mds_coordinate_on_a_line(line):
    _, d = line
    coord = mds_coordinate(d)
    x = np.array([0.0, 1, 2, 10, 11])
    np.testing.assert_allclose(coord, x - x.mean(), rtol=0, atol=1e-10)


def test_relative_frequency_groups(line):
    seq, d = line
    rf = relative_frequency(d, k=2)
    # 5 sequences in 2 groups of weight 2.5: the middle one is shared
    assert [w.sum() for w in rf.member_weights] == [2.5, 2.5]
    assert [m.tolist() for m in rf.members] == [[0, 1, 2], [2, 3, 4]]
    assert rf.medoids.tolist() == [1, 3]
    # R2 = 1 - (0.5 + 0 + 0.5 x 1 [weights 1, 1, .5]) + (.5 x 8 + 0 + 1) / sum to 2
    total = d[:, 2].sum()
    within = (1 * 1 + 0 + 0.5 * 1) + (0.5 * 8 + 0 + 1 * 1)
    assert rf.r2 == pytest.approx(1 - within / total, abs=1e-12)
    fig, table = plot_relative_frequency(seq, d, k=2, return_table=True)
    assert table["poids"].tolist() == [2.5, 2.5]
    assert table["parcours_medoide"].tolist() == [sps(seq, 1), sps(seq, 3)]
    fig, table = plot_relative_frequency(
        seq, d, groups=np.array(["x", "x", "y", "y", "y"]), k=1, return_table=True
    )
    assert table["groupe"].tolist() == ["x", "y"] and len(fig.axes) == 4


def test_plot_index_sorted_and_table(line):
    seq, d = line
    fig, table = plot_index(seq, sort="mds", d=d, return_table=True, bands=5)
    # one band per sequence here; shares of each state sum to 1 per month
    sums = table.groupby("tranche")[
        [c for c in table.columns if c.startswith("mois_")]
    ].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert table["effectif"].sum() == 5 * 2  # one row per state and band
    # the MDS order of the points 0, 1, 2, 10, 11 is theirs: aaaa first
    first = table[table["tranche"] == 1].set_index("situation")["mois_4"]
    assert first["a"] == 1
    assert fig.axes
    with pytest.raises(SequenceError, match="sort"):
        plot_index(seq, sort="length")


# -------------------------------------------------------------- TraMineR (mvad)
ALPHABET = ["employment", "FE", "HE", "joblessness", "school", "training"]
STATES = ["EM", "FE", "HE", "JL", "SC", "TR"]
STATS = ["na", "na_pct", "nb", "nb_pct", "SD", "MD", "DC", "V", "Q"]


@pytest.fixture(scope="module")
def mvad_df(shared_dir):
    return pd.read_csv(shared_dir / "data" / "mvad.csv", index_col=0)


def _define(df):
    cols = list(df.columns)
    months = cols[cols.index("Jul.93") : cols.index("Jun.99") + 1]
    return define_sequences(df, months, ALPHABET, STATES, id_column="id")


@pytest.fixture(scope="module")
def mvad(mvad_df):
    return _define(mvad_df)


def _level2(shared_dir, name, **kw):
    return pd.read_csv(shared_dir / "data" / "traminer_level2" / name, **kw)


@pytest.fixture(scope="module")
def om_r(shared_dir):
    """R's OM TRATE matrix (15 digits): its exact ties decide the nearest representative."""
    return pd.read_csv(
        shared_dir / "data" / "traminer" / "dist_om_trate.csv", index_col=0
    ).to_numpy()


@pytest.mark.shared
@pytest.mark.parametrize("criterion", ["density", "freq", "dist", "mscore", "prob"])
def test_mvad_seqrep(mvad, om_r, shared_dir, criterion):
    ref = _level2(shared_dir, "mvad_seqrep.csv")
    ref = ref[ref["criterion"] == criterion]
    summary = _level2(shared_dir, "mvad_seqrep_summary.csv").set_index("criterion")
    scores = _level2(shared_dir, "mvad_seqrep_scores.csv")
    for d in (om_r, distances(mvad, "OM", sm="TRATE", indel=1.0)):
        rep = representatives(mvad, d, criterion, coverage=0.25, radius=0.1)
        ids = [int(x) for x in summary.loc[criterion, "ids"].split(";")]
        assert list(rep.ids) == ids
        assert (rep.index + 1).tolist() == ref["index"].dropna().astype(int).tolist()
        np.testing.assert_allclose(rep.statistics[STATS], ref[STATS], rtol=0, atol=1e-9)
        np.testing.assert_allclose(
            rep.scores, scores[f"score_{criterion}"], rtol=0, atol=1e-9
        )
        np.testing.assert_array_equal(rep.groups, scores[f"repgroup_{criterion}"])
        assert rep.quality == pytest.approx(
            summary.loc[criterion, "quality"], abs=1e-12
        )
        assert rep.dmax == pytest.approx(summary.loc[criterion, "dmax"], abs=1e-9)
        assert rep.radius == pytest.approx(summary.loc[criterion, "radius"], abs=1e-9)
        sps_ref = ref["seq_sps"].dropna().tolist()
        assert [sps(rep.sequences, i) for i in range(len(rep.index))] == sps_ref


@pytest.mark.shared
def test_mvad_seqindic(mvad, shared_dir):
    got = sequence_indicators(mvad, "all")
    ref = _level2(shared_dir, "mvad_seqindic_all.csv", index_col=0)
    assert list(got.columns) == list(ref.columns) and list(got.index) == list(ref.index)
    np.testing.assert_allclose(got.drop(columns="Nsubs"), ref.drop(columns="Nsubs"),
                               rtol=0, atol=1e-9)  # fmt: skip
    # subsequence counts reach 1e21: compare to R's 15 digits
    np.testing.assert_allclose(got["Nsubs"], ref["Nsubs"], rtol=1e-14, atol=0)
    ref = _level2(shared_dir, "mvad_seqindic.csv", index_col=0)
    got = sequence_indicators(
        mvad, ["lgth", "visited", "trans", "entr", "cplx", "turb", "turbn"]
    )
    assert list(got.columns) == list(ref.columns)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)
    ref = _level2(shared_dir, "mvad_indicators.csv", index_col=0)
    got = sequence_indicators(
        mvad, ["lgth", "trans", "entr", "cplx", "turb", "turbn", "turb2", "turb2n"]
    )
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def sub200(mvad_df):
    return _define(mvad_df.iloc[:200])


@pytest.mark.shared
@pytest.mark.parametrize(
    "name,kwargs",
    [
        (
            "omspell_trate",
            {"method": "OMspell", "sm": "TRATE", "indel": "auto", "expcost": 0.5},
        ),
        (
            "twed_trate",
            {"method": "TWED", "sm": "TRATE", "indel": "auto", "h": 0.5, "nu": 0.5},
        ),
        ("twed_const2", {"method": "TWED", "sm": "CONSTANT", "h": 0.5, "nu": 0.5}),
        ("chi2", {"method": "CHI2"}),
        ("chi2_full", {"method": "CHI2", "step": 72}),
        ("lcp", {"method": "LCP"}),
    ],
)
def test_mvad_dist200(sub200, shared_dir, name, kwargs):
    ref = _level2(shared_dir, f"mvad_dist200_{name}.csv", index_col=0)
    assert [int(c) for c in ref.columns] == list(sub200.ids)
    got = distances(sub200, **kwargs)
    np.testing.assert_allclose(got, ref.to_numpy(), rtol=0, atol=1e-9)


@pytest.mark.shared
def test_mvad_sub200_costs(sub200, shared_dir):
    ref = _level2(shared_dir, "mvad_sub200_trate_costs.csv", index_col=0)
    cost = substitution_costs(sub200, "TRATE")
    np.testing.assert_allclose(cost, ref[STATES], rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        0.5 * cost.to_numpy().max(), ref["indel_auto"], atol=1e-12
    )
