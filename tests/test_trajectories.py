"""Sequence analysis (observatoire.trajectories): hand-computed cases, TraMineR references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from observatoire.exceptions import SequenceError
from observatoire.trajectories import (
    clara,
    define_sequences,
    distances,
    entropy,
    mean_time,
    pam,
    silhouette,
    silhouette_samples,
    state_distribution,
    substitution_costs,
    transition_rates,
    ward,
)
from observatoire.trajectories._distances import cross_distances

# --------------------------------------------------------------------------------------
# Three short sequences over {a, b, c}, every figure below worked out on paper:
#   A = a a b b     B = a b b c     C = b b a a
# --------------------------------------------------------------------------------------


@pytest.fixture
def abc():
    rows = [list("aabb"), list("abbc"), list("bbaa")]
    df = pd.DataFrame(rows, columns=["m1", "m2", "m3", "m4"], index=["A", "B", "C"])
    return define_sequences(df, ["m1", "m2", "m3", "m4"], ["a", "b", "c"])


def test_sequences_object(abc):
    assert abc.codes.tolist() == [[0, 0, 1, 1], [0, 1, 1, 2], [1, 1, 0, 0]]
    assert (abc.n, abc.length, abc.labels) == (3, 4, ("a", "b", "c"))
    assert list(abc.ids) == ["A", "B", "C"]
    assert abc.alphabet == ("a", "b", "c")


def test_state_distribution_by_hand(abc):
    # month 1: a in A, B; b in C. month 4: b (A), c (B), a (C).
    got = state_distribution(abc)
    expected = np.array(
        [[2 / 3, 1 / 3, 1 / 3, 1 / 3], [1 / 3, 2 / 3, 2 / 3, 1 / 3], [0, 0, 0, 1 / 3]]
    )
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-15)
    assert list(got.index) == ["a", "b", "c"] and list(got.columns) == [
        "m1",
        "m2",
        "m3",
        "m4",
    ]


def test_transition_rates_by_hand(abc):
    # transitions: A a>a a>b b>b, B a>b b>b b>c, C b>b b>a a>a
    # from a: a>a 2, a>b 2 (of 4); from b: b>a 1, b>b 3, b>c 1 (of 5); c never left: 0
    got = transition_rates(abc).to_numpy()
    expected = np.array([[0.5, 0.5, 0.0], [0.2, 0.6, 0.2], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


def test_substitution_costs_by_hand(abc):
    # TRATE: 2 - P(j|i) - P(i|j): a-b 2 - .5 - .2, a-c 2 - 0 - 0, b-c 2 - .2 - 0
    got = substitution_costs(abc, "TRATE").to_numpy()
    expected = np.array([[0, 1.3, 2.0], [1.3, 0, 1.8], [2.0, 1.8, 0]])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    const = substitution_costs(abc, "CONSTANT", value=3).to_numpy()
    np.testing.assert_array_equal(const, [[0, 3, 3], [3, 0, 3], [3, 3, 0]])


def test_entropy_by_hand(abc):
    # A and C: half a, half b -> ln 2 / ln 3; B: shares 1/4, 1/2, 1/4 -> 1.5 ln 2 / ln 3
    got = entropy(abc)
    assert got["A"] == pytest.approx(math.log(2) / math.log(3), abs=1e-15)
    assert got["B"] == pytest.approx(1.5 * math.log(2) / math.log(3), abs=1e-15)
    assert got["C"] == pytest.approx(math.log(2) / math.log(3), abs=1e-15)
    assert entropy(abc, normalize=False)["A"] == pytest.approx(math.log(2), abs=1e-15)


def test_mean_time_by_hand(abc):
    # months in a: 2, 1, 2 -> mean 5/3, deviations 1/3, -2/3, 1/3 -> var (6/9) / 2 = 1/3
    got = mean_time(abc)
    assert got.loc["a", "Mean"] == pytest.approx(5 / 3, abs=1e-15)
    assert got.loc["a", "Var"] == pytest.approx(1 / 3, abs=1e-15)
    assert got.loc["a", "Stdev"] == pytest.approx(math.sqrt(1 / 3), abs=1e-15)
    assert got.loc["a", "SE"] == pytest.approx(math.sqrt(1 / 9), abs=1e-15)
    assert got["Mean"].sum() == pytest.approx(4)


def test_hamming_lcs_by_hand(abc):
    # HAM: A-B differ at months 2, 4; A-C everywhere; B-C at 1, 3, 4
    np.testing.assert_array_equal(
        distances(abc, "HAM"), [[0, 2, 4], [2, 0, 3], [4, 3, 0]]
    )
    # LCS: LLCS(A,B) = 3 (abb), LLCS(A,C) = 2 (aa), LLCS(B,C) = 2 (bb); d = 8 - 2 LLCS
    np.testing.assert_array_equal(
        distances(abc, "LCS"), [[0, 2, 4], [2, 0, 4], [4, 4, 0]]
    )
    np.testing.assert_array_equal(
        distances(abc, "OM", sm="CONSTANT"), distances(abc, "LCS")
    )


def test_om_trate_by_hand(abc):
    # costs a-b 1.3, a-c 2, b-c 1.8, indel 1.
    # A-B: delete the 2nd a, insert the final c: 2 (substitutions would cost 1.3 + 1.8).
    # A-C: delete a a, insert a a: 4 (four substitutions would cost 5.2).
    # B-C: the DP table worked on paper ends at 4.0 (e.g. delete a, sub c>a 2, insert a).
    got = distances(abc, "OM", sm="TRATE", indel=1.0)
    # a labelled cost table is aligned on the state labels, whatever its row order
    flipped = substitution_costs(abc, "TRATE").iloc[::-1, ::-1]
    np.testing.assert_array_equal(distances(abc, "OM", sm=flipped), got)
    np.testing.assert_allclose(
        got, [[0, 2, 4], [2, 0, 4], [4, 4, 0]], rtol=0, atol=1e-12
    )
    # with indel 0.5 every substitution (>= 1.3) is beaten by delete + insert (1):
    # d = number of unmatched positions / 2 = LCS distance / 2
    half = distances(abc, "OM", sm="TRATE", indel=0.5)
    np.testing.assert_allclose(half, distances(abc, "LCS") / 2, rtol=0, atol=1e-12)


def test_dhd_by_hand(abc):
    # time-varying rates a<>b summed both ways: t1>2: .5, t2>3: 1.5, t3>4: 0; b<>c: t3>4 .5
    # costs a-b: t1 4 - 2(.5) = 3, t2 4 - .5 - 1.5 = 2, t3 4 - 1.5 - 0 = 2.5, t4 4
    #       b-c: t1 4, t2 4, t3 4 - .5 = 3.5, t4 4 - 2(.5) = 3;   a-c: 4 everywhere
    # A-B: a/b at t2 (2) + b/c at t4 (3) = 5; A-C: 3 + 2 + 2.5 + 4 = 11.5;
    # B-C: a/b t1 (3) + b/a t3 (2.5) + c/a t4 (4) = 9.5
    got = distances(abc, "DHD")
    np.testing.assert_allclose(
        got, [[0, 5, 11.5], [5, 0, 9.5], [11.5, 9.5, 0]], rtol=0, atol=1e-12
    )


def test_duplicates_are_expanded():
    seq = define_sequences(
        [list("ab"), list("ba"), list("ab"), list("ab")], None, ["a", "b"]
    )
    d = distances(seq, "HAM")
    # rows 0, 2, 3 are the same sequence
    np.testing.assert_array_equal(
        d, [[0, 2, 0, 0], [2, 0, 2, 2], [0, 2, 0, 0], [0, 2, 0, 0]]
    )
    # ab vs ba: LLCS 1, so 2 + 2 - 2 = 2 (delete a, insert a; two substitutions cost 4)
    assert distances(seq, "OM", sm="CONSTANT")[1, 3] == 2


# ------------------------------------------------------------- missing states


def test_missing_states_statistics():
    # X = a *  ; Y = b b   (* missing)
    seq = define_sequences([["a", None], ["b", "b"]], None, ["a", "b"])
    assert seq.codes.tolist() == [[0, -1], [1, 1]] and seq.has_missing
    # month 2: only Y has a state, so b has share 1 among valid states
    sd = state_distribution(seq)
    np.testing.assert_array_equal(sd.to_numpy(), [[0.5, 0.0], [0.5, 1.0]])
    sdm = state_distribution(seq, with_missing=True)
    assert list(sdm.index) == ["a", "b", "*"]
    np.testing.assert_array_equal(sdm.to_numpy(), [[0.5, 0], [0.5, 0.5], [0, 0.5]])
    # months in a: 1, 0; in b: 0, 2 -> means .5 and 1 (sum 1.5 < 2: the missing month)
    np.testing.assert_array_equal(mean_time(seq)["Mean"].to_numpy(), [0.5, 1.0])
    # X has only a (entropy 0), Y only b
    np.testing.assert_array_equal(entropy(seq).to_numpy(), [0.0, 0.0])
    # the transition a>* is left out; b>b is the only one
    np.testing.assert_array_equal(transition_rates(seq).to_numpy(), [[0, 0], [0, 1]])
    with pytest.raises(SequenceError, match="missing"):
        distances(seq, "HAM")
    # as a state: X = a *, Y = b b differ twice
    np.testing.assert_array_equal(
        distances(seq, "HAM", with_missing=True), [[0, 2], [2, 0]]
    )


def test_missing_values_option_and_empty_entropy():
    seq = define_sequences([["*", "*"], ["a", "b"]], None, ["a", "b"], missing=["*"])
    assert seq.codes.tolist() == [[-1, -1], [0, 1]]
    # a sequence with no state at all has entropy 0 (TraMineR: entropy of nothing)
    assert entropy(seq).tolist() == [0.0, 1.0]


# ------------------------------------------------------------- bad inputs


def test_unknown_state_is_named():
    with pytest.raises(SequenceError, match="'z'"):
        define_sequences([list("abz")], None, ["a", "b"])


def test_ragged_and_empty_sequences():
    with pytest.raises(SequenceError, match="ragged"):
        define_sequences([list("ab"), list("abb")], None, ["a", "b"])
    with pytest.raises(SequenceError, match="0 rows"):
        define_sequences(pd.DataFrame({"m1": []}), ["m1"], ["a", "b"])
    with pytest.raises(SequenceError, match="0 positions"):
        define_sequences([[], []], None, ["a", "b"])
    with pytest.raises(SequenceError, match="columns not in the data"):
        define_sequences(pd.DataFrame({"m1": ["a"]}), ["m1", "m2"], ["a", "b"])


def test_bad_alphabet_labels_ids():
    with pytest.raises(SequenceError, match="duplicate values in the alphabet"):
        define_sequences([list("ab")], None, ["a", "b", "a"])
    with pytest.raises(SequenceError, match="labels"):
        define_sequences([list("ab")], None, ["a", "b"], labels=["A"])
    df = pd.DataFrame({"id": [1, 1], "m1": ["a", "b"]})
    with pytest.raises(SequenceError, match="duplicate sequence ids"):
        define_sequences(df, ["m1"], ["a", "b"], id_column="id")


def test_bad_cost_matrix(abc):
    sm = np.array([[0, 1, np.nan], [1, 0, 1], [1, 1, 0]])
    with pytest.raises(SequenceError, match="NaN"):
        distances(abc, "OM", sm=sm)
    with pytest.raises(SequenceError, match=r"shape \(2, 2\)"):
        distances(abc, "OM", sm=np.zeros((2, 2)))
    with pytest.raises(SequenceError, match="negative"):
        distances(abc, "OM", sm=-np.ones((3, 3)))
    with pytest.raises(SequenceError, match="unknown distance method"):
        distances(abc, "XYZ")
    with pytest.raises(SequenceError, match="needs sm"):
        distances(abc, "OM")
    with pytest.raises(SequenceError, match="indel"):
        distances(abc, "OM", sm="TRATE", indel=-1)
    with pytest.raises(ValueError):  # SequenceError is a ValueError
        distances(abc, "OM", sm="NOPE")


def test_bad_cluster_inputs():
    d = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0.0]])
    with pytest.raises(SequenceError, match="k=4"):
        pam(d, 4)
    with pytest.raises(SequenceError, match="k=5"):
        ward(d, 5)
    with pytest.raises(SequenceError, match="square"):
        pam(np.zeros((2, 3)), 1)
    with pytest.raises(SequenceError, match="NaN"):
        ward(np.array([[0, np.nan], [np.nan, 0]]), 1)
    with pytest.raises(SequenceError, match="labels has shape"):
        silhouette(d, [1, 2])
    with pytest.raises(SequenceError, match="at least 2 clusters"):
        silhouette(d, [1, 1, 1])
    with pytest.raises(SequenceError, match="Sequences object"):
        entropy(pd.DataFrame())


# ------------------------------------------------------------- clustering by hand


def test_pam_by_hand():
    # five points on a line at 0, 1, 2, 10, 11.
    # BUILD: smallest total distance is point 2 (20); then 10 and 11 both gain 16,
    # cluster's C code keeps the last of equal gains -> 11. Objective (2+1+0+1+0)/5 = .8
    # SWAP: medoid 2 -> 1 lowers the cost of {0,1,2} from 3 to 2 -> (1+0+1+1+0)/5 = .6
    x = np.array([0, 1, 2, 10, 11.0])
    d = np.abs(x[:, None] - x[None, :])
    labels, medoids, obj = pam(d, 2, return_objective=True)
    assert labels.tolist() == [1, 1, 1, 2, 2]
    assert medoids.tolist() == [1, 4]
    assert obj == pytest.approx((0.8, 0.6), abs=1e-15)


def test_ward_and_silhouette_by_hand():
    d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    assert ward(d, 2).tolist() == [1, 1, 2, 2]
    assert ward(d, 1).tolist() == [1, 1, 1, 1]
    # each item: a = 1, b = 9 -> (9 - 1) / 9
    np.testing.assert_allclose(silhouette_samples(d, [1, 1, 2, 2]), [8 / 9] * 4)
    # 0-1 close, 2 alone: s0 = (4-1)/4, s1 = (2-1)/2, s2 = 0 (singleton)
    d3 = np.array([[0, 1, 4], [1, 0, 2], [4, 2, 0.0]])
    assert silhouette(d3, ["x", "x", "y"]) == pytest.approx((0.75 + 0.5) / 3)


# ------------------------------------------------------------- kernels vs a plain version


def _plain_om(a, b, cost, indel):
    """Textbook OM, pure Python (reference for the fast kernel)."""
    m, n = len(a), len(b)
    d = [[0.0] * (n + 1) for _ in range(m + 1)]
    for p in range(m + 1):
        d[p][0] = p * indel
    for q in range(n + 1):
        d[0][q] = q * indel
    for p in range(1, m + 1):
        for q in range(1, n + 1):
            d[p][q] = min(
                d[p - 1][q] + indel,
                d[p][q - 1] + indel,
                d[p - 1][q - 1] + cost[a[p - 1]][b[q - 1]],
            )
    return d[m][n]


@pytest.mark.parametrize(
    "k,T,n,shared",
    [(2, 5, 37, False), (3, 12, 20, False), (7, 9, 33, False), (11, 1, 18, False),
     (4, 10, 70, True), (3, 15, 41, True)],
)  # fmt: skip
def test_fast_om_equals_plain(k, T, n, shared):
    rng = np.random.default_rng(k * 100 + T)
    rows = rng.integers(0, k, (n, T))
    if shared:  # few bases with mutated tails: long common prefixes (prefix sharing)
        bases = rng.integers(0, k, (3, T))
        rows = bases[rng.integers(0, 3, n)]
        cut = rng.integers(0, T, n)
        tail = np.arange(T)[None, :] >= cut[:, None]
        rows = np.where(
            tail & (rng.random((n, T)) < 0.5), rng.integers(0, k, (n, T)), rows
        )
    rows[3] = rows[5]  # a duplicate
    seq = define_sequences(rows.tolist(), None, list(range(k)))
    cost = rng.uniform(0.1, 3.0, (k, k))
    cost = (cost + cost.T) / 2
    np.fill_diagonal(cost, 0.0)
    indel = float(rng.uniform(0.5, 2.0))
    got = distances(seq, "OM", sm=cost, indel=indel)
    c = cost.tolist()
    r = rows.tolist()
    expected = np.array([[_plain_om(x, y, c, indel) for y in r] for x in r])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)
    # the rectangular kernel (CLARA), rows vs a few columns
    cols = np.array([0, 3, n - 1])
    cross = cross_distances(seq, np.arange(n), cols, "OM", sm=cost, indel=indel)
    np.testing.assert_allclose(cross, expected[:, cols], rtol=0, atol=1e-10)
    full = cross_distances(seq, np.arange(n), np.arange(n), "OM", sm=cost, indel=indel)
    np.testing.assert_allclose(full, expected, rtol=0, atol=1e-10)
    # position-wise kernels: HAM with the same costs, straightforward sum
    ham = distances(seq, "HAM", sm=cost)
    expected_ham = cost[rows[:, None, :], rows[None, :, :]].sum(axis=2)
    np.testing.assert_allclose(ham, expected_ham, rtol=0, atol=1e-10)
    cross_ham = cross_distances(seq, np.arange(n), cols, "HAM", sm=cost)
    np.testing.assert_allclose(cross_ham, expected_ham[:, cols], rtol=0, atol=1e-10)
    # constant costs take the mismatch-count kernel
    np.testing.assert_array_equal(
        distances(seq, "HAM"), (rows[:, None, :] != rows[None, :, :]).sum(axis=2)
    )


# ------------------------------------------------------------- TraMineR references (mvad)

ALPHABET = ["employment", "FE", "HE", "joblessness", "school", "training"]
STATES = ["EM", "FE", "HE", "JL", "SC", "TR"]


def _months(df: pd.DataFrame) -> list[str]:
    # R columns 15:86 of data(mvad) = Jul.93 .. Jun.99, 72 months
    cols = list(df.columns)
    return cols[cols.index("Jul.93") : cols.index("Jun.99") + 1]


@pytest.fixture(scope="module")
def mvad(shared_dir):
    df = pd.read_csv(shared_dir / "data" / "mvad.csv", index_col=0)
    months = _months(df)
    assert len(months) == 72
    return define_sequences(df, months, ALPHABET, STATES, id_column="id")


def _ref(shared_dir, name):
    return pd.read_csv(shared_dir / "data" / "traminer" / name, index_col=0)


@pytest.fixture(scope="module")
def om_trate(mvad):
    return distances(mvad, "OM", sm="TRATE", indel=1.0)


def test_lane_kernels_are_their_generator_output():
    # _lanes.py is generated (one lane loop, one cell update per method): the
    # committed file must be what _codegen.py writes, already ruff-formatted
    from pathlib import Path

    from observatoire.trajectories import _codegen, _lanes

    assert _codegen.generate() == Path(_lanes.__file__).read_text()
    assert {"align_lanes", "omspell_lanes", "twed_lanes"} <= set(vars(_lanes))
    assert _lanes.LANES == _codegen.LANES


def test_balanced_items_by_hand():
    from observatoire.trajectories._kernels import balanced_item, lane_block

    # a long row, then a short one: 0, 4, 1, 3, 2; each row exactly once
    assert [balanced_item(k, 5) for k in range(5)] == [0, 4, 1, 3, 2]
    assert [balanced_item(k, 4) for k in range(4)] == [0, 3, 1, 2]
    assert [balanced_item(k, 1) for k in range(1)] == [0]
    # 8 rows, two threads on positions 0-3 and 4-7: rows {0, 7, 1, 6} and
    # {2, 5, 3, 4}, with 7 + 0 + 6 + 1 = 14 and 5 + 2 + 4 + 3 = 14 pairs above them
    assert [balanced_item(k, 8) for k in range(8)] == [0, 7, 1, 6, 2, 5, 3, 4]
    # 20 columns in blocks of LANES: the last block holds what is left
    from observatoire.trajectories._lanes import LANES

    assert lane_block(0, 20) == (0, min(LANES, 20))
    last = (20 - 1) // LANES
    assert lane_block(last, 20) == (last * LANES, 20 - last * LANES)


@pytest.mark.shared
def test_mvad_statistics(mvad, shared_dir):
    pairs = [
        (state_distribution(mvad), "statd.csv"),
        (transition_rates(mvad), "trate.csv"),
        (substitution_costs(mvad, "TRATE"), "subm_trate.csv"),
        (entropy(mvad).to_frame(), "entropy.csv"),
        (mean_time(mvad), "meant.csv"),
    ]
    for got, name in pairs:
        ref = _ref(shared_dir, name)
        assert got.shape == ref.shape, name
        np.testing.assert_allclose(
            got.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-9, err_msg=name
        )
    assert list(entropy(mvad).index) == list(_ref(shared_dir, "entropy.csv").index)


@pytest.mark.shared
@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"method": "HAM"}, "dist_ham.csv"),
        ({"method": "OM", "sm": "CONSTANT", "indel": 1.0}, "dist_om_const.csv"),
        ({"method": "LCS"}, "dist_lcs.csv"),
        ({"method": "DHD"}, "dist_dhd.csv"),
    ],
)
def test_mvad_distances(mvad, shared_dir, kwargs, name):
    ref = _ref(shared_dir, name).to_numpy()
    np.testing.assert_allclose(distances(mvad, **kwargs), ref, rtol=0, atol=1e-9)


@pytest.mark.shared
def test_mvad_om_trate(mvad, om_trate, shared_dir):
    ref = _ref(shared_dir, "dist_om_trate.csv").to_numpy()
    np.testing.assert_allclose(om_trate, ref, rtol=0, atol=1e-9)
    # sm as the seqsubm matrix gives the same
    sm = substitution_costs(mvad, "TRATE")
    np.testing.assert_allclose(distances(mvad, "OM", sm=sm), ref, rtol=0, atol=1e-9)


@pytest.mark.shared
def test_mvad_ward(om_trate, shared_dir):
    labels = ward(om_trate, 4)
    ref = pd.read_csv(shared_dir / "data" / "traminer" / "clusters_ward4.csv")
    table = pd.crosstab(labels, ref["cluster"].to_numpy())
    # the same partition: one non-zero cell per row and per column
    assert ((table > 0).sum(axis=0) == 1).all() and ((table > 0).sum(axis=1) == 1).all()
    assert sorted(np.bincount(labels)[1:]) == sorted([193, 151, 190, 178])
    assert np.bincount(labels)[1:].tolist() == [193, 151, 190, 178]  # cutree numbering
    assert round(silhouette(om_trate, labels), 5) == 0.29623


@pytest.mark.shared
def test_mvad_pam(mvad, om_trate, shared_dir):
    labels, medoids, obj = pam(om_trate, 4, return_objective=True)
    ref = pd.read_csv(shared_dir / "data" / "traminer" / "pam4.csv")
    assert list(mvad.ids[medoids]) == [128, 167, 641, 259]
    assert np.bincount(labels)[1:].tolist() == [296, 215, 65, 136]
    np.testing.assert_array_equal(labels, ref["cluster"].to_numpy())
    assert round(obj[0], 5) == 37.68328 and round(obj[1], 5) == 36.52693
    assert round(silhouette(om_trate, labels), 5) == 0.36827


@pytest.mark.shared
def test_mvad_clara_runs(mvad, om_trate):
    res = clara(mvad, 4, "OM", sm="TRATE", samples=3, sample_size=120, seed=1)
    assert np.bincount(res.labels)[1:].sum() == 712 and len(res.medoids) == 4
    # the criterion is the mean dissimilarity to the chosen medoids, which PAM on the
    # whole matrix (36.52693) can only beat or equal
    check = om_trate[:, res.medoids].min(axis=1).mean()
    assert res.mean_dissimilarity == pytest.approx(check, abs=1e-9)
    assert res.mean_dissimilarity >= 36.52693 - 1e-5


@pytest.mark.shared
@pytest.mark.slow
def test_mvad5000(shared_dir):
    df = pd.read_csv(shared_dir / "data" / "mvad5000.csv")
    seq = define_sequences(df, _months(df), ALPHABET, STATES, id_column="id")
    d = distances(seq, "OM", sm="TRATE", indel=1.0)
    iu = np.triu_indices(seq.n, 1)
    assert d[iu].mean() == pytest.approx(83.1853937251, abs=1e-9)
    assert d[0, 1] == pytest.approx(86.7982415901, abs=1e-9)
    del d
    h = distances(seq, "HAM")
    assert h[iu].mean() == pytest.approx(50.3796972995, abs=1e-9)
