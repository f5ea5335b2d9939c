// An element's running time now: its clock's time less its base time.
#pragma once

#include <gst/gst.h>

#include "common/gst_ptr.hpp"

namespace deepbug::stream {

// 0 before the element has a clock (not yet playing).
inline GstClockTime runningTimeNow(GstElement* element) {
  const gst::ObjectRef<GstClock> clock(gst_element_get_clock(element));
  if (!clock) return 0;
  const GstClockTime now = gst_clock_get_time(clock.get());
  const GstClockTime base = gst_element_get_base_time(element);
  return now > base ? now - base : 0;
}

}  // namespace deepbug::stream
