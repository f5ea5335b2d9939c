#include "view.hpp"

#include <array>
#include <cstdlib>

#include "core/error.hpp"

namespace deepbug::synth {

namespace {

const std::array<View, 5> kViews{{{"far", 0.10, 0.18},
                                  {"mid", 0.35, 0.55},
                                  {"near", 0.55, 0.80},
                                  {"near-mid", 0.35, 0.80},
                                  {"mix", 0.10, 0.80}}};

bool parseShare(const std::string& text, double& value) {
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

}  // namespace

const char* defaultViewName() {
  return "near-mid";
}

std::string viewNames() {
  std::string names;
  for (const View& v : kViews)
    names += (names.empty() ? "" : ", ") + v.name;
  return names;
}

View namedView(const std::string& name) {
  for (const View& v : kViews) {
    if (v.name == name) return v;
  }
  throw ConfigError("unknown --view '" + name + "'", "use one of: " + viewNames());
}

View personHeightView(const std::string& range) {
  const auto colon = range.find(':');
  View view{"custom", 0, 0};
  if (colon == std::string::npos || !parseShare(range.substr(0, colon), view.min_share) ||
      !parseShare(range.substr(colon + 1), view.max_share) || !(view.min_share >= 0.05) ||
      !(view.max_share <= 0.95) || !(view.min_share <= view.max_share)) {
    throw ConfigError("bad --person-height '" + range + "'",
                      "give MIN:MAX as shares of the frame height, 0.05 <= MIN <= MAX <= 0.95, "
                      "e.g. 0.35:0.8");
  }
  return view;
}

}  // namespace deepbug::synth
