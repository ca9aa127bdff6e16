# Sourced by the bench scripts: `bench_model BIN WORK [TAFENG_CSV | synth:MEMBERS]` trains the
# benchmark's model into WORK/models (run files in WORK/out): Ta Feng as of 2001-02-01, a
# `tiefen-synth` brand of MEMBERS members as of 2024-12-04, or the bundled sample (with its
# train.toml) as of 2024-12-04.
bench_model() {
  local bin=$1 work=$2 data=${3:-}
  if [[ "$data" == synth:* ]]; then
    "$bin"/tiefen-synth --members "${data#synth:}" --out "$work/data"
    "$bin"/tiefen-train --transactions "$work/data/orders.csv" --members "$work/data/members.csv" \
      --mapping notebooks-data/mappings/canonical.toml --as-of 2024-12-04 \
      --out "$work/out" --models "$work/models"
  elif [ -n "$data" ]; then
    "$bin"/tiefen-train --transactions "$data" --mapping tafeng --as-of 2001-02-01 \
      --out "$work/out" --models "$work/models"
  else
    "$bin"/tiefen-train --transactions notebooks-data/sample/orders.csv \
      --members notebooks-data/sample/members.csv --mapping notebooks-data/mappings/canonical.toml \
      --config notebooks-data/sample/train.toml --as-of 2024-12-04 \
      --out "$work/out" --models "$work/models"
  fi
}

# `wait_ready PID PORT LOG`: waits until the tiefen-serve started as PID answers /readyz on
# PORT (up to 900 s); exits with the log's name when it stops first.
wait_ready() {
  local pid=$1 port=$2 log=$3 start
  start=$(date +%s)
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "tiefen-serve exited; see $log" >&2; exit 1; }
    [ $(( $(date +%s) - start )) -lt 900 ] || { echo "tiefen-serve not ready after 900 s" >&2; exit 1; }
    sleep 0.05
  done
}

# `bench_prepare WORK [TAFENG_CSV | synth:MEMBERS]`: builds the release binaries (and sets
# `bin` to their folder), then trains the benchmark's model into WORK with bench_model, unless
# REUSE=1 and WORK/models/current is there already.
bench_prepare() {
  local work=$1 data=${2:-}
  cargo build --release -p training -p serving --bins
  bin=${CARGO_TARGET_DIR:-target}/release
  if [ "${REUSE:-0}" != 1 ] || [ ! -e "$work/models/current" ]; then
    rm -rf "$work" && mkdir -p "$work"
    bench_model "$bin" "$work" "$data"
  fi
}
