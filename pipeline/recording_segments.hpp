// Segmented recording (outputs.segment_seconds): names each new segment after the wall
// clock and applies the retention limits to the segments before it. Called by
// splitmuxsink's format-location on a streaming thread; read by the main loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config.hpp"

namespace deepbug::stream {

class RecordingSegments {
 public:
  RecordingSegments(std::string dir, std::string extension, RetentionConfig retention);

  // The path of the segment that starts `now`. `problems` receives what retention could
  // not delete; never throws for them.
  std::string open(std::chrono::system_clock::time_point now, std::vector<std::string>& problems);

  // {directory, opened, deleted, current}
  nlohmann::json summary() const;

 private:
  const std::string dir_;
  const std::string extension_;
  const RetentionConfig retention_;
  mutable std::mutex mutex_;
  std::string current_;  // the segment being written: never deleted, whatever its name
  std::uint64_t opened_ = 0;
  std::uint64_t deleted_ = 0;
};

}  // namespace deepbug::stream
