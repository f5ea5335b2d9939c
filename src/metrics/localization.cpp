#include "metrics/localization.hpp"

#include <torch/script.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.hpp"

namespace deepbug::metrics {
namespace {

// `values` in ascending order, with the permutation that sorts them: one sort serves the
// pointing game, both top shares and the ROC.
struct Ranked {
  at::Tensor sorted, order;
};

// The expected share of `on` among the `k` largest `values`, ties at the k-th value
// broken uniformly at random. `values`, `on`: 1-D, same length ≥ k ≥ 1.
double topShare(const at::Tensor& values, const Ranked& ranked, const at::Tensor& on,
                std::int64_t k) {
  const double kth = ranked.sorted[values.numel() - k].item<double>();
  const at::Tensor above = values > kth;
  const at::Tensor tied = values == kth;
  const double slots = static_cast<double>(k) - above.sum().item<double>();
  const double on_above = (above & on).sum().item<double>();
  const double on_tied_share = (tied & on).sum().item<double>() / tied.sum().item<double>();
  return (on_above + slots * on_tied_share) / static_cast<double>(k);
}

// Mann–Whitney U / (n_on · n_off) with average ranks for ties.
double rocAuc(const Ranked& ranked, const at::Tensor& on) {
  const double n_on = on.sum().item<double>();
  const double n_off = static_cast<double>(ranked.sorted.numel()) - n_on;
  if (n_on == 0 || n_off == 0) return 0.5;
  const auto [unique, group, counts] =
      at::unique_consecutive(ranked.sorted, /*return_inverse=*/true, /*return_counts=*/true);
  const at::Tensor ends = counts.cumsum(0).to(at::kDouble);  // 1-based last rank of each group
  const at::Tensor average_rank = ends - (counts.to(at::kDouble) - 1) / 2;
  const at::Tensor on_per_group =
      at::zeros({unique.numel()}, at::kDouble)
          .index_add_(0, group, on.index_select(0, ranked.order).to(at::kDouble));
  const double rank_sum_on = (average_rank * on_per_group).sum().item<double>();
  return (rank_sum_on - n_on * (n_on + 1) / 2) / (n_on * n_off);
}

// Pixel centres (x: [1, W], y: [H, 1]) inside `polygon` by the even-odd rule.
at::Tensor insidePolygon(const Polygon& polygon, const at::Tensor& x, const at::Tensor& y) {
  at::Tensor inside = at::zeros({y.size(0), x.size(1)}, at::kBool);
  const auto& p = polygon.points;
  for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
    const auto [xi, yi] = p[i];
    const auto [xj, yj] = p[j];
    if (yi == yj) continue;  // a horizontal edge crosses no ray
    const at::Tensor spans = (y > yi) != (y > yj);
    const at::Tensor crossing_x = (xj - xi) * (y - yi) / (yj - yi) + xi;
    inside = inside ^ (spans & (x < crossing_x));
  }
  return inside;
}

// Squared distance of pixel centres to the polygon's outline.
at::Tensor squaredDistanceToOutline(const Polygon& polygon, const at::Tensor& x,
                                    const at::Tensor& y) {
  at::Tensor best =
      at::full({y.size(0), x.size(1)}, std::numeric_limits<double>::infinity(), at::kDouble);
  const auto& p = polygon.points;
  for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
    const auto [ax, ay] = p[j];
    const auto [bx, by] = p[i];
    const double dx = bx - ax, dy = by - ay;
    const double length2 = dx * dx + dy * dy;
    const at::Tensor t = length2 > 0 ? at::clamp(((x - ax) * dx + (y - ay) * dy) / length2, 0, 1)
                                     : at::zeros_like(x + y);
    const at::Tensor ex = x - (ax + t * dx);
    const at::Tensor ey = y - (ay + t * dy);
    best = at::minimum(best, ex * ex + ey * ey);
  }
  return best;
}

}  // namespace

LocalizationScore scoreLocalization(const at::Tensor& relevance_hw,
                                    const model::PreprocessGeometry& g,
                                    const std::vector<Box>& boxes,
                                    const LocalizationOptions& options) {
  return scoreLocalization(relevance_hw, g, Region{boxes, {}}, options);
}

RegionMask maskRegion(const model::PreprocessGeometry& g, const Region& region,
                      double pointing_tolerance) {
  const auto options_double = at::TensorOptions().dtype(at::kDouble);
  // Centres of input pixels, mapped to frame coordinates (as inputToFrame does).
  const at::Tensor input_x = at::arange(g.input_width, options_double) + 0.5;
  const at::Tensor input_y = at::arange(g.input_height, options_double) + 0.5;
  const at::Tensor frame_x = (input_x - g.content_x) / g.scaleX() + g.crop_x;
  const at::Tensor frame_y = (input_y - g.content_y) / g.scaleY() + g.crop_y;
  const at::Tensor content_x = (input_x >= g.content_x) & (input_x < g.content_x + g.content_width);
  const at::Tensor content_y =
      (input_y >= g.content_y) & (input_y < g.content_y + g.content_height);
  const at::Tensor content = content_y.unsqueeze(1) & content_x.unsqueeze(0);

  at::Tensor on = at::zeros_like(content);    // the region
  at::Tensor near = at::zeros_like(content);  // within the pointing tolerance of it
  const double tolerance = std::max(0.0, pointing_tolerance);
  for (const Box& box : region.boxes) {
    const at::Tensor in_x = (frame_x >= box.x) & (frame_x < box.x + box.width);
    const at::Tensor in_y = (frame_y >= box.y) & (frame_y < box.y + box.height);
    on = on | (in_y.unsqueeze(1) & in_x.unsqueeze(0));
    if (tolerance <= 0 || box.width <= 0 || box.height <= 0) continue;
    const at::Tensor dx =
        at::clamp_min(at::maximum(box.x - frame_x, frame_x - (box.x + box.width)), 0);
    const at::Tensor dy =
        at::clamp_min(at::maximum(box.y - frame_y, frame_y - (box.y + box.height)), 0);
    near = near | ((dy * dy).unsqueeze(1) + (dx * dx).unsqueeze(0) <= tolerance * tolerance);
  }
  const at::Tensor grid_x = frame_x.unsqueeze(0);
  const at::Tensor grid_y = frame_y.unsqueeze(1);
  for (const Polygon& polygon : region.polygons) {
    if (polygon.points.size() < 3) continue;
    const at::Tensor inside = insidePolygon(polygon, grid_x, grid_y);
    on = on | inside;
    if (tolerance <= 0) continue;
    near = near | inside |
           (squaredDistanceToOutline(polygon, grid_x, grid_y) <= tolerance * tolerance);
  }
  RegionMask mask;
  mask.content = content;
  mask.on = on.masked_select(content);
  // Without a tolerance, on the region exactly (near would also hold centres on its far
  // edges).
  mask.hit_zone = tolerance > 0 ? near.masked_select(content) : mask.on;
  mask.input_height = g.input_height;
  mask.input_width = g.input_width;
  return mask;
}

LocalizationScore scoreLocalization(const at::Tensor& relevance_hw,
                                    const model::PreprocessGeometry& g, const Region& region,
                                    const LocalizationOptions& options) {
  return scoreLocalization(relevance_hw, maskRegion(g, region, options.pointing_tolerance),
                           options);
}

LocalizationScore scoreLocalization(const at::Tensor& relevance_hw, const RegionMask& mask,
                                    const LocalizationOptions& options) {
  if (relevance_hw.dim() != 2 || relevance_hw.size(0) != mask.input_height ||
      relevance_hw.size(1) != mask.input_width) {
    throw Error("relevance map is not [input_height, input_width] of its geometry");
  }
  const at::Tensor r = relevance_hw.to(at::kCPU, at::kDouble);
  // Only the frame's content: flattened to its pixels.
  const at::Tensor values = r.masked_select(mask.content);
  const at::Tensor& on_content = mask.on;
  const auto n = values.numel();

  LocalizationScore score;
  if (n == 0) return score;
  const double on_pixels = on_content.sum().item<double>();
  score.area_fraction = on_pixels / static_cast<double>(n);

  const auto [sorted, order] = values.sort();
  const Ranked ranked{sorted, order};
  const at::Tensor hottest = values == sorted[n - 1];
  score.pointing = (hottest & mask.hit_zone).sum().item<double>() / hottest.sum().item<double>();

  const at::Tensor positive = values.clamp_min(0);
  const double total = positive.sum().item<double>();
  score.mass_inside = total > 0 ? (positive * on_content).sum().item<double>() / total : 0.0;
  score.macro_pass = score.mass_inside >= options.macro_threshold && total > 0;

  const auto region_pixels = static_cast<std::int64_t>(on_pixels);
  score.rank_accuracy =
      region_pixels > 0 ? topShare(values, ranked, on_content, region_pixels) : 0.0;
  const std::int64_t k = std::min<std::int64_t>(std::max<std::int64_t>(options.top_k, 1), n);
  score.top_k = topShare(values, ranked, on_content, k);
  score.roc_auc = rocAuc(ranked, on_content);
  return score;
}

double positiveMassOn(const at::Tensor& relevance_hw, const RegionMask& mask) {
  const at::Tensor positive =
      relevance_hw.to(at::kCPU, at::kDouble).masked_select(mask.content).clamp_min(0);
  const double total = positive.sum().item<double>();
  return total > 0 ? (positive * mask.on).sum().item<double>() / total : 0.0;
}

}  // namespace deepbug::metrics
