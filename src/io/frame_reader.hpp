// Reads the frames of one input file with OpenCV: an image is one frame, a video its
// decoded frames.
#pragma once

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>

#include "io/input_paths.hpp"
#include "model/frame.hpp"

namespace deepbug::io {

struct DecodedFrame {
  cv::Mat image;        // 8-bit BGR
  int index = 0;        // frame number in the file, from 0
  double time_s = 0.0;  // presentation time (index / fps for videos, 0 for images)
};

class FrameReader {
 public:
  // Opens the file; throws deepbug::Error naming it when it cannot be decoded.
  // `every` keeps one frame in N (videos).
  explicit FrameReader(const InputFile& input, int every = 1);
  ~FrameReader();
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // False at the end of the file.
  bool next(DecodedFrame& frame);
  double fps() const { return fps_; }

 private:
  struct Video;
  InputFile input_;
  int every_;
  int position_ = 0;
  double fps_ = 0.0;
  bool image_done_ = false;
  std::unique_ptr<Video> video_;
};

// A borrowed view of an OpenCV BGR/BGRA/grey 8-bit image.
model::FrameView viewOf(const cv::Mat& image);

}  // namespace deepbug::io
