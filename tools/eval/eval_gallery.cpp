#include "eval_gallery.hpp"

#include <algorithm>
#include <filesystem>

namespace deepbug::eval {

using nlohmann::json;

std::string heatmapStem(const std::string& model, const std::string& composite,
                        const std::string& image) {
  return (std::filesystem::path("heatmaps") / model / composite /
          std::filesystem::path(image).replace_extension())
      .generic_string();
}

Gallery::Gallery(std::string model, std::string composite, std::size_t images)
    : model_(std::move(model)),
      composite_(std::move(composite)),
      step_(std::max<std::size_t>(1, images / kSample)) {}

void Gallery::add(const ImageOutcome& outcome) {
  if (outcome.index % step_ == 0 && sample_.size() < kSample) sample_.push_back(outcome);
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

json Gallery::entry(const ImageOutcome& o) const {
  const std::string stem = heatmapStem(model_, composite_, o.image);
  return {{"image", o.image},
          {"class", o.true_class},
          {"predicted", o.predicted},
          {"correct", o.correct},
          {"mass_accuracy", o.mass_accuracy ? json(*o.mass_accuracy) : json(nullptr)},
          {"heatmap", stem + ".heatmap.png"},
          {"overlay", stem + ".overlay.png"}};
}

json Gallery::toJson() const {
  const auto list = [&](const std::vector<ImageOutcome>& outcomes) {
    json entries = json::array();
    for (const ImageOutcome& o : outcomes)
      entries.push_back(entry(o));
    return entries;
  };
  return {{"sample", list(sample_)},
          {"best", list(best_)},
          {"worst", list(worst_)},
          {"right_for_wrong_reasons", list(wrong_reasons_)}};
}

void DisagreementFinder::add(const std::string& model, const std::string& composite,
                             std::size_t index, const std::string& image,
                             const std::string& true_class, const std::string& predicted,
                             const at::Tensor& map) {
  const double largest = map.abs().max().item<double>();
  const at::Tensor normalised = largest > 0 ? map / largest : at::zeros_like(map);
  const at::Tensor signature =
      at::adaptive_avg_pool2d(normalised.to(at::kCPU, at::kFloat).unsqueeze(0),
                              {kSignatureSide, kSignatureSide})
          .flatten();
  seen_[model][composite][index] = {image, true_class, predicted, signature};
}

double DisagreementFinder::distance(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.to(at::kDouble) - a.to(at::kDouble).mean();
  const at::Tensor y = b.to(at::kDouble) - b.to(at::kDouble).mean();
  const double norm = (x.norm() * y.norm()).item<double>();
  // A constant map correlates with nothing: call it unrelated.
  if (!(norm > 0)) return 1.0;
  return 1.0 - (x * y).sum().item<double>() / norm;
}

json DisagreementFinder::between(const std::string& a, const std::string& b) const {
  json out = json::object();
  const auto first = seen_.find(a), second = seen_.find(b);
  if (first == seen_.end() || second == seen_.end()) return out;
  for (const auto& [composite, images_a] : first->second) {
    const auto images_b = second->second.find(composite);
    if (images_b == second->second.end()) continue;
    struct Pair {
      const Seen *a, *b;
      bool differ;
      double distance;
    };
    std::vector<Pair> pairs;
    for (const auto& [index, seen_a] : images_a) {
      const auto seen_b = images_b->second.find(index);
      if (seen_b == images_b->second.end()) continue;
      pairs.push_back({&seen_a, &seen_b->second, seen_a.predicted != seen_b->second.predicted,
                       distance(seen_a.signature, seen_b->second.signature)});
    }
    const std::size_t shown = std::min(kShown, pairs.size());
    std::partial_sort(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(shown),
                      pairs.end(), [](const Pair& x, const Pair& y) {
                        if (x.differ != y.differ) return x.differ;
                        return x.distance > y.distance;
                      });
    json list = json::array();
    for (std::size_t i = 0; i < shown; ++i) {
      const Pair& p = pairs[i];
      list.push_back({{"image", p.a->image},
                      {"class", p.a->true_class},
                      {"predicted", {{a, p.a->predicted}, {b, p.b->predicted}}},
                      {"heatmap_distance", p.distance},
                      {"overlays",
                       {{a, heatmapStem(a, composite, p.a->image) + ".overlay.png"},
                        {b, heatmapStem(b, composite, p.b->image) + ".overlay.png"}}}});
    }
    out[composite] = list;
  }
  return out;
}

}  // namespace deepbug::eval
