#include "region_boxes.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace deepbug::explain_tool {

namespace fs = std::filesystem;

RegionBoxes::RegionBoxes(const std::string& csv_path, const std::string& region) {
  std::ifstream in(csv_path);
  if (!in) throw Error("cannot read boxes file '" + csv_path + "'", "check --boxes");
  root_ = fs::absolute(csv_path).parent_path().lexically_normal().string();
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (number == 1 && line.rfind("image,", 0) == 0)) continue;
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, ',');)
      fields.push_back(field);
    metrics::Box box;
    try {
      if (fields.size() != 6) throw std::invalid_argument("fields");
      box = {std::stod(fields[2]), std::stod(fields[3]), std::stod(fields[4]),
             std::stod(fields[5])};
    } catch (const std::exception&) {
      throw Error(csv_path + ":" + std::to_string(number) + ": not 'image,region,x,y,w,h'",
                  "the boxes CSV has one box per line, sizes in frame pixels");
    }
    if (fields[1] == region) boxes_[fields[0]].push_back(box);
  }
}

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
