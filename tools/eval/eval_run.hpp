// `deepbug-eval`: one or more models run over an ImageFolder; each image explained for
// its target class with each composite, the heatmap scored against the class's right
// region (beside a uniform and a random map), and everything added up overall, per
// variation, per attribute value and per class (eval_figures.hpp); class-average
// heatmaps (class_averages.hpp); a gallery of images and, for model pairs, McNemar's
// test and the images they disagree on most (eval_gallery.hpp).
//
// Output, written to OUT.partial/ and renamed to OUT at the end (a run that fails leaves
// no half result under OUT, and OUT.partial only when it had written something): metrics.json,
// per_image.csv (one row per image × model × composite),
// heatmaps/<model>/<composite>/<image>.{heatmap,overlay}.png and
// class-averages/<model>/<composite>/<class>/<group>[.aligned].png and
// strategies/<model>/<composite>/<class>/cluster-<c>.png.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faithfulness_tally.hpp"
#include "metrics/localization.hpp"
#include "sanity_check.hpp"

namespace deepbug::eval {

struct ModelSpec {
  std::string name;
  std::string path;
};

struct EvalOptions {
  std::vector<ModelSpec> models;
  std::string data;
  std::string regions;                    // boxes CSV or COCO JSON; empty: none
  std::vector<std::string> region_rules;  // CLASS=REGION, or REGION for every class
  std::string attributes;                 // image,ATTR,… table (scenes.csv); empty: none
  std::vector<std::string> group_by;      // its columns to group by; empty: the few-valued ones
  bool align = false;                     // class averages also resampled into the right region
  bool strategies = true;     // spectral clusters of each class's heatmaps (strategies.hpp)
  int clusters = 0;           // their count; 0: by the eigengap
  bool faithfulness = false;  // region perturbation curves (faithfulness_tally.hpp)
  FaithfulnessOptions faithfulness_options;
  bool sanity = false;           // model randomisation sanity check (sanity_check.hpp)
  SanityOptions sanity_options;  // its seed: the run's --seed
  std::string out;
  std::vector<std::string> composites{"epsilon-plus-flat"};
  std::string target = "true";  // true, predicted or a label
  std::string init = "contrastive";
  int limit = 0;  // images per class; 0: all
  int batch = 8;
  std::string device = "auto";
  metrics::LocalizationOptions localization;
  std::uint64_t seed = 1;  // the random maps
  bool overwrite = false;
  bool quiet = false;
};

// Returns the exit code: 0, or 1 when no image could be read. Throws
// deepbug::ConfigError (exit code 2) for bad input, naming the file, option or class.
int runEval(const EvalOptions& options);

// "NAME=PATH" or "PATH" (named after its file stem).
ModelSpec parseModelSpec(const std::string& text);

}  // namespace deepbug::eval
