// deepbugoverlay through GstHarness: it draws where and only where it should.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "meta/relevance_meta.hpp"
#include "plugins/element_helpers.hpp"

namespace deepbug::test {
namespace {

GstBuffer* greyFrame(int width, int height) {
  GstBuffer* buffer =
      gst_buffer_new_allocate(nullptr, static_cast<gsize>(width * height * 3), nullptr);
  gst_buffer_memset(buffer, 0, 128, static_cast<gsize>(width * height * 3));
  GST_BUFFER_PTS(buffer) = 0;
  return buffer;
}

gst::ClassificationResult result(float aggressive) {
  gst::ClassificationResult r;
  r.labels = {"aggressive", "non_aggressive"};
  r.scores = {aggressive, 1.0f - aggressive};
  r.logits = r.scores;
  r.top_index = aggressive >= 0.5f ? 0 : 1;
  r.top_score = std::max(aggressive, 1.0f - aggressive);
  return r;
}

// RGB triple at (x, y) of a packed RGB buffer of `width` pixels per row.
std::array<int, 3> pixel(GstBuffer* buffer, int width, int x, int y) {
  GstMapInfo map;
  gst_buffer_map(buffer, &map, GST_MAP_READ);
  const guint8* p = map.data + (y * width + x) * 3;
  std::array<int, 3> rgb{p[0], p[1], p[2]};
  gst_buffer_unmap(buffer, &map);
  return rgb;
}

Harness overlay(const std::string& properties) {
  Harness h(gst_harness_new_parse(("deepbugoverlay " + properties).c_str()));
  gst_harness_set_caps_str(h.get(), rawCaps("RGB", 320, 240).c_str(),
                           rawCaps("RGB", 320, 240).c_str());
  return h;
}

TEST(OverlayElement, AlarmBorderOnlyAboveTheThreshold) {
  Harness h = overlay("watch=aggressive threshold=0.7");
  GstBuffer* calm = greyFrame(320, 240);
  deepbug_buffer_add_classification_meta(calm, result(0.4f));
  GstBuffer* out = gst_harness_push_and_pull(h.get(), calm);
  EXPECT_EQ(pixel(out, 320, 319, 239), (std::array<int, 3>{128, 128, 128}));
  gst_buffer_unref(out);

  GstBuffer* alarm = greyFrame(320, 240);
  deepbug_buffer_add_classification_meta(alarm, result(0.9f));
  out = gst_harness_push_and_pull(h.get(), alarm);
  const auto corner = pixel(out, 320, 319, 239);
  EXPECT_GT(corner[0], 200) << "red border in RGB order";
  EXPECT_LT(corner[2], 60);
  // The middle of the frame is the source's picture, untouched.
  EXPECT_EQ(pixel(out, 320, 200, 150), (std::array<int, 3>{128, 128, 128}));
  gst_buffer_unref(out);
}

// Each format the element accepts, with where its red and blue bytes lie.
struct PackedFormat {
  const char* name;
  int bytes;  // per pixel
  int red;
  int blue;
};

class OverlayFormats : public ::testing::TestWithParam<PackedFormat> {};

TEST_P(OverlayFormats, TheAlarmBorderIsRedInTheFramesOwnByteOrder) {
  const PackedFormat f = GetParam();
  Harness h(gst_harness_new_parse("deepbugoverlay watch=aggressive threshold=0.7"));
  gst_harness_set_caps_str(h.get(), rawCaps(f.name, 320, 240).c_str(),
                           rawCaps(f.name, 320, 240).c_str());
  const auto size = static_cast<gsize>(320 * 240 * f.bytes);
  GstBuffer* in = gst_buffer_new_allocate(nullptr, size, nullptr);
  gst_buffer_memset(in, 0, 128, size);
  deepbug_buffer_add_classification_meta(in, result(0.9f));
  GstBuffer* out = gst_harness_push_and_pull(h.get(), in);
  ASSERT_NE(out, nullptr);
  GstMapInfo map;
  ASSERT_TRUE(gst_buffer_map(out, &map, GST_MAP_READ));
  const guint8* corner = map.data + (239 * 320 + 319) * f.bytes;
  EXPECT_GT(corner[f.red], 200) << "red byte of the border";
  EXPECT_LT(corner[f.blue], 60) << "blue byte of the border";
  const guint8* centre = map.data + (150 * 320 + 200) * f.bytes;
  for (int c = 0; c < 3; ++c)
    EXPECT_EQ(centre[c], 128) << "byte " << c << " of the untouched picture";
  gst_buffer_unmap(out, &map);
  gst_buffer_unref(out);
}

INSTANTIATE_TEST_SUITE_P(
    EveryAcceptedFormat, OverlayFormats,
    ::testing::Values(PackedFormat{"RGB", 3, 0, 2}, PackedFormat{"BGR", 3, 2, 0},
                      PackedFormat{"RGBA", 4, 0, 2}, PackedFormat{"BGRA", 4, 2, 0},
                      PackedFormat{"RGBx", 4, 0, 2}, PackedFormat{"BGRx", 4, 2, 0}),
    [](const ::testing::TestParamInfo<PackedFormat>& info) {
      return std::string(info.param.name);
    });

TEST(OverlayElement, LabelIsDrawnAtTheTopLeft) {
  Harness h = overlay("");
  GstBuffer* frame = greyFrame(320, 240);
  deepbug_buffer_add_classification_meta(frame, result(0.2f));
  GstBuffer* out = gst_harness_push_and_pull(h.get(), frame);
  int changed = 0;
  for (int y = 8; y < 40; ++y) {
    for (int x = 8; x < 200; ++x)
      changed += pixel(out, 320, x, y)[1] != 128;
  }
  EXPECT_GT(changed, 500) << "label box and text";
  gst_buffer_unref(out);
}

TEST(OverlayElement, BuffersWithoutMetaPassUnchanged) {
  Harness h = overlay("watch=aggressive");
  GstBuffer* out = gst_harness_push_and_pull(h.get(), greyFrame(320, 240));
  for (int y = 0; y < 240; y += 7) {
    for (int x = 0; x < 320; x += 7) {
      ASSERT_EQ(pixel(out, 320, x, y), (std::array<int, 3>{128, 128, 128}));
    }
  }
  gst_buffer_unref(out);
  EXPECT_EQ(statsOf(h.get(), "deepbugoverlay", gst::overlayStatsFrom).without_meta, 1u);
}

// Nothing may unwind into GStreamer's C code: a meta whose result is inconsistent (a
// label without its score) makes the drawing throw, which must come out as an element
// error and a flow error, not end the process.
TEST(OverlayElement, AFailureWhileDrawingIsAnElementErrorNotACrash) {
  Harness h = overlay("watch=non_aggressive");
  GstElement* element = gst_harness_find_element(h.get(), "deepbugoverlay");
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(element, bus);
  GstBuffer* frame = greyFrame(320, 240);
  gst::ClassificationResult broken = result(0.9f);
  broken.scores.pop_back();
  deepbug_buffer_add_classification_meta(frame, broken);
  EXPECT_EQ(gst_harness_push(h.get(), frame), GST_FLOW_ERROR);
  GstMessage* message = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  ASSERT_NE(message, nullptr);
  GError* error = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  EXPECT_NE(std::string(error->message).find("drawing the overlay failed"), std::string::npos)
      << error->message;
  g_error_free(error);
  g_free(debug);
  gst_message_unref(message);
  gst_element_set_bus(element, nullptr);
  gst_object_unref(bus);
  gst_object_unref(element);
}

// A relevance map whose only evidence is the input block [112, 140)², i.e. frame pixels
// x 160–200, y 120–150 of a 320×240 frame stretched onto 224×224.
gst::RelevanceResult blockRelevance() {
  gst::RelevanceResult r;
  r.width = r.height = 224;
  r.heatmap.assign(224 * 224, 0.0f);
  for (int y = 112; y < 140; ++y)
    for (int x = 112; x < 140; ++x)
      r.heatmap[static_cast<std::size_t>(y * 224 + x)] = 1.0f;
  r.geometry = model::computeGeometry(320, 240, 224, 224, model::AspectPolicy::kStretch);
  r.scale = 1.0;
  r.target = "aggressive";
  return r;
}

TEST(OverlayElement, HeatmapIsBlendedWhereTheRelevanceIsAndHeldForHoldFrames) {
  Harness h = overlay("legend=false hold-frames=2 fade=false show-label=false show-bar=false");
  GstBuffer* explained = greyFrame(320, 240);
  deepbug_buffer_add_classification_meta(explained, result(0.9f));
  deepbug_buffer_add_relevance_meta(explained, blockRelevance());
  for (int i = 0; i < 4; ++i) {
    GstBuffer* in = i == 0 ? explained : greyFrame(320, 240);
    if (i > 0) deepbug_buffer_add_classification_meta(in, result(0.9f));
    GstBuffer* out = gst_harness_push_and_pull(h.get(), in);
    const auto inside = pixel(out, 320, 180, 135);
    const auto outside = pixel(out, 320, 60, 60);
    EXPECT_EQ(outside, (std::array<int, 3>{128, 128, 128})) << "frame " << i;
    if (i <= 2) {  // the explained frame and hold-frames=2 after it
      EXPECT_GT(inside[0], 150) << "frame " << i << ": red where the evidence is";
      EXPECT_LT(inside[1], 100) << "frame " << i;
    } else {
      EXPECT_EQ(inside, (std::array<int, 3>{128, 128, 128})) << "frame " << i << ": no longer held";
    }
    gst_buffer_unref(out);
  }
  const gst::OverlayStats stats = statsOf(h.get(), "deepbugoverlay", gst::overlayStatsFrom);
  EXPECT_EQ(stats.heatmaps, 1u);
  EXPECT_EQ(stats.heatmap_frames, 3u);
}

}  // namespace
}  // namespace deepbug::test
