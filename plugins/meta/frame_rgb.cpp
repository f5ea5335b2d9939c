#include "meta/frame_rgb.hpp"

#include <opencv2/imgproc.hpp>

namespace deepbug::gst {

cv::Mat matOver(const model::FrameView& frame) {
  return cv::Mat(frame.height, frame.width, CV_8UC(model::bytesPerPixel(frame.format)),
                 const_cast<std::uint8_t*>(frame.data), frame.rowStride());
}

cv::Mat toRgb(const cv::Mat& pixels, model::PixelFormat format) {
  cv::Mat rgb;
  switch (format) {
    case model::PixelFormat::kRGB:
      rgb = pixels.clone();
      break;
    case model::PixelFormat::kBGR:
      cv::cvtColor(pixels, rgb, cv::COLOR_BGR2RGB);
      break;
    case model::PixelFormat::kRGBA:
      cv::cvtColor(pixels, rgb, cv::COLOR_RGBA2RGB);
      break;
    case model::PixelFormat::kBGRA:
      cv::cvtColor(pixels, rgb, cv::COLOR_BGRA2RGB);
      break;
    case model::PixelFormat::kGray:
      cv::cvtColor(pixels, rgb, cv::COLOR_GRAY2RGB);
      break;
  }
  return rgb;
}

void copyRgbInto(const cv::Mat& rgb, cv::Mat target, model::PixelFormat format) {
  cv::Mat converted;
  switch (format) {
    case model::PixelFormat::kRGB:
      converted = rgb;
      break;
    case model::PixelFormat::kBGR:
      cv::cvtColor(rgb, converted, cv::COLOR_RGB2BGR);
      break;
    case model::PixelFormat::kRGBA:
      cv::cvtColor(rgb, converted, cv::COLOR_RGB2RGBA);
      break;
    case model::PixelFormat::kBGRA:
      cv::cvtColor(rgb, converted, cv::COLOR_RGB2BGRA);
      break;
    case model::PixelFormat::kGray:
      cv::cvtColor(rgb, converted, cv::COLOR_RGB2GRAY);
      break;
  }
  converted.copyTo(target);
}

}  // namespace deepbug::gst
