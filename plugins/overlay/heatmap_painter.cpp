#include "overlay/heatmap_painter.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "meta/frame_rgb.hpp"
#include "render/blend.hpp"
#include "render/heatmap.hpp"
#include "render/legend.hpp"

namespace deepbug::gst {
namespace {

cv::Scalar colour(int r, int g, int b, model::PixelFormat format) {
  return channelLayoutOf(format) == ChannelLayout::kRGB ? cv::Scalar(r, g, b, 255)
                                                        : cv::Scalar(b, g, r, 255);
}

void blendHeatmap(cv::Mat& frame, model::PixelFormat format, const RelevanceResult& r,
                  const HeatmapOverlayStyle& style, double fade) {
  const cv::Mat rgb = toRgb(frame, format);
  const at::Tensor pixels = at::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, at::kByte);
  const at::Tensor map =
      at::from_blob(const_cast<float*>(r.heatmap.data()), {r.height, r.width}, at::kFloat);
  render::BlendOptions options;
  options.alpha = std::clamp(style.alpha * fade, 0.0, 1.0);
  options.positive_only = style.positive_only;
  const at::Tensor blended = render::blendOntoFrame(pixels, map, r.geometry,
                                                    std::max(r.scale, render::kMinScale), options);
  const cv::Mat out(rgb.rows, rgb.cols, CV_8UC3, blended.contiguous().data_ptr<std::uint8_t>());
  copyRgbInto(out, frame, format);
}

void drawLegend(cv::Mat& frame, model::PixelFormat format, const RelevanceResult& r,
                const HeatmapOverlayStyle& style, double unit) {
  const int w = std::min(frame.cols / 3, static_cast<int>(std::lround(140 * unit)));
  const int h = std::max(6, static_cast<int>(std::lround(10 * unit)));
  const int margin = static_cast<int>(std::lround(10 * unit));
  const cv::Rect bar(margin, frame.rows - margin - h, w, h);
  if (w < 2 || (bar & cv::Rect(0, 0, frame.cols, frame.rows)) != bar) return;
  const at::Tensor legend = render::drawLegend(w, h, style.positive_only).contiguous();
  const cv::Mat rgb(h, w, CV_8UC3, legend.data_ptr<std::uint8_t>());
  copyRgbInto(rgb, frame(bar), format);
  const std::string caption = "LRP " + render::legendCaption(r.scale, style.positive_only);
  cv::putText(frame, caption, {bar.x, bar.y - margin / 3}, cv::FONT_HERSHEY_SIMPLEX, 0.45 * unit,
              colour(255, 255, 255, format), std::max(1, static_cast<int>(unit)), cv::LINE_AA);
}

void drawPictureInPicture(cv::Mat& frame, model::PixelFormat format, const RelevanceResult& r,
                          double unit) {
  if (r.thumbnail.empty() || r.thumbnail_width <= 0) return;
  const int margin = static_cast<int>(std::lround(10 * unit));
  const cv::Rect place(frame.cols - margin - r.thumbnail_width, margin, r.thumbnail_width,
                       r.thumbnail_height);
  if ((place & cv::Rect(0, 0, frame.cols, frame.rows)) != place) return;
  const cv::Mat thumb(r.thumbnail_height, r.thumbnail_width, CV_8UC3,
                      const_cast<std::uint8_t*>(r.thumbnail.data()));
  copyRgbInto(thumb, frame(place), format);
  cv::rectangle(frame, place, colour(255, 255, 255, format), 1);
}

}  // namespace

void paintHeatmap(cv::Mat& frame, model::PixelFormat format, const RelevanceResult& r,
                  const HeatmapOverlayStyle& style, double fade) {
  if (r.heatmap.size() != static_cast<std::size_t>(r.width) * static_cast<std::size_t>(r.height) ||
      r.width <= 0 || r.geometry.frame_width != frame.cols ||
      r.geometry.frame_height != frame.rows) {
    return;  // a map for another frame size (the caller counts these)
  }
  const double unit = std::max(1.0, frame.rows / 480.0);
  blendHeatmap(frame, format, r, style, fade);
  if (style.hottest_box && r.hottest_width > 0) {
    cv::rectangle(frame, cv::Rect(r.hottest_x, r.hottest_y, r.hottest_width, r.hottest_height),
                  colour(255, 220, 0, format),
                  std::max(1, static_cast<int>(std::lround(2 * unit))));
  }
  if (style.legend) drawLegend(frame, format, r, style, unit);
  char caption[128];
  std::snprintf(caption, sizeof caption, "explains frame %llu (%.2f s)",
                static_cast<unsigned long long>(r.frame_index),
                r.pts == GST_CLOCK_TIME_NONE ? 0.0 : static_cast<double>(r.pts) / 1e9);
  const int margin = static_cast<int>(std::lround(10 * unit));
  cv::putText(frame, caption,
              {margin, frame.rows - margin - static_cast<int>(std::lround(26 * unit))},
              cv::FONT_HERSHEY_SIMPLEX, 0.45 * unit, colour(255, 255, 255, format),
              std::max(1, static_cast<int>(unit)), cv::LINE_AA);
  if (style.picture_in_picture && !r.on_explained_frame)
    drawPictureInPicture(frame, format, r, unit);
}

}  // namespace deepbug::gst
