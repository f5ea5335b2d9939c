// The `sources:` and `live:` sections of the config, and the live keys of `outputs:`.
#pragma once

#include <filesystem>

#include "config.hpp"
#include "config_reader.hpp"

namespace deepbug::stream {

void readSources(const Reader& r, const YAML::Node& sources, const std::filesystem::path& base,
                 StreamConfig& config);
void readLive(const Reader& r, const YAML::Node& live, StreamConfig& config);
// segment_seconds, retention, display, display_sink, status_file, rtsp.
void readLiveOutputs(const Reader& r, const YAML::Node& outputs, OutputsConfig& out);

}  // namespace deepbug::stream
