// deepbug-synth: synthetic CCTV scenes with ground truth.
//   deepbug-synth images  --out DIR --count N --seed S   ImageFolder dataset + boxes.csv
//   deepbug-synth footage --out DIR --seed S             sample clip + ground_truth.json
//   deepbug-synth preview --out DIR --seed S             scenes with their boxes drawn
//   deepbug-synth digits  --out DIR --seed S             OpenCV's real handwritten digits,
//                                                         placed among fragments, + boxes.csv
// images and preview take --view NAME or --person-height MIN:MAX (camera geometry).
#include <tbb/parallel_for.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
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

int writeImages(const std::string& out, int count, std::uint64_t seed, const std::string& clip,
                const synth::View& view, bool overwrite) {
  prepareOutput(out, "boxes.csv", overwrite);
  for (const char* label : {"aggressive", "non_aggressive"})
    fs::create_directories(fs::path(out) / label);
  const synth::Backgrounds backgrounds(clip);

  struct Row {
    std::string image;
    synth::Scene scene;
  };
  std::vector<Row> rows(count);
  tbb::parallel_for(0, count, [&](int i) {
    const bool aggressive = i % 2 == 0;
    Row& row = rows[i];
    row.scene = synth::renderScene(backgrounds, deepbug::mixSeed(seed, i), aggressive, view);
    char name[32];
    std::snprintf(name, sizeof(name), "%06d.jpg", i);
    row.image = std::string(aggressive ? "aggressive/" : "non_aggressive/") + name;
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
            "background,occluded\n";
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
    scenes << row.image << "," << (s.aggressive ? "aggressive" : "non_aggressive") << ","
           << synth::toString(s.activity) << "," << s.persons.size() << "," << s.pair_distance
           << "," << s.pair_height << "," << s.pair_pixels << "," << s.zoom << "," << view.name
           << "," << (s.real_frame_background ? "frame" : "median") << "," << (s.occluded ? 1 : 0)
           << "\n";
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
  if (images->parsed()) return writeImages(out, count, seed, clip, view, overwrite);
  if (preview->parsed()) return writePreviews(out, per_class, seed, clip, view);
  if (handwriting->parsed()) {
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
