#include "metrics/faithfulness.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "core/tensor_text.hpp"

namespace deepbug::metrics {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// The image blurred channel by channel by a normalised Gaussian of σ, borders replicated.
at::Tensor gaussianBlur(const at::Tensor& x, double sigma) {
  const int64_t radius = static_cast<int64_t>(std::ceil(3 * sigma));
  const int64_t size = 2 * radius + 1;
  const int64_t channels = x.size(1);
  at::Tensor t = at::arange(size, x.options()) - static_cast<double>(radius);
  at::Tensor g = at::exp(-(t * t) / (2 * sigma * sigma));
  g = g / g.sum();
  const at::Tensor row = g.view({1, 1, 1, size}).repeat({channels, 1, 1, 1});
  const at::Tensor column = g.view({1, 1, size, 1}).repeat({channels, 1, 1, 1});
  at::Tensor padded = at::replication_pad2d(x, {radius, radius, radius, radius});
  at::Tensor blurred = at::conv2d(padded, row, {}, at::IntArrayRef{1}, at::IntArrayRef{0},
                                  at::IntArrayRef{1}, channels);
  return at::conv2d(blurred, column, {}, at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1},
                    channels);
}

at::Tensor replacementFor(const at::Tensor& x, const PerturbationOptions& options) {
  switch (options.replacement) {
    case Replacement::kMean:
      return x.mean({2, 3}, /*keepdim=*/true).expand_as(x);
    case Replacement::kBlur:
      return gaussianBlur(x, options.blur_sigma > 0 ? options.blur_sigma
                                                    : static_cast<double>(options.patch_size) / 2);
    case Replacement::kZero:
      break;
  }
  return at::zeros_like(x);
}

// rank[n][p]: the position of patch p in image n's removal order.
std::vector<std::vector<int64_t>> removalRanks(const at::Tensor& scores,
                                               const PerturbationOptions& options) {
  const int64_t n = scores.size(0), patches = scores.size(1);
  const at::Tensor cpu = scores.to(at::kCPU, at::kDouble).contiguous();
  const double* data = cpu.data_ptr<double>();
  std::mt19937_64 engine(options.seed);
  std::vector<std::vector<int64_t>> ranks(n, std::vector<int64_t>(patches));
  for (int64_t i = 0; i < n; ++i) {
    const double* s = data + i * patches;
    std::vector<int64_t> order(patches);
    std::iota(order.begin(), order.end(), 0);
    switch (options.order) {
      case PerturbationOrder::kMostRelevantFirst:
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t a, int64_t b) { return s[a] > s[b]; });
        break;
      case PerturbationOrder::kLeastRelevantFirst:
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t a, int64_t b) { return s[a] < s[b]; });
        break;
      case PerturbationOrder::kRandom:
        for (int64_t j = patches - 1; j > 0; --j) {
          const auto pick = static_cast<int64_t>(engine() % static_cast<uint64_t>(j + 1));
          std::swap(order[j], order[pick]);
        }
        break;
    }
    for (int64_t position = 0; position < patches; ++position)
      ranks[i][order[position]] = position;
  }
  return ranks;
}

at::Tensor targetLogits(const at::Tensor& logits, const at::Tensor& targets, int64_t n) {
  if (!logits.defined() || logits.dim() != 2 || logits.size(0) != n) {
    throw ConfigError(
        "model: returned " + shapeText(logits) + " for a batch of " + std::to_string(n) + " images",
        "the model function must return [N, classes] logits");
  }
  return logits.gather(1, targets.to(logits.device()).view({-1, 1})).view({-1}).to(at::kDouble);
}

}  // namespace

PerturbationCurve perturbationCurve(const LogitFunction& model, const at::Tensor& inputs,
                                    const at::Tensor& relevance,
                                    const std::vector<std::int64_t>& targets,
                                    const PerturbationOptions& options) {
  if (options.patch_size < 1) {
    throw ConfigError(
        "patch_size: must be at least 1 pixel, got " + std::to_string(options.patch_size),
        "use e.g. 16 (patches of 16×16 pixels)");
  }
  if (options.steps < 1) {
    throw ConfigError("steps: must be at least 1, got " + std::to_string(options.steps),
                      "use e.g. 20 (the curve then has 21 points)");
  }
  if (!model) throw ConfigError("model: no function given", "pass the model's logit function");
  if (!inputs.defined() || inputs.dim() != 4 || inputs.numel() == 0) {
    throw ConfigError("inputs: expected a non-empty N×C×H×W batch, got " + shapeText(inputs),
                      "add a batch dimension (unsqueeze(0)) to a single image");
  }
  const int64_t n = inputs.size(0), height = inputs.size(2), width = inputs.size(3);
  if (!relevance.defined() || relevance.dim() != 3 || relevance.size(0) != n ||
      relevance.size(1) != height || relevance.size(2) != width) {
    throw ConfigError("relevance: expected [" + std::to_string(n) + ", " + std::to_string(height) +
                          ", " + std::to_string(width) + "] (N×H×W, the inputs' images), got " +
                          shapeText(relevance),
                      "sum an N×C×H×W relevance over channels: relevance.sum(1)");
  }
  if (!at::isfinite(relevance).all().item<bool>()) {
    throw ConfigError("relevance: the map holds NaN or infinite values, so it ranks no patches",
                      "check the explanation that produced it (e.g. a zero stabiliser)");
  }
  if (static_cast<int64_t>(targets.size()) != n) {
    throw ConfigError("targets: " + std::to_string(targets.size()) + " targets for " +
                          std::to_string(n) + " images",
                      "give one target class per image");
  }

  // Patch index of every pixel, row-major over the grid of patches.
  const int64_t rows = ceilDiv(height, options.patch_size);
  const int64_t columns = ceilDiv(width, options.patch_size);
  const int64_t patches = rows * columns;
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(inputs.device());
  const at::Tensor patch_row = at::arange(height, long_options).div(options.patch_size, "floor");
  const at::Tensor patch_column = at::arange(width, long_options).div(options.patch_size, "floor");
  const at::Tensor patch_of_pixel =
      (patch_row.view({height, 1}) * columns + patch_column.view({1, width})).view({-1});

  // Each patch's summed relevance: [N, P].
  const at::Tensor flat_relevance =
      relevance.detach().to(inputs.device(), at::kDouble).view({n, height * width});
  const at::Tensor scores = at::zeros({n, patches}, flat_relevance.options())
                                .index_add_(1, patch_of_pixel, flat_relevance);
  const std::vector<std::vector<int64_t>> ranks = removalRanks(scores, options);
  std::vector<int64_t> flat_ranks;
  flat_ranks.reserve(static_cast<std::size_t>(n * patches));
  for (const auto& image : ranks)
    flat_ranks.insert(flat_ranks.end(), image.begin(), image.end());
  // rank of each pixel's patch: [N, 1, H, W].
  const at::Tensor pixel_rank = at::tensor(flat_ranks, at::kLong)
                                    .to(inputs.device())
                                    .view({n, patches})
                                    .index_select(1, patch_of_pixel)
                                    .view({n, 1, height, width});

  torch::NoGradGuard no_grad;
  const at::Tensor x = inputs.detach();
  const at::Tensor replacement = replacementFor(x, options);
  const at::Tensor target_tensor = at::tensor(targets, at::kLong);

  PerturbationCurve curve;
  curve.patches = patches;
  const int64_t per_step = ceilDiv(patches, options.steps);
  std::vector<at::Tensor> columns_of_curve;
  for (int64_t k = 0; k <= options.steps; ++k) {
    const int64_t removed = std::min(patches, k * per_step);
    curve.removed.push_back(removed);
    const at::Tensor perturbed = k == 0 ? x : at::where(pixel_rank < removed, replacement, x);
    at::Tensor logits = model(perturbed);
    if (k == 0 && logits.defined() && logits.dim() == 2) {
      for (std::size_t i = 0; i < targets.size(); ++i) {
        if (targets[i] < 0 || targets[i] >= logits.size(1)) {
          throw ConfigError("targets: target " + std::to_string(targets[i]) + " of image " +
                                std::to_string(i) + " is not one of the model's " +
                                std::to_string(logits.size(1)) + " classes",
                            "use a class index in [0, " + std::to_string(logits.size(1)) + ")");
        }
      }
    }
    columns_of_curve.push_back(targetLogits(logits, target_tensor, n).to(at::kCPU));
  }
  curve.logits = at::stack(columns_of_curve, 1);
  return curve;
}

at::Tensor aopc(const at::Tensor& curve) {
  if (!curve.defined() || curve.dim() != 2 || curve.size(1) < 1) {
    throw ConfigError("curve: expected [N, steps + 1] logits, got " + shapeText(curve),
                      "pass PerturbationCurve::logits");
  }
  const at::Tensor c = curve.to(at::kDouble);
  return (c.select(1, 0).unsqueeze(1) - c).mean(1);
}

at::Tensor abpc(const at::Tensor& lerf_curve, const at::Tensor& morf_curve) {
  if (!lerf_curve.defined() || !morf_curve.defined() || lerf_curve.dim() != 2 ||
      lerf_curve.sizes() != morf_curve.sizes()) {
    throw ConfigError("lerf_curve, morf_curve: curves of different shapes (" +
                          shapeText(lerf_curve) + " and " + shapeText(morf_curve) + ")",
                      "pass the LeRF and MoRF curves of the same images, map and steps");
  }
  return (lerf_curve.to(at::kDouble) - morf_curve.to(at::kDouble)).mean(1);
}

}  // namespace deepbug::metrics
