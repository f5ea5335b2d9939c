// What deepbug-eval keeps of each image once its heatmap is on disk, per model and
// composite: the prediction, its figures and a summary of the map
// (metrics::relevanceSummary at kSummarySide², 4 KiB). Model pairs are compared from it
// (disagreements()), and each class's strategies found (strategies.hpp) — so memory
// grows by 4 KiB per image × model × composite, never by whole maps.
#pragma once

#include <torch/script.h>

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace deepbug::eval {

inline constexpr int64_t kSummarySide = 32;

struct ImageSummary {
  std::string image, true_class, predicted;
  bool correct = false;
  std::optional<double> mass_accuracy;        // with the image's right region
  std::map<std::string, double> part_shares;  // labelled parts and "background"
  at::Tensor summary;                         // [kSummarySide²] float
};

// image index → summary
using SummariesByImage = std::map<std::size_t, ImageSummary>;

class HeatmapSummaries {
 public:
  void add(const std::string& model, const std::string& composite, std::size_t index,
           ImageSummary summary);
  // nullptr when the model × composite has none.
  const SummariesByImage* find(const std::string& model, const std::string& composite) const;
  std::vector<std::string> composites(const std::string& model) const;

 private:
  std::map<std::string, std::map<std::string, SummariesByImage>> by_model_;
};

inline constexpr std::size_t kDisagreementsShown = 8;

// {composite: [{image, class, predicted: {a, b}, heatmap_distance, overlays: {a, b}}]}:
// the kDisagreementsShown images where models a and b disagree most — different
// predictions first, then the largest heatmap distance, 1 − Pearson correlation of the
// summaries (0: the same pattern, 1: unrelated, 2: opposite).
nlohmann::json disagreements(const HeatmapSummaries& summaries, const std::string& a,
                             const std::string& b);

// 1 − Pearson correlation; when either is constant (it correlates with nothing), 0 for
// two equal maps and 1 otherwise.
double heatmapDistance(const at::Tensor& a, const at::Tensor& b);

}  // namespace deepbug::eval
