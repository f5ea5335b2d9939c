// deepbug-classify: runs the frame classifier over images, folders of images and video
// files; prints one line per frame and writes per-frame scores and a summary.
#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli_main.hpp"
#include "io/frame_reader.hpp"
#include "io/input_paths.hpp"
#include "model/classifier.hpp"

namespace {

using deepbug::ConfigError;
using deepbug::Error;
using deepbug::io::DecodedFrame;
namespace model = deepbug::model;

struct Settings {
  model::ClassifierOptions classifier;
  std::vector<std::string> inputs;
  std::string labels;
  std::string input_size;
  std::string aspect;
  std::string precision = "fp32";
  int batch = 8;
  int every = 1;
  long max_frames = 0;
  std::string csv_path;
  std::string summary_path;
  bool quiet = false;
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    items.push_back(item);
  return items;
}

void applySettings(Settings& s) {
  auto& o = s.classifier.overrides;
  if (!s.labels.empty()) o.labels = splitList(s.labels);
  if (!s.input_size.empty()) {
    int w = 0;
    int h = 0;
    char x = 0;
    std::istringstream in(s.input_size);
    if (!(in >> w >> x >> h) || x != 'x' || w < 1 || h < 1) {
      throw ConfigError("--input-size '" + s.input_size + "' is not WIDTHxHEIGHT",
                        "e.g. --input-size 224x224");
    }
    o.input_width = w;
    o.input_height = h;
  }
  if (!s.aspect.empty()) {
    o.aspect = model::parseAspectPolicy(s.aspect);
    if (!o.aspect) {
      throw ConfigError("--aspect '" + s.aspect + "' is unknown",
                        "use stretch, letterbox or center-crop");
    }
  }
  s.classifier.precision = model::parsePrecision(s.precision);
}

struct PendingFrame {
  std::string input;
  DecodedFrame frame;
};

class Run {
 public:
  Run(const Settings& settings, const model::Classifier& classifier)
      : settings_(settings), classifier_(classifier) {
    if (!settings.csv_path.empty()) {
      csv_.open(settings.csv_path);
      if (!csv_) throw Error("cannot write '" + settings.csv_path + "'", "check the folder exists");
      csv_ << "input,frame,time_s,label";
      for (const std::string& label : classifier.labels())
        csv_ << ",score_" << label;
      csv_ << "\n";
    }
    label_counts_.assign(classifier.labels().size(), 0);
  }

  bool full() const { return settings_.max_frames > 0 && frames_ >= settings_.max_frames; }

  void add(const std::string& input, DecodedFrame frame) {
    pending_.push_back({input, std::move(frame)});
    ++frames_;
    if (static_cast<int>(pending_.size()) >= settings_.batch) flush();
  }

  void flush() {
    if (pending_.empty()) return;
    std::vector<model::FrameView> views;
    for (const PendingFrame& p : pending_)
      views.push_back(deepbug::io::viewOf(p.frame.image));
    const auto start = std::chrono::steady_clock::now();
    const std::vector<model::Classification> results = classifier_.classify(views);
    classify_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (std::size_t i = 0; i < results.size(); ++i)
      report(pending_[i], results[i]);
    pending_.clear();
  }

  nlohmann::json summary(double wall_seconds) const {
    nlohmann::json counts;
    for (std::size_t c = 0; c < label_counts_.size(); ++c) {
      counts[classifier_.labels()[c]] = label_counts_[c];
    }
    return {{"frames", frames_},
            {"labels", counts},
            {"classify_ms_per_frame", frames_ ? 1000.0 * classify_seconds_ / frames_ : 0.0},
            {"wall_seconds", wall_seconds},
            {"model", classifier_.modelPath()},
            {"device", classifier_.device()},
            {"threads", classifier_.threads()},
            {"batch", settings_.batch}};
  }

 private:
  void report(const PendingFrame& p, const model::Classification& result) {
    const std::string& label = classifier_.labels()[result.top_index];
    ++label_counts_[result.top_index];
    if (!settings_.quiet) {
      std::cout << p.input << " frame " << p.frame.index << " t=" << std::fixed
                << std::setprecision(2) << p.frame.time_s << "s  " << label << " "
                << std::setprecision(3) << result.top_score << "\n";
    }
    if (csv_.is_open()) {
      csv_ << p.input << "," << p.frame.index << "," << std::setprecision(3) << p.frame.time_s
           << "," << label << std::setprecision(6);
      for (float score : result.scores)
        csv_ << "," << score;
      csv_ << "\n";
    }
  }

  const Settings& settings_;
  const model::Classifier& classifier_;
  std::vector<PendingFrame> pending_;
  std::ofstream csv_;
  std::vector<long> label_counts_;
  long frames_ = 0;
  double classify_seconds_ = 0.0;
};

int run(int argc, char** argv) {
  Settings s;
  CLI::App app{"Classify images, folders of images and video files frame by frame."};
  app.add_option("inputs", s.inputs, "Image files, video files or folders of images")->required();
  app.add_option("-m,--model", s.classifier.model_path, "TorchScript model (.pt)")->required();
  app.add_option("--labels", s.labels, "Class labels in output order, comma-separated");
  app.add_option("--input-size", s.input_size, "Model input as WIDTHxHEIGHT (default: model's)");
  app.add_option("--aspect", s.aspect, "stretch | letterbox | center-crop (default: model's)");
  app.add_option("--device", s.classifier.device, "auto | cpu | cuda | cuda:N")
      ->capture_default_str();
  app.add_option("--precision", s.precision, "fp32 | bf16 | fp16")->capture_default_str();
  app.add_option("--threads", s.classifier.threads, "Intra-op threads, 0 = all cores")
      ->capture_default_str();
  app.add_option("--batch", s.batch, "Frames per inference batch")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--every", s.every, "Classify one video frame in N")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--max-frames", s.max_frames, "Stop after this many frames (0 = all)");
  app.add_option("--csv", s.csv_path, "Write per-frame scores to this CSV file");
  app.add_option("--summary", s.summary_path, "Write a JSON summary to this file");
  app.add_flag("-q,--quiet", s.quiet, "No per-frame lines");
  app.add_flag_callback(
      "--version",
      [] {
        std::cout << deepbug::toJson(deepbug::runtimeInfo()) << "\n";
        throw CLI::Success();
      },
      "Print the runtime (LibTorch, threads, BLAS, CUDA) as JSON and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
  }
  applySettings(s);

  const auto files = deepbug::io::expandInputs(s.inputs);
  const model::Classifier classifier(s.classifier);
  for (const std::string& warning : classifier.warnings()) {
    std::cerr << "deepbug-classify: warning: " << warning << "\n";
  }

  const auto start = std::chrono::steady_clock::now();
  Run run(s, classifier);
  for (const auto& file : files) {
    if (run.full()) break;
    deepbug::io::FrameReader reader(file, s.every);
    DecodedFrame frame;
    while (!run.full() && reader.next(frame))
      run.add(file.path, std::move(frame));
  }
  run.flush();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json summary = run.summary(wall);
  std::cout << summary.dump() << "\n";
  if (!s.summary_path.empty()) {
    std::ofstream out(s.summary_path);
    if (!out) throw Error("cannot write '" + s.summary_path + "'", "check the folder exists");
    out << summary.dump(2) << "\n";
  }
  return deepbug::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-classify", argv, [&] { return run(argc, argv); });
}
