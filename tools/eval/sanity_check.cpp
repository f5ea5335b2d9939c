#include "sanity_check.hpp"

#include <algorithm>

#include <chrono>
#include <cmath>
#include <limits>
#include "even_sample.hpp"

#include "attribution/model_randomisation.hpp"
#include "attribution_method.hpp"
#include "render/heatmap.hpp"

namespace deepbug::eval {

using nlohmann::json;

namespace {

// Mean, min and max of the finite values; null when there is none.
json summary(const std::vector<double>& values) {
  double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::size_t n = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    ++n;
  }
  if (n == 0) return nullptr;
  return {{"mean", sum / static_cast<double>(n)}, {"min", lo}, {"max", hi}};
}

}  // namespace

SanityCheck::SanityCheck(const SanityOptions& options, std::size_t data_set_size)
    : options_(options), images_in_run_(data_set_size) {}

bool SanityCheck::wants(std::size_t image_index) const {
  return inEvenSample(image_index, images_in_run_, options_.images);
}

void SanityCheck::add(const std::vector<std::size_t>& image_indices, const at::Tensor& inputs,
                      const at::Tensor& pixel_maps, const std::vector<int64_t>& targets) {
  std::vector<int64_t> rows;
  for (std::size_t n = 0; n < image_indices.size(); ++n) {
    if (!wants(image_indices[n])) continue;
    rows.push_back(static_cast<int64_t>(n));
    targets_.push_back(targets[n]);
  }
  if (rows.empty()) return;
  const at::Tensor chosen = at::tensor(rows, at::kLong);
  inputs_.push_back(inputs.index_select(0, chosen.to(inputs.device())));
  maps_.push_back(pixel_maps.to(at::kCPU, at::kDouble).index_select(0, chosen));
}

json SanityCheck::run(const model::LoadedModel& model, const std::string& model_path,
                      const std::string& method, const std::string& device, const std::string& init,
                      std::int64_t batch) {
  if (targets_.empty()) return nullptr;
  const auto started = std::chrono::steady_clock::now();
  const at::Tensor inputs = at::cat(inputs_);
  const at::Tensor original = at::cat(maps_);
  const int64_t count = inputs.size(0);
  const auto layers = attribution::parameterisedLayers(model.module, model_path);
  const auto depth = static_cast<std::int64_t>(layers.size());
  json rows = json::array();
  json last_abs;
  for (std::int64_t k = 0; k <= depth; ++k) {
    // One copy at a time (not the whole cascade at once): memory stays at two models.
    // Its re-initialised layers are drawn as cascadingRandomisation draws them.
    model::LoadedModel randomised = model;
    randomised.module = attribution::randomiseTopLayers(model.module, k, options_.seed, model_path);
    const AttributionMethod explainer(method, randomised, model_path, device, init);
    std::vector<double> signed_rho, abs_rho, similarity;
    std::size_t constant = 0;
    for (int64_t from = 0; from < count; from += batch) {
      const int64_t to = std::min(count, from + batch);
      TargetChoice choice;
      choice.per_image.assign(targets_.begin() + from, targets_.begin() + to);
      const Explained e = explainer.explain(inputs.slice(0, from, to), choice);
      const at::Tensor maps = render::toPixelMap(e.relevance).to(at::kCPU, at::kDouble);
      for (int64_t n = 0; n < to - from; ++n) {
        const at::Tensor a = original[from + n];
        const at::Tensor b = maps[n];
        const double rho = attribution::spearmanCorrelation(a, b);
        if (!std::isfinite(rho)) ++constant;
        signed_rho.push_back(rho);
        abs_rho.push_back(attribution::spearmanCorrelation(a, b, true));
        similarity.push_back(attribution::ssim(a, b));
      }
    }
    json row{{"k", k},
             {"layer", k == 0 ? std::string() : layers[static_cast<std::size_t>(depth - k)].name},
             {"spearman", summary(signed_rho)},
             {"spearman_abs", summary(abs_rho)},
             {"ssim", summary(similarity)},
             {"constant_maps", constant}};
    last_abs = row["spearman_abs"];
    rows.push_back(std::move(row));
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const bool flagged =
      depth > 0 && last_abs.is_object() && last_abs["mean"].get<double>() >= kSanityFlagThreshold;
  return {{"images", count},           {"seed", options_.seed},
          {"seconds", seconds_},       {"threshold", kSanityFlagThreshold},
          {"layers", std::move(rows)}, {"flagged", flagged}};
}

}  // namespace deepbug::eval
