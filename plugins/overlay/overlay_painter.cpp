#include "overlay/overlay_painter.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>

namespace deepbug::gst {
namespace {

// Colours are given as RGB and put in the frame's byte order.
cv::Scalar colour(int r, int g, int b, ChannelLayout layout) {
  return layout == ChannelLayout::kRGB ? cv::Scalar(r, g, b, 255) : cv::Scalar(b, g, r, 255);
}

}  // namespace

bool OverlayPainter::paint(cv::Mat& frame, ChannelLayout layout,
                           const ClassificationResult& result) const {
  const int h = frame.rows;
  const int w = frame.cols;
  const double unit = std::max(1.0, h / 480.0);  // drawing scale: 1 at 480 lines
  const float watched = style_.watch.empty() ? -1.0f : result.scoreOf(style_.watch);
  const bool alarm = watched >= 0.0f && watched >= style_.threshold;

  if (alarm) {
    const int width =
        style_.border_width > 0 ? style_.border_width : static_cast<int>(std::lround(4 * unit));
    cv::rectangle(frame, cv::Rect(0, 0, w, h), colour(230, 30, 30, layout), 2 * width);
  }

  const int margin = static_cast<int>(std::lround(10 * unit));
  const double font_scale = 0.6 * unit;
  const int thickness = std::max(1, static_cast<int>(std::lround(1.5 * unit)));
  int baseline = 0;
  int y = margin;
  if (style_.show_label && !result.labels.empty()) {
    char text[256];
    std::snprintf(text, sizeof text, "%s %.0f%%%s", result.topLabel().c_str(),
                  100.0 * result.top_score, result.classified ? "" : " (carried)");
    const cv::Size size =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &baseline);
    const cv::Rect box(margin, y, size.width + margin, size.height + baseline + margin / 2);
    cv::Mat roi = frame(box & cv::Rect(0, 0, w, h));
    // Darken behind the text so it reads on any background (alpha untouched).
    cv::multiply(roi, cv::Scalar(0.35, 0.35, 0.35, 1.0), roi);
    cv::putText(frame, text, {box.x + margin / 2, box.y + size.height + margin / 4},
                cv::FONT_HERSHEY_SIMPLEX, font_scale,
                alarm ? colour(255, 90, 90, layout) : colour(255, 255, 255, layout), thickness,
                cv::LINE_AA);
    y = box.y + box.height + margin / 2;
  }
  if (style_.show_bar && watched >= 0.0f) {
    const int bar_w = std::min(w - 2 * margin, static_cast<int>(std::lround(160 * unit)));
    const int bar_h = std::max(4, static_cast<int>(std::lround(8 * unit)));
    const cv::Rect bar(margin, y, bar_w, bar_h);
    if ((bar & cv::Rect(0, 0, w, h)) == bar) {
      cv::rectangle(frame, bar, colour(40, 40, 40, layout), cv::FILLED);
      cv::Rect fill = bar;
      fill.width = static_cast<int>(std::lround(bar_w * std::clamp(watched, 0.0f, 1.0f)));
      if (fill.width > 0) {
        cv::rectangle(frame, fill,
                      alarm ? colour(230, 30, 30, layout) : colour(90, 200, 90, layout),
                      cv::FILLED);
      }
      const int tick = bar.x + static_cast<int>(std::lround(bar_w * style_.threshold));
      cv::line(frame, {tick, bar.y - 2}, {tick, bar.y + bar_h + 1}, colour(255, 255, 255, layout),
               std::max(1, thickness / 2));
    }
  }
  return alarm;
}

}  // namespace deepbug::gst
