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
