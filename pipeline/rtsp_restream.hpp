// The RTSP re-stream (`outputs.rtsp`): one gst-rtsp-server for the run, serving each
// source's labelled stream at rtsp://ADDRESS:PORT/NAME (DeepStream's convention), so VLC
// or an NVR can watch. Each mount re-sends its source's recording (restream_feed.hpp);
// nothing is encoded twice. Served from the default main context, the one the run's
// main loop runs; clients are handled on threads of their own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "restream_feed.hpp"

namespace deepbug::stream {

class RtspRestream {
 public:
  // Binds address:port and mounts /NAME for each of `names`. Throws ConfigError when
  // the port cannot be bound (in use, or not an address of this machine).
  RtspRestream(const RtspConfig& config, const std::vector<std::string>& names);
  ~RtspRestream();  // drops the clients
  RtspRestream(const RtspRestream&) = delete;
  RtspRestream& operator=(const RtspRestream&) = delete;

  int port() const { return port_; }
  // The feed of the `index`th name's mount.
  RestreamFeed& feed(std::size_t index) { return *feeds_.at(index); }

 private:
  struct Server;  // gst-rtsp-server's objects
  std::unique_ptr<Server> server_;
  std::vector<std::shared_ptr<RestreamFeed>> feeds_;
  int port_ = 0;
};

// rtsp://address:port/name, an IPv6 address in brackets.
std::string restreamUrl(const std::string& address, int port, const std::string& name);

}  // namespace deepbug::stream
