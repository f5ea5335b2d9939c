// deepbug-synth as a program: determinism, class statistics without shortcuts, the
// footage's ground truth, and bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <set>

#include "integration/csv.hpp"
#include "integration/process.hpp"

namespace deepbug::test {
namespace {

namespace fs = std::filesystem;

std::string tempDir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("synth_" + name);
  fs::remove_all(dir);
  return dir.string();
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SynthCli, SameSeedSameDataset) {
  const std::string a = tempDir("det_a");
  const std::string b = tempDir("det_b");
  const std::string c = tempDir("det_c");
  for (const auto& [dir, seed] : {std::pair{a, 5}, std::pair{b, 5}, std::pair{c, 6}}) {
    const auto r = runCommand(program("deepbug-synth") + " images --count 12 --seed " +
                              std::to_string(seed) + " --out " + dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  EXPECT_EQ(readFile(a + "/boxes.csv"), readFile(b + "/boxes.csv"));
  EXPECT_EQ(readFile(a + "/aggressive/000004.jpg"), readFile(b + "/aggressive/000004.jpg"));
  EXPECT_NE(readFile(a + "/boxes.csv"), readFile(c + "/boxes.csv"));
}

struct ClassStats {
  double images = 0;
  cv::Scalar colour_sum;
  double persons = 0;
  double relative_distance = 0;  // pair distance / pair height
  double height = 0;
  double close_pairs = 0;  // relative distance below 0.3
};

TEST(SynthCli, ClassesDifferOnlyInTheInteraction) {
  const std::string dir = tempDir("stats");
  const auto r =
      runCommand(program("deepbug-synth") + " images --count 600 --seed 21 --out " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, ClassStats> stats;
  std::map<std::string, int> fight_boxes;
  std::map<std::string, int> pair_boxes;
  std::map<std::string, std::string> fight_box_text;
  std::map<std::string, std::string> pair_box_text;
  for (const CsvRow& row : readCsv(dir + "/boxes.csv")) {
    const std::string text =
        row.at("x") + "," + row.at("y") + "," + row.at("w") + "," + row.at("h");
    if (row.at("region") == "fight") {
      ++fight_boxes[row.at("image")];
      fight_box_text[row.at("image")] = text;
    }
    if (row.at("region") == "pair") {
      ++pair_boxes[row.at("image")];
      pair_box_text[row.at("image")] = text;
    }
  }
  std::set<std::string> activities[2];
  for (const CsvRow& row : readCsv(dir + "/scenes.csv")) {
    ClassStats& s = stats[row.at("class")];
    const cv::Mat image = cv::imread(dir + "/" + row.at("image"));
    ASSERT_FALSE(image.empty()) << row.at("image");
    s.images += 1;
    s.colour_sum += cv::mean(image);
    s.persons += std::stod(row.at("persons"));
    const double rel = std::stod(row.at("pair_distance")) / std::stod(row.at("pair_height"));
    s.relative_distance += rel;
    s.height += std::stod(row.at("pair_height"));
    s.close_pairs += rel < 0.3;
    const bool aggressive = row.at("class") == "aggressive";
    activities[aggressive].insert(row.at("activity"));
    EXPECT_EQ(fight_boxes[row.at("image")], aggressive ? 1 : 0) << row.at("image");
    EXPECT_EQ(pair_boxes[row.at("image")], 1) << row.at("image");
    if (aggressive) {
      EXPECT_EQ(fight_box_text[row.at("image")], pair_box_text[row.at("image")]);
    }
  }
  const ClassStats& f = stats["aggressive"];
  const ClassStats& p = stats["non_aggressive"];
  ASSERT_EQ(f.images, 300);
  ASSERT_EQ(p.images, 300);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(f.colour_sum[c] / f.images, p.colour_sum[c] / p.images, 4.0) << "channel " << c;
  }
  EXPECT_NEAR(f.persons / f.images, p.persons / p.images, 0.25);
  EXPECT_NEAR(f.relative_distance / f.images, p.relative_distance / p.images, 0.03);
  EXPECT_NEAR(f.height / f.images, p.height / p.images, 0.05 * p.height / p.images);
  // Close-but-peaceful pairs exist: nearness alone does not give the class away.
  EXPECT_GT(p.close_pairs, 0.1 * p.images);
  EXPECT_NEAR(f.close_pairs / f.images, p.close_pairs / p.images, 0.08);
  EXPECT_EQ(activities[0], (std::set<std::string>{"talking", "handshake", "hugging", "passing_by",
                                                  "walking_together"}));
  EXPECT_EQ(activities[1], (std::set<std::string>{"punching", "kicking", "grappling", "pushing",
                                                  "ground_attack"}));
}

TEST(SynthCli, FootageWithGroundTruth) {
  const std::string dir = tempDir("footage");
  const auto r =
      runCommand(program("deepbug-synth") + " footage --seconds 20 --fps 10 --seed 3 --out " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(dir + "/ground_truth.json");
  const auto truth = nlohmann::json::parse(in);
  EXPECT_EQ(truth["frames"], 200);
  ASSERT_EQ(truth["fights"].size(), 2u);
  // Fights are well separated, and every fight box lies inside a fight interval.
  const auto& fights = truth["fights"];
  EXPECT_GE(fights[1]["start_s"].get<double>() - fights[0]["end_s"].get<double>(), 3.0);
  int boxed = 0;
  for (const auto& box : truth["fight_boxes"]) {
    const int frame = box["frame"];
    bool inside = false;
    for (const auto& f : fights)
      inside |= frame >= f["start_frame"] && frame <= f["end_frame"];
    EXPECT_TRUE(inside) << "fight box on frame " << frame;
    EXPECT_GT(box["w"].get<int>(), 0);
    ++boxed;
  }
  EXPECT_GT(boxed, 20);

  cv::VideoCapture video(dir + "/sample.avi");
  ASSERT_TRUE(video.isOpened());
  EXPECT_EQ(video.get(cv::CAP_PROP_FRAME_WIDTH), truth["width"].get<double>());
  int frames = 0;
  cv::Mat frame;
  while (video.read(frame))
    ++frames;
  EXPECT_EQ(frames, 200);
}

TEST(SynthCli, BadArgumentsAreExplainedAndOverwriteIsRefused) {
  const std::string dir = tempDir("bad");
  ASSERT_EQ(runCommand(program("deepbug-synth") + " images --count 2 --out " + dir).exit_code, 0);
  const auto again = runCommand(program("deepbug-synth") + " images --count 2 --out " + dir);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.output.find("already holds a generated boxes.csv"), std::string::npos)
      << again.output;

  const auto clip =
      runCommand(program("deepbug-synth") + " images --count 2 --background /nope.avi --out " +
                 tempDir("bad_clip"));
  EXPECT_EQ(clip.exit_code, 2);
  EXPECT_NE(clip.output.find("/nope.avi"), std::string::npos) << clip.output;

  const auto count =
      runCommand(program("deepbug-synth") + " images --count 1 --out " + tempDir("bad_count"));
  EXPECT_EQ(count.exit_code, 2) << count.output;
}

}  // namespace
}  // namespace deepbug::test
