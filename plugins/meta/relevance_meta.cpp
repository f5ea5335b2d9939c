#include "meta/relevance_meta.hpp"

#include "meta/classification_meta.hpp"

#include <gst/video/video.h>

#include <algorithm>
#include <cmath>

namespace {

using deepbug::gst::RelevanceResult;

constexpr const char* kApiName = "DeepbugRelevanceMetaAPI";
constexpr const char* kImplName = "DeepbugRelevanceMeta";

gboolean metaInit(GstMeta* meta, gpointer /*params*/, GstBuffer* /*buffer*/) {
  reinterpret_cast<DeepbugRelevanceMeta*>(meta)->result = nullptr;
  return TRUE;
}

void metaFree(GstMeta* meta, GstBuffer* /*buffer*/) {
  auto* m = reinterpret_cast<DeepbugRelevanceMeta*>(meta);
  delete m->result;
  m->result = nullptr;
}

gboolean metaTransform(GstBuffer* dest, GstMeta* meta, GstBuffer* /*src*/, GQuark type,
                       gpointer data) {
  const auto* from = reinterpret_cast<DeepbugRelevanceMeta*>(meta);
  if (from->result == nullptr) return FALSE;
  RelevanceResult copy = *from->result;
  if (GST_VIDEO_META_TRANSFORM_IS_SCALE(type)) {
    const auto* scale = static_cast<GstVideoMetaTransform*>(data);
    const int width = GST_VIDEO_INFO_WIDTH(scale->out_info);
    const int height = GST_VIDEO_INFO_HEIGHT(scale->out_info);
    const double sx = copy.geometry.frame_width > 0
                          ? static_cast<double>(width) / copy.geometry.frame_width
                          : 1.0;
    const double sy = copy.geometry.frame_height > 0
                          ? static_cast<double>(height) / copy.geometry.frame_height
                          : 1.0;
    copy.hottest_x = static_cast<int>(std::lround(copy.hottest_x * sx));
    copy.hottest_y = static_cast<int>(std::lround(copy.hottest_y * sy));
    copy.hottest_width = static_cast<int>(std::lround(copy.hottest_width * sx));
    copy.hottest_height = static_cast<int>(std::lround(copy.hottest_height * sy));
    deepbug::gst::scaleGeometry(copy.geometry, width, height);
  } else if (!GST_META_TRANSFORM_IS_COPY(type)) {
    return FALSE;  // unknown transformation: drop rather than carry wrong geometry
  }
  return deepbug_buffer_add_relevance_meta(dest, copy) != nullptr;
}

}  // namespace

extern "C" {

GType deepbug_relevance_meta_api_get_type(void) {
  static GType type = [] {
    const GType existing = g_type_from_name(kApiName);
    if (existing != 0) return existing;
    static const gchar* tags[] = {GST_META_TAG_VIDEO_STR, GST_META_TAG_VIDEO_SIZE_STR, nullptr};
    return gst_meta_api_type_register(kApiName, tags);
  }();
  return type;
}

const GstMetaInfo* deepbug_relevance_meta_get_info(void) {
  static const GstMetaInfo* info = [] {
    const GstMetaInfo* existing = gst_meta_get_info(kImplName);
    if (existing != nullptr) return existing;
    return gst_meta_register(deepbug_relevance_meta_api_get_type(), kImplName,
                             sizeof(DeepbugRelevanceMeta), metaInit, metaFree, metaTransform);
  }();
  return info;
}

DeepbugRelevanceMeta* deepbug_buffer_add_relevance_meta(GstBuffer* buffer,
                                                        const RelevanceResult& result) {
  auto* meta = reinterpret_cast<DeepbugRelevanceMeta*>(
      gst_buffer_add_meta(buffer, deepbug_relevance_meta_get_info(), nullptr));
  if (meta != nullptr) meta->result = new RelevanceResult(result);
  return meta;
}

const DeepbugRelevanceMeta* deepbug_buffer_get_relevance_meta(GstBuffer* buffer) {
  return reinterpret_cast<const DeepbugRelevanceMeta*>(
      gst_buffer_get_meta(buffer, deepbug_relevance_meta_api_get_type()));
}
}
