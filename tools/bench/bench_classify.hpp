#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deepbug::bench {

struct ClassifyBenchOptions {
  std::vector<std::pair<std::string, std::string>> models;  // name, path
  std::vector<int> batches{1, 8};
  int frame_width = 768;  // vtest.avi, a typical CCTV frame
  int frame_height = 576;
  int repeats = 9;
  int threads = 0;
  std::string device = "cpu";
};

// Classifier (preprocessing included, from 8-bit BGR frames) against a plain
// module.forward on the same batch already preprocessed, interleaved in one process.
nlohmann::json benchClassify(const ClassifyBenchOptions& options);

}  // namespace deepbug::bench
