#!/usr/bin/env bash
# Serving benchmark: train (Ta Feng when its CSV is given, a `tiefen-synth` brand for
# `synth:MEMBERS`, else the bundled sample), start tiefen-serve on loopback, and drive it with
# oha (installed with `cargo install oha --locked` when missing): a trivial route at max rate
# for the ceiling, recommendations over every member id at a fixed 2,000 req/s and at max
# rate, then three model reloads while recommendations run at 2,000 req/s (reload seconds and
# failed requests). Prints one JSON line per run and the server's resident memory per member.
# Usage: scripts/bench-serve.sh [TAFENG_CSV | synth:MEMBERS]
#        (env: DURATION=20s CONNECTIONS=64 PORT=18080)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20s}
conns=${CONNECTIONS:-64}
port=${PORT:-18080}
work=target/bench-serve
command -v oha >/dev/null || cargo install oha --locked
cargo build --release -p training -p serving --bins
bin=${CARGO_TARGET_DIR:-target}/release
rm -rf "$work" && mkdir -p "$work"
. scripts/bench-model.sh
bench_model "$bin" "$work" "${1:-}"
key=bench-storefront-key-0123456789
admin=bench-admin-key-0123456789abcdef
start_ns=$(date +%s%N)
TIEFEN_API_KEYS="storefront:$key,admin:$admin" "$bin"/tiefen-serve --models "$work/models" \
  --listen "127.0.0.1:$port" --events "$work/events.log" 2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_ready $pid "$port" "$work/serve.log"
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "{\"run\": \"startup\", \"seconds_to_ready\": $(( ready_ms / 1000 )).$(printf %03d $(( ready_ms % 1000 )))}"
members=$(curl -sf "http://127.0.0.1:$port/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["members"])')
tail -n +2 "$work/out/scores.csv" | cut -d, -f1 | shuf --random-source=<(yes) \
  | sed "s|^|http://127.0.0.1:$port/v1/members/|; s|$|/recommendations?k=10|" > "$work/urls.txt"
summarise() { # name, oha json file
  python3 - "$1" "$2" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
s, p = d["summary"], d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
print(json.dumps({"run": name, "rps": round(s["requestsPerSec"]), "p50_ms": round(p["p50"] * 1e3, 3),
  "p99_ms": round(p["p99"] * 1e3, 3), "max_ms": round(s["slowest"] * 1e3, 3),
  "success_rate": s["successRate"], "status": codes}))
PY
}
run() { # name, extra oha args...
  local name=$1; shift
  oha --no-tui --output-format json -z "$duration" "$@" > "$work/$name.json"
  summarise "$name" "$work/$name.json"
}
oha --no-tui -z 3s -c "$conns" -H "Authorization: Bearer $key" --urls-from-file "$work/urls.txt" >/dev/null
run trivial_max -c "$conns" "http://127.0.0.1:$port/bench/trivial"
run recommendations_2000rps -c 16 -q 2000 -H "Authorization: Bearer $key" --urls-from-file "$work/urls.txt"
run recommendations_max -c "$conns" -H "Authorization: Bearer $key" --urls-from-file "$work/urls.txt"
# Reloads under load: recommendations at 2,000 req/s while the model is reloaded three times.
oha --no-tui --output-format json -z 15s -c 16 -q 2000 -H "Authorization: Bearer $key" \
  --urls-from-file "$work/urls.txt" > "$work/reload_load.json" &
load=$!
sleep 2
for i in 1 2 3; do
  t0=$(date +%s%N)
  curl -sf -X POST -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/v1/admin/reload" >/dev/null
  echo "{\"run\": \"reload_$i\", \"seconds\": $(python3 -c "print(round(($(date +%s%N) - $t0) / 1e9, 3))")}"
  sleep 2
done
wait $load
summarise recommendations_during_reloads "$work/reload_load.json"
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm_kib=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
python3 - "$work" "$members" "$rss_kib" "$hwm_kib" <<'PY'
import json, sys
work, members, rss, hwm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t = json.load(open(f"{work}/trivial_max.json"))["summary"]["requestsPerSec"]
r = json.load(open(f"{work}/recommendations_max.json"))["summary"]["requestsPerSec"]
print(json.dumps({"members": members, "rss_mib": round(rss / 1024, 1), "peak_rss_mib": round(hwm / 1024, 1),
  "rss_kib_per_member": round(rss / members, 2), "peak_ratio_recommendations_vs_trivial": round(r / t, 3)}))
PY
