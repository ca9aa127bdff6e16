"""Reference values for `features::uplift`, from statsmodels and scikit-uplift.

Writes `fixture.json` beside this file (one case per line); `features/src/uplift/reference_tests.rs` reads it and
checks every value. CI never runs this script: the fixture is committed. To regenerate:

    python3 -m venv /tmp/pyref
    /tmp/pyref/bin/pip install scipy statsmodels scikit-uplift numpy pandas scikit-learn
    /tmp/pyref/bin/python features/tests/uplift_reference/generate.py

Made with numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0, scikit-uplift 0.5.1,
scikit-learn 1.9.1. The datasets are drawn from a fixed seed.

What each reference is:
- conversion difference: statsmodels `confint_proportions_2indep(compare="diff",
  method="newcomb")`; ratio: the same with `compare="ratio", method="log"` (minus 1).
- Welch: `statsmodels.stats.weightstats.CompareMeans.from_data(t, c)
  .tconfint_diff(alpha, usevar="unequal")` on the raw per-member values (the Rust side gets
  only count / sum / sum of squares, computed here with `math.fsum`).
- relative uplift of means: the delta-method formula evaluated with numpy from the raw values.
- ranked metrics: `sklift.metrics` functions verbatim; a call that raises or returns NaN is
  recorded as `null` (the Rust side must return an error there).
- power: statsmodels `NormalIndPower().power` solved with `scipy.optimize.brentq` to full
  precision (statsmodels' own `solve_power` stops at a looser tolerance and is recorded too),
  on Cohen's h (`proportion_effectsize`).
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
from scipy import optimize, stats
from sklift import metrics as sk
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_effectsize
from statsmodels.stats.weightstats import CompareMeans

warnings.simplefilter("ignore")
rng = np.random.default_rng(20240615)


def proportions(xt, nt, xc, nc, conf):
    alpha = 1 - conf
    low, high = confint_proportions_2indep(xt, nt, xc, nc, method="newcomb", compare="diff", alpha=alpha)
    case = {
        "treated": [xt, nt], "control": [xc, nc], "confidence": conf,
        "diff": [xt / nt - xc / nc, low, high], "ratio": None,
    }
    if xc > 0 and xt > 0:
        rl, rh = confint_proportions_2indep(xt, nt, xc, nc, method="log", compare="ratio", alpha=alpha)
        case["ratio"] = [(xt / nt) / (xc / nc) - 1, rl - 1, rh - 1]
    return case


def arm(n, rate, mean_spend, max_orders=5):
    converted = rng.random(n) < rate
    orders = np.where(converted, rng.integers(1, max_orders + 1, n), 0).astype(float)
    spend = np.where(converted, orders * rng.lognormal(math.log(mean_spend), 0.6, n), 0.0)
    return orders, spend


def moments(values):
    return {"count": len(values), "sum": math.fsum(values), "sum_sq": math.fsum(v * v for v in values)}


def mean_case(name, t, c, conf):
    alpha = 1 - conf
    z = float(stats.norm.isf(alpha / 2))
    case = {"name": name, "confidence": conf}
    for label, (orders, spend) in (("treated", t), ("control", c)):
        case[label] = {
            "members": len(orders), "converters": int((orders >= 1).sum()),
            "orders": moments(orders), "spend": moments(spend),
        }
    for metric, i in (("orders", 0), ("spend", 1)):
        vt, vc = t[i], c[i]
        cm = CompareMeans.from_data(vt, vc)
        low, high = cm.tconfint_diff(alpha=alpha, usevar="unequal")
        diff = vt.mean() - vc.mean()
        m = {"diff": [diff, low, high], "dof": cm.dof_satt(),
             "incremental": [diff * len(vt), low * len(vt), high * len(vt)], "relative": None}
        mt, mc = vt.mean(), vc.mean()
        if mc != 0:
            se2t, se2c = vt.var(ddof=1) / len(vt), vc.var(ddof=1) / len(vc)
            half = z * math.sqrt(se2t / mc**2 + mt**2 * se2c / mc**4)
            r = mt / mc - 1
            m["relative"] = [r, r - half, r + half]
        case[metric] = m
    xt, xc = case["treated"]["converters"], case["control"]["converters"]
    case["conversion"] = proportions(xt, len(t[0]), xc, len(c[0]), conf)
    return case


def safe(f):
    try:
        v = f()
    except (ValueError, ZeroDivisionError, IndexError):
        return None
    if isinstance(v, tuple):
        return [[float(x), float(y)] for x, y in zip(*v)]
    v = float(v)
    return None if not math.isfinite(v) else v


def ranked_case(name, score, treated, y):
    score, treated, y = np.asarray(score, float), np.asarray(treated, int), np.asarray(y, int)
    case = {"name": name, "score": score.tolist(), "treated": treated.tolist(), "y": y.tolist(), "at_k": []}
    n = len(y)
    for strategy in ("overall", "by_group"):
        for k in (0.1, 0.3, 0.5, 0.9, 5, 20, n - 1):
            value = safe(lambda: sk.uplift_at_k(y, score, treated, strategy=strategy, k=k))
            case["at_k"].append({"strategy": strategy, "k": k, "is_count": isinstance(k, int), "value": value})
    case["qini_curve"] = safe(lambda: sk.qini_curve(y, score, treated))
    case["uplift_curve"] = safe(lambda: sk.uplift_curve(y, score, treated))
    case["perfect_qini_curve"] = safe(lambda: sk.perfect_qini_curve(y, treated, negative_effect=True))
    case["perfect_qini_curve_no_negative"] = safe(lambda: sk.perfect_qini_curve(y, treated, negative_effect=False))
    case["perfect_uplift_curve"] = safe(lambda: sk.perfect_uplift_curve(y, treated))
    case["qini_auc"] = safe(lambda: sk.qini_auc_score(y, score, treated, negative_effect=True))
    case["qini_auc_no_negative"] = safe(lambda: sk.qini_auc_score(y, score, treated, negative_effect=False))
    case["uplift_auc"] = safe(lambda: sk.uplift_auc_score(y, score, treated))
    return case


def synthetic_ranked(n, share_treated, decimals, seed_shift):
    local = np.random.default_rng(1000 + seed_shift)
    x = local.normal(size=n)
    treated = (local.random(n) < share_treated).astype(int)
    base = 1 / (1 + np.exp(-(x - 1.5)))
    lift = 0.15 * (x > 0)
    y = (local.random(n) < base + treated * lift).astype(int)
    score = np.round(x + local.normal(scale=0.7, size=n), decimals)
    return score, treated, y


def power_case(nt, nc, p0, alpha, power):
    pw = NormalIndPower()
    f = lambda h: pw.power(h, nobs1=nt, alpha=alpha, ratio=nc / nt) - power
    h = optimize.brentq(f, 1e-12, 50, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    loose = pw.solve_power(effect_size=None, nobs1=nt, alpha=alpha, power=power, ratio=nc / nt)
    top = math.asin(math.sqrt(p0)) + h / 2
    detect = None
    if top <= math.pi / 2:
        pt = math.sin(top) ** 2
        assert abs(proportion_effectsize(pt, p0) - h) < 1e-12
        detect = {"treated_rate": pt, "absolute": pt - p0, "relative": pt / p0 - 1}
    return {"treated": nt, "control": nc, "baseline": p0, "alpha": alpha, "power": power,
            "effect_size": h, "solve_power_effect_size": float(loose), "detectable": detect}


def control_case(nt, p0, rel, alpha, power):
    pw = NormalIndPower()
    h = abs(proportion_effectsize(p0 * (1 + rel), p0))
    f = lambda ratio: pw.power(h, nobs1=nt, alpha=alpha, ratio=ratio) - power
    needed = None
    if f(1e12) > 0:
        ratio = optimize.brentq(f, 1e-12, 1e12, xtol=1e-18, rtol=4 * np.finfo(float).eps, maxiter=1000)
        needed = ratio * nt
    return {"treated": nt, "baseline": p0, "expected_relative": rel, "alpha": alpha, "power": power,
            "control_needed": needed}


def main():
    fixture = {
        "proportions": [
            proportions(30, 100, 20, 100, 0.95),
            proportions(0, 50, 3, 60, 0.95),
            proportions(5, 5, 2, 10, 0.90),
            proportions(123, 4567, 98, 4321, 0.99),
            proportions(1500, 20000, 60, 1000, 0.95),
            proportions(7, 1000, 0, 500, 0.95),
            proportions(412345, 1000000, 38000, 100000, 0.95),
            proportions(1, 3, 1, 2, 0.80),
        ],
        "means": [
            mean_case("large treated, 20% holdout", arm(2000, 0.12, 800), arm(500, 0.10, 780), 0.95),
            mean_case("small arms", arm(50, 0.4, 300), arm(40, 0.3, 320), 0.90),
            mean_case("100k vs 5k", arm(100_000, 0.05, 1200), arm(5000, 0.045, 1150), 0.99),
            mean_case("control never ordered", arm(300, 0.2, 500), arm(30, 0.0, 500), 0.95),
        ],
        "ranked": [
            ranked_case("hand-made with ties", [0.9, 0.9, 0.5, 0.5, 0.5, 0.1, 0.1, -0.2, -0.2, -0.2, 0.0, -0.0],
                        [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0], [1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1]),
            ranked_case("200 members, scores to 1 decimal", *synthetic_ranked(200, 0.5, 1, 1)),
            ranked_case("1000 members, 30% treated", *synthetic_ranked(1000, 0.3, 6, 2)),
            ranked_case("negative overall uplift", [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
                        [1, 0, 1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 1, 1, 0, 1]),
        ],
        "power": [
            power_case(10_000, 1_000, 0.05, 0.05, 0.8),
            power_case(500, 500, 0.2, 0.05, 0.9),
            power_case(100_000, 5_000, 0.02, 0.01, 0.8),
            power_case(2_000, 200, 0.3, 0.1, 0.8),
            power_case(5, 5, 0.9, 0.05, 0.8),
        ],
        "control_size": [
            control_case(50_000, 0.05, 0.1, 0.05, 0.8),
            control_case(20_000, 0.1, 0.2, 0.05, 0.9),
            control_case(5_000, 0.3, -0.1, 0.05, 0.8),
            control_case(1_000, 0.05, 0.1, 0.05, 0.8),
        ],
    }
    compact = lambda v: json.dumps(v, separators=(",", ":"))
    sections = [
        f"{compact(name)}:[\n" + ",\n".join(compact(case) for case in cases) + "\n]"
        for name, cases in fixture.items()
    ]
    out = Path(__file__).with_name("fixture.json")
    out.write_text("{\n" + ",\n".join(sections) + "\n}\n")


if __name__ == "__main__":
    main()
