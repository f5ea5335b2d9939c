// How a frame maps onto the model input under an aspect policy, so that heatmaps and
// boxes computed at model resolution map back to frame pixels.
#pragma once

#include "model/model_metadata.hpp"

namespace deepbug::model {

struct Point {
  double x = 0.0;
  double y = 0.0;
};

// All coordinates are continuous pixel-edge coordinates: pixel (i, j) covers
// [i, i+1) × [j, j+1). The frame's crop region is resampled onto the input's
// content region; outside the content region (letterbox) the input is padding.
struct PreprocessGeometry {
  int frame_width = 0;
  int frame_height = 0;
  int input_width = 0;
  int input_height = 0;
  int crop_x = 0, crop_y = 0, crop_width = 0, crop_height = 0;
  int content_x = 0, content_y = 0, content_width = 0, content_height = 0;

  double scaleX() const { return static_cast<double>(content_width) / crop_width; }
  double scaleY() const { return static_cast<double>(content_height) / crop_height; }
  Point frameToInput(Point frame) const;
  Point inputToFrame(Point input) const;
};

PreprocessGeometry computeGeometry(int frame_width, int frame_height, int input_width,
                                   int input_height, AspectPolicy policy);

}  // namespace deepbug::model
