// `deepbug-bench pipeline`: end-to-end deepbug-stream throughput (decode, classify,
// overlay, encode, mux) against classify-only throughput on the same decoded frames,
// measured in the same process (classify-only before and after the pipeline run).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace deepbug::bench {

struct PipelineBenchOptions {
  std::string footage;
  std::string model;
  int batch = 4;
  int threads = 0;
  std::string device = "auto";
  int max_frames = 300;  // decoded frames kept in memory for the classify-only runs
  std::string work_dir;  // outputs of the pipeline run (default: a temporary folder)
};

nlohmann::json benchPipeline(const PipelineBenchOptions& options);

}  // namespace deepbug::bench
