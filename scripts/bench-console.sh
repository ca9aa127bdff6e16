#!/usr/bin/env bash
# Console benchmark: train as scripts/bench-serve.sh does (Ta Feng when its CSV is given, else
# the bundled sample; a model already in target/bench-console/models is reused when REUSE=1),
# start tiefen-serve, sign in with a marketer key as a browser would (sign-in form, CSRF
# cookie, session cookie), create one campaign over the lapsing members, then fetch every
# console page ROUNDS times with `Accept-Encoding: gzip` and report per page:
#   - the server time from the `Server-Timing: app;dur=` header (p50, p95, max, in ms),
#   - the bytes transferred for the page, and for the page with its assets (htmx, CSS),
#     which a browser loads once and then caches.
# Budget (issue 16): server time < 50 ms, transferred < 150 KB per page with its assets.
# Usage: scripts/bench-console.sh [TAFENG_CSV]   (env: ROUNDS=50 PORT=18082 REUSE=0)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18082}
rounds=${ROUNDS:-50}
work=target/bench-console
. scripts/bench-model.sh
bench_prepare "$work" "${1:-}"
rm -rf "$work/state" && mkdir -p "$work/state"
marketer=bench-marketer-key-0123456789
TIEFEN_API_KEYS="marketer:$marketer" "$bin"/tiefen-serve --models "$work/models" \
  --listen "127.0.0.1:$port" --events "$work/state/events.log" 2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_ready $pid "$port" "$work/serve.log"
python3 - "$port" "$marketer" "$rounds" "$work/out/scores.csv" <<'PY'
import csv, http.client, json, re, statistics, sys, urllib.parse
port, key, rounds, scores = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", int(port))
cookies = {}
def request(method, path, body=None, headers=None):
    h = {"Accept-Encoding": "gzip", "Accept-Language": "zh-TW"}
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    for v in r.headers.get_all("Set-Cookie") or []:
        name, value = v.split(";")[0].split("=", 1)
        cookies[name] = value
    return r, data
# Sign in as the form does.
r, page = request("GET", "/console/sign-in", headers={"Accept-Encoding": "identity"})
csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()
form = urllib.parse.urlencode({"csrf": csrf, "key": key})
r, _ = request("POST", "/console/sign-in", form, {"Content-Type": "application/x-www-form-urlencoded"})
assert r.status == 303 and "tiefen_session" in cookies, (r.status, cookies)
r, page = request("GET", "/console/", headers={"Accept-Encoding": "identity"})
session_csrf = re.search(rb'"X-CSRF-Token": ?"([0-9a-f]+)"', page).group(1).decode()
# One campaign, so its page and report have something to show.
form = urllib.parse.urlencode({"csrf": session_csrf, "name": "bench", "lifecycle": "lapsing",
                               "offer": "win_back", "channel": "email", "send_date": "2030-01-01"})
r, _ = request("POST", "/console/campaigns", form, {"Content-Type": "application/x-www-form-urlencoded"})
assert r.status == 303, r.status
campaign = r.headers["Location"]
members = sum(1 for _ in open(scores)) - 1
member = next(csv.DictReader(open(scores)))["member_id"]
assets = 0
for a in re.findall(rb'(/console/assets/[^"]+)', page):
    r, data = request("GET", a.decode())
    assets += len(data)
pages = {
    "overview": "/console/",
    "churn list": "/console/churn",
    "churn list, band=high": "/console/churn?band=high",
    "churn list, value-at-risk order": "/console/churn?order=value_at_risk",
    "churn CSV (all members)": "/console/churn.csv",
    "member": f"/console/members/{member}",
    "segments + audience builder": "/console/segments",
    "live audience count": "/console/audience/count?churn_bands=high&lifecycle=lapsing",
    "campaigns": "/console/campaigns",
    "campaign + report": campaign,
}
print(json.dumps({"members": members, "assets_bytes_gzip": assets, "rounds": rounds}))
for name, path in pages.items():
    times, size = [], 0
    for _ in range(rounds):
        r, data = request("GET", path)
        assert r.status == 200, (path, r.status)
        m = re.search(r"app;dur=([0-9.]+)", r.headers.get("Server-Timing", ""))
        times.append(float(m.group(1)))
        size = len(data)
    times.sort()
    with_assets = size + (assets if not path.endswith(".csv") and "count" not in path else 0)
    print(json.dumps({"page": name, "server_ms_p50": round(statistics.median(times), 2),
        "server_ms_p95": round(times[int(0.95 * (len(times) - 1))], 2),
        "server_ms_max": round(times[-1], 2), "bytes_gzip": size,
        "bytes_with_assets": with_assets, "encoding": r.headers.get("Content-Encoding", "identity")}))
PY
