// deepbug-train as a program on small synthetic datasets: fit, stop and resume,
// evaluate, bad datasets, and the explanation timeline of --explain-every.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "integration/csv.hpp"
#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = freshTestDir("train");
    const auto r =
        runCommand(program("deepbug-synth") + " images --count 40 --seed 9 --out " + path("data"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string fit(const std::string& out, const std::string& extra = "") const {
    return program("deepbug-train") + " fit --data " + path("data") +
           " --arch tiny --input-size 32 " + "--epochs 3 --batch 8 --seed 4 --threads 1 --out " +
           path(out) + " " + extra;
  }

  // Three epochs of `tiny` at 64 px explained after each, on a validation split of about
  // half the images, with the synthetic scenes' regions.
  std::string explainFit(const std::string& out, const std::string& extra = "", int epochs = 3,
                         int batch = 8) const {
    return program("deepbug-train") + " fit --data " + path("data") +
           " --arch tiny --input-size 64 --epochs " + std::to_string(epochs) + " --batch " +
           std::to_string(batch) +
           " --seed 4 --threads 1 --val-fraction 0.5 --explain-every 1 --boxes " +
           path("data/boxes.csv") +
           " --explain-region aggressive=fight --explain-region non_aggressive=pair "
           "--probe-images 8 --out " +
           path(out) + " " + extra;
  }

  static std::vector<int> epochsOf(const json& timeline) {
    std::vector<int> epochs;
    for (const json& e : timeline["epochs"])
      epochs.push_back(e["epoch"].get<int>());
    return epochs;
  }

  static json readJson(const std::string& file) {
    std::ifstream in(file);
    return json::parse(in);
  }

  fs::path dir_;
};

TEST_F(TrainCli, FitWritesModelMetadataAndReport) {
  const auto r = runCommand(fit("m.pt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("epoch 3/3"), std::string::npos) << r.output;
  const json report = readJson(path("m.pt.report.json"));
  ASSERT_EQ(report["history"].size(), 3u);
  EXPECT_EQ(report["labels"], (json{"aggressive", "non_aggressive"}));
  EXPECT_EQ(report["train_images"].get<int>() + report["validation_images"].get<int>(), 40);
  EXPECT_FALSE(fs::exists(path("m.pt.checkpoint")));

  const auto eval = runCommand(program("deepbug-train") + " evaluate --model " + path("m.pt") +
                               " --data " + path("data"));
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  const json metrics = json::parse(eval.output);
  EXPECT_EQ(metrics["images"], 40);
  long sum = 0;
  for (const auto& row : metrics["confusion_matrix"]) {
    for (const auto& cell : row)
      sum += cell.get<long>();
  }
  EXPECT_EQ(sum, 40);
  EXPECT_EQ(metrics["per_class"]["aggressive"]["support"], 20);
}

TEST_F(TrainCli, LearnsATaskThatIsEasy) {
  // Red versus blue images with varying shades: training that updates the shipped
  // module's weights reaches near-perfect accuracy within a few epochs.
  cv::RNG rng(3);
  for (const auto& [label, colour] :
       {std::pair{"red", cv::Scalar(40, 40, 200)}, std::pair{"blue", cv::Scalar(200, 40, 40)}}) {
    fs::create_directories(path(std::string("easy/") + label));
    for (int i = 0; i < 40; ++i) {
      const cv::Scalar shade = colour + cv::Scalar::all(rng.uniform(-40, 40));
      const cv::Mat image(48, 64, CV_8UC3, shade);
      cv::imwrite(path(std::string("easy/") + label + "/" + std::to_string(i) + ".png"), image);
    }
  }
  const auto r =
      runCommand(program("deepbug-train") + " fit --data " + path("easy") +
                 " --arch tiny --input-size 32 --epochs 4 --batch 8 --threads 1 " +
                 "--optimizer adam --lr 0.01 --val-fraction 0.25 --out " + path("easy.pt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + path("easy.pt") + " --data " + path("easy"),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_GE(json::parse(eval.output)["accuracy"].get<double>(), 0.95) << eval.output;
}

TEST_F(TrainCli, StoppedRunResumesToTheSameResult) {
  const auto whole = runCommand(fit("whole.pt"));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  // Stops after its first batch (a time limit of ~0), leaving a checkpoint.
  const auto first = runCommand(fit("parts.pt", "--max-minutes 0.00001"));
  EXPECT_EQ(first.exit_code, 130) << first.output;
  EXPECT_TRUE(fs::exists(path("parts.pt.checkpoint/state.json")));
  EXPECT_FALSE(fs::exists(path("parts.pt")));
  const auto rest = runCommand(fit("parts.pt", "--resume"));
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  EXPECT_NE(rest.output.find("resuming epoch 1 at batch 2"), std::string::npos) << rest.output;

  const json a = readJson(path("whole.pt.report.json"));
  const json b = readJson(path("parts.pt.report.json"));
  ASSERT_EQ(b["history"].size(), 3u);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_NEAR(a["history"][e]["validation_loss"].get<double>(),
                b["history"][e]["validation_loss"].get<double>(), 1e-4)
        << "epoch " << e + 1;
  }
}

TEST_F(TrainCli, WindowsAroundLabelledRegions) {
  const auto r = runCommand(fit(
      "crop.pt", "--crop-size 16 --crop-boxes " + path("data/boxes.csv") + " --crop-region pair"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json report = readJson(path("crop.pt.report.json"));
  EXPECT_EQ(report["options"]["crop_size"], 16);
  // The shipped model runs on whole images of the input size.
  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + path("crop.pt") + " --data " + path("data"),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_EQ(json::parse(eval.output)["images"], 40);

  const auto too_big = runCommand(fit("x.pt", "--crop-size 64"));
  EXPECT_EQ(too_big.exit_code, 2) << too_big.output;
  EXPECT_NE(too_big.output.find("--crop-size 64 must lie in 0..32"), std::string::npos)
      << too_big.output;
  const auto no_boxes = runCommand(fit("x.pt", "--crop-size 16 --crop-boxes " + path("none.csv")));
  EXPECT_EQ(no_boxes.exit_code, 2) << no_boxes.output;
  EXPECT_NE(no_boxes.output.find("none.csv"), std::string::npos) << no_boxes.output;
  const auto no_region = runCommand(
      fit("x.pt", "--crop-size 16 --crop-region elbow --crop-boxes " + path("data/boxes.csv")));
  EXPECT_EQ(no_region.exit_code, 2) << no_region.output;
  EXPECT_NE(no_region.output.find("no 'elbow' rows"), std::string::npos) << no_region.output;
}

TEST_F(TrainCli, UnreadableImagesAreSkippedAndNamed) {
  std::ofstream(path("data/aggressive/broken.jpg")) << "not a jpeg";
  const auto r = runCommand(fit("m.pt", "--val-fraction 0"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipping unreadable image '" + path("data/aggressive/broken.jpg")),
            std::string::npos)
      << r.output;
  EXPECT_EQ(readJson(path("m.pt.report.json"))["skipped"].size(), 1u);

  const auto eval = runCommand(
      program("deepbug-train") + " evaluate --model " + path("m.pt") + " --data " + path("data"),
      /*keep_stderr=*/false);
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_EQ(json::parse(eval.output)["skipped"].size(), 1u);
}

TEST_F(TrainCli, BadDatasetsExitWithCode2) {
  fs::create_directories(path("one_class/aggressive"));
  fs::copy(path("data/aggressive"), path("one_class/aggressive"));
  fs::create_directories(path("empty_class/aggressive"));
  fs::create_directories(path("empty_class/non_aggressive"));
  fs::copy(path("data/aggressive"), path("empty_class/aggressive"));
  fs::create_directories(path("renamed/fight"));
  fs::create_directories(path("renamed/calm"));
  fs::copy(path("data/aggressive"), path("renamed/fight"));
  fs::copy(path("data/non_aggressive"), path("renamed/calm"));
  ASSERT_EQ(runCommand(fit("m.pt")).exit_code, 0);

  struct Case {
    std::string command;
    std::string message;
  };
  const std::string train = program("deepbug-train");
  const std::vector<Case> cases{
      {train + " fit --arch tiny --out " + path("x.pt") + " --data " + path("missing"),
       "does not exist"},
      {train + " fit --arch tiny --out " + path("x.pt") + " --data " + path("one_class"),
       "has 1 class folder(s)"},
      {train + " fit --arch tiny --out " + path("x.pt") + " --data " + path("empty_class"),
       "non_aggressive' holds no images"},
      {train + " fit --arch vgg99 --out " + path("x.pt") + " --data " + path("data"),
       "unknown architecture 'vgg99'"},
      {train + " evaluate --model " + path("m.pt") + " --data " + path("renamed"),
       "'calm' in '" + path("renamed") + "' matches none of the model's labels"},
  };
  for (const Case& c : cases) {
    const auto r = runCommand(c.command);
    EXPECT_EQ(r.exit_code, 2) << c.command << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.command << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(path("x.pt")));
}

TEST_F(TrainCli, ExplainTimelineEveryEpoch) {
  const auto r = runCommand(explainFit("tl.pt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json report = readJson(path("tl.pt.report.json"));
  const auto validation = report["validation_images"].get<std::size_t>();
  ASSERT_GT(validation, 0u);
  const std::size_t extremes = std::min<std::size_t>(8, validation);
  // Every synthetic image has its class's region, so the probe set is the first 8.
  const std::size_t probes = std::min<std::size_t>(8, validation);

  const std::string dir = path("tl.pt.explain");
  const json timeline = readJson(dir + "/timeline.json");
  ASSERT_EQ(epochsOf(timeline), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(timeline["probe_images"].size(), probes);
  EXPECT_EQ(timeline["right_region"], (json{{"aggressive", "fight"}, {"non_aggressive", "pair"}}));
  for (const json& e : timeline["epochs"]) {
    SCOPED_TRACE("epoch " + e["epoch"].dump());
    ASSERT_EQ(e["best"].size(), extremes);
    ASSERT_EQ(e["worst"].size(), extremes);
    for (std::size_t i = 1; i < extremes; ++i) {
      EXPECT_GE(e["best"][i - 1]["probability"].get<double>(),
                e["best"][i]["probability"].get<double>());
      EXPECT_LE(e["worst"][i - 1]["probability"].get<double>(),
                e["worst"][i]["probability"].get<double>());
    }
    EXPECT_GE(e["best"][0]["probability"].get<double>(),
              e["worst"][0]["probability"].get<double>());
    for (const char* list : {"best", "worst"}) {
      for (const json& item : e[list]) {
        EXPECT_TRUE(fs::exists(dir + "/" + item["overlay"].get<std::string>())) << item;
        EXPECT_TRUE(fs::exists(dir + "/" + item["heatmap"].get<std::string>())) << item;
      }
    }
    // The probe means are the means of the per-image scores.
    ASSERT_EQ(e["probe"].size(), probes);
    double pointing = 0, mass = 0;
    for (const json& p : e["probe"]) {
      EXPECT_GE(p["pointing"].get<double>(), 0.0);
      EXPECT_LE(p["pointing"].get<double>(), 1.0);
      EXPECT_GE(p["mass_accuracy"].get<double>(), 0.0);
      EXPECT_LE(p["mass_accuracy"].get<double>(), 1.0);
      pointing += p["pointing"].get<double>() / static_cast<double>(probes);
      mass += p["mass_accuracy"].get<double>() / static_cast<double>(probes);
    }
    EXPECT_NEAR(e["pointing"].get<double>(), pointing, 1e-12);
    EXPECT_NEAR(e["mass_accuracy"].get<double>(), mass, 1e-12);

    const json& h = report["history"][e["epoch"].get<std::size_t>() - 1];
    ASSERT_TRUE(h.contains("explain")) << h;
    EXPECT_EQ(h["explain"]["pointing"], e["pointing"]);
    EXPECT_EQ(h["explain"]["mass_accuracy"], e["mass_accuracy"]);
    EXPECT_EQ(h["explain"]["seconds"], e["seconds"]);
    EXPECT_EQ(h["validation_accuracy"], e["validation_accuracy"]);
  }
  EXPECT_GT(report["explain"]["seconds"].get<double>(), 0.0);
  EXPECT_GT(report["explain"]["overhead"].get<double>(), 0.0);
  EXPECT_NE(r.output.find("explaining took"), std::string::npos) << r.output;

  // The last epoch explained the shipped weights: deepbug-eval scores the same.
  const auto eval = runCommand(
      program("deepbug-eval") + " --model m=" + path("tl.pt") + " --data " + path("data") +
      " --boxes " + path("data/boxes.csv") +
      " --region aggressive=fight --region non_aggressive=pair --quiet --out " + path("eval"));
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  std::map<std::string, CsvRow> rows;
  for (const CsvRow& row : readCsv(path("eval/per_image.csv")))
    rows[row.at("image")] = row;
  for (const json& p : timeline["epochs"][2]["probe"]) {
    const std::string image = p["image"].get<std::string>();
    ASSERT_TRUE(rows.count(image)) << image;
    EXPECT_NEAR(std::stod(rows[image].at("pointing")), p["pointing"].get<double>(), 1e-5)
        << image;  // written with 6 significant digits
    EXPECT_NEAR(std::stod(rows[image].at("mass_accuracy")), p["mass_accuracy"].get<double>(), 1e-4)
        << image;
  }

  const std::string html = readFile(dir + "/timeline.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("epoch-003/worst/"), std::string::npos);
}

// --probe-target explains one class on every probe image, the extremes still their own:
// each calm scene's probe score is the fight class's evidence on its pair, as
// deepbug-explain --target aggressive finds it in the shipped weights.
TEST_F(TrainCli, ProbeTargetExplainsOneClassOnEveryImage) {
  const auto r = runCommand(program("deepbug-train") + " fit --data " + path("data") +
                            " --arch tiny --input-size 64 --epochs 2 --batch 8 --seed 4 "
                            "--threads 1 --val-fraction 0.5 --explain-every 1 --boxes " +
                            path("data/boxes.csv") +
                            " --explain-region pair --probe-target aggressive --probe-images 8 "
                            "--out " +
                            path("pt.pt"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json timeline = readJson(path("pt.pt.explain/timeline.json"));
  EXPECT_EQ(timeline["probe_target"], "aggressive");
  EXPECT_NE(
      readFile(path("pt.pt.explain/timeline.html")).find("each explained for class aggressive"),
      std::string::npos);
  const json& last = timeline["epochs"].back();
  ASSERT_EQ(last["epoch"], 2);
  ASSERT_EQ(last["probe"].size(), 8u);

  const auto explain = runCommand(program("deepbug-explain") + " --model " + path("pt.pt") +
                                  " --images " + path("data") + " --out " + path("explained") +
                                  " --boxes " + path("data/boxes.csv") +
                                  " --region pair --target aggressive --init contrastive --quiet");
  ASSERT_EQ(explain.exit_code, 0) << explain.output;
  std::map<std::string, CsvRow> rows;  // by "class/file"
  for (const CsvRow& row : readCsv(path("explained/index.csv"))) {
    const fs::path file(row.at("file"));
    rows[file.parent_path().filename().string() + "/" + file.filename().string()] = row;
  }
  std::size_t calm = 0;
  for (const json& p : last["probe"]) {
    const std::string image = p["image"].get<std::string>();
    ASSERT_TRUE(rows.count(image)) << image;
    EXPECT_EQ(rows[image].at("target"), "aggressive") << image;
    EXPECT_NEAR(std::stod(rows[image].at("pointing_hit")), p["pointing"].get<double>(), 1e-5)
        << image;  // written with 6 significant digits
    EXPECT_NEAR(std::stod(rows[image].at("mass_inside")), p["mass_accuracy"].get<double>(), 1e-4)
        << image;
    if (p["true_class"] == "non_aggressive") ++calm;
  }
  EXPECT_GT(calm, 0u) << "the probe holds calm scenes, explained as fights";
}

TEST_F(TrainCli, ExplainTimelineSurvivesResume) {
  // A run of 40 epochs of one-image batches is stopped once epoch 1 is explained — far
  // from its end whatever the machine's speed — and resumed as a run two epochs longer
  // than it got (--epochs overrides the checkpoint's).
  const std::string timeline = path("r.pt.explain/timeline.json");
  const pid_t pid = spawnCommand(explainFit("r.pt", "", 40, 1), path("r.log"));
  const bool explained =
      waitUntil([&] { return readFile(timeline).find("\"epoch\": 1,") != std::string::npos; },
                std::chrono::seconds(120));
  kill(pid, SIGTERM);
  const int code = waitForExit(pid, std::chrono::seconds(60));
  ASSERT_TRUE(explained) << readFile(path("r.log"));
  ASSERT_EQ(code, 130) << "stopped with a checkpoint\n" << readFile(path("r.log"));
  const json stopped = readJson(timeline);
  const std::vector<int> before = epochsOf(stopped);
  ASSERT_FALSE(before.empty());
  ASSERT_LT(before.back(), 38);
  const int last = before.back() + 2;

  const auto rest = runCommand(explainFit("r.pt", "--resume", last, 1));
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  const json resumed = readJson(timeline);
  std::vector<int> every(static_cast<std::size_t>(last));
  std::iota(every.begin(), every.end(), 1);
  EXPECT_EQ(epochsOf(resumed), every);
  EXPECT_EQ(resumed["epochs"][0], stopped["epochs"][0]) << "epoch 1 is kept, not redone";
  EXPECT_TRUE(fs::exists(path("r.pt.explain/epoch-001/best")));
  const json report = readJson(path("r.pt.report.json"));
  ASSERT_EQ(report["history"].size(), static_cast<std::size_t>(last));
  for (const json& h : report["history"])
    EXPECT_TRUE(h.contains("explain")) << h;
  EXPECT_NEAR(report["explain"]["seconds"].get<double>(), resumed["explain_seconds"].get<double>(),
              1e-9);
}

TEST_F(TrainCli, ExplainOptionsAreCheckedBeforeTraining) {
  struct Case {
    std::string extra;
    std::string message;
  };
  const std::string boxes = " --boxes " + path("data/boxes.csv");
  const std::vector<Case> cases{
      {"--explain-every -1", "--explain-every"},
      {"--explain-every 1" + boxes + " --explain-region aggressive=elbow",
       "--explain-region aggressive=elbow: no row of the regions file names 'elbow'"},
      {"--explain-every 1" + boxes + " --explain-region cat=fight",
       "--explain-region cat=fight: 'cat' is not a class"},
      {"--explain-every 1" + boxes, "--boxes needs --explain-region"},
      {"--explain-every 1 --explain-region fight", "--explain-region needs --boxes"},
      {"--explain-every 1 --boxes " + path("none.csv") + " --explain-region fight", "--boxes: "},
      {"--explain-every 1 --explain-composite nope", "--explain-composite 'nope' is unknown"},
      {"--explain-every 1 --val-fraction 0", "--explain-every needs validation images"},
      {"--probe-images 0 --explain-every 1", "--probe-images"},
      {"--explain-every 1" + boxes + " --explain-region pair --probe-target cat",
       "--probe-target 'cat' is not a class of --data"},
      {"--explain-every 1 --probe-target aggressive", "--probe-target needs --boxes"},
      {"--probe-target aggressive", "--probe-target needs --explain-every N"},
  };
  for (const Case& c : cases) {
    const auto r = runCommand(fit("x.pt", c.extra));
    EXPECT_EQ(r.exit_code, 2) << c.extra << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.extra << "\n" << r.output;
  }
  EXPECT_FALSE(fs::exists(path("x.pt")));
  EXPECT_FALSE(fs::exists(path("x.pt.explain")));
  EXPECT_FALSE(fs::exists(path("x.pt.checkpoint")));
}

#if defined(DEEPBUG_NODE) && defined(DEEPBUG_BROWSER_CHECK)
TEST_F(TrainCli, TimelinePageOpensWholeInABrowser) {
  ASSERT_TRUE(fs::exists(DEEPBUG_NODE) &&
              fs::exists(fs::path(DEEPBUG_BROWSER_CHECK).parent_path() / "node_modules"))
      << "node or tests/browser/node_modules missing: make deps installs them";
  const auto r = runCommand(explainFit("page.pt", "", 2));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const int width : {1280, 390}) {
    SCOPED_TRACE(width);
    const auto check =
        runCommand(std::string(DEEPBUG_NODE) + " " + DEEPBUG_BROWSER_CHECK + " --page '" +
                       path("page.pt.explain/timeline.html") + "' --screenshot '" +
                       path("timeline.png") + "' --width " + std::to_string(width),
                   /*keep_stderr=*/false);
    json page;
    ASSERT_NO_THROW(page = json::parse(check.output)) << check.output;
    EXPECT_EQ(check.exit_code, 0) << page.dump(1);
    EXPECT_EQ(page.value("ok", false), true) << page.dump(1);
    EXPECT_EQ(page.value("broken_images", json::array()), json::array());
    EXPECT_EQ(page.value("failed_requests", json::array()), json::array());
    EXPECT_GT(page.value("images", 0), 0);
    EXPECT_FALSE(page.value("horizontal_overflow", true)) << page.dump(1);
  }
}
#endif

}  // namespace
}  // namespace deepbug::test
