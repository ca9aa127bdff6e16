#!/usr/bin/env bash
# Mixed-load benchmark (reads while writes arrive): train as scripts/bench-serve.sh does (Ta
# Feng when its CSV is given, else the bundled sample; a model already in
# target/bench-mixed/models is reused when REUSE=1), start tiefen-serve, then
#   1. recommendations at a steady 2,000 req/s alone (oha),
#   2. the same while 4 clients post orders (one member's order of 5 lines per request) at
#      1,000 lines/s in all,
#   3. event ingestion alone: 16 clients posting as fast as they can, orders of 5 lines per
#      request and then 10 orders (50 lines) per request; every request is acknowledged only
#      after its lines are fsynced.
# Prints one JSON line per run; the event log's group-commit counters come from /metrics.
# Usage: scripts/bench-mixed.sh [TAFENG_CSV]   (env: DURATION=20s PORT=18081 REUSE=0)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-20s}
port=${PORT:-18081}
work=target/bench-mixed
command -v oha >/dev/null || cargo install oha --locked
. scripts/bench-model.sh
bench_prepare "$work" "${1:-}"
rm -f "$work/events.log"
key=bench-storefront-key-0123456789
admin=bench-admin-key-0123456789abcdef
TIEFEN_API_KEYS="storefront:$key,admin:$admin" "$bin"/tiefen-serve --models "$work/models" \
  --listen "127.0.0.1:$port" --events "$work/events.log" 2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_ready $pid "$port" "$work/serve.log"
tail -n +2 "$work/out/scores.csv" | cut -d, -f1 | shuf --random-source=<(yes) > "$work/members.txt"
sed "s|^|http://127.0.0.1:$port/v1/members/|; s|$|/recommendations?k=10|" "$work/members.txt" \
  > "$work/urls.txt"
# Items and categories the store knows, so events add lines, not new ids.
python3 - "$work/out/recommendations.csv" "$work/ids.json" <<'PY'
import csv, json, sys
ids = {"item": set(), "category": set()}
for r in csv.DictReader(open(sys.argv[1])):
    if len(ids[r["kind"]]) < 2000:
        ids[r["kind"]].add(r["id"])
json.dump({k: sorted(v) for k, v in ids.items()}, open(sys.argv[2], "w"))
PY
summarise() { # name, oha json file
  python3 - "$1" "$2" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
s, p = d["summary"], d["latencyPercentiles"]
print(json.dumps({"run": name, "rps": round(s["requestsPerSec"]), "p50_ms": round(p["p50"] * 1e3, 3),
  "p99_ms": round(p["p99"] * 1e3, 3), "max_ms": round(s["slowest"] * 1e3, 3),
  "success_rate": s["successRate"], "status": d.get("statusCodeDistribution", {})}))
PY
}
# post_events NAME CLIENTS LINES_PER_SECOND(0 = as fast as possible) ORDERS_PER_REQUEST SECONDS
post_events() {
  python3 - "$port" "$admin" "$work" "$@" <<'PY'
import http.client, json, random, sys, threading, time
port, admin, work, name = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
clients, rate, orders, seconds = int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8])
members = open(f"{work}/members.txt").read().split()
ids = json.load(open(f"{work}/ids.json"))
items = ids["item"] or ["i1"]
cats = ids["category"] or [""]
lines_per_request = 5 * orders
interval = clients * lines_per_request / rate if rate > 0 else 0.0
stop = time.time() + seconds
lat, errors, lines = [], [0], [0]
lock = threading.Lock()
def client(c):
    rnd = random.Random(c)
    conn = http.client.HTTPConnection("127.0.0.1", int(port))
    n, next_at = 0, time.time() + rnd.random() * interval
    while time.time() < stop:
        if interval:
            pause = next_at - time.time()
            if pause > 0:
                time.sleep(pause)
            next_at += interval
        events = []
        for o in range(orders):
            m = rnd.choice(members)
            day = rnd.randrange(1, 28)
            for l in range(5):
                n += 1
                events.append({"event_id": f"{name}-{c}-{n}", "member_id": m,
                    "ts": f"2001-02-{day:02d}T12:00:00Z", "item_id": rnd.choice(items),
                    "category": rnd.choice(cats), "quantity": 1, "amount": 100.0})
        body = json.dumps(events)
        t0 = time.perf_counter()
        conn.request("POST", "/v1/events", body, {"Authorization": f"Bearer {admin}",
            "Content-Type": "application/json"})
        r = conn.getresponse(); r.read()
        dt = time.perf_counter() - t0
        with lock:
            lat.append(dt)
            if r.status == 200:
                lines[0] += len(events)
            else:
                errors[0] += 1
threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
t0 = time.time()
for t in threads: t.start()
for t in threads: t.join()
wall = time.time() - t0
lat.sort()
q = lambda f: round(lat[min(len(lat) - 1, int(f * len(lat)))] * 1e3, 3) if lat else None
print(json.dumps({"run": name, "clients": clients, "lines_per_request": lines_per_request,
  "lines_per_s": round(lines[0] / wall), "requests": len(lat), "failed": errors[0],
  "ack_p50_ms": q(0.5), "ack_p99_ms": q(0.99)}))
PY
}
log_counters() {
  curl -sf "http://127.0.0.1:$port/metrics" | python3 -c '
import json, sys
m = {}
for line in sys.stdin:
    if line.startswith(("tiefen_event_log_groups_total", "tiefen_event_log_requests_total", "tiefen_event_log_fsync_seconds_sum")):
        k, v = line.split()
        m[k] = float(v)
g = m.get("tiefen_event_log_groups_total", 0)
print(json.dumps({"run": sys.argv[1], "groups": g, "requests": m.get("tiefen_event_log_requests_total", 0),
  "mean_fsync_ms": round(1e3 * m.get("tiefen_event_log_fsync_seconds_sum", 0) / g, 3) if g else None}))' "$1"
}
oha --no-tui -z 3s -c 16 -H "Authorization: Bearer $key" --urls-from-file "$work/urls.txt" >/dev/null
oha --no-tui --output-format json -z "$duration" -c 16 -q 2000 -H "Authorization: Bearer $key" \
  --urls-from-file "$work/urls.txt" > "$work/reads_alone.json"
summarise recommendations_2000rps_alone "$work/reads_alone.json"
secs=${duration%s}
oha --no-tui --output-format json -z "$duration" -c 16 -q 2000 -H "Authorization: Bearer $key" \
  --urls-from-file "$work/urls.txt" > "$work/reads_mixed.json" &
reads=$!
post_events events_1000_lines_per_s 4 1000 1 "$secs"
wait $reads
summarise recommendations_2000rps_with_events "$work/reads_mixed.json"
log_counters after_mixed
post_events ingest_alone_5_lines 16 0 1 10
post_events ingest_alone_50_lines 16 0 10 10
log_counters after_ingest
