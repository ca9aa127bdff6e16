#!/usr/bin/env bash
# Data-layer benchmark on the public Ta Feng dataset: read the CSV and snapshot all members at
# 2001-02-01 and two earlier cutoffs (release build). Fetches the data on first use.
# Usage: scripts/bench-snapshot.sh [DATA_DIR]   (default: target/tafeng)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/tafeng}
csv=$(bash ../shared/data/fetch-tafeng.sh "$dir" | tail -n 1)
TIEFEN_TAFENG_CSV=$(realpath "$csv") cargo bench -p features --features arrow --bench tafeng_snapshot
