// Scores a heatmap against hand-labelled regions (the report's evaluation): does the
// hottest pixel fall inside the region (pointing game), and how much of the positive
// relevance lies inside it (relevance mass). Regions are boxes in frame pixels; the
// heatmap is at model resolution and is mapped through the preprocessing geometry.
#pragma once

#include <vector>

#include "model/geometry.hpp"

namespace at {
class Tensor;
}

namespace deepbug::metrics {

struct Box {
  double x = 0, y = 0, width = 0, height = 0;  // frame pixels, pixel-edge coordinates
};

struct LocalizationScore {
  bool pointing_hit = false;   // the maximum of R lies inside a box
  double mass_inside = 0.0;    // Σ R⁺ inside the boxes / Σ R⁺ (0 when R⁺ is all zero)
  double area_fraction = 0.0;  // share of the frame content the boxes cover: what a
                               // uniform heatmap would score as mass_inside
};

// `relevance_hw`: [input_height, input_width], any float dtype and device. Pixels of
// the input outside the frame's content (letterbox padding) are ignored; an input
// pixel belongs to a box when its centre, mapped to the frame, lies inside it.
LocalizationScore scoreLocalization(const at::Tensor& relevance_hw,
                                    const model::PreprocessGeometry& geometry,
                                    const std::vector<Box>& boxes);

}  // namespace deepbug::metrics
