#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "config_reader.hpp"
#include "config_sources.hpp"
#include "core/error.hpp"
#include "core/thread_budget.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;

namespace {

// Applies "a.b.0.c=value" onto the tree; the value is parsed as YAML. Returns the
// node now in the tree, so that errors about it can name the --set.
YAML::Node applyOverride(YAML::Node& root, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError("--set '" + maskAssignment(assignment) + "' is not key=value",
                      "e.g. --set model.batch_size=8");
  }
  const std::string path = assignment.substr(0, equals);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError("--set '" + maskAssignment(assignment) + "': the value is not YAML (" +
                      e.msg + ")");
  }
  std::vector<std::string> keys;
  std::stringstream parts(path);
  for (std::string key; std::getline(parts, key, '.');)
    keys.push_back(key);
  // yaml-cpp nodes are handles: walk with copies, assign at the end.
  std::vector<YAML::Node> chain{root};
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node parent = chain.back();
    const std::string& key = keys[i];
    const bool index = !key.empty() && std::all_of(key.begin(), key.end(), ::isdigit);
    if (index && parent.IsSequence()) {
      const std::size_t n = std::stoul(key);
      if (n >= parent.size()) {
        throw ConfigError(
            "--set '" + maskAssignment(assignment) + "': item " + key + " does not exist",
            "the list has " + std::to_string(parent.size()) + " items");
      }
      chain.push_back(parent[n]);
    } else {
      chain.push_back(parent[key]);
    }
  }
  YAML::Node parent = chain.back();
  const std::string& last = keys.back();
  if (parent.IsSequence() && std::all_of(last.begin(), last.end(), ::isdigit)) {
    parent[std::stoul(last)] = value;
    return parent[std::stoul(last)];
  }
  parent[last] = value;
  return parent[last];
}

void readExplain(const Reader& r, const YAML::Node& node, StreamConfig& config) {
  r.requireMap(node, "explain");
  r.checkKeys(node, "explain", {"enabled",       "target",
                                "composite",     "rules",
                                "init",          "mode",
                                "device",        "threshold_on",
                                "threshold_off", "min_frames",
                                "every_n",       "top_k",
                                "max_rate",      "max_event_frames",
                                "batch_size",    "concurrency",
                                "threads",       "max_in_flight",
                                "snapshots",     "relevance_npy",
                                "clips",         "clip_pre_roll",
                                "clip_post_roll"});
  ExplainConfig& e = config.explain;
  e.enabled = true;  // a section turns it on unless it says otherwise
  if (node["enabled"]) e.enabled = r.boolean(node["enabled"], "enabled");
  if (node["target"]) e.target = r.text(node["target"], "target");
  if (node["composite"]) e.composite = r.text(node["composite"], "composite");
  if (node["rules"]) {
    if (!node["rules"].IsSequence()) {
      r.fail(node["rules"], "'rules' must be a list of LAYER=RULE overrides",
             "e.g. rules: [\"0=zbox\", \"fc1=epsilon:0.25\"]");
    }
    for (const YAML::Node& rule : node["rules"])
      e.rules.push_back(r.text(rule, "rules"));
  }
  if (node["init"]) e.init = r.choice(node["init"], "init", {"logit", "one", "contrastive"});
  if (node["mode"]) e.mode = r.choice(node["mode"], "mode", {"auto", "archive", "live"});
  if (node["device"]) e.device = r.text(node["device"], "device");
  if (node["threshold_on"]) e.threshold_on = r.number(node["threshold_on"], "threshold_on", 0, 1);
  if (node["threshold_off"]) {
    e.threshold_off = r.number(node["threshold_off"], "threshold_off", 0, 1);
  }
  if (e.threshold_off > e.threshold_on) {
    r.fail(node["threshold_off"] ? node["threshold_off"] : node,
           "explain.threshold_off is above threshold_on",
           "an event opens at threshold_on and closes below threshold_off <= threshold_on");
  }
  auto count = [&](const char* key, int& value, long min, long max) {
    if (node[key]) value = static_cast<int>(r.integer(node[key], key, min, max));
  };
  count("min_frames", e.min_frames, 1, 1000000);
  count("every_n", e.every_n, 0, 1000000);
  count("top_k", e.top_k, 1, 1000000);
  count("max_event_frames", e.max_event_frames, 1, 1000000);
  count("batch_size", e.batch_size, 1, 256);
  count("concurrency", e.concurrency, 1, 64);
  count("threads", e.threads, 1, 256);
  count("max_in_flight", e.max_in_flight, 1, 256);
  if (node["max_rate"]) e.max_rate = r.number(node["max_rate"], "max_rate", 0, 1e6);
  if (e.max_event_frames < e.min_frames) {
    r.fail(node["max_event_frames"] ? node["max_event_frames"] : node,
           "explain.max_event_frames is below min_frames",
           "a chunk of a long event must be at least one event long");
  }
  if (node["snapshots"]) e.snapshots = r.boolean(node["snapshots"], "snapshots");
  if (node["relevance_npy"]) e.relevance_npy = r.boolean(node["relevance_npy"], "relevance_npy");
  if (node["clips"]) e.clips = r.boolean(node["clips"], "clips");
  if (node["clip_pre_roll"]) {
    e.clip_pre_roll = r.number(node["clip_pre_roll"], "clip_pre_roll", 0, 3600);
  }
  if (node["clip_post_roll"]) {
    e.clip_post_roll = r.number(node["clip_post_roll"], "clip_post_roll", 0, 3600);
  }
}

}  // namespace

std::string expandEnvironment(const std::string& text, const std::string& where) {
  static const std::regex pattern(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\})");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), pattern);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += text.substr(last, static_cast<std::size_t>(m.position()) - last);
    const char* value = std::getenv(m[1].str().c_str());
    if (value != nullptr && *value != '\0') {
      out += value;
    } else if (m[2].matched) {
      out += m[3].str();
    } else {
      throw ConfigError(where + ": environment variable " + m[1].str() + " is not set",
                        "set it, or give a default: ${" + m[1].str() + ":-value}");
    }
    last = static_cast<std::size_t>(m.position() + m.length());
  }
  return out + text.substr(last);
}

StreamConfig loadConfig(const std::string& file, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw ConfigError("config file '" + file + "' does not exist", "check --config");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                          std::to_string(e.mark.column + 1) + ": " + e.msg,
                      "the file is not valid YAML");
  }
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  std::vector<std::pair<YAML::Node, std::string>> overridden;
  for (const std::string& assignment : overrides) {
    overridden.emplace_back(applyOverride(root, assignment), maskAssignment(assignment));
  }

  const Reader r(file, overridden);
  const fs::path base = fs::absolute(file).parent_path();
  StreamConfig config;
  config.file = file;
  r.checkKeys(root, "the config", {"sources", "model", "overlay", "explain", "live", "outputs"});

  // sources
  const YAML::Node sources = root["sources"];
  if (!sources || !sources.IsSequence() || sources.size() == 0) {
    throw ConfigError(file + ": 'sources' must list at least one source",
                      "sources:\n    - name: entrance\n      uri: footage.mp4");
  }
  readSources(r, sources, base, config);

  // model
  const YAML::Node model = root["model"];
  if (!model) throw ConfigError(file + ": 'model' is missing", "model:\n    path: model.pt");
  r.requireMap(model, "model");
  r.checkKeys(model, "model",
              {"path", "device", "precision", "batch_size", "interval", "threads", "labels",
               "input_size", "aspect", "mean", "std"});
  if (!model["path"]) r.fail(model, "'model' needs a 'path' to a TorchScript file");
  ModelConfig& m = config.model;
  m.path = r.existingFile(model["path"], "path", base);
  m.where = r.where(model["path"]);
  if (model["device"]) m.device = r.text(model["device"], "device");
  if (model["precision"])
    m.precision = r.choice(model["precision"], "precision", {"fp32", "bf16", "fp16"});
  if (model["batch_size"])
    m.batch_size = static_cast<int>(r.integer(model["batch_size"], "batch_size", 1, 256));
  if (model["interval"])
    m.interval = static_cast<int>(r.integer(model["interval"], "interval", 1, 100000));
  if (model["threads"])
    m.threads = static_cast<int>(r.integer(model["threads"], "threads", 0, 1024));
  if (model["input_size"])
    m.input_size = static_cast<int>(r.integer(model["input_size"], "input_size", 0, 4096));
  if (model["aspect"]) {
    m.aspect =
        r.choice(model["aspect"], "aspect", {"model", "stretch", "letterbox", "center-crop"});
  }
  if (model["labels"]) {
    if (!model["labels"].IsSequence()) r.fail(model["labels"], "'labels' must be a list of names");
    for (const YAML::Node& label : model["labels"])
      m.labels.push_back(r.text(label, "labels"));
  }
  if (model["mean"]) m.mean = r.triple(model["mean"], "mean");
  if (model["std"]) m.std = r.triple(model["std"], "std");

  // overlay
  if (const YAML::Node overlay = root["overlay"]) {
    r.requireMap(overlay, "overlay");
    r.checkKeys(
        overlay, "overlay",
        {"enabled", "watch", "threshold", "show_label", "show_bar", "border_width", "heatmap_alpha",
         "positive_only", "hold_frames", "fade", "picture_in_picture", "legend"});
    OverlayConfig& o = config.overlay;
    if (overlay["enabled"]) o.enabled = r.boolean(overlay["enabled"], "enabled");
    if (overlay["watch"]) o.watch = r.text(overlay["watch"], "watch");
    if (overlay["threshold"]) o.threshold = r.number(overlay["threshold"], "threshold", 0, 1);
    if (overlay["show_label"]) o.show_label = r.boolean(overlay["show_label"], "show_label");
    if (overlay["show_bar"]) o.show_bar = r.boolean(overlay["show_bar"], "show_bar");
    if (overlay["border_width"]) {
      o.border_width = static_cast<int>(r.integer(overlay["border_width"], "border_width", 0, 256));
    }
    if (overlay["heatmap_alpha"]) {
      o.heatmap_alpha = r.number(overlay["heatmap_alpha"], "heatmap_alpha", 0, 1);
    }
    if (overlay["positive_only"]) {
      o.positive_only = r.boolean(overlay["positive_only"], "positive_only");
    }
    if (overlay["hold_frames"]) {
      o.hold_frames = static_cast<int>(r.integer(overlay["hold_frames"], "hold_frames", 0, 100000));
    }
    if (overlay["fade"]) o.fade = r.boolean(overlay["fade"], "fade");
    if (overlay["picture_in_picture"]) {
      o.picture_in_picture = r.boolean(overlay["picture_in_picture"], "picture_in_picture");
    }
    if (overlay["legend"]) o.legend = r.boolean(overlay["legend"], "legend");
  }

  if (const YAML::Node explain = root["explain"]) {
    readExplain(r, explain, config);
    const ExplainConfig& e = config.explain;
    if (e.enabled && config.model.threads > 0) {
      try {
        ThreadBudget().check(
            {{"classify", 1, config.model.threads}, {"explain", e.concurrency, e.threads}});
      } catch (const ConfigError& error) {
        r.fail(explain, error.what(), error.hint());
      }
    }
  }

  if (const YAML::Node live = root["live"]) readLive(r, live, config);

  // outputs
  const YAML::Node outputs = root["outputs"];
  if (!outputs) {
    throw ConfigError(file + ": 'outputs' is missing", "outputs:\n    directory: out");
  }
  r.requireMap(outputs, "outputs");
  r.checkKeys(outputs, "outputs",
              {"directory", "video", "container", "scores", "encoder", "segment_seconds",
               "retention", "display", "display_sink", "status_file"});
  if (!outputs["directory"]) r.fail(outputs, "'outputs' needs a 'directory'");
  const std::string directory = r.text(outputs["directory"], "directory");
  config.outputs.directory =
      (fs::path(directory).is_absolute() ? fs::path(directory) : base / directory)
          .lexically_normal()
          .string();
  OutputsConfig& out = config.outputs;
  if (outputs["video"]) out.video = r.boolean(outputs["video"], "video");
  if (outputs["container"]) {
    out.container = r.choice(outputs["container"], "container", {"mp4", "mkv", "fragmented-mp4"});
  }
  if (outputs["scores"]) out.scores = r.boolean(outputs["scores"], "scores");
  if (const YAML::Node encoder = outputs["encoder"]) {
    r.requireMap(encoder, "encoder");
    r.checkKeys(encoder, "outputs.encoder",
                {"preset", "bitrate_kbps", "quality", "keyframe_seconds"});
    if (encoder["preset"]) {
      out.encoder.preset = r.choice(encoder["preset"], "preset",
                                    {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                     "medium", "slow", "slower", "veryslow"});
    }
    if (encoder["bitrate_kbps"]) {
      out.encoder.bitrate_kbps =
          static_cast<int>(r.integer(encoder["bitrate_kbps"], "bitrate_kbps", 0, 200000));
    }
    if (encoder["quality"]) {
      out.encoder.quality = static_cast<int>(r.integer(encoder["quality"], "quality", 0, 51));
    }
    if (encoder["keyframe_seconds"]) {
      out.encoder.keyframe_seconds =
          r.number(encoder["keyframe_seconds"], "keyframe_seconds", 0.1, 3600);
    }
  }
  readLiveOutputs(r, outputs, out);
  return config;
}

bool StreamConfig::anyLive() const {
  return std::any_of(sources.begin(), sources.end(), [](const SourceConfig& s) { return s.live; });
}

}  // namespace deepbug::stream
