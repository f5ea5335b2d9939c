// The report's sections, each a pure function of part of metrics.json (eval_report.hpp):
// tables, figures and galleries as HTML fragments. An empty string: no data, no section.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deepbug::eval::report {

struct Context {
  const nlohmann::json& metrics;
  std::vector<std::string> classes;
  std::function<bool(const std::string&)> file_exists;  // empty: all present

  // An image the page may show: inside the folder and there.
  bool showable(const std::string& path) const;
};

// A figure's one-line definition under it.
std::string caption(const std::string& html);

// Whether a group (all, a variation, an attribute value) was scored against regions.
bool hasLocalization(const nlohmann::json& group);

// The summary: one row per model × composite, each localisation figure over its floors.
std::string summaryTable(const Context& context);

// LRP's localisation figures as bars beside the uniform and random maps' (the floors).
std::string localizationFigure(const nlohmann::json& group);

std::string confusionFigure(const Context& context, const nlohmann::json& group,
                            const std::string& what);

// Precision, recall, F1, support and the right-for-the-right-reasons 2×2 per class.
std::string perClassTable(const Context& context, const nlohmann::json& group);

// Per class and correct/incorrect prediction: the part most often holding the most
// relevance and each part's mean share (the class's right region marked).
std::string partsTable(const Context& context, const nlohmann::json& group);

// Accuracy, pointing game and mass accuracy per group (variations, an attribute's
// values), each localisation bar with its uniform floor.
std::string groupBars(const std::vector<std::pair<std::string, const nlohmann::json*>>& groups);

// The galleries of a model × composite ("gallery": sample, best, worst, right for the
// wrong reasons); without them, the right-for-wrong-reasons images of `all` by the
// heatmaps' naming scheme.
std::string galleries(const Context& context, const std::string& model,
                      const std::string& composite, const nlohmann::json& figures);

// Images as a grid of captioned overlays (the first 60; the rest counted).
std::string galleryGrid(const Context& context, const nlohmann::json& entries);

// Per class, the strategies found by spectral relevance analysis ("strategies"): the
// clusters as a scatter of the spectral embedding, a table (size, accuracy, mass on the
// right region, the part holding the most relevance, flagged when the evidence lies
// mostly elsewhere) and each cluster's mean heatmap and images closest to its centre.
std::string strategiesSection(const Context& context, const nlohmann::json& figures);

// Region perturbation ("faithfulness"): the mean target logit as patches are removed in
// the heatmap's order, its reverse and at random, with AOPC and ABPC.
std::string faithfulnessSection(const nlohmann::json& figures);

// The model randomisation sanity check ("sanity"): Spearman (signed and of |maps|) and
// SSIM to the trained model's maps per count k of layers re-initialised from the top,
// as lines and a table naming each layer; the flag when the random model's maps stay alike.
std::string sanitySection(const nlohmann::json& figures);

// Class-average heatmaps (and their aligned versions).
std::string classAverages(const Context& context, const nlohmann::json& figures);

// The pairwise comparisons and, per composite, the strips of images they disagree on.
std::string comparisonSection(const Context& context);

}  // namespace deepbug::eval::report
