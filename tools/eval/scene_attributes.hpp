// Groups of images by attribute: a table `image,ATTR,ATTR,…` (deepbug-synth's
// scenes.csv: activity, view, background, occluded, …) whose columns split every
// figure of deepbug-eval beside the variation folders.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace deepbug::eval {

struct SceneAttributes {
  std::vector<std::string> columns;  // grouped by, in the table's order
  // The columns not grouped by, each with why ("too many values: …").
  std::map<std::string, std::string> skipped;
  // image → (column → value), for the grouped columns.
  std::map<std::string, std::map<std::string, std::string>> values;
};

// The most values a column may take to be grouped by when no column is named: more
// (positions, distances, source ids) would give groups of one image.
inline constexpr std::size_t kMaxAttributeValues = 12;

// Reads `path` (first row: a header starting with `image`; no quoted fields). `group_by`
// names the columns to group by; empty: every column but `image` and `class` with at
// most kMaxAttributeValues values and not continuous (numbers, one with a decimal point). Throws
// deepbug::ConfigError naming the file and row for a row with another number of fields, an image
// listed twice, or a `group_by` column the header lacks.
SceneAttributes readSceneAttributes(const std::string& path,
                                    const std::vector<std::string>& group_by);

}  // namespace deepbug::eval
