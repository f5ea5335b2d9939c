// Camera geometry of synthetic scenes: how tall people appear, as a share of the
// frame height. Near views zoom into the real background so that its real passers-by
// grow with the figures.
#pragma once

#include <string>

namespace deepbug::synth {

struct View {
  std::string name;         // near, mid, far, near-mid, mix, or "custom"
  double min_share = 0.35;  // the pair's standing height / frame height
  double max_share = 0.80;
};

// The named views: far 0.10–0.18 (a plaza seen from high up), mid 0.35–0.55,
// near 0.55–0.80, near-mid 0.35–0.80 (indoor corridors and entrances: the default),
// mix 0.10–0.80. Throws ConfigError naming the known views.
View namedView(const std::string& name);

// "MIN:MAX", shares of the frame height with 0.05 <= MIN <= MAX <= 0.95. Throws
// ConfigError naming the bad value.
View personHeightView(const std::string& range);

const char* defaultViewName();
std::string viewNames();

}  // namespace deepbug::synth
