// What the report shows of the images, chosen while they stream past so that memory
// does not grow with the data set: a fixed sample, the extremes of relevance mass on the
// right region, the first images right for the wrong reasons; and, for model pairs, the
// images whose predictions or heatmaps disagree most.
#pragma once

#include <torch/script.h>

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::eval {

// Where deepbug-eval writes an image's heatmap and overlay, relative to the output
// folder: heatmaps/<model>/<composite>/<image without extension>.{heatmap,overlay}.png.
std::string heatmapStem(const std::string& model, const std::string& composite,
                        const std::string& image);

struct ImageOutcome {
  std::size_t index = 0;  // in the data set's order
  std::string image, true_class, predicted;
  bool correct = false;
  std::optional<double> mass_accuracy;  // when the image has its right region
  bool right_for_wrong_reasons = false;
};

class Gallery {
 public:
  // `images`: the data set's size, which spaces the sample evenly over it.
  Gallery(std::string model, std::string composite, std::size_t images);
  void add(const ImageOutcome& outcome);
  // {sample, best, worst, right_for_wrong_reasons}: lists of {image, class, predicted,
  // correct, mass_accuracy, heatmap, overlay}; best and worst by mass accuracy.
  nlohmann::json toJson() const;

  static constexpr std::size_t kSample = 8, kExtremes = 6, kWrongReasons = 24;

 private:
  nlohmann::json entry(const ImageOutcome& outcome) const;
  std::string model_, composite_;
  std::size_t step_;
  std::vector<ImageOutcome> sample_, best_, worst_, wrong_reasons_;
};

// Per model and composite, each image's prediction and a coarse signature of its heatmap
// (the map divided by its largest |R|, average-pooled to kSignatureSide²: 1 KiB an
// image), from which model pairs are compared.
class DisagreementFinder {
 public:
  static constexpr int64_t kSignatureSide = 16;
  static constexpr std::size_t kShown = 8;

  void add(const std::string& model, const std::string& composite, std::size_t index,
           const std::string& image, const std::string& true_class, const std::string& predicted,
           const at::Tensor& map);
  // {composite: [{image, class, predicted: {a, b}, heatmap_distance, overlays: {a, b}}]}:
  // the kShown images where models a and b disagree most — different predictions first,
  // then the largest heatmap distance, 1 − Pearson correlation of the signatures (0: the
  // same pattern, 1: unrelated, 2: opposite).
  nlohmann::json between(const std::string& a, const std::string& b) const;

  static double distance(const at::Tensor& a, const at::Tensor& b);

 private:
  struct Seen {
    std::string image, true_class, predicted;
    at::Tensor signature;
  };
  std::map<std::string, std::map<std::string, std::map<std::size_t, Seen>>> seen_;
};

}  // namespace deepbug::eval
