// The element messages deepbugexplain posts, by structure name; the element writes
// them and applications (deepbug-stream) read them by these names.
#pragma once

namespace deepbug::gst {

// One per event, when it closes: id, target, composite, mode, start-/end-/peak-index
// and -pts, frames, classified-frames, mean-score, peak-score, ended-by-stream-end,
// selected (the frame indices chosen for explanation, comma-separated).
inline constexpr const char* kExplainEventMessage = "deepbug-explain-event";
// One per frame whose explanation failed: frame-index, pts, error. The frame goes out
// without a heatmap.
inline constexpr const char* kExplainFailureMessage = "deepbug-explain-failure";

}  // namespace deepbug::gst
