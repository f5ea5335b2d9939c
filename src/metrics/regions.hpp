// Hand-labelled regions of a data set, by image and by region name (`fight`, `person`,
// `tire`, `watermark`: names are free), read from a boxes CSV (`image,region,x,y,w,h`,
// what deepbug-synth writes) or a COCO JSON file (categories become region names;
// polygon segmentations are kept as polygons, anything else as its bbox). Coordinates
// are frame pixels, pixel-edge based, as metrics::Box.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "metrics/localization.hpp"

namespace deepbug::metrics {

struct RegionTable {
  // image (as the file names it) → region name → region
  std::map<std::string, std::map<std::string, Region>> images;
  std::set<std::string> names() const;
  // The region `name` of `image`, or nullptr.
  const Region* find(const std::string& image, const std::string& name) const;
};

// Both throw deepbug::Error naming the file and the row (CSV line, or JSON array and
// index) for what cannot be read: a malformed row, a negative size, an annotation of an
// image or category the file does not list, an id listed twice.
RegionTable readRegionsCsv(const std::string& path);

// The right region of each class ("" for none) from rules CLASS=REGION, or REGION for
// every class (deepbug-eval's --region, deepbug-train's --explain-region: `option`).
// Throws ConfigError naming the option and rule for a region in no row of `regions` (its
// regions listed) or a class not among `classes` (the classes listed).
std::vector<std::string> rightRegions(const std::vector<std::string>& rules,
                                      const std::vector<std::string>& classes,
                                      const RegionTable& regions, const std::string& option);
RegionTable readRegionsCoco(const std::string& path);
// By extension: .json is COCO, anything else a boxes CSV.
RegionTable readRegions(const std::string& path);

// The boxes of one region by image, from a boxes CSV: for training crops and the
// tools that score a single region.
std::map<std::string, std::vector<Box>> readRegionBoxes(const std::string& csv_path,
                                                        const std::string& region);

}  // namespace deepbug::metrics
