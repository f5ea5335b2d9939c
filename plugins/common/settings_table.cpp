#include "common/settings_table.hpp"

#include <algorithm>

namespace deepbug::gst {

const char* ChoiceType::nickOf(int value) const {
  for (const ChoiceValue& v : values) {
    if (v.value == value) return v.nick;
  }
  return "";
}

std::string yamlKey(const std::string& property) {
  std::string key = property;
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

}  // namespace deepbug::gst
