#!/usr/bin/env bash
# Scale benchmark: a tiefen-synth brand of MEMBERS members (CSV), trained as
# scripts/bench-model.sh does, then served; reports the wall time and peak RSS of each step,
# the server's time to ready and its resident memory per member. A watchdog stops
# tiefen-train when its RSS passes LIMIT_GB (default 20), so the machine never runs out of
# memory; the report then says where it stood.
# tiefen-train logs each stage's resident and peak memory (rss_mb, peak_rss_mb) in train.log.
# Usage: scripts/bench-scale.sh MEMBERS   (env: LIMIT_GB=20 PORT=18086
#        WORK=target/bench-scale-MEMBERS TRAIN_CONFIG=a training TOML, e.g. [churn] fit_members,
#        REUSE_DATA=1 keeps WORK/data from an earlier run instead of generating it again)
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:?usage: scripts/bench-scale.sh MEMBERS}
limit_kib=$(( ${LIMIT_GB:-20} * 1024 * 1024 ))
port=${PORT:-18086}
work=${WORK:-target/bench-scale-$members}
cargo build --release -p training -p serving --bins
bin=${CARGO_TARGET_DIR:-target}/release
if [ "${REUSE_DATA:-0}" = 1 ] && [ -f "$work/data/orders.csv" ]; then
  rm -rf "$work/out" "$work/models"
  echo '{"run": "synth", "reused": true}'
else
  rm -rf "$work" && mkdir -p "$work"
  /usr/bin/time -f '{"run": "synth", "seconds": %e, "max_rss_kib": %M}' -o "$work/synth.json" \
    "$bin"/tiefen-synth --members "$members" --out "$work/data" --format csv
  cat "$work/synth.json"
fi
"$bin"/tiefen-train --transactions "$work/data/orders.csv" --members "$work/data/members.csv" \
  --mapping notebooks-data/mappings/canonical.toml --as-of 2024-12-04 \
  --out "$work/out" --models "$work/models" ${TRAIN_CONFIG:+--config "$TRAIN_CONFIG"} \
  > "$work/train.log" 2>&1 &
train=$!
start=$(date +%s) peak=0 stopped=false
while kill -0 $train 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$train/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$peak" ] && peak=$rss
  if [ "${rss:-0}" -gt "$limit_kib" ]; then kill $train; stopped=true; break; fi
  sleep 1
done
wait $train 2>/dev/null && ok=true || ok=false
stage=$(grep -o 'stage{name="[a-z_]*"}' "$work/train.log" | tail -1 || true)
echo "{\"run\": \"train\", \"seconds\": $(( $(date +%s) - start )), \"peak_rss_kib\": $peak, \"ok\": $ok, \"stopped_at_limit\": $stopped, \"last_stage\": \"${stage//\"/}\"}"
$ok || exit 0
rm -f "$work/events.log"
start=$(date +%s.%N)
TIEFEN_API_KEYS="admin:bench-admin-key-0123456789abcdef" "$bin"/tiefen-serve --models "$work/models" \
  --listen "127.0.0.1:$port" --events "$work/events.log" 2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
. scripts/bench-model.sh
wait_ready $pid "$port" "$work/serve.log"
ready=$(echo "$(date +%s.%N) - $start" | bc)
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
state=$(curl -sf "http://127.0.0.1:$port/readyz")
python3 - "$ready" "$rss" "$hwm" "$state" <<'PY'
import json, sys
ready, rss, hwm, state = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
n = state["members"]
print(json.dumps({"run": "serve", "members": n, "ready_s": round(ready, 2), "rss_mib": round(rss / 1024, 1),
  "hwm_mib": round(hwm / 1024, 1), "rss_bytes_per_member": round(rss * 1024 / n)}))
PY
