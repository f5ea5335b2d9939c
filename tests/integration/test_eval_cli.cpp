// deepbug-eval as a program: two models over a generated ImageFolder with regions, every
// figure beside its floor, the models compared; bad input named, nothing half written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>

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

// End to end on real handwriting: a small digits set (5 per digit, one in each
// variation folder; scenes.csv as attributes), a ten-class model trained by deepbug-train
// for one epoch,
// evaluated against each digit's box. What the run adds up is checked against the
// data set's own layout, not against a trained model's quality.
TEST_F(EvalCli, DigitsEndToEndGroupedAveragedAndCompared) {
  auto run = runCommand(program("deepbug-synth") + " digits --per-class 5 --seed 3 --out " +
                        path("digits"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  run = runCommand(program("deepbug-train") + " fit --data " + path("digits") +
                   " --arch tiny --input-size 64 --epochs 1 --batch 16 --no-flip --out " +
                   path("digits.pt"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  run = runCommand(program("deepbug-eval") + " --model m=" + path("digits.pt") +
                   " --model same=" + path("digits.pt") + " --data " + path("digits") +
                   " --boxes " + path("digits/boxes.csv") + " --region digit --attributes " +
                   path("digits/scenes.csv") + " --align --quiet --out " + path("out"));
  ASSERT_EQ(run.exit_code, 0) << run.output;

  std::ifstream in(path("out/metrics.json"));
  const json metrics = json::parse(in);
  EXPECT_EQ(metrics["images"], 50);
  // Attributes: `variation` has five values; `source_cell` (one per image) and `class`
  // are not grouped by.
  EXPECT_EQ(metrics["attribute_table"]["columns"], json({"variation"}));
  EXPECT_TRUE(metrics["attribute_table"]["skipped"].contains("source_cell"));
  const json& figures = metrics["models"]["m"]["composites"]["epsilon-plus-flat"];
  ASSERT_EQ(figures["variations"].size(), 5u);
  ASSERT_EQ(figures["attributes"]["variation"].size(), 5u);
  for (const auto& [variation, group] : figures["variations"].items()) {
    SCOPED_TRACE(variation);
    EXPECT_EQ(group["images"], 10) << "one image of each digit";
    // The folder and the table name the same images: the same figures.
    EXPECT_EQ(group, figures["attributes"]["variation"][variation]);
  }

  // Class averages: every digit overall and per variation, each aligned into the box.
  const json& averages = figures["class_averages"];
  ASSERT_EQ(averages.size(), 10u * 6);
  std::map<std::string, int> images_per_class;
  for (const json& average : averages) {
    SCOPED_TRACE(average.dump());
    if (average["group"] == "all")
      images_per_class[average["class"]] += average["images"].get<int>();
    EXPECT_EQ(average["aligned_images"], average["images"]);
    const cv::Mat frame = cv::imread(path("out/" + average["heatmap"].get<std::string>()));
    const cv::Mat aligned = cv::imread(path("out/" + average["aligned"].get<std::string>()));
    EXPECT_EQ(frame.size(), cv::Size(64, 64)) << "the model's input frame";
    EXPECT_EQ(aligned.size(), cv::Size(64, 64)) << "kAlignedSide";
  }
  EXPECT_EQ(images_per_class.size(), 10u);
  for (const auto& [cls, images] : images_per_class)
    EXPECT_EQ(images, 5) << cls;

  // The gallery: an even sample, the extremes ordered by mass, files that exist.
  const json& gallery = figures["gallery"];
  EXPECT_EQ(gallery["sample"].size(), 8u);
  ASSERT_EQ(gallery["best"].size(), 6u);
  ASSERT_EQ(gallery["worst"].size(), 6u);
  for (std::size_t i = 1; i < 6; ++i) {
    EXPECT_GE(gallery["best"][i - 1]["mass_accuracy"], gallery["best"][i]["mass_accuracy"]);
    EXPECT_LE(gallery["worst"][i - 1]["mass_accuracy"], gallery["worst"][i]["mass_accuracy"]);
  }
  EXPECT_GE(gallery["best"][0]["mass_accuracy"], gallery["worst"][0]["mass_accuracy"]);
  for (const auto& [list, entries] : gallery.items()) {
    for (const json& entry : entries) {
      EXPECT_TRUE(fs::exists(path("out/" + entry["overlay"].get<std::string>()))) << list;
      EXPECT_TRUE(fs::exists(path("out/" + entry["heatmap"].get<std::string>()))) << list;
    }
  }
  const auto rows = readCsv(path("out/per_image.csv"));
  std::size_t wrong_reasons = 0;
  for (const auto& row : rows)
    wrong_reasons +=
        row.at("model") == "m" && row.at("correct") == "1" && row.at("macro_pass") == "0";
  EXPECT_EQ(gallery["right_for_wrong_reasons"].size(), std::min<std::size_t>(wrong_reasons, 24));

  // Strategies: every image of a class in exactly one of its clusters, the largest first,
  // each cluster's mean heatmap written and its closest images named.
  const json& strategies = figures["strategies"];
  ASSERT_EQ(strategies.size(), 10u);
  for (const auto& [cls, found] : strategies.items()) {
    SCOPED_TRACE(cls);
    EXPECT_EQ(found["images"], 5);
    EXPECT_EQ(found["plane"].size(), 5u);
    ASSERT_FALSE(found["groups"].empty());
    int members = 0, previous = 5;
    for (const json& group : found["groups"]) {
      members += group["size"].get<int>();
      EXPECT_LE(group["size"].get<int>(), previous) << "largest first";
      previous = group["size"];
      EXPECT_TRUE(fs::exists(path("out/" + group["heatmap"].get<std::string>())));
      EXPECT_EQ(group["closest"].size(), std::min(5u, group["size"].get<unsigned>()));
      EXPECT_EQ(group["flagged"], group["mass_accuracy"].get<double>() < 0.5);
    }
    EXPECT_EQ(members, 5);
  }

  // One network under two names: the most disagreeing images agree, map for map.
  const json& strips = metrics["comparison"][0]["disagreements"]["epsilon-plus-flat"];
  ASSERT_EQ(strips.size(), 8u);
  for (const json& strip : strips) {
    EXPECT_EQ(strip["predicted"]["m"], strip["predicted"]["same"]);
    EXPECT_NEAR(strip["heatmap_distance"].get<double>(), 0.0, 1e-6);
  }
}

// --clusters fixes the number of strategies; --no-strategies leaves them out.
TEST_F(EvalCli, StrategyCountFixedOrLeftOut) {
  auto run = eval("--region aggressive=fight --region non_aggressive=pair --clusters 2 --out " +
                  path("two"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream two_in(path("two/metrics.json"));
  const json two = json::parse(two_in)["models"]["a"]["composites"]["epsilon-plus-flat"];
  ASSERT_EQ(two["strategies"].size(), 2u);
  for (const auto& [cls, found] : two["strategies"].items()) {
    EXPECT_EQ(found["clusters"], 2) << cls;
    EXPECT_EQ(found["groups"].size(), 2u) << cls;
  }
  run = eval("--no-strategies --out " + path("none"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream none_in(path("none/metrics.json"));
  EXPECT_FALSE(json::parse(none_in)["models"]["a"]["composites"]["epsilon-plus-flat"].contains(
      "strategies"));
  EXPECT_FALSE(fs::exists(path("none/strategies")));
}

// Gradient baselines beside LRP, named like composites so that every figure covers them;
// region perturbation curves for each, on an evenly spaced sample.
TEST_F(EvalCli, GradientBaselinesAndFaithfulnessBesideLrp) {
  const auto run = eval(
      "--region aggressive=fight --region non_aggressive=pair --composite epsilon-plus-flat "
      "--composite gradient --composite gradient-x-input --composite integrated-gradients "
      "--faithfulness --faithfulness-images 4 --out " +
      path("out"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(path("out/metrics.json"));
  const json composites = json::parse(in)["models"]["a"]["composites"];
  ASSERT_EQ(composites.size(), 4u);
  for (const auto& [name, figures] : composites.items()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(figures["all"]["localization"]["lrp"]["images"], 8) << "scored like LRP";
    const json& f = figures["faithfulness"];
    EXPECT_EQ(f["images"], 4) << "every second of the 8 images";
    for (const std::string order : {"morf", "lerf", "random"}) {
      ASSERT_EQ(f[order]["curve"].size(), 21u) << order << ": 20 steps and the image itself";
      EXPECT_NEAR(f[order]["curve"][0].get<double>(), f["morf"]["curve"][0].get<double>(), 1e-6)
          << "every order starts from the unperturbed images";
    }
    EXPECT_NEAR(f["abpc"].get<double>(),
                f["morf"]["aopc"].get<double>() - f["lerf"]["aopc"].get<double>(), 1e-12);
    EXPECT_EQ(f["flagged"], f["morf"]["aopc"].get<double>() <= f["random"]["aopc"].get<double>());
  }
  // The same images explained by different methods: different maps.
  EXPECT_NE(composites["gradient"]["all"]["localization"]["lrp"]["mass_accuracy"],
            composites["epsilon-plus-flat"]["all"]["localization"]["lrp"]["mass_accuracy"]);

  const auto unknown = eval("--composite saliency --out " + path("bad"));
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("saliency"), std::string::npos) << unknown.output;
  EXPECT_FALSE(fs::exists(path("bad")));
  EXPECT_FALSE(fs::exists(path("bad.partial"))) << "a failed run leaves nothing behind";
}

// The model randomisation sanity check: one row per count k of layers re-initialised from
// the top, k = 0 (the trained model itself) first and equal to the main pass's maps.
TEST_F(EvalCli, SanityCheckRandomisesTheTinyModelLayerByLayer) {
  const auto run = eval("--sanity --sanity-images 4 --no-strategies --out " + path("out"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(path("out/metrics.json"));
  const json s = json::parse(in)["models"]["a"]["composites"]["epsilon-plus-flat"]["sanity"];
  ASSERT_TRUE(s.is_object()) << s.dump();
  EXPECT_EQ(s["images"], 4) << "every second of the 8 images";
  const json& layers = s["layers"];
  // The tiny fixture (tests/fixtures/make_models.py): conv → relu → pool → fc, two
  // parameterised layers, so k = 0, 1, 2; the top layer, fc, is re-initialised first.
  ASSERT_EQ(layers.size(), 3u) << s.dump();
  EXPECT_EQ(layers[1]["layer"], "fc");
  EXPECT_EQ(layers[2]["layer"], "conv");
  for (std::size_t k = 0; k < layers.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(layers[k]["k"], k);
    EXPECT_EQ(layers[k]["layer"].get<std::string>().empty(), k == 0) << "named from k = 1";
    for (const std::string figure : {"spearman", "spearman_abs", "ssim"}) {
      const json& f = layers[k][figure];
      ASSERT_TRUE(f.is_object()) << figure << ": " << layers[k].dump();
      for (const std::string stat : {"mean", "min", "max"}) {
        EXPECT_GE(f[stat].get<double>(), -1.0) << figure << " " << stat;
        EXPECT_LE(f[stat].get<double>(), 1.0) << figure << " " << stat;
      }
      EXPECT_LE(f["min"].get<double>(), f["mean"].get<double>()) << figure;
      EXPECT_LE(f["mean"].get<double>(), f["max"].get<double>()) << figure;
    }
  }
  // k = 0: the trained model explained again for the same targets draws the same maps.
  EXPECT_NEAR(layers[0]["spearman"]["min"].get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(layers[0]["spearman_abs"]["min"].get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(layers[0]["ssim"]["min"].get<double>(), 1.0, 1e-6);
  // Destroying the model changes the maps.
  EXPECT_LT(layers[2]["spearman"]["mean"].get<double>(), 0.999);
  EXPECT_EQ(s["flagged"], layers[2]["spearman_abs"]["mean"].get<double>() >= 0.5);

  std::ifstream page(path("out/report.html"));
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<h4>Sanity check</h4>"), std::string::npos);

  const auto without = eval("--no-strategies --out " + path("plain"));
  ASSERT_EQ(without.exit_code, 0) << without.output;
  std::ifstream plain(path("plain/metrics.json"));
  EXPECT_FALSE(
      json::parse(plain)["models"]["a"]["composites"]["epsilon-plus-flat"].contains("sanity"))
      << "only with --sanity";
}

// A model that cannot run, found once the first model's heatmaps are written: the
// error is named, no OUT appears, and what was written is kept in OUT.partial until a
// run with the same --out replaces it.
TEST_F(EvalCli, ALateFailureKeepsWhatWasWritten) {
  const auto run = eval("--model b=" + fixture("tiny_three_outputs") + " --out " + path("late"));
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("outputs 3 classes but 2 labels"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("kept in '" + path("late.partial") + "'"), std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(path("late")));
  std::size_t heatmaps = 0;
  for (const auto& entry : fs::recursive_directory_iterator(path("late.partial/heatmaps/a")))
    heatmaps += entry.path().string().find(".heatmap.png") != std::string::npos ? 1 : 0;
  EXPECT_EQ(heatmaps, 8u) << "model a's heatmaps of the 8 images";

  ASSERT_EQ(eval("--out " + path("late")).exit_code, 0);
  EXPECT_TRUE(fs::exists(path("late/report.html")));
  EXPECT_FALSE(fs::exists(path("late.partial")));
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

  std::ofstream(path("scenes.csv")) << "image,view\naggressive/000000.jpg,near\n"
                                       "aggressive/000000.jpg,far\n";
  run = eval("--attributes " + path("scenes.csv") + " --out " + path("out5"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("scenes.csv:3: image 'aggressive/000000.jpg' is listed twice"),
            std::string::npos)
      << run.output;
  run =
      eval("--attributes " + path("data/scenes.csv") + " --group-by weather --out " + path("out5"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("--group-by weather"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("background"), std::string::npos) << "lists the columns";
  EXPECT_FALSE(fs::exists(path("out5")));

  run = eval("--model ../up=" + fixture("tiny") + " --out " + path("out6"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("cannot name a folder of the output"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(path("out6")));

  // Nothing readable: exit 1, the images listed, the run's outputs kept.
  fs::create_directories(path("unreadable/aggressive"));
  fs::create_directories(path("unreadable/non_aggressive"));
  std::ofstream(path("unreadable/aggressive/a.jpg")) << "not an image";
  std::ofstream(path("unreadable/non_aggressive/b.jpg")) << "not an image";
  run = runCommand(program("deepbug-eval") + " --model a=" + fixture("tiny") + " --data " +
                   path("unreadable") + " --quiet --out " + path("out7"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  std::ifstream unreadable(path("out7/metrics.json"));
  ASSERT_TRUE(unreadable.good());
  EXPECT_EQ(json::parse(unreadable)["skipped_images"],
            json({"aggressive/a.jpg", "non_aggressive/b.jpg"}));

  std::ofstream(path("data/aggressive/broken.jpg")) << "not an image";
  run = eval("--out " + path("out4"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(path("out4/metrics.json"));
  EXPECT_EQ(json::parse(in)["skipped_images"], json({"aggressive/broken.jpg"}));
}

}  // namespace
}  // namespace deepbug::test
