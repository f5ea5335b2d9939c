#include "eval_gallery.hpp"

#include <algorithm>
#include <filesystem>

#include "even_sample.hpp"

namespace deepbug::eval {

using nlohmann::json;

std::string heatmapStem(const std::string& model, const std::string& composite,
                        const std::string& image) {
  return (std::filesystem::path("heatmaps") / model / composite /
          std::filesystem::path(image).replace_extension())
      .generic_string();
}

Gallery::Gallery(std::string model, std::string composite, std::size_t images)
    : model_(std::move(model)), composite_(std::move(composite)), images_(images) {}

void Gallery::add(const ImageOutcome& outcome) {
  if (inEvenSample(outcome.index, images_, kSample)) sample_.push_back(outcome);
  if (outcome.right_for_wrong_reasons && wrong_reasons_.size() < kWrongReasons) {
    wrong_reasons_.push_back(outcome);
  }
  if (!outcome.mass_accuracy) return;
  // Kept sorted, best first (worst first), at most kExtremes each.
  const auto keep = [&](std::vector<ImageOutcome>& list, auto before) {
    list.insert(std::upper_bound(list.begin(), list.end(), outcome, before), outcome);
    if (list.size() > kExtremes) list.pop_back();
  };
  keep(best_, [](const ImageOutcome& a, const ImageOutcome& b) {
    return *a.mass_accuracy > *b.mass_accuracy;
  });
  keep(worst_, [](const ImageOutcome& a, const ImageOutcome& b) {
    return *a.mass_accuracy < *b.mass_accuracy;
  });
}

json imageEntry(const std::string& model, const std::string& composite, const std::string& image,
                const std::string& true_class, const std::string& predicted, bool correct,
                std::optional<double> mass_accuracy) {
  const std::string stem = heatmapStem(model, composite, image);
  return {{"image", image},
          {"class", true_class},
          {"predicted", predicted},
          {"correct", correct},
          {"mass_accuracy", mass_accuracy ? json(*mass_accuracy) : json(nullptr)},
          {"heatmap", stem + ".heatmap.png"},
          {"overlay", stem + ".overlay.png"}};
}

json Gallery::toJson() const {
  const auto list = [&](const std::vector<ImageOutcome>& outcomes) {
    json entries = json::array();
    for (const ImageOutcome& o : outcomes)
      entries.push_back(imageEntry(model_, composite_, o.image, o.true_class, o.predicted,
                                   o.correct, o.mass_accuracy));
    return entries;
  };
  return {{"sample", list(sample_)},
          {"best", list(best_)},
          {"worst", list(worst_)},
          {"right_for_wrong_reasons", list(wrong_reasons_)}};
}

}  // namespace deepbug::eval
