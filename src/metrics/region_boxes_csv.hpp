// Reading hand-labelled regions from a boxes CSV (`image,region,x,y,w,h`, the format
// deepbug-synth writes): one reader for training crops and heatmap scoring.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "metrics/localization.hpp"

namespace deepbug::metrics {

// The boxes of `region` by image path as written in the file (relative to its folder).
// Throws deepbug::Error naming the file (and line) when it cannot be read or a row is
// not image,region,x,y,w,h.
std::map<std::string, std::vector<Box>> readRegionBoxes(const std::string& csv_path,
                                                        const std::string& region);

}  // namespace deepbug::metrics
