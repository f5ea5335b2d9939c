// deepbug-explain: Layer-wise Relevance Propagation for any TorchScript image
// classifier. Three modes: --inspect (the layer list and each layer's rule), --input
// (a preprocessed N×C×H×W .npy array in, relevance .npy out) and --images (image files
// and folders in, heatmaps, overlays and index.csv out).
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli_main.hpp"
#include "explain_images.hpp"
#include "io/npy.hpp"
#include "lrp/inspect.hpp"
#include "model/device.hpp"
#include "model/model_loader.hpp"

namespace {

using deepbug::ConfigError;
namespace lrp = deepbug::lrp;
namespace model = deepbug::model;
namespace tool = deepbug::explain_tool;

struct Settings {
  std::string model_path;
  bool inspect = false;
  std::string input_npy, relevance_out;
  std::string composite = "epsilon-plus-flat";
  std::vector<std::string> rules;
  std::string target = "predicted";
  std::string init = "logit";
  std::string dtype = "float32";
  std::string device = "auto";
  std::string mean, std;
  std::string scale = "per-image";
  tool::ImageRunSettings images;
};

std::array<float, 3> parseTriple(const std::string& text, const char* option) {
  std::array<float, 3> values{};
  std::stringstream stream(text);
  std::string item;
  size_t count = 0;
  while (std::getline(stream, item, ',')) {
    try {
      if (count < 3) values[count] = std::stof(item);
    } catch (const std::exception&) {
      count = 99;
    }
    ++count;
  }
  if (count != 3)
    throw ConfigError(std::string(option) + " '" + text + "' is not three numbers",
                      std::string("e.g. ") + option + " 0.485,0.456,0.406");
  return values;
}

std::optional<int64_t> resolveTarget(const std::string& text,
                                     const std::vector<std::string>& labels) {
  if (text == "predicted") return std::nullopt;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == text) return static_cast<int64_t>(i);
  }
  try {
    size_t used = 0;
    const long index = std::stol(text, &used);
    if (used == text.size() && index >= 0 && index < static_cast<long>(labels.size())) return index;
  } catch (const std::exception&) {
  }
  std::string known;
  for (size_t i = 0; i < labels.size() && i < 10; ++i)
    known += (i ? ", " : "") + labels[i];
  throw ConfigError("--target '" + text + "' is neither a label nor a class index of the model",
                    "use predicted, an index below " + std::to_string(labels.size()) +
                        " or a label (" + known + (labels.size() > 10 ? ", ..." : "") + ")");
}

deepbug::render::HeatmapStyle parseScale(const std::string& text, bool positive_only) {
  deepbug::render::HeatmapStyle style;
  style.positive_only = positive_only;
  if (text == "per-image") return style;
  if (text == "shared") {
    style.scale = deepbug::render::HeatmapStyle::Scale::kShared;
    return style;
  }
  try {
    size_t used = 0;
    style.fixed_value = std::stod(text, &used);
    if (used == text.size() && style.fixed_value > 0) {
      style.scale = deepbug::render::HeatmapStyle::Scale::kFixed;
      return style;
    }
  } catch (const std::exception&) {
  }
  throw ConfigError("--scale '" + text + "' is not per-image, shared or a positive number");
}

int run(Settings& s) {
  const bool array_mode = !s.input_npy.empty();
  const bool image_mode = !s.images.inputs.empty();
  if (s.inspect + array_mode + image_mode != 1)
    throw ConfigError("choose one of --inspect, --input or --images");
  if (array_mode && s.relevance_out.empty())
    throw ConfigError("--input needs --relevance-out FILE.npy");
  if (image_mode && s.images.out_dir.empty()) throw ConfigError("--images needs --out DIR");

  model::LoadOptions load;
  load.path = s.model_path;
  load.device = model::resolveDevice(s.device);
  if (!s.mean.empty()) load.overrides.mean = parseTriple(s.mean, "--mean");
  if (!s.std.empty()) load.overrides.std = parseTriple(s.std, "--std");
  const model::LoadedModel loaded = model::loadModel(load);
  for (const auto& warning : loaded.warnings)
    std::cerr << "warning: " << warning << "\n";

  lrp::ExplainerOptions options;
  options.composite.name = s.composite;
  for (const auto& rule : s.rules)
    options.composite.overrides.push_back(lrp::parseRuleOverride(rule));
  if (s.dtype != "float32" && s.dtype != "float64")
    throw ConfigError("--dtype '" + s.dtype + "' is unknown", "use float32 or float64");
  options.dtype = s.dtype == "float64" ? c10::kDouble : c10::kFloat;
  options.device = load.device;
  options.mean.assign(loaded.metadata.mean.begin(), loaded.metadata.mean.end());
  options.std.assign(loaded.metadata.std.begin(), loaded.metadata.std.end());
  const lrp::Explainer explainer(loaded.module, s.model_path, options);
  for (const auto& warning : explainer.graph().warnings)
    std::cerr << "warning: " << warning << "\n";

  const auto& labels = loaded.metadata.labels;
  const auto target = resolveTarget(s.target, labels);
  const auto init = lrp::parseInitialRelevance(s.init);
  if (!init)
    throw ConfigError("--init '" + s.init + "' is unknown", "use logit, one or contrastive");
  if (s.inspect) {
    std::cout << lrp::formatLayerTable(
        explainer, {3, loaded.metadata.input_height, loaded.metadata.input_width});
    return deepbug::kExitOk;
  }

  if (array_mode) {
    const at::Tensor input = deepbug::io::readNpy(s.input_npy);
    if (input.dim() != 4) {
      std::string shape;
      for (int64_t size : input.sizes())
        shape += (shape.empty() ? "" : ", ") + std::to_string(size);
      throw ConfigError(s.input_npy + ": shape [" + shape + "] is not N×C×H×W",
                        "save a batch of preprocessed images (x[None] for a single one)");
    }
    const auto result = explainer.explain(input, target, *init);
    deepbug::io::writeNpy(s.relevance_out, result.relevance);
    nlohmann::json out = {{"relevance", s.relevance_out}, {"targets", result.targets}};
    std::vector<double> explained, sums;
    for (int64_t n = 0; n < result.relevance.size(0); ++n) {
      explained.push_back(result.explained[n].item<double>());
      sums.push_back(result.relevance[n].sum().item<double>());
    }
    out["explained"] = explained;
    out["relevance_sum"] = sums;
    std::cout << out.dump(2) << "\n";
    return deepbug::kExitOk;
  }
  s.images.target = target;
  s.images.init = *init;
  const model::Preprocessor preprocessor(loaded.metadata, load.device);
  return tool::explainImages(explainer, preprocessor, labels, s.images);
}

}  // namespace

int main(int argc, char** argv) {
  return deepbug::guardedMain("deepbug-explain", argv, [&]() -> int {
    Settings s;
    bool positive_only = false;
    CLI::App app{
        "deepbug-explain: Layer-wise Relevance Propagation heatmaps for a TorchScript "
        "image classifier"};
    app.add_option("--model", s.model_path, "TorchScript model (.pt)")->required();
    app.add_flag("--inspect", s.inspect, "print the layers, their shapes and rules, then exit");
    app.add_option("--input", s.input_npy, "preprocessed N×C×H×W float32/float64 .npy array");
    app.add_option("--relevance-out", s.relevance_out, "relevance .npy (the input's shape)");
    app.add_option("--images", s.images.inputs, "image files and folders (recursive)");
    app.add_option("--out", s.images.out_dir, "output folder for --images");
    app.add_option("--boxes", s.images.boxes_path,
                   "boxes CSV (image,region,x,y,w,h): score heatmaps against a region");
    app.add_option("--region", s.images.region, "region of --boxes to score")
        ->capture_default_str();
    app.add_option("--composite", s.composite,
                   "epsilon-plus-flat, epsilon-gamma-box, epsilon-plus, epsilon-alpha2-beta1, "
                   "epsilon-alpha2-beta1-flat, layered")
        ->capture_default_str();
    app.add_option("--rule", s.rules, "per-layer override LAYER=RULE[:param] (see --inspect)");
    app.add_option("--target", s.target, "predicted, a class index or a label")
        ->capture_default_str();
    app.add_option("--init", s.init, "initial relevance: logit, one or contrastive")
        ->capture_default_str();
    app.add_option("--dtype", s.dtype, "float32 or float64")->capture_default_str();
    app.add_option("--device", s.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    app.add_option("--mean", s.mean, "input mean per channel (default: the model's metadata)");
    app.add_option("--std", s.std, "input std per channel (default: the model's metadata)");
    app.add_option("--batch", s.images.batch, "images per LRP batch")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    app.add_option("--scale", s.scale, "heatmap colour scale: per-image, shared or a number")
        ->capture_default_str();
    app.add_flag("--positive-only", positive_only, "draw only positive relevance");
    app.add_option("--alpha", s.images.alpha, "overlay opacity at full relevance")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app.add_flag("--quiet", s.images.quiet, "no progress line");
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      return app.exit(error) == 0 ? deepbug::kExitOk : deepbug::kExitBadInput;
    }
    s.images.style = parseScale(s.scale, positive_only);
    return run(s);
  });
}
