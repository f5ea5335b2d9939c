// Damaged files can decode to frames without (or with backwards) timestamps, which
// muxers refuse: such a frame gets the previous timestamp plus one frame.
#pragma once

#include <gst/gst.h>

#include <cstdint>

namespace deepbug::stream {

class TimestampRepair {
 public:
  explicit TimestampRepair(double fps) : frame_(static_cast<GstClockTime>(GST_SECOND / fps)) {}

  // The timestamp `pts` becomes: itself when it moves forward, else the previous one
  // plus a frame (0 for a first frame without one).
  GstClockTime next(GstClockTime pts) {
    const bool forward =
        !GST_CLOCK_TIME_IS_VALID(last_) || (GST_CLOCK_TIME_IS_VALID(pts) && pts > last_);
    if (!(GST_CLOCK_TIME_IS_VALID(pts) && forward)) {
      pts = GST_CLOCK_TIME_IS_VALID(last_) ? last_ + frame_ : 0;
      repaired_ += 1;
    }
    last_ = pts;
    return pts;
  }
  std::uint64_t repaired() const { return repaired_; }

 private:
  GstClockTime frame_;
  GstClockTime last_ = GST_CLOCK_TIME_NONE;
  std::uint64_t repaired_ = 0;
};

}  // namespace deepbug::stream
