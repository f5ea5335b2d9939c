// No exception crosses into C. Every function GStreamer or GLib calls into this code
// on behalf of an element — vfuncs, pad probes, the elements' own threads and timers —
// runs its body through guarded(): an exception becomes an element error (naming
// what was being done, the cause and, for deepbug::Error, its hint), and the function
// returns its failure value (GST_FLOW_ERROR, FALSE, a probe's DROP, …) instead of
// unwinding through C frames, which would end the process.
#pragma once

#include <gst/gst.h>

#include <exception>
#include <type_traits>
#include <utility>

namespace deepbug::gst {

// Posts the exception as an error of `element`: "<doing> failed: <what>".
void postException(GstElement* element, const char* doing, std::exception_ptr error) noexcept;

template <typename Result, typename Body>
Result guarded(gpointer element, const char* doing, Result on_error, Body&& body) noexcept {
  static_assert(std::is_convertible_v<std::invoke_result_t<Body>, Result>);
  try {
    return std::forward<Body>(body)();
  } catch (...) {
    postException(GST_ELEMENT(element), doing, std::current_exception());
    return on_error;
  }
}

// For a body that returns nothing.
template <typename Body>
void guarded(gpointer element, const char* doing, Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
  } catch (...) {
    postException(GST_ELEMENT(element), doing, std::current_exception());
  }
}

}  // namespace deepbug::gst
