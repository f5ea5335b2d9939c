// A relevance map computed at model resolution, drawn over the frame it explains at the
// frame's native resolution: the overlay of the labelled video and the snapshots.
#pragma once

#include "model/geometry.hpp"

namespace at {
class Tensor;
}

namespace deepbug::render {

struct BlendOptions {
  double alpha = 0.5;  // opacity of the heatmap colour at full relevance, in [0, 1]
  bool positive_only = false;
  // Opacity grows with |R| / scale (R⁺ / scale when positive_only), so pixels without
  // relevance keep the frame visible instead of being washed out white.
  bool weight_by_magnitude = true;
};

// Blends the colorized relevance (render/heatmap.hpp) onto the frame.
//
// `relevance_hw` is [input_height, input_width] (any floating dtype, any device), the
// model input that `geometry` describes; `frame_rgb_u8` is the frame, uint8
// [frame_height, frame_width, 3]. The relevance values of the input's content region
// (letterbox padding dropped) are resampled bilinearly (half-pixel centres; the
// antialiased filter when shrinking) onto the frame's crop region and only then
// colorized, so colours never mix into colours the map does not have. Frame pixels
// outside the crop region (center-crop) are left as they are.
//
// Returns a new uint8 [frame_height, frame_width, 3] tensor on the frame's device.
// Throws deepbug::Error for shapes or dtypes that do not match, a scale that is not
// positive and finite, or alpha outside [0, 1].
at::Tensor blendOntoFrame(const at::Tensor& frame_rgb_u8, const at::Tensor& relevance_hw,
                          const deepbug::model::PreprocessGeometry& geometry, double scale,
                          const BlendOptions& options);

}  // namespace deepbug::render
