#include "metrics/region_boxes_csv.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace deepbug::metrics {

std::map<std::string, std::vector<Box>> readRegionBoxes(const std::string& csv_path,
                                                        const std::string& region) {
  std::ifstream in(csv_path);
  if (!in) throw Error("cannot read boxes file '" + csv_path + "'", "check the path");
  std::map<std::string, std::vector<Box>> boxes;
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
    Box box;
    try {
      if (fields.size() != 6) throw std::invalid_argument("fields");
      box = {std::stod(fields[2]), std::stod(fields[3]), std::stod(fields[4]),
             std::stod(fields[5])};
    } catch (const std::exception&) {
      throw Error(csv_path + ":" + std::to_string(number) + ": not 'image,region,x,y,w,h'",
                  "the boxes CSV has one box per line, sizes in frame pixels");
    }
    if (fields[1] == region) boxes[fields[0]].push_back(box);
  }
  return boxes;
}

}  // namespace deepbug::metrics
