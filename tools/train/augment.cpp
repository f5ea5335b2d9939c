#include "augment.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace deepbug::train {

cv::Rect2d Augmented::map(const cv::Rect2d& box) const {
  cv::Rect2d out(box.x - crop.x, box.y - crop.y, box.width, box.height);
  if (flipped) out.x = crop.width - out.x - out.width;
  return out;
}

namespace {

// A start in [lo, hi] for a crop of `size` within `limit`, moved so that it covers
// [keep_begin, keep_end) where it can.
int placeCrop(cv::RNG& rng, int size, int limit, double keep_begin, double keep_end) {
  int lo = 0;
  int hi = limit - size;
  if (keep_end > keep_begin) {
    lo = std::clamp(static_cast<int>(std::ceil(keep_end)) - size, 0, limit - size);
    hi = std::clamp(static_cast<int>(std::floor(keep_begin)), lo, limit - size);
  }
  return rng.uniform(lo, hi + 1);
}

}  // namespace

Augmented augment(const cv::Mat& image, const AugmentOptions& options, std::uint64_t seed,
                  const cv::Rect2d& keep) {
  if (!options.enabled) return {image, cv::Rect(0, 0, image.cols, image.rows), false};
  cv::RNG rng(seed);
  const double area = rng.uniform(options.min_crop_area, 1.0);
  const double aspect = std::exp(rng.uniform(std::log(3.0 / 4.0), std::log(4.0 / 3.0)));
  // Never smaller than the box to keep: the label depends on what is inside it.
  const int keep_w = keep.width > 0 ? cvCeil(keep.x + keep.width) - cvFloor(keep.x) : 0;
  const int keep_h = keep.height > 0 ? cvCeil(keep.y + keep.height) - cvFloor(keep.y) : 0;
  const int w =
      std::clamp(std::max(cvRound(image.cols * std::sqrt(area * aspect)), keep_w), 1, image.cols);
  const int h =
      std::clamp(std::max(cvRound(image.rows * std::sqrt(area / aspect)), keep_h), 1, image.rows);
  // Named, so that x is drawn before y whatever the compiler's argument order.
  const int x = placeCrop(rng, w, image.cols, keep.x, keep.x + keep.width);
  const int y = placeCrop(rng, h, image.rows, keep.y, keep.y + keep.height);
  const cv::Rect crop(x, y, w, h);
  cv::Mat out = image(crop).clone();
  const bool flipped = options.flip && rng.uniform(0, 2);
  if (flipped) cv::flip(out, out, 1);

  const double brightness = rng.uniform(1.0 - options.brightness, 1.0 + options.brightness);
  const double contrast = rng.uniform(1.0 - options.contrast, 1.0 + options.contrast);
  const double saturation = rng.uniform(1.0 - options.saturation, 1.0 + options.saturation);
  cv::Mat grey;
  cv::cvtColor(out, grey, cv::COLOR_BGR2GRAY);
  const double mean = cv::mean(grey)[0];
  // contrast about the mean, then brightness: x' = brightness * (contrast * (x - m) + m)
  out.convertTo(out, CV_8U, brightness * contrast, brightness * (1.0 - contrast) * mean);
  if (std::abs(saturation - 1.0) > 1e-3) {
    cv::cvtColor(out, grey, cv::COLOR_BGR2GRAY);
    cv::Mat grey3;
    cv::cvtColor(grey, grey3, cv::COLOR_GRAY2BGR);
    cv::addWeighted(out, saturation, grey3, 1.0 - saturation, 0.0, out);
  }
  return {out, crop, flipped};
}

}  // namespace deepbug::train
