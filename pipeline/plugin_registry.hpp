// Makes the deepbug GStreamer plugin of this build available to the process.
#pragma once

namespace deepbug::stream {

// Scans the plugin folder next to the program (bin/ → lib/gstreamer-1.0), so programs
// work without GST_PLUGIN_PATH (which still adds other places). Throws when the
// elements cannot be found. Call after gst_init().
void registerDeepbugPlugin();

}  // namespace deepbug::stream
