// `deepbug-train fit --explain-every N`: watching a model learn. Every N epochs (and at
// the end) the current weights are explained with LRP: heatmaps of the best and worst
// images of the explain set (highest and lowest true-class probability) and, where
// regions are labelled, the pointing game and relevance mass accuracy on a fixed probe
// set, so that the curves are comparable across epochs. Written beside the checkpoints
// as MODEL.pt.explain/{epoch-NNN/{best,worst}/, timeline.json, timeline.html}.
#pragma once

#include <torch/script.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "image_folder.hpp"
#include "metrics/regions.hpp"
#include "model/model_metadata.hpp"
#include "model/preprocess.hpp"

namespace deepbug::train {

struct ExplainOptions {
  int every = 0;                   // 0: off
  std::string set;                 // an ImageFolder; empty: the validation split
  std::string boxes;               // regions CSV image,region,x,y,w,h relative to the set
  std::vector<std::string> rules;  // --explain-region: REGION or CLASS=REGION
  int probe_images = 64;
  // The class the probe explains on every image, scored on that class's right region;
  // empty: each image's own class. A fixed class asks where the model finds that class
  // in images of the others (a fight in a calm scene).
  std::string probe_target;
  std::string composite = "epsilon-plus-flat";
  int extremes = 8;  // best and worst images shown per explained epoch
  int batch = 16;

  // Whether any explain option was given (each needs --explain-every).
  bool requested() const {
    return every != 0 || !set.empty() || !boxes.empty() || !rules.empty() || !probe_target.empty();
  }
};

nlohmann::json explainOptionsToJson(const ExplainOptions& options);
ExplainOptions explainOptionsFromJson(const nlohmann::json& j);

// What one explained epoch adds to the training report's history entry.
struct EpochExplanation {
  std::optional<double> pointing;       // probe mean; none without regions
  std::optional<double> mass_accuracy;  // probe mean; none without regions
  double seconds = 0;
  nlohmann::json toJson() const;
};

class ExplainTimeline {
 public:
  // Checks every option and the model's graph (an LRP import of `module`) before
  // anything is written. Throws ConfigError naming the option. `validation`: the indices
  // of `data`'s validation split, in order.
  ExplainTimeline(ExplainOptions options, const std::string& model_out, const ImageFolder& data,
                  const std::vector<std::size_t>& validation, model::ModelMetadata metadata,
                  const torch::jit::Module& module, int epochs);

  // Whether epoch `epoch` (from 1) is explained: every N-th and the last.
  bool due(int epoch) const;
  // Whether the explain set is the validation split, image for image in its order.
  bool usesValidationSplit() const { return options_.set.empty(); }
  std::filesystem::path folder() const { return dir_; }

  // Afresh: removes earlier outputs. Resuming: keeps the explained epochs up to
  // `completed_epochs` from timeline.json and drops any later ones.
  void start(bool resuming, int completed_epochs);

  // Explains `module` (batch norms folded, as deployed) after epoch `epoch` (from 1).
  // `probabilities`: each explain image's true-class probability (NaN: unreadable),
  // from the validation pass when the explain set is the validation split; computed
  // here when empty. Writes the epoch's PNGs, timeline.json and timeline.html.
  EpochExplanation explainEpoch(const torch::jit::Module& module, int epoch,
                                double validation_accuracy, std::vector<double> probabilities,
                                double training_seconds);

  // Explain seconds over all explained epochs (resumed runs included).
  double totalSeconds() const;
  // Finishes timeline.json's totals (training seconds for the overhead) and the page.
  void finish(double training_seconds);

 private:
  struct Image {
    std::string path;
    std::string name;  // relative to the explain set: "class/file"
    int label = 0;     // index among the training classes
  };
  std::vector<double> probabilitiesOf(const torch::jit::Module& module) const;
  void write(double training_seconds);

  ExplainOptions options_;
  std::filesystem::path dir_;
  std::string model_out_;
  std::vector<std::string> classes_;
  std::vector<Image> images_;
  std::vector<std::size_t> probe_;   // indices into images_
  std::optional<int> probe_target_;  // the class the probe explains; none: each image's own
  int probeTarget(std::size_t image) const;
  std::vector<std::string> right_;  // per class: the right region, "" for none
  metrics::RegionTable regions_;
  model::ModelMetadata metadata_;
  model::Preprocessor preprocessor_;
  int epochs_ = 0;
  nlohmann::json timeline_;
};

// timeline.html from timeline.json's content: a line chart of validation accuracy,
// pointing game and mass accuracy per explained epoch, then each epoch's best and worst
// overlays. Self-contained (inline CSS and SVG, no script), image paths relative to the
// page's folder, every name escaped.
std::string timelineHtml(const nlohmann::json& timeline);

}  // namespace deepbug::train
