#include "overlay/gstdeepbugoverlay.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "common/gobject_settings.hpp"
#include "common/guarded.hpp"
#include "common/pad_templates.hpp"
#include "meta/classification_meta.hpp"
#include "meta/element_stats.hpp"
#include "meta/frame_rgb.hpp"
#include "meta/frame_view.hpp"
#include "meta/relevance_meta.hpp"
#include "overlay/heatmap_painter.hpp"
#include "overlay/overlay_painter.hpp"
#include "overlay/overlay_settings.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_overlay_debug);
#define GST_CAT_DEFAULT deepbug_overlay_debug

namespace {

using deepbug::gst::RelevanceResult;

using deepbug::gst::overlaySettingsTable;

// Property ids: 1..N for the settings table, then the read-only statistics.
guint statsPropertyId() {
  return static_cast<guint>(overlaySettingsTable().size()) + 1;
}

struct OverlayState {
  std::mutex mutex;
  deepbug::gst::OverlaySettings settings;
  // The last heatmap and how many frames ago it arrived (drawn while ≤ hold_frames).
  std::optional<RelevanceResult> shown;
  unsigned shown_age = 0;
  deepbug::gst::OverlayStats stats;
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
  return deepbug::gst::guarded(
      filter, "drawing the overlay", GST_FLOW_ERROR, [&]() -> GstFlowReturn {
        OverlayState& s = *GST_DEEPBUG_OVERLAY(filter)->state;
        const auto start = std::chrono::steady_clock::now();
        const DeepbugClassificationMeta* meta =
            deepbug_buffer_get_classification_meta(frame->buffer);
        std::lock_guard lock(s.mutex);
        s.stats.frames += 1;
        const deepbug::model::FrameView view = deepbug::gst::frameViewOf(*frame);
        // The base class mapped the frame for writing: the painters draw in place.
        cv::Mat image = deepbug::gst::matOver(view);
        // The heatmap is the bottom layer: label, bar and border are drawn over it.
        if (const DeepbugRelevanceMeta* relevance =
                deepbug_buffer_get_relevance_meta(frame->buffer);
            relevance != nullptr && relevance->result != nullptr) {
          s.shown = *relevance->result;
          s.shown_age = 0;
          s.stats.heatmaps += 1;
        } else if (s.shown && ++s.shown_age > s.settings.hold_frames) {
          s.shown.reset();
        }
        if (s.settings.heatmap && s.shown) {
          const double fade = s.settings.fade ? 1.0 - static_cast<double>(s.shown_age) /
                                                          (s.settings.hold_frames + 1)
                                              : 1.0;
          try {
            deepbug::gst::paintHeatmap(image, view.format, *s.shown,
                                       deepbug::gst::heatmapStyleOf(s.settings), fade);
            s.stats.heatmap_frames += 1;
          } catch (const std::exception& e) {
            // A map that does not fit this frame (the explainer preprocessed otherwise than
            // the classifier): the frame goes out without it, once said.
            GST_ELEMENT_WARNING(
                filter, STREAM, FORMAT, ("heatmap not drawn: %s", e.what()),
                ("give deepbugexplain the same input-size/aspect as deepbugclassify"));
            s.shown.reset();
          }
        }
        if (meta == nullptr || meta->result == nullptr) {
          s.stats.without_meta += 1;
          if (!s.warned_no_meta) {
            s.warned_no_meta = true;
            GST_WARNING_OBJECT(filter,
                               "buffers without DeepbugClassificationMeta pass unchanged; "
                               "put deepbugclassify upstream");
          }
          return GST_FLOW_OK;
        }
        if (!s.settings.watch.empty() && meta->result->scoreOf(s.settings.watch) < 0 &&
            !s.warned_watch) {
          s.warned_watch = true;
          GST_ELEMENT_WARNING(
              filter, STREAM, FORMAT,
              ("watched class '%s' is not one of the model's labels", s.settings.watch.c_str()),
              ("set watch to one of the model's labels"));
        }
        const deepbug::gst::OverlayPainter painter(deepbug::gst::overlayStyleOf(s.settings));
        if (painter.paint(image, deepbug::gst::channelLayoutOf(view.format), *meta->result)) {
          s.stats.alarms += 1;
        }
        s.stats.seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return GST_FLOW_OK;
      });
}

static void deepbug_overlay_set_property(GObject* object, guint id, const GValue* value,
                                         GParamSpec* pspec) {
  deepbug::gst::guarded(object, "setting a property", [&] {
    const auto* setting = deepbug::gst::settingOf(overlaySettingsTable(), id);
    if (setting == nullptr) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      return;
    }
    OverlayState& s = *GST_DEEPBUG_OVERLAY(object)->state;
    std::lock_guard lock(s.mutex);
    deepbug::gst::writeSetting(*setting, s.settings, value);
    if (setting->name == "watch") s.warned_watch = false;  // a new class, a new check
  });
}

static void deepbug_overlay_get_property(GObject* object, guint id, GValue* value,
                                         GParamSpec* pspec) {
  deepbug::gst::guarded(object, "reading a property", [&] {
    OverlayState& s = *GST_DEEPBUG_OVERLAY(object)->state;
    std::lock_guard lock(s.mutex);
    if (id == statsPropertyId()) {
      g_value_take_boxed(value, deepbug::gst::toStructure(s.stats));
      return;
    }
    const auto* setting = deepbug::gst::settingOf(overlaySettingsTable(), id);
    if (setting == nullptr) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      return;
    }
    deepbug::gst::readSetting(*setting, s.settings, value);
  });
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

  deepbug::gst::installSettings(object_class, overlaySettingsTable());
  g_object_class_install_property(
      object_class, statsPropertyId(),
      g_param_spec_boxed(
          "stats", "Statistics", deepbug::gst::overlayStatsFields().c_str(), GST_TYPE_STRUCTURE,
          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_NAME | G_PARAM_STATIC_NICK)));

  deepbug::gst::addVideoPadTemplates(element_class, "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx }");
  gst_element_class_set_static_metadata(
      element_class, "DeepBug overlay", "Filter/Effect/Video",
      "Draws DeepbugClassificationMeta (label, score bar, alarm border) and "
      "DeepbugRelevanceMeta (LRP heatmap, legend) onto the frames",
      "DeepBug Stream");
  GST_VIDEO_FILTER_CLASS(klass)->transform_frame_ip = deepbug_overlay_transform_frame_ip;
}
