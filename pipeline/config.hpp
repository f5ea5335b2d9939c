// deepbug-stream's configuration: YAML with ${ENV} substitution and --set overrides,
// validated completely before anything runs. Every error names file:line:column (or
// the --set that caused it) and says what would fix it. Keys: config/README.md.
#pragma once

#include <string>
#include <vector>

#include "classify/classify_settings.hpp"
#include "explain/explain_settings.hpp"
#include "overlay/overlay_settings.hpp"
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

// The model section is deepbugclassify's settings (its table: classify_settings.cpp).
struct ModelConfig : gst::ClassifySettings {
  // The application batches by default: throughput over the latency of one frame.
  ModelConfig() { batch_size = 4; }
  std::string where;  // file:line:column of the path, for later messages
};

// The overlay section is deepbugoverlay's settings (overlay_settings.cpp).
struct OverlayConfig : gst::OverlaySettings {
  bool enabled = true;
};

// LRP explanations of the frames events select: deepbugexplain's settings
// (explain_settings.cpp) and what the application writes of them.
struct ExplainConfig : gst::ExplainSettings {
  bool enabled = false;
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

// The labelled stream re-served over RTSP (rtsp_restream.hpp): rtsp://address:port/NAME.
struct RtspConfig {
  bool enabled = false;  // an `outputs.rtsp` section exists
  int port = 8554;       // 0: any free port (status.json names the one bound)
  std::string address = "127.0.0.1";
  // Basic authentication for every mount when a password is set; required for an
  // address other than loopback, where anyone on the network could watch.
  std::string user = "deepbug";
  std::string password;
  std::string where;  // file:line:column of the section, for a port that cannot be bound
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
  RtspConfig rtsp;
};

// The monitoring server (docs/web-api.md): on when the config has a `web:` section.
struct WebConfig {
  static constexpr int kDefaultPort = 8090;  // for a `listen` that names a host only
  bool enabled = false;
  std::string listen = "127.0.0.1:" + std::to_string(kDefaultPort);  // port 0: any free port
  std::string token;                                                 // required off loopback
  std::vector<std::string> hosts;  // names besides IP addresses and localhost
  double live_fps = 5;             // MJPEG frames per second per client, at most
  int live_width = 640;            // MJPEG picture width
};

struct StreamConfig {
  std::string file;
  std::vector<SourceConfig> sources;
  ModelConfig model;
  OverlayConfig overlay;
  ExplainConfig explain;
  LiveConfig live;
  OutputsConfig outputs;
  WebConfig web;

  bool anyLive() const;
  // Whether each event gets a clip (explain.clips): cut from the finished recording when
  // the run ends, so never from a segmented one.
  bool cutsEventClips() const;
};

// Reads and validates `file` with `overrides` ("key.path=value", YAML values) applied.
// Relative paths are resolved against the config file's folder. Throws ConfigError.
StreamConfig loadConfig(const std::string& file, const std::vector<std::string>& overrides);
// The same for a config held in memory (programs that write one, as deepbug-bench does):
// `name` stands for the file in messages; relative paths are against the working folder.
StreamConfig loadConfigText(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides);

// "${NAME}" and "${NAME:-default}" replaced from the environment; throws ConfigError
// (prefixed with `where`) for an unset variable without a default.
std::string expandEnvironment(const std::string& text, const std::string& where);

// Every key of the sections that are element settings (model, overlay, explain), with
// its default as config/README.md writes it: the reference is checked against this.
// `default_text` as the reference writes it (`true`, 0.6, `auto`); empty where the
// default is "none" or said in words.
struct DocumentedKey {
  std::string section;
  std::string key;
  std::string default_text;
};
std::vector<DocumentedKey> documentedKeys();

}  // namespace deepbug::stream
