// The element-setting sections of deepbug-stream's config (model, overlay, explain):
// read through the elements' settings tables, handed to the elements as typed
// settings, and documented key for key in config/README.md.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config.hpp"
#include "core/error.hpp"
#include "element_config.hpp"

namespace deepbug::stream {
namespace {
namespace fs = std::filesystem;

class ConfigSettings : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("deepbug-config-settings-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.pt") << "not read by the config";
    std::ofstream(dir_ / "clip.mp4") << "not read by the config";
  }
  void TearDown() override { fs::remove_all(dir_); }

  StreamConfig load(const std::string& sections, const std::vector<std::string>& sets = {}) {
    const fs::path file = dir_ / "c.yaml";
    std::ofstream(file) << "sources:\n  - name: a\n    uri: clip.mp4\n"
                        << "model:\n  path: model.pt\n"
                        << sections << "outputs:\n  directory: out\n";
    return loadConfig(file.string(), sets);
  }

  std::string error(const std::string& sections, const std::vector<std::string>& sets = {}) {
    try {
      load(sections, sets);
    } catch (const ConfigError& e) {
      return std::string(e.what()) + " | " + e.hint();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(ConfigSettings, SectionsReadIntoTheElementsSettings) {
  const StreamConfig c = load(
      "  labels: [calm, fight]\n  mean: [0.5, 0.25, 0.125]\n  aspect: letterbox\n"
      "  precision: bf16\noverlay:\n  heatmap_alpha: 0.3\n  hold_frames: 4\n"
      "explain:\n  rules: [\"0=zbox\", \"fc1=epsilon:0.25\"]\n  mode: live\n  top_k: 2\n"
      "  clip_pre_roll: 1.5\n",
      {"model.interval=3"});
  EXPECT_EQ(c.model.model_path, (dir_ / "model.pt").lexically_normal().string());
  EXPECT_EQ(c.model.labels, (std::vector<std::string>{"calm", "fight"}));
  EXPECT_EQ(c.model.mean, (std::vector<float>{0.5f, 0.25f, 0.125f}));
  EXPECT_TRUE(c.model.std.empty());
  EXPECT_EQ(c.model.aspect, gst::AspectSetting::kLetterbox);
  EXPECT_EQ(c.model.precision, model::Precision::kBf16);
  EXPECT_EQ(c.model.interval, 3u);
  EXPECT_EQ(c.model.batch_size, 4u);  // the application's default, not the element's 1
  EXPECT_DOUBLE_EQ(c.overlay.alpha, 0.3);
  EXPECT_EQ(c.overlay.hold_frames, 4u);
  EXPECT_TRUE(c.explain.enabled);
  EXPECT_EQ(c.explain.rules, (std::vector<std::string>{"0=zbox", "fc1=epsilon:0.25"}));
  EXPECT_EQ(c.explain.mode, gst::ExplainMode::kLive);
  EXPECT_EQ(c.explain.top_k, 2u);
  EXPECT_DOUBLE_EQ(c.explain.clip_pre_roll, 1.5);
}

TEST_F(ConfigSettings, TheTablesRangesAndChoicesAreTheConfigs) {
  EXPECT_NE(error("  batch_size: 257\n").find("use 1..256"), std::string::npos);
  EXPECT_NE(error("  aspect: squash\n").find("model, stretch, letterbox, center-crop"),
            std::string::npos);
  EXPECT_NE(error("overlay:\n  hold_frames: -1\n").find("hold_frames"), std::string::npos);
  EXPECT_NE(error("explain:\n  threshold_on: 1.5\n").find("'threshold_on' = 1.5 is out of range"),
            std::string::npos);
  EXPECT_NE(error("  mean: [0.5, 0.5]\n").find("three numbers"), std::string::npos);
  EXPECT_NE(error("  labels: calm\n").find("must be a list"), std::string::npos);
  // Keys the application sets itself are not keys of the section.
  EXPECT_NE(error("explain:\n  mean: [0.5, 0.5, 0.5]\n").find("unknown key 'mean' in explain"),
            std::string::npos);
  EXPECT_NE(error("overlay:\n  alpha: 0.5\n").find("unknown key 'alpha' in overlay"),
            std::string::npos);
}

TEST_F(ConfigSettings, SettingsThatOnlyMakeSenseTogetherAreCheckedTogether) {
  EXPECT_NE(error("explain:\n  threshold_on: 0.3\n  threshold_off: 0.5\n").find("threshold_off"),
            std::string::npos);
  const std::string chunk = error("explain:\n  min_frames: 10\n  max_event_frames: 5\n");
  EXPECT_NE(chunk.find("explain.max_event_frames (5) is below explain.min_frames (10)"),
            std::string::npos)
      << chunk;
}

TEST_F(ConfigSettings, ElementsGetTheSectionPlusWhatTheApplicationDecides) {
  const StreamConfig c = load(
      "  input_size: 160\n  std: [0.2, 0.2, 0.2]\noverlay:\n  watch: fight\n"
      "explain:\n  composite: epsilon-plus\n",
      {"live.max_lag=0.25"});
  SourceConfig file = c.sources.front();
  SourceConfig camera = file;
  camera.live = true;

  EXPECT_EQ(classifySettingsFor(c, file).max_lag_ms, 0u);  // files never skip a frame
  EXPECT_EQ(classifySettingsFor(c, camera).max_lag_ms, 250u);

  const gst::ExplainSettings e = explainSettingsFor(c, camera);
  EXPECT_EQ(e.model_path, c.model.model_path);
  EXPECT_EQ(e.input_size, 160u);  // the classifier's preprocessing
  EXPECT_EQ(e.std, (std::vector<float>{0.2f, 0.2f, 0.2f}));
  EXPECT_EQ(e.target, "fight");  // the overlay's watched class
  EXPECT_EQ(e.composite, "epsilon-plus");
  EXPECT_EQ(e.mode, gst::ExplainMode::kLive);  // a live source
  EXPECT_EQ(explainSettingsFor(c, file).mode, gst::ExplainMode::kAuto);
  EXPECT_EQ(overlaySettingsFor(c).watch, "fight");
}

// config/README.md's tables, per section: key → default cell.
std::map<std::string, std::map<std::string, std::string>> referenceTables() {
  std::ifstream in(std::string(DEEPBUG_SOURCE_DIR) + "/config/README.md");
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## `", 0) == 0) {
      section = line.substr(4, line.find('`', 4) - 4);
      continue;
    }
    if (line.rfind("## ", 0) == 0) section.clear();
    if (section.empty() || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::string unescaped = line.substr(1);  // `a` \| `b` in a cell is not a column
    for (std::size_t at; (at = unescaped.find("\\|")) != std::string::npos;)
      unescaped.replace(at, 2, "/");
    std::stringstream row(unescaped);
    for (std::string cell; std::getline(row, cell, '|');) {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    const std::string key = cells[0].substr(1, cells[0].size() - 2);
    out[section][key] = cells.size() > 2 ? cells[2] : "";
  }
  return out;
}

TEST(ConfigReference, DocumentsEveryElementSettingWithItsDefault) {
  const auto reference = referenceTables();
  const std::vector<DocumentedKey> keys = documentedKeys();
  ASSERT_GT(keys.size(), 40u);
  std::map<std::string, std::set<std::string>> known;
  for (const DocumentedKey& k : keys) {
    known[k.section].insert(k.key);
    ASSERT_TRUE(reference.count(k.section))
        << "config/README.md has no section `" << k.section << "`";
    const auto& rows = reference.at(k.section);
    const auto row = rows.find(k.key);
    ASSERT_NE(row, rows.end()) << "config/README.md does not document " << k.section << "."
                               << k.key;
    if (!k.default_text.empty()) {
      EXPECT_EQ(row->second, k.default_text) << k.section << "." << k.key << "'s default";
    }
  }
  // …and documents nothing the config does not read.
  ASSERT_EQ(known.size(), 3u);
  for (const auto& [section, documented] : known) {
    for (const auto& [key, default_cell] : reference.at(section)) {
      EXPECT_TRUE(documented.count(key)) << "config/README.md documents " << section << "." << key
                                         << ", which the config does not have";
    }
  }
}

}  // namespace
}  // namespace deepbug::stream
