#!/usr/bin/env bash
# make demo: classify the sample CCTV footage (Debian opencv-doc's vtest.avi, a real
# pedestrian surveillance clip) with the report's CNN, frame by frame.
set -euo pipefail
build=${1:-build}
out="$build/demo"
footage=/usr/share/doc/opencv-doc/examples/data/vtest.avi
mkdir -p "$out"

# Until the trained sample model lands in samples/models/, the demo runs the report's
# architecture with random weights, exported the way users export models.
model="$out/report_cnn.pt"
/usr/bin/python3 tests/fixtures/make_models.py --out "$out" report_cnn
echo "model:   $model (report CNN architecture, untrained: labels are not meaningful yet)"
echo "footage: $footage"

"$build/bin/deepbug-classify" --model "$model" "$footage" --every 8 \
  --csv "$out/scores.csv" --summary "$out/summary.json"

echo "wrote:   $out/scores.csv (one row per classified frame), $out/summary.json"
