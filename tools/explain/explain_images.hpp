// `deepbug-explain --images`: explains image files and folders (recursively) in
// batches and writes a heatmap and an overlay PNG per image, index.csv and summary.json.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lrp/explainer.hpp"
#include "model/preprocess.hpp"
#include "render/blend.hpp"
#include "render/heatmap.hpp"

namespace deepbug::explain_tool {

struct ImageRunSettings {
  std::vector<std::string> inputs;
  std::string out_dir;
  std::string boxes_path;  // optional: score heatmaps against these regions
  std::string region = "fight";
  int batch = 8;
  std::optional<int64_t> target;  // empty: the predicted class
  lrp::InitialRelevance init = lrp::InitialRelevance::kLogit;
  render::HeatmapStyle style;
  double alpha = 0.6;
  bool quiet = false;
};

// Returns the exit code (0, or 1 when no image could be read).
int explainImages(const lrp::Explainer& explainer, const model::Preprocessor& preprocessor,
                  const std::vector<std::string>& labels, const ImageRunSettings& settings);

}  // namespace deepbug::explain_tool
