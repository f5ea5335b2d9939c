// deepbug-synth: synthetic CCTV scenes with ground truth.
//   deepbug-synth images  --out DIR --count N --seed S   ImageFolder dataset + boxes.csv
//   deepbug-synth footage --out DIR --seed S             sample clip + ground_truth.json
//   deepbug-synth preview --out DIR --seed S             scenes with their boxes drawn
//   deepbug-synth digits  --out DIR --seed S             OpenCV's real handwritten digits,
//                                                         placed among fragments, + boxes.csv
// images and preview take --view NAME or --person-height MIN:MAX (camera geometry).
// images --bias CLASS=SHARE,... burns a CCTV timestamp overlay into that share of each
// class (region `overlay`); digits --mark DIGIT=SHARE,... puts a small square in a corner
// of that share of a digit's images (region `mark`): shortcuts a model can learn.
#include <tbb/parallel_for.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "background.hpp"
#include "core/cli_main.hpp"
#include "core/seed.hpp"
#include "digits.hpp"
#include "footage.hpp"
#include "scene.hpp"

namespace {

namespace fs = std::filesystem;
using deepbug::ConfigError;
using deepbug::Error;
namespace synth = deepbug::synth;

void prepareOutput(const std::string& out, const std::string& marker, bool overwrite) {
  if (fs::exists(fs::path(out) / marker) && !overwrite) {
    throw ConfigError("'" + out + "' already holds a generated " + marker,
                      "choose a new --out folder, or pass --overwrite");
  }
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error("cannot create '" + out + "': " + ec.message());
}

// The random stream of a scene's overlay, apart from the scene's own: the scene is the
// same with and without --bias.
constexpr std::uint64_t kOverlayStream = 0x4f5344;  // "OSD"

std::string lower(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// `CLASS=SHARE[,CLASS=SHARE...]` with each SHARE in [0, 1]; `classes` are the names
// allowed. `others` (when not empty) is a name that sets the share of every class not
// named. Classes not named get 0. Bad text throws ConfigError naming `option`, with a
// hint worded by `noun` (CLASS, DIGIT), `names` and `example`.
std::map<std::string, double> parseShares(const std::string& option, const std::string& text,
                                          const std::vector<std::string>& classes,
                                          const std::string& others, const std::string& noun,
                                          const std::string& names, const std::string& example) {
  const std::string hint = "give " + noun + "=SHARE pairs separated by commas, " + noun +
                           " one of " + names + ", SHARE from 0 to 1, e.g. " + option + " " +
                           example;
  const std::string where = option + " '" + text + "'";
  std::map<std::string, double> given;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size()) {
      throw ConfigError(where + ": '" + item + "' is not " + noun + "=SHARE", hint);
    }
    const std::string name = item.substr(0, equals);
    const std::string value = item.substr(equals + 1);
    if (name != others && std::find(classes.begin(), classes.end(), name) == classes.end()) {
      throw ConfigError(where + ": unknown " + lower(noun) + " '" + name + "'", hint);
    }
    char* stop = nullptr;
    const double share = std::strtod(value.c_str(), &stop);
    if (*stop != '\0' || !(share >= 0.0 && share <= 1.0)) {
      throw ConfigError(
          where + ": the share of '" + name + "' is '" + value + "', not a number from 0 to 1",
          hint);
    }
    if (!given.emplace(name, share).second) {
      throw ConfigError(where + ": '" + name + "' is given twice", hint);
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  std::map<std::string, double> shares;
  const auto rest = given.find(others);
  for (const std::string& name : classes) {
    const auto named = given.find(name);
    shares[name] = named != given.end() ? named->second : rest != given.end() ? rest->second : 0.0;
  }
  return shares;
}

// `bias`: the share of each class given the overlay; empty: no --bias (and no
// `overlay` column).
int writeImages(const std::string& out, int count, std::uint64_t seed, const std::string& clip,
                const synth::View& view, bool overwrite,
                const std::map<std::string, double>& bias) {
  prepareOutput(out, "boxes.csv", overwrite);
  for (const char* label : {"aggressive", "non_aggressive"})
    fs::create_directories(fs::path(out) / label);
  const synth::Backgrounds backgrounds(clip);

  struct Row {
    std::string image;
    synth::Scene scene;
    cv::Rect overlay;  // empty: none
  };
  std::vector<Row> rows(count);
  tbb::parallel_for(0, count, [&](int i) {
    const bool aggressive = i % 2 == 0;
    Row& row = rows[i];
    const std::uint64_t scene_seed = deepbug::mixSeed(seed, i);
    row.scene = synth::renderScene(backgrounds, scene_seed, aggressive, view);
    char name[32];
    std::snprintf(name, sizeof(name), "%06d.jpg", i);
    const std::string label = aggressive ? "aggressive" : "non_aggressive";
    row.image = label + "/" + name;
    if (!bias.empty()) {
      cv::RNG osd(deepbug::mixSeed(scene_seed, kOverlayStream));
      if (osd.uniform(0.0, 1.0) < bias.at(label))
        row.overlay = synth::burnOsd(row.scene.image, osd);
    }
    if (!cv::imwrite((fs::path(out) / row.image).string(), row.scene.image,
                     {cv::IMWRITE_JPEG_QUALITY, row.scene.jpeg_quality})) {
      throw Error("cannot write '" + (fs::path(out) / row.image).string() + "'");
    }
    row.scene.image.release();
  });

  std::ofstream boxes(fs::path(out) / "boxes.csv");
  std::ofstream scenes(fs::path(out) / "scenes.csv");
  boxes << "image,region,x,y,w,h\n";
  scenes << "image,class,activity,persons,pair_distance,pair_height,pair_pixels,zoom,view,"
            "background,occluded"
         << (bias.empty() ? "" : ",overlay") << "\n";
  for (const Row& row : rows) {
    const synth::Scene& s = row.scene;
    for (const synth::PersonBox& p : s.persons) {
      if (p.box.empty()) continue;  // a bystander wholly outside the frame
      boxes << row.image << ",person," << p.box.x << "," << p.box.y << "," << p.box.width << ","
            << p.box.height << "\n";
    }
    boxes << row.image << ",pair," << s.pair.x << "," << s.pair.y << "," << s.pair.width << ","
          << s.pair.height << "\n";
    if (!s.fight.empty()) {
      boxes << row.image << ",fight," << s.fight.x << "," << s.fight.y << "," << s.fight.width
            << "," << s.fight.height << "\n";
    }
    if (!row.overlay.empty()) {
      boxes << row.image << ",overlay," << row.overlay.x << "," << row.overlay.y << ","
            << row.overlay.width << "," << row.overlay.height << "\n";
    }
    scenes << row.image << "," << (s.aggressive ? "aggressive" : "non_aggressive") << ","
           << synth::toString(s.activity) << "," << s.persons.size() << "," << s.pair_distance
           << "," << s.pair_height << "," << s.pair_pixels << "," << s.zoom << "," << view.name
           << "," << (s.real_frame_background ? "frame" : "median") << "," << (s.occluded ? 1 : 0);
    if (!bias.empty()) scenes << "," << (row.overlay.empty() ? 0 : 1);
    scenes << "\n";
  }
  std::cout << "wrote " << count << " images (" << (count + 1) / 2 << " aggressive, " << count / 2
            << " non_aggressive) to " << out << "\n";
  return deepbug::kExitOk;
}

// Scenes with their ground truth drawn: person boxes green, the fight box red.
int writePreviews(const std::string& out, int per_class, std::uint64_t seed,
                  const std::string& clip, const synth::View& view) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error("cannot create '" + out + "': " + ec.message());
  const synth::Backgrounds backgrounds(clip);
  for (int i = 0; i < 2 * per_class; ++i) {
    const bool aggressive = i % 2 == 0;
    synth::Scene scene =
        synth::renderScene(backgrounds, deepbug::mixSeed(seed, i), aggressive, view);
    for (const synth::PersonBox& p : scene.persons) {
      cv::rectangle(scene.image, p.box, cv::Scalar(0, 220, 0), 2);
    }
    if (!scene.fight.empty()) cv::rectangle(scene.image, scene.fight, cv::Scalar(0, 0, 255), 3);
    cv::putText(scene.image, synth::toString(scene.activity), {12, 30}, cv::FONT_HERSHEY_SIMPLEX,
                0.9, cv::Scalar(255, 255, 255), 2, cv::LINE_AA);
    const std::string name = std::string(aggressive ? "aggressive" : "non_aggressive") + "_" +
                             std::to_string(i / 2 + 1) + ".jpg";
    cv::imwrite((fs::path(out) / name).string(), scene.image, {cv::IMWRITE_JPEG_QUALITY, 85});
  }
  std::cout << "wrote " << 2 * per_class << " previews to " << out << "\n";
  return deepbug::kExitOk;
}

int run(int argc, char** argv) {
  CLI::App app{"Synthetic CCTV scenes with known ground truth."};
  app.require_subcommand(1);
  std::string out;
  std::uint64_t seed = 1;
  std::string clip = synth::defaultBackgroundClip();
  bool overwrite = false;

  int count = 1000;
  CLI::App* images = app.add_subcommand("images", "An ImageFolder dataset with boxes.csv");
  images->add_option("--out", out, "Output folder")->required();
  images->add_option("--count", count, "Images in all, split evenly between the classes")
      ->check(CLI::Range(2, 10000000))
      ->capture_default_str();
  images->add_option("--seed", seed, "Random seed")->capture_default_str();
  images->add_option("--background", clip, "Surveillance clip for backgrounds")
      ->capture_default_str();
  images->add_flag("--overwrite", overwrite, "Write into a folder that already holds a dataset");
  std::string bias_text;
  images->add_option(
      "--bias", bias_text,
      "A Clever Hans shortcut: the share of each class given a CCTV timestamp overlay "
      "(\"YYYY-MM-DD hh:mm:ss  CAM nn\", white with a black outline, top left), e.g. "
      "aggressive=0.9,non_aggressive=0.1 (a class not named: 0); its box is the region "
      "`overlay`, scenes.csv gains the column `overlay` (0/1). The scenes are the same as "
      "without it");

  int per_class = 3;
  CLI::App* preview =
      app.add_subcommand("preview", "A few scenes per class with their boxes drawn");
  preview->add_option("--out", out, "Output folder")->required();
  preview->add_option("--per-class", per_class)->check(CLI::Range(1, 100))->capture_default_str();
  preview->add_option("--seed", seed, "Random seed")->capture_default_str();
  preview->add_option("--background", clip, "Surveillance clip for backgrounds")
      ->capture_default_str();

  synth::FootageOptions footage;
  CLI::App* video = app.add_subcommand("footage", "A sample clip with fights at known times");
  video->add_option("--out", footage.out_dir, "Output folder")->required();
  video->add_option("--seed", footage.seed, "Random seed")->capture_default_str();
  video->add_option("--seconds", footage.seconds, "Clip length")
      ->check(CLI::Range(10.0, 600.0))
      ->capture_default_str();
  video->add_option("--fps", footage.fps, "Frame rate")
      ->check(CLI::Range(5.0, 60.0))
      ->capture_default_str();
  video->add_option("--background", clip, "Surveillance clip for the background")
      ->capture_default_str();
  video->add_flag("--overwrite", overwrite, "Replace an existing clip");

  synth::DigitsOptions digits;
  digits.source = synth::defaultDigitsSheet();
  CLI::App* handwriting =
      app.add_subcommand("digits",
                         "OpenCV's 5,000 handwritten digits on 64×64 canvases among fragments of "
                         "others, in variations, with boxes.csv");
  handwriting->add_option("--out", digits.out_dir, "Output folder")->required();
  handwriting->add_option("--per-class", digits.per_class, "Images per digit (the sheet has 500)")
      ->check(CLI::Range(1, 500))
      ->capture_default_str();
  handwriting
      ->add_option("--first-cell", digits.first_cell,
                   "The first of each digit's cells used (a held-out set starts where the "
                   "training set's end)")
      ->check(CLI::Range(0, 499))
      ->capture_default_str();
  handwriting->add_option("--seed", digits.seed, "Random seed")->capture_default_str();
  handwriting->add_option("--source", digits.source, "The digits sheet")->capture_default_str();
  handwriting->add_flag("--overwrite", overwrite, "Write into a folder that already holds one");
  std::string mark_text;
  handwriting->add_option(
      "--mark", mark_text,
      "A Clever Hans shortcut: the share of a digit's images given a 5×5 square of full ink "
      "2 px in from the bottom-right corner (x, y 57 to 61), e.g. 3=0.9 or 3=0.9,others=0.1 "
      "(a digit not named: 0); its box is the region `mark`, scenes.csv gains the column "
      "`mark` (0/1). The images are the same as without it outside the square");

  std::string view_name = synth::defaultViewName();
  std::string person_height;
  for (CLI::App* command : {images, preview}) {
    CLI::Option* named =
        command->add_option("--view", view_name, "Camera geometry: " + synth::viewNames())
            ->capture_default_str();
    command
        ->add_option("--person-height", person_height,
                     "The pair's height as a share of the frame height, MIN:MAX (instead of "
                     "--view)")
        ->excludes(named);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
  }
  const synth::View view =
      person_height.empty() ? synth::namedView(view_name) : synth::personHeightView(person_height);
  if (images->parsed()) {
    const std::map<std::string, double> bias =
        bias_text.empty() && images->count("--bias") == 0
            ? std::map<std::string, double>{}
            : parseShares("--bias", bias_text, {"aggressive", "non_aggressive"}, "", "CLASS",
                          "aggressive, non_aggressive", "aggressive=0.9,non_aggressive=0.1");
    return writeImages(out, count, seed, clip, view, overwrite, bias);
  }
  if (preview->parsed()) return writePreviews(out, per_class, seed, clip, view);
  if (handwriting->parsed()) {
    if (!mark_text.empty() || handwriting->count("--mark") > 0) {
      std::vector<std::string> names;
      for (int digit = 0; digit < 10; ++digit)
        names.push_back(std::to_string(digit));
      const auto shares = parseShares("--mark", mark_text, names, "others", "DIGIT",
                                      "0 to 9 or others", "3=0.9,others=0.1");
      digits.mark = true;
      for (int digit = 0; digit < 10; ++digit)
        digits.mark_share[digit] = shares.at(std::to_string(digit));
    }
    prepareOutput(digits.out_dir, "boxes.csv", overwrite);
    const int written = synth::writeDigits(digits);
    std::cout << "wrote " << written << " digits (" << digits.per_class << " per class, "
              << synth::digitVariations().size() << " variations) to " << digits.out_dir << "\n";
    return deepbug::kExitOk;
  }
  prepareOutput(footage.out_dir, "ground_truth.json", overwrite);
  footage.background_clip = clip;
  const int frames = synth::writeFootage(footage);
  std::cout << "wrote " << frames << " frames to " << footage.out_dir << "/sample.avi with "
            << footage.out_dir << "/ground_truth.json\n";
  return deepbug::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-synth", argv, [&] { return run(argc, argv); });
}
