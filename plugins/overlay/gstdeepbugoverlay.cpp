#include "overlay/gstdeepbugoverlay.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "meta/classification_meta.hpp"
#include "meta/relevance_meta.hpp"
#include "overlay/heatmap_painter.hpp"
#include "overlay/overlay_painter.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_overlay_debug);
#define GST_CAT_DEFAULT deepbug_overlay_debug

namespace {

using deepbug::gst::OverlayStyle;
using deepbug::gst::RelevanceResult;

enum Property {
  PROP_0,
  PROP_WATCH,
  PROP_THRESHOLD,
  PROP_SHOW_LABEL,
  PROP_SHOW_BAR,
  PROP_BORDER_WIDTH,
  PROP_HEATMAP,
  PROP_ALPHA,
  PROP_POSITIVE_ONLY,
  PROP_HOLD_FRAMES,
  PROP_FADE,
  PROP_PICTURE_IN_PICTURE,
  PROP_LEGEND,
  PROP_STATS,
};

struct OverlayState {
  std::mutex mutex;
  OverlayStyle style;
  bool heatmap = true;
  deepbug::gst::HeatmapOverlayStyle heatmap_style;
  unsigned hold_frames = 12;
  bool fade = true;
  // The last heatmap and how many frames ago it arrived (drawn while ≤ hold_frames).
  std::optional<RelevanceResult> shown;
  unsigned shown_age = 0;
  std::uint64_t heatmaps = 0;        // frames carrying a relevance meta
  std::uint64_t heatmap_frames = 0;  // frames a heatmap was drawn on
  std::uint64_t frames = 0;
  std::uint64_t without_meta = 0;
  std::uint64_t alarms = 0;
  double seconds = 0;
  bool warned_no_meta = false;
  bool warned_watch = false;
};

}  // namespace

struct _GstDeepbugOverlay {
  GstVideoFilter parent;
  OverlayState* state;
};

G_DEFINE_TYPE(GstDeepbugOverlay, gst_deepbug_overlay, GST_TYPE_VIDEO_FILTER)
GST_ELEMENT_REGISTER_DEFINE(deepbugoverlay, "deepbugoverlay", GST_RANK_NONE,
                            GST_TYPE_DEEPBUG_OVERLAY)

static GstFlowReturn deepbug_overlay_transform_frame_ip(GstVideoFilter* filter,
                                                        GstVideoFrame* frame) {
  OverlayState& s = *GST_DEEPBUG_OVERLAY(filter)->state;
  const auto start = std::chrono::steady_clock::now();
  const DeepbugClassificationMeta* meta = deepbug_buffer_get_classification_meta(frame->buffer);
  std::lock_guard lock(s.mutex);
  s.frames += 1;
  const GstVideoFormat format = GST_VIDEO_FRAME_FORMAT(frame);
  const bool rgb_order = format == GST_VIDEO_FORMAT_RGB || format == GST_VIDEO_FORMAT_RGBA ||
                         format == GST_VIDEO_FORMAT_RGBx;
  const auto layout =
      rgb_order ? deepbug::gst::ChannelLayout::kRGB : deepbug::gst::ChannelLayout::kBGR;
  const int channels = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, 0);
  cv::Mat image(GST_VIDEO_FRAME_HEIGHT(frame), GST_VIDEO_FRAME_WIDTH(frame),
                channels == 4 ? CV_8UC4 : CV_8UC3, GST_VIDEO_FRAME_PLANE_DATA(frame, 0),
                static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0)));
  // The heatmap is the bottom layer: label, bar and border are drawn over it.
  if (const DeepbugRelevanceMeta* relevance = deepbug_buffer_get_relevance_meta(frame->buffer);
      relevance != nullptr && relevance->result != nullptr) {
    s.shown = *relevance->result;
    s.shown_age = 0;
    s.heatmaps += 1;
  } else if (s.shown && ++s.shown_age > s.hold_frames) {
    s.shown.reset();
  }
  if (s.heatmap && s.shown) {
    const double fade = s.fade ? 1.0 - static_cast<double>(s.shown_age) / (s.hold_frames + 1) : 1.0;
    try {
      deepbug::gst::paintHeatmap(image, layout, *s.shown, s.heatmap_style, fade);
      s.heatmap_frames += 1;
    } catch (const std::exception& e) {
      // A map that does not fit this frame (the explainer preprocessed otherwise than
      // the classifier): the frame goes out without it, once said.
      GST_ELEMENT_WARNING(filter, STREAM, FORMAT, ("heatmap not drawn: %s", e.what()),
                          ("give deepbugexplain the same input-size/aspect as deepbugclassify"));
      s.shown.reset();
    }
  }
  if (meta == nullptr || meta->result == nullptr) {
    s.without_meta += 1;
    if (!s.warned_no_meta) {
      s.warned_no_meta = true;
      GST_WARNING_OBJECT(filter,
                         "buffers without DeepbugClassificationMeta pass unchanged; "
                         "put deepbugclassify upstream");
    }
    return GST_FLOW_OK;
  }
  if (!s.style.watch.empty() && meta->result->scoreOf(s.style.watch) < 0 && !s.warned_watch) {
    s.warned_watch = true;
    GST_ELEMENT_WARNING(
        filter, STREAM, FORMAT,
        ("watched class '%s' is not one of the model's labels", s.style.watch.c_str()),
        ("set watch to one of the model's labels"));
  }
  const deepbug::gst::OverlayPainter painter(s.style);
  if (painter.paint(image, layout, *meta->result)) {
    s.alarms += 1;
  }
  s.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return GST_FLOW_OK;
}

static void deepbug_overlay_set_property(GObject* object, guint id, const GValue* value,
                                         GParamSpec* pspec) {
  OverlayState& s = *GST_DEEPBUG_OVERLAY(object)->state;
  std::lock_guard lock(s.mutex);
  switch (id) {
    case PROP_WATCH: {
      const gchar* text = g_value_get_string(value);
      s.style.watch = text ? text : "";
      s.warned_watch = false;
      break;
    }
    case PROP_THRESHOLD:
      s.style.threshold = g_value_get_double(value);
      break;
    case PROP_SHOW_LABEL:
      s.style.show_label = g_value_get_boolean(value);
      break;
    case PROP_SHOW_BAR:
      s.style.show_bar = g_value_get_boolean(value);
      break;
    case PROP_BORDER_WIDTH:
      s.style.border_width = static_cast<int>(g_value_get_uint(value));
      break;
    case PROP_HEATMAP:
      s.heatmap = g_value_get_boolean(value);
      break;
    case PROP_ALPHA:
      s.heatmap_style.alpha = g_value_get_double(value);
      break;
    case PROP_POSITIVE_ONLY:
      s.heatmap_style.positive_only = g_value_get_boolean(value);
      break;
    case PROP_HOLD_FRAMES:
      s.hold_frames = g_value_get_uint(value);
      break;
    case PROP_FADE:
      s.fade = g_value_get_boolean(value);
      break;
    case PROP_PICTURE_IN_PICTURE:
      s.heatmap_style.picture_in_picture = g_value_get_boolean(value);
      break;
    case PROP_LEGEND:
      s.heatmap_style.legend = g_value_get_boolean(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      break;
  }
}

static void deepbug_overlay_get_property(GObject* object, guint id, GValue* value,
                                         GParamSpec* pspec) {
  OverlayState& s = *GST_DEEPBUG_OVERLAY(object)->state;
  std::lock_guard lock(s.mutex);
  switch (id) {
    case PROP_WATCH:
      g_value_set_string(value, s.style.watch.c_str());
      break;
    case PROP_THRESHOLD:
      g_value_set_double(value, s.style.threshold);
      break;
    case PROP_SHOW_LABEL:
      g_value_set_boolean(value, s.style.show_label);
      break;
    case PROP_SHOW_BAR:
      g_value_set_boolean(value, s.style.show_bar);
      break;
    case PROP_BORDER_WIDTH:
      g_value_set_uint(value, static_cast<guint>(s.style.border_width));
      break;
    case PROP_HEATMAP:
      g_value_set_boolean(value, s.heatmap);
      break;
    case PROP_ALPHA:
      g_value_set_double(value, s.heatmap_style.alpha);
      break;
    case PROP_POSITIVE_ONLY:
      g_value_set_boolean(value, s.heatmap_style.positive_only);
      break;
    case PROP_HOLD_FRAMES:
      g_value_set_uint(value, s.hold_frames);
      break;
    case PROP_FADE:
      g_value_set_boolean(value, s.fade);
      break;
    case PROP_PICTURE_IN_PICTURE:
      g_value_set_boolean(value, s.heatmap_style.picture_in_picture);
      break;
    case PROP_LEGEND:
      g_value_set_boolean(value, s.heatmap_style.legend);
      break;
    case PROP_STATS:
      g_value_take_boxed(
          value, gst_structure_new("deepbug-overlay-stats", "frames", G_TYPE_UINT64, s.frames,
                                   "without-meta", G_TYPE_UINT64, s.without_meta, "alarms",
                                   G_TYPE_UINT64, s.alarms, "heatmaps", G_TYPE_UINT64, s.heatmaps,
                                   "heatmap-frames", G_TYPE_UINT64, s.heatmap_frames, "seconds",
                                   G_TYPE_DOUBLE, s.seconds, nullptr));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      break;
  }
}

static void gst_deepbug_overlay_finalize(GObject* object) {
  delete GST_DEEPBUG_OVERLAY(object)->state;
  G_OBJECT_CLASS(gst_deepbug_overlay_parent_class)->finalize(object);
}

static void gst_deepbug_overlay_init(GstDeepbugOverlay* self) {
  self->state = new OverlayState();
}

static void gst_deepbug_overlay_class_init(GstDeepbugOverlayClass* klass) {
  GST_DEBUG_CATEGORY_INIT(deepbug_overlay_debug, "deepbugoverlay", 0,
                          "DeepBug classification overlay");
  auto* object_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  object_class->set_property = deepbug_overlay_set_property;
  object_class->get_property = deepbug_overlay_get_property;
  object_class->finalize = gst_deepbug_overlay_finalize;

  const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                              GST_PARAM_MUTABLE_PLAYING);
  g_object_class_install_property(
      object_class, PROP_WATCH,
      g_param_spec_string("watch", "Watched class",
                          "Class whose score draws the bar and, above threshold, the alarm "
                          "border; empty = label only",
                          "", flags));
  g_object_class_install_property(
      object_class, PROP_THRESHOLD,
      g_param_spec_double("threshold", "Threshold", "Alarm when the watched score reaches this",
                          0.0, 1.0, 0.5, flags));
  g_object_class_install_property(
      object_class, PROP_SHOW_LABEL,
      g_param_spec_boolean("show-label", "Show label", "Draw the top class and its score", TRUE,
                           flags));
  g_object_class_install_property(
      object_class, PROP_SHOW_BAR,
      g_param_spec_boolean("show-bar", "Show bar", "Draw the watched class's score bar", TRUE,
                           flags));
  g_object_class_install_property(
      object_class, PROP_BORDER_WIDTH,
      g_param_spec_uint("border-width", "Border width",
                        "Alarm border in pixels; 0 = scaled to the frame height", 0, 256, 0,
                        flags));
  g_object_class_install_property(
      object_class, PROP_HEATMAP,
      g_param_spec_boolean("heatmap", "Heatmap", "Blend DeepbugRelevanceMeta heatmaps in", TRUE,
                           flags));
  g_object_class_install_property(
      object_class, PROP_ALPHA,
      g_param_spec_double("alpha", "Alpha", "Heatmap opacity at full relevance", 0.0, 1.0, 0.6,
                          flags));
  g_object_class_install_property(
      object_class, PROP_POSITIVE_ONLY,
      g_param_spec_boolean("positive-only", "Positive only",
                           "Show only evidence for the class (red); else also against (blue)", TRUE,
                           flags));
  g_object_class_install_property(
      object_class, PROP_HOLD_FRAMES,
      g_param_spec_uint("hold-frames", "Hold frames",
                        "Keep showing a heatmap on this many later frames", 0, 100000, 12, flags));
  g_object_class_install_property(
      object_class, PROP_FADE,
      g_param_spec_boolean("fade", "Fade", "A held heatmap fades out over hold-frames", TRUE,
                           flags));
  g_object_class_install_property(
      object_class, PROP_PICTURE_IN_PICTURE,
      g_param_spec_boolean("picture-in-picture", "Picture in picture",
                           "Live: show the explained (earlier) frame in a corner", TRUE, flags));
  g_object_class_install_property(
      object_class, PROP_LEGEND,
      g_param_spec_boolean("legend", "Legend", "Draw the heatmap's colour bar and range", TRUE,
                           flags));
  g_object_class_install_property(
      object_class, PROP_STATS,
      g_param_spec_boxed("stats", "Statistics", "frames, without-meta, alarms, seconds",
                         GST_TYPE_STRUCTURE,
                         static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  GstCaps* caps =
      gst_caps_from_string("video/x-raw, format=(string){ RGB, BGR, RGBA, BGRA, RGBx, BGRx }");
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
  gst_element_class_set_static_metadata(
      element_class, "DeepBug overlay", "Filter/Effect/Video",
      "Draws DeepbugClassificationMeta (label, score bar, alarm border) and "
      "DeepbugRelevanceMeta (LRP heatmap, legend) onto the frames",
      "DeepBug Stream");
  GST_VIDEO_FILTER_CLASS(klass)->transform_frame_ip = deepbug_overlay_transform_frame_ip;
}
