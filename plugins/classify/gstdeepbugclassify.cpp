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
#include "common/pad_templates.hpp"
#include "core/error.hpp"
#include "meta/classification_meta.hpp"
#include "meta/element_stats.hpp"
#include "meta/frame_view.hpp"
#include "meta/model_info.hpp"
#include "model/batch_planner.hpp"

GST_DEBUG_CATEGORY_STATIC(deepbug_classify_debug);
#define GST_CAT_DEFAULT deepbug_classify_debug

namespace {

using deepbug::gst::ClassificationResult;
using deepbug::gst::ClassifySettings;
using deepbug::gst::OwnedBuffer;
using Planner = deepbug::model::BatchPlanner<OwnedBuffer>;
using deepbug::model::Nanoseconds;

constexpr const char* kFormats = "{ RGB, BGR, RGBA, BGRA, RGBx, BGRx, GRAY8 }";

// Property ids: 1..N for the settings table, then the read-only statistics.
guint statsPropertyId() {
  return static_cast<guint>(deepbug::gst::classifySettingsTable().size()) + 1;
}

deepbug::model::BatchPolicy batchPolicyOf(const ClassifySettings& settings) {
  deepbug::model::BatchPolicy policy;
  policy.batch_size = settings.batch_size;
  policy.interval = settings.interval;
  policy.max_lag = std::chrono::milliseconds(settings.max_lag_ms);
  policy.batch_timeout = std::chrono::milliseconds(settings.batch_timeout_ms);
  return policy;
}

struct ClockIdUnref {
  void operator()(GstClockID id) const { gst_clock_id_unref(id); }
};
using OwnedClockId = std::unique_ptr<void, ClockIdUnref>;

// Live sources: the thread that runs a partial batch once its oldest frame has waited
// batch-timeout, waiting on the pipeline clock (a GstTestClock in tests).
struct BatchTimer {
  std::thread thread;
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::optional<Nanoseconds> deadline;  // running time; published by whoever holds the planner
  GstClockID waiting = nullptr;         // the clock wait in progress, to cancel it on stop
};

// Everything C++ about the element; the GObject instance only holds a pointer.
struct ClassifyState {
  std::mutex settings_mutex;  // properties may be set from any thread
  ClassifySettings settings;

  std::shared_ptr<const deepbug::model::Classifier> classifier;
  // The model "load-model" loaded, kept for the application (guarded by settings_mutex).
  std::shared_ptr<const deepbug::model::Classifier> loaded_for_application;
  GstVideoInfo info{};
  bool have_info = false;
  std::string model_id;

  // Touched only with the sink pad's stream lock held (streaming thread or timer).
  Planner planner;
  deepbug::gst::ReadyQueue ready;
  std::optional<ClassificationResult> last;

  std::mutex stats_mutex;
  deepbug::gst::ClassifyStats stats;

  bool live = false;
  bool live_checked = false;
  BatchTimer timer;

  ~ClassifyState() { clearQueues(); }

  void clearQueues() {
    planner.clear();
    ready.clear();
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

OwnedBuffer withMeta(OwnedBuffer buffer, const ClassificationResult& result) {
  OwnedBuffer writable(gst_buffer_make_writable(buffer.release()));
  deepbug_buffer_add_classification_meta(writable.get(), result);
  return writable;
}

OwnedBuffer withCarriedResult(OwnedBuffer buffer, const ClassificationResult& last) {
  ClassificationResult carried = last;
  carried.classified = false;
  return withMeta(std::move(buffer), carried);
}

// The pipeline clock's running time now; none without a clock.
std::optional<GstClockTime> runningTimeNow(GstElement* element) {
  const deepbug::gst::ObjectRef<GstClock> clock(gst_element_get_clock(element));
  if (!clock) return std::nullopt;
  const GstClockTime now = gst_clock_get_time(clock.get());
  const GstClockTime base = gst_element_get_base_time(element);
  return now >= base ? now - base : 0;
}

// How long after its capture (its running time) `buffer` reached the element at `now`;
// 0 without a timestamp.
Nanoseconds lateness(GstBaseTransform* trans, GstBuffer* buffer, GstClockTime now) {
  if (!GST_BUFFER_PTS_IS_VALID(buffer) || trans->segment.format != GST_FORMAT_TIME) {
    return Nanoseconds::zero();
  }
  const GstClockTime running =
      gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buffer));
  return Nanoseconds(GST_CLOCK_TIME_IS_VALID(running) ? GST_CLOCK_DIFF(running, now) : 0);
}

// With the stream lock held: tells the timer when the planner's batch times out.
void publishDeadline(ClassifyState& s) {
  if (!s.live) return;
  {
    std::lock_guard lock(s.timer.mutex);
    s.timer.deadline = s.planner.deadline();
  }
  s.timer.wake.notify_all();
}

// Classifies the held frames marked for it as one batch, attaches results (carried ones
// to the frames in between) and moves everything to the ready queue.
GstFlowReturn runBatch(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  std::vector<Planner::Held> batch = s.planner.takeBatch();
  publishDeadline(s);
  if (batch.empty()) return GST_FLOW_OK;

  std::vector<deepbug::gst::MappedFrame> mapped;
  std::vector<deepbug::model::FrameView> views;
  std::vector<std::uint64_t> indices;
  mapped.reserve(batch.size());
  for (const Planner::Held& held : batch) {
    if (!held.classify) continue;
    mapped.emplace_back(s.info, held.frame.get());
    if (!mapped.back()) {
      postStreamError(self, "cannot map frame " + std::to_string(held.index) + " for reading", "");
      s.clearQueues();
      return GST_FLOW_ERROR;
    }
    views.push_back(mapped.back().view());
    indices.push_back(held.index);
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
  mapped.clear();
  if (!failure.empty()) {
    postStreamError(self,
                    "classifying frames " + std::to_string(indices.front()) + ".." +
                        std::to_string(indices.back()) + " failed: " + failure,
                    hint);
    s.clearQueues();
    return GST_FLOW_ERROR;
  }

  s.planner.classified();
  std::size_t next = 0;
  for (Planner::Held& held : batch) {
    if (held.classify) {
      s.last = resultFrom(s, results[next++], held.index);
      s.ready.push_back(withMeta(std::move(held.frame), *s.last));
    } else {
      s.ready.push_back(withCarriedResult(std::move(held.frame), *s.last));
    }
  }
  {
    std::lock_guard lock(s.stats_mutex);
    s.stats.classified += views.size();
    s.stats.batches += 1;
    s.stats.preprocess_seconds += timings.preprocess_seconds;
    s.stats.inference_seconds += timings.inference_seconds;
  }
  return GST_FLOW_OK;
}

// Classifies whatever is held and pushes every ready buffer downstream.
GstFlowReturn drain(GstDeepbugClassify* self) {
  const GstFlowReturn ret = runBatch(self);
  if (ret != GST_FLOW_OK) return ret;  // runBatch dropped everything
  return deepbug::gst::pushReady(GST_BASE_TRANSFORM(self), self->state->ready);
}

// Waits on the pipeline clock until `deadline` (running time); false when cancelled or
// there is no clock.
bool waitOnClock(GstDeepbugClassify* self, BatchTimer& timer, Nanoseconds deadline) {
  const deepbug::gst::ObjectRef<GstClock> clock(gst_element_get_clock(GST_ELEMENT(self)));
  if (!clock) return false;
  const GstClockTime at =
      gst_element_get_base_time(GST_ELEMENT(self)) + static_cast<GstClockTime>(deadline.count());
  const OwnedClockId id(gst_clock_new_single_shot_id(clock.get(), at));
  {
    std::lock_guard lock(timer.mutex);
    if (timer.stop) return false;
    timer.waiting = id.get();
  }
  const GstClockReturn ret = gst_clock_id_wait(id.get(), nullptr);
  {
    std::lock_guard lock(timer.mutex);
    timer.waiting = nullptr;
  }
  return ret == GST_CLOCK_OK || ret == GST_CLOCK_EARLY;
}

void timerLoop(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  BatchTimer& timer = s.timer;
  GstPad* sink = GST_BASE_TRANSFORM_SINK_PAD(self);
  while (true) {
    Nanoseconds deadline;
    {
      std::unique_lock lock(timer.mutex);
      timer.wake.wait(lock, [&] { return timer.stop || timer.deadline.has_value(); });
      if (timer.stop) return;
      deadline = *timer.deadline;
    }
    if (!waitOnClock(self, timer, deadline)) {
      // Cancelled (stopping) or no clock yet: look again shortly.
      std::unique_lock lock(timer.mutex);
      timer.wake.wait_for(lock, std::chrono::milliseconds(5), [&] { return timer.stop; });
      continue;
    }
    // Never block on the stream lock: the streaming thread may be shutting down and
    // waiting for this thread. Busy means it is classifying or pushing: try again soon
    // (a batch it is classifying takes the held frames with it anyway).
    while (!GST_PAD_STREAM_TRYLOCK(sink)) {
      std::unique_lock lock(timer.mutex);
      if (timer.wake.wait_for(lock, std::chrono::milliseconds(5), [&] { return timer.stop; })) {
        return;
      }
    }
    const std::optional<GstClockTime> now = runningTimeNow(GST_ELEMENT(self));
    if (now && s.planner.timedOut(Nanoseconds(*now))) {
      GST_DEBUG_OBJECT(self, "classifying a partial batch of %zu frames after the batch timeout",
                       s.planner.held());
      deepbug::gst::guarded(self, "classifying a partial batch", [&] { drain(self); });
    }
    publishDeadline(s);
    GST_PAD_STREAM_UNLOCK(sink);
  }
}

void startTimer(GstDeepbugClassify* self) {
  BatchTimer& timer = self->state->timer;
  if (timer.thread.joinable()) return;
  timer.stop = false;
  timer.deadline.reset();
  timer.thread = std::thread(timerLoop, self);
}

void stopTimer(BatchTimer& timer) {
  {
    std::lock_guard lock(timer.mutex);
    timer.stop = true;
    if (timer.waiting != nullptr) gst_clock_id_unschedule(timer.waiting);
  }
  timer.wake.notify_all();
  if (timer.thread.joinable()) timer.thread.join();
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
        {
          std::lock_guard lock(s.settings_mutex);
          s.planner.setPolicy(batchPolicyOf(s.settings));
        }
        if (!s.live_checked) {
          s.live_checked = true;
          s.live = deepbug::gst::upstreamIsLive(trans);
          if (s.live) startTimer(self);
        }
        {
          std::lock_guard lock(s.stats_mutex);
          s.stats.frames += 1;
        }
        const GstClockTime now = runningTimeNow(GST_ELEMENT(trans)).value_or(0);
        const Nanoseconds late = lateness(trans, buffer.get(), now);
        Planner::Admission admission = s.planner.admit(std::move(buffer), late, Nanoseconds(now));
        if (admission.skipped) {
          std::lock_guard lock(s.stats_mutex);
          s.stats.skipped += 1;
        }
        if (admission.leave_now) {
          s.ready.push_back(withCarriedResult(std::move(*admission.leave_now), *s.last));
          return GST_FLOW_OK;
        }
        if (admission.batch_full) return runBatch(self);
        publishDeadline(s);
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
        if (GST_EVENT_IS_SERIALIZED(event) && (s.planner.holding() || !s.ready.empty())) {
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
      deepbug::model::BatchPolicy policy;
      {
        std::lock_guard lock(s.settings_mutex);
        policy = batchPolicyOf(s.settings);
      }
      Nanoseconds frame_duration{0};
      if (s.have_info && GST_VIDEO_INFO_FPS_N(&s.info) > 0) {
        frame_duration = Nanoseconds(gst_util_uint64_scale(
            GST_SECOND, GST_VIDEO_INFO_FPS_D(&s.info), GST_VIDEO_INFO_FPS_N(&s.info)));
      }
      const auto added =
          static_cast<GstClockTime>(deepbug::model::maxBatchWait(policy, frame_duration).count());
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
    bool loaded = false;
    try {
      s.classifier =
          deepbug::gst::acquireClassifier(deepbug::gst::toClassifierOptions(settings), &loaded);
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
    s.planner = Planner();
    s.last.reset();
    s.live_checked = false;
    {
      std::lock_guard lock(s.stats_mutex);
      s.stats = deepbug::gst::ClassifyStats{};
      s.stats.model_loads = loaded ? 1 : 0;
    }
    return TRUE;
  });
}

// The "load-model" action signal (meta/model_info.hpp), any thread, any state. The element
// keeps the model apart from the one it classifies with (the same instance when the
// settings match), so the caller keeps it loaded for the process by keeping the element.
static GstStructure* deepbug_classify_load_model(GstDeepbugClassify* self) {
  ClassifyState& s = *self->state;
  deepbug::gst::ModelInfo info;
  try {
    ClassifySettings settings;
    {
      std::lock_guard lock(s.settings_mutex);
      settings = s.settings;
    }
    auto loaded = deepbug::gst::acquireClassifier(deepbug::gst::toClassifierOptions(settings));
    info.labels = loaded->labels();
    info.device = loaded->device();
    info.warnings = loaded->warnings();
    std::lock_guard lock(s.settings_mutex);
    s.loaded_for_application = std::move(loaded);
  } catch (const deepbug::Error& e) {
    info.error = e.what();
    info.hint = e.hint();
  } catch (const std::exception& e) {
    info.error = e.what();
  }
  return deepbug::gst::toStructure(info);
}

static gboolean deepbug_classify_stop(GstBaseTransform* trans) {
  return deepbug::gst::guarded(trans, "stopping", FALSE, [&]() -> gboolean {
    ClassifyState& s = stateOf(trans);
    stopTimer(s.timer);
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
  stopTimer(state->timer);
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
  g_signal_new_class_handler(deepbug::gst::kLoadModelSignal, G_TYPE_FROM_CLASS(klass),
                             static_cast<GSignalFlags>(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
                             G_CALLBACK(deepbug_classify_load_model), nullptr, nullptr, nullptr,
                             GST_TYPE_STRUCTURE, 0);
  g_object_class_install_property(
      object_class, statsPropertyId(),
      g_param_spec_boxed(
          "stats", "Statistics", deepbug::gst::classifyStatsFields().c_str(), GST_TYPE_STRUCTURE,
          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_NAME | G_PARAM_STATIC_NICK)));

  deepbug::gst::addVideoPadTemplates(element_class, kFormats);
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
