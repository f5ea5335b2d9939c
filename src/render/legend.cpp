#include "render/legend.hpp"

#include <torch/script.h>

#include <cstdio>

#include "core/error.hpp"
#include "render/heatmap.hpp"

namespace deepbug::render {

at::Tensor drawLegend(int width, int height, bool positive_only) {
  if (width < 1 || height < 1) {
    throw Error(
        "legend of " + std::to_string(width) + "x" + std::to_string(height) + " pixels has no area",
        "give a width and a height of at least 1 pixel");
  }
  const bool horizontal = width >= height;
  // linspace puts the exact ends on the first and last pixels, so the bar shows the
  // full colours the heatmap reaches at ±scale.
  at::Tensor ramp = at::linspace(positive_only ? 0.0 : -1.0, 1.0, horizontal ? width : height,
                                 at::TensorOptions().dtype(at::kFloat));
  const at::Tensor values = horizontal ? ramp.view({1, width}).expand({height, width})
                                       : ramp.flip({0}).view({height, 1}).expand({height, width});
  return colorize(values, 1.0, positive_only);
}

std::string legendCaption(double scale, bool positive_only) {
  char value[32];
  std::snprintf(value, sizeof value, "%.3g", scale);
  return (positive_only ? std::string("0") : "-" + std::string(value)) + " .. +" + value;
}

}  // namespace deepbug::render
