// The monitoring server of one deepbug-stream run (config `web:`): binds before the run
// writes anything, serves the run's sources and output directory, and takes the run's
// status ticks. The server itself is web/monitor_server.hpp; this is its wiring.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "config.hpp"
#include "web/event_log.hpp"
#include "web/live_frames.hpp"
#include "web/monitor_server.hpp"

namespace deepbug::stream {

class WebMonitor {
 public:
  // Binds the listen address; throws ConfigError when it cannot.
  explicit WebMonitor(const StreamConfig& config);

  void addSource(const std::string& name, const std::string& output_dir);
  void start();
  // The run's status.json content; also notices a server that stopped by itself (a
  // warning once: the run goes on without it).
  void publish(const nlohmann::json& status);

  web::LiveFrames& frames() { return frames_; }
  std::string url() const { return server_->url(); }

 private:
  web::LiveFrames frames_;
  web::EventLog events_;
  std::unique_ptr<web::MonitorServer> server_;
  bool warned_ = false;
};

}  // namespace deepbug::stream
