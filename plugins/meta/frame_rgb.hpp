// Video frames as OpenCV images, and the one conversion between a frame's pixel format
// and RGB that the elements and deepbug-stream share: live thumbnails, heatmaps blended
// onto frames, saved snapshots.
#pragma once

#include <opencv2/core.hpp>

#include "model/frame.hpp"

namespace deepbug::gst {

// The frame's pixels as an image over its memory (no copy): bytesPerPixel(format)
// channels in the frame's own byte order. Writing through it is for frames mapped for
// writing only.
cv::Mat matOver(const model::FrameView& frame);

// `pixels`, laid out as `format`, as a new continuous 3-channel RGB image: the 4th byte
// of RGBA/BGRA dropped, grey replicated.
cv::Mat toRgb(const cv::Mat& pixels, model::PixelFormat format);

// The frame as a new RGB image, which outlives the frame.
inline cv::Mat rgbOf(const model::FrameView& frame) {
  return toRgb(matOver(frame), frame.format);
}

// Writes the RGB image `rgb` into `target`, an image of the same size laid out as
// `format` (the 4th byte of RGBA/BGRA made opaque).
void copyRgbInto(const cv::Mat& rgb, cv::Mat target, model::PixelFormat format);

}  // namespace deepbug::gst
