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

struct Augmented {
  cv::Mat image;
  cv::Rect crop;         // region of the original image that was kept
  bool flipped = false;  // mirrored after cropping

  // Where a box of the original image lands in `image`.
  cv::Rect2d map(const cv::Rect2d& box) const;
};

// A randomly cropped, mirrored, colour-jittered view of `image` (BGR, 8-bit),
// deterministic for `seed`. A non-empty `keep` box stays wholly inside the crop.
Augmented augment(const cv::Mat& image, const AugmentOptions& options, std::uint64_t seed,
                  const cv::Rect2d& keep = {});

}  // namespace deepbug::train
