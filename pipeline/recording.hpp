// The encoding end of a source's pipeline, after its encode queue:
//
//   videoconvert ─► x264enc ─► h264parse ─► mp4mux|matroskamux ─► filesink
//                                        └► splitmuxsink (segments named by segment_namer)
//
// With an RTSP re-stream, a tee after h264parse hands the encoded frames to its feed too
// (restream_tap.hpp).
//
// A muxer cannot change the picture size of a file it is writing. When frames of another
// size (or rate) arrive — a camera back at another resolution after a reconnect — the
// file is finished (EOS into its chain: the muxer writes its index) and the recording
// continues in a new chain, `labelled-2.mp4`, `-3`… (segmented: the next segment). It
// happens on the streaming thread that carries the new caps, before any frame of the new
// size, so no frame is lost; the finished chain leaves the pipeline once its EOS reached
// the file.
#pragma once

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/gst_ptr.hpp"
#include "config.hpp"
#include "restream_feed.hpp"
#include "source_probe.hpp"

namespace deepbug::stream {

class Recording {
 public:
  // The next segment's path, for splitmuxsink's format-location (segmented recording).
  using SegmentNamer = std::function<std::string(guint fragment)>;

  // `video_path`: the first file (unsegmented); later ones get -2, -3 before the extension.
  // `restream`: the source's RTSP re-stream, or null.
  Recording(GstElement* pipeline, const StreamConfig& config, const SourceInfo& info,
            std::string video_path, SegmentNamer segment_namer, RestreamFeed* restream = nullptr);
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;

  // Builds the first chain and links `queue` (the encode queue) to it. Throws when an
  // element is missing or cannot link.
  void attach(GstElement* queue);

  // The files written, in order (unsegmented recording).
  std::vector<std::string> files() const;
  // The stream time (seconds) of the first frame of each file after the first.
  std::vector<double> laterFileStarts() const;

 private:
  struct Chain {
    std::vector<GstElement*> elements;  // in the pipeline, upstream first
    GstElement* sink = nullptr;         // the file sink (splitmuxsink's own, when segmented)
  };

  Chain buildChain(int number);
  GstPadProbeReturn onQueueOutput(GstPad* pad, GstPadProbeInfo* info);
  void switchChain(GstPad* pad);
  static GstPadProbeReturn queueProbe(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static gchar* formatLocation(GstElement* splitmux, guint fragment, gpointer self);

  GstElement* pipeline_;
  const StreamConfig& config_;
  const SourceInfo& info_;
  const std::string first_path_;
  SegmentNamer segment_namer_;
  RestreamFeed* restream_;
  GstElement* queue_ = nullptr;
  gst::ObjectRef<GstPad> queue_out_;  // where the caps are watched
  gulong queue_probe_ = 0;

  // Streaming thread of the encode queue (and the main thread before it starts).
  Chain current_;
  int chains_ = 0;
  gst::OwnedCaps recorded_caps_;  // the caps of the current file; empty before the first
  // The finished chains' EOS probes (each owns its chain until the EOS passes).
  std::vector<std::pair<gst::ObjectRef<GstPad>, gulong>> retiring_;
  bool awaiting_first_frame_ = false;  // a new chain started; its first frame is to come
  mutable std::mutex files_mutex_;
  std::vector<std::string> files_;
  std::vector<double> starts_;
};

// `labelled.mp4` → `labelled-N.mp4` (N ≥ 2).
std::string numberedPath(const std::string& path, int number);

// Whether a recording in `recorded` caps can go on with `next` ones: the same picture
// size and frame rate (what a muxer fixes at the start of a file; a rate of 0/1 matches
// any).
bool sameRecordingFormat(const GstCaps* recorded, const GstCaps* next);

}  // namespace deepbug::stream
