#include "common/guarded.hpp"

#include <string>

#include "core/error.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_guard_debug);
#define GST_CAT_DEFAULT deepbug_guard_debug

namespace deepbug::gst {

void postException(GstElement* element, const char* doing, std::exception_ptr error) noexcept {
  static const bool category_ready = [] {
    GST_DEBUG_CATEGORY_INIT(deepbug_guard_debug, "deepbugguard", 0,
                            "Exceptions turned into element errors");
    return true;
  }();
  (void)category_ready;
  std::string what = "an unknown exception";
  std::string hint;
  try {
    std::rethrow_exception(std::move(error));
  } catch (const deepbug::Error& e) {
    what = e.what();
    hint = e.hint();
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  GST_ELEMENT_ERROR(element, STREAM, FAILED, ("%s failed: %s", doing, what.c_str()),
                    ("%s", hint.empty() ? "see the message" : hint.c_str()));
}

}  // namespace deepbug::gst
