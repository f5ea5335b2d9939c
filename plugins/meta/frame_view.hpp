// A mapped GstVideoFrame as the core library's FrameView (no copy).
#pragma once

#include <gst/video/video.h>

#include "model/frame.hpp"

namespace deepbug::gst {

inline model::PixelFormat pixelFormatOf(GstVideoFormat format) {
  using model::PixelFormat;
  switch (format) {
    case GST_VIDEO_FORMAT_RGB:
      return PixelFormat::kRGB;
    case GST_VIDEO_FORMAT_BGR:
      return PixelFormat::kBGR;
    case GST_VIDEO_FORMAT_RGBA:
    case GST_VIDEO_FORMAT_RGBx:
      return PixelFormat::kRGBA;
    case GST_VIDEO_FORMAT_BGRA:
    case GST_VIDEO_FORMAT_BGRx:
      return PixelFormat::kBGRA;
    default:
      return PixelFormat::kGray;
  }
}

inline model::FrameView frameViewOf(const GstVideoFrame& video) {
  model::FrameView view;
  view.data = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&video, 0));
  view.width = GST_VIDEO_FRAME_WIDTH(&video);
  view.height = GST_VIDEO_FRAME_HEIGHT(&video);
  view.stride = static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&video, 0));
  view.format = pixelFormatOf(GST_VIDEO_FRAME_FORMAT(&video));
  return view;
}

}  // namespace deepbug::gst
