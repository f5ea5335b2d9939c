// A live source's input, kept alive: builds the source bin (source_input.hpp) in a
// running pipeline, feeds `entry`, and when the camera stops sending — it ends the
// stream, errors out, or sends nothing for `reconnect.timeout` — tears the bin down and
// builds a new one with exponential backoff. Downstream never notices: timestamps are
// re-based (live_timeline.hpp), the new connection's stream-start, segment, flush and
// EOS events are kept out, so the recording continues as one stream with a gap.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/gst_ptr.hpp"
#include "config.hpp"
#include "live_timeline.hpp"
#include "reconnect_policy.hpp"

namespace deepbug::stream {

class LiveInput {
 public:
  struct Callbacks {
    std::function<void(const std::string&)> warn;     // a line for the summary's warnings
    std::function<void(const std::string&)> give_up;  // the camera is gone for good
  };

  // `pipeline` must be PLAYING before connect(). `entry` is the sink pad the input feeds.
  LiveInput(const SourceConfig& source, const ReconnectConfig& reconnect, GstElement* pipeline,
            GstPad* entry, Callbacks callbacks);
  ~LiveInput();
  LiveInput(const LiveInput&) = delete;
  LiveInput& operator=(const LiveInput&) = delete;

  void connect();
  // From now on an end of stream passes downstream and nothing is rebuilt.
  void stop();

  // Bus messages: true when `source` belongs to the current input.
  bool owns(GstObject* source) const;
  // True when `source` belongs to an input that has been replaced (its late messages).
  bool stale(GstObject* source) const;
  // An error from the current input. Returns true when it became an outage (a retry
  // follows); false when the source should fail as a file would.
  bool onInputError(const std::string& message);

  const char* state() const;
  std::uint64_t reconnects() const { return reconnects_; }
  double outageSeconds() const;
  nlohmann::json summary() const;

 private:
  enum class State { kConnecting, kStreaming, kWaiting, kStopped };

  bool reconnectsEnabled() const;
  void beginOutage(const std::string& reason);
  void removeInput();
  void tick();  // main loop: notices the first frame of a connection, and silence
  GstPadProbeReturn onEntry(GstPadProbeInfo* info);

  static GstPadProbeReturn entryProbe(GstPad*, GstPadProbeInfo* info, gpointer self);

  const SourceConfig& source_;
  ReconnectConfig config_;
  ReconnectPolicy policy_;
  GstElement* pipeline_;
  gst::ObjectRef<GstPad> entry_;
  Callbacks callbacks_;

  GstElement* input_ = nullptr;  // the current bin, owned by the pipeline
  int generation_ = 0;           // names bins input-N
  State state_ = State::kConnecting;
  guint retry_timer_ = 0;
  guint watchdog_ = 0;
  gulong probe_ = 0;
  gint64 connect_started_us_ = 0;
  int attempt_ = 0;

  // Outages: from the first sign of silence to the next connection's first frame.
  std::optional<gint64> outage_start_us_;
  gint64 outage_start_unix_us_ = 0;
  std::string outage_reason_;
  double outage_seconds_ = 0;
  std::uint64_t reconnects_ = 0;
  nlohmann::json outages_ = nlohmann::json::array();

  // Streaming thread ↔ main loop.
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connection_has_frames_{false};
  std::atomic<bool> ended_{false};  // the current input sent EOS
  std::atomic<gint64> connection_first_frame_us_{0};
  std::atomic<gint64> last_frame_us_{0};
  std::mutex timeline_mutex_;
  LiveTimeline timeline_;
  bool stream_started_ = false;  // streaming thread only
  bool segment_sent_ = false;
};

}  // namespace deepbug::stream
