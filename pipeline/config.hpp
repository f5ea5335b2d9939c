// deepbug-stream's configuration: YAML with ${ENV} substitution and --set overrides,
// validated completely before anything runs. Every error names file:line:column (or
// the --set that caused it) and says what would fix it. Keys: config/README.md.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::stream {

struct SourceConfig {
  std::string name;      // output folder name; letters, digits, '-', '_'
  std::string uri;       // as written (after ${ENV})
  std::string location;  // resolved file path for file sources
  std::string where;     // file:line:column of the uri, for later messages
};

struct ModelConfig {
  std::string path;
  std::string where;
  std::string device = "auto";
  std::string precision = "fp32";
  int batch_size = 4;
  int interval = 1;
  int threads = 0;
  std::vector<std::string> labels;  // empty: the model's
  int input_size = 0;               // 0: the model's
  std::string aspect = "model";
  std::optional<std::array<float, 3>> mean;
  std::optional<std::array<float, 3>> std;
};

struct OverlayConfig {
  bool enabled = true;
  std::string watch;  // empty: label only, no alarm
  double threshold = 0.5;
  bool show_label = true;
  bool show_bar = true;
  int border_width = 0;
};

struct EncoderConfig {
  std::string preset = "veryfast";  // x264 speed preset
  int bitrate_kbps = 0;             // 0: constant quality
  int quality = 23;                 // x264 quantizer when bitrate_kbps is 0
};

struct OutputsConfig {
  std::string directory;
  bool video = true;
  std::string container = "mp4";  // mp4 | mkv | fragmented-mp4
  bool scores = true;
  EncoderConfig encoder;
};

struct StreamConfig {
  std::string file;
  std::vector<SourceConfig> sources;
  ModelConfig model;
  OverlayConfig overlay;
  OutputsConfig outputs;
};

// Reads and validates `file` with `overrides` ("key.path=value", YAML values) applied.
// Relative paths are resolved against the config file's folder. Throws ConfigError.
StreamConfig loadConfig(const std::string& file, const std::vector<std::string>& overrides);

// "${NAME}" and "${NAME:-default}" replaced from the environment; throws ConfigError
// (prefixed with `where`) for an unset variable without a default.
std::string expandEnvironment(const std::string& text, const std::string& where);

}  // namespace deepbug::stream
