// An element's settings table as a section of deepbug-stream's YAML config: which keys
// the section has, how each is read and validated (type and range from the table, so
// the YAML and the element agree by construction), and each key's default as the
// config reference (config/README.md) writes it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/settings_table.hpp"
#include "config_reader.hpp"

namespace deepbug::stream {

// A parameter that takes S or anything built on it (a config section derived from
// the element's settings), without taking part in deducing S.
template <class T>
struct NotDeduced {
  using type = T;
};

// How a section maps onto an element's table.
struct SectionKeys {
  std::vector<std::string> omitted;                          // set by the application itself
  std::vector<std::pair<std::string, std::string>> renamed;  // property → YAML key

  // The YAML key of `property`; empty when the section omits it.
  std::string keyOf(const std::string& property) const {
    for (const std::string& name : omitted) {
      if (name == property) return {};
    }
    for (const auto& [from, to] : renamed) {
      if (from == property) return to;
    }
    return gst::yamlKey(property);
  }
};

template <class S>
std::vector<std::string> keysOf(const gst::SettingsTable<S>& table, const SectionKeys& keys) {
  std::vector<std::string> out;
  for (const gst::Setting<S>& setting : table) {
    if (std::string key = keys.keyOf(setting.name); !key.empty()) out.push_back(std::move(key));
  }
  return out;
}

// Reads the section's keys of `table` from `section` into `out`; keys not given keep
// the value `out` has. Errors name file:line:column, the key and the allowed range.
template <class S>
void readSettings(const Reader& r, const YAML::Node& section, const gst::SettingsTable<S>& table,
                  const SectionKeys& keys, const std::filesystem::path& base,
                  typename NotDeduced<S>::type& out) {
  for (const gst::Setting<S>& setting : table) {
    const std::string key = keys.keyOf(setting.name);
    if (key.empty() || !section[key]) continue;
    const YAML::Node node = section[key];
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, gst::TextSetting<S>>) {
            out.*v.member = r.text(node, key);
          } else if constexpr (std::is_same_v<V, gst::FileSetting<S>>) {
            out.*v.member = r.existingFile(node, key, base);
          } else if constexpr (std::is_same_v<V, gst::TextListSetting<S>>) {
            if (!node.IsSequence()) r.fail(node, "'" + key + "' must be a list");
            std::vector<std::string> values;
            for (const YAML::Node& item : node)
              values.push_back(r.text(item, key));
            out.*v.member = std::move(values);
          } else if constexpr (std::is_same_v<V, gst::TripleSetting<S>>) {
            const std::array<float, 3> values = r.triple(node, key);
            out.*v.member = {values[0], values[1], values[2]};
          } else if constexpr (std::is_same_v<V, gst::CountSetting<S>>) {
            out.*v.member = static_cast<unsigned>(r.integer(node, key, v.min, v.max));
          } else if constexpr (std::is_same_v<V, gst::IntegerSetting<S>>) {
            out.*v.member = static_cast<int>(r.integer(node, key, v.min, v.max));
          } else if constexpr (std::is_same_v<V, gst::NumberSetting<S>>) {
            out.*v.member = r.number(node, key, v.min, v.max);
          } else if constexpr (std::is_same_v<V, gst::FlagSetting<S>>) {
            out.*v.member = r.boolean(node, key);
          } else {
            std::vector<std::string> nicks;
            for (const gst::ChoiceValue& c : v.type->values)
              nicks.emplace_back(c.nick);
            const std::string nick = r.choice(node, key, nicks);
            for (const gst::ChoiceValue& c : v.type->values) {
              if (nick == c.nick) v.set(out, c.value);
            }
          }
        },
        setting.value);
  }
}

inline std::string numberText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

template <class S>
void addDocumentedKeys(std::vector<DocumentedKey>& out, const std::string& section,
                       const gst::SettingsTable<S>& table, const SectionKeys& keys,
                       const typename NotDeduced<S>::type& defaults) {
  for (const gst::Setting<S>& setting : table) {
    const std::string key = keys.keyOf(setting.name);
    if (key.empty()) continue;
    const std::string text = std::visit(
        [&](const auto& v) -> std::string {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, gst::TextSetting<S>>) {
            const std::string& value = defaults.*v.member;
            return value.empty() ? "" : "`" + value + "`";
          } else if constexpr (std::is_same_v<V, gst::CountSetting<S>> ||
                               std::is_same_v<V, gst::IntegerSetting<S>> ||
                               std::is_same_v<V, gst::NumberSetting<S>>) {
            return numberText(static_cast<double>(defaults.*v.member));
          } else if constexpr (std::is_same_v<V, gst::FlagSetting<S>>) {
            return defaults.*v.member ? "`true`" : "`false`";
          } else if constexpr (std::is_same_v<V, gst::ChoiceSetting<S>>) {
            return "`" + std::string(v.type->nickOf(v.get(defaults))) + "`";
          } else {
            return "";  // files, lists, triples: none by default
          }
        },
        setting.value);
    out.push_back({section, key, text});
  }
}

}  // namespace deepbug::stream
