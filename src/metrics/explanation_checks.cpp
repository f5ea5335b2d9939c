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
  // Each part's share is its relevance mass (localization.hpp); the background's is what
  // the union of all parts leaves.
  Region all;
  for (const auto& [name, region] : parts) {
    shares.share[name] = scoreLocalization(relevance_hw, geometry, region).mass_inside;
    all.boxes.insert(all.boxes.end(), region.boxes.begin(), region.boxes.end());
    all.polygons.insert(all.polygons.end(), region.polygons.begin(), region.polygons.end());
  }
  const at::Tensor content = relevance_hw.narrow(0, geometry.content_y, geometry.content_height)
                                 .narrow(1, geometry.content_x, geometry.content_width);
  if (!(content.clamp_min(0).sum().item<double>() > 0)) return shares;
  shares.background = 1.0 - scoreLocalization(relevance_hw, geometry, all).mass_inside;
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
