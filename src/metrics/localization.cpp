#include "metrics/localization.hpp"

#include <torch/script.h>

#include "core/error.hpp"

namespace deepbug::metrics {

LocalizationScore scoreLocalization(const at::Tensor& relevance_hw,
                                    const model::PreprocessGeometry& g,
                                    const std::vector<Box>& boxes) {
  if (relevance_hw.dim() != 2 || relevance_hw.size(0) != g.input_height ||
      relevance_hw.size(1) != g.input_width) {
    throw Error("relevance map is not [input_height, input_width] of its geometry");
  }
  const at::Tensor r = relevance_hw.to(at::kDouble);
  const auto options = r.options();
  // Centres of input pixels, mapped to frame coordinates (as inputToFrame does).
  const at::Tensor input_x = at::arange(g.input_width, options) + 0.5;
  const at::Tensor input_y = at::arange(g.input_height, options) + 0.5;
  const at::Tensor frame_x = (input_x - g.content_x) / g.scaleX() + g.crop_x;
  const at::Tensor frame_y = (input_y - g.content_y) / g.scaleY() + g.crop_y;
  const at::Tensor content_x = (input_x >= g.content_x) & (input_x < g.content_x + g.content_width);
  const at::Tensor content_y =
      (input_y >= g.content_y) & (input_y < g.content_y + g.content_height);
  const at::Tensor content = content_y.unsqueeze(1) & content_x.unsqueeze(0);

  at::Tensor inside = at::zeros_like(content);
  for (const Box& box : boxes) {
    const at::Tensor in_x = (frame_x >= box.x) & (frame_x < box.x + box.width);
    const at::Tensor in_y = (frame_y >= box.y) & (frame_y < box.y + box.height);
    inside = inside | (in_y.unsqueeze(1) & in_x.unsqueeze(0));
  }
  inside = inside & content;

  LocalizationScore score;
  const double content_pixels = content.sum().item<double>();
  score.area_fraction = content_pixels > 0 ? inside.sum().item<double>() / content_pixels : 0.0;
  const at::Tensor masked =
      r.masked_fill(content.logical_not(), -std::numeric_limits<double>::infinity());
  score.pointing_hit = inside.flatten()[masked.flatten().argmax()].item<bool>();
  const at::Tensor positive = r.clamp_min(0) * content.to(at::kDouble);
  const double total = positive.sum().item<double>();
  score.mass_inside =
      total > 0 ? (positive * inside.to(at::kDouble)).sum().item<double>() / total : 0.0;
  return score;
}

}  // namespace deepbug::metrics
