#include "meta/classification_meta.hpp"

#include <gst/video/video.h>

#include <algorithm>
#include <cmath>

namespace deepbug::gst {

void scaleGeometry(model::PreprocessGeometry& g, int width, int height) {
  if (g.frame_width <= 0 || g.frame_height <= 0) return;
  const double sx = static_cast<double>(width) / g.frame_width;
  const double sy = static_cast<double>(height) / g.frame_height;
  g.crop_x = static_cast<int>(std::lround(g.crop_x * sx));
  g.crop_y = static_cast<int>(std::lround(g.crop_y * sy));
  g.crop_width = std::max(1, static_cast<int>(std::lround(g.crop_width * sx)));
  g.crop_height = std::max(1, static_cast<int>(std::lround(g.crop_height * sy)));
  g.frame_width = width;
  g.frame_height = height;
}

float ClassificationResult::scoreOf(const std::string& label) const {
  const auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1.0f : scores.at(static_cast<std::size_t>(it - labels.begin()));
}

}  // namespace deepbug::gst

namespace {

using deepbug::gst::ClassificationResult;

constexpr const char* kApiName = "DeepbugClassificationMetaAPI";
constexpr const char* kImplName = "DeepbugClassificationMeta";

gboolean metaInit(GstMeta* meta, gpointer /*params*/, GstBuffer* /*buffer*/) {
  reinterpret_cast<DeepbugClassificationMeta*>(meta)->result = nullptr;
  return TRUE;
}

void metaFree(GstMeta* meta, GstBuffer* /*buffer*/) {
  auto* m = reinterpret_cast<DeepbugClassificationMeta*>(meta);
  delete m->result;
  m->result = nullptr;
}

gboolean metaTransform(GstBuffer* dest, GstMeta* meta, GstBuffer* /*src*/, GQuark type,
                       gpointer data) {
  const auto* from = reinterpret_cast<DeepbugClassificationMeta*>(meta);
  if (from->result == nullptr) return FALSE;
  ClassificationResult copy = *from->result;
  if (GST_META_TRANSFORM_IS_COPY(type)) {
    // A plain copy (queue, tee, videoconvert): geometry unchanged.
  } else if (GST_VIDEO_META_TRANSFORM_IS_SCALE(type)) {
    const auto* scale = static_cast<GstVideoMetaTransform*>(data);
    deepbug::gst::scaleGeometry(copy.geometry, GST_VIDEO_INFO_WIDTH(scale->out_info),
                                GST_VIDEO_INFO_HEIGHT(scale->out_info));
  } else {
    return FALSE;  // unknown transformation: drop rather than carry wrong geometry
  }
  return deepbug_buffer_add_classification_meta(dest, copy) != nullptr;
}

}  // namespace

extern "C" {

GType deepbug_classification_meta_api_get_type(void) {
  static GType type = [] {
    const GType existing = g_type_from_name(kApiName);
    if (existing != 0) return existing;
    // "size": scalers rescale the geometry through the transform function.
    static const gchar* tags[] = {GST_META_TAG_VIDEO_STR, GST_META_TAG_VIDEO_SIZE_STR, nullptr};
    return gst_meta_api_type_register(kApiName, tags);
  }();
  return type;
}

const GstMetaInfo* deepbug_classification_meta_get_info(void) {
  static const GstMetaInfo* info = [] {
    const GstMetaInfo* existing = gst_meta_get_info(kImplName);
    if (existing != nullptr) return existing;
    return gst_meta_register(deepbug_classification_meta_api_get_type(), kImplName,
                             sizeof(DeepbugClassificationMeta), metaInit, metaFree, metaTransform);
  }();
  return info;
}

DeepbugClassificationMeta* deepbug_buffer_add_classification_meta(
    GstBuffer* buffer, const ClassificationResult& result) {
  auto* meta = reinterpret_cast<DeepbugClassificationMeta*>(
      gst_buffer_add_meta(buffer, deepbug_classification_meta_get_info(), nullptr));
  if (meta != nullptr) meta->result = new ClassificationResult(result);
  return meta;
}

const DeepbugClassificationMeta* deepbug_buffer_get_classification_meta(GstBuffer* buffer) {
  return reinterpret_cast<const DeepbugClassificationMeta*>(
      gst_buffer_get_meta(buffer, deepbug_classification_meta_api_get_type()));
}
}
