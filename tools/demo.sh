#!/usr/bin/env bash
# make demo: synthesise the sample footage (once) and run deepbug-stream on it with the
# sample aggression model, as config/cctv.yaml says.
set -euo pipefail
build=${1:-build}
footage_dir=samples/footage

# Footage made before the mid view (people 45 % of the frame high) is made again.
if [[ ! -f "$footage_dir/sample.avi" ]] || ! grep -q '"view": "mid"' "$footage_dir/ground_truth.json" 2>/dev/null; then
  echo "creating the sample footage in $footage_dir/ (deterministic, seed 7)"
  "$build/bin/deepbug-synth" footage --out "$footage_dir" --seed 7 --overwrite
fi

export DEEPBUG_OUT="$PWD/$build/demo"
"$build/bin/deepbug-stream" --config config/cctv.yaml --overwrite

echo
echo "labelled video: $DEEPBUG_OUT/sample/labelled.mp4"
echo "scores:         $DEEPBUG_OUT/sample/scores.csv"
echo "events:         $DEEPBUG_OUT/sample/events.jsonl (LRP heatmaps in snapshots/)"
echo "summary:        $DEEPBUG_OUT/sample/summary.json"
echo "ground truth:   $footage_dir/ground_truth.json (fight intervals and boxes)"
