#include "model/frame.hpp"

#include "core/error.hpp"

namespace deepbug::model {

int bytesPerPixel(PixelFormat format) {
  switch (format) {
    case PixelFormat::kRGB:
    case PixelFormat::kBGR:
      return 3;
    case PixelFormat::kRGBA:
    case PixelFormat::kBGRA:
      return 4;
    case PixelFormat::kGray:
      return 1;
  }
  return 3;
}

std::string toString(PixelFormat format) {
  switch (format) {
    case PixelFormat::kRGB:
      return "RGB";
    case PixelFormat::kBGR:
      return "BGR";
    case PixelFormat::kRGBA:
      return "RGBA";
    case PixelFormat::kBGRA:
      return "BGRA";
    case PixelFormat::kGray:
      return "GRAY8";
  }
  return "?";
}

void validateFrame(const FrameView& frame) {
  const std::string size = std::to_string(frame.width) + "x" + std::to_string(frame.height);
  if (frame.width < 1 || frame.height < 1) {
    throw Error("frame of size " + size + " has no pixels", "frames must be at least 1x1");
  }
  if (frame.data == nullptr) throw Error("frame of size " + size + " has no data");
  const std::size_t row = static_cast<std::size_t>(frame.width) * bytesPerPixel(frame.format);
  if (frame.rowStride() < row) {
    throw Error("frame of size " + size + " in " + toString(frame.format) +
                    " has a row stride of " + std::to_string(frame.rowStride()) +
                    " bytes, less than the " + std::to_string(row) + " bytes a row needs",
                "check the pixel format and stride the frame was described with");
  }
}

}  // namespace deepbug::model
