// The latest JPEG of each source's live view, handed from the pipeline to the MJPEG
// clients. The pipeline only ever replaces a frame (it never waits for a client); each
// client takes the newest frame when it is ready for one, so a slow client skips frames
// and a stalled one costs nothing but its own connection.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace deepbug::web {

class LiveFrames {
 public:
  struct Frame {
    std::shared_ptr<const std::string> jpeg;
    std::uint64_t sequence = 0;  // 1 for a source's first frame
  };

  // While one lives, `source` has a viewer: the pipeline encodes its live view only
  // then.
  class Viewer {
   public:
    Viewer(LiveFrames& frames, std::string source);
    ~Viewer();
    Viewer(const Viewer&) = delete;
    Viewer& operator=(const Viewer&) = delete;

   private:
    LiveFrames& frames_;
    std::string source_;
  };

  void publish(const std::string& source, std::string jpeg);
  // Live views of `source` open now.
  int viewers(const std::string& source) const;
  bool watched(const std::string& source) const { return viewers(source) > 0; }
  // The newest frame after `after`, waiting up to `timeout` for one; nothing on timeout
  // or once stopped.
  std::optional<Frame> next(const std::string& source, std::uint64_t after,
                            std::chrono::milliseconds timeout);
  // Wakes every waiting client for good (the server is closing).
  void stop();
  bool stopped() const;

 private:
  struct Slot {
    Frame latest;
    int viewers = 0;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Slot> slots_;
  bool stopped_ = false;
};

}  // namespace deepbug::web
