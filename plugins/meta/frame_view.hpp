// A mapped GstVideoFrame as the core library's FrameView (no copy), and the one type
// that maps and unmaps a video frame.
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

// A video frame mapped for reading for as long as this lives. Check it (operator bool)
// before use: mapping fails for a buffer smaller than its caps say.
class MappedFrame {
 public:
  MappedFrame(const GstVideoInfo& info, GstBuffer* buffer)
      : mapped_(gst_video_frame_map(&frame_, const_cast<GstVideoInfo*>(&info), buffer,
                                    GST_MAP_READ) != FALSE) {}
  ~MappedFrame() {
    if (mapped_) gst_video_frame_unmap(&frame_);
  }
  MappedFrame(MappedFrame&& other) noexcept : frame_(other.frame_), mapped_(other.mapped_) {
    other.mapped_ = false;
  }
  MappedFrame(const MappedFrame&) = delete;
  MappedFrame& operator=(const MappedFrame&) = delete;
  MappedFrame& operator=(MappedFrame&&) = delete;

  explicit operator bool() const { return mapped_; }
  const GstVideoFrame& get() const { return frame_; }
  model::FrameView view() const { return frameViewOf(frame_); }

 private:
  GstVideoFrame frame_{};
  bool mapped_;
};

}  // namespace deepbug::gst
