// Each element's statistics are defined once (meta/element_stats.hpp): what an element's
// `stats` property holds is exactly what applications read back, a structure missing a
// statistic is an error rather than a 0, and the JSON names follow the structure's.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "meta/element_stats.hpp"

namespace deepbug::gst {
namespace {

using Structure = std::unique_ptr<GstStructure, decltype(&gst_structure_free)>;

Structure statsOf(const char* factory) {
  GstElement* element = gst_element_factory_make(factory, nullptr);
  EXPECT_NE(element, nullptr) << factory << " not found in the private registry";
  GstStructure* stats = nullptr;
  if (element != nullptr) {
    g_object_get(element, "stats", &stats, nullptr);
    gst_object_unref(element);
  }
  return {stats, gst_structure_free};
}

TEST(ElementStats, EveryElementsPropertyReadsBackTyped) {
  EXPECT_NO_THROW(classifyStatsFrom(statsOf("deepbugclassify").get()));
  EXPECT_NO_THROW(overlayStatsFrom(statsOf("deepbugoverlay").get()));
  const ExplainStats explain = explainStatsFrom(statsOf("deepbugexplain").get());
  EXPECT_EQ(explain.mode, "");  // no stream yet: neither archive nor live
  EXPECT_EQ(explain.frames, 0u);
}

TEST(ElementStats, AStructureSurvivesTheRoundTrip) {
  ExplainStats stats;
  stats.mode = "live";
  stats.selected = 7;
  stats.skipped = 3;
  stats.latency_p95 = 1.25;
  const Structure structure(toStructure(stats), gst_structure_free);
  const ExplainStats back = explainStatsFrom(structure.get());
  EXPECT_EQ(back.mode, "live");
  EXPECT_EQ(back.selected, 7u);
  EXPECT_EQ(back.skipped, 3u);
  EXPECT_DOUBLE_EQ(back.latency_p95, 1.25);
  const nlohmann::json json = toJson(stats);
  EXPECT_EQ(json.at("latency_p95"), 1.25);
  EXPECT_EQ(json.at("peak_held"), 0);
  EXPECT_EQ(json.size(), 13u) << json.dump();
}

TEST(ElementStats, AMissingOrRetypedStatisticIsAnError) {
  Structure classify(toStructure(ClassifyStats{}), gst_structure_free);
  gst_structure_remove_field(classify.get(), "skipped");
  try {
    classifyStatsFrom(classify.get());
    FAIL() << "a structure without 'skipped' was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'skipped'"), std::string::npos) << e.what();
  }
  Structure overlay(toStructure(OverlayStats{}), gst_structure_free);
  gst_structure_set(overlay.get(), "alarms", G_TYPE_INT, 3, nullptr);  // not a guint64
  EXPECT_THROW(overlayStatsFrom(overlay.get()), std::runtime_error);
  EXPECT_THROW(classifyStatsFrom(nullptr), std::runtime_error);
  Structure other(toStructure(OverlayStats{}), gst_structure_free);
  EXPECT_THROW(classifyStatsFrom(other.get()), std::runtime_error) << "another element's";
}

}  // namespace
}  // namespace deepbug::gst
