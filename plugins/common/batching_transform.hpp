// What the two batching GstBaseTransforms (deepbugclassify, deepbugexplain) share:
// their submit_input_buffer holds frames back and queues those that may leave, the
// base class's generate_output hands them out one at a time, in order; and both ask
// upstream whether it is live once, at the first frame.
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>

#include <deque>
#include <memory>

#include "common/gst_ptr.hpp"

namespace deepbug::gst {

// The buffers that may leave, oldest first, each owned until it leaves.
using ReadyQueue = std::deque<OwnedBuffer>;

// generate_output: the oldest ready buffer, or none (*out = nullptr) — never fails.
inline GstFlowReturn takeReady(ReadyQueue& ready, GstBuffer** out) noexcept {
  *out = nullptr;
  if (!ready.empty()) {
    *out = ready.front().release();
    ready.pop_front();
  }
  return GST_FLOW_OK;
}

// Outside generate_output (a drain before an event, a timer): pushes every ready buffer
// downstream in order. Once a push fails the rest are dropped; returns that failure.
inline GstFlowReturn pushReady(GstBaseTransform* trans, ReadyQueue& ready) {
  GstFlowReturn ret = GST_FLOW_OK;
  while (!ready.empty()) {
    OwnedBuffer buffer = std::move(ready.front());
    ready.pop_front();
    if (ret == GST_FLOW_OK) {
      ret = gst_pad_push(GST_BASE_TRANSFORM_SRC_PAD(trans), buffer.release());
    }
  }
  return ret;
}

// submit_input_buffer's first step: the base class (`parent`) handles reconfiguration
// and queues `input`; the queued buffer is then taken from it. Empty when there is
// nothing to take: return `flow` then.
inline OwnedBuffer takeSubmitted(GstBaseTransformClass* parent, GstBaseTransform* trans,
                                 gboolean discont, GstBuffer* input, GstFlowReturn& flow) {
  flow = parent->submit_input_buffer(trans, discont, input);
  OwnedBuffer taken(trans->queued_buf);
  trans->queued_buf = nullptr;
  if (flow != GST_FLOW_OK) taken.reset();
  return taken;
}

// Whether the source upstream is live (a camera), by a LATENCY query.
inline bool upstreamIsLive(GstBaseTransform* trans) {
  const OwnedQuery query(gst_query_new_latency());
  gboolean live = FALSE;
  if (gst_pad_peer_query(GST_BASE_TRANSFORM_SINK_PAD(trans), query.get())) {
    gst_query_parse_latency(query.get(), &live, nullptr, nullptr);
  }
  return live;
}

}  // namespace deepbug::gst
