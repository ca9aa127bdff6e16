#!/usr/bin/env python3
"""Simple baselines for tiefen, measured under tiefen's own evaluation protocol.

Usage:
  baselines.py run --orders FILE [--members FILE] --mapping TOML --as-of YYYY-MM-DD
               [--horizon-days 28] [--max-cutoffs 6] [--name NAME] [--tiefen OUT/evaluation.json]
               --json OUT.json [--markdown OUT.md]
  baselines.py table A.json B.json ...      # one combined Markdown report of several runs

Protocol (the same definitions as tiefen's `features` and `training` crates; see README.md):
- T = as-of, H = horizon. History = lines strictly before T (by calendar day of the wall-clock
  timestamp). Population = members with at least one line (purchase or return) before T,
  ordered by member id (string order, as tiefen's snapshot is).
- A line with negative quantity or amount is a return: activity, netted out of spend, but no
  purchase day, no preference, and not "buying" in a label window.
- Churn label: no purchase line in [T, T + H).
- Recommendation truth: distinct categories / items bought in [T, T + H); metrics are averaged
  over population members whose truth is non-empty. Recall@k is not capped by k.
- Training cutoffs: features::training_cutoffs (T-H, T-2H, ... while at least H days of history
  lie before the cutoff, at most 6; with history before T shorter than 2H, one cutoff
  T - floor(span/2) with a window of floor(span/2) days).

Exit code: 0 when the report was written, 2 for bad input (missing columns, unparsable rows).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import sys
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

EPOCH = np.datetime64("1970-01-01", "D")
CHURN_METRICS = ["auc", "average_precision", "brier", "lift_top_decile"]
RANK_METRICS = ["recall_at_10", "ndcg_at_10", "hit_rate_at_10", "recall_at_20"]
LOWER_IS_BETTER = {"brier"}
TOP_N = 20  # list length, as tiefen's evaluated lists
POPULAR_LEN = 50  # tiefen's TableParams::popular
BGNBD_PENALIZERS = [0.0, 0.001, 0.01, 0.1]  # tried in turn, as tiefen's design.rs does
# TIFU-KNN grids, searched on the most recent training cutoff only (see tune_tifu).
TIFU_GROUP = [3, 7]  # baskets per group
TIFU_WITHIN = [0.9, 1.0]  # decay within a group, per basket
TIFU_ACROSS = [0.6, 0.9]  # decay across groups, per group
TIFU_METRIC = ["cosine", "euclidean"]  # how neighbours are found
TIFU_K = [100, 300, 1000]  # neighbours
TIFU_ALPHA = [0.3, 0.5, 0.7, 0.9]  # weight of the member's own vector
TIFU_START = {"k": 300, "alpha": 0.7}  # k and alpha while the vector parameters are searched


class BadInput(Exception):
    """Input that the report cannot be computed from (exit code 2)."""


# ----------------------------------------------------------------------------------------------
# Loading: column mapping (tiefen's TOML format), orders, member attributes.


@dataclass
class Data:
    orders: pd.DataFrame  # member, day (int, days since 1970-01-01), item, category, quantity, amount, ret
    attributes: pd.DataFrame  # index member; columns age_group, region, tier (strings, "" unknown)
    items: np.ndarray  # item vocabulary, sorted (dense id = position)
    categories: np.ndarray  # category vocabulary, sorted (empty category excluded)


CANONICAL = dict(member_id="member_id", ts="ts", item_id="item_id", category="category",
                 quantity="quantity", amount="amount", ts_format="iso8601")


def read_mapping(path: str) -> dict:
    """A tiefen column mapping TOML; `canonical` for the canonical names."""
    if path == "canonical":
        return dict(CANONICAL)
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    return {**CANONICAL, **raw}


def to_days(ts: pd.Series, fmt: str, what: str) -> np.ndarray:
    """Calendar day (days since 1970-01-01) of each timestamp's wall clock; offsets are ignored."""
    ts = ts.str.strip()
    if fmt == "iso8601":
        parsed = pd.to_datetime(ts.str[:10], format="%Y-%m-%d", errors="coerce")
    else:  # a chrono pattern; the common directives are the same in strptime
        parsed = pd.to_datetime(ts, format=fmt, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        raise BadInput(f"{bad.sum()} unparsable {what} value(s), first {ts[bad].iloc[0]!r}")
    return ((parsed.values.astype("datetime64[D]") - EPOCH).astype(np.int64)).astype(np.int32)


def read_table(path: str) -> pd.DataFrame:
    if path.endswith(".parquet"):
        return pd.read_parquet(path).astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load(orders_path: str, members_path: str | None, mapping: dict) -> Data:
    raw = read_table(orders_path)
    need = [mapping[k] for k in ("member_id", "ts", "item_id", "quantity", "amount")]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise BadInput(f"{orders_path}: missing column(s) {missing}")
    cat_col = mapping["category"]
    o = pd.DataFrame({
        "member": raw[mapping["member_id"]].str.strip(),
        "day": to_days(raw[mapping["ts"]], mapping["ts_format"], "ts"),
        "item": raw[mapping["item_id"]].str.strip(),
        "category": raw[cat_col].str.strip() if cat_col in raw.columns else "",
        "quantity": pd.to_numeric(raw[mapping["quantity"]], errors="coerce"),
        "amount": pd.to_numeric(raw[mapping["amount"]], errors="coerce"),
    })
    bad = (o.member == "") | (o.item == "") | ~np.isfinite(o.quantity) | ~np.isfinite(o.amount)
    if bad.any():
        raise BadInput(f"{orders_path}: {bad.sum()} bad row(s) (empty id or non-numeric value)")
    o["ret"] = (o.quantity < 0) | (o.amount < 0)
    attrs = pd.DataFrame(index=pd.Index(sorted(o.member.unique()), name="member"),
                         columns=["age_group", "region", "tier"], data="")
    from_orders = mapping.get("members_from_orders") or {}
    for key in ("age_group", "region", "tier"):
        col = from_orders.get(key)
        if col and col in raw.columns:  # the last non-empty value in file order
            v = pd.DataFrame({"member": o.member, "v": raw[col].str.strip()})
            last = v[v.v != ""].groupby("member").v.last()
            attrs.loc[last.index, key] = last.values
    if members_path:
        cols = {**{k: k for k in ("member_id", "age_group", "region", "tier", "birthday")},
                "date_format": "iso8601", **(mapping.get("members") or {})}
        m = read_table(members_path)
        if cols["member_id"] not in m.columns:
            raise BadInput(f"{members_path}: missing column {cols['member_id']!r}")
        m = m.drop_duplicates(cols["member_id"], keep="last").set_index(cols["member_id"])
        m = m[m.index.isin(attrs.index)]
        for key in ("age_group", "region", "tier"):
            if cols.get(key) in m.columns:
                v = m[cols[key]].str.strip()
                v = v[v != ""]
                attrs.loc[v.index, key] = v.values
    cats = o.category[o.category != ""].unique()
    return Data(o, attrs, np.sort(o.item.unique()), np.sort(cats))


# ----------------------------------------------------------------------------------------------
# Protocol pieces: cutoffs, population, labels, truth.


def training_cutoffs(first_day: int, t: int, h: int, max_n: int = 6):
    """features::training_cutoffs: [(cutoff, horizon)], most recent first, and a fallback note."""
    cuts = []
    for k in range(1, max_n + 1):
        c = t - k * h
        if c - first_day < h:
            break
        cuts.append((c, h))
    if cuts:
        return cuts, None
    span = t - first_day
    if span < 2:
        raise BadInput(f"history before as-of spans {span} day(s); at least 2 are needed")
    short = span // 2
    return [(t - short, short)], (f"history spans {span} days < 2 x {h}: one cutoff "
                                  f"{day_str(t - short)} with a {short}-day window")


def day_str(d: int) -> str:
    return str(EPOCH + np.timedelta64(int(d), "D"))


def population(o: pd.DataFrame, c: int) -> np.ndarray:
    """Members with any line before c, in string order."""
    return np.sort(o.member[o.day < c].unique())


def churn_labels(o: pd.DataFrame, members: np.ndarray, c: int, h: int) -> np.ndarray:
    w = o[(o.day >= c) & (o.day < c + h) & ~o.ret]
    return ~np.isin(members, w.member.unique())


def key_ids(o: pd.DataFrame, kind: str, vocab: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Purchase lines with a key of `kind` (empty categories dropped) and their dense ids."""
    col = "category" if kind == "next_category" else "item"
    p = o[~o.ret & (o[col] != "")]
    return p, np.searchsorted(vocab, p[col].to_numpy())


# ----------------------------------------------------------------------------------------------
# Metrics, exactly as training::metrics computes them.


def churn_report(p: np.ndarray, y: np.ndarray) -> dict:
    p = np.asarray(p, dtype=np.float64)
    n, pos = len(y), int(y.sum())
    k = max(1, min(n, math.ceil(round(n * 0.1, 9))))  # ceil with float noise forgiven
    top = np.argsort(-p, kind="stable")[:k]  # ties: lower index (member id) first
    return {
        "population": n,
        "base_rate": pos / n,
        "auc": float(roc_auc_score(y, p)),
        "average_precision": float(average_precision_score(y, p)),
        "brier": float(np.mean((p - y) ** 2)),
        "lift_top_decile": float(y[top].mean() / (pos / n)),
    }


def ranking_report(top: np.ndarray, truth: list[np.ndarray]) -> dict:
    """top: (n, 20) ids with -1 padding (distinct per row); truth: n non-empty id arrays."""
    n = len(truth)
    sizes = np.array([len(t) for t in truth])
    rows = np.repeat(np.arange(n), sizes)
    width = int(max(top.max(initial=0), max(t.max() for t in truth))) + 2
    truth_codes = np.sort(rows.astype(np.int64) * width + np.concatenate(truth))
    codes = np.arange(n)[:, None].astype(np.int64) * width + top
    hit = np.isin(codes, truth_codes) & (top >= 0)
    disc = 1.0 / np.log2(np.arange(2, 12))
    idcg = np.cumsum(disc)[np.minimum(sizes, 10) - 1]
    return {
        "evaluated_members": n,
        "recall_at_10": float(np.mean(hit[:, :10].sum(1) / sizes)),
        "ndcg_at_10": float(np.mean((hit[:, :10] * disc).sum(1) / idcg)),
        "hit_rate_at_10": float(np.mean(hit[:, :10].any(1))),
        "recall_at_20": float(np.mean(hit[:, :20].sum(1) / sizes)),
    }


# ----------------------------------------------------------------------------------------------
# Churn baselines.


def rfm_features(o: pd.DataFrame, members: np.ndarray, c: int) -> pd.DataFrame:
    """RFM-style features at cutoff c from lines before c (days are calendar days).

    recency   days from the last purchase day to c (no purchase yet: from the first line)
    frequency distinct purchase days
    monetary  net spend (returns netted out), clipped at 0
    tenure    days from the first purchase day to c (no purchase yet: from the first line)
    gap_mean  (last - first purchase day) / (frequency - 1); with fewer than 2 purchase days,
              the tenure (the gap is at least that long)
    days_30, days_90    purchase days in the last 30 / 90 days
    spend_30, spend_90  net spend in the last 30 / 90 days, clipped at 0
    Every feature enters the logistic model as log1p(value), standardised.
    """
    h = o[o.day < c]
    first_line = h.groupby("member").day.min()
    pdays = h.loc[~h.ret, ["member", "day"]].drop_duplicates()
    g = pdays.groupby("member").day
    f = pd.DataFrame(index=pd.Index(members, name="member"))
    f["frequency"] = g.size()
    f["first"], f["last"] = g.min(), g.max()
    f["frequency"] = f.frequency.fillna(0)
    f["first"] = f["first"].fillna(first_line)
    f["last"] = f["last"].fillna(first_line)
    f["recency"] = c - f["last"]
    f["tenure"] = c - f["first"]
    f["gap_mean"] = np.where(f.frequency >= 2,
                             (f["last"] - f["first"]) / (f.frequency - 1).clip(lower=1),
                             f.tenure)
    f["monetary"] = h.groupby("member").amount.sum().clip(lower=0)
    for w in (30, 90):
        f[f"days_{w}"] = pdays[pdays.day >= c - w].groupby("member").size()
        f[f"spend_{w}"] = h[h.day >= c - w].groupby("member").amount.sum().clip(lower=0)
    return f.drop(columns=["first", "last"]).fillna(0.0)


RFM_COLUMNS = ["recency", "frequency", "monetary", "tenure", "gap_mean",
               "days_30", "days_90", "spend_30", "spend_90"]


def fit_platt(f: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """training::churn::fit_platt: maximum likelihood with Platt's smoothed targets."""
    n_pos, n_neg = y.sum(), (~y).sum()
    t = np.where(y, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(ab):
        z = ab[0] * f + ab[1]
        return np.mean(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z))

    res = minimize(loss, x0=[0.0, math.log((n_pos + 1) / (n_neg + 1))], method="BFGS",
                   options={"gtol": 1e-10})
    return float(res.x[0]), float(res.x[1])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def recency_baseline(d: Data, t: int, members, cutoffs) -> np.ndarray:
    """ln(1 + recency days), Platt-calibrated on the most recent training cutoff."""
    c, h = cutoffs[0]
    m_c = population(d.orders, c)
    a, b = fit_platt(np.log1p(rfm_features(d.orders, m_c, c).recency.to_numpy()),
                     churn_labels(d.orders, m_c, c, h))
    return sigmoid(a * np.log1p(rfm_features(d.orders, members, t).recency.to_numpy()) + b)


def bgnbd_baseline(d: Data, t: int, h: int, members) -> tuple[np.ndarray, dict]:
    """lifetimes' BG/NBD fitted on history before T: P(no purchase in [T, T + H)).

    Per member, as tiefen's rfm_of: x = purchase days - 1, t_x = last - first purchase day,
    age = max(T - first purchase day, 1). P(no purchase) = 1 - P(alive) (1 - ((a + age) /
    (a + age + H))^(r + x)): a dead member never buys; an alive one has rate Gamma(r + x, a + age).
    """
    from lifetimes import BetaGeoFitter

    f = rfm_features(d.orders, members, t)
    x = (f.frequency - 1).clip(lower=0).to_numpy()
    age = f.tenure.clip(lower=1).to_numpy()
    t_x = np.where(f.frequency >= 2, (age - f.recency).clip(0, None), 0.0)
    t_x = np.minimum(t_x, age)
    for pen in BGNBD_PENALIZERS:
        try:
            # lifetimes prints the optimiser's state on failure; keep stdout for the report
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                m = BetaGeoFitter(penalizer_coef=pen).fit(x, t_x, age)
                alive = np.asarray(m.conditional_probability_alive(x, t_x, age), dtype=float)
        except Exception as e:  # lifetimes raises ConvergenceError and others
            print(f"  bgnbd: penalizer {pen} failed: {type(e).__name__}", file=sys.stderr)
            continue
        r, alpha = m.params_["r"], m.params_["alpha"]
        p = 1 - alive * (1 - ((alpha + age) / (alpha + age + h)) ** (r + x))
        if np.all(np.isfinite(p)):
            return np.clip(p, 0, 1), {"penalizer": pen, **{k: float(v) for k, v in m.params_.items()}}
    print("  bgnbd: every penalizer failed; constant 0.5", file=sys.stderr)
    return np.full(len(members), 0.5), {"penalizer": None}


def design(d: Data, members, c: int) -> pd.DataFrame:
    f = np.log1p(rfm_features(d.orders, members, c)[RFM_COLUMNS])
    a = d.attributes.loc[members].replace("", "unknown")
    return pd.concat([f, a], axis=1)


def logistic_baseline(d: Data, t: int, members, cutoffs) -> tuple[np.ndarray, dict]:
    """Standardised logistic regression on log1p RFM features + one-hot attributes, fitted on
    every training cutoff stacked (each with its own labels), scored at T (raw probabilities)."""
    xs, ys = [], []
    for c, h in cutoffs:
        m_c = population(d.orders, c)
        xs.append(design(d, m_c, c))
        ys.append(churn_labels(d.orders, m_c, c, h))
    x, y = pd.concat(xs), np.concatenate(ys)
    cats = [k for k in ("age_group", "region", "tier") if x[k].nunique() > 1]
    model = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), RFM_COLUMNS),
                           ("cat", OneHotEncoder(handle_unknown="ignore"), cats)]),
        LogisticRegression(max_iter=2000))
    model.fit(x, y)
    return model.predict_proba(design(d, members, t))[:, 1], {
        "training_rows": len(y), "one_hot": cats, "numeric": RFM_COLUMNS}


# ----------------------------------------------------------------------------------------------
# Rankers.


def popular_list(p: pd.DataFrame, ids: np.ndarray, c: int) -> np.ndarray:
    """StoreTables::popular: ids by buyers in the 28 days before c, then buyers ever, then name."""
    b = pd.DataFrame({"member": p.member.to_numpy(), "id": ids, "day": p.day.to_numpy()})
    last = b.groupby(["id", "member"]).day.max().reset_index()
    s = last.groupby("id").agg(buyers=("member", "size"),
                               b28=("day", lambda v: int((v >= c - 28).sum())))
    s = s.reset_index().sort_values(["b28", "buyers", "id"], ascending=[False, False, True])
    return s.id.to_numpy()[:POPULAR_LEN]


def fill(rows: list[np.ndarray], popular: np.ndarray) -> np.ndarray:
    """(n, TOP_N) lists: each row's own ids, then popular ids not in it; -1 padding."""
    out = np.full((len(rows), TOP_N), -1, dtype=np.int64)
    for i, r in enumerate(rows):
        r = list(r[:TOP_N])
        if len(r) < TOP_N:
            seen = set(r)
            r += [x for x in popular if x not in seen][: TOP_N - len(r)]
        out[i, : len(r)] = r
    return out


def personal_top(p, ids, members, popular) -> np.ndarray:
    """Own ids by purchase days, then more recent last purchase, then name; popular fill."""
    b = pd.DataFrame({"member": p.member.to_numpy(), "id": ids, "day": p.day.to_numpy()})
    s = b.drop_duplicates().groupby(["member", "id"]).day.agg(["size", "max"]).reset_index()
    s = s[s.member.isin(members)].sort_values(["member", "size", "max", "id"],
                                              ascending=[True, False, False, True])
    own = s.groupby("member").id.apply(np.asarray)
    return fill([own.get(m, np.empty(0, dtype=np.int64)) for m in members], popular)


def tifu_vectors(p, ids, members, n_ids, group, within, across) -> sp.csr_matrix:
    """TIFU user vectors: baskets (purchase days) in order, split into groups of `group` from the
    latest back (the oldest group may be shorter). Group vector = mean over its baskets of
    within^(baskets after it in the group) x basket; user vector = mean over groups of
    across^(groups after it) x group vector. Rows follow `members`."""
    b = pd.DataFrame({"member": p.member.to_numpy(), "day": p.day.to_numpy(), "id": ids})
    b = b.drop_duplicates()
    days = b[["member", "day"]].drop_duplicates().sort_values(["member", "day"])
    n = days.groupby("member").day.transform("size").to_numpy()
    back = n - 1 - days.groupby("member").cumcount().to_numpy()  # 0 = latest basket
    g, j = back // group, back % group
    n_groups = -(-n // group)
    size_g = np.minimum(group, n - g * group)
    days["w"] = within ** j / size_g * across ** g / n_groups
    b = b.merge(days, on=["member", "day"])
    row = pd.Index(members).get_indexer(b.member)
    keep = row >= 0
    return sp.csr_matrix((b.w.to_numpy()[keep], (row[keep], b.id.to_numpy()[keep])),
                         shape=(len(members), n_ids))


def neighbours(x: sp.csr_matrix, query: np.ndarray, k: int, metric: str,
               chunk: int = 1000) -> np.ndarray:
    """The k nearest other users of each query row, nearest first: (len(query), k) row indices.
    `cosine` (highest cosine similarity) or `euclidean` (smallest distance between the raw
    vectors, as in the TIFU-KNN paper's code)."""
    sq = np.asarray(x.multiply(x).sum(1)).ravel()
    if metric == "cosine":
        x = (sp.diags(1.0 / np.maximum(np.sqrt(sq), 1e-12)) @ x).tocsr()
    x = x.astype(np.float32).tocsr()
    k = min(k, x.shape[0] - 1)
    out = np.empty((len(query), k), dtype=np.int64)
    for s in range(0, len(query), chunk):
        q = query[s: s + chunk]
        dot = (x[q] @ x.T).toarray()
        # a cost to minimise: -cosine, or the squared distance
        cost = -dot if metric == "cosine" else sq[q][:, None] + sq[None, :] - 2 * dot
        cost[np.arange(len(q)), q] = np.inf  # not one's own neighbour
        top = np.argpartition(cost, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(cost, top, 1), axis=1, kind="stable")
        out[s: s + chunk] = np.take_along_axis(top, order, 1)
    return out


def tifu_lists(x, query, nbrs, k, alphas, popular) -> list[np.ndarray]:
    """alpha x own vector + (1 - alpha) x mean of the k nearest neighbours' vectors; the top-20
    lists for each alpha in `alphas`."""
    nb = nbrs[:, :k]
    w = sp.csr_matrix((np.full(nb.size, 1.0 / nb.shape[1]),
                       (np.repeat(np.arange(len(query)), nb.shape[1]), nb.ravel())),
                      shape=(len(query), x.shape[0]))
    own, mean = x[query], (w @ x).tocsr()
    return [top_of_scores((alpha * own + (1 - alpha) * mean).tocsr(), popular)
            for alpha in alphas]


def top_of_scores(score: sp.csr_matrix, popular: np.ndarray, chunk: int = 1000) -> np.ndarray:
    """Per row, the TOP_N ids with the highest positive scores (ties: lower id first), then
    popular ids not already in it."""
    n, n_ids = score.shape
    out = np.full((n, TOP_N), -1, dtype=np.int64)
    kk = min(TOP_N, n_ids)
    for s in range(0, n, chunk):
        dense = score[s: s + chunk].toarray()
        top = np.argpartition(-dense, kk - 1, axis=1)[:, :kk]
        val = np.take_along_axis(dense, top, 1)
        # Sort by score descending, then id ascending; the boundary tie may differ from a full
        # sort by id only when more than TOP_N ids share the 20th score.
        order = np.lexsort((top, -val), axis=1)
        top, val = np.take_along_axis(top, order, 1), np.take_along_axis(val, order, 1)
        out[s: s + chunk, :kk] = np.where(val > 0, top, -1)
    short = np.flatnonzero((out < 0).any(1))
    if len(short):
        out[short] = fill([r[r >= 0] for r in out[short]], popular)
    return out


@dataclass
class RankTask:
    """One kind at one cutoff: purchases before it, the population, evaluated members, truth."""
    members: np.ndarray
    query: np.ndarray  # positions (in members) of members with non-empty truth
    truth: list
    p: pd.DataFrame
    ids: np.ndarray
    popular: np.ndarray


def rank_task(d: Data, kind: str, c: int, h: int) -> RankTask | None:
    vocab = d.categories if kind == "next_category" else d.items
    p_all, ids_all = key_ids(d.orders, kind, vocab)
    before = (p_all.day < c).to_numpy()
    members = population(d.orders, c)
    inw = ((p_all.day >= c) & (p_all.day < c + h)).to_numpy()
    w = pd.DataFrame({"member": p_all.member.to_numpy()[inw], "id": ids_all[inw]})
    w = w[w.member.isin(members)].drop_duplicates()
    truth = w.groupby("member").id.apply(lambda v: np.sort(v.to_numpy()))
    if truth.empty:
        return None
    query = np.searchsorted(members, truth.index.to_numpy())
    p, ids = p_all[before], ids_all[before]
    return RankTask(members, query, list(truth.values), p, ids, popular_list(p, ids, c))


def tune_tifu(d: Data, kind: str, n_ids: int, c: int, h: int) -> tuple[dict, list]:
    """Tunes TIFU-KNN on the validation cutoff only (features before c, truth in [c, c + h)), by
    validation Recall@10, in two stages over small grids: first the vector parameters (group
    size, within- and across-group decay) and the neighbour metric with k and alpha at
    TIFU_START, then k and alpha with the best of those. Returns the best setting and every
    trial."""
    task = rank_task(d, kind, c, h)
    trials = []

    def score(x, nbrs, v, k, alphas):
        tops = tifu_lists(x, task.query, nbrs, k, alphas, task.popular)
        for alpha, top in zip(alphas, tops):
            trials.append(dict(**v, k=k, alpha=alpha,
                               val_recall_at_10=ranking_report(top, task.truth)["recall_at_10"]))

    k0, alpha0 = TIFU_START["k"], TIFU_START["alpha"]
    for group in TIFU_GROUP:
        for within in TIFU_WITHIN:
            for across in TIFU_ACROSS:
                x = tifu_vectors(task.p, task.ids, task.members, n_ids, group, within, across)
                for metric in TIFU_METRIC:
                    v = dict(group=group, within=within, across=across, metric=metric)
                    score(x, neighbours(x, task.query, k0, metric), v, k0, [alpha0])
    best = max(trials, key=lambda r: r["val_recall_at_10"])
    v = {key: best[key] for key in ("group", "within", "across", "metric")}
    x = tifu_vectors(task.p, task.ids, task.members, n_ids, v["group"], v["within"], v["across"])
    nbrs = neighbours(x, task.query, max(TIFU_K), v["metric"])
    for k in TIFU_K:
        score(x, nbrs, v, k, TIFU_ALPHA)
    return max(trials, key=lambda r: r["val_recall_at_10"]), trials


def rankers(d: Data, kind: str, t: int, h: int, tune_cut: tuple[int, int]) -> dict:
    n_ids = len(d.categories if kind == "next_category" else d.items)
    if n_ids < 2:  # e.g. CDNOW's one constant item: every list is trivially right
        return {}
    task = rank_task(d, kind, t, h)
    if task is None:
        return {}
    own = personal_top(task.p, task.ids, task.members[task.query], task.popular)
    glob = fill([np.empty(0, dtype=np.int64)] * len(task.query), task.popular)
    out = {"global_top": ranking_report(glob, task.truth),
           "personal_top": ranking_report(own, task.truth)}
    best, _ = tune_tifu(d, kind, n_ids, *tune_cut)
    x = tifu_vectors(task.p, task.ids, task.members, n_ids, best["group"], best["within"],
                     best["across"])
    nbrs = neighbours(x, task.query, best["k"], best["metric"])
    [top] = tifu_lists(x, task.query, nbrs, best["k"], [best["alpha"]], task.popular)
    out["tifu_knn"] = {**ranking_report(top, task.truth), "params": best,
                       "tuned_on": f"{day_str(tune_cut[0])} + {tune_cut[1]}d"}
    return out


# ----------------------------------------------------------------------------------------------
# Report.


def tiefen_rows(path: str) -> dict:
    """tiefen's model (`tiefen`) and its own baselines (`tiefen:<name>`) from evaluation.json."""
    ev = json.loads(Path(path).read_text())
    out = {}
    for task in ("churn", "next_category", "next_item"):
        if task in ev:
            out.setdefault(task, {})["tiefen"] = ev[task]
            for name, rep in (ev.get(f"{task}_baselines") or {}).items():
                out[task][f"tiefen:{name}"] = rep
    return out


def fmt(v) -> str:
    return "" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)


def markdown(reports: list[dict]) -> str:
    """Two tables (churn, rankers): dataset x method x metrics. The tiefen row is marked per
    metric: ✓ when it is at least as good as the best of this tool's baselines (Brier: <=)."""
    out = []
    for task_kind, metrics in (("churn", CHURN_METRICS), ("rank", RANK_METRICS)):
        head = ["dataset", "T, H", "task", "method", *metrics]
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for rep in reports:
            tasks = ["churn"] if task_kind == "churn" else ["next_category", "next_item"]
            for task in tasks:
                ours = rep["results"].get(task) or {}
                theirs = (rep.get("tiefen") or {}).get(task) or {}
                if not ours and not theirs:
                    continue
                best = {}
                for m in metrics:
                    vals = [r[m] for r in ours.values() if m in r]
                    if vals:
                        best[m] = min(vals) if m in LOWER_IS_BETTER else max(vals)
                rows = [(n, r, False) for n, r in ours.items()]
                rows += [(n, r, n == "tiefen") for n, r in theirs.items()]
                for name, r, mark in rows:
                    cells = []
                    for m in metrics:
                        v = r.get(m)
                        cell = fmt(v)
                        if mark and v is not None and m in best:
                            ok = v <= best[m] if m in LOWER_IS_BETTER else v >= best[m]
                            cell += " ✓" if ok else " ✗"
                        cells.append(cell)
                    name = f"**{name}**" if mark else name
                    lines.append(f"| {rep['name']} | {rep['as_of']}, {rep['horizon_days']}d | "
                                 f"{task} | {name} | " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def run(args) -> dict:
    mapping = read_mapping(args.mapping)
    d = load(args.orders, args.members, mapping)
    t = int((np.datetime64(args.as_of, "D") - EPOCH).astype(int))
    h = args.horizon_days
    hist = d.orders[d.orders.day < t]
    if hist.empty:
        raise BadInput(f"no line before {args.as_of}")
    if d.orders.day.max() < t:
        raise BadInput(f"the data ends before {args.as_of}: nothing to evaluate")
    cutoffs, fallback = training_cutoffs(int(hist.day.min()), t, h, args.max_cutoffs)
    members = population(d.orders, t)
    y = churn_labels(d.orders, members, t, h)
    log = lambda s: print(f"[{args.name}] {s}", file=sys.stderr)
    log(f"{len(d.orders)} lines, population {len(members)}, churn rate {y.mean():.3f}, "
        f"cutoffs {[(day_str(c), hc) for c, hc in cutoffs]}")
    churn = {}
    log("churn: recency")
    churn["recency"] = churn_report(recency_baseline(d, t, members, cutoffs), y)
    log("churn: bgnbd")
    p, info = bgnbd_baseline(d, t, h, members)
    churn["bgnbd"] = {**churn_report(p, y), "fit": info}
    log("churn: logistic_rfm_onehot")
    p, info = logistic_baseline(d, t, members, cutoffs)
    churn["logistic_rfm_onehot"] = {**churn_report(p, y), "fit": info}
    results = {"churn": churn}
    kinds = (["next_category"] if len(d.categories) else []) + ["next_item"]
    for kind in kinds:
        log(f"{kind}: global_top, personal_top, tifu_knn (tuning on {day_str(cutoffs[0][0])})")
        results[kind] = rankers(d, kind, t, h, cutoffs[0])
    report = {"name": args.name, "orders": args.orders, "members": args.members,
              "mapping": args.mapping, "as_of": args.as_of, "horizon_days": h,
              "label_window_complete": bool(d.orders.day.max() >= t + h - 1),
              "cutoffs": [{"as_of": day_str(c), "horizon_days": hc} for c, hc in cutoffs],
              "fallback": fallback, "results": results}
    if args.tiefen:
        report["tiefen"] = tiefen_rows(args.tiefen)
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="compute every baseline on one dataset")
    r.add_argument("--orders", required=True)
    r.add_argument("--members")
    r.add_argument("--mapping", default="canonical", help="mapping TOML or `canonical`")
    r.add_argument("--as-of", required=True)
    r.add_argument("--horizon-days", type=int, default=28)
    r.add_argument("--max-cutoffs", type=int, default=6)
    r.add_argument("--name", default="dataset")
    r.add_argument("--tiefen", help="tiefen's OUT/evaluation.json, shown next to the baselines")
    r.add_argument("--json", required=True, help="where the JSON report goes")
    r.add_argument("--markdown", help="where the Markdown table goes (default: stdout only)")
    tb = sub.add_parser("table", help="one Markdown report of several JSON reports")
    tb.add_argument("reports", nargs="+")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "table":
            reports = [json.loads(Path(p).read_text()) for p in args.reports]
        else:
            reports = [run(args)]
            Path(args.json).write_text(json.dumps(reports[0], indent=2) + "\n")
    except (BadInput, FileNotFoundError, tomllib.TOMLDecodeError) as e:
        print(f"baselines.py: bad input: {e}", file=sys.stderr)
        return 2
    md = markdown(reports)
    if args.cmd == "run" and args.markdown:
        Path(args.markdown).write_text(md)
    sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
