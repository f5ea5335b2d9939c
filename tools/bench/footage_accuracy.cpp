#include "footage_accuracy.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "io/npy.hpp"
#include "metrics/localization.hpp"
#include "model/geometry.hpp"

namespace deepbug::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

json scoreAgainstGroundTruth(const std::string& run_dir, const std::string& ground_truth_file,
                             const model::ModelMetadata& metadata) {
  std::ifstream truth_in(ground_truth_file);
  if (!truth_in) throw ConfigError("cannot read '" + ground_truth_file + "'");
  const json truth = json::parse(truth_in);
  std::vector<json> events;
  std::ifstream events_in(fs::path(run_dir) / "events.jsonl");
  for (std::string line; std::getline(events_in, line);)
    events.push_back(json::parse(line));

  // Event timing: each fight's best-overlapping event; events overlapping no fight.
  json fights = json::array();
  std::vector<bool> matched(events.size(), false);
  double worst_error = 0.0;
  int missed = 0;
  for (const json& fight : truth["fights"]) {
    const double f0 = fight["start_s"], f1 = fight["end_s"];
    int best = -1;
    double best_overlap = 0.0;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const double o = overlap(f0, f1, events[i]["start"]["pts"], events[i]["end"]["pts"]);
      if (o > 0) matched[i] = true;
      if (o > best_overlap) {
        best_overlap = o;
        best = static_cast<int>(i);
      }
    }
    json row{{"start_s", f0}, {"end_s", f1}};
    if (best < 0) {
      ++missed;
      row["event"] = nullptr;
    } else {
      const double start_error = events[best]["start"]["pts"].get<double>() - f0;
      const double end_error = events[best]["end"]["pts"].get<double>() - f1;
      worst_error = std::max({worst_error, std::abs(start_error), std::abs(end_error)});
      row["event"] = events[best]["id"];
      row["start_error_s"] = start_error;
      row["end_error_s"] = end_error;
    }
    fights.push_back(row);
  }
  const auto false_events = std::count(matched.begin(), matched.end(), false);

  // Pointing game of every explained frame that has a fight box.
  std::map<int, metrics::Box> boxes;
  for (const json& b : truth["fight_boxes"])
    boxes[b["frame"].get<int>()] = {b["x"], b["y"], b["w"], b["h"]};
  const model::PreprocessGeometry geometry =
      model::computeGeometry(truth["width"], truth["height"], metadata.input_width,
                             metadata.input_height, metadata.aspect);
  int scored = 0;
  double hits = 0;  // pointing-game hits (a tie for the hottest pixel counts its share)
  double mass = 0.0, area = 0.0;
  // Per event, its peak (highest-scoring) frame's explanation: does its hottest pixel
  // lie in that frame's fight box? A peak outside every fight, or not explained, misses.
  json event_peaks = json::array();
  int peak_hits = 0;
  for (const json& event : events) {
    const bool has_peak = event.contains("peak") && event["peak"].is_object();
    json peak_row{{"event", event["id"]},
                  {"peak_frame", has_peak ? event["peak"]["frame"] : json(nullptr)},
                  {"explained", false},
                  {"hottest_in_fight_box", false}};
    for (const json& explained : event["explained"]) {
      const auto box = boxes.find(explained["frame"].get<int>());
      const bool is_peak = has_peak && explained["frame"] == event["peak"]["frame"];
      if (is_peak) peak_row["explained"] = true;
      if (box == boxes.end() || !explained.contains("snapshot") ||
          !explained["snapshot"].contains("relevance")) {
        continue;
      }
      const at::Tensor map = io::readNpy(explained["snapshot"]["relevance"].get<std::string>());
      const metrics::LocalizationScore score =
          metrics::scoreLocalization(map, geometry, {box->second});
      ++scored;
      hits += score.pointing;
      mass += score.mass_inside;
      area += score.area_fraction;
      if (is_peak) peak_row["hottest_in_fight_box"] = score.pointing == 1.0;
    }
    peak_hits += peak_row["hottest_in_fight_box"].get<bool>() ? 1 : 0;
    event_peaks.push_back(peak_row);
  }
  return {{"fights", fights},
          {"fights_missed", missed},
          {"events", events.size()},
          {"events_matching_no_fight", false_events},
          {"worst_timing_error_s", worst_error},
          {"event_peaks", event_peaks},
          {"event_peaks_in_fight_box", peak_hits},
          {"explained_frames_in_fights", scored},
          {"pointing_game_hit_rate", scored ? hits / scored : 0.0},
          {"mean_mass_in_fight_box", scored ? mass / scored : 0.0},
          {"mean_box_area_fraction", scored ? area / scored : 0.0}};
}

}  // namespace deepbug::bench
