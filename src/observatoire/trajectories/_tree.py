"""Dissimilarity trees: which characteristics separate the paths (TraMineR's ``seqtree``).

:func:`sequence_tree` is ``TraMineR::seqtree`` / ``disstree`` (2.2-12, ``R/disstree.R``):

- a node splits on the covariate and binary regrouping of its values that gives the
  smallest residual discrepancy SS_res (sum over both children of
  sum_{i<j in child} w_i w_j d_ij / W_child); ties keep the first covariate (in the order
  given) and the first regrouping;
- an unordered covariate tries every regrouping of its levels into two groups, with the
  left group of 1 .. ceil(L / 2) levels, enumerated as R's ``combn`` (lexicographic); an
  ordered Categorical or a numeric covariate tries only the cuts between consecutive
  values (the left group is the lower values); missing values form one more group, put
  on either side (``with NA``);
- TraMineR enumerates those regroupings for any number of levels: 2^(L - 1) - 1 of them,
  out of reach for the 43 Missions Locales (4 10^12). Above ``exhaustive_levels`` levels
  (12 by default, 2,047 regroupings; the NA group counts as a level) the search here is
  the one of Coppersmith, Hong and Hosking (1999) for CART's many-valued factors: the
  levels are ordered along the first principal coordinate of their centres (weighted
  classical scaling of the squared distances between the centres, which the pair sums
  give: D_ab = M_ab / (n_a n_b) - W_a / n_a^2 - W_b / n_b^2), every cut of that order
  is tried, then single levels are moved across while that lowers SS_res. For a
  one-dimensional configuration the order alone gives the best regrouping (Fisher 1958,
  Breiman et al. 1984, th. 4.5); otherwise it is a close approximation, never worse
  than the best cut of the order; the left group is the side with fewer levels (ties:
  the side of the first level);
- each child must weigh strictly more than ``min_size`` (a share of the total weight
  when < 1, as TraMineR's ``min.size``);
- growth stops at depth ``max_depth`` (the root has depth 1, so leaves have depth
  ``max_depth`` or less), or when no split passes; with ``permutations > 0`` a split is
  kept only if its permutation p-value (of the pseudo-F of the two children within the
  node) is <= ``pval`` (TraMineR's ``R = permutations + 1``; ``R = 1``, the value of the
  references, means no test);
- case weights (those of the sequences by default) weigh every sum; TraMineR's default
  ``weight.permutation = "replicate"`` refuses non-integer weights, here any weights
  are accepted and permutation tests move labels between weighted individuals;
- nodes are numbered in pre-order (root 1, then the left subtree, then the right), the
  medoid of a node is its first member with the smallest weighted sum of distances to the
  others, and the tree's global statistics are :func:`discrepancy` of the leaves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from numba import njit, prange

from ..exceptions import SequenceError
from ._cluster import _check_diss
from ._discrepancy import DiscrepancyResult, discrepancy
from ._quality import SERIAL_CELLS
from ._sequences import MISSING, Sequences, _check_seq, _check_weights

logger = logging.getLogger(__name__)


@njit(cache=True)
def _sub_row_one(d, ind, lab, w, a, out):
    row = d[ind[a]]
    for b in range(ind.shape[0]):
        if b != a:
            out[a, lab[b]] += w[ind[b]] * row[ind[b]]


@njit(cache=True, parallel=True)
def _sub_row_sums_par(d, ind, lab, w, k):
    out = np.zeros((ind.shape[0], k))
    for a in prange(ind.shape[0]):
        _sub_row_one(d, ind, lab, w, a, out)
    return out


@njit(cache=True)
def _sub_row_sums_ser(d, ind, lab, w, k):
    out = np.zeros((ind.shape[0], k))
    for a in range(ind.shape[0]):
        _sub_row_one(d, ind, lab, w, a, out)
    return out


def _sub_row_sums(d, ind, lab, w, k):
    """S[a, c] = sum over b != a with lab[b] = c of w[ind[b]] d[ind[a], ind[b]]."""
    big = ind.shape[0] * ind.shape[0] > SERIAL_CELLS
    return (_sub_row_sums_par if big else _sub_row_sums_ser)(d, ind, lab, w, k)


@dataclass
class _Node:
    node_id: int
    parent_id: int | None
    depth: int
    ind: np.ndarray
    n: float
    discrepancy: float
    medoid: int
    rule: list[str] = field(default_factory=list)
    split_var: str | None = None
    split_left: tuple = ()
    split_right: tuple = ()
    split_labels: tuple[str, str] = ("", "")
    split_r2: float = np.nan
    pvalue: float = np.nan
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True)
class SequenceTree:
    """Result of :func:`sequence_tree`.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per node (index ``node_id``, pre-order): parent_id, depth (root 1),
        is_leaf, n (weight), discrepancy, medoid (0-based row), medoid_id, rule (the path
        condition, e.g. ``"gcse5eq in [no] & region in [Belfast;Western]"``), split_var,
        split_left and split_right (tuples of the values sent to each child; for a
        numeric covariate the values <= and > the cut), split_cut (the cut of a numeric
        covariate, else NaN), split_R2 (share of the node's discrepancy explained by its
        split), pvalue (of the split's permutation test, NaN without one),
        left_child, right_child.
    leaf : pandas.Series
        Leaf node of each sequence (``tree$fitted``), indexed by the sequence ids.
    global_stats : DiscrepancyResult or None
        :func:`discrepancy` of the leaf partition; its PseudoR2 is the tree's R²
        (None when the root is not split).
    parameters : dict
        min_size (as an absolute weight), max_depth, permutations, pval.
    covariates : tuple of str
    text : str
        The tree printed as ``print(seqtree)``, medoids in SPS form.
    """

    nodes: pd.DataFrame
    leaf: pd.Series
    global_stats: DiscrepancyResult | None
    parameters: dict
    covariates: tuple[str, ...]
    text: str

    @property
    def r2(self) -> float:
        """Share of the discrepancy explained by the leaves (global pseudo-R²)."""
        if self.global_stats is None:
            return 0.0
        return float(self.global_stats.stats["PseudoR2"])

    def __str__(self) -> str:
        return self.text


class _Covariate:
    """One covariate prepared for the split search."""

    def __init__(self, name: str, values: pd.Series):
        self.name = name
        s = values
        if isinstance(s.dtype, pd.CategoricalDtype):
            self.ordered = bool(s.cat.ordered)
            self.numeric = False
            self.categories = list(s.cat.categories)
            self.codes = s.cat.codes.to_numpy().astype(np.int64)
        elif pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(
            s.dtype
        ):
            cat = pd.Categorical(s.to_numpy(dtype=object))
            self.ordered = False
            self.numeric = False
            self.categories = list(cat.categories)
            self.codes = np.asarray(cat.codes, dtype=np.int64)
        else:
            x = s.to_numpy(dtype=np.float64)
            if np.isinf(x).any():
                raise SequenceError(f"covariate {name!r} has infinite values")
            cats, codes = np.unique(x[~np.isnan(x)], return_inverse=True)
            self.ordered = True
            self.numeric = True
            self.categories = cats.tolist()
            self.codes = np.full(x.size, -1, dtype=np.int64)
            self.codes[~np.isnan(x)] = codes.reshape(-1)


def _fmt(x: float) -> str:
    """R's format(x, digits = 5)."""
    return f"{x:.5g}"


def _side_sums(m: np.ndarray, left: np.ndarray) -> tuple[float, float]:
    """Pair sums sum_{i<j} w_i w_j d_ij within each side of a regrouping."""
    lf = left.astype(np.float64)
    rf = 1.0 - lf
    return float(lf @ m @ lf) / 2.0, float(rf @ m @ rf) / 2.0


def _large_factor_split(
    m: np.ndarray, size: np.ndarray, min_size: float, current: float
) -> tuple | None:
    """Best regrouping of a many-valued factor: ordered centres, then single moves.

    ``m[a, b]`` are the weighted pair sums between the levels (twice the within
    sum on the diagonal), ``size`` their weights. Returns what the exhaustive search
    keeps (``res, left levels, right levels, pair sums, weights``), or None.
    """
    nb = size.size
    within = np.diag(m) / 2.0
    # squared distances between the level centres, then weighted classical scaling
    cross = m / np.outer(size, size)
    own = within / size**2
    dc = cross - own[:, None] - own[None, :]
    np.fill_diagonal(dc, 0.0)
    p = size / size.sum()
    j = np.eye(nb) - p[None, :]  # centring on the weighted mean centre
    b = -0.5 * j @ dc @ j.T
    root = np.sqrt(p)
    vals, vecs = np.linalg.eigh(root[:, None] * b * root[None, :])
    coord = vecs[:, -1] / np.where(root > 0, root, 1.0)
    order = np.lexsort((np.arange(nb), coord))
    totpop = float(size.sum())

    def score(left: np.ndarray) -> float:
        popc = float(size[left].sum())
        popo = totpop - popc
        if not (popc > min_size and popo > min_size):
            return np.inf
        pc, po = _side_sums(m, left)
        return pc / popc + po / popo

    best_left, best_res = None, np.inf
    for cut in range(1, nb):
        left = np.zeros(nb, dtype=bool)
        left[order[:cut]] = True
        res = score(left)
        if res < best_res:
            best_left, best_res = left, res
    if best_left is None:
        return None
    # single moves across while one lowers SS_res (each strictly: it ends)
    improved = True
    while improved:
        improved = False
        move_best, move_res = -1, best_res
        for a in range(nb):
            trial = best_left.copy()
            trial[a] = not trial[a]
            res = score(trial)
            if res < move_res - 1e-12 * abs(move_res):
                move_best, move_res = a, res
        if move_best >= 0:
            best_left = best_left.copy()
            best_left[move_best] = not best_left[move_best]
            best_res = move_res
            improved = True
    if best_res >= current:
        return None
    if best_left.sum() > nb - best_left.sum() or (
        best_left.sum() * 2 == nb and not best_left[0]
    ):
        best_left = ~best_left
    co_a = np.flatnonzero(best_left)
    oth = np.flatnonzero(~best_left)
    pc, po = _side_sums(m, best_left)
    popc = float(size[co_a].sum())
    popo = totpop - popc
    return best_res, co_a, oth, pc, po, popc, popo


def _best_split(
    d,
    w,
    ind,
    cov: _Covariate,
    min_size: float,
    current: float,
    exhaustive_levels: int = 12,
) -> dict | None:
    """DTNGroupFactorBinary: the best binary regrouping of one covariate in a node."""
    codes = cov.codes[ind]
    present = np.unique(codes[codes >= 0])
    if present.size <= 1:
        return None
    has_na = bool((codes < 0).any())
    nb = present.size + (1 if has_na else 0)
    remap = np.full(len(cov.categories) + 1, nb - 1, dtype=np.int64)
    remap[present] = np.arange(present.size)
    lab = remap[codes]  # -1 (missing) indexes the last slot: the NA group
    wi = w[ind]
    size = np.bincount(lab, weights=wi, minlength=nb)
    s = _sub_row_sums(d, ind, lab, w, nb)
    # M[c1, c2] = sum_{i in c1, j in c2} w_i w_j d_ij (each within-pair twice)
    m = np.zeros((nb, nb))
    for c in range(nb):
        m[c] = wi[lab == c] @ s[lab == c]
    m = (m + m.T) / 2.0
    within = np.diag(m) / 2.0
    if (within / size).sum() > current:
        return None
    totpop = float(size.sum())
    if not cov.ordered and nb > exhaustive_levels:
        found = _large_factor_split(m, size, min_size, current)
        if found is None:
            return None
        return _split_result(cov, lab, present, has_na, nb, *found)
    combos: list[tuple[int, ...]] = []
    if cov.ordered:
        for p in range(1, nb):
            combos.append(tuple(range(p)))
            if has_na:
                combos.append((*range(p), nb - 1))
    else:
        for p in range(1, -(-nb // 2) + 1):
            combos.extend(combinations(range(nb), p))
    best = None
    best_res = current
    allg = np.arange(nb)
    for co in combos:
        co_a = np.array(co)
        popc = float(size[co_a].sum())
        popo = totpop - popc
        if popc > min_size and popo > min_size:
            oth = allg[~np.isin(allg, co_a)]
            pc = m[np.ix_(co_a, co_a)].sum() / 2.0
            po = m[np.ix_(oth, oth)].sum() / 2.0
            res = pc / popc + po / popo
            if res < best_res:
                best_res = res
                best = (co_a, oth, pc, po, popc, popo)
    if best is None:
        return None
    return _split_result(cov, lab, present, has_na, nb, best_res, *best)


def _split_result(
    cov, lab, present, has_na, nb, best_res, co_a, oth, pc, po, popc, popo
):
    """The chosen regrouping as the tree builder reads it (sides, labels, rules)."""
    in_left = np.isin(lab, co_a)
    lev = [cov.categories[c] for c in present]
    na_left = has_na and (nb - 1) in co_a
    left_vals = tuple(lev[c] for c in co_a if c < present.size)
    right_vals = tuple(lev[c] for c in oth if c < present.size)
    if cov.numeric:
        cut = lev[int(co_a[co_a < present.size].max())]
        labels = [f"<= {_fmt(cut)}", f"> {_fmt(cut)}"]
        rules = [f"{cov.name} <= {cut:.15g}", f"{cov.name} > {cut:.15g}"]
    else:
        cut = np.nan
        labels = [
            "[ " + ",".join(map(str, left_vals)) + " ]",
            "[ " + ",".join(map(str, right_vals)) + " ]",
        ]
        rules = [
            f"{cov.name} in [" + ";".join(map(str, left_vals)) + "]",
            f"{cov.name} in [" + ";".join(map(str, right_vals)) + "]",
        ]
    if has_na:
        side = 0 if na_left else 1
        labels[side] += " with NA"
        rules[side] += " with NA"
    return {
        "res": best_res,
        "left": in_left,
        "left_vals": left_vals,
        "right_vals": right_vals,
        "cut": cut,
        "labels": tuple(labels),
        "rules": tuple(rules),
        "lvar": pc / popc / popc,
        "rvar": po / popo / popo,
    }


def _medoid(d, w, ind) -> int:
    s = _sub_row_sums(d, ind, np.zeros(ind.size, dtype=np.int64), w, 1)[:, 0]
    return int(ind[int(np.argmin(s))])


def _sps(seq: Sequences, row: int) -> str:
    """A sequence in TraMineR's compressed SPS form: (EM,6)-(JL,4)-..."""
    codes = seq.codes[row]
    labels = [*seq.labels, "*"]
    change = np.flatnonzero(np.diff(codes)) + 1
    starts = np.r_[0, change]
    lengths = np.diff(np.r_[starts, codes.size])
    return "-".join(
        f"({labels[codes[s]] if codes[s] != MISSING else '*'},{n})"
        for s, n in zip(starts, lengths, strict=True)
    )


def sequence_tree(
    seq: Sequences,
    d: np.ndarray,
    covariates: pd.DataFrame,
    max_depth: int = 3,
    min_size: float = 0.05,
    permutations: int = 0,
    *,
    pval: float = 0.01,
    weights: Any = "sequences",
    seed: int | None = 0,
    exhaustive_levels: int = 12,
) -> SequenceTree:
    """Tree of the covariates that best separate the sequences, like ``seqtree``.

    ``sequence_tree(seq, d, df[["male", "gcse5eq"]], max_depth=3, min_size=0.05)`` is
    ``seqtree(seq ~ male + gcse5eq, data = df, diss = d, max.depth = 3,
    min.size = 0.05, R = 1)``; see the module documentation for the split rules.

    Parameters
    ----------
    seq : Sequences
        The sequences (for the ids and the medoids' SPS form in the text).
    d : numpy.ndarray
        n x n dissimilarities between them.
    covariates : pandas.DataFrame
        One row per sequence (in the order of ``seq``), one column per covariate, in
        the order of the formula. Categoricals keep their category order; ordered
        Categoricals and numeric columns are split by cuts only; other columns (text,
        booleans) are unordered factors of their sorted values. Missing values form
        their own group.
    max_depth : int
        Depth at which growth stops (the root has depth 1).
    min_size : float
        Minimum weight of a child, strictly exceeded: a share of the total when < 1.
    permutations : int
        Permutations of each split's test (0: no test, TraMineR's ``R = 1``).
    pval : float
        Largest p-value of a kept split (only with ``permutations > 0``).
    weights : array-like, None or "sequences"
        Case weights; by default those of ``seq`` (TraMineR's ``weighted = TRUE``).
    seed : int, optional
        Seed of the permutation tests.
    exhaustive_levels : int, default 12
        Largest number of levels (NA group included) of an unordered covariate whose
        regroupings are all tried, as TraMineR does; above it, the ordered search of
        the module documentation (TraMineR itself would try 2^(L-1) - 1 regroupings).

    Returns
    -------
    SequenceTree
    """
    _check_seq(seq)
    d = _check_diss(d)
    n = d.shape[0]
    if n != seq.n:
        raise SequenceError(f"{n} x {n} dissimilarities for {seq.n} sequences")
    if not isinstance(covariates, pd.DataFrame):
        raise SequenceError(
            f"covariates must be a DataFrame, got {type(covariates).__name__}"
        )
    if len(covariates) != n:
        raise SequenceError(f"covariates have {len(covariates)} rows for {n} sequences")
    if covariates.shape[1] == 0:
        raise SequenceError("no covariate to split on")
    if int(max_depth) < 1:
        raise SequenceError(f"max_depth must be >= 1, got {max_depth}")
    exhaustive_levels = int(exhaustive_levels)
    if exhaustive_levels < 2:
        raise SequenceError(f"exhaustive_levels must be >= 2, got {exhaustive_levels}")
    w = seq.weights if isinstance(weights, str) and weights == "sequences" else weights
    w = _check_weights(w, n)
    w = np.ones(n) if w is None else np.ascontiguousarray(w)
    permutations = int(permutations)
    if permutations < 0:
        raise SequenceError(f"permutations must be >= 0, got {permutations}")
    if permutations == 0:
        pval = 1.0
    elif pval < 1.0 / (permutations + 1):
        logger.warning(
            "pval %g is below the smallest p-value of %d permutations; using %g",
            pval, permutations, 1.0 / (permutations + 1),
        )  # fmt: skip
        pval = 1.0 / (permutations + 1)
    pop = float(w.sum())
    min_abs = float(min_size) * pop if min_size < 1 else float(min_size)
    covs = [
        _Covariate(str(c), covariates[c].reset_index(drop=True)) for c in covariates
    ]
    rng = np.random.default_rng(seed)
    counter = [0]

    def build(ind, vardis, depth, parent, rule):
        counter[0] += 1
        node = _Node(
            counter[0], parent, depth, ind, float(w[ind].sum()), vardis,
            _medoid(d, w, ind), rule,
        )  # fmt: skip
        if depth >= max_depth:
            return node
        sctot = vardis * node.n
        current = sctot
        best = None
        for cov in covs:
            spl = _best_split(d, w, ind, cov, min_abs, current, exhaustive_levels)
            if spl is not None and (best is None or spl["res"] < best[1]["res"]):
                best = (cov, spl)
                current = spl["res"]
        if best is None:
            return node
        cov, spl = best
        if permutations > 0:
            sub = np.ascontiguousarray(d[np.ix_(ind, ind)])
            test = discrepancy(
                sub, spl["left"], permutations, weights=w[ind],
                seed=int(rng.integers(0, 2**31)),
            )  # fmt: skip
            node.pvalue = float(test.pvalues["PseudoF"])
            if node.pvalue > pval:
                return node
        node.split_var = cov.name
        node.split_left = spl["left_vals"]
        node.split_right = spl["right_vals"]
        node.split_labels = spl["labels"]
        node.split_r2 = 1.0 - spl["res"] / sctot
        node._cut = spl["cut"]  # type: ignore[attr-defined]
        left = build(ind[spl["left"]], spl["lvar"], depth + 1, node.node_id,
                     [*rule, spl["rules"][0]])  # fmt: skip
        right = build(ind[~spl["left"]], spl["rvar"], depth + 1, node.node_id,
                      [*rule, spl["rules"][1]])  # fmt: skip
        node.children = [left, right]
        return node

    root_ind = np.arange(n, dtype=np.int64)
    s = _sub_row_sums(d, root_ind, np.zeros(n, dtype=np.int64), w, 1)[:, 0]
    root_var = float(w @ s) / 2.0 / pop / pop  # dissvar: sum_{i<j} w w d / W^2
    root = build(root_ind, root_var, 1, None, [])

    flat: list[_Node] = []

    def walk(node):
        flat.append(node)
        for c in node.children:
            walk(c)

    walk(root)
    leaf = np.zeros(n, dtype=np.int64)
    for node in flat:
        if not node.children:
            leaf[node.ind] = node.node_id
    ids = seq.ids
    nodes = pd.DataFrame(
        {
            "parent_id": pd.array([nd.parent_id for nd in flat], dtype="Int64"),
            "depth": [nd.depth for nd in flat],
            "is_leaf": [not nd.children for nd in flat],
            "n": [nd.n for nd in flat],
            "discrepancy": [nd.discrepancy for nd in flat],
            "medoid": [nd.medoid for nd in flat],
            "medoid_id": [ids[nd.medoid] for nd in flat],
            "rule": [" & ".join(nd.rule) for nd in flat],
            "split_var": [nd.split_var for nd in flat],
            "split_left": [nd.split_left if nd.children else None for nd in flat],
            "split_right": [nd.split_right if nd.children else None for nd in flat],
            "split_cut": [getattr(nd, "_cut", np.nan) for nd in flat],
            "split_R2": [nd.split_r2 for nd in flat],
            "pvalue": [nd.pvalue for nd in flat],
            "left_child": pd.array(
                [nd.children[0].node_id if nd.children else None for nd in flat],
                dtype="Int64",
            ),
            "right_child": pd.array(
                [nd.children[1].node_id if nd.children else None for nd in flat],
                dtype="Int64",
            ),
        },
        index=pd.Index([nd.node_id for nd in flat], name="node_id"),
    )
    global_stats = None
    if len(flat) > 1:
        global_stats = discrepancy(
            d, leaf, permutations, weights=None if (w == 1).all() else w, seed=seed
        )
    params = {
        "min_size": min_abs,
        "max_depth": int(max_depth),
        "permutations": permutations,
        "pval": float(pval),
    }
    text = _tree_text(root, seq, params, [c.name for c in covs], global_stats)
    return SequenceTree(
        nodes,
        pd.Series(leaf, index=ids, name="leaf_node"),
        global_stats,
        params,
        tuple(c.name for c in covs),
        text,
    )


def _tree_text(root, seq, params, names, global_stats) -> str:
    """The tree as TraMineR's print.disstree writes it (gap 6, medoids of the leaves)."""
    r2 = 0.0 if global_stats is None else float(global_stats.stats["PseudoR2"])
    out = [
        "Dissimilarity tree:",
        f" Parameters: min.size={params['min_size']:.15g}, "
        f"max.depth={params['max_depth']}, R={params['permutations'] + 1}, "
        f"pval={params['pval']:.15g} ",
        " Formula: seq ~ " + " + ".join(names) + " ",
        f" Global R2: {_fmt(r2)} ",
        "",
        " Fitted tree: ",
        "",
    ]

    def rec(node, label, gap):
        info = f" (n: {_fmt(node.n)} disc: {_fmt(node.discrepancy)})"
        if not node.children:
            out.append(f"{gap} |-- {label}   {info}[{_sps(seq, node.medoid)}] * ")
            return
        out.append(f"{gap} |-- {label} {info} ")
        out.append(f"{gap}   |-> {node.split_var} {_fmt(node.split_r2)} ")
        for child, lab in zip(node.children, node.split_labels, strict=True):
            rec(child, lab, " " * 6 * child.depth)

    rec(root, "Root", "")
    return "\n".join(out) + "\n"
