// Typed, located access to the YAML config: every error names file:line:column (or
// the --set that caused it) and says what would fix it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <array>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"
#include "core/error.hpp"

namespace deepbug::stream {

std::size_t editDistance(const std::string& a, const std::string& b);

// Typed access to the YAML tree with file:line:column in every error.
class Reader {
 public:
  Reader(std::string file, std::vector<std::pair<YAML::Node, std::string>> overridden)
      : file_(std::move(file)), overridden_(std::move(overridden)) {}

  std::string where(const YAML::Node& node) const {
    for (const auto& [value, assignment] : overridden_) {
      if (value.is(node)) return "--set " + assignment;
    }
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return file_;
    return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message,
                         const std::string& hint = {}) const {
    throw ConfigError(where(node) + ": " + message, hint);
  }

  void requireMap(const YAML::Node& node, const std::string& name) const {
    if (!node.IsMap()) fail(node, "'" + name + "' must be a mapping of keys to values");
  }

  // Rejects keys not in `allowed`, suggesting the closest one.
  void checkKeys(const YAML::Node& map, const std::string& section,
                 const std::vector<std::string>& allowed) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string best = allowed.front();
      for (const std::string& candidate : allowed) {
        if (editDistance(key, candidate) < editDistance(key, best)) best = candidate;
      }
      std::string all;
      for (const std::string& candidate : allowed)
        all += (all.empty() ? "" : ", ") + candidate;
      fail(it->first, "unknown key '" + key + "' in " + section,
           editDistance(key, best) <= 3 ? "did you mean '" + best + "'? (keys: " + all + ")"
                                        : "known keys: " + all);
    }
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, "'" + key + "' must be a single value");
    return expandEnvironment(node.Scalar(), where(node));
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    const std::string value = text(node, key);
    if (value == "true" || value == "yes" || value == "on") return true;
    if (value == "false" || value == "no" || value == "off") return false;
    fail(node, "'" + key + "' must be true or false, not '" + value + "'");
  }

  long integer(const YAML::Node& node, const std::string& key, long min, long max) const {
    const std::string value = text(node, key);
    std::size_t used = 0;
    long parsed = 0;
    try {
      parsed = std::stol(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size()) {
      fail(node, "'" + key + "' must be a whole number, not '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      fail(node, "'" + key + "' = " + value + " is out of range",
           "use " + std::to_string(min) + ".." + std::to_string(max));
    }
    return parsed;
  }

  double number(const YAML::Node& node, const std::string& key, double min, double max) const {
    const std::string value = text(node, key);
    std::size_t used = 0;
    double parsed = 0;
    try {
      parsed = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size()) {
      fail(node, "'" + key + "' must be a number, not '" + value + "'");
    }
    if (!(parsed >= min && parsed <= max)) {
      fail(node, "'" + key + "' = " + value + " is out of range",
           "use " + std::to_string(min) + " to " + std::to_string(max));
    }
    return parsed;
  }

  std::string choice(const YAML::Node& node, const std::string& key,
                     const std::vector<std::string>& choices) const {
    const std::string value = text(node, key);
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
    std::string all;
    for (const std::string& c : choices)
      all += (all.empty() ? "" : ", ") + c;
    fail(node, "'" + key + "' = '" + value + "' is not allowed", "use one of: " + all);
  }

  std::array<float, 3> triple(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence() || node.size() != 3) {
      fail(node, "'" + key + "' must be a list of three numbers", "e.g. [0.485, 0.456, 0.406]");
    }
    std::array<float, 3> values{};
    for (std::size_t i = 0; i < 3; ++i) {
      values[i] = static_cast<float>(number(node[i], key, -1e6, 1e6));
    }
    return values;
  }

  // An existing file, relative to the config's folder.
  std::string existingFile(const YAML::Node& node, const std::string& key,
                           const std::filesystem::path& base) const {
    const std::string value = text(node, key);
    const std::filesystem::path path =
        std::filesystem::path(value).is_absolute() ? std::filesystem::path(value) : base / value;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      fail(node, "'" + key + "': no file '" + path.string() + "'",
           "relative paths are relative to the config file's folder");
    }
    return path.lexically_normal().string();
  }

 private:
  std::string file_;
  std::vector<std::pair<YAML::Node, std::string>> overridden_;  // value node, "key=value"
};

}  // namespace deepbug::stream
