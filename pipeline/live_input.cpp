#include "live_input.hpp"

#include "common/guarded.hpp"
#include "running_time.hpp"
#include "source_input.hpp"
#include "utc_time.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_live_debug);
#define GST_CAT_DEFAULT deepbug_live_debug

namespace deepbug::stream {
using nlohmann::json;

namespace {

constexpr guint kTickMs = 100;

}  // namespace

LiveInput::LiveInput(const SourceConfig& source, const ReconnectConfig& reconnect,
                     GstElement* pipeline, GstPad* entry, Callbacks callbacks)
    : source_(source),
      config_(reconnect),
      policy_(reconnect, std::hash<std::string>{}(source.name)),
      pipeline_(pipeline),
      entry_(GST_PAD(gst_object_ref(entry))),
      callbacks_(std::move(callbacks)) {
  static const bool category = [] {
    GST_DEBUG_CATEGORY_INIT(deepbug_live_debug, "deepbug-live", 0, "DeepBug live inputs");
    return true;
  }();
  (void)category;
  probe_ = gst_pad_add_probe(
      entry_.get(),
      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
                                   GST_PAD_PROBE_TYPE_EVENT_FLUSH),
      &LiveInput::entryProbe, this, nullptr);
  watchdog_ = g_timeout_add(
      kTickMs,
      [](gpointer self) -> gboolean {
        auto* input = static_cast<LiveInput*>(self);
        // Nothing unwinds into GLib: a failed tick is posted as the input's error.
        gst::guarded(GST_PAD_PARENT(input->entry_.get()), "watching the live input",
                     [&] { input->tick(); });
        return G_SOURCE_CONTINUE;
      },
      this);
}

LiveInput::~LiveInput() {
  if (watchdog_ != 0) g_source_remove(watchdog_);
  if (retry_timer_ != 0) g_source_remove(retry_timer_);
  gst_pad_remove_probe(entry_.get(), probe_);
}

bool LiveInput::reconnectsEnabled() const {
  return config_.enabled &&
         (source_.kind == SourceKind::kRtsp || source_.kind == SourceKind::kV4l2);
}

void LiveInput::connect() {
  retry_timer_ = 0;
  if (stopping_) return;
  const std::string name = "input-" + std::to_string(++generation_);
  GstElement* bin = makeSourceInput(source_, name.c_str());
  // The bin completes its own children's asynchronous state changes: otherwise a
  // decoder prerolling inside it leaves it in PAUSED in an already PLAYING pipeline.
  g_object_set(bin, "async-handling", TRUE, nullptr);
  {
    std::lock_guard lock(timeline_mutex_);
    timeline_.reconnect();
  }
  connection_has_frames_ = false;
  ended_ = false;
  gst_bin_add(GST_BIN(pipeline_), bin);
  const gst::ObjectRef<GstPad> out = gst::staticPad(bin, "src");
  const GstPadLinkReturn linked = gst_pad_link(out.get(), entry_.get());
  if (GST_PAD_LINK_FAILED(linked)) {
    gst_bin_remove(GST_BIN(pipeline_), bin);
    throw std::runtime_error("cannot link the input of '" + source_.name + "'");
  }
  input_ = bin;
  state_ = State::kConnecting;
  GST_INFO("%s: connecting %s", source_.name.c_str(), name.c_str());
  connect_started_us_ = g_get_monotonic_time();
  if (!gst_element_sync_state_with_parent(bin)) {
    // The bus holds the reason; it arrives as an error from this input.
    GST_WARNING("input of %s did not start", source_.name.c_str());
  }
}

void LiveInput::stop() {
  stopping_ = true;
  if (retry_timer_ != 0) {
    g_source_remove(retry_timer_);
    retry_timer_ = 0;
  }
  if (state_ == State::kWaiting) state_ = State::kStopped;
}

bool LiveInput::owns(GstObject* source) const {
  return input_ != nullptr && gst_object_has_as_ancestor(source, GST_OBJECT(input_));
}

bool LiveInput::stale(GstObject* source) const {
  return !gst_object_has_as_ancestor(source, GST_OBJECT(pipeline_));
}

bool LiveInput::onInputError(const std::string& message) {
  if (!reconnectsEnabled() || stopping_) return false;
  beginOutage(message);
  return true;
}

// The bin leaves the pipeline at once; it is stopped off the main loop, since stopping
// waits for its streaming thread, which may sit in a full queue or a network call.
// Whatever it posts meanwhile goes nowhere (it has no parent) or is stale().
void LiveInput::removeInput() {
  if (input_ == nullptr) return;
  // Ours until the call below, which holds its own reference until it has run.
  const gst::ObjectRef<GstElement> bin(GST_ELEMENT(gst_object_ref(input_)));
  input_ = nullptr;
  gst_bin_remove(GST_BIN(pipeline_), bin.get());
  gst_element_call_async(
      bin.get(),
      [](GstElement* element, gpointer) { gst_element_set_state(element, GST_STATE_NULL); },
      nullptr, nullptr);
}

void LiveInput::beginOutage(const std::string& reason) {
  GST_INFO("%s: outage (%s) in state %s", source_.name.c_str(), reason.c_str(), state());
  if (state_ == State::kWaiting || state_ == State::kStopped || stopping_) return;
  const gint64 now = g_get_monotonic_time();
  if (!outage_start_us_) {
    outage_start_us_ = now;
    outage_start_unix_us_ = g_get_real_time();
    outage_reason_ = source_.redacted(reason);
    callbacks_.warn("outage: " + outage_reason_ + "; reconnecting");
  }
  removeInput();
  state_ = State::kWaiting;
  if (policy_.givesUp((now - *outage_start_us_) / 1e6)) {
    state_ = State::kStopped;
    callbacks_.give_up("no frames for " + std::to_string(static_cast<long>(config_.give_up_after)) +
                       " s (" + outage_reason_ + "); live.reconnect.give_up_after reached");
    return;
  }
  const double delay = policy_.delay(attempt_++);
  GST_INFO("%s: retry %d in %.2f s", source_.name.c_str(), attempt_, delay);
  retry_timer_ = g_timeout_add(
      static_cast<guint>(delay * 1000),
      [](gpointer self) -> gboolean {
        auto* input = static_cast<LiveInput*>(self);
        try {
          input->connect();
        } catch (const std::exception& e) {
          input->state_ = State::kConnecting;  // retried by tick() after the timeout
          input->connect_started_us_ = g_get_monotonic_time();
          input->callbacks_.warn(std::string("reconnect failed: ") + e.what());
        }
        return G_SOURCE_REMOVE;
      },
      this);
}

void LiveInput::tick() {
  if (stopping_) return;
  const gint64 now = g_get_monotonic_time();
  if (state_ == State::kConnecting && connection_has_frames_) {
    state_ = State::kStreaming;
    if (outage_start_us_) {
      const gint64 end = connection_first_frame_us_;
      const double seconds = (end - *outage_start_us_) / 1e6;
      outage_seconds_ += seconds;
      reconnects_ += 1;
      outages_.push_back({{"start", isoUtc(outage_start_unix_us_ * 1000)},
                          {"seconds", seconds},
                          {"reason", outage_reason_},
                          {"attempts", attempt_}});
      outage_start_us_.reset();
    }
    attempt_ = 0;
  }
  if (!reconnectsEnabled()) return;
  if (ended_.exchange(false) && state_ != State::kWaiting) {
    beginOutage("the camera ended its stream");
    return;
  }
  if (state_ == State::kConnecting || state_ == State::kStreaming) {
    const gint64 since = state_ == State::kStreaming ? last_frame_us_.load() : connect_started_us_;
    if (now - since > static_cast<gint64>(config_.timeout * 1e6)) {
      beginOutage(state_ == State::kStreaming
                      ? "no frames for " + std::to_string(config_.timeout) + " s"
                      : "no frames within " + std::to_string(config_.timeout) + " s of connecting");
    }
  }
}

GstPadProbeReturn LiveInput::entryProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self) {
  return gst::guarded(GST_PAD_PARENT(pad), "re-timing a live frame", GST_PAD_PROBE_OK,
                      [&] { return static_cast<LiveInput*>(self)->onEntry(info); });
}

// Streaming thread of the current input (or the main thread sending the final EOS).
GstPadProbeReturn LiveInput::onEntry(GstPadProbeInfo* info) {
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    const std::optional<std::int64_t> pts =
        GST_BUFFER_PTS_IS_VALID(buffer)
            ? std::optional<std::int64_t>(static_cast<std::int64_t>(GST_BUFFER_PTS(buffer)))
            : std::nullopt;
    const auto now = static_cast<std::int64_t>(runningTimeNow(pipeline_));
    {
      std::lock_guard lock(timeline_mutex_);
      GST_BUFFER_PTS(buffer) = static_cast<GstClockTime>(timeline_.restamp(pts, now));
    }
    GST_BUFFER_DTS(buffer) = GST_CLOCK_TIME_NONE;
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    const gint64 mono = g_get_monotonic_time();
    last_frame_us_ = mono;
    if (!connection_has_frames_.load()) {
      connection_first_frame_us_ = mono;  // before the flag: tick() reads it after the flag
      connection_has_frames_ = true;
    }
    return GST_PAD_PROBE_OK;
  }
  GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_STREAM_START:
      if (stream_started_) return GST_PAD_PROBE_DROP;
      stream_started_ = true;
      return GST_PAD_PROBE_OK;
    case GST_EVENT_SEGMENT: {
      if (segment_sent_) return GST_PAD_PROBE_DROP;
      segment_sent_ = true;
      // Frames carry pipeline running time from here on, whatever the source's segment.
      GstSegment segment;
      gst_segment_init(&segment, GST_FORMAT_TIME);
      gst::OwnedEvent replaced(event);  // the source's own segment, dropped
      GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_segment(&segment);
      return GST_PAD_PROBE_OK;
    }
    case GST_EVENT_EOS:
      if (stopping_ || !reconnectsEnabled()) return GST_PAD_PROBE_OK;
      ended_ = true;  // the camera ended its stream: tick() rebuilds the input
      return GST_PAD_PROBE_DROP;
    case GST_EVENT_FLUSH_START:
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_GAP:
      return GST_PAD_PROBE_DROP;
    default:
      return GST_PAD_PROBE_OK;
  }
}

const char* LiveInput::state() const {
  switch (state_) {
    case State::kConnecting:
      return outage_start_us_ ? "reconnecting" : "connecting";
    case State::kStreaming:
      return "streaming";
    case State::kWaiting:
      return "waiting to reconnect";
    case State::kStopped:
      return "stopped";
  }
  return "?";
}

double LiveInput::outageSeconds() const {
  const double open = outage_start_us_ ? (g_get_monotonic_time() - *outage_start_us_) / 1e6 : 0;
  return outage_seconds_ + open;
}

json LiveInput::summary() const {
  json s{{"state", state()},
         {"reconnects", reconnects_},
         {"outage_seconds", outageSeconds()},
         {"outages", outages_}};
  if (outage_start_us_) {
    s["current_outage"] = {{"start", isoUtc(outage_start_unix_us_ * 1000)},
                           {"reason", outage_reason_},
                           {"attempts", attempt_}};
  }
  return s;
}

}  // namespace deepbug::stream
