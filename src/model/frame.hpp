// A borrowed view of one 8-bit video frame, as GStreamer, OpenCV or a raw buffer
// hold it. Nothing is copied until preprocessing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace deepbug::model {

enum class PixelFormat {
  kRGB,   // 3 bytes per pixel
  kBGR,   // 3 bytes per pixel (OpenCV's order)
  kRGBA,  // 4 bytes per pixel; the 4th (alpha or padding, RGBx) is ignored
  kBGRA,  // 4 bytes per pixel; likewise BGRx
  kGray,  // 1 byte per pixel, replicated to three channels
};

int bytesPerPixel(PixelFormat format);
std::string toString(PixelFormat format);

struct FrameView {
  const std::uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  std::size_t stride = 0;  // bytes from one row to the next; 0 = tightly packed
  PixelFormat format = PixelFormat::kRGB;

  std::size_t rowStride() const {
    return stride != 0 ? stride : static_cast<std::size_t>(width) * bytesPerPixel(format);
  }
};

// Throws deepbug::Error describing the problem (null data, empty size, short stride).
void validateFrame(const FrameView& frame);

}  // namespace deepbug::model
