// The colour bar that tells a viewer what the heatmap colours mean. Only the bar is
// drawn here (the core has no fonts); callers draw the caption next to it.
#pragma once

#include <string>

namespace at {
class Tensor;
}

namespace deepbug::render {

// A uint8 RGB colour bar [height, width, 3] on the CPU, in the heatmap's colour map
// (render/heatmap.hpp): −scale (blue) to +scale (red) through white at the middle, or
// 0 (white) to +scale with positive_only. Horizontal (−scale at the left) when width
// ≥ height, else vertical (+scale at the top, as on a map's key). The end pixels are
// the extreme colours. Throws deepbug::Error for a size below 1×1.
at::Tensor drawLegend(int width, int height, bool positive_only);

// The range the bar shows, in ASCII (OpenCV's fonts have no "±" or "−"), three
// significant digits: "-0.0123 .. +0.0123", or "0 .. +0.0123" with positive_only.
std::string legendCaption(double scale, bool positive_only = false);

}  // namespace deepbug::render
