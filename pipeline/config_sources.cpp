#include "config_sources.hpp"

#include <algorithm>
#include <set>

#include "web/access_policy.hpp"
#include "web/listen_address.hpp"

namespace deepbug::stream {
namespace fs = std::filesystem;

namespace {

bool validSourceName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The password in the forms it may appear in text: as written and decoded.
std::vector<std::string> secretsOf(const SourceConfig& s, const SourceUri& parsed) {
  std::vector<std::string> secrets;
  for (const std::string& secret : {s.password, parsed.password, parsed.raw_password}) {
    if (!secret.empty()) secrets.push_back(secret);
  }
  // Longest first, so a password containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

SourceConfig readSource(const Reader& r, const YAML::Node& node, const fs::path& base) {
  r.requireMap(node, "sources item");
  r.checkKeys(node, "a source",
              {"name", "uri", "mode", "user", "password", "protocols", "latency_ms"});
  if (!node["name"]) r.fail(node, "a source needs a 'name'");
  if (!node["uri"]) r.fail(node, "a source needs a 'uri'");
  SourceConfig source;
  source.name = r.text(node["name"], "name");
  if (!validSourceName(source.name)) {
    r.fail(node["name"], "source name '" + source.name + "' is not a folder name",
           "use letters, digits, '-' and '_'");
  }
  source.uri = r.text(node["uri"], "uri");
  source.where = r.where(node["uri"]);
  const SourceUri parsed = parseSourceUri(source.uri, source.where);
  source.kind = parsed.kind;
  source.display_uri = parsed.display;
  source.location = parsed.location;
  source.test = parsed.test;
  source.user = parsed.user;
  source.password = parsed.password;
  if (node["user"]) source.user = r.text(node["user"], "user");
  if (node["password"]) source.password = r.text(node["password"], "password");
  source.secrets = secretsOf(source, parsed);

  const bool camera = source.kind != SourceKind::kFile;
  source.live = camera;
  if (node["mode"]) {
    const std::string mode = r.choice(node["mode"], "mode", {"archive", "live"});
    if (camera && mode == "archive") {
      r.fail(node["mode"],
             "source '" + source.name + "' is a " + toString(source.kind) +
                 " source, which is always live",
             "'mode: archive' is for footage files");
    }
    source.live = mode == "live";
  }
  const bool rtsp = source.kind == SourceKind::kRtsp;
  for (const char* key : {"user", "password", "protocols", "latency_ms"}) {
    if (node[key] && !rtsp) {
      r.fail(node[key], std::string("'") + key + "' applies to rtsp:// sources only");
    }
  }
  if (node["protocols"]) {
    source.protocols = r.choice(node["protocols"], "protocols", {"tcp", "udp", "auto"});
  }
  if (node["latency_ms"]) {
    source.latency_ms = static_cast<int>(r.integer(node["latency_ms"], "latency_ms", 0, 60000));
  }

  if (source.kind == SourceKind::kFile) {
    const fs::path path = source.location;
    const fs::path resolved = path.is_absolute() ? path : base / path;
    std::error_code ec;
    if (!fs::is_regular_file(resolved, ec)) {
      r.fail(node["uri"], "source '" + source.name + "': no file '" + resolved.string() + "'",
             "relative paths are relative to the config file's folder");
    }
    source.location = resolved.lexically_normal().string();
  }
  return source;
}

double seconds(const Reader& r, const YAML::Node& node, const char* key, double min, double max,
               double fallback) {
  return node[key] ? r.number(node[key], key, min, max) : fallback;
}

void readRtsp(const Reader& r, const YAML::Node& node, const OutputsConfig& out, RtspConfig& rtsp) {
  r.requireMap(node, "outputs.rtsp");
  r.checkKeys(node, "outputs.rtsp", {"port", "address", "user", "password"});
  rtsp.enabled = true;
  rtsp.where = r.where(node);
  if (!out.video) {
    r.fail(node, "'outputs.rtsp' needs 'outputs.video: true'",
           "the re-stream sends the recording's H.264; it does not encode a second time");
  }
  if (node["port"]) rtsp.port = static_cast<int>(r.integer(node["port"], "port", 0, 65535));
  if (node["address"]) rtsp.address = r.text(node["address"], "address");
  if (node["user"]) rtsp.user = r.text(node["user"], "user");
  if (node["password"]) rtsp.password = r.text(node["password"], "password");
  // The key a mistake is at, or the section when it is not written.
  const auto at = [&](const char* key) { return node[key] ? node[key] : node; };
  if (!web::isIpLiteral(rtsp.address)) {
    r.fail(at("address"), "'address' = '" + rtsp.address + "' is not an IP address",
           "e.g. 127.0.0.1 (this machine only), 0.0.0.0 (every interface), ::1");
  }
  if (rtsp.user.empty() || rtsp.user.find(':') != std::string::npos) {
    r.fail(at("user"), "'user' must be a name without ':'", "e.g. user: deepbug");
  }
  if (!web::isLoopbackHost(rtsp.address) && rtsp.password.empty()) {
    r.fail(at("address"),
           "'outputs.rtsp.address' " + rtsp.address +
               " lets other machines watch: it needs a 'password'",
           "add password: ${RTSP_PASSWORD} (clients then log in as '" + rtsp.user +
               "'), or keep the default address 127.0.0.1");
  }
  if (!web::isLoopbackHost(rtsp.address) && rtsp.password.size() < web::kMinSecretLength) {
    r.fail(at("password"),
           "'outputs.rtsp.password' is shorter than " + std::to_string(web::kMinSecretLength) +
               " characters, and other machines can try it",
           "use a long random string, e.g. from `openssl rand -hex 24`, through ${ENV}");
  }
}

}  // namespace

void readSources(const Reader& r, const YAML::Node& sources, const fs::path& base,
                 StreamConfig& config) {
  std::set<std::string> names;
  for (const YAML::Node& node : sources) {
    SourceConfig source = readSource(r, node, base);
    if (!names.insert(source.name).second) {
      r.fail(node["name"], "source name '" + source.name + "' is used twice",
             "each source writes to its own folder named after it");
    }
    config.sources.push_back(std::move(source));
  }
}

void readLive(const Reader& r, const YAML::Node& live, StreamConfig& config) {
  r.requireMap(live, "live");
  r.checkKeys(live, "live", {"max_lag", "reconnect", "status_interval"});
  LiveConfig& l = config.live;
  l.max_lag = seconds(r, live, "max_lag", 0, 3600, l.max_lag);
  l.status_interval = seconds(r, live, "status_interval", 0.1, 3600, l.status_interval);
  if (const YAML::Node node = live["reconnect"]) {
    r.requireMap(node, "live.reconnect");
    r.checkKeys(node, "live.reconnect",
                {"enabled", "timeout", "initial_delay", "max_delay", "jitter", "give_up_after"});
    ReconnectConfig& c = l.reconnect;
    if (node["enabled"]) c.enabled = r.boolean(node["enabled"], "enabled");
    c.timeout = seconds(r, node, "timeout", 0.1, 3600, c.timeout);
    // Never 0: a refused connection would be retried in a tight loop.
    c.initial_delay = seconds(r, node, "initial_delay", 0.05, 3600, c.initial_delay);
    c.max_delay = seconds(r, node, "max_delay", 0, 86400, c.max_delay);
    c.jitter = seconds(r, node, "jitter", 0, 1, c.jitter);
    c.give_up_after = seconds(r, node, "give_up_after", 0, 1e9, c.give_up_after);
    if (c.max_delay < c.initial_delay) {
      r.fail(node["max_delay"] ? node["max_delay"] : node,
             "live.reconnect.max_delay is below initial_delay",
             "delays double from initial_delay up to max_delay");
    }
  }
}

void readLiveOutputs(const Reader& r, const YAML::Node& outputs, OutputsConfig& out) {
  out.segment_seconds = seconds(r, outputs, "segment_seconds", 0, 86400 * 7, 0);
  if (out.segment_seconds > 0 && out.segment_seconds < 1) {
    r.fail(outputs["segment_seconds"], "'segment_seconds' must be 0 (one file) or at least 1");
  }
  if (const YAML::Node node = outputs["retention"]) {
    r.requireMap(node, "outputs.retention");
    r.checkKeys(node, "outputs.retention", {"max_age_hours", "max_size_mib"});
    out.retention.max_age_hours = seconds(r, node, "max_age_hours", 0, 1e6, 0);
    out.retention.max_size_mib = seconds(r, node, "max_size_mib", 0, 1e9, 0);
    if (out.segment_seconds <= 0) {
      r.fail(node, "'outputs.retention' needs 'outputs.segment_seconds'",
             "retention deletes whole segments: set segment_seconds, e.g. 600");
    }
  }
  if (outputs["display"]) out.display = r.boolean(outputs["display"], "display");
  if (outputs["display_sink"]) out.display_sink = r.text(outputs["display_sink"], "display_sink");
  if (outputs["status_file"]) out.status_file = r.boolean(outputs["status_file"], "status_file");
  if (const YAML::Node node = outputs["rtsp"]) readRtsp(r, node, out, out.rtsp);
}

}  // namespace deepbug::stream
