// deepbugclassify: classifies video frames with a TorchScript model and attaches a
// DeepbugClassificationMeta to every buffer. Frames are held until `batch-size`
// frames to classify have arrived, so the element queues buffers instead of
// transforming them in place (GstBaseTransform's submit_input_buffer/generate_output).
#pragma once

#include <gst/base/gstbasetransform.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_DEEPBUG_CLASSIFY (gst_deepbug_classify_get_type())
G_DECLARE_FINAL_TYPE(GstDeepbugClassify, gst_deepbug_classify, GST, DEEPBUG_CLASSIFY,
                     GstBaseTransform)

GST_ELEMENT_REGISTER_DECLARE(deepbugclassify);

// How frames are fitted to the model input (model, stretch, letterbox, center-crop);
// deepbugexplain's "aspect" property uses it too.
GType gst_deepbug_aspect_get_type(void);

G_END_DECLS
