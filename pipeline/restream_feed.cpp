#include "restream_feed.hpp"

#include <gst/app/gstappsrc.h>

#include <algorithm>

#include "running_time.hpp"

namespace deepbug::stream {
namespace {

// How much a media's appsrc may queue for a client that reads slowly before it drops
// its oldest frames (a few seconds of 1080p).
constexpr guint64 kMaxQueuedBytes = 4 * 1024 * 1024;

GstClockTime shifted(GstClockTime time, GstClockTimeDiff offset) {
  if (!GST_CLOCK_TIME_IS_VALID(time)) return time;
  const GstClockTimeDiff t = static_cast<GstClockTimeDiff>(time) + offset;
  return t > 0 ? static_cast<GstClockTime>(t) : 0;
}

}  // namespace

void RestreamFeed::addMedia(GstElement* appsrc) {
  // Bounded and leaky: a push never waits for a client, and a client that cannot keep
  // up loses its oldest frames (its picture breaks up until the next keyframe).
  g_object_set(appsrc, "format", GST_FORMAT_TIME, "block", FALSE, "max-bytes", kMaxQueuedBytes,
               nullptr);
  gst_util_set_object_arg(G_OBJECT(appsrc), "leaky-type", "downstream");
  std::lock_guard lock(mutex_);
  Target target;
  target.appsrc.reset(GST_ELEMENT(gst_object_ref(appsrc)));
  targets_.push_back(std::move(target));
}

void RestreamFeed::removeMedia(GstElement* appsrc) noexcept {
  std::lock_guard lock(mutex_);
  targets_.erase(std::remove_if(targets_.begin(), targets_.end(),
                                [&](const Target& t) { return t.appsrc.get() == appsrc; }),
                 targets_.end());
}

void RestreamFeed::push(GstSample* sample, int chain) noexcept {
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  GstCaps* caps = gst_sample_get_caps(sample);
  if (buffer == nullptr || caps == nullptr) return;
  std::lock_guard lock(mutex_);
  if (chain < chain_) return;
  chain_ = chain;
  for (Target& target : targets_)
    pushTo(target, buffer, caps);
}

void RestreamFeed::pushTo(Target& target, GstBuffer* buffer, GstCaps* caps) {
  GstElement* appsrc = target.appsrc.get();
  const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  if (!target.started) {
    if (!keyframe) return;  // a client's picture starts at a keyframe, not in grey smears
    // Timestamps are re-based onto the media pipeline's running time: the recording's
    // run started long before this client (or a camera's clock is far from 0), and the
    // server's sinks pace packets by running time. Stamped "now", the first frame goes
    // out at once and the rest at the recording's own pace; decode order (B-frames:
    // DTS before PTS) is kept because both move by the same offset.
    const GstClockTime anchor =
        GST_BUFFER_DTS_IS_VALID(buffer) ? GST_BUFFER_DTS(buffer) : GST_BUFFER_PTS(buffer);
    if (!GST_CLOCK_TIME_IS_VALID(anchor)) return;
    target.offset = static_cast<GstClockTimeDiff>(runningTimeNow(appsrc)) -
                    static_cast<GstClockTimeDiff>(anchor);
  }
  if (!target.caps || !gst_caps_is_equal(target.caps.get(), caps)) {
    gst_app_src_set_caps(GST_APP_SRC(appsrc), caps);
    target.caps.reset(gst_caps_ref(caps));
  }
  GstBuffer* out = gst_buffer_copy(buffer);  // shares the encoded bytes; its own timestamps
  GST_BUFFER_PTS(out) = shifted(GST_BUFFER_PTS(buffer), target.offset);
  GST_BUFFER_DTS(out) = shifted(GST_BUFFER_DTS(buffer), target.offset);
  // FLUSHING until the media has started: the client then starts at the next keyframe,
  // with its caps set again.
  const GstFlowReturn pushed = gst_app_src_push_buffer(GST_APP_SRC(appsrc), out);
  if (!target.started) {
    target.started = pushed == GST_FLOW_OK;
    if (!target.started) target.caps.reset();
  }
}

}  // namespace deepbug::stream
