#include "model/geometry.hpp"

#include <algorithm>
#include <cmath>

namespace deepbug::model {

namespace {

int roundClamped(double value, int high) {
  return std::clamp(static_cast<int>(std::lround(value)), 1, high);
}

}  // namespace

Point PreprocessGeometry::frameToInput(Point frame) const {
  return {(frame.x - crop_x) * scaleX() + content_x, (frame.y - crop_y) * scaleY() + content_y};
}

Point PreprocessGeometry::inputToFrame(Point input) const {
  return {(input.x - content_x) / scaleX() + crop_x, (input.y - content_y) / scaleY() + crop_y};
}

PreprocessGeometry computeGeometry(int frame_width, int frame_height, int input_width,
                                   int input_height, AspectPolicy policy) {
  PreprocessGeometry g;
  g.frame_width = frame_width;
  g.frame_height = frame_height;
  g.input_width = input_width;
  g.input_height = input_height;
  g.crop_width = frame_width;
  g.crop_height = frame_height;
  g.content_width = input_width;
  g.content_height = input_height;

  const double sx = static_cast<double>(input_width) / frame_width;
  const double sy = static_cast<double>(input_height) / frame_height;
  switch (policy) {
    case AspectPolicy::kStretch:
      break;
    case AspectPolicy::kLetterbox: {
      const double s = std::min(sx, sy);
      g.content_width = roundClamped(frame_width * s, input_width);
      g.content_height = roundClamped(frame_height * s, input_height);
      g.content_x = (input_width - g.content_width) / 2;
      g.content_y = (input_height - g.content_height) / 2;
      break;
    }
    case AspectPolicy::kCenterCrop: {
      const double s = std::max(sx, sy);
      g.crop_width = roundClamped(input_width / s, frame_width);
      g.crop_height = roundClamped(input_height / s, frame_height);
      g.crop_x = (frame_width - g.crop_width) / 2;
      g.crop_y = (frame_height - g.crop_height) / 2;
      break;
    }
  }
  return g;
}

}  // namespace deepbug::model
