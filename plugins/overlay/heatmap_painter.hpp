// Draws a DeepbugRelevanceMeta onto a frame at the frame's own resolution: the heatmap
// blended in (the LRP renderer: positive evidence by default, at the scale the
// explain element chose for the whole event), its colour legend, the hottest region,
// a caption naming the frame it explains, and in live mode a picture-in-picture of that
// frame, since the heatmap belongs to an earlier moment than the frame it is drawn on.
#pragma once

#include <opencv2/core.hpp>

#include "meta/relevance_meta.hpp"
#include "overlay/overlay_painter.hpp"

namespace deepbug::gst {

struct HeatmapOverlayStyle {
  double alpha = 0.6;  // opacity at full relevance
  bool positive_only = true;
  bool legend = true;
  bool hottest_box = true;
  bool picture_in_picture = true;  // live: the explained frame, top right
};

// `fade` in [0, 1] scales the opacity (a heatmap held over later frames fades out).
// `frame` is over the buffer's memory, laid out as `format`.
void paintHeatmap(cv::Mat& frame, model::PixelFormat format, const RelevanceResult& relevance,
                  const HeatmapOverlayStyle& style, double fade);

}  // namespace deepbug::gst
