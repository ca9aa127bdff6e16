#!/usr/bin/env bash
# Runs tiefen-train and the baselines on every dataset of DIR/datasets.tsv (written by
# datasets.sh) and writes one combined Markdown report (dataset x method x metrics) to stdout
# and to OUT/summary.md, with every per-dataset JSON report and tiefen log in OUT.
#
# Usage: scripts/baselines/run-all.sh DIR [OUT]      (OUT defaults to DIR/results)
# Env:   TIEFEN_TRAIN  tiefen-train binary (default target/release/tiefen-train, from the repo root)
#        PYTHON        Python with requirements.txt installed (default python3)
#        ONLY          run only the datasets whose name matches this regex
# tiefen-train writes its models into a temporary registry, never into the repo's models/.
set -euo pipefail
dir=$(cd "${1:?usage: run-all.sh DIR [OUT]}" && pwd)
out=${2:-$dir/results}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
train=${TIEFEN_TRAIN:-$repo/target/release/tiefen-train}
py=${PYTHON:-python3}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
reports=()
while IFS=$'\t' read -r name orders members mapping as_of h; do
  [ "$name" = name ] && continue
  [[ -n "${ONLY:-}" && ! "$name" =~ $ONLY ]] && continue
  echo "== $name (T=$as_of, H=$h)" >&2
  member_args=()
  [ "$members" != - ] && member_args=(--members "$members")
  tiefen_args=()
  start=$(date +%s)
  if "$train" --transactions "$orders" "${member_args[@]}" --mapping "$mapping" --as-of "$as_of" \
      --horizon-days "$h" --out "$tmp/$name/out" --models "$tmp/$name/models" \
      > "$out/$name.tiefen.log" 2>&1; then
    echo "   tiefen-train: $(( $(date +%s) - start )) s" >&2
    cp "$tmp/$name/out/evaluation.json" "$out/$name.tiefen-evaluation.json"
    tiefen_args=(--tiefen "$out/$name.tiefen-evaluation.json")
  else
    echo "   tiefen-train failed, see $out/$name.tiefen.log; baselines only" >&2
  fi
  start=$(date +%s)
  "$py" "$here/baselines.py" run --orders "$orders" "${member_args[@]}" --mapping "$mapping" \
    --as-of "$as_of" --horizon-days "$h" --name "$name" "${tiefen_args[@]}" \
    --json "$out/$name.json" --markdown "$out/$name.md" > /dev/null 2> "$out/$name.baselines.log" \
    || { echo "   baselines failed, see $out/$name.baselines.log" >&2; continue; }
  echo "   baselines: $(( $(date +%s) - start )) s" >&2
  reports+=("$out/$name.json")
done < "$dir/datasets.tsv"
[ ${#reports[@]} -gt 0 ] || { echo "no dataset was measured" >&2; exit 1; }
"$py" "$here/baselines.py" table "${reports[@]}" | tee "$out/summary.md"
