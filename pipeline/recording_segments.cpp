#include "recording_segments.hpp"

#include "segment_files.hpp"

namespace deepbug::stream {
namespace {
constexpr const char* kPrefix = "labelled";
}

RecordingSegments::RecordingSegments(std::string dir, std::string extension,
                                     RetentionConfig retention)
    : dir_(std::move(dir)), extension_(std::move(extension)), retention_(retention) {}

std::string RecordingSegments::open(std::chrono::system_clock::time_point now,
                                    std::vector<std::string>& problems) {
  const std::string path = uniqueSegmentPath(dir_, kPrefix, now, extension_);
  RetentionResult retention;
  if (retention_.max_age_hours > 0 || retention_.max_size_mib > 0) {
    RetentionPolicy policy;
    policy.max_age_seconds = retention_.max_age_hours * 3600;
    policy.max_total_bytes = static_cast<std::uint64_t>(retention_.max_size_mib * 1024 * 1024);
    std::string finished;  // the segment just closed
    {
      std::lock_guard lock(mutex_);
      finished = current_;
    }
    retention = applyRetention(dir_, kPrefix, extension_, policy, now, finished);
  }
  std::lock_guard lock(mutex_);
  current_ = path;
  opened_ += 1;
  deleted_ += retention.deleted.size();
  for (const std::string& error : retention.errors)
    problems.push_back("retention: " + error);
  return path;
}

nlohmann::json RecordingSegments::summary() const {
  std::lock_guard lock(mutex_);
  return {{"directory", dir_}, {"opened", opened_}, {"deleted", deleted_}, {"current", current_}};
}

}  // namespace deepbug::stream
