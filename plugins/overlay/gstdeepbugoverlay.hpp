// deepbugoverlay: draws onto each frame at the source's native resolution the LRP
// heatmap of its DeepbugRelevanceMeta (held and faded over later frames; see
// paintHeatmap) underneath its DeepbugClassificationMeta (label, score bar, alarm
// border; see OverlayPainter). Settings: overlay_settings.hpp.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_DEEPBUG_OVERLAY (gst_deepbug_overlay_get_type())
G_DECLARE_FINAL_TYPE(GstDeepbugOverlay, gst_deepbug_overlay, GST, DEEPBUG_OVERLAY, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE(deepbugoverlay);

G_END_DECLS
