#include "scene_attributes.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"

namespace deepbug::eval {
namespace {

std::vector<std::string> splitRow(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');)
    fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

}  // namespace

SceneAttributes readSceneAttributes(const std::string& path,
                                    const std::vector<std::string>& group_by) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read attributes table '" + path + "'", "check --attributes");
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = splitRow(line);
  if (header.empty() || header.front() != "image") {
    throw ConfigError(path + ":1: the header must start with 'image'",
                      "e.g. image,view,background (deepbug-synth's scenes.csv)");
  }
  std::map<std::string, std::vector<std::string>> rows;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> fields = splitRow(line);
    const std::string where = path + ":" + std::to_string(number);
    if (fields.size() != header.size()) {
      throw ConfigError(where + ": " + std::to_string(fields.size()) + " fields, the header has " +
                            std::to_string(header.size()),
                        "one value per column, no commas inside values");
    }
    if (!rows.emplace(fields.front(), fields).second) {
      throw ConfigError(where + ": image '" + fields.front() + "' is listed twice",
                        "one row per image");
    }
  }

  SceneAttributes table;
  for (const std::string& name : group_by) {
    if (std::find(header.begin() + 1, header.end(), name) == header.end()) {
      std::string columns;
      for (std::size_t c = 1; c < header.size(); ++c)
        columns += (c > 1 ? ", " : "") + header[c];
      throw ConfigError("--group-by " + name + ": '" + path + "' has no such column",
                        "its columns: " + columns);
    }
  }
  std::vector<std::size_t> chosen;
  for (std::size_t c = 1; c < header.size(); ++c) {
    const std::string& name = header[c];
    if (!group_by.empty()) {
      if (std::find(group_by.begin(), group_by.end(), name) != group_by.end()) chosen.push_back(c);
      continue;
    }
    if (name == "class") continue;
    std::set<std::string> distinct;
    for (const auto& [image, fields] : rows)
      distinct.insert(fields[c]);
    const bool continuous = std::all_of(distinct.begin(), distinct.end(),
                                        [](const std::string& v) {
                                          char* end = nullptr;
                                          std::strtod(v.c_str(), &end);
                                          return !v.empty() && *end == '\0';
                                        }) &&
                            std::any_of(distinct.begin(), distinct.end(), [](const std::string& v) {
                              return v.find('.') != std::string::npos;
                            });
    if (continuous) {
      table.skipped[name] = "continuous values: bin it in the table or name it with --group-by";
      continue;
    }
    if (distinct.size() > kMaxAttributeValues) {
      table.skipped[name] = "too many values (" + std::to_string(distinct.size()) +
                            "): bin it in the table or name it with --group-by";
      continue;
    }
    chosen.push_back(c);
  }
  for (std::size_t c : chosen)
    table.columns.push_back(header[c]);
  for (const auto& [image, fields] : rows) {
    auto& values = table.values[image];
    for (std::size_t c : chosen)
      values[header[c]] = fields[c];
  }
  return table;
}

}  // namespace deepbug::eval
