// Draws a classification onto a frame at the frame's own resolution: a coloured
// border while the watched class is above its threshold, the top label with its
// score, and a score bar for the watched class with the threshold marked. Layers
// are drawn bottom-up (heatmap, border, label, bar) so that a heatmap blended first
// never hides the text.
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "meta/classification_meta.hpp"
#include "model/frame.hpp"

namespace deepbug::gst {

enum class ChannelLayout { kRGB, kBGR };  // byte order of the frame's colour channels

// The byte order of `format`'s colour channels (grey has one: either).
inline ChannelLayout channelLayoutOf(model::PixelFormat format) {
  const bool bgr = format == model::PixelFormat::kBGR || format == model::PixelFormat::kBGRA;
  return bgr ? ChannelLayout::kBGR : ChannelLayout::kRGB;
}

struct OverlayStyle {
  std::string watch;       // class that raises the alarm; empty: the top class is shown only
  double threshold = 0.5;  // alarm when the watched score is at or above it
  bool show_label = true;
  bool show_bar = true;
  int border_width = 0;  // 0: scaled to the frame height
};

class OverlayPainter {
 public:
  explicit OverlayPainter(OverlayStyle style) : style_(std::move(style)) {}

  // `frame` is CV_8UC3 or CV_8UC4 over the buffer's memory. Returns whether the
  // alarm border was drawn.
  bool paint(cv::Mat& frame, ChannelLayout layout, const ClassificationResult& result) const;

  const OverlayStyle& style() const { return style_; }

 private:
  OverlayStyle style_;
};

}  // namespace deepbug::gst
