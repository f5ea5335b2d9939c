// Real surveillance backgrounds from a clip (Debian opencv-doc's vtest.avi): the
// per-pixel median over the clip (an empty scene) and sampled real frames with real
// passers-by.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace deepbug::synth {

class Backgrounds {
 public:
  // Reads up to `samples` frames spread over the clip. Throws deepbug::Error naming the
  // file when it cannot be read.
  explicit Backgrounds(const std::string& clip, int samples = 48);

  const cv::Mat& median() const { return median_; }
  const std::vector<cv::Mat>& frames() const { return frames_; }
  cv::Size size() const { return median_.size(); }
  // Every frame of the clip in order, for footage (real passers-by moving).
  static std::vector<cv::Mat> readAll(const std::string& clip);

 private:
  cv::Mat median_;
  std::vector<cv::Mat> frames_;
};

std::string defaultBackgroundClip();

}  // namespace deepbug::synth
