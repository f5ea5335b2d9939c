// Hand-labelled regions from a boxes CSV (`image,region,x,y,w,h`, the format
// deepbug-synth writes), looked up by image path.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "metrics/regions.hpp"

namespace deepbug::explain_tool {

class RegionBoxes {
 public:
  // Reads the boxes of `region` (e.g. "fight"); see metrics::readRegionBoxes.
  RegionBoxes(const std::string& csv_path, const std::string& region);

  // The boxes of an image, matched by its path relative to the CSV's folder or by the
  // path's tail; empty when the image has none.
  std::vector<metrics::Box> find(const std::string& image_path) const;
  size_t imageCount() const { return boxes_.size(); }

 private:
  std::string root_;
  std::map<std::string, std::vector<metrics::Box>> boxes_;
};

}  // namespace deepbug::explain_tool
