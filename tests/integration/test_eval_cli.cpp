// deepbug-eval as a program: two models over a generated ImageFolder with regions, every
// figure beside its floor, the models compared; bad input named, nothing half written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "integration/csv.hpp"
#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class EvalCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = freshTestDir("eval_cli");
    const auto made =
        runCommand(program("deepbug-synth") + " images --count 8 --seed 77 --out " + path("data"));
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  ProcessResult eval(const std::string& args) const {
    return runCommand(program("deepbug-eval") + " --model a=" + fixture("tiny") + " --data " +
                      path("data") + " --boxes " + path("data/boxes.csv") + " --quiet " + args);
  }

  fs::path dir_;
};

TEST_F(EvalCli, TwoModelsEveryFigureBesideItsFloorAndCompared) {
  const auto run = eval("--model b=" + fixture("tiny") +
                        " --region aggressive=fight --region non_aggressive=pair --composite "
                        "epsilon-plus-flat --composite epsilon-alpha2-beta1 --out " +
                        path("out"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(fs::exists(path("out.partial"))) << "renamed at the end";
  const auto rows = readCsv(path("out/per_image.csv"));
  ASSERT_EQ(rows.size(), 8u * 2 * 2) << "one row per image × model × composite";
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("has_region"), "1") << row.at("image");
    const fs::path stem = fs::path(path("out/heatmaps")) / row.at("model") / row.at("composite") /
                          fs::path(row.at("image")).replace_extension();
    EXPECT_TRUE(fs::exists(stem.string() + ".heatmap.png")) << stem;
    EXPECT_TRUE(fs::exists(stem.string() + ".overlay.png")) << stem;
  }

  std::ifstream in(path("out/metrics.json"));
  const json metrics = json::parse(in);
  EXPECT_EQ(metrics["classes"], json({"aggressive", "non_aggressive"}));
  EXPECT_TRUE(metrics["classes_without_region"].empty());
  for (const std::string model : {"a", "b"}) {
    for (const std::string composite : {"epsilon-plus-flat", "epsilon-alpha2-beta1"}) {
      SCOPED_TRACE(model + " " + composite);
      const json& all = metrics["models"][model]["composites"][composite]["all"];
      EXPECT_EQ(all["images"], 8);
      const json& loc = all["localization"];
      EXPECT_EQ(loc["lrp"]["images"], 8);
      // A uniform map scores the region's area on every pick-based figure: the floor.
      EXPECT_DOUBLE_EQ(loc["uniform_map"]["mass_accuracy"].get<double>(),
                       loc["uniform_map"]["region_area"].get<double>());
      EXPECT_DOUBLE_EQ(loc["uniform_map"]["pointing_game"].get<double>(),
                       loc["uniform_map"]["region_area"].get<double>());
      EXPECT_DOUBLE_EQ(loc["uniform_map"]["roc_auc"].get<double>(), 0.5);
      EXPECT_NEAR(loc["random_map"]["mass_accuracy"].get<double>(),
                  loc["random_map"]["region_area"].get<double>(), 0.05);
      int reasons = 0;
      for (const auto& [cls, figures] : all["per_class"].items()) {
        for (const auto& [cell, count] : figures["reasons"].items())
          reasons += count.get<int>();
      }
      EXPECT_EQ(reasons, 8) << "every image in one cell of its class's 2×2";
    }
  }
  ASSERT_EQ(metrics["comparison"].size(), 1u);
  EXPECT_EQ(metrics["comparison"][0]["models"], json({"a", "b"}));
  // The same network under two names: no disagreement, no evidence of a difference.
  EXPECT_EQ(metrics["comparison"][0]["only_first_right"], 0);
  EXPECT_EQ(metrics["comparison"][0]["only_second_right"], 0);
  EXPECT_EQ(metrics["comparison"][0]["p_value"], 1.0);
}

TEST_F(EvalCli, BadInputIsNamedAndLeavesNothing) {
  auto run = eval("--region punch --out " + path("out"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("no row of the regions file names 'punch'"), std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(path("out")));

  fs::create_directories(path("other/cats"));
  fs::copy_file(path("data/aggressive/000000.jpg"), path("other/cats/a.jpg"));
  run = runCommand(program("deepbug-eval") + " --model a=" + fixture("tiny") + " --data " +
                   path("other") + " --out " + path("out2") + " --quiet");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("class folder 'cats' is not a label of model 'a'"), std::string::npos)
      << run.output;

  ASSERT_EQ(eval("--out " + path("out3")).exit_code, 0);
  run = eval("--out " + path("out3"));
  EXPECT_EQ(run.exit_code, 2) << "an existing folder is not replaced";
  EXPECT_NE(run.output.find("--overwrite"), std::string::npos) << run.output;
  EXPECT_EQ(eval("--out " + path("out3") + " --overwrite").exit_code, 0);

  std::ofstream(path("data/aggressive/broken.jpg")) << "not an image";
  run = eval("--out " + path("out4"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(path("out4/metrics.json"));
  EXPECT_EQ(json::parse(in)["skipped_images"], json({"aggressive/broken.jpg"}));
}

}  // namespace
}  // namespace deepbug::test
