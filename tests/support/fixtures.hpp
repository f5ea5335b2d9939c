// Paths of the traced model fixtures (tests/fixtures/make_models.py).
#pragma once

#include <string>

namespace deepbug::test {

inline std::string fixture(const std::string& name) {
  return std::string(DEEPBUG_FIXTURE_DIR) + "/" + name + ".pt";
}

}  // namespace deepbug::test
