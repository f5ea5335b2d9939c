#include "heatmap_summaries.hpp"

#include <algorithm>

#include "eval_gallery.hpp"

namespace deepbug::eval {

using nlohmann::json;

void HeatmapSummaries::add(const std::string& model, const std::string& composite,
                           std::size_t index, ImageSummary summary) {
  by_model_[model][composite][index] = std::move(summary);
}

const SummariesByImage* HeatmapSummaries::find(const std::string& model,
                                               const std::string& composite) const {
  const auto m = by_model_.find(model);
  if (m == by_model_.end()) return nullptr;
  const auto c = m->second.find(composite);
  return c == m->second.end() ? nullptr : &c->second;
}

std::vector<std::string> HeatmapSummaries::composites(const std::string& model) const {
  std::vector<std::string> names;
  const auto m = by_model_.find(model);
  if (m == by_model_.end()) return names;
  for (const auto& [composite, images] : m->second)
    names.push_back(composite);
  return names;
}

double heatmapDistance(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.to(at::kDouble) - a.to(at::kDouble).mean();
  const at::Tensor y = b.to(at::kDouble) - b.to(at::kDouble).mean();
  const double norm = (x.norm() * y.norm()).item<double>();
  // A constant map correlates with nothing: unrelated to any other, the same as itself.
  if (!(norm > 0)) return at::equal(a, b) ? 0.0 : 1.0;
  return 1.0 - (x * y).sum().item<double>() / norm;
}

json disagreements(const HeatmapSummaries& summaries, const std::string& a, const std::string& b) {
  json out = json::object();
  for (const std::string& composite : summaries.composites(a)) {
    const SummariesByImage* images_a = summaries.find(a, composite);
    const SummariesByImage* images_b = summaries.find(b, composite);
    if (images_a == nullptr || images_b == nullptr) continue;
    struct Pair {
      const ImageSummary *a, *b;
      bool differ;
      double distance;
    };
    std::vector<Pair> pairs;
    for (const auto& [index, seen_a] : *images_a) {
      const auto seen_b = images_b->find(index);
      if (seen_b == images_b->end()) continue;
      pairs.push_back({&seen_a, &seen_b->second, seen_a.predicted != seen_b->second.predicted,
                       heatmapDistance(seen_a.summary, seen_b->second.summary)});
    }
    const std::size_t shown = std::min(kDisagreementsShown, pairs.size());
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
