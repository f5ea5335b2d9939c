#include "explain_timeline.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>

#include <tbb/parallel_for.h>

#include "core/error.hpp"
#include "image_batches.hpp"
#include "io/frame_reader.hpp"
#include "lrp/composite.hpp"
#include "lrp/explainer.hpp"
#include "metrics/localization.hpp"
#include "render/blend.hpp"
#include "render/heatmap.hpp"

namespace deepbug::train {

namespace fs = std::filesystem;
using nlohmann::json;

json explainOptionsToJson(const ExplainOptions& o) {
  return {{"every", o.every},
          {"set", o.set},
          {"boxes", o.boxes},
          {"regions", o.rules},
          {"probe_images", o.probe_images},
          {"probe_target", o.probe_target},
          {"composite", o.composite},
          {"extremes", o.extremes}};
}

ExplainOptions explainOptionsFromJson(const json& j) {
  ExplainOptions o;
  o.every = j.value("every", 0);
  o.set = j.value("set", std::string());
  o.boxes = j.value("boxes", std::string());
  o.rules = j.value("regions", std::vector<std::string>{});
  o.probe_images = j.value("probe_images", 64);
  o.probe_target = j.value("probe_target", std::string());
  o.composite = j.value("composite", std::string("epsilon-plus-flat"));
  o.extremes = j.value("extremes", 8);
  return o;
}

json EpochExplanation::toJson() const {
  return {{"pointing", pointing ? json(*pointing) : json()},
          {"mass_accuracy", mass_accuracy ? json(*mass_accuracy) : json()},
          {"seconds", seconds}};
}

namespace {

std::string epochFolder(int epoch) {
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%03d", epoch);
  return name;
}

std::string relativeName(const std::string& path, const std::string& root) {
  return fs::path(path).lexically_relative(fs::path(root)).generic_string();
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values)
    sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

void writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
    if (!out) throw Error("cannot write '" + tmp.string() + "'");
  }
  fs::rename(tmp, path);
}

// The longest side of an overlay: the page shows them as thumbnails, and blending and
// compressing whole frames would cost more than explaining them.
constexpr int kOverlaySide = 320;

// STEM.heatmap.png (the map at model resolution) and STEM.overlay.png (blended onto the
// frame shrunk to at most kOverlaySide, fast PNG compression).
void writeOverlay(const std::string& stem, const at::Tensor& map, cv::Mat frame,
                  const model::Preprocessor& preprocessor) {
  const render::HeatmapStyle style;
  const double scale = render::scaleFor(map, style);
  explain_tool::writeRgbPng(stem + ".heatmap.png",
                            render::colorize(map, scale, style.positive_only));
  const double shrink = std::min(1.0, double(kOverlaySide) / std::max(frame.cols, frame.rows));
  if (shrink < 1) cv::resize(frame, frame, cv::Size(), shrink, shrink, cv::INTER_AREA);
  cv::Mat rgb;
  cv::cvtColor(frame, rgb, cv::COLOR_BGR2RGB);
  const at::Tensor frame_rgb = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, at::kByte);
  render::BlendOptions blend;
  blend.alpha = explain_tool::OverlayStyle{}.alpha;
  blend.positive_only = style.positive_only;
  const at::Tensor overlay =
      render::blendOntoFrame(frame_rgb, map, preprocessor.geometryFor(frame.cols, frame.rows),
                             scale, blend)
          .contiguous();
  cv::Mat blended(rgb.rows, rgb.cols, CV_8UC3, overlay.data_ptr<uint8_t>()), bgr;
  cv::cvtColor(blended, bgr, cv::COLOR_RGB2BGR);
  const std::string path = stem + ".overlay.png";
  if (!cv::imwrite(path, bgr, {cv::IMWRITE_PNG_COMPRESSION, 1})) {
    throw Error("cannot write '" + path + "'");
  }
}

}  // namespace

ExplainTimeline::ExplainTimeline(ExplainOptions options, const std::string& model_out,
                                 const ImageFolder& data,
                                 const std::vector<std::size_t>& validation,
                                 model::ModelMetadata metadata, const torch::jit::Module& module,
                                 int epochs)
    : options_(std::move(options)),
      dir_(model_out + ".explain"),
      model_out_(model_out),
      classes_(data.classes),
      metadata_(std::move(metadata)),
      preprocessor_(metadata_, "cpu"),
      epochs_(epochs) {
  const ExplainOptions& o = options_;
  if (o.every < 0) {
    throw ConfigError("--explain-every " + std::to_string(o.every) + " is negative",
                      "give a number of epochs, or 0 for no explanations");
  }
  if (o.every == 0) {
    const char* given = !o.set.empty()            ? "--explain-set"
                        : !o.boxes.empty()        ? "--boxes"
                        : !o.probe_target.empty() ? "--probe-target"
                                                  : "--explain-region";
    throw ConfigError(std::string(given) + " needs --explain-every N",
                      "e.g. --explain-every 1 to explain after every epoch");
  }
  if (o.probe_images < 1) {
    throw ConfigError("--probe-images " + std::to_string(o.probe_images) + " must be positive");
  }
  const auto& names = lrp::compositeNames();
  if (std::find(names.begin(), names.end(), o.composite) == names.end()) {
    std::string all;
    for (const auto& n : names)
      all += (all.empty() ? "" : ", ") + n;
    throw ConfigError("--explain-composite '" + o.composite + "' is unknown", "use one of " + all);
  }

  if (o.set.empty()) {
    for (std::size_t i : validation) {
      const Sample& s = data.samples[i];
      images_.push_back({s.path, relativeName(s.path, data.root), s.label});
    }
    if (images_.empty()) {
      throw ConfigError("--explain-every needs validation images, and the split holds none",
                        "raise --val-fraction or give --explain-set DIR");
    }
  } else {
    const ImageFolder set = scanImageFolder(o.set);
    for (const Sample& s : set.samples) {
      const std::string& cls = set.classes[static_cast<std::size_t>(s.label)];
      const auto found = std::find(classes_.begin(), classes_.end(), cls);
      if (found == classes_.end()) {
        throw ConfigError("--explain-set '" + o.set + "': class folder '" + cls +
                          "' is not a class of --data");
      }
      images_.push_back(
          {s.path, relativeName(s.path, set.root), static_cast<int>(found - classes_.begin())});
    }
  }

  if (!o.probe_target.empty()) {
    const auto found = std::find(classes_.begin(), classes_.end(), o.probe_target);
    if (found == classes_.end()) {
      std::string all;
      for (const auto& c : classes_)
        all += (all.empty() ? "" : ", ") + c;
      throw ConfigError("--probe-target '" + o.probe_target + "' is not a class of --data",
                        "use one of " + all);
    }
    if (o.boxes.empty()) {
      throw ConfigError("--probe-target needs --boxes and --explain-region",
                        "the probe is scored on the target class's right region");
    }
    probe_target_ = static_cast<int>(found - classes_.begin());
  }

  right_.assign(classes_.size(), "");
  if (!o.rules.empty() && o.boxes.empty()) {
    throw ConfigError("--explain-region needs --boxes", "give the file that holds the regions");
  }
  if (!o.boxes.empty()) {
    try {
      regions_ = metrics::readRegions(o.boxes);
    } catch (const Error& e) {
      throw ConfigError(std::string("--boxes: ") + e.what(), e.hint());
    }
    if (o.rules.empty()) {
      throw ConfigError("--boxes needs --explain-region",
                        "name each class's right region: REGION, or CLASS=REGION per class");
    }
    right_ = metrics::rightRegions(o.rules, classes_, regions_, "--explain-region");
    // The probe set: images with the right region of the class they are explained for
    // labelled, the first of each class in sorted order taken in turn (class-balanced),
    // the same every epoch.
    std::vector<std::vector<std::size_t>> by_class(classes_.size());
    for (std::size_t i = 0; i < images_.size(); ++i) {
      const Image& image = images_[i];
      const std::string& right = right_[static_cast<std::size_t>(probeTarget(i))];
      if (!right.empty() && regions_.find(image.name, right) != nullptr) {
        by_class[static_cast<std::size_t>(image.label)].push_back(i);
      }
    }
    for (std::size_t round = 0; static_cast<int>(probe_.size()) < o.probe_images; ++round) {
      bool any = false;
      for (const auto& list : by_class) {
        if (round < list.size() && static_cast<int>(probe_.size()) < o.probe_images) {
          probe_.push_back(list[round]);
          any = true;
        }
      }
      if (!any) break;
    }
    std::sort(probe_.begin(), probe_.end());
    if (probe_.empty()) {
      const std::string whose = probe_target_ ? "class " + o.probe_target + "'s" : "its class's";
      throw ConfigError(
          "no image of the explain set has " + whose + " --explain-region in --boxes '" + o.boxes +
              "'",
          "the boxes file names images relative to the explain set, e.g. " + images_.front().name);
    }
  }
  // The LRP engine must take the architecture: say so now, not after the first epoch.
  lrp::ExplainerOptions check;
  check.composite.name = o.composite;
  const lrp::Explainer explainer(module, metadata_.architecture, check);
}

int ExplainTimeline::probeTarget(std::size_t image) const {
  return probe_target_ ? *probe_target_ : images_[image].label;
}

bool ExplainTimeline::due(int epoch) const {
  return epoch == epochs_ || epoch % options_.every == 0;
}

void ExplainTimeline::start(bool resuming, int completed_epochs) {
  json kept = json::array();
  if (!resuming) {
    fs::remove_all(dir_);
  } else if (std::ifstream in(dir_ / "timeline.json"); in) {
    try {
      const json old = json::parse(in);
      for (const json& entry : old.value("epochs", json::array())) {
        if (entry.value("epoch", 0) <= completed_epochs) kept.push_back(entry);
      }
    } catch (const json::exception& e) {
      std::cerr << "deepbug-train: warning: " << (dir_ / "timeline.json").string()
                << " is unreadable (" << e.what() << "), the timeline starts afresh\n";
    }
    // Epochs explained after the checkpoint are explained again.
    for (const auto& entry : fs::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && name.rfind("epoch-", 0) == 0 &&
          std::atoi(name.c_str() + 6) > completed_epochs) {
        fs::remove_all(entry.path());
      }
    }
  }
  fs::create_directories(dir_);
  json right = json::object();
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    if (!right_[c].empty()) right[classes_[c]] = right_[c];
  }
  json probe = json::array();
  for (std::size_t i : probe_)
    probe.push_back(images_[i].name);
  timeline_ = {{"format", "deepbug-train-timeline/1"},
               {"model", fs::path(model_out_).filename().string()},
               {"architecture", metadata_.architecture},
               {"composite", options_.composite},
               {"initial_relevance", "contrastive"},
               {"target", "true class"},
               {"probe_target", probe_target_ ? json(options_.probe_target) : json("true class")},
               {"explain_set", options_.set.empty() ? "validation split" : options_.set},
               {"explain_images", images_.size()},
               {"boxes", options_.boxes},
               {"right_region", right},
               {"probe_images", probe},
               {"extremes", options_.extremes},
               {"every", options_.every},
               {"epochs", kept}};
}

std::vector<double> ExplainTimeline::probabilitiesOf(const torch::jit::Module& module) const {
  std::vector<double> probability(images_.size(), std::numeric_limits<double>::quiet_NaN());
  std::vector<explain_tool::ImageFile> files;
  for (const Image& image : images_)
    files.push_back({image.path, image.name});
  torch::jit::Module runner = module;  // a handle: the same module, in eval mode
  torch::NoGradGuard no_grad;
  explain_tool::BatchCallbacks callbacks;
  callbacks.batch = [&](const explain_tool::ImageBatch& batch) {
    const at::Tensor p = runner.forward({batch.input}).toTensor().softmax(1).to(at::kCPU);
    for (std::size_t n = 0; n < batch.files.size(); ++n) {
      const auto i = static_cast<std::size_t>(batch.files[n] - files.data());
      probability[i] = p[static_cast<int64_t>(n)][images_[i].label].item<double>();
    }
  };
  callbacks.skipped = [](const explain_tool::ImageFile&) {};
  explain_tool::forEachBatch(files, options_.batch, preprocessor_, callbacks);
  return probability;
}

EpochExplanation ExplainTimeline::explainEpoch(const torch::jit::Module& module, int epoch,
                                               double validation_accuracy,
                                               std::vector<double> probabilities,
                                               double training_seconds) {
  const auto started = std::chrono::steady_clock::now();
  if (probabilities.size() != images_.size()) probabilities = probabilitiesOf(module);

  // Ranked by true-class probability, highest first; ties by name.
  std::vector<std::size_t> ranked;
  for (std::size_t i = 0; i < images_.size(); ++i) {
    if (std::isfinite(probabilities[i])) ranked.push_back(i);
  }
  std::sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) {
    if (probabilities[a] != probabilities[b]) return probabilities[a] > probabilities[b];
    return images_[a].name < images_[b].name;
  });
  const std::size_t k =
      std::min<std::size_t>(static_cast<std::size_t>(options_.extremes), ranked.size());
  std::map<std::size_t, std::vector<std::string>> lists;  // image → "best"/"worst"
  std::vector<std::size_t> best(ranked.begin(), ranked.begin() + static_cast<long>(k));
  std::vector<std::size_t> worst(ranked.rbegin(), ranked.rbegin() + static_cast<long>(k));
  for (std::size_t i : best)
    lists[i].push_back("best");
  for (std::size_t i : worst)
    lists[i].push_back("worst");
  // Each wanted explanation: an image and the class explained. The extremes show their
  // true class; the probe its target, so an image can be wanted twice.
  std::set<std::size_t> probe(probe_.begin(), probe_.end());
  std::set<std::pair<std::size_t, int>> wanted;
  for (std::size_t i : probe)
    wanted.insert({i, probeTarget(i)});
  for (const auto& [i, _] : lists)
    wanted.insert({i, images_[i].label});

  lrp::ExplainerOptions explainer_options;
  explainer_options.composite.name = options_.composite;
  explainer_options.mean.assign(metadata_.mean.begin(), metadata_.mean.end());
  explainer_options.std.assign(metadata_.std.begin(), metadata_.std.end());
  const lrp::Explainer explainer(module, "epoch " + std::to_string(epoch), explainer_options);

  const fs::path epoch_dir = dir_ / epochFolder(epoch);
  fs::remove_all(epoch_dir);
  std::map<std::size_t, std::pair<double, double>> scores;  // probe image → pointing, mass
  std::map<std::size_t, std::string> stems;                 // image → stem inside a list folder
  struct OverlayJob {
    std::size_t image;
    at::Tensor map;
    cv::Mat frame;
  };
  std::vector<OverlayJob> jobs;
  const std::vector<std::pair<std::size_t, int>> order(wanted.begin(), wanted.end());
  const auto batch_size = static_cast<std::size_t>(std::max(1, options_.batch));
  for (std::size_t begin = 0; begin < order.size(); begin += batch_size) {
    const std::size_t count = std::min(batch_size, order.size() - begin);
    std::vector<cv::Mat> frames(count);
    tbb::parallel_for(std::size_t{0}, count, [&](std::size_t k) {
      frames[k] = cv::imread(images_[order[begin + k].first].path, cv::IMREAD_COLOR);
    });
    std::vector<at::Tensor> inputs;
    std::vector<model::PreprocessGeometry> geometries;
    std::vector<std::size_t> kept;  // positions in the chunk of the readable images
    std::vector<int64_t> targets;
    for (std::size_t k = 0; k < count; ++k) {
      if (frames[k].empty()) continue;  // unreadable: neither shown nor scored
      model::PreprocessGeometry geometry;
      inputs.push_back(preprocessor_.run(io::viewOf(frames[k]), &geometry));
      geometries.push_back(geometry);
      kept.push_back(k);
      targets.push_back(order[begin + k].second);
    }
    if (inputs.empty()) continue;
    const lrp::Explanation result =
        explainer.explain(at::stack(inputs), targets, lrp::InitialRelevance::kContrastive);
    const at::Tensor maps = render::toPixelMap(result.relevance).to(at::kCPU, at::kDouble);
    for (std::size_t n = 0; n < kept.size(); ++n) {
      const auto [i, target] = order[begin + kept[n]];
      const at::Tensor map = maps[static_cast<int64_t>(n)];
      if (probe.count(i) && target == probeTarget(i)) {
        const metrics::Region* region =
            regions_.find(images_[i].name, right_[static_cast<std::size_t>(target)]);
        const metrics::LocalizationScore s =
            metrics::scoreLocalization(map, geometries[n], *region);
        scores[i] = {s.pointing, s.mass_inside};
      }
      if (lists.count(i) && target == images_[i].label) jobs.push_back({i, map, frames[kept[n]]});
    }
  }
  for (const OverlayJob& job : jobs) {
    const std::string stem = fs::path(images_[job.image].name).replace_extension().generic_string();
    stems[job.image] = stem;
    for (const std::string& name : lists.at(job.image))
      fs::create_directories((epoch_dir / name / stem).parent_path());
  }
  tbb::parallel_for(std::size_t{0}, jobs.size(), [&](std::size_t j) {
    const OverlayJob& job = jobs[j];
    const std::vector<std::string>& in = lists.at(job.image);
    const fs::path first = epoch_dir / in.front() / stems.at(job.image);
    writeOverlay(first.string(), job.map, job.frame, preprocessor_);
    // An image in both lists (few validation images) is written once and copied.
    for (std::size_t l = 1; l < in.size(); ++l) {
      const fs::path other = epoch_dir / in[l] / stems.at(job.image);
      for (const char* kind : {".overlay.png", ".heatmap.png"}) {
        fs::copy_file(first.string() + kind, other.string() + kind,
                      fs::copy_options::overwrite_existing);
      }
    }
  });

  const auto listJson = [&](const std::vector<std::size_t>& list, const std::string& name) {
    json out = json::array();
    for (std::size_t i : list) {
      const auto stem = stems.find(i);
      if (stem == stems.end()) continue;  // became unreadable
      const std::string base = epochFolder(epoch) + "/" + name + "/" + stem->second;
      out.push_back({{"image", images_[i].name},
                     {"true_class", classes_[static_cast<std::size_t>(images_[i].label)]},
                     {"probability", probabilities[i]},
                     {"overlay", base + ".overlay.png"},
                     {"heatmap", base + ".heatmap.png"}});
    }
    return out;
  };

  EpochExplanation summary;
  json probe_rows = json::array();
  json per_class = json::object();
  if (!probe_.empty()) {
    std::vector<double> pointing, mass;
    std::vector<std::vector<double>> class_pointing(classes_.size()), class_mass(classes_.size());
    for (std::size_t i : probe_) {
      const auto found = scores.find(i);
      if (found == scores.end()) continue;
      const auto [p, m] = found->second;
      const auto c = static_cast<std::size_t>(images_[i].label);
      pointing.push_back(p);
      mass.push_back(m);
      class_pointing[c].push_back(p);
      class_mass[c].push_back(m);
      probe_rows.push_back({{"image", images_[i].name},
                            {"true_class", classes_[c]},
                            {"pointing", p},
                            {"mass_accuracy", m}});
    }
    if (!pointing.empty()) {
      summary.pointing = mean(pointing);
      summary.mass_accuracy = mean(mass);
    }
    for (std::size_t c = 0; c < classes_.size(); ++c) {
      if (class_pointing[c].empty()) continue;
      per_class[classes_[c]] = {{"images", class_pointing[c].size()},
                                {"pointing", mean(class_pointing[c])},
                                {"mass_accuracy", mean(class_mass[c])}};
    }
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  json entry{{"epoch", epoch},
             {"validation_accuracy", validation_accuracy},
             {"pointing", summary.pointing ? json(*summary.pointing) : json()},
             {"mass_accuracy", summary.mass_accuracy ? json(*summary.mass_accuracy) : json()},
             {"probe_scored", probe_rows.size()},
             {"per_class", per_class},
             {"seconds", summary.seconds},
             {"best", listJson(best, "best")},
             {"worst", listJson(worst, "worst")},
             {"probe", probe_rows}};
  json& epochs = timeline_["epochs"];
  json kept = json::array();
  for (const json& e : epochs) {
    if (e.value("epoch", 0) != epoch) kept.push_back(e);
  }
  kept.push_back(entry);
  std::sort(kept.begin(), kept.end(),
            [](const json& a, const json& b) { return a.value("epoch", 0) < b.value("epoch", 0); });
  epochs = kept;
  write(training_seconds);
  return summary;
}

double ExplainTimeline::totalSeconds() const {
  double total = 0;
  for (const json& e : timeline_.value("epochs", json::array()))
    total += e.value("seconds", 0.0);
  return total;
}

void ExplainTimeline::finish(double training_seconds) {
  write(training_seconds);
}

void ExplainTimeline::write(double training_seconds) {
  const double explain = totalSeconds();
  timeline_["explain_seconds"] = explain;
  timeline_["training_seconds"] = training_seconds;
  timeline_["overhead"] = training_seconds > 0 ? json(explain / training_seconds) : json();
  fs::create_directories(dir_);
  writeAtomically(dir_ / "timeline.json", timeline_.dump(1) + "\n");
  writeAtomically(dir_ / "timeline.html", timelineHtml(timeline_));
}

}  // namespace deepbug::train
