#!/usr/bin/env bash
# Event-log memory and folding benchmark: trains as scripts/bench-serve.sh does (Ta Feng when
# its CSV is given, else the bundled sample; a model in target/bench-eventlog/models is reused
# when REUSE=1), starts tiefen-serve with an empty event log, posts LINES order lines for
# existing members (batches of 500, unique ids, 4 clients) and reports:
#   - resident memory (VmRSS) after ready and after the posts, and the bytes per logged line;
#   - the folds (count, records, mean seconds) from /metrics;
#   - the restart: time to ready with the whole log to replay, and VmRSS after it.
# Usage: scripts/bench-eventlog.sh [TAFENG_CSV]   (env: LINES=200000 FOLD_AFTER=100000
# PORT=18083 REUSE=0; SERVE_BIN=path runs another tiefen-serve build, FOLD_AFTER= (empty)
# starts it without a settings file, as a build from before the fold needs)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${LINES:-200000}
fold_after=${FOLD_AFTER-100000}
port=${PORT:-18083}
work=target/bench-eventlog
. scripts/bench-model.sh
bench_prepare "$work" "${1:-}"
rm -f "$work"/events.log*
admin=bench-admin-key-0123456789abcdef
serve_bin=${SERVE_BIN:-$bin/tiefen-serve}
config=()
if [ -n "$fold_after" ]; then
  printf 'event_fold_after = %s\n' "$fold_after" > "$work/serve.toml"
  config=(--config "$work/serve.toml")
fi
serve() {
  TIEFEN_API_KEYS="admin:$admin" "$serve_bin" "${config[@]}" \
    --models "$work/models" --listen "127.0.0.1:$port" --events "$work/events.log" \
    2>>"$work/serve.log" &
  pid=$!
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
serve
trap 'kill $pid 2>/dev/null || true' EXIT
wait_ready $pid "$port" "$work/serve.log"
before=$(rss_kib $pid)
tail -n +2 "$work/out/scores.csv" | cut -d, -f1 > "$work/members.txt"
python3 - "$port" "$admin" "$work" "$lines" <<'PY'
import http.client, json, random, sys, threading, time
port, admin, work, total = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
members = open(f"{work}/members.txt").read().split()
per_client = total // 4
def client(c):
    rnd = random.Random(c)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for b in range(per_client // 500):
        events = [{"event_id": f"bench-{c}-{b}-{i}", "member_id": rnd.choice(members),
                   "ts": f"2001-02-{rnd.randrange(1, 28):02d}T12:00:00Z",
                   "item_id": f"bench-item-{rnd.randrange(2000)}", "category": "bench",
                   "quantity": 1, "amount": 100.0} for i in range(500)]
        conn.request("POST", "/v1/events", json.dumps(events),
                     {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"})
        r = conn.getresponse(); r.read()
        assert r.status == 200, r.status
t0 = time.time()
threads = [threading.Thread(target=client, args=(c,)) for c in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"run": "posted", "lines": per_client // 500 * 500 * 4,
                  "seconds": round(time.time() - t0, 1)}))
PY
sleep 1
after=$(rss_kib $pid)
folds=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '
  /^tiefen_event_log_fold_seconds_count/ {n=$2} /^tiefen_event_log_fold_seconds_sum/ {s=$2}
  /^tiefen_event_log_folded_records_total/ {r=$2}
  END {printf "{\"folds\": %d, \"folded_records\": %d, \"mean_fold_s\": %.3f}", n, r, (n ? s / n : 0)}')
kill $pid; wait $pid 2>/dev/null || true
start=$(date +%s.%N)
serve
wait_ready $pid "$port" "$work/serve.log"
ready=$(echo "$(date +%s.%N) - $start" | bc)
restarted=$(rss_kib $pid)
logged=$(cat "$work"/events.log "$work"/events.log.folded 2>/dev/null | grep -c '"event_id"' || true)
python3 - "$before" "$after" "$restarted" "$logged" "$ready" "$folds" <<'PY'
import json, sys
before, after, restarted, logged = (int(x) for x in sys.argv[1:5])
print(json.dumps({"run": "event_log", "logged_lines": logged, "rss_ready_mib": round(before / 1024, 1),
  "rss_after_posts_mib": round(after / 1024, 1),
  "bytes_per_logged_line": round((after - before) * 1024 / max(logged, 1)),
  "restart_ready_s": round(float(sys.argv[5]), 2), "rss_after_restart_mib": round(restarted / 1024, 1),
  "restart_bytes_per_logged_line": round((restarted - before) * 1024 / max(logged, 1)),
  **json.loads(sys.argv[6])}))
PY
