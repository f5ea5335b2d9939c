#include "classify/gstdeepbugclassify.hpp"

#include <gst/video/video.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "classify/classify_settings.hpp"
#include "classify/shared_classifier.hpp"
#include "common/batching_transform.hpp"
#include "common/gobject_settings.hpp"
#include "common/guarded.hpp"
#include "core/error.hpp"
#include "meta/classification_meta.hpp"
#include "meta/element_stats.hpp"
#include "meta/frame_view.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_classify_debug);
#define GST_CAT_DEFAULT deepbug_classify_debug

namespace {

using deepbug::gst::ClassificationResult;
using deepbug::gst::ClassifySettings;
using Clock = std::chrono::steady_clock;

constexpr const char* kFormats = "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx, GRAY8 }";

// Property ids: 1..N for the settings table, then the read-only statistics.
guint statsPropertyId() {
  return static_cast<guint>(deepbug::gst::classifySettingsTable().size()) + 1;
}

struct PendingFrame {
  GstBuffer* buffer = nullptr;  // owned
  bool classify = false;        // false: carries the previous result
  std::uint64_t index = 0;
};

// Everything C++ about the element; the GObject instance only holds a pointer.
struct ClassifyState {
  std::mutex settings_mutex;  // properties may be set from any thread
  ClassifySettings settings;

  std::shared_ptr<const deepbug::model::Classifier> classifier;
  GstVideoInfo info{};
  bool have_info = false;
  std::string model_id;

  // Touched only with the sink pad's stream lock held (streaming thread or timer).
  std::deque<PendingFrame> pending;
  std::deque<GstBuffer*> ready;
  std::size_t pending_to_classify = 0;
  std::uint64_t next_index = 0;
  std::optional<ClassificationResult> last;
  Clock::time_point oldest_pending{};

  std::mutex stats_mutex;
  deepbug::gst::ClassifyStats stats;

  // Live sources: a partial batch is flushed after batch-timeout.
  bool live = false;
  bool live_checked = false;
  std::thread timer;
  std::mutex timer_mutex;
  std::condition_variable timer_wake;
  bool timer_stop = false;

  ~ClassifyState() { clearQueues(); }

  void clearQueues() {
    for (PendingFrame& frame : pending)
      gst_buffer_unref(frame.buffer);
    for (GstBuffer* buffer : ready)
      gst_buffer_unref(buffer);
    pending.clear();
    ready.clear();
    pending_to_classify = 0;
  }
};

}  // namespace

struct _GstDeepbugClassify {
  GstBaseTransform parent;
  ClassifyState* state;
};

G_DEFINE_TYPE(GstDeepbugClassify, gst_deepbug_classify, GST_TYPE_BASE_TRANSFORM)
GST_ELEMENT_REGISTER_DEFINE(deepbugclassify, "deepbugclassify", GST_RANK_NONE,
                            GST_TYPE_DEEPBUG_CLASSIFY)

GType gst_deepbug_aspect_get_type(void) {
  return deepbug::gst::choiceGType(deepbug::gst::kAspectChoices);
}

namespace {

ClassifyState& stateOf(gpointer self) {
  return *reinterpret_cast<GstDeepbugClassify*>(self)->state;
}

void postStreamError(GstDeepbugClassify* self, const std::string& message,
                     const std::string& hint) {
  GST_ELEMENT_ERROR(self, STREAM, FAILED, ("%s", message.c_str()),
                    ("%s", hint.empty() ? "see the message" : hint.c_str()));
}

ClassificationResult resultFrom(const ClassifyState& state, const deepbug::model::Classification& c,
                                std::uint64_t index) {
  ClassificationResult r;
  r.logits = c.logits;
  r.scores = c.scores;
  r.labels = state.classifier->labels();
  r.top_index = c.top_index;
  r.top_score = c.top_score;
  r.classified = true;
  r.frame_index = index;
  r.model_id = state.model_id;
  r.geometry = c.geometry;
  return r;
}

GstBuffer* withMeta(GstBuffer* buffer, const ClassificationResult& result) {
  buffer = gst_buffer_make_writable(buffer);
  deepbug_buffer_add_classification_meta(buffer, result);
  return buffer;
}

// Classifies the pending frames marked for it as one batch, attaches results (carried
// ones to the frames in between) and moves everything to the ready queue.
GstFlowReturn classifyPending(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  if (s.pending.empty()) return GST_FLOW_OK;
  if (s.pending_to_classify == 0) {
    s.pending.front().classify = true;  // nothing to carry from: classify the first
    s.pending_to_classify = 1;
  }

  std::vector<GstVideoFrame> mapped;
  std::vector<deepbug::model::FrameView> views;
  std::vector<std::uint64_t> indices;
  mapped.reserve(s.pending.size());
  for (const PendingFrame& frame : s.pending) {
    if (!frame.classify) continue;
    GstVideoFrame video;
    if (!gst_video_frame_map(&video, &s.info, frame.buffer, GST_MAP_READ)) {
      for (GstVideoFrame& m : mapped)
        gst_video_frame_unmap(&m);
      postStreamError(self, "cannot map frame " + std::to_string(frame.index) + " for reading", "");
      s.clearQueues();
      return GST_FLOW_ERROR;
    }
    mapped.push_back(video);
    views.push_back(deepbug::gst::frameViewOf(video));
    indices.push_back(frame.index);
  }

  std::vector<deepbug::model::Classification> results;
  deepbug::model::ClassifyTimings timings;
  std::string failure, hint;
  try {
    results = s.classifier->classify(views, &timings);
  } catch (const deepbug::Error& e) {
    failure = e.what();
    hint = e.hint();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  for (GstVideoFrame& m : mapped)
    gst_video_frame_unmap(&m);
  if (!failure.empty()) {
    postStreamError(self,
                    "classifying frames " + std::to_string(indices.front()) + ".." +
                        std::to_string(indices.back()) + " failed: " + failure,
                    hint);
    s.clearQueues();
    return GST_FLOW_ERROR;
  }

  std::size_t next = 0;
  for (PendingFrame& frame : s.pending) {
    if (frame.classify) {
      s.last = resultFrom(s, results[next++], frame.index);
      s.ready.push_back(withMeta(frame.buffer, *s.last));
    } else {
      ClassificationResult carried = *s.last;
      carried.classified = false;
      s.ready.push_back(withMeta(frame.buffer, carried));
    }
  }
  s.pending.clear();
  s.pending_to_classify = 0;
  {
    std::lock_guard lock(s.stats_mutex);
    s.stats.classified += views.size();
    s.stats.batches += 1;
    s.stats.preprocess_seconds += timings.preprocess_seconds;
    s.stats.inference_seconds += timings.inference_seconds;
  }
  return GST_FLOW_OK;
}

// Classifies whatever is pending and pushes every ready buffer downstream.
GstFlowReturn drain(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  GstFlowReturn ret = classifyPending(self);
  while (!s.ready.empty()) {
    GstBuffer* buffer = s.ready.front();
    s.ready.pop_front();
    if (ret == GST_FLOW_OK) {
      ret = gst_pad_push(GST_BASE_TRANSFORM_SRC_PAD(self), buffer);
    } else {
      gst_buffer_unref(buffer);
    }
  }
  return ret;
}

// Live sources only: flushes a partial batch whose oldest frame waited batch-timeout.
void timerLoop(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  GstPad* sink = GST_BASE_TRANSFORM_SINK_PAD(self);
  std::unique_lock lock(s.timer_mutex);
  while (!s.timer_stop) {
    unsigned timeout_ms;
    {
      std::lock_guard settings_lock(s.settings_mutex);
      timeout_ms = s.settings.batch_timeout_ms;
    }
    s.timer_wake.wait_for(lock, std::chrono::milliseconds(std::max(5u, timeout_ms / 4)));
    if (s.timer_stop) break;
    // Never block on the stream lock: the streaming thread may be shutting down.
    if (!GST_PAD_STREAM_TRYLOCK(sink)) continue;
    if (!s.pending.empty() &&
        Clock::now() - s.oldest_pending > std::chrono::milliseconds(timeout_ms)) {
      GST_DEBUG_OBJECT(self, "flushing a partial batch of %zu frames after %u ms", s.pending.size(),
                       timeout_ms);
      deepbug::gst::guarded(self, "classifying a partial batch", [&] { drain(self); });
    }
    GST_PAD_STREAM_UNLOCK(sink);
  }
}

void startTimer(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  if (s.timer.joinable()) return;
  s.timer_stop = false;
  s.timer = std::thread(timerLoop, self);
}

void stopTimer(ClassifyState& s) {
  {
    std::lock_guard lock(s.timer_mutex);
    s.timer_stop = true;
  }
  s.timer_wake.notify_all();
  if (s.timer.joinable()) s.timer.join();
}

// How long after its capture (its running time) `buffer` reached the element, by the
// pipeline clock; 0 without a clock or timestamp.
GstClockTimeDiff lateness(GstBaseTransform* trans, GstBuffer* buffer) {
  if (!GST_BUFFER_PTS_IS_VALID(buffer) || trans->segment.format != GST_FORMAT_TIME) return 0;
  GstClock* clock = gst_element_get_clock(GST_ELEMENT(trans));
  if (clock == nullptr) return 0;
  const GstClockTime now =
      gst_clock_get_time(clock) - gst_element_get_base_time(GST_ELEMENT(trans));
  gst_object_unref(clock);
  const GstClockTime running =
      gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  return GST_CLOCK_TIME_IS_VALID(running) ? GST_CLOCK_DIFF(running, now) : 0;
}

}  // namespace

static GstFlowReturn deepbug_classify_submit_input_buffer(GstBaseTransform* trans, gboolean discont,
                                                          GstBuffer* input) {
  return deepbug::gst::guarded(
      trans, "classifying a frame", GST_FLOW_ERROR, [&]() -> GstFlowReturn {
        auto* self = GST_DEEPBUG_CLASSIFY(trans);
        ClassifyState& s = *self->state;
        GstFlowReturn flow = GST_FLOW_OK;
        deepbug::gst::OwnedBuffer buffer =
            deepbug::gst::takeSubmitted(GST_BASE_TRANSFORM_CLASS(gst_deepbug_classify_parent_class),
                                        trans, discont, input, flow);
        if (!buffer) return flow;
        unsigned batch_size, interval, max_lag_ms;
        {
          std::lock_guard lock(s.settings_mutex);
          batch_size = s.settings.batch_size;
          interval = s.settings.interval;
          max_lag_ms = s.settings.max_lag_ms;
        }
        if (!s.live_checked) {
          s.live_checked = true;
          s.live = deepbug::gst::upstreamIsLive(trans);
          if (s.live) startTimer(self);
        }
        const std::uint64_t index = s.next_index++;
        {
          std::lock_guard lock(s.stats_mutex);
          s.stats.frames += 1;
        }
        // A carried frame takes the result of the classified frame before it, which may
        // still be waiting in the batch. (Only a lost first frame leaves none: classify.)
        bool classify = index % interval == 0 || (!s.last && s.pending.empty());
        // Behind a live source: skip classification, never the frame.
        if (classify && max_lag_ms > 0 && s.last &&
            lateness(trans, buffer.get()) >
                static_cast<GstClockTimeDiff>(max_lag_ms) * GST_MSECOND) {
          classify = false;
          std::lock_guard lock(s.stats_mutex);
          s.stats.skipped += 1;
        }
        if (!classify && s.pending.empty()) {
          // Nothing newer is being classified: the last result applies now.
          ClassificationResult carried = *s.last;
          carried.classified = false;
          s.ready.push_back(withMeta(buffer.release(), carried));
          return GST_FLOW_OK;
        }
        if (s.pending.empty()) s.oldest_pending = Clock::now();
        s.pending.push_back({buffer.release(), classify, index});
        if (classify) s.pending_to_classify += 1;
        if (s.pending_to_classify >= batch_size) return classifyPending(self);
        return GST_FLOW_OK;
      });
}

static GstFlowReturn deepbug_classify_generate_output(GstBaseTransform* trans, GstBuffer** out) {
  return deepbug::gst::takeReady(stateOf(trans).ready, out);
}

static gboolean deepbug_classify_sink_event(GstBaseTransform* trans, GstEvent* event) {
  // The held frames first; the event itself goes to the base class (which owns it from
  // there) only when that worked, else it is dropped here.
  const bool handled = deepbug::gst::guarded(trans, "handling an event", false, [&] {
    auto* self = GST_DEEPBUG_CLASSIFY(trans);
    ClassifyState& s = *self->state;
    switch (GST_EVENT_TYPE(event)) {
      case GST_EVENT_FLUSH_STOP:
        s.clearQueues();
        break;
      case GST_EVENT_FLUSH_START:
        break;
      default:
        // Held frames precede every serialized event (EOS, caps, segment, gap, tags):
        // classify the partial batch now so that order and caps stay right.
        if (GST_EVENT_IS_SERIALIZED(event) && (!s.pending.empty() || !s.ready.empty())) {
          const GstFlowReturn ret = drain(self);
          if (ret != GST_FLOW_OK && ret != GST_FLOW_FLUSHING &&
              GST_EVENT_TYPE(event) != GST_EVENT_EOS) {
            GST_DEBUG_OBJECT(self, "draining before %s gave %s", GST_EVENT_TYPE_NAME(event),
                             gst_flow_get_name(ret));
          }
        }
        break;
    }
    return true;
  });
  if (!handled) {
    gst_event_unref(event);
    return FALSE;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_deepbug_classify_parent_class)->sink_event(trans, event);
}

static gboolean deepbug_classify_set_caps(GstBaseTransform* trans, GstCaps* incaps,
                                          GstCaps* /*outcaps*/) {
  return deepbug::gst::guarded(trans, "accepting caps", FALSE, [&]() -> gboolean {
    ClassifyState& s = stateOf(trans);
    if (!gst_video_info_from_caps(&s.info, incaps)) {
      GST_ERROR_OBJECT(trans, "caps %" GST_PTR_FORMAT " are not raw video", incaps);
      return FALSE;
    }
    s.have_info = true;
    return TRUE;
  });
}

static gboolean deepbug_classify_query(GstBaseTransform* trans, GstPadDirection direction,
                                       GstQuery* query) {
  return deepbug::gst::guarded(trans, "answering a query", FALSE, [&]() -> gboolean {
    auto* parent = GST_BASE_TRANSFORM_CLASS(gst_deepbug_classify_parent_class);
    if (direction != GST_PAD_SRC || GST_QUERY_TYPE(query) != GST_QUERY_LATENCY) {
      return parent->query(trans, direction, query);
    }
    if (!parent->query(trans, direction, query)) return FALSE;
    gboolean live;
    GstClockTime min, max;
    gst_query_parse_latency(query, &live, &min, &max);
    ClassifyState& s = stateOf(trans);
    if (live) {
      // A frame may wait for the rest of its batch, at most batch-timeout.
      unsigned batch_size, timeout_ms;
      {
        std::lock_guard lock(s.settings_mutex);
        batch_size = s.settings.batch_size;
        timeout_ms = s.settings.batch_timeout_ms;
      }
      GstClockTime added = timeout_ms * GST_MSECOND;
      if (s.have_info && GST_VIDEO_INFO_FPS_N(&s.info) > 0) {
        const GstClockTime frame = gst_util_uint64_scale(GST_SECOND, GST_VIDEO_INFO_FPS_D(&s.info),
                                                         GST_VIDEO_INFO_FPS_N(&s.info));
        added = std::min<GstClockTime>(added, frame * (batch_size - 1));
      }
      min += added;
      if (GST_CLOCK_TIME_IS_VALID(max)) max += added;
      gst_query_set_latency(query, live, min, max);
    }
    return TRUE;
  });
}

static gboolean deepbug_classify_start(GstBaseTransform* trans) {
  return deepbug::gst::guarded(trans, "starting", FALSE, [&]() -> gboolean {
    auto* self = GST_DEEPBUG_CLASSIFY(trans);
    ClassifyState& s = *self->state;
    ClassifySettings settings;
    {
      std::lock_guard lock(s.settings_mutex);
      settings = s.settings;
    }
    try {
      s.classifier = deepbug::gst::acquireClassifier(deepbug::gst::toClassifierOptions(settings));
    } catch (const deepbug::Error& e) {
      GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s", e.what()),
                        ("%s", e.hint().empty() ? "check the model property" : e.hint().c_str()));
      return FALSE;
    } catch (const std::exception& e) {
      GST_ELEMENT_ERROR(self, RESOURCE, FAILED,
                        ("cannot load model '%s': %s", settings.model_path.c_str(), e.what()),
                        (nullptr));
      return FALSE;
    }
    for (const std::string& warning : s.classifier->warnings()) {
      GST_ELEMENT_WARNING(self, RESOURCE, SETTINGS, ("%s", warning.c_str()), (nullptr));
    }
    s.model_id = settings.model_path;
    s.next_index = 0;
    s.last.reset();
    s.live_checked = false;
    {
      std::lock_guard lock(s.stats_mutex);
      s.stats = deepbug::gst::ClassifyStats{};
    }
    return TRUE;
  });
}

static gboolean deepbug_classify_stop(GstBaseTransform* trans) {
  return deepbug::gst::guarded(trans, "stopping", FALSE, [&]() -> gboolean {
    ClassifyState& s = stateOf(trans);
    stopTimer(s);
    s.clearQueues();
    s.classifier.reset();
    s.have_info = false;
    return TRUE;
  });
}

static void deepbug_classify_set_property(GObject* object, guint id, const GValue* value,
                                          GParamSpec* pspec) {
  deepbug::gst::guarded(object, "setting a property", [&] {
    ClassifyState& s = stateOf(object);
    const auto* setting = deepbug::gst::settingOf(deepbug::gst::classifySettingsTable(), id);
    if (setting == nullptr) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      return;
    }
    std::lock_guard lock(s.settings_mutex);
    deepbug::gst::writeSetting(*setting, s.settings, value);
  });
}

static void deepbug_classify_get_property(GObject* object, guint id, GValue* value,
                                          GParamSpec* pspec) {
  deepbug::gst::guarded(object, "reading a property", [&] {
    ClassifyState& s = stateOf(object);
    if (id == statsPropertyId()) {
      std::lock_guard lock(s.stats_mutex);
      g_value_take_boxed(value, deepbug::gst::toStructure(s.stats));
      return;
    }
    const auto* setting = deepbug::gst::settingOf(deepbug::gst::classifySettingsTable(), id);
    if (setting == nullptr) {
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
      return;
    }
    std::lock_guard lock(s.settings_mutex);
    deepbug::gst::readSetting(*setting, s.settings, value);
  });
}

static void gst_deepbug_classify_finalize(GObject* object) {
  ClassifyState* state = GST_DEEPBUG_CLASSIFY(object)->state;
  stopTimer(*state);
  delete state;
  G_OBJECT_CLASS(gst_deepbug_classify_parent_class)->finalize(object);
}

static void gst_deepbug_classify_init(GstDeepbugClassify* self) {
  self->state = new ClassifyState();
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), FALSE);
  gst_base_transform_set_prefer_passthrough(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_deepbug_classify_class_init(GstDeepbugClassifyClass* klass) {
  GST_DEBUG_CATEGORY_INIT(deepbug_classify_debug, "deepbugclassify", 0, "DeepBug frame classifier");
  auto* object_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  object_class->set_property = deepbug_classify_set_property;
  object_class->get_property = deepbug_classify_get_property;
  object_class->finalize = gst_deepbug_classify_finalize;

  deepbug::gst::installSettings(object_class, deepbug::gst::classifySettingsTable());
  g_object_class_install_property(
      object_class, statsPropertyId(),
      g_param_spec_boxed(
          "stats", "Statistics", deepbug::gst::classifyStatsFields().c_str(), GST_TYPE_STRUCTURE,
          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_NAME | G_PARAM_STATIC_NICK)));

  GstCaps* caps =
      gst_caps_from_string((std::string("video/x-raw, format=(string)") + kFormats).c_str());
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
  gst_element_class_set_static_metadata(
      element_class, "DeepBug classifier", "Filter/Analyzer/Video",
      "Classifies frames with a TorchScript model and attaches DeepbugClassificationMeta",
      "DeepBug Stream");

  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->submit_input_buffer = deepbug_classify_submit_input_buffer;
  trans_class->generate_output = deepbug_classify_generate_output;
  trans_class->sink_event = deepbug_classify_sink_event;
  trans_class->set_caps = deepbug_classify_set_caps;
  trans_class->query = deepbug_classify_query;
  trans_class->start = deepbug_classify_start;
  trans_class->stop = deepbug_classify_stop;
}
