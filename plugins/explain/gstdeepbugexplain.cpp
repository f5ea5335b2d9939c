#include "explain/gstdeepbugexplain.hpp"

#include <gst/video/video.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/batching_transform.hpp"
#include "common/gobject_settings.hpp"
#include "common/guarded.hpp"
#include "common/pad_templates.hpp"
#include "core/error.hpp"
#include "explain/explain_stage.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_explain_debug);
#define GST_CAT_DEFAULT deepbug_explain_debug

namespace {

using deepbug::gst::ExplainMode;
using deepbug::gst::ExplainSettings;
using deepbug::gst::ExplainStage;

constexpr const char* kFormats = "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx, GRAY8 }";

const deepbug::gst::SettingsTable<ExplainSettings>& properties() {
  return deepbug::gst::explainSettingsTable();
}

// Property ids: 1..N for the settings table, then the read-only statistics.
guint statsPropertyId() {
  return static_cast<guint>(properties().size()) + 1;
}

struct ExplainState {
  std::mutex settings_mutex;
  ExplainSettings settings;
  std::unique_ptr<ExplainStage> stage;  // from the first buffer to stop()
  std::mutex stage_mutex;               // the stage pointer, for other threads: stats, FLUSH_START
  // The statistics of the last run, kept after stop() for applications to read.
  deepbug::gst::ExplainStats last_stats;
  GstVideoInfo info{};
  deepbug::gst::ReadyQueue ready;
};

ExplainState& stateOf(gpointer self);

void postError(GstBaseTransform* trans, const deepbug::Error& e) {
  GST_ELEMENT_ERROR(
      trans, STREAM, FAILED, ("%s", e.what()),
      ("%s", e.hint().empty() ? "check the deepbugexplain properties" : e.hint().c_str()));
}

}  // namespace

struct _GstDeepbugExplain {
  GstBaseTransform parent;
  ExplainState* state;
};

G_DEFINE_TYPE(GstDeepbugExplain, gst_deepbug_explain, GST_TYPE_BASE_TRANSFORM)
GST_ELEMENT_REGISTER_DEFINE(deepbugexplain, "deepbugexplain", GST_RANK_NONE,
                            GST_TYPE_DEEPBUG_EXPLAIN)

namespace {
ExplainState& stateOf(gpointer self) {
  return *reinterpret_cast<GstDeepbugExplain*>(self)->state;
}

// Ends the stage's work (see ExplainStage::finish) and pushes what it released.
void finishStage(GstBaseTransform* trans);

// Pushes every ready buffer downstream, in order.
GstFlowReturn pushReady(GstBaseTransform* trans) {
  return deepbug::gst::pushReady(trans, stateOf(trans).ready);
}
}  // namespace

namespace {
void finishStage(GstBaseTransform* trans) {
  ExplainState& s = stateOf(trans);
  if (s.stage) {
    try {
      s.stage->finish(s.ready);
    } catch (const deepbug::Error& e) {
      postError(trans, e);
    } catch (const std::exception& e) {
      postError(trans, deepbug::Error(e.what()));
    }
  }
  pushReady(trans);
}
}  // namespace

static GstFlowReturn deepbug_explain_submit_input_buffer(GstBaseTransform* trans, gboolean discont,
                                                         GstBuffer* input) {
  return deepbug::gst::guarded(trans, "explaining a frame", GST_FLOW_ERROR, [&]() -> GstFlowReturn {
    ExplainState& s = stateOf(trans);
    GstFlowReturn flow = GST_FLOW_OK;
    deepbug::gst::OwnedBuffer buffer = deepbug::gst::takeSubmitted(
        GST_BASE_TRANSFORM_CLASS(gst_deepbug_explain_parent_class), trans, discont, input, flow);
    if (!buffer) return flow;
    try {
      if (!s.stage) {
        ExplainSettings settings;
        {
          std::lock_guard lock(s.settings_mutex);
          settings = s.settings;
        }
        const bool live =
            settings.mode == ExplainMode::kLive ||
            (settings.mode == ExplainMode::kAuto && deepbug::gst::upstreamIsLive(trans));
        auto stage = std::make_unique<ExplainStage>(GST_ELEMENT(trans), settings, live);
        std::lock_guard lock(s.stage_mutex);
        s.stage = std::move(stage);
        s.last_stats = {};
      }
      s.stage->push(std::move(buffer), s.info, s.ready);
    } catch (const deepbug::Error& e) {
      postError(trans, e);
      return GST_FLOW_ERROR;
    }
    return GST_FLOW_OK;
  });
}

static GstFlowReturn deepbug_explain_generate_output(GstBaseTransform* trans, GstBuffer** out) {
  return deepbug::gst::takeReady(stateOf(trans).ready, out);
}

static gboolean deepbug_explain_sink_event(GstBaseTransform* trans, GstEvent* event) {
  // The held frames first; the event itself goes to the base class (which owns it from
  // there) only when that worked, else it is dropped here.
  const bool handled = deepbug::gst::guarded(trans, "handling an event", false, [&] {
    ExplainState& s = stateOf(trans);
    switch (GST_EVENT_TYPE(event)) {
      case GST_EVENT_FLUSH_START: {
        // Not serialized: it comes from the seeking thread while the streaming thread may
        // wait in the stage for explanations, and it must not wait for LRP itself.
        std::lock_guard lock(s.stage_mutex);
        if (s.stage) s.stage->flushStart();
        break;
      }
      case GST_EVENT_FLUSH_STOP:
        s.ready.clear();
        if (s.stage) s.stage->flushStop();
        break;
      case GST_EVENT_EOS:
        // Archive: every explanation finishes and every held frame goes out before EOS.
        finishStage(trans);
        break;
      case GST_EVENT_CAPS:
      case GST_EVENT_SEGMENT:
        // Held frames belong to the old caps/segment: send them out first.
        finishStage(trans);
        break;
      default:
        break;
    }
    return true;
  });
  if (!handled) {
    gst_event_unref(event);
    return FALSE;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_deepbug_explain_parent_class)->sink_event(trans, event);
}

static gboolean deepbug_explain_set_caps(GstBaseTransform* trans, GstCaps* incaps,
                                         GstCaps* /*outcaps*/) {
  return deepbug::gst::guarded(trans, "accepting caps", FALSE, [&]() -> gboolean {
    ExplainState& s = stateOf(trans);
    if (!gst_video_info_from_caps(&s.info, incaps)) {
      GST_ERROR_OBJECT(trans, "caps %" GST_PTR_FORMAT " are not raw video", incaps);
      return FALSE;
    }
    return TRUE;
  });
}

static gboolean deepbug_explain_start(GstBaseTransform* trans) {
  return deepbug::gst::guarded(trans, "starting", FALSE, [&]() -> gboolean {
    ExplainState& s = stateOf(trans);
    ExplainSettings settings;
    {
      std::lock_guard lock(s.settings_mutex);
      settings = s.settings;
    }
    try {  // Settings errors show at start, not at the first frame.
      deepbug::gst::validate(settings);
    } catch (const deepbug::Error& e) {
      GST_ELEMENT_ERROR(
          trans, RESOURCE, SETTINGS, ("%s", e.what()),
          ("%s", e.hint().empty() ? "check the deepbugexplain properties" : e.hint().c_str()));
      return FALSE;
    }
    return TRUE;
  });
}

static gboolean deepbug_explain_stop(GstBaseTransform* trans) {
  return deepbug::gst::guarded(trans, "stopping", FALSE, [&]() -> gboolean {
    ExplainState& s = stateOf(trans);
    s.ready.clear();
    std::lock_guard lock(s.stage_mutex);
    if (s.stage) {
      s.stage->stopWorkers();  // waits for LRP still running (live), so the counts are final
      s.last_stats = s.stage->stats();
      s.stage.reset();
    }
    return TRUE;
  });
}

// PAUSED→READY deactivates the sink pad, which waits for the streaming thread; in archive
// mode that thread may be waiting for explanations. Wake it as a flush does, so that
// stopping waits for no more than the LRP batch running (in stop()).
static GstStateChangeReturn deepbug_explain_change_state(GstElement* element,
                                                         GstStateChange transition) {
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    deepbug::gst::guarded(element, "stopping", [&] {
      ExplainState& s = stateOf(element);
      std::lock_guard lock(s.stage_mutex);
      if (s.stage) s.stage->flushStart();
    });
  }
  return GST_ELEMENT_CLASS(gst_deepbug_explain_parent_class)->change_state(element, transition);
}

static void deepbug_explain_set_property(GObject* object, guint id, const GValue* value,
                                         GParamSpec* pspec) {
  deepbug::gst::guarded(object, "setting a property", [&] {
    const auto* setting = deepbug::gst::settingOf(properties(), id);
    if (setting == nullptr) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      return;
    }
    ExplainState& s = stateOf(object);
    std::lock_guard lock(s.settings_mutex);
    deepbug::gst::writeSetting(*setting, s.settings, value);
  });
}

static void deepbug_explain_get_property(GObject* object, guint id, GValue* value,
                                         GParamSpec* pspec) {
  deepbug::gst::guarded(object, "reading a property", [&] {
    ExplainState& s = stateOf(object);
    if (id == statsPropertyId()) {
      std::lock_guard lock(s.stage_mutex);
      g_value_take_boxed(value,
                         deepbug::gst::toStructure(s.stage ? s.stage->stats() : s.last_stats));
      return;
    }
    const auto* setting = deepbug::gst::settingOf(properties(), id);
    if (setting == nullptr) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      return;
    }
    std::lock_guard lock(s.settings_mutex);
    deepbug::gst::readSetting(*setting, s.settings, value);
  });
}

static void gst_deepbug_explain_finalize(GObject* object) {
  delete GST_DEEPBUG_EXPLAIN(object)->state;
  G_OBJECT_CLASS(gst_deepbug_explain_parent_class)->finalize(object);
}

static void gst_deepbug_explain_init(GstDeepbugExplain* self) {
  self->state = new ExplainState();
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
  gst_base_transform_set_prefer_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_deepbug_explain_class_init(GstDeepbugExplainClass* klass) {
  GST_DEBUG_CATEGORY_INIT(deepbug_explain_debug, "deepbugexplain", 0, "DeepBug LRP explanations");
  auto* object_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  object_class->set_property = deepbug_explain_set_property;
  object_class->get_property = deepbug_explain_get_property;
  object_class->finalize = gst_deepbug_explain_finalize;
  deepbug::gst::installSettings(object_class, properties());
  g_object_class_install_property(
      object_class, statsPropertyId(),
      g_param_spec_boxed(
          "stats", "Statistics", deepbug::gst::explainStatsFields().c_str(), GST_TYPE_STRUCTURE,
          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_NAME | G_PARAM_STATIC_NICK)));

  gst_element_class_set_static_metadata(
      element_class, "DeepBug LRP explainer", "Filter/Analyzer/Video",
      "Explains the frames an event selects with Layer-wise Relevance Propagation and attaches "
      "the heatmaps as DeepbugRelevanceMeta",
      "DeepBug Stream developers");
  deepbug::gst::addVideoPadTemplates(element_class, kFormats);
  element_class->change_state = deepbug_explain_change_state;

  trans_class->submit_input_buffer = deepbug_explain_submit_input_buffer;
  trans_class->generate_output = deepbug_explain_generate_output;
  trans_class->sink_event = deepbug_explain_sink_event;
  trans_class->set_caps = deepbug_explain_set_caps;
  trans_class->start = deepbug_explain_start;
  trans_class->stop = deepbug_explain_stop;
  trans_class->passthrough_on_same_caps = FALSE;
}
