// What the report shows of the images, chosen while they stream past so that memory
// does not grow with the data set: a fixed sample, the extremes of relevance mass on the
// right region, the first images right for the wrong reasons.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::eval {

// Where deepbug-eval writes an image's heatmap and overlay, relative to the output
// folder: heatmaps/<model>/<composite>/<image without extension>.{heatmap,overlay}.png.
std::string heatmapStem(const std::string& model, const std::string& composite,
                        const std::string& image);

// How the report names one image: {image, class, predicted, correct, mass_accuracy (or
// null), heatmap, overlay}, the two paths relative to the output folder.
nlohmann::json imageEntry(const std::string& model, const std::string& composite,
                          const std::string& image, const std::string& true_class,
                          const std::string& predicted, bool correct,
                          std::optional<double> mass_accuracy);

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
  // {sample, best, worst, right_for_wrong_reasons}: lists of imageEntry(); best and worst
  // by mass accuracy.
  nlohmann::json toJson() const;

  static constexpr std::size_t kSample = 8, kExtremes = 6, kWrongReasons = 24;

 private:
  std::string model_, composite_;
  std::size_t images_;
  std::vector<ImageOutcome> sample_, best_, worst_, wrong_reasons_;
};

}  // namespace deepbug::eval
