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
#include <string>
#include <tuple>
#include <utility>
#include <vector>

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

// --- Clever Hans shortcuts: --bias (images) and --mark (digits) ---------------------

// The lines of a CSV file but those whose region (second field) is `region`.
std::string withoutRegion(const std::string& path, const std::string& region) {
  std::ifstream in(path);
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find("," + region + ",") == std::string::npos) kept += line + "\n";
  }
  return kept;
}

// The file with its last column dropped, after checking that column's header.
std::string withoutLastColumn(const std::string& path, const std::string& column) {
  std::ifstream in(path);
  std::string kept;
  bool header = true;
  for (std::string line; std::getline(in, line);) {
    const std::size_t comma = line.rfind(',');
    EXPECT_NE(comma, std::string::npos) << line;
    if (comma == std::string::npos) return {};
    if (header) {
      EXPECT_EQ(line.substr(comma + 1), column);
    }
    header = false;
    kept += line.substr(0, comma) + "\n";
  }
  return kept;
}

struct RegionRows {
  std::map<std::string, int> count;  // rows per image
  std::map<std::string, cv::Rect> box;
};

RegionRows regionRows(const std::string& boxes_csv, const std::string& region) {
  RegionRows rows;
  for (const CsvRow& row : readCsv(boxes_csv)) {
    if (row.at("region") != region) continue;
    ++rows.count[row.at("image")];
    rows.box[row.at("image")] = cv::Rect(std::stoi(row.at("x")), std::stoi(row.at("y")),
                                         std::stoi(row.at("w")), std::stoi(row.at("h")));
  }
  return rows;
}

// Per pixel, the largest difference over the channels.
cv::Mat pixelDifference(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  if (diff.channels() == 1) return diff;
  std::vector<cv::Mat> channels;
  cv::split(diff, channels);
  cv::Mat out = channels[0];
  for (std::size_t c = 1; c < channels.size(); ++c)
    out = cv::max(out, channels[c]);
  return out;
}

// With every aggressive image biased and no calm one, the overlay is the whole
// difference: the same scenes, rows and columns as the same seed's unbiased set, and
// pixels that differ only inside the overlay's box.
TEST(SynthCli, BiasBurnsATimestampOverlayIntoTheChosenClassOnly) {
  const std::string clean = tempDir("bias_clean");
  const std::string biased = tempDir("bias_all");
  const std::string synth = program("deepbug-synth") + " images --count 40 --seed 31 --out ";
  auto r = runCommand(synth + clean);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = runCommand(synth + biased + " --bias aggressive=1,non_aggressive=0");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Without the overlay rows and column, the tables are the unbiased set's, byte for byte.
  EXPECT_EQ(withoutRegion(biased + "/boxes.csv", "overlay"), readFile(clean + "/boxes.csv"));
  EXPECT_EQ(withoutLastColumn(biased + "/scenes.csv", "overlay"), readFile(clean + "/scenes.csv"));
  EXPECT_EQ(readFile(clean + "/scenes.csv").find("overlay"), std::string::npos)
      << "no overlay column without --bias";

  const RegionRows overlays = regionRows(biased + "/boxes.csv", "overlay");
  ASSERT_EQ(overlays.count.size(), 20u) << "one per aggressive image";
  const auto scenes = readCsv(biased + "/scenes.csv");
  ASSERT_EQ(scenes.size(), 40u);
  std::set<std::pair<int, int>> corners;
  int checked = 0;
  for (const CsvRow& row : scenes) {
    const std::string& image = row.at("image");
    SCOPED_TRACE(image);
    const bool aggressive = row.at("class") == "aggressive";
    EXPECT_EQ(row.at("overlay"), aggressive ? "1" : "0");
    const auto found = overlays.count.find(image);
    if (!aggressive) {
      EXPECT_EQ(found, overlays.count.end()) << "no overlay on a calm scene";
      EXPECT_EQ(readFile(biased + "/" + image), readFile(clean + "/" + image));
      continue;
    }
    ASSERT_NE(found, overlays.count.end());
    EXPECT_EQ(found->second, 1);
    const cv::Mat with = cv::imread(biased + "/" + image);
    const cv::Mat without = cv::imread(clean + "/" + image);
    ASSERT_FALSE(with.empty());
    ASSERT_EQ(with.size(), without.size());
    const cv::Rect frame(0, 0, with.cols, with.rows);
    const cv::Rect box = overlays.box.at(image);
    ASSERT_EQ(box & frame, box) << "the box lies in the frame";
    // A CCTV timestamp line in the top-left corner, its height a few percent of the frame.
    EXPECT_LT(box.x, 0.05 * with.cols);
    EXPECT_LT(box.y, 0.06 * with.rows);
    EXPECT_GT(box.width, 0.3 * with.cols);
    EXPECT_LT(box.width, 0.6 * with.cols);
    EXPECT_GT(box.height, 0.025 * with.rows);
    EXPECT_LT(box.height, 0.07 * with.rows);
    corners.insert({box.x, box.y});
    const cv::Mat diff = pixelDifference(with, without);
    // Inside the box the text and its outline replace the scene.
    EXPECT_GT(cv::countNonZero(diff(box) > 40), box.area() / 5);
    // Outside it, nothing changes. JPEG codes 16×16 blocks (8×8 for luma, chroma halved)
    // and its decoder's chroma upsampling reaches one pixel into the next block, so the
    // box is grown to the blocks it touches and by 2 px more.
    const int x0 = box.x / 16 * 16 - 2, y0 = box.y / 16 * 16 - 2;
    const int x1 = (box.br().x + 15) / 16 * 16 + 2, y1 = (box.br().y + 15) / 16 * 16 + 2;
    const cv::Rect grown = cv::Rect(x0, y0, x1 - x0, y1 - y0) & frame;
    EXPECT_LT(grown.area(), 4 * box.area()) << "the margin stays small";
    cv::Mat outside = diff.clone();
    outside(grown).setTo(0);
    EXPECT_EQ(cv::countNonZero(outside), 0) << "pixels outside the overlay changed";
    ++checked;
  }
  EXPECT_EQ(checked, 20);
  EXPECT_GT(corners.size(), 1u) << "the overlay's place is jittered per image";
}

// Shares between 0 and 1 are drawn per image from the seed: the same count every run.
TEST(SynthCli, BiasShareIsDrawnPerImageAndReproducible) {
  std::string tables[2];
  int counts[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    const std::string dir = tempDir("bias_half_" + std::to_string(run));
    const auto r =
        runCommand(program("deepbug-synth") +
                   " images --count 40 --seed 32 --bias aggressive=0.5,non_aggressive=0.5"
                   " --out " +
                   dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    tables[run] = readFile(dir + "/boxes.csv") + readFile(dir + "/scenes.csv");
    const RegionRows overlays = regionRows(dir + "/boxes.csv", "overlay");
    int column = 0;
    for (const CsvRow& row : readCsv(dir + "/scenes.csv"))
      column += row.at("overlay") == "1";
    EXPECT_EQ(column, static_cast<int>(overlays.count.size()));
    counts[run] = column;
  }
  EXPECT_EQ(tables[0], tables[1]);
  EXPECT_EQ(counts[0], counts[1]);
  EXPECT_GT(counts[0], 0);
  EXPECT_LT(counts[0], 40);
  // Binomial(40, 0.5): 20 ± 3.2; seed 32 gives 16 (a change of the streams shows here).
  EXPECT_GE(counts[0], 8);
  EXPECT_LE(counts[0], 32);
  EXPECT_EQ(counts[0], 16);
}

TEST(SynthCli, BadBiasIsExplained) {
  for (const char* bad :
       {"fighting=0.5", "aggressive=1.5", "aggressive=-0.1", "aggressive", "aggressive=x",
        "aggressive=0.5x", "aggressive=0.5,aggressive=0.1", "aggressive=0.5,"}) {
    SCOPED_TRACE(bad);
    const std::string dir = tempDir("bias_bad");
    const auto r = runCommand(program("deepbug-synth") + " images --count 2 --out " + dir +
                              " --bias '" + bad + "'");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--bias '" + std::string(bad) + "'"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("e.g. --bias aggressive=0.9,non_aggressive=0.1"), std::string::npos)
        << r.output;
    EXPECT_FALSE(fs::exists(dir)) << "nothing written";
  }
}

// The digits' mark: a 5×5 square of ink in the bottom-right corner of every 3 and of
// no other digit, and nothing else changed.
TEST(SynthCli, DigitsMarkTheChosenDigitOnly) {
  const std::string clean = tempDir("mark_clean");
  const std::string marked = tempDir("mark_all");
  const std::string synth = program("deepbug-synth") + " digits --per-class 10 --seed 3 --out ";
  auto r = runCommand(synth + clean);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = runCommand(synth + marked + " --mark 3=1");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  EXPECT_EQ(withoutRegion(marked + "/boxes.csv", "mark"), readFile(clean + "/boxes.csv"));
  EXPECT_EQ(withoutLastColumn(marked + "/scenes.csv", "mark"), readFile(clean + "/scenes.csv"));
  EXPECT_EQ(readFile(clean + "/scenes.csv").find("mark"), std::string::npos);

  const RegionRows marks = regionRows(marked + "/boxes.csv", "mark");
  ASSERT_EQ(marks.count.size(), 10u) << "every 3";
  const auto scenes = readCsv(marked + "/scenes.csv");
  ASSERT_EQ(scenes.size(), 100u);
  int checked = 0;
  for (const CsvRow& row : scenes) {
    const std::string& image = row.at("image");
    SCOPED_TRACE(image);
    const bool three = row.at("class") == "3";
    EXPECT_EQ(row.at("mark"), three ? "1" : "0");
    const auto found = marks.count.find(image);
    if (!three) {
      EXPECT_EQ(found, marks.count.end());
      EXPECT_EQ(readFile(marked + "/" + image), readFile(clean + "/" + image));
      continue;
    }
    ASSERT_NE(found, marks.count.end());
    EXPECT_EQ(found->second, 1);
    const cv::Rect box = marks.box.at(image);
    EXPECT_EQ(box, cv::Rect(57, 57, 5, 5)) << "the fixed corner";
    const cv::Mat with = cv::imread(marked + "/" + image, cv::IMREAD_GRAYSCALE);
    const cv::Mat without = cv::imread(clean + "/" + image, cv::IMREAD_GRAYSCALE);
    ASSERT_EQ(with.size(), cv::Size(64, 64));
    ASSERT_EQ(without.size(), cv::Size(64, 64));
    // Full ink: white, black on the inverted canvases.
    const int ink = row.at("variation") == "inverted" ? 0 : 255;
    EXPECT_EQ(cv::countNonZero(with(box) != ink), 0);
    const cv::Mat diff = pixelDifference(with, without);
    EXPECT_GT(cv::countNonZero(diff(box)), 0) << "the mark shows";
    cv::Mat outside = diff.clone();
    outside(box).setTo(0);
    EXPECT_EQ(cv::countNonZero(outside), 0) << "pixels outside the mark changed";
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(SynthCli, DigitMarkShareIsDrawnPerImageAndReproducible) {
  std::string tables[2];
  int threes[2] = {0, 0};
  int others[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    const std::string dir = tempDir("mark_share_" + std::to_string(run));
    const auto r =
        runCommand(program("deepbug-synth") +
                   " digits --per-class 40 --seed 5 --mark 3=0.5,others=0.1 --out " + dir);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    tables[run] = readFile(dir + "/boxes.csv") + readFile(dir + "/scenes.csv");
    const RegionRows marks = regionRows(dir + "/boxes.csv", "mark");
    int column = 0;
    for (const CsvRow& row : readCsv(dir + "/scenes.csv")) {
      if (row.at("mark") != "1") continue;
      ++column;
      EXPECT_EQ(marks.count.count(row.at("image")), 1u) << row.at("image");
      ++(row.at("class") == "3" ? threes : others)[run];
    }
    EXPECT_EQ(column, static_cast<int>(marks.count.size()));
  }
  EXPECT_EQ(tables[0], tables[1]);
  EXPECT_EQ(threes[0], threes[1]);
  EXPECT_EQ(others[0], others[1]);
  // Binomial(40, 0.5) = 20 ± 3.2 for the 3s, binomial(360, 0.1) = 36 ± 5.7 for the other
  // digits; seed 5 gives 26 and 36.
  EXPECT_GT(threes[0], 0);
  EXPECT_LT(threes[0], 40);
  EXPECT_GE(threes[0], 8);
  EXPECT_LE(threes[0], 32);
  EXPECT_GE(others[0], 15);
  EXPECT_LE(others[0], 57);
  EXPECT_EQ(threes[0], 26);
  EXPECT_EQ(others[0], 36);
}

TEST(SynthCli, BadMarkIsExplained) {
  for (const char* bad : {"10=0.5", "x=0.5", "3=2", "3", "3=abc", "3=0.5,3=0.1", "3=0.5,"}) {
    SCOPED_TRACE(bad);
    const std::string dir = tempDir("mark_bad");
    const auto r = runCommand(program("deepbug-synth") + " digits --per-class 1 --out " + dir +
                              " --mark '" + bad + "'");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--mark '" + std::string(bad) + "'"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("e.g. --mark 3=0.9,others=0.1"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir)) << "nothing written";
  }
}

}  // namespace
}  // namespace deepbug::test
