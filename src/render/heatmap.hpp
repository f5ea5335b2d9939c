// Relevance maps → colour images: the diverging colour map every heatmap, overlay and
// legend uses, and the choice of the value that maps to full colour (the scale).
// Tensor ops only, so rendering runs on whatever device the relevance is on.
#pragma once

#include <vector>

namespace at {
class Tensor;
}

namespace deepbug::render {

// How the value shown at full colour is chosen.
struct HeatmapStyle {
  enum class Scale {
    kPerImage,  // each map's own robustMax: every heatmap uses its full colour range
    kFixed,     // fixed_value: maps of different frames compare in absolute terms
    kShared,    // one robustMax over a set of maps (sharedScale): they compare within it
  };
  Scale scale = Scale::kPerImage;
  double fixed_value = 1.0;
  bool positive_only = false;  // show only evidence for the class; negatives stay white
  double percentile = 99.5;    // of |R| (of R⁺ when positive_only), in (0, 100]
};

// The smallest scale ever returned: an all-zero map renders white instead of
// dividing by zero.
inline constexpr double kMinScale = 1e-12;

// The `percentile`-th percentile of |R| (of max(R, 0) when positive_only) over all
// elements, with linear interpolation between order statistics (numpy.percentile's
// default). A percentile rather than the maximum, so that a few extreme pixels do not
// wash out the rest of the map. When the percentile is 0 but the map is not (a map
// with fewer non-zero pixels than 100 - percentile per cent), the maximum is used;
// never below kMinScale. NaN and ±inf count as 0. Throws deepbug::ConfigError for a
// percentile outside (0, 100].
double robustMax(const at::Tensor& relevance, double percentile, bool positive_only = false);

// One scale for a set of maps (the robustMax of all their values together), or
// style.fixed_value for Scale::kFixed.
double sharedScale(const std::vector<at::Tensor>& relevances, const HeatmapStyle& style);

// The scale `style` gives a single map (kShared treats it as a set of one).
double scaleFor(const at::Tensor& relevance, const HeatmapStyle& style);

// Sums relevance over the colour channels: [N, C, H, W] → [N, H, W], [C, H, W] →
// [H, W]. LRP conserves relevance, so a pixel's relevance is the sum over its channels.
at::Tensor toPixelMap(const at::Tensor& relevance_nchw);

// Colours a relevance map [H, W] or [N, H, W] (any floating dtype, any device) as
// uint8 RGB [H, W, 3] or [N, H, W, 3] on the same device.
//
// The colour map is matplotlib's "bwr", piecewise linear in RGB: −scale is blue
// (0, 0, 255), 0 is white (255, 255, 255), +scale is red (255, 0, 0); values beyond
// ±scale are clipped, NaN is shown as 0. It is the map of the LRP literature, so
// heatmaps read the way readers of those papers expect; it is symmetric, so equal
// |R| looks equally strong for either sign; and white at zero makes irrelevant pixels
// vanish when blended. (Darker ends as in "seismic" would hide the frame under the
// strongest evidence.) With positive_only, negative values are shown as white.
// Throws deepbug::Error for another rank, a non-floating dtype or a scale that is not
// a positive finite number.
at::Tensor colorize(const at::Tensor& relevance, double scale, bool positive_only);

}  // namespace deepbug::render
