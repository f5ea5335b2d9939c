// deepbug-stream's configuration: YAML with ${ENV} substitution and --set overrides,
// validated completely before anything runs. Every error names file:line:column (or
// the --set that caused it) and says what would fix it. Keys: config/README.md.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "source_uri.hpp"

namespace deepbug::stream {

struct SourceConfig {
  std::string name;         // output folder name; letters, digits, '-', '_'
  std::string uri;          // as written (after ${ENV}); may hold a password: print display_uri
  std::string display_uri;  // credentials masked
  SourceKind kind = SourceKind::kFile;
  bool live = false;     // cameras and test patterns always; files with `mode: live`
  std::string location;  // resolved file path, RTSP URI without credentials, device, pattern
  std::string where;     // file:line:column of the uri, for later messages
  TestPattern test;
  // RTSP
  std::string user;
  std::string password;
  std::string protocols = "tcp";     // tcp | udp | auto
  int latency_ms = 200;              // rtspsrc jitter buffer
  std::vector<std::string> secrets;  // masked in every log line and output

  std::string redacted(const std::string& text) const { return redact(text, secrets); }
};

// A camera that stops sending is rebuilt with exponential backoff and jitter.
struct ReconnectConfig {
  bool enabled = true;
  double timeout = 5.0;        // seconds without a frame that count as an outage
  double initial_delay = 1.0;  // seconds before the first retry
  double max_delay = 30.0;
  double jitter = 0.25;      // each delay is scaled by a random 1 ± jitter/2
  double give_up_after = 0;  // seconds of outage after which the source ends; 0: never
};

struct LiveConfig {
  // A frame that reaches the classifier this many seconds after it arrived is not
  // classified (it carries the last result): inference skips, recording never does.
  double max_lag = 1.0;
  ReconnectConfig reconnect;
  double status_interval = 2.0;  // seconds between status.json rewrites
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
  // Heatmaps (from explain:)
  double heatmap_alpha = 0.6;
  bool positive_only = true;
  int hold_frames = 12;
  bool fade = true;
  bool picture_in_picture = true;
  bool legend = true;
};

// LRP explanations of the frames events select (the deepbugexplain element).
struct ExplainConfig {
  bool enabled = false;
  std::string target;  // empty: overlay.watch, else the model's first label
  std::string composite = "epsilon-plus-flat";
  std::vector<std::string> rules;  // LAYER=RULE overrides
  std::string init = "contrastive";
  std::string mode = "auto";  // auto | archive | live
  std::string device = "auto";
  double threshold_on = 0.6;
  double threshold_off = 0.4;
  int min_frames = 3;
  int every_n = 0;
  int top_k = 1;
  double max_rate = 0.0;
  int max_event_frames = 300;
  int batch_size = 1;
  int concurrency = 1;
  int threads = 1;
  int max_in_flight = 2;
  bool snapshots = true;        // frame, heatmap and overlay PNGs per explained frame
  bool relevance_npy = false;   // and the relevance map as .npy
  bool clips = true;            // clips/event-ID.mp4 cut from the labelled video
  double clip_pre_roll = 2.0;   // seconds before the event's start
  double clip_post_roll = 2.0;  // seconds after its end
};

struct EncoderConfig {
  std::string preset = "veryfast";  // x264 speed preset
  int bitrate_kbps = 0;             // 0: constant quality
  int quality = 23;                 // x264 quantizer when bitrate_kbps is 0
  double keyframe_seconds = 2.0;    // a keyframe at least this often (cuttable clips)
};

// Old recording segments are deleted so that 24/7 recording cannot fill the disk.
struct RetentionConfig {
  double max_age_hours = 0;  // 0: no age limit
  double max_size_mib = 0;   // all of a source's segments together; 0: no limit
};

struct OutputsConfig {
  std::string directory;
  bool video = true;
  std::string container = "mp4";  // mp4 | mkv | fragmented-mp4
  bool scores = true;
  EncoderConfig encoder;
  double segment_seconds = 0;  // > 0: time-named segments instead of one file
  RetentionConfig retention;
  bool display = false;  // show the labelled stream in a window
  std::string display_sink = "autovideosink";
  bool status_file = true;  // status.json in the output directory, rewritten while running
};

struct StreamConfig {
  std::string file;
  std::vector<SourceConfig> sources;
  ModelConfig model;
  OverlayConfig overlay;
  ExplainConfig explain;
  LiveConfig live;
  OutputsConfig outputs;

  bool anyLive() const;
};

// Reads and validates `file` with `overrides` ("key.path=value", YAML values) applied.
// Relative paths are resolved against the config file's folder. Throws ConfigError.
StreamConfig loadConfig(const std::string& file, const std::vector<std::string>& overrides);

// "${NAME}" and "${NAME:-default}" replaced from the environment; throws ConfigError
// (prefixed with `where`) for an unset variable without a default.
std::string expandEnvironment(const std::string& text, const std::string& where);

}  // namespace deepbug::stream
