#include "bench_web.hpp"

#include <arpa/inet.h>
#include <gst/gst.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "bench_stats.hpp"
#include "config.hpp"
#include "core/error.hpp"
#include "core/runtime.hpp"
#include "plugin_registry.hpp"
#include "stream_runner.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A browser watching the live view: connects once the run's status.json names the
// server, then reads the MJPEG stream until told to stop, counting the JPEGs.
class LiveViewReader {
 public:
  LiveViewReader(fs::path status_file, std::string source)
      : status_file_(std::move(status_file)), source_(std::move(source)) {
    thread_ = std::thread([this] { run(); });
  }
  ~LiveViewReader() {
    stop_ = true;
    thread_.join();
  }
  LiveViewReader(const LiveViewReader&) = delete;
  LiveViewReader& operator=(const LiveViewReader&) = delete;

  std::size_t frames() const { return frames_; }

 private:
  int port() const {
    std::ifstream in(status_file_);
    const json status = json::parse(in, nullptr, false);
    if (!status.is_object() || !status.contains("web")) return 0;
    const std::string url = status["web"].value("url", std::string());
    return std::atoi(url.substr(url.rfind(':') + 1).c_str());
  }

  void run() {
    int port = 0;
    while (!stop_ && (port = this->port()) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (stop_) return;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      const std::string request = "GET /live/" + source_ +
                                  ".mjpeg HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                  "\r\n\r\n";
      send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      const std::string marker = "image/jpeg";
      std::string tail;
      char buffer[65536];
      while (!stop_) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        // Count part headers, also across two reads.
        tail.append(buffer, static_cast<std::size_t>(n));
        for (auto at = tail.find(marker); at != std::string::npos; at = tail.find(marker, at + 1))
          ++frames_;
        tail.erase(0, tail.size() > marker.size() ? tail.size() - marker.size() + 1 : 0);
      }
    }
    close(fd);
  }

  fs::path status_file_;
  std::string source_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> frames_{0};
  std::thread thread_;
};

struct Case {
  std::string name;
  bool web = false;
  int clients = 0;
};

stream::StreamConfig caseConfig(const WebBenchOptions& o, const Case& c, const fs::path& out) {
  std::ostringstream yaml;
  yaml << "sources:\n  - name: cam\n    uri: " << json(fs::absolute(o.footage).string()).dump()
       << "\nmodel:\n  path: " << json(o.model).dump() << "\n  device: cpu\n"
       << "outputs:\n  directory: " << json(out.string()).dump() << "\n";
  if (c.web) {
    yaml << "web:\n  listen: 127.0.0.1:0\n  live_fps: " << o.live_fps
         << "\n  live_width: " << o.live_width << "\n";
  }
  return stream::loadConfigText(yaml.str(), "(deepbug-bench web options)", {});
}

json runCase(const WebBenchOptions& o, const Case& c, const fs::path& out) {
  fs::remove_all(out);
  const stream::StreamConfig config = caseConfig(o, c, out);
  stream::RunOptions run;
  run.quiet = true;
  run.overwrite = true;
  std::vector<std::unique_ptr<LiveViewReader>> readers;
  for (int i = 0; i < c.clients; ++i)
    readers.push_back(std::make_unique<LiveViewReader>(out / "status.json", "cam"));
  const double cpu_before = processCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const int code = stream::runStream(config, run);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = processCpuSeconds() - cpu_before;
  std::size_t jpegs = 0;
  for (const auto& reader : readers)
    jpegs += reader->frames();
  readers.clear();
  if (code != kExitOk) {
    throw std::runtime_error("deepbug-stream failed in case '" + c.name + "' (exit code " +
                             std::to_string(code) + "); outputs in " + out.string());
  }
  std::ifstream in(out / "cam" / "summary.json");
  const json summary = json::parse(in);
  const auto frames = summary.at("frames_out").get<double>();
  return {{"fps", frames / wall},
          {"cpu_seconds", cpu},
          {"wall_seconds", wall},
          {"frames", frames},
          {"all_frames_recorded", summary.at("frames_out") == summary.at("frames_in")},
          {"live_view_frames_received", jpegs}};
}

}  // namespace

json benchWeb(const WebBenchOptions& o) {
  gst_init(nullptr, nullptr);
  stream::registerDeepbugPlugin();
  if (!fs::is_regular_file(o.model))
    throw ConfigError("no model '" + o.model + "'", "check --model");
  if (!fs::is_regular_file(o.footage)) {
    throw ConfigError("no footage '" + o.footage + "'",
                      "e.g. /usr/share/doc/opencv-doc/examples/data/vtest.avi");
  }
  const fs::path work = !o.work_dir.empty() ? fs::path(o.work_dir)
                                            : fs::temp_directory_path() /
                                                  ("deepbug-bench-web-" + std::to_string(getpid()));
  std::vector<Case> cases{{"web off", false, 0}, {"web on, nobody watching", true, 0}};
  for (int n : o.clients)
    cases.push_back({std::to_string(n) + (n == 1 ? " live view" : " live views"), true, n});

  // Rounds of every case in turn, so a slower moment of the machine spreads over all.
  std::vector<std::vector<json>> runs(cases.size());
  for (int round = 0; round < std::max(1, o.repeat); ++round) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      json result = runCase(o, cases[i], work / ("case-" + std::to_string(i)));
      std::cerr << "deepbug-bench web: " << cases[i].name << ": " << result.dump() << "\n";
      runs[i].push_back(std::move(result));
    }
  }
  if (o.work_dir.empty()) fs::remove_all(work);

  const auto medianOf = [&](std::size_t i, const char* key) {
    Samples samples;
    for (const json& r : runs[i])
      samples.values.push_back(r.at(key).get<double>());
    return samples.median();
  };
  json out = json::array();
  const double base_fps = medianOf(0, "fps"), base_cpu = medianOf(0, "cpu_seconds");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const double fps = medianOf(i, "fps"), cpu = medianOf(i, "cpu_seconds");
    out.push_back({{"case", cases[i].name},
                   {"web", cases[i].web},
                   {"live_view_clients", cases[i].clients},
                   {"fps", fps},
                   {"fps_vs_web_off", fps / base_fps},
                   {"cpu_seconds", cpu},
                   {"cpu_vs_web_off", cpu / base_cpu},
                   {"runs", runs[i]}});
  }
  return {{"benchmark", "web"},
          {"model", o.model},
          {"footage", o.footage},
          {"live_fps", o.live_fps},
          {"live_width", o.live_width},
          {"repeat", o.repeat},
          {"runtime", json::parse(toJson(runtimeInfo()))},
          {"cases", out}};
}

}  // namespace deepbug::bench
