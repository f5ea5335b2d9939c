// The monitoring server of deepbug-stream: the built page, a read-only JSON API over the
// run's status and events, Server-Sent Events for status ticks and new events, the live
// views as MJPEG, and the files of the output directory — nothing outside it.
// docs/web-api.md is the contract. It runs on its own threads; the pipeline only hands
// it status snapshots (publishStatus) and JPEGs (LiveFrames), never waiting for it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "access_policy.hpp"
#include "event_log.hpp"
#include "listen_address.hpp"
#include "live_frames.hpp"

namespace httplib {
class Server;
}

namespace deepbug::web {

struct MonitorSettings {
  ListenAddress listen;
  std::string token;               // "" only on loopback (the config check enforces it)
  std::vector<std::string> hosts;  // names besides IP addresses and localhost
  double live_fps = 5;             // at most this many MJPEG frames per second per client
  std::filesystem::path output_dir;
  std::filesystem::path ui_dir;  // the built page; may be missing (built without it)
  double clip_pre_roll = 2;      // the score curve around an event
  double clip_post_roll = 2;
};

class MonitorServer {
 public:
  MonitorServer(MonitorSettings settings, LiveFrames& frames, EventLog& events);
  ~MonitorServer();
  MonitorServer(const MonitorServer&) = delete;
  MonitorServer& operator=(const MonitorServer&) = delete;

  // Binds the listen address. Throws ConfigError when it cannot (a port in use), before
  // the run writes anything.
  void bind();
  // Serves on a thread of its own until stop().
  void start();
  void stop();

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:8090"
  // Set when the server stopped by itself (its thread ended): the run goes on without it.
  bool failed() const { return failed_; }

  // A status tick: the sources' entries as status.json holds them. Sent to the event
  // stream with any events written since the last tick.
  void publishStatus(const nlohmann::json& status);

 private:
  struct Message {
    std::uint64_t sequence;
    std::string text;  // "event: …\ndata: …\n\n"
  };
  void routes();
  // Takes a streaming client's place, or says there is none left (each holds a worker
  // thread while open; short requests keep the rest).
  bool admitStreamingClient();
  void releaseStreamingClient();
  void broadcast(const std::string& event, const nlohmann::json& data);
  nlohmann::json sourcesJson() const;

  MonitorSettings settings_;
  LiveFrames& frames_;
  EventLog& events_;
  AccessPolicy access_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> failed_{false};
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable pushed_;
  nlohmann::json status_ = {
      {"running", true}, {"updated", 0}, {"sources", nlohmann::json::array()}};
  int streaming_clients_ = 0;     // live views and event streams open now
  std::deque<Message> messages_;  // the last few, for clients between two waits
  std::uint64_t sequence_ = 0;
};

}  // namespace deepbug::web
