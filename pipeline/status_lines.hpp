// The status of running sources as people and tools read it: a line per source on a
// terminal (archive: percent, fps, ETA; live: fps in/out, classification time, skipped
// frames, reconnects) and the rates status.json reports.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "source_pipeline.hpp"

namespace deepbug::stream {

// Rates over the last status interval, from two snapshots of SourcePipeline::status().
struct Rates {
  double fps_in = 0;
  double fps_out = 0;
  double classify_ms = 0;  // per batch
};

Rates ratesBetween(const nlohmann::json& before, const nlohmann::json& now);

// A file's progress: percent, frames, fps, ETA.
std::string progressText(const SourcePipeline& source);

// A live source's state: rates, skipped frames, reconnects, the input when not streaming.
std::string liveProgressText(const SourcePipeline& source, const nlohmann::json& status,
                             const Rates& rates);

}  // namespace deepbug::stream
