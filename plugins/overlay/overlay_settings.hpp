// The deepbugoverlay settings: the struct, its table (one definition of each setting)
// and the painters' styles they make.
#pragma once

#include <string>

#include "common/settings_table.hpp"
#include "overlay/heatmap_painter.hpp"
#include "overlay/overlay_painter.hpp"

namespace deepbug::gst {

struct OverlaySettings {
  std::string watch;  // empty: label only, no alarm
  double threshold = 0.5;
  bool show_label = true;
  bool show_bar = true;
  unsigned border_width = 0;  // 0: scaled to the frame height
  bool heatmap = true;
  double alpha = 0.6;
  bool positive_only = true;
  unsigned hold_frames = 12;
  bool fade = true;
  bool picture_in_picture = true;
  bool legend = true;
};

const SettingsTable<OverlaySettings>& overlaySettingsTable();

OverlayStyle overlayStyleOf(const OverlaySettings& settings);
HeatmapOverlayStyle heatmapStyleOf(const OverlaySettings& settings);

}  // namespace deepbug::gst
