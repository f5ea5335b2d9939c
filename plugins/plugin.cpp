// libgstdeepbug: registration only; each element lives in its own folder.
#include <gst/gst.h>

#include "classify/gstdeepbugclassify.hpp"
#include "explain/gstdeepbugexplain.hpp"
#include "meta/classification_meta.hpp"
#include "meta/relevance_meta.hpp"
#include "overlay/gstdeepbugoverlay.hpp"

#ifndef PACKAGE
#define PACKAGE "deepbug"
#endif

static gboolean plugin_init(GstPlugin* plugin) {
  deepbug_classification_meta_get_info();
  deepbug_relevance_meta_get_info();
  gboolean ok = GST_ELEMENT_REGISTER(deepbugclassify, plugin);
  ok &= GST_ELEMENT_REGISTER(deepbugexplain, plugin);
  ok &= GST_ELEMENT_REGISTER(deepbugoverlay, plugin);
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, deepbug,
                  "DeepBug Stream: classify frames and explain them with LRP", plugin_init,
                  DEEPBUG_VERSION, "unknown", "deepbug-stream", "deepbug-stream")
