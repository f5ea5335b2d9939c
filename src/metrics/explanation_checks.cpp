#include "metrics/explanation_checks.hpp"

#include <torch/script.h>

namespace deepbug::metrics {

void ReasonsTable::add(bool correct, bool explanation_right) {
  if (correct) {
    ++(explanation_right ? right_for_right : right_for_wrong);
  } else {
    ++(explanation_right ? wrong_but_looked : wrong_for_wrong);
  }
}

PartShares partShares(const at::Tensor& relevance_hw, const model::PreprocessGeometry& geometry,
                      const std::map<std::string, Region>& parts) {
  PartShares shares;
  const at::Tensor r = relevance_hw.to(at::kCPU, at::kDouble);
  at::Tensor positive, on_any;
  double total = 0;
  // Each part's share is its relevance mass (localization.hpp); the background's is what
  // the union of all parts leaves.
  for (const auto& [name, region] : parts) {
    const RegionMask mask = maskRegion(geometry, region, 0);
    if (!positive.defined()) {  // the content is the geometry's: the same for every part
      positive = r.masked_select(mask.content).clamp_min(0);
      total = positive.sum().item<double>();
      on_any = at::zeros_like(mask.on);
    }
    shares.share[name] = total > 0 ? (positive * mask.on).sum().item<double>() / total : 0.0;
    on_any = on_any | mask.on;
  }
  if (!(total > 0)) {
    if (parts.empty()) {
      const at::Tensor content = r.narrow(0, geometry.content_y, geometry.content_height)
                                     .narrow(1, geometry.content_x, geometry.content_width);
      if (content.clamp_min(0).sum().item<double>() > 0) {
        shares.background = 1.0;
        shares.top = "background";
      }
    }
    return shares;
  }
  shares.background = (positive * on_any.logical_not()).sum().item<double>() / total;
  shares.top = "background";
  double best = shares.background;
  for (const auto& [name, share] : shares.share) {
    if (share > best) {
      best = share;
      shares.top = name;
    }
  }
  return shares;
}

}  // namespace deepbug::metrics
