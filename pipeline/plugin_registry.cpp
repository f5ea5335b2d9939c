#include "plugin_registry.hpp"

#include <gst/gst.h>

#include <filesystem>
#include <stdexcept>

#include "common/gst_ptr.hpp"

namespace deepbug::stream {

void registerDeepbugPlugin() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto dir = exe.parent_path().parent_path() / "lib" / "gstreamer-1.0";
    if (std::filesystem::is_directory(dir, ec)) {
      gst_registry_scan_path(gst_registry_get(), dir.c_str());
    }
  }
  const gst::ObjectRef<GstElementFactory> factory(gst_element_factory_find("deepbugclassify"));
  if (!factory) {
    throw std::runtime_error(
        "the deepbug GStreamer plugin (libgstdeepbug.so) was not found next to the program; "
        "set GST_PLUGIN_PATH to its folder");
  }
}

}  // namespace deepbug::stream
