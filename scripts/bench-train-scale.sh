#!/usr/bin/env bash
# Bounded-memory training benchmark (issue 17, part 2): trains a tiefen-synth brand from
# Parquet with its order lines split into member-hash buckets on disk (`[scale] buckets`),
# and reports wall time, peak RSS (GNU time's maximum resident set) and the per-stage log.
# Usage: scripts/bench-train-scale.sh DATA_DIR [BUCKETS]
#   DATA_DIR holds orders.parquet and members.parquet, e.g. from
#   target/release/tiefen-synth --members 1800000 --start 2005-01-01 --end 2024-12-31 \
#     --format parquet --out DATA_DIR
#   env: WORK=target/bench-train-scale (output), AS_OF=2024-12-04, FIT_MEMBERS (default: the
#   shipped [churn] fit_members)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: scripts/bench-train-scale.sh DATA_DIR [BUCKETS]}
buckets=${2:-32}
work=${WORK:-target/bench-train-scale}
cargo build --release -p training --bins
bin=${CARGO_TARGET_DIR:-target}/release
rm -rf "$work" && mkdir -p "$work"
{
  echo "[scale]"
  echo "buckets = $buckets"
  if [ -n "${FIT_MEMBERS:-}" ]; then
    echo "[churn]"
    echo "fit_members = $FIT_MEMBERS"
  fi
} > "$work/train.toml"
/usr/bin/time -f '{"seconds": %e, "max_rss_kib": %M}' -o "$work/time.json" \
  "$bin"/tiefen-train --transactions "$data/orders.parquet" --members "$data/members.parquet" \
  --mapping notebooks-data/mappings/canonical.toml --as-of "${AS_OF:-2024-12-04}" \
  --out "$work/out" --models "$work/models" --config "$work/train.toml" > "$work/train.log" 2>&1 \
  || { tail -20 "$work/train.log"; exit 1; }
python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
t = json.load(open(f"{work}/time.json"))
log = open(f"{work}/train.log").read()
lines = re.search(r"lines=(\d+) members=(\d+)", log)
run = json.load(open(f"{work}/out/run.json"))
ev = run.get("evaluation") or {}
model = (ev.get("models") or {}).get("model") or ev.get("model") or {}
print(json.dumps({
    "lines": int(lines.group(1)) if lines else None,
    "members_with_lines": int(lines.group(2)) if lines else None,
    "population": run["population"],
    "seconds": t["seconds"],
    "peak_rss_mib": round(t["max_rss_kib"] / 1024),
    "stages": {s["name"]: round(s["seconds"], 1) for s in run["stages"]["stages"]}
        if isinstance(run["stages"], dict) and "stages" in run["stages"] else run["stages"],
}))
for m in re.finditer(r'stages: (.*) done seconds=([\d.]+) rss_mb=(\d+) peak_rss_mb=(\d+)', log):
    print(f"  {m.group(1):45s} {float(m.group(2)):8.1f} s  rss {m.group(3):>6} MB  peak {m.group(4):>6} MB")
PY
