#include "metrics/regions.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"

namespace deepbug::metrics {
namespace {

using nlohmann::json;

void checkSize(const Box& box, const std::string& where) {
  if (box.width < 0 || box.height < 0) {
    throw Error(where + ": negative box size " + std::to_string(box.width) + "×" +
                    std::to_string(box.height),
                "boxes are x, y, width, height in frame pixels");
  }
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A JSON array member of `root`, or an error naming it.
const json& arrayOf(const json& root, const char* key, const std::string& path) {
  if (!root.contains(key) || !root[key].is_array()) {
    throw Error(path + ": no '" + key + "' array",
                "a COCO file lists images, annotations and "
                "categories");
  }
  return root[key];
}

}  // namespace

std::set<std::string> RegionTable::names() const {
  std::set<std::string> all;
  for (const auto& [image, regions] : images) {
    for (const auto& [name, region] : regions)
      all.insert(name);
  }
  return all;
}

const Region* RegionTable::find(const std::string& image, const std::string& name) const {
  const auto i = images.find(image);
  if (i == images.end()) return nullptr;
  const auto r = i->second.find(name);
  return r == i->second.end() ? nullptr : &r->second;
}

RegionTable readRegionsCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read regions file '" + path + "'", "check the path");
  RegionTable table;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (number == 1 && line.rfind("image,", 0) == 0)) continue;
    const std::string where = path + ":" + std::to_string(number);
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, ',');)
      fields.push_back(field);
    Box box;
    try {
      if (fields.size() != 6) throw std::invalid_argument("fields");
      std::size_t used = 0;
      const auto number_at = [&](std::size_t i) {
        const double value = std::stod(fields[i], &used);
        if (used != fields[i].size()) throw std::invalid_argument("trailing text");
        return value;
      };
      box = {number_at(2), number_at(3), number_at(4), number_at(5)};
    } catch (const std::exception&) {
      throw Error(where + ": not 'image,region,x,y,w,h'",
                  "one box per line, positions and sizes in frame pixels");
    }
    if (fields[0].empty() || fields[1].empty()) {
      throw Error(where + ": a box without an image or a region name");
    }
    checkSize(box, where);
    table.images[fields[0]][fields[1]].boxes.push_back(box);
  }
  return table;
}

RegionTable readRegionsCoco(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read regions file '" + path + "'", "check the path");
  json root;
  try {
    root = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path + ": not JSON (" + e.what() + ")");
  }
  std::map<long long, std::string> images;
  const json& image_list = arrayOf(root, "images", path);
  for (std::size_t i = 0; i < image_list.size(); ++i) {
    const std::string where = path + ": images[" + std::to_string(i) + "]";
    const json& image = image_list[i];
    if (!image.contains("id") || !image.contains("file_name")) {
      throw Error(where + ": needs 'id' and 'file_name'");
    }
    if (!images.emplace(image["id"].get<long long>(), image["file_name"].get<std::string>())
             .second) {
      throw Error(where + ": image id " + image["id"].dump() + " listed twice");
    }
  }
  std::map<long long, std::string> categories;
  const json& category_list = arrayOf(root, "categories", path);
  for (std::size_t i = 0; i < category_list.size(); ++i) {
    const std::string where = path + ": categories[" + std::to_string(i) + "]";
    const json& category = category_list[i];
    if (!category.contains("id") || !category.contains("name")) {
      throw Error(where + ": needs 'id' and 'name'");
    }
    if (!categories.emplace(category["id"].get<long long>(), category["name"].get<std::string>())
             .second) {
      throw Error(where + ": category id " + category["id"].dump() + " listed twice");
    }
  }
  RegionTable table;
  std::set<long long> annotation_ids;
  const json& annotations = arrayOf(root, "annotations", path);
  for (std::size_t i = 0; i < annotations.size(); ++i) {
    const json& a = annotations[i];
    const std::string where = path + ": annotations[" + std::to_string(i) + "]";
    try {
      if (a.contains("id") && !annotation_ids.insert(a["id"].get<long long>()).second) {
        throw Error(where + ": annotation id " + a["id"].dump() + " listed twice");
      }
      const auto image = images.find(a.at("image_id").get<long long>());
      if (image == images.end()) {
        throw Error(where + ": image_id " + a["image_id"].dump() + " is not in 'images'",
                    "every annotation names an image the file lists");
      }
      const auto category = categories.find(a.at("category_id").get<long long>());
      if (category == categories.end()) {
        throw Error(where + ": category_id " + a["category_id"].dump() + " is not in 'categories'",
                    "every annotation names a category the file lists");
      }
      Region& region = table.images[image->second][category->second];
      const json& segmentation = a.contains("segmentation") ? a["segmentation"] : json();
      if (segmentation.is_array() && !segmentation.empty()) {
        for (const json& flat : segmentation) {
          Polygon polygon;
          if (flat.size() < 6 || flat.size() % 2 != 0) {
            throw Error(where + ": a polygon needs x,y pairs for three or more points");
          }
          for (std::size_t p = 0; p < flat.size(); p += 2) {
            polygon.points.emplace_back(flat[p].get<double>(), flat[p + 1].get<double>());
          }
          region.polygons.push_back(std::move(polygon));
        }
      } else {  // no polygon (or run-length encoded): its box
        const json& bbox = a.at("bbox");
        if (!bbox.is_array() || bbox.size() != 4) throw Error(where + ": bbox is not [x,y,w,h]");
        const Box box{bbox[0].get<double>(), bbox[1].get<double>(), bbox[2].get<double>(),
                      bbox[3].get<double>()};
        checkSize(box, where);
        region.boxes.push_back(box);
      }
    } catch (const json::exception& e) {
      throw Error(where + ": " + e.what(), "see the COCO annotation format");
    }
  }
  return table;
}

RegionTable readRegions(const std::string& path) {
  return endsWith(path, ".json") ? readRegionsCoco(path) : readRegionsCsv(path);
}

std::map<std::string, std::vector<Box>> readRegionBoxes(const std::string& csv_path,
                                                        const std::string& region) {
  std::map<std::string, std::vector<Box>> boxes;
  for (const auto& [image, regions] : readRegionsCsv(csv_path).images) {
    const auto found = regions.find(region);
    if (found != regions.end()) boxes[image] = found->second.boxes;
  }
  return boxes;
}

namespace {

std::string listed(const std::vector<std::string>& names) {
  std::string all;
  for (const auto& name : names)
    all += (all.empty() ? "" : ", ") + name;
  return all.empty() ? std::string("none") : all;
}

}  // namespace

std::vector<std::string> rightRegions(const std::vector<std::string>& rules,
                                      const std::vector<std::string>& classes,
                                      const RegionTable& regions, const std::string& option) {
  std::vector<std::string> right(classes.size());
  const std::set<std::string> known = regions.names();
  for (const std::string& rule : rules) {
    const auto eq = rule.find('=');
    const std::string region = eq == std::string::npos ? rule : rule.substr(eq + 1);
    if (known.count(region) == 0) {
      throw ConfigError(option + " " + rule + ": no row of the regions file names '" + region + "'",
                        "its regions: " + listed({known.begin(), known.end()}));
    }
    if (eq == std::string::npos) {
      std::fill(right.begin(), right.end(), region);
      continue;
    }
    const std::string cls = rule.substr(0, eq);
    const auto found = std::find(classes.begin(), classes.end(), cls);
    if (found == classes.end()) {
      throw ConfigError(option + " " + rule + ": '" + cls + "' is not a class of the data",
                        "the classes: " + listed(classes));
    }
    right[static_cast<std::size_t>(found - classes.begin())] = region;
  }
  return right;
}

}  // namespace deepbug::metrics
