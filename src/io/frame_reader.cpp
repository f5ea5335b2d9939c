#include "io/frame_reader.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "core/error.hpp"

namespace deepbug::io {

struct FrameReader::Video {
  cv::VideoCapture capture;
};

FrameReader::FrameReader(const InputFile& input, int every)
    : input_(input), every_(std::max(1, every)) {
  if (input.kind == InputKind::kImage) return;
  video_ = std::make_unique<Video>();
  // Files only: naming the file backends keeps OpenCV from probing camera backends
  // (FireWire, USB) when a damaged file fails to open.
  if (!video_->capture.open(input.path, cv::CAP_FFMPEG) &&
      !video_->capture.open(input.path, cv::CAP_GSTREAMER)) {
    throw Error("cannot open video '" + input.path + "'",
                "check that the file is a complete video in a container FFmpeg or GStreamer "
                "reads");
  }
  fps_ = video_->capture.get(cv::CAP_PROP_FPS);
}

FrameReader::~FrameReader() = default;

bool FrameReader::next(DecodedFrame& frame) {
  if (input_.kind == InputKind::kImage) {
    if (image_done_) return false;
    image_done_ = true;
    frame.image = cv::imread(input_.path, cv::IMREAD_COLOR);
    if (frame.image.empty()) {
      throw Error("cannot decode image '" + input_.path + "'", "the file may be damaged");
    }
    frame.index = 0;
    frame.time_s = 0.0;
    return true;
  }
  while (video_->capture.read(frame.image)) {
    const int index = position_++;
    if (index % every_ != 0) continue;
    frame.index = index;
    frame.time_s = fps_ > 0.0 ? index / fps_ : 0.0;
    return true;
  }
  return false;
}

model::FrameView viewOf(const cv::Mat& image) {
  if (image.depth() != CV_8U) throw Error("only 8-bit images can be classified");
  model::FrameView view;
  view.data = image.data;
  view.width = image.cols;
  view.height = image.rows;
  view.stride = image.step[0];
  switch (image.channels()) {
    case 1:
      view.format = model::PixelFormat::kGray;
      break;
    case 3:
      view.format = model::PixelFormat::kBGR;
      break;
    case 4:
      view.format = model::PixelFormat::kBGRA;
      break;
    default:
      throw Error("images with " + std::to_string(image.channels()) +
                  " channels are not supported");
  }
  return view;
}

}  // namespace deepbug::io
