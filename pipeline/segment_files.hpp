// Recording segments named by their wall-clock start, and the retention that deletes old
// ones. A segment is `PREFIX-YYYYMMDDTHHMMSSZ[-N].EXT` (UTC, so names sort by time; `-N`,
// N ≥ 2, when several segments start within one second). Nothing here touches a file that
// is not a segment of the given prefix and extension.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::stream {

// "labelled-20261129T023747Z.mp4": the segment's wall-clock start in UTC, so names sort by
// time. `extension` is given without its dot ("mp4").
std::string segmentFileName(const std::string& prefix, std::chrono::system_clock::time_point start,
                            const std::string& extension);

// Start time parsed back from such a name (a `-N` suffix included); nullopt for files that
// are not segments of `prefix`/`extension`.
std::optional<std::chrono::system_clock::time_point> segmentStartOf(const std::string& file_name,
                                                                    const std::string& prefix,
                                                                    const std::string& extension);

// dir/segmentFileName(...), or, when that file exists already, the same name with "-2",
// "-3", ... before the extension: the first that does not exist.
std::string uniqueSegmentPath(const std::string& dir, const std::string& prefix,
                              std::chrono::system_clock::time_point start,
                              const std::string& extension);

struct RetentionPolicy {
  double max_age_seconds = 0;         // 0 = no limit
  std::uint64_t max_total_bytes = 0;  // 0 = no limit
};

struct RetentionResult {
  std::vector<std::string> deleted;  // full paths, oldest first
  std::uint64_t bytes_deleted = 0;
  std::uint64_t bytes_kept = 0;  // the segments left, all of them
  std::vector<std::string> errors;
};

// Deletes the segments of `prefix`/`extension` in `dir` that started more than max_age
// before `now`, then, oldest first, as many more as it takes to bring the segments' total
// size within max_total_bytes. Never deletes the newest segment (it may still be written)
// nor `protect` (a full path; may be empty). Segments are ordered by (start, suffix).
// Failures (an unreadable directory, a file that cannot be deleted) are collected in
// `errors`, not thrown.
RetentionResult applyRetention(const std::string& dir, const std::string& prefix,
                               const std::string& extension, const RetentionPolicy& policy,
                               std::chrono::system_clock::time_point now,
                               const std::string& protect);

}  // namespace deepbug::stream
