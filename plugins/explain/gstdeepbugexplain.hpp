// deepbugexplain: explains frames selected from the upstream classification meta with
// LRP, on a oneTBB flow graph beside the stream, and attaches DeepbugRelevanceMeta.
// Archive mode holds frames (bounded) so that every heatmap lands on the frame it
// explains; live mode never holds a frame and skips explanations it has no room for.
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_DEEPBUG_EXPLAIN (gst_deepbug_explain_get_type())
G_DECLARE_FINAL_TYPE(GstDeepbugExplain, gst_deepbug_explain, GST, DEEPBUG_EXPLAIN, GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(deepbugexplain);

G_END_DECLS
