#include "render/heatmap.hpp"

#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace deepbug::render {

namespace {

std::string sizesText(const at::Tensor& tensor) {
  return tensor.defined() ? c10::str(tensor.sizes()) : std::string("an undefined tensor");
}

// Half and bfloat16 lack some CPU kernels in LibTorch 1.13; float32 has them all and is
// exact enough for colours.
at::Tensor asFloat(const at::Tensor& tensor) {
  return tensor.scalar_type() == at::kDouble ? tensor : tensor.to(at::kFloat);
}

// The values whose percentile is the scale: |R|, or R⁺. Non-finite values are bugs
// upstream; counting them as 0 keeps one bad pixel from blanking the whole map.
at::Tensor magnitudes(const at::Tensor& relevance, bool positive_only) {
  const at::Tensor finite = at::nan_to_num(asFloat(relevance), 0.0, 0.0, 0.0);
  return positive_only ? finite.clamp_min(0.0) : finite.abs();
}

double checkedFixedValue(const HeatmapStyle& style) {
  if (!(std::isfinite(style.fixed_value) && style.fixed_value > 0.0)) {
    throw ConfigError(
        "fixed heatmap scale " + std::to_string(style.fixed_value) + " is not a positive number",
        "give the relevance value to show at full colour, e.g. 1.0");
  }
  return style.fixed_value;
}

}  // namespace

double robustMax(const at::Tensor& relevance, double percentile, bool positive_only) {
  if (!(percentile > 0.0 && percentile <= 100.0)) {
    throw ConfigError("heatmap percentile " + std::to_string(percentile) + " is outside (0, 100]",
                      "use e.g. 99.5: the value above which the top 0.5% of pixels are "
                      "clipped to full colour");
  }
  if (!relevance.defined() || relevance.numel() == 0) return kMinScale;
  const at::Tensor values = magnitudes(relevance, positive_only).reshape(-1);

  // Linear interpolation between the order statistics around the percentile's
  // position, as numpy.percentile does; kthvalue selects without a full sort and runs
  // on the GPU too. Its k counts from 1.
  const int64_t n = values.numel();
  const double position = percentile / 100.0 * static_cast<double>(n - 1);
  const auto lower = static_cast<int64_t>(std::floor(position));
  const double fraction = position - static_cast<double>(lower);
  double value = std::get<0>(at::kthvalue(values, lower + 1)).item<double>();
  if (fraction > 0.0 && lower + 1 < n) {
    const double upper = std::get<0>(at::kthvalue(values, lower + 2)).item<double>();
    value += (upper - value) * fraction;
  }
  // A sparse map (fewer non-zero pixels than the percentile cuts off) would otherwise
  // get the floor as its scale and saturate every non-zero pixel.
  if (value < kMinScale) value = values.max().item<double>();
  return std::max(value, kMinScale);
}

double sharedScale(const std::vector<at::Tensor>& relevances, const HeatmapStyle& style) {
  if (style.scale == HeatmapStyle::Scale::kFixed) return checkedFixedValue(style);
  std::vector<at::Tensor> flat;
  for (const at::Tensor& relevance : relevances) {
    if (!relevance.defined() || relevance.numel() == 0) continue;
    const c10::Device device = flat.empty() ? relevance.device() : flat.front().device();
    flat.push_back(relevance.reshape(-1).to(device, at::kFloat));
  }
  if (flat.empty()) return robustMax(at::Tensor(), style.percentile, style.positive_only);
  return robustMax(at::cat(flat), style.percentile, style.positive_only);
}

double scaleFor(const at::Tensor& relevance, const HeatmapStyle& style) {
  if (style.scale == HeatmapStyle::Scale::kFixed) return checkedFixedValue(style);
  return robustMax(relevance, style.percentile, style.positive_only);
}

at::Tensor toPixelMap(const at::Tensor& relevance_nchw) {
  if (relevance_nchw.defined() && relevance_nchw.dim() == 4) return relevance_nchw.sum(1);
  if (relevance_nchw.defined() && relevance_nchw.dim() == 3) return relevance_nchw.sum(0);
  throw Error("a relevance tensor [N, C, H, W] or [C, H, W] was expected, got " +
              sizesText(relevance_nchw));
}

at::Tensor colorize(const at::Tensor& relevance, double scale, bool positive_only) {
  if (!relevance.defined() || (relevance.dim() != 2 && relevance.dim() != 3)) {
    throw Error(
        "colorize: a relevance map [H, W] or [N, H, W] was expected, got " + sizesText(relevance),
        "sum over channels first with render::toPixelMap");
  }
  if (!relevance.is_floating_point()) {
    throw Error(std::string("colorize: relevance must be floating point, got ") +
                c10::toString(relevance.scalar_type()));
  }
  if (!(std::isfinite(scale) && scale > 0.0)) {
    throw Error(
        "colorize: heatmap scale " + std::to_string(scale) + " is not a positive finite number",
        "compute it with render::robustMax or render::scaleFor");
  }
  // t in [-1, 1]; NaN shows as 0, ±inf as the ends (clamped).
  at::Tensor t = at::nan_to_num(relevance.to(at::kFloat), 0.0).div(scale).clamp(-1.0, 1.0);
  if (positive_only) t = t.clamp_min(0.0);
  // "bwr": white minus the positive part in green and blue (towards red), minus the
  // negative part in red and green (towards blue).
  const at::Tensor positive = t.clamp_min(0.0);
  const at::Tensor negative = t.neg().clamp_min(0.0);
  const at::Tensor red = 1.0 - negative;
  const at::Tensor green = 1.0 - positive - negative;
  const at::Tensor blue = 1.0 - positive;
  return at::stack({red, green, blue}, -1).mul(255.0).round().to(at::kByte);
}

}  // namespace deepbug::render
