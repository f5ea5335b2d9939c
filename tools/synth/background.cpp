#include "background.hpp"

#include <algorithm>
#include <opencv2/videoio.hpp>

#include "core/error.hpp"

namespace deepbug::synth {

std::string defaultBackgroundClip() {
  return "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
}

std::vector<cv::Mat> Backgrounds::readAll(const std::string& clip) {
  cv::VideoCapture capture(clip, cv::CAP_FFMPEG);
  if (!capture.isOpened()) {
    throw Error("cannot open background clip '" + clip + "'",
                "install Debian's opencv-doc (make deps does) or pass --background FILE");
  }
  std::vector<cv::Mat> frames;
  cv::Mat frame;
  while (capture.read(frame))
    frames.push_back(frame.clone());
  if (frames.empty()) throw Error("background clip '" + clip + "' has no frames");
  return frames;
}

Backgrounds::Backgrounds(const std::string& clip, int samples) {
  const std::vector<cv::Mat> all = readAll(clip);
  const std::size_t step = std::max<std::size_t>(1, all.size() / samples);
  for (std::size_t i = 0; i < all.size(); i += step)
    frames_.push_back(all[i]);

  // Per-pixel median over the sampled frames: passers-by vanish, the scene stays.
  const cv::Size size = frames_.front().size();
  median_.create(size, CV_8UC3);
  std::vector<std::uint8_t> values(frames_.size());
  const std::size_t mid = values.size() / 2;
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        for (std::size_t i = 0; i < frames_.size(); ++i) {
          values[i] = frames_[i].at<cv::Vec3b>(y, x)[c];
        }
        std::nth_element(values.begin(), values.begin() + mid, values.end());
        median_.at<cv::Vec3b>(y, x)[c] = values[mid];
      }
    }
  }
}

}  // namespace deepbug::synth
