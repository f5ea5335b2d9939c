#include "web_monitor.hpp"

#include <filesystem>
#include <iostream>

#include "web/listen_address.hpp"

namespace deepbug::stream {

namespace fs = std::filesystem;

namespace {

// The built page: build/web next to build/bin, or share/deepbug-stream/web when
// installed.
fs::path pageFolder() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path prefix = exe.parent_path().parent_path();
  for (const fs::path& candidate : {prefix / "web", prefix / "share" / "deepbug-stream" / "web"}) {
    if (fs::exists(candidate / "index.html", ec)) return candidate;
  }
  return {};
}

}  // namespace

WebMonitor::WebMonitor(const StreamConfig& config) : events_(config.outputs.directory) {
  web::MonitorSettings settings;
  settings.listen = web::parseListenAddress(config.web.listen, WebConfig::kDefaultPort);
  settings.token = config.web.token;
  settings.hosts = config.web.hosts;
  settings.live_fps = config.web.live_fps;
  settings.output_dir = config.outputs.directory;
  settings.ui_dir = pageFolder();
  settings.clip_pre_roll = config.explain.clip_pre_roll;
  settings.clip_post_roll = config.explain.clip_post_roll;
  server_ = std::make_unique<web::MonitorServer>(std::move(settings), frames_, events_);
  server_->bind();
}

void WebMonitor::addSource(const std::string& name, const std::string& output_dir) {
  events_.addSource(name, output_dir);
}

void WebMonitor::start() {
  server_->start();
}

void WebMonitor::publish(const nlohmann::json& status) {
  if (server_->failed()) {
    if (!warned_) {
      std::cerr << "deepbug-stream: warning: the monitoring server at " << url()
                << " stopped; recording and inference go on\n";
      warned_ = true;
    }
    return;
  }
  server_->publishStatus(status);
}

}  // namespace deepbug::stream
