#include "augment.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace deepbug::train {

cv::Rect2d Augmented::map(const cv::Rect2d& box) const {
  cv::Rect2d out(box.x - crop.x, box.y - crop.y, box.width, box.height);
  if (flipped) out.x = crop.width - out.x - out.width;
  return out;
}

Augmented augment(const cv::Mat& image, const AugmentOptions& options, std::uint64_t seed) {
  if (!options.enabled) return {image, cv::Rect(0, 0, image.cols, image.rows), false};
  cv::RNG rng(seed);
  const double area = rng.uniform(options.min_crop_area, 1.0);
  const double aspect = std::exp(rng.uniform(std::log(3.0 / 4.0), std::log(4.0 / 3.0)));
  const int w = std::clamp(cvRound(image.cols * std::sqrt(area * aspect)), 1, image.cols);
  const int h = std::clamp(cvRound(image.rows * std::sqrt(area / aspect)), 1, image.rows);
  const cv::Rect crop(rng.uniform(0, image.cols - w + 1), rng.uniform(0, image.rows - h + 1), w, h);
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
