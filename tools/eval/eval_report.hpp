// deepbug-eval's report: OUT/report.html, one self-contained page made from
// OUT/metrics.json — summary per model, confusion matrices and bars as inline SVG, the
// localisation figures beside their floors, per-class and parts tables, galleries,
// class-average heatmaps and the strips of images two models disagree on. No script, no
// external style, font or image: the heatmap PNGs beside it are referenced by relative
// paths, so the folder can be moved or opened from disk. Sections whose data metrics.json
// lacks are left out.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace deepbug::eval {

struct ReportOptions {
  // Whether a path relative to the report's folder names a file; an image that is not
  // there is left out (with its caption). Empty: every path is taken as present.
  std::function<bool(const std::string&)> file_exists;
};

// The page for `metrics` (the content of metrics.json). Pure but for `file_exists`.
std::string renderReport(const nlohmann::json& metrics, const ReportOptions& options = {});

// Reads dir/metrics.json and writes dir/report.html. Throws deepbug::ConfigError when
// metrics.json is missing or not JSON, std::runtime_error when the page cannot be written.
void writeReport(const std::filesystem::path& dir);

}  // namespace deepbug::eval
