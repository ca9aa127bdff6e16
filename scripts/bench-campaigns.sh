#!/usr/bin/env bash
# Offers and campaigns benchmark: train (Ta Feng when its CSV is given, a `tiefen-synth`
# brand for `synth:MEMBERS`, else the bundled sample), report how many members each offer
# type reaches (run.json), start tiefen-serve and time over real HTTP:
#   1. creating a campaign over every member (e-mail, 10 % holdout) and a second one on the
#      same day (every member the first one e-mailed is skipped by the one-a-day cap),
#   2. one with an offer-type audience (offers computed for every member at creation),
#   3. the streamed CSV export of every frozen member (rows per second),
#   4. the report over the whole audience,
#   5. GET /v1/members/{id}/offers over every member at 2,000 req/s (oha, when installed).
# Prints one JSON line per step. Usage: scripts/bench-campaigns.sh [TAFENG_CSV | synth:MEMBERS]
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18082}
work=target/bench-campaigns
. scripts/bench-model.sh
bench_prepare "$work" "${1:-}"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); o=r["offers"]; print(json.dumps({"run": "offers_in_training", "members": o["members"], "with_offer": o["with_offer"], "reach": o["reach"], "next_best": o["next_best"], "seconds": sum(s[1] for s in r["stages"] if "offers" in s[0])}))' "$work/out/run.json"
rm -f "$work/events.log" "$work/campaigns.log"
marketer=bench-marketer-key-0123456789
sf=bench-storefront-key-0123456789
TIEFEN_API_KEYS="marketer:$marketer,storefront:$sf,admin:bench-admin-key-0123456789abcdef" \
  "$bin"/tiefen-serve --models "$work/models" --listen "127.0.0.1:$port" \
  --events "$work/events.log" 2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
  kill -0 $pid 2>/dev/null || { echo "tiefen-serve exited; see $work/serve.log" >&2; exit 1; }
  sleep 0.05
done
python3 - "$port" "$marketer" <<'PY'
import http.client, json, sys, time
port, key = int(sys.argv[1]), sys.argv[2]
def call(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    c.request(method, path, json.dumps(body) if body else None,
              {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    r = c.getresponse(); data = r.read()
    return r.status, data, time.perf_counter() - t0
def campaign(name, body):
    status, data, dt = call("POST", "/v1/campaigns", body)
    d = json.loads(data)
    assert status == 201, data[:500]
    counts = d["counts"]
    print(json.dumps({"run": name, "seconds": round(dt, 3), "matched": counts["matched"],
      "treated": counts["treated"], "control": counts["control"], "capped": counts["capped"],
      "capped_share": round(counts["capped"] / max(counts["matched"], 1), 4)}))
    return d["id"]
everyone = {"name": "everyone", "channel": "email", "send_date": "2001-03-01", "holdout_share": 0.1}
first = campaign("campaign_all_members", everyone)
campaign("campaign_all_members_same_day", dict(everyone, name="again"))
campaign("campaign_offer_type_win_back", {"name": "win-back", "channel": "line",
  "send_date": "2001-03-02", "audience": {"offer_types": ["win_back"]}, "offer": "win_back"})
status, data, dt = call("GET", f"/v1/campaigns/{first}/members?arm=all")
rows = data.count(b"\n") - 1
print(json.dumps({"run": "export_csv_all_members", "rows": rows, "seconds": round(dt, 3),
  "rows_per_s": round(rows / dt), "bytes": len(data)}))
status, data, dt = call("GET", f"/v1/campaigns/{first}/report")
print(json.dumps({"run": "report", "seconds": round(dt, 3), "status": status}))
PY
if command -v oha >/dev/null; then
  tail -n +2 "$work/out/scores.csv" | cut -d, -f1 | shuf --random-source=<(yes) |
    sed "s|^|http://127.0.0.1:$port/v1/members/|; s|$|/offers|" > "$work/urls.txt"
  oha --no-tui --output-format json -z 10s -c 16 -q 2000 -H "Authorization: Bearer $sf" \
    --urls-from-file "$work/urls.txt" > "$work/offers.json"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s,p=d["summary"],d["latencyPercentiles"]; print(json.dumps({"run":"offers_2000rps","rps":round(s["requestsPerSec"]),"p50_ms":round(p["p50"]*1e3,3),"p99_ms":round(p["p99"]*1e3,3),"success_rate":s["successRate"]}))' "$work/offers.json"
fi
