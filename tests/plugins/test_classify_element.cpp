// deepbugclassify through GstHarness and small real pipelines, with traced fixture
// models: properties, meta on every buffer, interval, batching and its flushes,
// formats, meta surviving other elements, errors.
#include <gst/app/gstappsink.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/gst_ptr.hpp"
#include "meta/model_info.hpp"
#include "plugins/element_helpers.hpp"

namespace deepbug::test {
namespace {

Harness classifier(const std::string& properties, const std::string& format = "RGB") {
  Harness h(gst_harness_new_parse(
      ("deepbugclassify model=" + fixtureModel("tiny") + " " + properties).c_str()));
  gst_harness_set_caps_str(h.get(), rawCaps(format, 64, 48).c_str(),
                           rawCaps(format, 64, 48).c_str());
  return h;
}

// Pulls `n` buffers and returns their results (copied) in order.
std::vector<gst::ClassificationResult> pullResults(GstHarness* h, int n) {
  std::vector<gst::ClassificationResult> results;
  for (int i = 0; i < n; ++i) {
    GstBuffer* out = gst_harness_pull(h);
    EXPECT_NE(out, nullptr);
    if (out == nullptr) break;
    const gst::ClassificationResult* r = resultOf(out);
    EXPECT_NE(r, nullptr) << "buffer " << i << " has no classification meta";
    if (r != nullptr) results.push_back(*r);
    gst_buffer_unref(out);
  }
  return results;
}

TEST(ClassifyElement, PropertiesHaveDocumentedDefaultsAndRanges) {
  GstElement* element = gst_element_factory_make("deepbugclassify", nullptr);
  ASSERT_NE(element, nullptr) << "plugin not found in the private registry";
  guint batch = 0, interval = 0, input_size = 99;
  gchar* device = nullptr;
  g_object_get(element, "batch-size", &batch, "interval", &interval, "input-size", &input_size,
               "device", &device, nullptr);
  EXPECT_EQ(batch, 1u);
  EXPECT_EQ(interval, 1u);
  EXPECT_EQ(input_size, 0u);
  EXPECT_STREQ(device, "auto");
  g_free(device);

  auto* spec =
      G_PARAM_SPEC_UINT(g_object_class_find_property(G_OBJECT_GET_CLASS(element), "batch-size"));
  EXPECT_EQ(spec->minimum, 1u);
  EXPECT_EQ(spec->maximum, 256u);
  guint count = 0;
  GParamSpec** specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(element), &count);
  std::set<std::string> own;
  for (guint i = 0; i < count; ++i) {
    if (specs[i]->owner_type == G_OBJECT_TYPE(element)) own.insert(g_param_spec_get_name(specs[i]));
  }
  g_free(specs);
  EXPECT_EQ(own, (std::set<std::string>{"model", "labels", "device", "precision", "batch-size",
                                        "interval", "input-size", "aspect", "mean", "std",
                                        "threads", "batch-timeout", "max-lag", "stats"}));
  gst_util_set_object_arg(G_OBJECT(element), "precision", "bf16");
  gst_util_set_object_arg(G_OBJECT(element), "aspect", "letterbox");
  gint precision = -1, aspect = -1;
  g_object_get(element, "precision", &precision, "aspect", &aspect, nullptr);
  EXPECT_EQ(precision, 1);
  EXPECT_EQ(aspect, 2);
  gst_object_unref(element);
}

TEST(ClassifyElement, EveryBufferCarriesAClassification) {
  Harness h = classifier("");
  gst_harness_set_live(h.get(), FALSE);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(gst_harness_push(h.get(), makeFrame("RGB", 64, 48, i, i * GST_SECOND / 10)),
              GST_FLOW_OK);
  }
  const auto results = pullResults(h.get(), 5);
  ASSERT_EQ(results.size(), 5u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    EXPECT_TRUE(r.classified);
    EXPECT_EQ(r.frame_index, i);
    ASSERT_EQ(r.scores.size(), 2u);
    EXPECT_NEAR(r.scores[0] + r.scores[1], 1.0, 1e-5);
    EXPECT_EQ(r.labels, (std::vector<std::string>{"aggressive", "non_aggressive"}));
    EXPECT_EQ(r.geometry.frame_width, 64);
    EXPECT_EQ(r.geometry.input_width, 224);
    EXPECT_EQ(r.model_id, fixtureModel("tiny"));
  }
  // Different pictures, different scores: the model really saw each frame.
  EXPECT_NE(results[0].scores[0], results[1].scores[0]);
}

TEST(ClassifyElement, IntervalCarriesTheLastResult) {
  Harness h = classifier("interval=3 batch-size=2");
  gst_harness_set_live(h.get(), FALSE);
  for (int i = 0; i < 8; ++i) {
    gst_harness_push(h.get(), makeFrame("RGB", 64, 48, i, i * GST_SECOND / 10));
  }
  gst_harness_push_event(h.get(), gst_event_new_eos());
  const auto results = pullResults(h.get(), 8);
  ASSERT_EQ(results.size(), 8u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].classified, i % 3 == 0) << "frame " << i;
    EXPECT_EQ(results[i].frame_index, i - i % 3) << "frame " << i;
    EXPECT_EQ(results[i].scores, results[i - i % 3].scores) << "frame " << i;
  }
  EXPECT_NE(results[0].scores, results[3].scores);
}

TEST(ClassifyElement, HoldsFramesUntilABatchIsFullAndFlushesThePartialOneAtEos) {
  Harness h = classifier("batch-size=4");
  gst_harness_set_live(h.get(), FALSE);
  for (int i = 0; i < 3; ++i) {
    gst_harness_push(h.get(), makeFrame("RGB", 64, 48, i, i * GST_SECOND / 10));
  }
  EXPECT_EQ(gst_harness_buffers_received(h.get()), 0u);
  gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 3, 3 * GST_SECOND / 10));
  EXPECT_EQ(gst_harness_buffers_received(h.get()), 4u);
  gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 4, 4 * GST_SECOND / 10));
  gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 5, 5 * GST_SECOND / 10));
  EXPECT_EQ(gst_harness_buffers_received(h.get()), 4u);
  gst_harness_push_event(h.get(), gst_event_new_eos());
  EXPECT_EQ(gst_harness_buffers_received(h.get()), 6u);
  const auto results = pullResults(h.get(), 6);
  for (std::size_t i = 0; i < results.size(); ++i)
    EXPECT_EQ(results[i].frame_index, i);

  const gst::ClassifyStats stats = statsOf(h.get(), "deepbugclassify", gst::classifyStatsFrom);
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.classified, 6u);
}

TEST(ClassifyElement, BatchedResultsEqualOneByOne) {
  Harness single = classifier("batch-size=1");
  Harness batched = classifier("batch-size=4");
  gst_harness_set_live(single.get(), FALSE);
  gst_harness_set_live(batched.get(), FALSE);
  for (int i = 0; i < 4; ++i) {
    gst_harness_push(single.get(), makeFrame("RGB", 64, 48, i, i * GST_SECOND / 10));
    gst_harness_push(batched.get(), makeFrame("RGB", 64, 48, i, i * GST_SECOND / 10));
  }
  const auto a = pullResults(single.get(), 4);
  const auto b = pullResults(batched.get(), 4);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t c = 0; c < a[i].scores.size(); ++c) {
      EXPECT_NEAR(a[i].scores[c], b[i].scores[c], 1e-5);
    }
  }
}

// batch-timeout by the pipeline clock, here a test clock: the element's timer waits on
// it, so the test knows exactly when the partial batch is due and that nothing left before.
TEST(ClassifyElement, LiveSourcesGetAPartialBatchOnceItsFirstFrameWaitedTheTimeout) {
  Harness h = classifier("batch-size=8 batch-timeout=50");
  gst_harness_use_testclock(h.get());
  gst_harness_set_live(h.get(), TRUE);
  ASSERT_TRUE(gst_harness_set_time(h.get(), GST_SECOND));
  ASSERT_EQ(gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 0, GST_SECOND)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_set_time(h.get(), GST_SECOND + 30 * GST_MSECOND));
  ASSERT_EQ(gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 1, GST_SECOND + GST_SECOND / 10)),
            GST_FLOW_OK);

  // The timer waits for the first frame's arrival + 50 ms; until then nothing leaves.
  ASSERT_TRUE(gst_harness_wait_for_clock_id_waits(h.get(), 1, 60));
  GstTestClock* clock = gst_harness_get_testclock(h.get());
  GstClockID pending = nullptr;
  ASSERT_TRUE(gst_test_clock_peek_next_pending_id(clock, &pending));
  EXPECT_EQ(gst_clock_id_get_time(pending),
            gst_element_get_base_time(h->element) + GST_SECOND + 50 * GST_MSECOND);
  gst_clock_id_unref(pending);
  gst_object_unref(clock);
  EXPECT_EQ(gst_harness_buffers_in_queue(h.get()), 0u);

  ASSERT_TRUE(gst_harness_crank_single_clock_wait(h.get()));
  const std::vector<gst::ClassificationResult> out = pullResults(h.get(), 2);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].classified);
  EXPECT_TRUE(out[1].classified);
  const gst::ClassifyStats stats = statsOf(h.get(), "deepbugclassify", gst::classifyStatsFrom);
  EXPECT_EQ(stats.batches, 1u) << "the two frames went as one partial batch";
  EXPECT_EQ(stats.classified, 2u);

  GstQuery* latency = gst_query_new_latency();
  ASSERT_TRUE(gst_pad_peer_query(h->sinkpad, latency));
  gboolean live = FALSE;
  GstClockTime min = 0;
  gst_query_parse_latency(latency, &live, &min, nullptr);
  gst_query_unref(latency);
  EXPECT_TRUE(live);
  EXPECT_GE(min, 50 * GST_MSECOND) << "the batch wait is part of the latency";
}

// max-lag by the pipeline clock, here a test clock: no wall time, no machine speed. A
// frame due for classification that reaches the element more than max-lag after its
// running time carries the last result and counts as skipped; the frame itself goes on.
TEST(ClassifyElement, MaxLagSkipsFramesThatArriveLateByThePipelineClock) {
  Harness h = classifier("max-lag=100");
  gst_harness_use_testclock(h.get());
  struct Arrival {
    GstClockTime pts, clock;
    bool classified;
  };
  const std::vector<Arrival> arrivals{{0, 0, true},  // the first frame: always classified
                                      {100 * GST_MSECOND, 150 * GST_MSECOND, true},   // 50 ms late
                                      {200 * GST_MSECOND, 450 * GST_MSECOND, false},  // 250 ms late
                                      {300 * GST_MSECOND, 450 * GST_MSECOND, false},  // 150 ms late
                                      {400 * GST_MSECOND, 480 * GST_MSECOND, true}};  // 80 ms late
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    ASSERT_TRUE(gst_harness_set_time(h.get(), arrivals[i].clock));
    ASSERT_EQ(
        gst_harness_push(h.get(), makeFrame("RGB", 64, 48, static_cast<int>(i), arrivals[i].pts)),
        GST_FLOW_OK);
    const std::vector<gst::ClassificationResult> out = pullResults(h.get(), 1);
    ASSERT_EQ(out.size(), 1u) << "frame " << i;
    EXPECT_EQ(out[0].classified, arrivals[i].classified) << "frame " << i;
  }
  const gst::ClassifyStats stats = statsOf(h.get(), "deepbugclassify", gst::classifyStatsFrom);
  EXPECT_EQ(stats.skipped, 2u);
  EXPECT_EQ(stats.classified, 3u);
}

TEST(ClassifyElement, RgbBgrAndI420ThroughVideoconvertAgree) {
  std::vector<float> reference;
  for (const std::string format : {"RGB", "BGR", "BGRx"}) {
    Harness h = classifier("", format);
    gst_harness_set_live(h.get(), FALSE);
    gst_harness_push(h.get(), makeFrame(format, 64, 48, 7, 0));
    const auto results = pullResults(h.get(), 1);
    ASSERT_EQ(results.size(), 1u) << format;
    if (reference.empty()) reference = results[0].scores;
    for (std::size_t c = 0; c < reference.size(); ++c) {
      EXPECT_NEAR(results[0].scores[c], reference[c], 1e-5) << format;
    }
  }
  // I420 is converted by videoconvert in front: same picture, nearly the same scores.
  Harness h(gst_harness_new_parse(
      ("videoconvert ! video/x-raw,format=RGB ! deepbugclassify model=" + fixtureModel("tiny"))
          .c_str()));
  gst_harness_set_live(h.get(), FALSE);
  gst_harness_set_caps_str(h.get(), rawCaps("I420", 64, 48).c_str(),
                           rawCaps("RGB", 64, 48).c_str());
  GstBuffer* yuv = nullptr;
  {
    Harness convert(gst_harness_new_parse("videoconvert"));
    gst_harness_set_caps_str(convert.get(), rawCaps("RGB", 64, 48).c_str(),
                             rawCaps("I420", 64, 48).c_str());
    yuv = gst_harness_push_and_pull(convert.get(), makeFrame("RGB", 64, 48, 7, 0));
  }
  ASSERT_NE(yuv, nullptr);
  gst_harness_push(h.get(), yuv);
  const auto results = pullResults(h.get(), 1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NEAR(results[0].scores[0], reference[0], 0.02);
}

// A real pipeline: the meta survives tee, queue, videoconvert and videoscale (which
// rescales the geometry to the new frame size).
TEST(ClassifyElement, MetaSurvivesTeeQueueConvertAndScale) {
  const std::string description =
      "videotestsrc num-buffers=6 ! video/x-raw,width=160,height=120 ! videoconvert ! "
      "deepbugclassify model=" +
      fixtureModel("tiny") +
      " batch-size=4 ! tee ! queue ! videoconvert ! video/x-raw,format=I420 ! videoscale ! "
      "video/x-raw,width=80,height=60 ! appsink name=out sync=false";
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  ASSERT_EQ(error, nullptr) << (error ? error->message : "");
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  int frames = 0;
  while (GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) {
    const gst::ClassificationResult* r = resultOf(gst_sample_get_buffer(sample));
    EXPECT_NE(r, nullptr) << "frame " << frames;
    if (r != nullptr) {
      EXPECT_EQ(r->geometry.frame_width, 80);
      EXPECT_EQ(r->geometry.frame_height, 60);
      EXPECT_EQ(r->geometry.crop_width, 80);
    }
    gst_sample_unref(sample);
    ++frames;
  }
  EXPECT_EQ(frames, 6);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
}

TEST(ClassifyElement, BadModelPathIsAnElementErrorNamingIt) {
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(
      "videotestsrc num-buffers=2 ! videoconvert ! deepbugclassify model=/nonexistent/m.pt ! "
      "fakesink",
      &error);
  ASSERT_EQ(error, nullptr);
  EXPECT_EQ(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* message = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  ASSERT_NE(message, nullptr);
  GError* reported = nullptr;
  gst_message_parse_error(message, &reported, nullptr);
  EXPECT_NE(std::string(reported->message).find("/nonexistent/m.pt"), std::string::npos)
      << reported->message;
  g_error_free(reported);
  gst_message_unref(message);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

// "load-model": an application checks the model through an element of its own and, by
// keeping it, keeps the model loaded for every classifier after it.
gst::ModelInfo loadModelWith(GstElement* element) {
  GstStructure* reply = nullptr;
  g_signal_emit_by_name(element, gst::kLoadModelSignal, &reply);
  const gst::OwnedStructure owned(reply);
  return gst::modelInfoFrom(reply);
}

TEST(ClassifyElement, LoadModelSaysWhatTheModelIsAndLaterElementsShareIt) {
  const gst::ObjectRef<GstElement> loader(
      GST_ELEMENT(gst_object_ref_sink(gst_element_factory_make("deepbugclassify", nullptr))));
  g_object_set(loader.get(), "model", fixtureModel("tiny").c_str(), nullptr);
  const gst::ModelInfo info = loadModelWith(loader.get());
  EXPECT_EQ(info.error, "");
  EXPECT_EQ(info.labels, (std::vector<std::string>{"aggressive", "non_aggressive"}));
  EXPECT_EQ(info.device, "cpu");
  {
    Harness h = classifier("");
    ASSERT_EQ(gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 0, 0)), GST_FLOW_OK);
    EXPECT_EQ(pullResults(h.get(), 1).size(), 1u);
    EXPECT_EQ(statsOf(h.get(), "deepbugclassify", gst::classifyStatsFrom).model_loads, 0u)
        << "the loader's model was shared";
  }
  {
    Harness h = classifier("input-size=32");  // other settings: another model instance
    ASSERT_EQ(gst_harness_push(h.get(), makeFrame("RGB", 64, 48, 0, 0)), GST_FLOW_OK);
    EXPECT_EQ(pullResults(h.get(), 1).size(), 1u);
    EXPECT_EQ(statsOf(h.get(), "deepbugclassify", gst::classifyStatsFrom).model_loads, 1u);
  }
}

TEST(ClassifyElement, LoadModelReportsABadModelWithoutPostingAnything) {
  const gst::ObjectRef<GstElement> loader(
      GST_ELEMENT(gst_object_ref_sink(gst_element_factory_make("deepbugclassify", nullptr))));
  g_object_set(loader.get(), "model", "/nonexistent/m.pt", nullptr);
  const gst::ModelInfo info = loadModelWith(loader.get());
  EXPECT_NE(info.error.find("/nonexistent/m.pt"), std::string::npos) << info.error;
  EXPECT_TRUE(info.labels.empty());
}

}  // namespace
}  // namespace deepbug::test
