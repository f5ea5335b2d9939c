// scores.csv: one row per frame that left the classifier, in order — its timestamp,
// whether it was classified or carries a result, the top label and every class's score.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "meta/classification_meta.hpp"

namespace deepbug::stream {

class ScoresCsv {
 public:
  // Throws when `path` cannot be written.
  explicit ScoresCsv(const std::string& path);

  // Streaming thread. `pts_seconds` −1 when the frame has no timestamp. The header is
  // written with the first row (the labels come with it).
  void record(const gst::ClassificationResult& result, double pts_seconds);
  // Flushes and closes; rows recorded afterwards are dropped.
  void close();
  std::uint64_t rows() const;

 private:
  struct FileClose {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  mutable std::mutex mutex_;
  std::unique_ptr<std::FILE, FileClose> file_;
  std::uint64_t rows_ = 0;
};

}  // namespace deepbug::stream
