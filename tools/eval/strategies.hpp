// The strategies a model uses for each class (spectral relevance analysis,
// metrics/spectral_clusters.hpp) from the heatmap summaries deepbug-eval keeps: per class,
// clusters of images explained alike, each with its size, mean heatmap, the images
// closest to its centre and its mean figures. A cluster whose evidence lies mostly off
// the class's right region (mean mass accuracy below the macro threshold) is flagged:
// where a "Clever Hans" strategy — a watermark, a timestamp, the background — shows up
// as a group of its own, and its top part names what it looks at.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "heatmap_summaries.hpp"
#include "metrics/spectral_clusters.hpp"

namespace deepbug::eval {

struct StrategyOptions {
  metrics::SpectralOptions spectral;
  std::size_t max_images = 1000;  // per class, evenly spaced: the eigensolver is O(N³)
  std::size_t closest = 5;        // images shown per cluster (one row of the report)
  double macro_threshold = 0.5;   // a cluster's mean mass accuracy below it: flagged
  // image → attribute → value (an --attributes table), counted per cluster: what its
  // images have in common. Not owned; may be null.
  const std::map<std::string, std::map<std::string, std::string>>* attributes = nullptr;
};

// {"<class>": {images, clusters, eigenvalues, plane: [[x, y, cluster]...], groups: [{
//   cluster, size, share, accuracy, mass_accuracy|null, part_shares, top_part, flagged,
//   heatmap, closest: [imageEntry...], members: [image...], attributes: {column: {value:
//   count}}}]}} for the model × composite; classes with fewer than 3 images are left out. Mean
//   heatmaps go to DIR/FOLDER/<class>/cluster-<c>.png.
nlohmann::json findStrategies(const SummariesByImage& images, const std::string& model,
                              const std::string& composite, const std::vector<std::string>& classes,
                              const StrategyOptions& options, const std::filesystem::path& dir,
                              const std::string& folder);

}  // namespace deepbug::eval
