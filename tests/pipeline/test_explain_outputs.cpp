// events.jsonl from the explain element's messages: a failed explanation is listed
// under its event's failed_frames, and neither that event nor the ones after it wait
// for a map that will never come; an event names a clip only when one will be cut.
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/gst_ptr.hpp"
#include "config.hpp"
#include "explain_outputs.hpp"
#include "meta/explain_messages.hpp"

namespace deepbug::stream {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// An archive-mode event message as deepbugexplain posts it.
GstStructure* eventMessage(std::int64_t id, std::int64_t start, std::int64_t end,
                           const std::string& selected) {
  return gst_structure_new(
      gst::kExplainEventMessage, "id", G_TYPE_INT64, id, "target", G_TYPE_STRING, "aggressive",
      "composite", G_TYPE_STRING, "epsilon-plus-flat", "mode", G_TYPE_STRING, "archive",
      "start-index", G_TYPE_INT64, start, "end-index", G_TYPE_INT64, end, "start-pts", G_TYPE_INT64,
      start * GST_SECOND, "end-pts", G_TYPE_INT64, end * GST_SECOND, "frames", G_TYPE_INT64,
      end - start + 1, "classified-frames", G_TYPE_INT64, end - start + 1, "mean-score",
      G_TYPE_DOUBLE, 0.8, "ended-by-stream-end", G_TYPE_BOOLEAN, FALSE, "selected", G_TYPE_STRING,
      selected.c_str(), nullptr);
}

std::vector<json> readEvents(const fs::path& dir) {
  std::vector<json> events;
  std::ifstream in(dir / "events.jsonl");
  for (std::string line; std::getline(in, line);)
    events.push_back(json::parse(line));
  return events;
}

TEST(ExplainOutputs, AFailedExplanationIsListedAndHoldsNoEventBack) {
  gst_init(nullptr, nullptr);
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("explain_outputs_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  StreamConfig config;
  config.explain.snapshots = false;
  config.explain.clips = false;
  ExplainOutputs outputs(dir.string(), "cam", config);

  const gst::OwnedStructure first(eventMessage(1, 3, 7, "5"));
  const gst::OwnedStructure second(eventMessage(2, 20, 24, ""));
  outputs.onEvent(first.get());
  outputs.onEvent(second.get());
  EXPECT_EQ(outputs.eventsWritten(), 0u) << "event 1 waits for frame 5, event 2 behind it";
  const gst::OwnedStructure failure(gst_structure_new(
      gst::kExplainFailureMessage, "frame-index", G_TYPE_INT64, gint64{5}, "pts", G_TYPE_INT64,
      gint64{5 * GST_SECOND}, "error", G_TYPE_STRING, "out of memory", nullptr));
  outputs.onFailure(failure.get());
  EXPECT_EQ(outputs.eventsWritten(), 2u);

  const std::vector<json> events = readEvents(dir);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0]["explained"].empty());
  ASSERT_EQ(events[0]["failed_frames"].size(), 1u);
  EXPECT_EQ(events[0]["failed_frames"][0]["frame"], 5);
  EXPECT_DOUBLE_EQ(events[0]["failed_frames"][0]["pts"].get<double>(), 5.0);
  EXPECT_EQ(events[0]["failed_frames"][0]["error"], "out of memory");
  EXPECT_TRUE(events[1]["failed_frames"].empty());
  fs::remove_all(dir);
}

// An event of frames 3–7 with every frame's map failed, written with `config`.
json oneEventWith(const StreamConfig& config, const std::string& name) {
  gst_init(nullptr, nullptr);
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("explain_outputs_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ExplainOutputs outputs(dir.string(), "cam", config);
  const gst::OwnedStructure event(eventMessage(1, 3, 7, ""));
  outputs.onEvent(event.get());
  const std::vector<json> events = readEvents(dir);
  fs::remove_all(dir);
  return events.empty() ? json() : events.front();
}

TEST(ExplainOutputs, AnEventNamesAClipOnlyWhenOneWillBeCut) {
  StreamConfig config;
  config.explain.snapshots = false;
  config.explain.clips = true;
  const json whole = oneEventWith(config, "whole");
  ASSERT_TRUE(whole.is_object());
  ASSERT_TRUE(whole.contains("clip")) << whole.dump();
  EXPECT_EQ(fs::path(whole["clip"].get<std::string>()).filename(), "event-1.mp4");

  // Segmented recordings are never cut into clips: naming one would leave it pending.
  config.outputs.segment_seconds = 60;
  const json segmented = oneEventWith(config, "segmented");
  ASSERT_TRUE(segmented.is_object());
  EXPECT_FALSE(segmented.contains("clip")) << segmented.dump();

  config.outputs.segment_seconds = 0;
  config.outputs.video = false;
  EXPECT_FALSE(oneEventWith(config, "no_video").contains("clip"));
  config.outputs.video = true;
  config.explain.clips = false;
  EXPECT_FALSE(oneEventWith(config, "no_clips").contains("clip"));
}

}  // namespace
}  // namespace deepbug::stream
