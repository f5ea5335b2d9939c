// One source's RTSP re-stream (rtsp_restream.hpp): the H.264 access units its recording
// encodes, handed to every media a client is watching. No second encode, and nothing
// kept when nobody watches.
#pragma once

#include <gst/gst.h>

#include <mutex>
#include <string>
#include <vector>

#include "common/gst_ptr.hpp"

namespace deepbug::stream {

// Thread-safe: the recording's tap pushes on its streaming thread while clients come
// and go on the server's threads.
class RestreamFeed {
 public:
  explicit RestreamFeed(std::string url) : url_(std::move(url)) {}
  RestreamFeed(const RestreamFeed&) = delete;
  RestreamFeed& operator=(const RestreamFeed&) = delete;

  // rtsp://address:port/NAME (no credentials).
  const std::string& url() const { return url_; }

  // One access unit of recording chain `chain` (recording.hpp: a later chain means the
  // picture size changed, and the earlier one's last frames are dropped). Never blocks:
  // a client that cannot keep up loses frames, the recording none.
  void push(GstSample* sample, int chain) noexcept;

  // A media's `appsrc` (media-configure) and its end (unprepared).
  void addMedia(GstElement* appsrc);
  void removeMedia(GstElement* appsrc) noexcept;

 private:
  struct Target {
    gst::ObjectRef<GstElement> appsrc;
    gst::OwnedCaps caps;          // set on the appsrc; empty before the first frame
    bool started = false;         // a keyframe went in: every frame from here decodes
    GstClockTimeDiff offset = 0;  // added to the recording's timestamps
  };

  void pushTo(Target& target, GstBuffer* buffer, GstCaps* caps);

  const std::string url_;
  std::mutex mutex_;  // targets_, chain_
  std::vector<Target> targets_;
  int chain_ = 0;
};

}  // namespace deepbug::stream
