"""Typology quality, weighted partitions, discrepancy analysis, trees, aggregation, stability.

Small cases worked out on paper first, then the TraMineR 2.2-12 / WeightedCluster 2.0
references of ``../shared/data/traminer_level2`` (mvad).
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from numba import njit, prange

from observatoire.exceptions import SequenceError
from observatoire.trajectories import (
    QUALITY_STATS,
    _discrepancy,
    adjusted_rand_index,
    aggregate_cases,
    cluster_quality,
    cluster_quality_sampled,
    cluster_range,
    cluster_silhouettes,
    define_sequences,
    discrepancy,
    discrepancy_table,
    distances,
    group_medoids,
    kmedoids,
    mean_time,
    pam,
    plot_cluster_range,
    sequence_tree,
    state_distribution,
    substitution_costs,
    transition_rates,
    typology_stability,
    ward,
    weighted_silhouette_samples,
    weighted_ward,
)
from observatoire.trajectories._discrepancy import _shuffle_into
from observatoire.trajectories._distances import _unique_rows

# ----------------------------------------------------------------- cluster quality


def test_quality_two_tight_pairs_by_hand():
    # items 0, 1 in cluster 1 and 2, 3 in cluster 2; d = 1 inside, 9 across.
    d = np.array([[0, 1, 9, 9], [1, 0, 9, 9], [9, 9, 0, 1], [9, 9, 1, 0.0]])
    q = cluster_quality(d, [1, 1, 2, 2])
    assert list(q.index) == list(QUALITY_STATS)
    # silhouettes: a = 1 / (2 - 1), b = 9 -> 8/9; ASWw: a = 1 / 2 -> 8.5 / 9
    assert q["ASW"] == pytest.approx(8 / 9, abs=1e-15)
    assert q["ASWw"] == pytest.approx(8.5 / 9, abs=1e-15)
    # SS (pairs i<j, / n): total 38 / 4 = 9.5, within 1/2 + 1/2 = 1 -> R2 = 8.5 / 9.5,
    # CH = (8.5 / 1) / (1 / 2) = 17; with d^2: total 326 / 4, within 1 -> 80.5 / 81.5
    assert q["R2"] == pytest.approx(8.5 / 9.5, abs=1e-15)
    assert q["CH"] == pytest.approx(17.0, abs=1e-12)
    assert q["R2sq"] == pytest.approx(80.5 / 81.5, abs=1e-15)
    assert q["CHsq"] == pytest.approx(80.5 / 0.5, abs=1e-9)
    # every within distance below every between one: gamma = Somers' D = 1, HC = 0
    assert q["HG"] == 1.0 and q["HGSD"] == 1.0 and q["HC"] == 0.0
    # PBC over 16 weighted pairs (4 diagonal w 1, 2 within w 2, 4 across w 2):
    # E d = 76/16, E same = 1/2, cov = 4/16 - 4.75/2 = -2.125,
    # var d = 652/16 - 4.75^2 = 18.1875, var same = 1/4
    assert q["PBC"] == pytest.approx(2.125 / math.sqrt(18.1875 / 4), abs=1e-14)


def test_quality_ties_and_singleton_by_hand():
    # 0, 1 in A (d 2), 2 alone in B; d(0,2) = 2 ties the within distance, d(1,2) = 3.
    d = np.array([[0, 2, 2], [2, 0, 3], [2, 3, 0.0]])
    q = cluster_quality(d, ["A", "A", "B"])
    # same-cluster distances {0, 0, 0 (w 1), 2 (w 2)}, different {2 (w 2), 3 (w 2)}:
    # NC = 3*4 + 2*2 = 16, ND = 0, ties T = 2*2 = 4 -> HG 1, HGSD 16 / (16 + 4/2)
    assert q["HG"] == 1.0
    assert q["HGSD"] == pytest.approx(16 / 18, abs=1e-15)
    # singleton: WeightedCluster's a = 0, so s = 1 (cluster::silhouette would give 0).
    # s0 = (2 - 2) / 2 = 0, s1 = (3 - 2) / 3; ASWw: a = 2 / 2 -> .5 and 2/3
    assert q["ASW"] == pytest.approx((0 + 1 / 3 + 1) / 3, abs=1e-15)
    assert q["ASWw"] == pytest.approx((0.5 + 2 / 3 + 1) / 3, abs=1e-15)
    per = cluster_silhouettes(d, ["A", "A", "B"])
    assert list(per.index) == ["A", "B"]
    np.testing.assert_allclose(per["ASW"], [1 / 6, 1.0], atol=1e-15)
    np.testing.assert_allclose(per["n"], [2, 1])
    np.testing.assert_allclose(
        weighted_silhouette_samples(d, ["A", "A", "B"]), [0, 1 / 3, 1], atol=1e-15
    )
    # S = 2*2 = 4 (weight 2), Smin: weight 5 of the smallest = 3 zeros + 2 at 2 -> 4
    assert q["HC"] == 0.0


def _replicate(d, w):
    rep = np.repeat(np.arange(d.shape[0]), w)
    return d[np.ix_(rep, rep)], rep


def test_integer_weights_equal_replication():
    rng = np.random.default_rng(5)
    x = rng.random((15, 2))
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    labels = np.array([1, 2, 3] * 5)
    w = rng.integers(1, 4, 15)
    dr, rep = _replicate(d, w)
    got = cluster_quality(d, labels, weights=w.astype(float))
    expected = cluster_quality(dr, labels[rep])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)
    # discrepancy analysis too (TraMineR's weights are replication weights)
    a = discrepancy(d, labels, weights=w)
    b = discrepancy(dr, labels[rep])
    np.testing.assert_allclose(a.stats, b.stats, rtol=1e-12)
    np.testing.assert_allclose(a.groups.to_numpy(), b.groups.to_numpy(), rtol=1e-12)


def test_quality_bad_inputs():
    d = np.array([[0, 1], [1, 0.0]])
    with pytest.raises(SequenceError, match="at least two"):
        cluster_quality(d, [1, 1])
    with pytest.raises(SequenceError, match="labels has shape"):
        cluster_quality(d, [1, 2, 3])
    with pytest.raises(SequenceError, match="weights"):
        cluster_quality(d, [1, 2], weights=[1, -1])
    with pytest.raises(SequenceError, match="between 2 and n"):
        cluster_range(d, "ward", k=[3])
    with pytest.raises(SequenceError, match="unknown clustering"):
        cluster_range(np.zeros((3, 3)), "kmeans", k=[2])


def test_cluster_range_small_and_plot():
    x = np.array([0, 1, 2, 10, 11, 12, 20, 21, 22.0])
    d = np.abs(x[:, None] - x[None])
    cr = cluster_range(d, "pam", k=range(2, 5), ids=list("abcdefghi"))
    assert list(cr.stats.index) == [2, 3, 4]
    assert list(cr.labels.columns) == ["cluster2", "cluster3", "cluster4"]
    assert cr.labels["cluster3"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert list(cr.labels.index) == list("abcdefghi")
    # three groups on the line: k = 3 is best for every statistic but R2 (which can
    # only grow with k); at k = 3 no within distance exceeds a between one: HG 1, HC 0
    best = cr.best()
    for stat in ["PBC", "HG", "ASW", "ASWw", "CH", "HC"]:
        assert best.loc[stat, "k"] == 3, stat
    assert best.loc["R2", "k"] == 4
    assert cr.stats.loc[3, "HG"] == 1.0 and cr.stats.loc[3, "HC"] == 0.0
    fig = plot_cluster_range(cr)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Nombre de types (k)" and len(ax.lines) == 4
    assert len(cr.plot(["ASW"], standardize=True).axes[0].lines) == 1


def test_quality_sampled():
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 3, (60, 8))
    seq = define_sequences(rows.tolist(), None, [0, 1, 2])
    labels = ward(distances(seq, "HAM"), 3)
    full = cluster_quality(distances(seq, "HAM"), labels)
    # a sample as large as the data is the data
    one = cluster_quality_sampled(seq, labels, "HAM", sample_size=100, samples=2)
    np.testing.assert_allclose(one.to_numpy(), np.tile(full.to_numpy(), (2, 1)))
    # TRATE costs come from all the sequences, not from each sample
    sm = substitution_costs(seq, "TRATE")
    part = cluster_quality_sampled(seq, labels, "OM", sm="TRATE", sample_size=30,
                                   samples=3, seed=1)  # fmt: skip
    idx = np.sort(np.random.default_rng(1).choice(60, size=30, replace=False))
    sub = define_sequences(rows[idx].tolist(), None, [0, 1, 2])
    d_sub = distances(sub, "OM", sm=sm.to_numpy())
    np.testing.assert_allclose(part.iloc[0], cluster_quality(d_sub, labels[idx]))
    assert part.shape == (3, 10)


# ----------------------------------------------------------------- weighted partitions


def test_weighted_ward_by_hand():
    # A-B 1, C-D 3.5, every other pair 3. Unweighted: A+B, then d(AB, C) =
    # ((1+1) 3 + (1+1) 3 - 1 * 1) / 3 = 11/3 > 3.5, so C+D: {A, B}, {C, D}.
    d = np.full((4, 4), 3.0)
    np.fill_diagonal(d, 0.0)
    d[0, 1] = d[1, 0] = 1.0
    d[2, 3] = d[3, 2] = 3.5
    assert weighted_ward(d, 2).tolist() == [1, 1, 2, 2]
    assert weighted_ward(d, 2).tolist() == ward(d, 2).tolist()
    # members 10, 10, 1, 1: d(AB, C) = d(AB, D) = (11 * 3 + 11 * 3 - 1) / 21 = 65/21 < 3.5
    # and the tie goes to the first (C): {A, B, C}, {D}
    assert weighted_ward(d, 2, [10, 10, 1, 1]).tolist() == [1, 1, 1, 2]
    assert weighted_ward(d, 3, [10, 10, 1, 1]).tolist() == [1, 1, 2, 3]
    with pytest.raises(SequenceError, match="> 0"):
        weighted_ward(d, 2, [1, 0, 1, 1])


def test_kmedoids_by_hand():
    # points 0, 1, 2, 10, 11: BUILD takes 2 then 11 (last of equal gains), PAMonce then
    # swaps 2 -> 1: distances 1 + 0 + 1 + 1 + 0 = 3
    x = np.array([0, 1, 2, 10, 11.0])
    d = np.abs(x[:, None] - x[None])
    res = kmedoids(d, 2)
    assert res.medoids.tolist() == [1, 4] and res.labels.tolist() == [1, 1, 1, 2, 2]
    assert res.objective == pytest.approx(3.0)
    # weight 10 on the point at 0: medoid 0 costs 1 + 2 = 3, medoid 1 costs 10 + 1 = 11
    res = kmedoids(d, 2, weights=[10, 1, 1, 1, 1])
    assert res.medoids.tolist() == [0, 4] and res.objective == pytest.approx(4.0)
    # starting from a partition: medoids of its groups (disscenter, first of ties)
    assert group_medoids(d, [1, 1, 1, 2, 2]).tolist() == [1, 3]
    res = kmedoids(d, 2, initial=[1, 1, 1, 2, 2])
    assert res.medoids.tolist() == [1, 3] and res.objective == pytest.approx(3.0)
    with pytest.raises(SequenceError, match="k=2 medoids"):
        kmedoids(d, 2, initial=[0, 1, 2])


# ----------------------------------------------------------------- discrepancy


@pytest.fixture
def six():
    # g1 = aaa aab aba, g2 = bbb bba bab; Hamming distances
    rows = [
        list("aaa"),
        list("aab"),
        list("aba"),
        list("bbb"),
        list("bba"),
        list("bab"),
    ]
    seq = define_sequences(rows, None, ["a", "b"])
    return distances(seq, "HAM"), ["g1"] * 3 + ["g2"] * 3


def test_discrepancy_six_sequences_by_hand(six):
    d, g = six
    res = discrepancy(d, g)
    # within g1: 1 + 1 + 2 = 4 -> SS 4/3, discrepancy 4/9 (g2 the same by symmetry)
    # across: aaa 3+2+2, aab 2+3+1, aba 2+1+3 = 19; total pair sum 27 -> SS_tot 27/6
    np.testing.assert_allclose(res.groups["discrepancy"], [4 / 9, 4 / 9, 27 / 36])
    np.testing.assert_allclose(res.groups["n"], [3, 3, 6])
    np.testing.assert_allclose(res.anova["SS"], [4.5 - 8 / 3, 8 / 3, 4.5])
    np.testing.assert_allclose(res.anova["df"], [1, 4, 5])
    assert res.pseudo_r2 == pytest.approx((4.5 - 8 / 3) / 4.5, abs=1e-15)  # 11/27
    assert res.stats["PseudoF"] == pytest.approx((11 / 6) / ((8 / 3) / 4), abs=1e-14)
    # Brown-Forsythe: SS_exp / ((1 - 1/2) 4/9 + (1 - 1/2) 4/9) = (11/6) / (4/9)
    assert res.stats["PseudoFbf"] == pytest.approx(99 / 24, abs=1e-14)
    # equal discrepancies: Bartlett 0; distances to the centre 2/9, 5/9, 5/9 in both
    # groups: equal group means, Levene 0
    assert res.stats["Bartlett"] == pytest.approx(0.0, abs=1e-14)
    assert res.stats["Levene"] == pytest.approx(0.0, abs=1e-14)
    assert res.pvalues.isna().all() and res.permuted is None


def test_discrepancy_missing_groups_and_errors(six):
    d, g = six
    g2 = [*g[:5], None]
    res = discrepancy(d, g2)
    assert res.groups.loc["Total", "n"] == 5  # the missing group is left out
    with pytest.raises(SequenceError, match="at least 2 groups"):
        discrepancy(d, ["x"] * 6)
    with pytest.raises(SequenceError, match="5 values for 6"):
        discrepancy(d, g[:5])
    cat = pd.Categorical(g, categories=["g2", "g1"])
    assert list(discrepancy(d, cat).groups.index) == ["g2", "g1", "Total"]


@pytest.mark.parametrize("path", ["gather", "blas"])
@pytest.mark.parametrize("weighted", [False, True])
def test_permutations_equal_direct_recomputation(weighted, path, monkeypatch):
    # both permutation kernels (pairs gathered for small n, matrix products for large
    # n) against discrepancy() on each permuted grouping
    if path == "blas":
        monkeypatch.setattr(_discrepancy, "_BLAS_FROM", 0)
    rng = np.random.default_rng(11)
    n = 37
    x = rng.random((n, 3))
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    g = rng.integers(0, 3, n)
    w = rng.uniform(0.5, 2.0, n) if weighted else None
    res = discrepancy(d, g, permutations=20, weights=w, seed=4)
    base = np.uint64(np.random.default_rng(4).integers(0, 2**63))
    perm = np.empty(n, dtype=np.int64)
    # Levene: one-way ANOVA F of the residuals z of the OBSERVED groups (TraMineR)
    obs = discrepancy(d, g, weights=w)
    rows = np.arange(n)
    ww = np.ones(n) if w is None else w
    sums = np.array([[(ww * d[i] * (g == c)).sum() for c in range(3)] for i in rows])
    sizes = np.array([ww[g == c].sum() for c in range(3)])
    dc = sums[rows, g] / sizes[g]
    z = dc - np.array([(ww * dc)[g == c].sum() / sizes[c] / 2 for c in range(3)])[g]
    for p in range(20):
        _shuffle_into(perm, base, p)
        lab = np.empty(n, dtype=np.int64)
        lab[perm] = g
        direct = discrepancy(d, lab, weights=w)
        np.testing.assert_allclose(
            res.permuted.iloc[p, :4], direct.stats.iloc[:4], rtol=1e-10
        )
        assert sorted(perm.tolist()) == list(range(n))
        zm = np.array([(ww * z)[lab == c].sum() / ww[lab == c].sum() for c in range(3)])
        zres = (ww * (z - zm[lab]) ** 2).sum()
        ztot = (ww * (z - (ww * z).sum() / ww.sum()) ** 2).sum()
        lev = ((ztot - zres) / 2) / (zres / (ww.sum() - 3))
        assert res.permuted.iloc[p, 4] == pytest.approx(lev, rel=1e-9)
    assert obs.stats["PseudoF"] == res.stats["PseudoF"]
    # p-values: (1 + number of permutations reaching the observed value) / (P + 1)
    reach = (res.permuted >= res.stats - 1e-12 * res.stats.abs()).sum()
    np.testing.assert_allclose(res.pvalues, (1 + reach) / 21)


def test_permutation_pvalues_planted_and_null():
    rng = np.random.default_rng(8)
    n = 30
    # planted: two groups far apart -> no permutation reaches the observed pseudo-F
    x = np.r_[rng.normal(0, 1, 15), rng.normal(6, 1, 15)]
    d = np.abs(x[:, None] - x[None])
    res = discrepancy(d, [0] * 15 + [1] * 15, permutations=199, seed=1)
    assert res.pvalues["PseudoF"] == pytest.approx(1 / 200)
    assert res.pvalues["PseudoR2"] == pytest.approx(1 / 200)
    # null: labels independent of the data -> p-values uniform: about 5 % below 0.05
    small = 0
    reps = 120
    for r in range(reps):
        y = rng.normal(0, 1, n)
        dn = np.abs(y[:, None] - y[None])
        p = discrepancy(dn, rng.integers(0, 2, n), permutations=99, seed=r).pvalues
        small += p["PseudoF"] <= 0.05
    # binomial(120, 0.05): mean 6, sd 2.4
    assert 1 <= small <= 14


def test_discrepancy_table(six):
    d, g = six
    cov = pd.DataFrame({"groupe": g, "moitie": ["x", "y"] * 3})
    tab = discrepancy_table(d, cov)
    assert list(tab.index) == ["groupe", "moitie"]
    assert tab.loc["groupe", "PseudoR2"] == pytest.approx(11 / 27)
    assert tab.loc["groupe", "n_groups"] == 2
    tab = discrepancy_table(d, cov, permutations=9)
    assert "p_PseudoF" in tab.columns and (tab["p_PseudoF"] > 0).all()


# ----------------------------------------------------------------- tree


def test_tree_by_hand(six):
    d, g = six
    seq = define_sequences(
        [list("aaa"), list("aab"), list("aba"), list("bbb"), list("bba"), list("bab")],
        None,
        ["a", "b"],
    )
    cov = pd.DataFrame(
        {
            "bruit": ["u", "u", "v", "v", "u", "v"],  # SS_res 6/3 + 6/3 = 4 > 8/3
            "groupe": g,
            "rang": [1.0, 2, 3, 4, 5, 6],
        }
    )
    tree = sequence_tree(seq, d, cov, max_depth=2, min_size=1)
    root = tree.nodes.loc[1]
    # groupe and the cut rang <= 3 make the same partition (R2 11/27): the first
    # covariate in the order given wins
    assert root["split_var"] == "groupe" and root["split_R2"] == pytest.approx(11 / 27)
    assert root["split_left"] == ("g1",) and root["split_right"] == ("g2",)
    assert tree.nodes["depth"].tolist() == [1, 2, 2]
    assert tree.leaf.tolist() == [2, 2, 2, 3, 3, 3]
    assert tree.r2 == pytest.approx(11 / 27)
    assert tree.nodes.loc[2, "rule"] == "groupe in [g1]"
    # medoid of g1: aaa (distances 1 + 1 = 2, against 3 for aab and aba)
    assert tree.nodes.loc[2, "medoid"] == 0
    # the numeric covariate alone: cut between 3 and 4
    t2 = sequence_tree(seq, d, cov[["rang"]], max_depth=2, min_size=1)
    assert t2.nodes.loc[1, "split_cut"] == 3.0
    assert t2.nodes.loc[2, "rule"] == "rang <= 3"
    # children must weigh more than min_size: 3 is not > 3, so no split at all
    t3 = sequence_tree(seq, d, cov[["groupe"]], max_depth=3, min_size=3)
    assert len(t3.nodes) == 1 and t3.nodes.loc[1, "is_leaf"]
    # missing values are a group of their own, sent to one side
    cov_na = pd.DataFrame({"groupe": ["g1", "g1", None, "g2", "g2", "g2"]})
    t4 = sequence_tree(seq, d, cov_na, max_depth=2, min_size=1)
    assert t4.nodes.loc[1, "split_var"] == "groupe"
    assert "with NA" in t4.nodes.loc[2, "rule"] + t4.nodes.loc[3, "rule"]
    # a permutation test that cannot pass (pval below 1 / (P + 1)) stops the growth
    t5 = sequence_tree(seq, d, cov[["groupe"]], max_depth=2, min_size=1,
                       permutations=9, pval=0.05)  # fmt: skip
    assert len(t5.nodes) == 1 and t5.nodes.loc[1, "pvalue"] >= 0.1


def _brute_force_split(d, labels, min_size):
    """Best two-group regrouping of the levels by trying all of them (SS_res, left)."""
    levels = sorted(set(labels))
    labels = np.asarray(labels)
    best = (np.inf, None)
    for r in range(1, len(levels)):
        for left in combinations(levels, r):
            side = np.isin(labels, left)
            if side.sum() <= min_size or (~side).sum() <= min_size:
                continue
            res = 0.0
            for members in (side, ~side):
                sub = d[np.ix_(members, members)]
                res += sub.sum() / 2.0 / members.sum()  # sum_{i<j} d_ij / n
            if res < best[0] - 1e-12:
                best = (res, frozenset(left))
    return best


def _points_tree(points, labels, **kw):
    x = np.asarray(points, dtype=float).reshape(len(labels), -1)
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)
    seq = define_sequences([["a"]] * len(labels), None, ["a"])
    cov = pd.DataFrame({"f": labels})
    return d, sequence_tree(seq, d, cov, max_depth=2, min_size=1, **kw)


def test_tree_many_valued_factor_one_dimension_by_hand():
    # five levels on a line, two points each (squared Euclidean distances, so
    # SS_res is the sum of squared deviations from each side's mean): centres
    # A 0.5, C 1.5, E 5.5, B 10.5, D 11.5. By hand, the cuts of that order:
    # {A, C, E} | {B, D}: 29.5 + 2 = 31.5 (0 1 1 2 5 6 about 2.5; 10 11 11 12 about
    # 11), {A, C} | {E, B, D}: 2 + 42.83, {A, C, E, B} | {D}: 126 + 0.5,
    # {A} | the rest: 0.5 + 131.5; the best, 31.5, is the brute force's too
    labels = ["A", "A", "B", "B", "C", "C", "D", "D", "E", "E"]
    points = [0, 1, 10, 11, 1, 2, 11, 12, 5, 6]
    d, exhaustive = _points_tree(points, labels)
    _, ordered = _points_tree(points, labels, exhaustive_levels=2)
    res, left = _brute_force_split(d, labels, 1)
    assert res == pytest.approx(31.5) and left in ({"B", "D"}, {"A", "C", "E"})
    for tree in (exhaustive, ordered):
        root = tree.nodes.loc[1]
        assert set(root["split_left"]) | set(root["split_right"]) == set("ABCDE")
        assert {frozenset(root["split_left"]), frozenset(root["split_right"])} == {
            frozenset("BD"),
            frozenset("ACE"),
        }
        # the fewer levels on the left, as TraMineR's combn(ceil(L / 2))
        assert root["split_left"] == ("B", "D")
        ss_tot = d.sum() / 2.0 / len(labels)
        assert root["split_R2"] == pytest.approx(1 - res / ss_tot, abs=1e-12)


def test_tree_many_valued_factor_two_dimensions_against_brute_force():
    # six levels in the plane, three points each, two planted corners; the ordered
    # search must reach the brute-force optimum of the 31 regroupings
    rng = np.random.default_rng(7)
    centres = {"a": (0, 0), "b": (0.5, 4), "c": (1, 0.3), "d": (6, 5), "e": (5, 6),
               "f": (4.5, 4.2)}  # fmt: skip
    labels, points = [], []
    for name, c in centres.items():
        for _ in range(3):
            labels.append(name)
            points.append(np.asarray(c) + rng.normal(0, 0.3, 2))
    d, exhaustive = _points_tree(points, labels)
    _, ordered = _points_tree(points, labels, exhaustive_levels=2)
    res, left = _brute_force_split(d, labels, 1)
    want = {left, frozenset(centres) - left}
    ss_tot = d.sum() / 2.0 / len(labels)
    for tree in (exhaustive, ordered):
        root = tree.nodes.loc[1]
        assert {frozenset(root["split_left"]), frozenset(root["split_right"])} == want
        assert root["split_R2"] == pytest.approx(1 - res / ss_tot, abs=1e-12)


def test_tree_many_valued_factor_43_levels_on_a_line():
    # 43 levels (the Missions Locales) of 20 people on a line: with squared
    # Euclidean distances SS_res is the within-level SS (fixed) plus a weighted 1-D
    # clustering of the level means, whose best regrouping is a cut of the means'
    # order (Fisher 1958): the tree must find the best such cut, computed here
    rng = np.random.default_rng(3)
    names = [f"ML{i:02d}" for i in range(43)]
    labels = np.repeat(names, 20)
    x = np.repeat(rng.permutation(43).astype(float), 20)
    x += rng.normal(0, 0.5, labels.size)
    d = (x[:, None] - x[None, :]) ** 2
    means = np.array([x[labels == nm].mean() for nm in names])
    order = np.argsort(means)
    best = (np.inf, None)
    for cut in range(1, 43):
        side = np.isin(labels, [names[i] for i in order[:cut]])
        if side.sum() <= 0.2 * labels.size or (~side).sum() <= 0.2 * labels.size:
            continue
        res = sum(x[m].var() * m.sum() for m in (side, ~side))
        if res < best[0]:
            best = (res, {names[i] for i in order[:cut]})
    seq = define_sequences([["a"]] * labels.size, None, ["a"])
    tree = sequence_tree(seq, d, pd.DataFrame({"ML": labels}), max_depth=3,
                         min_size=0.2)  # fmt: skip
    root = tree.nodes.loc[1]
    assert {frozenset(root["split_left"]), frozenset(root["split_right"])} == {
        frozenset(best[1]),
        frozenset(names) - frozenset(best[1]),
    }
    ss_tot = x.var() * labels.size
    assert root["split_R2"] == pytest.approx(1 - best[0] / ss_tot, abs=1e-9)
    # no child at or under min_size (20 % of 860 young people)
    assert (tree.nodes["n"] > 0.2 * labels.size).all()


# ----------------------------------------------------------------- aggregation


def test_aggregate_by_hand():
    seq = define_sequences(
        [list("ab"), list("ba"), list("ab"), list("bb"), list("ba")], None, ["a", "b"]
    )
    agg = aggregate_cases(seq)
    assert agg.index.tolist() == [0, 1, 3] and agg.weights.tolist() == [2, 2, 1]
    assert agg.inverse.tolist() == [0, 1, 0, 2, 1]
    assert agg.disaggregate(["x", "y", "z"]).tolist() == ["x", "y", "x", "z", "y"]
    wseq = define_sequences(
        [list("ab"), list("ba"), list("ab")], None, ["a", "b"], weights=[0.5, 1, 2]
    )
    assert aggregate_cases(wseq).weights.tolist() == [2.5, 1.0]
    assert aggregate_cases(wseq, weighted=False).weights.tolist() == [2.0, 1.0]
    with pytest.raises(SequenceError, match="2 values for 3"):
        agg.disaggregate([1, 2])


# ----------------------------------------------------------------- weights


def test_weighted_statistics_by_hand():
    # X = a b (weight 3), Y = b b (weight 1)
    seq = define_sequences([list("ab"), list("bb")], None, ["a", "b"], weights=[3, 1])
    np.testing.assert_allclose(
        state_distribution(seq).to_numpy(), [[0.75, 0], [0.25, 1]]
    )
    np.testing.assert_allclose(
        state_distribution(seq, weighted=False).to_numpy(), [[0.5, 0], [0.5, 1]]
    )
    # transitions a>b (weight 3) and b>b (weight 1)
    np.testing.assert_allclose(transition_rates(seq).to_numpy(), [[0, 1], [0, 1]])
    # months in a: 1 (w 3), 0 (w 1): mean 3/4, var (3 (1/4)^2 + (3/4)^2) * 4 / (16 - 10)
    mt = mean_time(seq)
    assert mt.loc["a", "Mean"] == pytest.approx(0.75)
    assert mt.loc["a", "Var"] == pytest.approx((3 / 16 + 9 / 16) * 4 / 6)
    assert "weighted" in repr(seq)
    with pytest.raises(SequenceError, match="row 1"):
        define_sequences(
            [list("ab"), list("bb")], None, ["a", "b"], weights=[1, np.nan]
        )
    with pytest.raises(SequenceError, match="2 weights for 3"):
        define_sequences([list("ab")] * 3, None, ["a", "b"], weights=[1, 2])
    df = pd.DataFrame({"m1": ["a", "b"], "poids": [2.0, 1.0]})
    assert define_sequences(
        df, ["m1"], ["a", "b"], weights="poids"
    ).weights.tolist() == [
        2.0,
        1.0,
    ]


def test_weighted_costs_equal_replication():
    # TRATE (and DHD's time-varying TRATE) from weights = from replicated sequences
    rows = [list("aabb"), list("abbc"), list("bbaa"), list("cabc")]
    w = [3, 1, 2, 1]
    seq = define_sequences(rows, None, ["a", "b", "c"], weights=w)
    rep = define_sequences(
        [r for r, k in zip(rows, w, strict=True) for _ in range(k)],
        None,
        ["a", "b", "c"],
    )
    np.testing.assert_allclose(
        substitution_costs(seq), substitution_costs(rep), atol=1e-15
    )
    first = np.r_[0, np.cumsum(w)[:-1]]
    for method, kw in [("OM", {"sm": "TRATE"}), ("DHD", {})]:
        got = distances(seq, method, **kw)
        expected = distances(rep, method, **kw)[np.ix_(first, first)]
        np.testing.assert_allclose(got, expected, atol=1e-12, err_msg=method)
    # weighted=False ignores them
    plain = define_sequences(rows, None, ["a", "b", "c"])
    np.testing.assert_allclose(
        substitution_costs(seq, weighted=False), substitution_costs(plain), atol=0
    )


# ----------------------------------------------------------------- stability


def _planted(rng, n, T=24, k=3, noise=0.15):
    protos = rng.integers(0, 4, (k, T))
    g = rng.integers(0, k, n)
    rows = protos[g].copy()
    mut = rng.random((n, T)) < noise
    rows[mut] = rng.integers(0, 4, int(mut.sum()))
    return distances(define_sequences(rows.tolist(), None, [0, 1, 2, 3]), "HAM")


def test_stability_planted_and_structureless():
    rng = np.random.default_rng(1)
    d = _planted(rng, 150)
    res = typology_stability(d, "ward", k=[2, 3, 4], resamples=25, seed=2)
    # three planted groups: every resample finds the same three
    assert res.summary.loc[3, "mean"] > 0.99 and res.summary.loc[3, "stable_share"] == 1
    assert res.ari.shape == (25, 3)
    pam_res = typology_stability(d, "pam", k=[3], resamples=15, seed=2)
    assert pam_res.summary.loc[3, "q05"] > 0.95
    # structureless: iid states, partitions change from one resample to the next
    null = rng.integers(0, 4, (150, 24))
    dn = distances(define_sequences(null.tolist(), None, [0, 1, 2, 3]), "HAM")
    res0 = typology_stability(dn, "ward", k=[2, 3, 4], resamples=25, seed=2)
    assert (res0.summary["mean"] < 0.3).all()
    assert (res0.summary["stable_share"] < 0.1).all()
    # reproducible with a seed
    again = typology_stability(dn, "ward", k=[2, 3, 4], resamples=25, seed=2)
    pd.testing.assert_frame_equal(res0.ari, again.ari)
    ax = res.plot().axes[0]
    assert ax.get_ylabel() == "Indice de Rand ajusté"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "3", "4"]
    # subsamples without replacement, and bad arguments
    sub = typology_stability(d, "ward", k=[3], resamples=5, scheme="subsample")
    assert sub.summary.loc[3, "mean"] > 0.99 and sub.scheme == "subsample"
    with pytest.raises(SequenceError, match="scheme"):
        typology_stability(d, "ward", k=[3], resamples=5, scheme="jackknife")


def test_adjusted_rand_by_hand():
    # table [[2, 0], [1, 1]]: sum C(nij,2) = 1, rows C(2,2)+C(2,2) = 2, cols C(3,2) = 3
    # E = 2 * 3 / 6 = 1 -> ARI = (1 - 1) / ((2 + 3) / 2 - 1) = 0
    assert adjusted_rand_index([1, 1, 2, 2], [1, 1, 1, 2]) == 0.0
    assert adjusted_rand_index([1, 2, 3], [3, 1, 2]) == 1.0


# ----------------------------------------------------------------- mvad references

ALPHABET = ["employment", "FE", "HE", "joblessness", "school", "training"]
STATES = ["EM", "FE", "HE", "JL", "SC", "TR"]
AREAS = ["Belfast", "N.Eastern", "Southern", "S.Eastern", "Western"]
NON_TIE_STATS = ["PBC", "ASW", "ASWw", "CH", "R2", "CHsq", "R2sq", "HC"]


def _lvl2(shared_dir, name, **kw):
    return pd.read_csv(shared_dir / "data" / "traminer_level2" / name, **kw)


@pytest.fixture(scope="module")
def mvad_df(shared_dir):
    df = pd.read_csv(shared_dir / "data" / "mvad.csv", index_col=0)
    # mvad has five yes/no school-area dummies, exactly one "yes" per row
    onehot = np.column_stack([df[a] == "yes" for a in AREAS])
    assert (onehot.sum(axis=1) == 1).all()
    df["region"] = pd.Categorical(
        np.array(AREAS)[onehot.argmax(axis=1)], categories=AREAS
    )
    return df


def _months(df):
    cols = list(df.columns)
    return cols[cols.index("Jul.93") : cols.index("Jun.99") + 1]


@pytest.fixture(scope="module")
def mvad(mvad_df):
    return define_sequences(mvad_df, _months(mvad_df), ALPHABET, STATES, id_column="id")


@pytest.fixture(scope="module")
def mvad_w(mvad_df):
    return define_sequences(
        mvad_df, _months(mvad_df), ALPHABET, STATES, id_column="id", weights="weight"
    )


@pytest.fixture(scope="module")
def d_om(mvad):
    return distances(mvad, "OM", sm="TRATE", indel=1.0)


@njit(parallel=True, cache=False)
def _traminer_om(u, cost, indel):
    """OM exactly as TraMineR's OMdistance.cpp (prefix/suffix skipped, same operation
    order), to get R's doubles bit for bit: only for checking the tie-dependent HG/HGSD.
    """
    nu, T = u.shape
    out = np.zeros((nu, nu))
    fs = T + 1
    for a in prange(nu):
        f = np.empty(fs * fs)
        for i in range(fs):
            f[i] = i * indel
            f[i * fs] = i * indel
        for b in range(a + 1, nu):
            i = 1
            j = 1
            prefix = 0
            msuf = T + 1
            nsuf = T + 1
            while i < msuf and j < nsuf and u[a, i - 1] == u[b, j - 1]:
                i += 1
                j += 1
                prefix += 1
            while msuf > i and nsuf > j and u[a, msuf - 2] == u[b, nsuf - 2]:
                msuf -= 1
                nsuf -= 1
            while j < nsuf:
                i = prefix + 1
                ij = 1 + (j - prefix) * fs
                js = u[b, j - 1]
                while i < msuf:
                    mn = f[ij - fs]
                    if f[ij - 1] < mn:
                        mn = f[ij - 1]
                    mn += indel
                    sub = f[ij - 1 - fs]
                    if u[a, i - 1] != js:
                        sub += cost[u[a, i - 1], js]
                    f[ij] = sub if sub < mn else mn
                    i += 1
                    ij += 1
                j += 1
            v = f[(msuf - 1 - prefix) + (nsuf - 1 - prefix) * fs]
            out[a, b] = v
            out[b, a] = v
    return out


def _r_exact_om(seq):
    u, inv = _unique_rows(seq.codes)  # TraMineR's unique(), first appearance
    cost = substitution_costs(seq, "TRATE").to_numpy()
    du = _traminer_om(u.astype(np.int64), cost, 1.0)
    return du[np.ix_(inv, inv)]


@pytest.mark.shared
def test_mvad_cluster_quality(mvad, d_om, shared_dir):
    ref = _lvl2(shared_dir, "mvad_clustqual.csv")
    asw = _lvl2(shared_dir, "mvad_clustqual_asw_by_cluster.csv")
    for method, name in [("ward.D", "ward"), ("pam", "pam")]:
        labels = _lvl2(shared_dir, f"mvad_clust_{name}_assign.csv")
        cr = cluster_range(d_om, name, k=range(2, 9))
        for k in range(2, 9):
            r = ref[(ref.method == method) & (ref.k == k)].iloc[0]
            lab = labels[f"cluster{k}"].to_numpy()
            # our partitions are R's (PAM: up to the ties of k = 7, 8 -> same stats)
            if name == "ward" or k < 7:
                np.testing.assert_array_equal(cr.labels[f"cluster{k}"], lab)
            q = cluster_quality(d_om, lab)
            np.testing.assert_allclose(
                q[NON_TIE_STATS], r[NON_TIE_STATS].astype(float), rtol=1e-12, atol=1e-9,
                err_msg=f"{method} k={k}",
            )  # fmt: skip
            np.testing.assert_allclose(
                cr.stats.loc[k, NON_TIE_STATS], r[NON_TIE_STATS].astype(float),
                rtol=1e-12, atol=1e-9,
            )  # fmt: skip
            sizes = np.bincount(lab)[1:].tolist()
            assert sizes == [int(s) for s in r["sizes"].split(";")]
            # HG and HGSD count exact ties of doubles: our OM differs from R's in the
            # last bits (rewritten recurrence), which moves them by up to ~1e-5
            np.testing.assert_allclose(q[["HG", "HGSD"]], r[["HG", "HGSD"]].astype(float),
                                       atol=2e-5)  # fmt: skip
            per = cluster_silhouettes(d_om, lab)
            a = asw[(asw.method == method) & (asw.k == k)]
            np.testing.assert_allclose(
                per[["ASW", "ASWw"]], a[["ASW", "ASWw"]], atol=1e-9
            )
            if name == "pam":
                # medoids compared by their sequence: identical copies are equally good
                _, med, obj = pam(d_om, k, return_objective=True)
                ref_ids = [int(m) for m in r["medoid_ids"].split(";")]
                got_seqs = {tuple(mvad.codes[m]) for m in med}
                ref_seqs = {tuple(mvad.codes[i - 1]) for i in ref_ids}
                assert got_seqs == ref_seqs, k
                assert obj[1] == pytest.approx(r["pam_objective_swap"], abs=1e-9)


@pytest.mark.shared
@pytest.mark.slow
def test_mvad_hg_hgsd_with_r_doubles(mvad, shared_dir):
    # with OM computed in TraMineR's operation order the ties are R's, and HG, HGSD
    # match to rounding: the tie convention of clusterqualitybody.cpp is followed exactly
    d = _r_exact_om(mvad)
    ref_d = pd.read_csv(
        shared_dir / "data" / "traminer" / "dist_om_trate.csv", index_col=0
    )
    np.testing.assert_allclose(d, ref_d.to_numpy(), rtol=1e-14, atol=1e-12)
    ref = _lvl2(shared_dir, "mvad_clustqual.csv")
    for method, name in [("ward.D", "ward"), ("pam", "pam")]:
        labels = _lvl2(shared_dir, f"mvad_clust_{name}_assign.csv")
        for k in range(2, 9):
            r = ref[(ref.method == method) & (ref.k == k)].iloc[0]
            q = cluster_quality(d, labels[f"cluster{k}"].to_numpy())
            np.testing.assert_allclose(
                q, r[list(QUALITY_STATS)].astype(float), rtol=1e-12, atol=1e-9,
                err_msg=f"{method} k={k}",
            )  # fmt: skip


@pytest.mark.shared
def test_mvad_weighted(mvad_w, shared_dir):
    pairs = [
        (state_distribution(mvad_w), "mvad_w_statd.csv"),
        (transition_rates(mvad_w), "mvad_w_trate.csv"),
        (substitution_costs(mvad_w, "TRATE"), "mvad_w_subm_trate.csv"),
        (mean_time(mvad_w), "mvad_w_meant.csv"),
    ]
    for got, name in pairs:
        ref = _lvl2(shared_dir, name, index_col=0)
        assert got.shape == ref.shape, name
        np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-12,
                                   atol=1e-9, err_msg=name)  # fmt: skip
    d = distances(mvad_w, "OM", sm="TRATE", indel=1.0)
    iu = np.triu_indices(mvad_w.n, 1)
    assert d[iu].mean() == pytest.approx(87.2044473765, abs=1e-9)
    ref = _lvl2(shared_dir, "mvad_w_clustqual.csv", index_col=0)
    assign = _lvl2(shared_dir, "mvad_w_pam4_assign.csv")
    np.testing.assert_allclose(assign["weight"], mvad_w.weights)
    # (a) cluster::pam on the weighted-cost distances, evaluated with and without weights
    lab, med = pam(d, 4)
    np.testing.assert_array_equal(lab, assign["pam_cluster"])
    for row, w in [("pam_k4_weighted_quality", mvad_w.weights),
                   ("pam_k4_unweighted_quality", None)]:  # fmt: skip
        q = cluster_quality(d, lab, weights=w)
        np.testing.assert_allclose(q[NON_TIE_STATS], ref.loc[row, NON_TIE_STATS].astype(float),
                                   rtol=1e-12, atol=1e-9, err_msg=row)  # fmt: skip
        np.testing.assert_allclose(q[["HG", "HGSD"]], ref.loc[row, ["HG", "HGSD"]].astype(float),
                                   atol=2e-5)  # fmt: skip
    # (b) wcKMedoids from the weighted Ward medoids: codes = the medoid's row (= id)
    km = kmedoids(
        d, 4, weights=mvad_w.weights, initial=weighted_ward(d, 4, mvad_w.weights)
    )
    np.testing.assert_array_equal(
        mvad_w.ids[km.medoids[km.labels - 1]], assign["wckmedoids_cluster"]
    )
    assert sorted(mvad_w.ids[km.medoids]) == [49, 78, 320, 559]
    q = cluster_quality(d, km.labels, weights=mvad_w.weights)
    row = "wcKMedoids_k4_weighted"
    np.testing.assert_allclose(q[NON_TIE_STATS], ref.loc[row, NON_TIE_STATS].astype(float),
                               rtol=1e-12, atol=1e-9)  # fmt: skip
    wsizes = np.bincount(km.labels, weights=mvad_w.weights)[1:]
    assert sorted(np.round(wsizes, 2)) == sorted(
        float(x) for x in ref.loc[row, "wsizes"].split(";")
    )


@pytest.mark.shared
def test_mvad_dissassoc(d_om, mvad_df, shared_dir):
    ref = _lvl2(shared_dir, "mvad_dissassoc.csv", index_col=0)
    groups = _lvl2(shared_dir, "mvad_dissassoc_groups.csv")
    for g in ["male", "funemp", "gcse5eq", "Grammar", "region"]:
        res = discrepancy(d_om, mvad_df[g])
        r = ref.loc[g]
        np.testing.assert_allclose(
            res.stats, r[["PseudoF", "PseudoFbf", "PseudoR2", "Bartlett", "Levene"]],
            rtol=1e-12, atol=1e-9, err_msg=g,
        )  # fmt: skip
        got = np.r_[res.anova["SS"], res.anova["df"], res.anova["MSE"]]
        cols = ["SS_exp", "SS_res", "SS_tot", "df_exp", "df_res", "df_tot",
                "MSE_exp", "MSE_res", "MSE_tot"]  # fmt: skip
        # sums of about 250 000 distances near 3e4 carry a rounding of their own
        # (about 1e-9 from the order of the additions, in R as here), and
        # SS_exp = SS_tot - SS_res keeps it: tolerance 1e-13 SS_tot (3e-9)
        np.testing.assert_allclose(got, r[cols].astype(float), rtol=0,
                                   atol=1e-13 * r["SS_tot"], err_msg=g)  # fmt: skip
        gg = groups[groups.group == g]
        assert list(res.groups.index) == gg["level"].tolist()
        np.testing.assert_allclose(res.groups["n"], gg["n"])
        np.testing.assert_allclose(res.groups["discrepancy"], gg["discrepancy"],
                                   rtol=1e-12, atol=1e-9)  # fmt: skip
    # with R = 1000 TraMineR finds p = 0.001 for gcse5eq (no permutation reaches it)
    res = discrepancy(d_om, mvad_df["gcse5eq"], permutations=999, seed=1)
    np.testing.assert_allclose(res.pvalues, 0.001)


@pytest.mark.shared
@pytest.mark.parametrize("exhaustive_levels", [12, 2])
def test_mvad_seqtree(mvad, d_om, mvad_df, shared_dir, exhaustive_levels):
    # exhaustive_levels=2: every factor of more than two levels (region: 6) goes
    # through the ordered search of many-valued factors; it must find the same tree
    cov = mvad_df[["male", "funemp", "gcse5eq", "Grammar", "region"]]
    tree = sequence_tree(
        mvad, d_om, cov, max_depth=3, min_size=0.05,
        exhaustive_levels=exhaustive_levels,
    )  # fmt: skip
    text = (shared_dir / "data" / "traminer_level2" / "mvad_seqtree.txt").read_text()
    assert tree.text == text
    ref = _lvl2(shared_dir, "mvad_seqtree_nodes.csv", index_col=0)
    got = tree.nodes
    assert list(got.index) == list(ref.index)
    np.testing.assert_array_equal(
        got["parent_id"].fillna(-1), ref["parent_id"].fillna(-1)
    )
    np.testing.assert_array_equal(got["depth"], ref["depth"])
    np.testing.assert_array_equal(got["is_leaf"], ref["is_leaf"])
    np.testing.assert_allclose(got["n"], ref["n"])
    np.testing.assert_allclose(
        got["discrepancy"], ref["discrepancy"], rtol=1e-12, atol=1e-9
    )
    np.testing.assert_array_equal(got["medoid_id"], ref["medoid_id"])
    assert got["rule"].tolist() == ref["rule"].fillna("").tolist()
    inner = ~ref["is_leaf"]
    assert got.loc[inner, "split_var"].tolist() == ref.loc[inner, "split_var"].tolist()
    assert [";".join(v) for v in got.loc[inner, "split_left"]] == ref.loc[
        inner, "split_left"
    ].tolist()
    assert [";".join(v) for v in got.loc[inner, "split_right"]] == ref.loc[
        inner, "split_right"
    ].tolist()
    np.testing.assert_allclose(got.loc[inner, "split_R2"], ref.loc[inner, "split_R2"],
                               rtol=1e-12, atol=1e-9)  # fmt: skip
    leaf = _lvl2(shared_dir, "mvad_seqtree_leaf.csv")
    np.testing.assert_array_equal(tree.leaf.to_numpy(), leaf["leaf_node"])
    glob = _lvl2(shared_dir, "mvad_seqtree_global.csv")
    np.testing.assert_allclose(
        tree.global_stats.stats, glob["t0"], rtol=1e-12, atol=1e-9
    )
    assert tree.r2 == pytest.approx(0.107728248307762, abs=1e-9)


@pytest.mark.shared
def test_mvad_aggregate(mvad_df, mvad, mvad_w, shared_dir):
    cases = _lvl2(shared_dir, "mvad_aggregate_cases.csv")
    amap = _lvl2(shared_dir, "mvad_aggregate_map.csv")
    agg = aggregate_cases(mvad)
    assert agg.n_distinct == 557
    np.testing.assert_array_equal(agg.index + 1, cases["aggIndex"])
    np.testing.assert_array_equal(agg.ids, cases["id"])
    np.testing.assert_array_equal(agg.weights, cases["count"])
    np.testing.assert_array_equal(agg.inverse + 1, amap["disaggIndex_sorted"])
    np.testing.assert_array_equal(agg.ids[agg.inverse], amap["representative_id"])
    aggw = aggregate_cases(mvad_w)
    np.testing.assert_allclose(aggw.weights, cases["weight_sum"], rtol=1e-12, atol=1e-9)
    assert aggw.weights.sum() == pytest.approx(711.57)
    # the raw data frame of states (R: wcAggregateCases(mvad[, 15:86])) groups the same
    raw = aggregate_cases(mvad_df[_months(mvad_df)])
    np.testing.assert_array_equal(raw.index, agg.index)
