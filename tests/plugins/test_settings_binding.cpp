// Every element's properties are its settings table: same names, types, ranges and
// defaults as the table and struct say, and a whole settings struct set on the element
// (as deepbug-stream does) reads back unchanged, property by property.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <string>

#include "classify/classify_settings.hpp"
#include "common/gobject_settings.hpp"
#include "explain/explain_settings.hpp"
#include "overlay/overlay_settings.hpp"

namespace deepbug::gst {
namespace {

// The element's own properties besides the read-only stats are exactly the table's,
// with the struct's defaults.
template <class S>
void expectPropertiesAreTheTable(const char* factory, const SettingsTable<S>& table) {
  GstElement* element = gst_element_factory_make(factory, nullptr);
  ASSERT_NE(element, nullptr) << factory << " not found in the private registry";
  GObjectClass* klass = G_OBJECT_GET_CLASS(element);
  guint count = 0;
  GParamSpec** specs = g_object_class_list_properties(klass, &count);
  std::size_t own = 0;
  for (guint i = 0; i < count; ++i) {
    if (specs[i]->owner_type == G_OBJECT_TYPE(element) && std::string(specs[i]->name) != "stats") {
      own += 1;
    }
  }
  g_free(specs);
  EXPECT_EQ(own, table.size()) << factory;
  const S defaults{};
  for (const Setting<S>& setting : table) {
    GParamSpec* spec = g_object_class_find_property(klass, setting.name.c_str());
    ASSERT_NE(spec, nullptr) << factory << " " << setting.name;
    EXPECT_EQ(spec->owner_type, G_OBJECT_TYPE(element)) << setting.name;
    GValue expected = G_VALUE_INIT;
    g_value_init(&expected, G_PARAM_SPEC_VALUE_TYPE(spec));
    readSetting(setting, defaults, &expected);
    GValue actual = G_VALUE_INIT;
    g_value_init(&actual, G_PARAM_SPEC_VALUE_TYPE(spec));
    g_object_get_property(G_OBJECT(element), setting.name.c_str(), &actual);
    EXPECT_EQ(gst_value_compare(&expected, &actual), GST_VALUE_EQUAL)
        << factory << " " << setting.name << ": default " << gst_value_serialize(&actual);
    EXPECT_STREQ(g_param_spec_get_blurb(spec), setting.doc.c_str());
    if (const auto* c = std::get_if<CountSetting<S>>(&setting.value)) {
      EXPECT_EQ(G_PARAM_SPEC_UINT(spec)->minimum, c->min) << setting.name;
      EXPECT_EQ(G_PARAM_SPEC_UINT(spec)->maximum, c->max) << setting.name;
    }
    EXPECT_EQ((spec->flags & GST_PARAM_MUTABLE_PLAYING) != 0,
              setting.mutability == Mutability::kPlaying)
        << setting.name;
    g_value_unset(&expected);
    g_value_unset(&actual);
  }
  gst_object_unref(element);
}

// What `element`'s properties hold, read back into a settings struct: the inverse of
// applySettings.
template <class S>
S settingsOf(GstElement* element, const SettingsTable<S>& table) {
  S back{};
  for (const Setting<S>& setting : table) {
    GParamSpec* spec =
        g_object_class_find_property(G_OBJECT_GET_CLASS(element), setting.name.c_str());
    GValue value = G_VALUE_INIT;
    g_value_init(&value, G_PARAM_SPEC_VALUE_TYPE(spec));
    g_object_get_property(G_OBJECT(element), setting.name.c_str(), &value);
    writeSetting(setting, back, &value);
    g_value_unset(&value);
  }
  return back;
}

template <class S>
void expectRoundTrip(const char* factory, const SettingsTable<S>& table, const S& settings) {
  GstElement* element = gst_element_factory_make(factory, nullptr);
  ASSERT_NE(element, nullptr);
  applySettings(element, table, settings);
  const S back = settingsOf(element, table);
  gst_object_unref(element);
  for (const Setting<S>& setting : table) {
    GValue a = G_VALUE_INIT, b = G_VALUE_INIT;
    GParamSpec* spec = paramSpec(setting, S{});
    g_value_init(&a, G_PARAM_SPEC_VALUE_TYPE(spec));
    g_value_init(&b, G_PARAM_SPEC_VALUE_TYPE(spec));
    readSetting(setting, settings, &a);
    readSetting(setting, back, &b);
    EXPECT_EQ(gst_value_compare(&a, &b), GST_VALUE_EQUAL) << factory << " " << setting.name;
    g_value_unset(&a);
    g_value_unset(&b);
    g_param_spec_sink(spec);
    g_param_spec_unref(spec);
  }
}

TEST(SettingsBinding, PropertiesAreTheSettingsTables) {
  expectPropertiesAreTheTable("deepbugclassify", classifySettingsTable());
  expectPropertiesAreTheTable("deepbugexplain", explainSettingsTable());
  expectPropertiesAreTheTable("deepbugoverlay", overlaySettingsTable());
}

TEST(SettingsBinding, TypedSettingsSurviveTheTripThroughTheElement) {
  ClassifySettings c;
  c.model_path = "/models/m.pt";
  c.labels = {"calm", "fight", "with, comma"};
  c.mean = {0.5f, 0.25f, 0.125f};
  c.aspect = AspectSetting::kCenterCrop;
  c.precision = model::Precision::kBf16;
  c.batch_size = 8;
  c.threads = 3;
  c.max_lag_ms = 750;
  expectRoundTrip("deepbugclassify", classifySettingsTable(), c);

  ExplainSettings e;
  e.rules = {"0=zbox", "fc1=epsilon:0.25"};
  e.mode = ExplainMode::kLive;
  e.threshold_on = 0.7;
  e.top_k = 3;
  e.std = {0.2f, 0.3f, 0.4f};
  e.input_size = 160;
  expectRoundTrip("deepbugexplain", explainSettingsTable(), e);

  OverlaySettings o;
  o.watch = "fight";
  o.alpha = 0.25;
  o.hold_frames = 5;
  o.legend = false;
  expectRoundTrip("deepbugoverlay", overlaySettingsTable(), o);
}

// gst-launch writes lists and triples as GstValueArrays.
TEST(SettingsBinding, LaunchLinesWriteListsAsArrays) {
  GError* error = nullptr;
  GstElement* element = gst_parse_launch(
      "deepbugclassify labels=\"<calm,fight>\" mean=\"<0.5,0.25,0.125>\" aspect=letterbox", &error);
  ASSERT_EQ(error, nullptr) << error->message;
  const ClassifySettings back = settingsOf(element, classifySettingsTable());
  gst_object_unref(element);
  EXPECT_EQ(back.labels, (std::vector<std::string>{"calm", "fight"}));
  EXPECT_EQ(back.mean, (std::vector<float>{0.5f, 0.25f, 0.125f}));
  EXPECT_EQ(back.aspect, AspectSetting::kLetterbox);
}

}  // namespace
}  // namespace deepbug::gst
