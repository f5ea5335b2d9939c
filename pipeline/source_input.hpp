// The replaceable front of a source's pipeline: one bin that turns a file, an RTSP
// camera, a V4L2 device or a test pattern into raw video behind a single
// always-present "src" pad. A camera that stops sending gets a new one of these while
// everything downstream keeps running.
#pragma once

#include <gst/gst.h>

#include "config.hpp"

namespace deepbug::stream {

// gst_element_factory_make, or an error naming the missing element and the fix.
GstElement* makeElement(const char* factory, const char* name);

// A floating bin named `name`; its "src" pad gets its target when the decoder finds
// the video (a second video stream posts a warning and is left unlinked).
GstElement* makeSourceInput(const SourceConfig& source, const char* name);

// Empty when `pattern` is a videotestsrc pattern; otherwise what would fix it.
std::string checkTestPattern(const std::string& pattern);

}  // namespace deepbug::stream
