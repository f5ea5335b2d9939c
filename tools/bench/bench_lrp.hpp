// `deepbug-bench lrp`: the LRP engine's cost as a multiple of its own forward pass,
// per model, composite and batch size, measured interleaved in one process.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace deepbug::bench {

struct LrpBenchOptions {
  std::vector<std::pair<std::string, std::string>> models;  // name, path
  std::vector<std::string> composites{"epsilon-plus-flat", "epsilon-gamma-box", "layered"};
  std::vector<int> batches{1, 8};
  int repeats = 5;
  int threads = 0;  // 0 = all cores
  int input_size = 224;
};

nlohmann::json benchLrp(const LrpBenchOptions& options);

}  // namespace deepbug::bench
