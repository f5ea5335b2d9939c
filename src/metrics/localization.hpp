// Scores a heatmap against hand-labelled regions: the report's evaluation ("how much of
// the heatmap lies on the right region") beside the standard localisation metrics of
// the field. Regions are boxes in frame pixels; the heatmap is at model resolution and
// is mapped through the preprocessing geometry. Only pixels of the frame's content count
// (letterbox padding is no pixel of the frame); an input pixel belongs to a box when its
// centre, mapped to the frame, lies inside it.
//
// Ties are resolved by expectation, never by memory order: where a figure picks "the
// hottest pixel" or "the k most relevant pixels" and several pixels share the deciding
// value, it counts the expected result of picking among them uniformly at random. So a
// uniform map scores every pick-based figure at the region's area share — the floor a
// reader compares against.
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "model/geometry.hpp"

namespace deepbug::metrics {

struct Box {
  double x = 0, y = 0, width = 0, height = 0;  // frame pixels, pixel-edge coordinates
};

// A closed polygon, vertices in frame pixels; a pixel is inside by the even-odd rule.
struct Polygon {
  std::vector<std::pair<double, double>> points;
};

// The right place for a class in one image: the union of its boxes and polygons.
struct Region {
  std::vector<Box> boxes;
  std::vector<Polygon> polygons;
};

struct LocalizationOptions {
  // Pointing game: the hottest pixel counts as a hit within this distance (frame pixels,
  // Euclidean, to the nearest box). Zhang et al. use 15 px on 224-px inputs; 0: inside.
  double pointing_tolerance = 0;
  // Top-k intersection: k, the number of most relevant pixels (Quantus's default 1000;
  // at most the frame content's pixel count).
  std::int64_t top_k = 1000;
  // The report's macro score: an explanation passes when at least this share of its
  // positive relevance lies on the region.
  double macro_threshold = 0.5;
};

struct LocalizationScore {
  // Pointing game (Zhang et al. 2018, "Top-down neural attention by excitation
  // backprop"): 1 when the hottest pixel lies on the region, else 0; with tied maxima
  // the share of them that do.
  double pointing = 0;
  // Relevance mass accuracy (Arras et al. 2022, "CLEVR-XAI"), the report's micro score:
  // Σ R⁺ on the region / Σ R⁺; 0 when there is no positive relevance.
  double mass_inside = 0;
  // Relevance rank accuracy (Arras et al. 2022): with K the region's pixel count, the
  // share of the K most relevant pixels that lie on it; 0 for an empty region.
  double rank_accuracy = 0;
  // Top-k intersection (Theiner et al. 2022; Quantus TopKIntersection): the share of the
  // k most relevant pixels on the region (k = options.top_k, capped at the content).
  double top_k = 0;
  // ROC-AUC of relevance as a score for "on the region" (Quantus AUC): the probability
  // that a pixel on the region is more relevant than one off it, ties counting ½
  // (Mann–Whitney U / (n_on · n_off)); 0.5 when the region covers nothing or everything.
  double roc_auc = 0.5;
  // The report's macro score: mass_inside ≥ options.macro_threshold.
  bool macro_pass = false;
  // The share of the frame content the region covers: what a uniform map scores.
  double area_fraction = 0;
};

// Which input pixels are the frame's content, lie on the region, and count as a pointing
// hit: computed once per image and region, then used for every map scored against it
// (the model's, the uniform and the random floor).
struct RegionMask {
  at::Tensor content;   // bool [input_height, input_width]
  at::Tensor on;        // bool, one per content pixel (row-major)
  at::Tensor hit_zone;  // bool, one per content pixel: on, or within the pointing tolerance
  int64_t input_height = 0, input_width = 0;
};
RegionMask maskRegion(const model::PreprocessGeometry& geometry, const Region& region,
                      double pointing_tolerance);

// `relevance_hw`: [input_height, input_width], any float dtype and device. Throws
// deepbug::Error when its shape is not the geometry's input.
LocalizationScore scoreLocalization(const at::Tensor& relevance_hw, const RegionMask& mask,
                                    const LocalizationOptions& options = {});
LocalizationScore scoreLocalization(const at::Tensor& relevance_hw,
                                    const model::PreprocessGeometry& geometry, const Region& region,
                                    const LocalizationOptions& options = {});
LocalizationScore scoreLocalization(const at::Tensor& relevance_hw,
                                    const model::PreprocessGeometry& geometry,
                                    const std::vector<Box>& boxes,
                                    const LocalizationOptions& options = {});

// Σ R⁺ on the region / Σ R⁺ over the content (mass_inside alone, for many regions).
double positiveMassOn(const at::Tensor& relevance_hw, const RegionMask& mask);

}  // namespace deepbug::metrics
