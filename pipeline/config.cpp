#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "config_reader.hpp"
#include "config_sources.hpp"
#include "config_web.hpp"
#include "core/error.hpp"
#include "core/thread_budget.hpp"
#include "settings_yaml.hpp"

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

// How the element-setting sections map onto the elements' tables.
const SectionKeys kModelKeys{{"batch-timeout", "max-lag"},  // live.max_lag sets max-lag
                             {{"model", "path"}}};
const SectionKeys kOverlayKeys{{"heatmap"},  // heatmaps are drawn when explain is on
                               {{"alpha", "heatmap_alpha"}}};
// The explainer preprocesses as the classifier (model.*) and explains its model.
const SectionKeys kExplainKeys{
    {"model", "labels", "input-size", "aspect", "mean", "std", "thumbnail-width"}, {}};

// What the application itself does with explanations (explain_outputs.cpp, clips).
const gst::SettingsTable<ExplainConfig>& explainOutputsTable() {
  using S = ExplainConfig;
  static const gst::SettingsTable<S> table = {
      gst::flag<S>("snapshots", &S::snapshots, "Frame, heatmap and overlay PNGs per frame"),
      gst::flag<S>("relevance-npy", &S::relevance_npy, "And the relevance map as .npy"),
      gst::flag<S>("clips", &S::clips, "A clip per event, cut from the labelled video"),
      gst::number<S>("clip-pre-roll", &S::clip_pre_roll, 0, 3600, "Seconds before the event"),
      gst::number<S>("clip-post-roll", &S::clip_post_roll, 0, 3600, "Seconds after the event"),
  };
  return table;
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void readModel(const Reader& r, const YAML::Node& node, const fs::path& base, ModelConfig& m) {
  r.requireMap(node, "model");
  r.checkKeys(node, "model", keysOf(gst::classifySettingsTable(), kModelKeys));
  if (!node["path"]) r.fail(node, "'model' needs a 'path' to a TorchScript file");
  readSettings(r, node, gst::classifySettingsTable(), kModelKeys, base, m);
  m.where = r.where(node["path"]);
}

void readOverlay(const Reader& r, const YAML::Node& node, OverlayConfig& o) {
  r.requireMap(node, "overlay");
  r.checkKeys(node, "overlay",
              joined({"enabled"}, keysOf(gst::overlaySettingsTable(), kOverlayKeys)));
  if (node["enabled"]) o.enabled = r.boolean(node["enabled"], "enabled");
  readSettings(r, node, gst::overlaySettingsTable(), kOverlayKeys, {}, o);
}

void readExplain(const Reader& r, const YAML::Node& node, ExplainConfig& e) {
  r.requireMap(node, "explain");
  r.checkKeys(node, "explain",
              joined(joined({"enabled"}, keysOf(gst::explainSettingsTable(), kExplainKeys)),
                     keysOf(explainOutputsTable(), {})));
  e.enabled = true;  // a section turns it on unless it says otherwise
  if (node["enabled"]) e.enabled = r.boolean(node["enabled"], "enabled");
  readSettings(r, node, gst::explainSettingsTable(), kExplainKeys, {}, e);
  readSettings(r, node, explainOutputsTable(), {}, {}, e);
  try {
    gst::validate(e);
  } catch (const ConfigError& error) {
    r.fail(node, error.what(), error.hint());
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

namespace {

// The config in `root`, named `file` in messages, relative paths against `base`.
StreamConfig readConfig(YAML::Node root, const std::string& file, const fs::path& base,
                        const std::vector<std::string>& overrides);

YAML::Node parseYaml(const std::function<YAML::Node()>& load, const std::string& file) {
  try {
    return load();
  } catch (const YAML::Exception& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                          std::to_string(e.mark.column + 1) + ": " + e.msg,
                      "the file is not valid YAML");
  }
}

}  // namespace

StreamConfig loadConfig(const std::string& file, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw ConfigError("config file '" + file + "' does not exist", "check --config");
  }
  const YAML::Node root = parseYaml([&] { return YAML::LoadFile(file); }, file);
  return readConfig(root, file, fs::absolute(file).parent_path(), overrides);
}

StreamConfig loadConfigText(const std::string& text, const std::string& name,
                            const std::vector<std::string>& overrides) {
  const YAML::Node root = parseYaml([&] { return YAML::Load(text); }, name);
  return readConfig(root, name, fs::current_path(), overrides);
}

namespace {

StreamConfig readConfig(YAML::Node root, const std::string& file, const fs::path& base,
                        const std::vector<std::string>& overrides) {
  if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);
  std::vector<std::pair<YAML::Node, std::string>> overridden;
  for (const std::string& assignment : overrides) {
    overridden.emplace_back(applyOverride(root, assignment), maskAssignment(assignment));
  }

  const Reader r(file, overridden);
  StreamConfig config;
  config.file = file;
  r.checkKeys(root, "the config",
              {"sources", "model", "overlay", "explain", "live", "outputs", "web"});

  // sources
  const YAML::Node sources = root["sources"];
  if (!sources || !sources.IsSequence() || sources.size() == 0) {
    throw ConfigError(file + ": 'sources' must list at least one source",
                      "sources:\n    - name: entrance\n      uri: footage.mp4");
  }
  readSources(r, sources, base, config);

  const YAML::Node model = root["model"];
  if (!model) throw ConfigError(file + ": 'model' is missing", "model:\n    path: model.pt");
  readModel(r, model, base, config.model);
  if (const YAML::Node overlay = root["overlay"]) readOverlay(r, overlay, config.overlay);

  if (const YAML::Node explain = root["explain"]) {
    readExplain(r, explain, config.explain);
    const ExplainConfig& e = config.explain;
    if (e.enabled && config.model.threads > 0) {
      try {
        ThreadBudget().check(
            {{"classify", 1, config.model.threads},
             {"explain", static_cast<int>(e.concurrency), static_cast<int>(e.threads)}});
      } catch (const ConfigError& error) {
        r.fail(explain, error.what(), error.hint());
      }
    }
  }

  if (const YAML::Node live = root["live"]) readLive(r, live, config);
  if (const YAML::Node web = root["web"]) readWeb(r, web, config.web);

  // outputs
  const YAML::Node outputs = root["outputs"];
  if (!outputs) {
    throw ConfigError(file + ": 'outputs' is missing", "outputs:\n    directory: out");
  }
  r.requireMap(outputs, "outputs");
  r.checkKeys(outputs, "outputs",
              {"directory", "video", "container", "scores", "encoder", "segment_seconds",
               "retention", "display", "display_sink", "status_file", "rtsp"});
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

}  // namespace

std::vector<DocumentedKey> documentedKeys() {
  std::vector<DocumentedKey> keys;
  addDocumentedKeys(keys, "model", gst::classifySettingsTable(), kModelKeys, ModelConfig{});
  keys.push_back({"overlay", "enabled", "`true`"});
  addDocumentedKeys(keys, "overlay", gst::overlaySettingsTable(), kOverlayKeys, OverlayConfig{});
  keys.push_back({"explain", "enabled", ""});  // "`true` when the section exists"
  addDocumentedKeys(keys, "explain", gst::explainSettingsTable(), kExplainKeys, ExplainConfig{});
  addDocumentedKeys(keys, "explain", explainOutputsTable(), {}, ExplainConfig{});
  return keys;
}

bool StreamConfig::anyLive() const {
  return std::any_of(sources.begin(), sources.end(), [](const SourceConfig& s) { return s.live; });
}

bool StreamConfig::cutsEventClips() const {
  return explain.clips && outputs.video && outputs.segment_seconds <= 0;
}

}  // namespace deepbug::stream
