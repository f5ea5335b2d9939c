#include <gtest/gtest.h>

#include "core/error.hpp"
#include "model/model_metadata.hpp"

namespace deepbug::model {
namespace {

TEST(ModelMetadata, ParsesEveryField) {
  const auto meta = parseModelMetadata(R"({
    "format": "deepbug-model/1",
    "labels": ["aggressive", "non_aggressive"],
    "input": {"width": 160, "height": 120, "channels": "BGR", "mean": [0.5, 0.5, 0.5],
              "std": [0.25, 0.25, 0.5], "aspect": "letterbox"},
    "architecture": "report-cnn",
    "provenance": {"seed": 3}
  })",
                                       "m.pt:deepbug.json");
  EXPECT_EQ(meta.labels, (std::vector<std::string>{"aggressive", "non_aggressive"}));
  EXPECT_EQ(meta.input_width, 160);
  EXPECT_EQ(meta.input_height, 120);
  EXPECT_EQ(meta.channels, ChannelOrder::kBGR);
  EXPECT_FLOAT_EQ(meta.std[2], 0.5f);
  EXPECT_EQ(meta.aspect, AspectPolicy::kLetterbox);
  EXPECT_EQ(meta.architecture, "report-cnn");
  EXPECT_EQ(meta.provenance_json, R"({"seed":3})");
}

TEST(ModelMetadata, RoundTripsThroughJson) {
  ModelMetadata meta;
  meta.labels = {"a", "b", "c"};
  meta.input_width = 96;
  meta.aspect = AspectPolicy::kCenterCrop;
  meta.provenance_json = R"({"epochs":4})";
  const auto back = parseModelMetadata(toJson(meta), "roundtrip");
  EXPECT_EQ(back.labels, meta.labels);
  EXPECT_EQ(back.input_width, 96);
  EXPECT_EQ(back.aspect, AspectPolicy::kCenterCrop);
  EXPECT_EQ(back.mean, meta.mean);
  EXPECT_EQ(back.provenance_json, meta.provenance_json);
}

void expectModelError(const std::string& json, const std::string& fragment) {
  try {
    parseModelMetadata(json, "m.pt:deepbug.json");
    FAIL() << "accepted: " << json;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("m.pt:deepbug.json"), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(ModelMetadata, BadValuesNameTheKey) {
  expectModelError("{not json", "not valid JSON");
  expectModelError("[1]", "JSON object");
  expectModelError(R"({"labels": "a,b"})", "'labels'");
  expectModelError(R"({"input": {"width": 0}})", "'input.width'");
  expectModelError(R"({"input": {"mean": [0.5]}})", "'input.mean'");
  expectModelError(R"({"input": {"std": [0.5, 0, 0.5]}})", "std[1]");
  expectModelError(R"({"input": {"aspect": "zoom"}})", "'input.aspect'");
  expectModelError(R"({"input": {"channels": "RGBA"}})", "'input.channels'");
  expectModelError(R"({"labels": ["a", "a"]})", "'a' appears twice");
  expectModelError(R"({"format": "other/2"})", "unknown format");
}

TEST(ModelMetadata, OverridesReplaceAndAreChecked) {
  ModelMetadata meta;
  MetadataOverrides overrides;
  overrides.labels = std::vector<std::string>{"fight", "calm"};
  overrides.input_width = 128;
  overrides.aspect = AspectPolicy::kLetterbox;
  const auto out = applyOverrides(meta, overrides);
  EXPECT_EQ(out.labels[0], "fight");
  EXPECT_EQ(out.input_width, 128);
  EXPECT_EQ(out.input_height, 224);
  EXPECT_EQ(out.aspect, AspectPolicy::kLetterbox);

  overrides.std = std::array<float, 3>{1.0f, -1.0f, 1.0f};
  EXPECT_THROW(applyOverrides(meta, overrides), ConfigError);
}

TEST(ModelMetadata, AspectPolicyNames) {
  for (auto policy :
       {AspectPolicy::kStretch, AspectPolicy::kLetterbox, AspectPolicy::kCenterCrop}) {
    EXPECT_EQ(parseAspectPolicy(toString(policy)), policy);
  }
  EXPECT_FALSE(parseAspectPolicy("fit"));
}

}  // namespace
}  // namespace deepbug::model
