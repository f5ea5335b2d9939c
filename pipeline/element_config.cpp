#include "element_config.hpp"

#include <cmath>

namespace deepbug::stream {

gst::ClassifySettings classifySettingsFor(const StreamConfig& config, const SourceConfig& source) {
  gst::ClassifySettings settings = config.model;
  settings.max_lag_ms = source.live ? static_cast<unsigned>(std::lround(config.live.max_lag * 1000))
                                    : 0;  // files never skip: every frame is classified
  return settings;
}

gst::ExplainSettings explainSettingsFor(const StreamConfig& config, const SourceConfig& source) {
  gst::ExplainSettings settings = config.explain;
  static_cast<gst::PreprocessSettings&>(settings) = config.model;
  settings.model_path = config.model.model_path;
  if (settings.target.empty()) settings.target = config.overlay.watch;
  // A file paced as a camera is not live to GStreamer's latency query: say so.
  if (settings.mode == gst::ExplainMode::kAuto && source.live) {
    settings.mode = gst::ExplainMode::kLive;
  }
  return settings;
}

gst::OverlaySettings overlaySettingsFor(const StreamConfig& config) {
  return config.overlay;
}

}  // namespace deepbug::stream
