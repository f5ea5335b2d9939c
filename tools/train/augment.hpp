// Training-time augmentation on decoded images, then the shared preprocessing.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

#include "model/frame.hpp"

namespace deepbug::train {

struct AugmentOptions {
  bool enabled = true;
  bool flip = true;             // horizontal mirror with probability 1/2
  double min_crop_area = 0.55;  // random resized crop: area fraction kept, aspect 3/4..4/3
  double brightness = 0.25;     // factors drawn from [1 - x, 1 + x]
  double contrast = 0.25;
  double saturation = 0.25;
};

// A randomly cropped, mirrored, colour-jittered view of `image` (BGR, 8-bit),
// deterministic for `seed`. The result may share memory with `image`.
cv::Mat augment(const cv::Mat& image, const AugmentOptions& options, std::uint64_t seed);

}  // namespace deepbug::train
