#include "scores_csv.hpp"

#include <stdexcept>

namespace deepbug::stream {

ScoresCsv::ScoresCsv(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
  if (!file_) throw std::runtime_error("cannot write '" + path + "'");
}

void ScoresCsv::record(const gst::ClassificationResult& r, double pts_seconds) {
  std::lock_guard lock(mutex_);
  std::FILE* out = file_.get();
  if (out == nullptr) return;
  if (rows_ == 0) {
    std::fputs("pts_seconds,frame,classified,top_label", out);
    for (const std::string& label : r.labels)
      std::fprintf(out, ",%s", label.c_str());
    std::fputc('\n', out);
  }
  std::fprintf(out, "%.6f,%llu,%d,%s", pts_seconds, static_cast<unsigned long long>(rows_),
               r.classified ? 1 : 0, r.topLabel().c_str());
  for (float score : r.scores)
    std::fprintf(out, ",%.6f", score);
  std::fputc('\n', out);
  ++rows_;
}

void ScoresCsv::close() {
  std::lock_guard lock(mutex_);
  file_.reset();
}

std::uint64_t ScoresCsv::rows() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

}  // namespace deepbug::stream
