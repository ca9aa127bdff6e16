#!/usr/bin/env bash
# Whole-run benchmark of tiefen-train (release): runs the contract command RUNS times on a file
# and prints each stage's median wall time from the runs' run.json, the churn part (load, fit
# churn, score, evaluate, write churn outputs, export: the latter also writes the rankers
# prepared by "export rankers") and the total.
# Usage: scripts/bench-train.sh [FILE [MAPPING [AS_OF]]]   (env: RUNS=3)
#   default: the Ta Feng CSV at ../tafeng/ta_feng_all_months_merged.csv, mapping tafeng,
#   as-of 2001-02-01 (fetch it with ../shared/data/fetch-tafeng.sh DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-../tafeng/ta_feng_all_months_merged.csv}
mapping=${2:-tafeng}
as_of=${3:-2001-02-01}
runs=${RUNS:-3}
work=target/bench-train
cargo build --release -p training --bin tiefen-train
bin=${CARGO_TARGET_DIR:-target}/release
rm -rf "$work" && mkdir -p "$work"
for i in $(seq 1 "$runs"); do
  "$bin"/tiefen-train --transactions "$file" --mapping "$mapping" --as-of "$as_of" \
    --out "$work/out$i" --models "$work/models" 2>"$work/log$i" >/dev/null
done
python3 - "$work" "$runs" <<'PY'
import json, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
stages = [json.load(open(f"{work}/out{i}/run.json"))["stages"] for i in range(1, runs + 1)]
names = [s[0] for s in stages[0]]
churn = {"load", "fit churn", "score", "evaluate", "write churn outputs", "export"}
med = {n: statistics.median(dict(s)[n] for s in stages) for n in names}
for n in names:
    print(f"{n:32s} {med[n]:8.2f} s")
totals = [sum(v for _, v in s) for s in stages]
print(f"{'churn part':32s} {sum(med[n] for n in names if n in churn):8.2f} s")
print(f"{'total (median of runs)':32s} {statistics.median(totals):8.2f} s   runs: {', '.join(f'{t:.2f}' for t in totals)}")
PY
