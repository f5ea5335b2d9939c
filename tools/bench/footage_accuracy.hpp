// How well the stream's events and explanations match footage with known ground truth
// (deepbug-synth's ground_truth.json): event timing against the fight intervals, and
// the pointing game of the explained frames against the per-frame fight boxes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/model_metadata.hpp"

namespace deepbug::bench {

// `run_dir` holds one source's outputs (events.jsonl with relevance .npy snapshots).
nlohmann::json scoreAgainstGroundTruth(const std::string& run_dir,
                                       const std::string& ground_truth_file,
                                       const model::ModelMetadata& metadata);

}  // namespace deepbug::bench
