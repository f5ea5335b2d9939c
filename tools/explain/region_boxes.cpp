#include "region_boxes.hpp"

#include <filesystem>

namespace deepbug::explain_tool {

namespace fs = std::filesystem;

RegionBoxes::RegionBoxes(const std::string& csv_path, const std::string& region)
    : root_(fs::absolute(csv_path).parent_path().lexically_normal().string()),
      boxes_(metrics::readRegionBoxes(csv_path, region)) {}

std::vector<metrics::Box> RegionBoxes::find(const std::string& image_path) const {
  const std::string absolute = fs::absolute(image_path).lexically_normal().string();
  if (absolute.rfind(root_ + "/", 0) == 0) {
    auto found = boxes_.find(absolute.substr(root_.size() + 1));
    if (found != boxes_.end()) return found->second;
  }
  for (const auto& [key, boxes] : boxes_) {
    if (absolute.size() > key.size() &&
        absolute.compare(absolute.size() - key.size(), key.size(), key) == 0 &&
        absolute[absolute.size() - key.size() - 1] == '/')
      return boxes;
  }
  return {};
}

}  // namespace deepbug::explain_tool
