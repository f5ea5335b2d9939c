// deepbug-synth as a program: determinism, class statistics without shortcuts, the
// footage's ground truth, and bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <set>
#include <tuple>

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
  // In units of the pair's height, so that the camera distance (drawn alike for both
  // classes, and checked by `height`) does not drown the pose in noise.
  double box_area = 0;    // pair box area / height²
  double box_aspect = 0;  // pair box width / height
  double pixel_area = 0;  // pixels of the pair's figures / height²
  double height_share_min = 1;
  double height_share_max = 0;
};

// Everything but the interaction is drawn alike for both classes: colours, crowding,
// the pair's distance and size, and the shape and pixel area of the pair's box (a
// ground attack or a push must not give the class away by its box).
void expectClassesDifferOnlyInTheInteraction(const std::string& view, int count, double min_share,
                                             double max_share) {
  SCOPED_TRACE("view " + view);
  const std::string dir = tempDir("stats_" + view);
  const auto r = runCommand(program("deepbug-synth") + " images --count " + std::to_string(count) +
                            " --seed 21 --view " + view + " --out " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::map<std::string, ClassStats> stats;
  std::map<std::string, int> fight_boxes;
  std::map<std::string, int> pair_boxes;
  std::map<std::string, std::string> fight_box_text;
  std::map<std::string, cv::Rect> pair_box;
  for (const CsvRow& row : readCsv(dir + "/boxes.csv")) {
    const std::string text =
        row.at("x") + "," + row.at("y") + "," + row.at("w") + "," + row.at("h");
    if (row.at("region") == "fight") {
      ++fight_boxes[row.at("image")];
      fight_box_text[row.at("image")] = text;
    }
    if (row.at("region") == "pair") {
      ++pair_boxes[row.at("image")];
      pair_box[row.at("image")] = cv::Rect(std::stoi(row.at("x")), std::stoi(row.at("y")),
                                           std::stoi(row.at("w")), std::stoi(row.at("h")));
    }
  }
  std::set<std::string> activities[2];
  for (const CsvRow& row : readCsv(dir + "/scenes.csv")) {
    ClassStats& s = stats[row.at("class")];
    const cv::Mat image = cv::imread(dir + "/" + row.at("image"));
    ASSERT_FALSE(image.empty()) << row.at("image");
    EXPECT_EQ(row.at("view"), view);
    s.images += 1;
    s.colour_sum += cv::mean(image);
    s.persons += std::stod(row.at("persons"));
    const double height = std::stod(row.at("pair_height"));
    const double rel = std::stod(row.at("pair_distance")) / height;
    s.relative_distance += rel;
    s.height += height;
    s.close_pairs += rel < 0.3;
    s.height_share_min = std::min(s.height_share_min, height / image.rows);
    s.height_share_max = std::max(s.height_share_max, height / image.rows);
    const cv::Rect box = pair_box[row.at("image")];
    ASSERT_GT(box.area(), 0) << row.at("image");
    s.box_area += box.area() / (height * height);
    s.box_aspect += static_cast<double>(box.width) / box.height;
    s.pixel_area += std::stod(row.at("pair_pixels")) / (height * height);
    const bool aggressive = row.at("class") == "aggressive";
    activities[aggressive].insert(row.at("activity"));
    EXPECT_EQ(fight_boxes[row.at("image")], aggressive ? 1 : 0) << row.at("image");
    EXPECT_EQ(pair_boxes[row.at("image")], 1) << row.at("image");
    if (aggressive) {
      const cv::Rect& b = box;
      EXPECT_EQ(fight_box_text[row.at("image")], std::to_string(b.x) + "," + std::to_string(b.y) +
                                                     "," + std::to_string(b.width) + "," +
                                                     std::to_string(b.height));
    }
  }
  const ClassStats& f = stats["aggressive"];
  const ClassStats& p = stats["non_aggressive"];
  ASSERT_EQ(f.images, count / 2);
  ASSERT_EQ(p.images, count / 2);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(f.colour_sum[c] / f.images, p.colour_sum[c] / p.images, 4.0) << "channel " << c;
  }
  EXPECT_NEAR(f.persons / f.images, p.persons / p.images, 0.25);
  EXPECT_NEAR(f.relative_distance / f.images, p.relative_distance / p.images, 0.03);
  EXPECT_NEAR(f.height / f.images, p.height / p.images, 0.05 * p.height / p.images);
  // Close-but-peaceful pairs exist: nearness alone does not give the class away.
  EXPECT_GT(p.close_pairs, 0.1 * p.images);
  EXPECT_NEAR(f.close_pairs / f.images, p.close_pairs / p.images, 0.08);
  for (const auto& [name, fight, peace] :
       {std::tuple{"box area", f.box_area, p.box_area},
        std::tuple{"box aspect ratio", f.box_aspect, p.box_aspect},
        std::tuple{"figure pixel area", f.pixel_area, p.pixel_area}}) {
    EXPECT_NEAR(fight / f.images, peace / p.images, 0.05 * peace / p.images) << name;
  }
  // The pair is as tall as the view says, over the whole range.
  for (const ClassStats* s : {&f, &p}) {
    EXPECT_GE(s->height_share_min, min_share * 0.99);
    EXPECT_LE(s->height_share_max, max_share * 1.01);
    EXPECT_LT(s->height_share_min, min_share + 0.1 * (max_share - min_share));
    EXPECT_GT(s->height_share_max, max_share - 0.1 * (max_share - min_share));
  }
  EXPECT_EQ(activities[0],
            (std::set<std::string>{"talking", "handshake", "hugging", "passing_by",
                                   "walking_together", "helping_up", "playing_ball"}));
  EXPECT_EQ(activities[1], (std::set<std::string>{"punching", "kicking", "grappling", "pushing",
                                                  "ground_attack"}));
}

TEST(SynthCli, ClassesDifferOnlyInTheInteraction) {
  expectClassesDifferOnlyInTheInteraction("near-mid", 2000, 0.35, 0.80);
}

TEST(SynthCli, FarViewClassesDifferOnlyInTheInteraction) {
  expectClassesDifferOnlyInTheInteraction("far", 1200, 0.10, 0.18);
}

TEST(SynthCli, ViewsAreValidated) {
  const std::string synth = program("deepbug-synth") + " images --count 2 --out ";
  const auto unknown = runCommand(synth + tempDir("view_unknown") + " --view closeup");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown --view 'closeup'"), std::string::npos) << unknown.output;
  EXPECT_NE(unknown.output.find("near-mid"), std::string::npos) << unknown.output;
  for (const char* bad : {"0.8:0.3", "0.01:0.5", "0.3:1.2", "0.3", "a:b", "0.3:0.5x", ":"}) {
    const auto r = runCommand(synth + tempDir("view_bad") + " --person-height " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.output.find("--person-height '" + std::string(bad) + "'"), std::string::npos)
        << r.output;
  }
  const auto both =
      runCommand(synth + tempDir("view_both") + " --view near --person-height 0.3:0.5");
  EXPECT_EQ(both.exit_code, 2) << both.output;

  const std::string dir = tempDir("view_custom");
  const auto custom =
      runCommand(program("deepbug-synth") +
                 " images --count 20 --seed 3 --person-height 0.5:0.6 --out " + dir);
  ASSERT_EQ(custom.exit_code, 0) << custom.output;
  const auto rows = readCsv(dir + "/scenes.csv");
  ASSERT_EQ(rows.size(), 20u);
  for (const CsvRow& row : rows) {
    EXPECT_EQ(row.at("view"), "custom");
    const double share = std::stod(row.at("pair_height")) / 576.0;  // vtest.avi is 768×576
    EXPECT_GE(share, 0.5 - 1e-9);
    EXPECT_LE(share, 0.6 + 1e-9);
  }
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

// OpenCV's real handwritten digits: every digit in every variation, its box holding the
// digit's own ink (the fragments stay outside it), the same seed giving the same set.
TEST(SynthCli, DigitsAmongFragmentsWithTheirBoxes) {
  const std::string out = tempDir("digits");
  const auto r =
      runCommand(program("deepbug-synth") + " digits --per-class 10 --seed 3 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const cv::Mat sheet =
      cv::imread("/usr/share/doc/opencv-doc/examples/data/digits.png", cv::IMREAD_GRAYSCALE);
  ASSERT_FALSE(sheet.empty());
  std::map<std::string, int> source_cell;
  for (const auto& row : readCsv(out + "/scenes.csv"))
    source_cell[row.at("image")] = std::stoi(row.at("source_cell"));
  const auto boxes = readCsv(out + "/boxes.csv");
  ASSERT_EQ(boxes.size(), 100u) << "10 per digit";
  std::map<std::string, int> per_variation;
  for (const auto& row : boxes) {
    const std::string image = row.at("image");
    EXPECT_EQ(row.at("region"), "digit");
    const cv::Rect box(std::stoi(row.at("x")), std::stoi(row.at("y")), std::stoi(row.at("w")),
                       std::stoi(row.at("h")));
    EXPECT_EQ(box & cv::Rect(0, 0, 64, 64), box) << image << ": the box lies on the canvas";
    const cv::Mat canvas = cv::imread(out + "/" + image, cv::IMREAD_GRAYSCALE);
    ASSERT_EQ(canvas.size(), cv::Size(64, 64)) << image;
    const std::string variation = image.substr(2, image.find('/', 2) - 2);
    per_variation[variation] += 1;
    // Ink is bright, or dark on the inverted canvases (their background is white).
    const cv::Mat ink = variation == "inverted" ? 255 - canvas : canvas;
    ASSERT_EQ(source_cell.count(image), 1u) << image;
    const int cell = source_cell[image];
    const cv::Mat written = sheet(cv::Rect(cell % 100 * 20, cell / 100 * 20, 20, 20));
    if (variation == "written" || variation == "inverted") {
      EXPECT_EQ(cv::norm(ink(box), written, cv::NORM_INF), 0)
          << image << ": the box holds the handwritten cell itself, no fragment on it";
    }
    EXPECT_GT(cv::countNonZero(ink(box) > 64), 4) << image << ": the digit is in its box";
    EXPECT_GT(cv::sum(ink)[0], cv::sum(ink(box))[0]) << image << ": fragments outside it";
  }
  EXPECT_EQ(per_variation,
            (std::map<std::string, int>{
                {"inverted", 20}, {"rotated", 20}, {"thick", 20}, {"thin", 20}, {"written", 20}}));
  const std::string again = tempDir("digits_again");
  ASSERT_EQ(runCommand(program("deepbug-synth") + " digits --per-class 10 --seed 3 --out " + again)
                .exit_code,
            0);
  EXPECT_EQ(readFile(out + "/boxes.csv"), readFile(again + "/boxes.csv"));
  EXPECT_EQ(readFile(out + "/7/thick/004.png"), readFile(again + "/7/thick/004.png"));

  // A held-out set starts where the training set's cells end: no handwriting in both.
  const std::string held_out = tempDir("digits_held_out");
  ASSERT_EQ(runCommand(program("deepbug-synth") +
                       " digits --first-cell 10 --per-class 5 --seed 4 " + "--out " + held_out)
                .exit_code,
            0);
  std::set<int> held_out_cells;
  for (const auto& row : readCsv(held_out + "/scenes.csv"))
    held_out_cells.insert(std::stoi(row.at("source_cell")));
  EXPECT_EQ(held_out_cells.size(), 50u);
  for (const auto& [image, cell] : source_cell)
    EXPECT_EQ(held_out_cells.count(cell), 0u) << image << " is also in the held-out set";
  const auto past = runCommand(program("deepbug-synth") + " digits --first-cell 450 --per-class " +
                               "100 --out " + tempDir("digits_past"));
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_NE(past.output.find("cells 450 to 549"), std::string::npos) << past.output;

  const auto missing = runCommand(program("deepbug-synth") + " digits --out " +
                                  tempDir("digits_missing") + " --source /nonexistent/digits.png");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/nonexistent/digits.png"), std::string::npos) << missing.output;
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
