#include "overlay/overlay_settings.hpp"

namespace deepbug::gst {

const SettingsTable<OverlaySettings>& overlaySettingsTable() {
  using S = OverlaySettings;
  constexpr auto kLive = Mutability::kPlaying;  // every overlay setting applies at once
  static const SettingsTable<S> table = {
      text<S>("watch", &S::watch,
              "Class whose score draws the bar and, above threshold, the alarm border; "
              "empty: label only",
              kLive),
      number<S>("threshold", &S::threshold, 0, 1, "Alarm when the watched score reaches this",
                kLive),
      flag<S>("show-label", &S::show_label, "Draw the top class and its score", kLive),
      flag<S>("show-bar", &S::show_bar, "Draw the watched class's score bar", kLive),
      count<S>("border-width", &S::border_width, 0, 256,
               "Alarm border in pixels; 0: scaled to the frame height", kLive),
      flag<S>("heatmap", &S::heatmap, "Blend DeepbugRelevanceMeta heatmaps in", kLive),
      number<S>("alpha", &S::alpha, 0, 1, "Heatmap opacity at full relevance", kLive),
      flag<S>("positive-only", &S::positive_only,
              "Show only evidence for the class (red); else also against (blue)", kLive),
      count<S>("hold-frames", &S::hold_frames, 0, 100000,
               "Keep showing a heatmap on this many later frames", kLive),
      flag<S>("fade", &S::fade, "A held heatmap fades out over hold-frames", kLive),
      flag<S>("picture-in-picture", &S::picture_in_picture,
              "Live: show the explained (earlier) frame in a corner", kLive),
      flag<S>("legend", &S::legend, "Draw the heatmap's colour bar and range", kLive),
  };
  return table;
}

OverlayStyle overlayStyleOf(const OverlaySettings& s) {
  OverlayStyle style;
  style.watch = s.watch;
  style.threshold = s.threshold;
  style.show_label = s.show_label;
  style.show_bar = s.show_bar;
  style.border_width = static_cast<int>(s.border_width);
  return style;
}

HeatmapOverlayStyle heatmapStyleOf(const OverlaySettings& s) {
  HeatmapOverlayStyle style;
  style.alpha = s.alpha;
  style.positive_only = s.positive_only;
  style.legend = s.legend;
  style.picture_in_picture = s.picture_in_picture;
  return style;
}

}  // namespace deepbug::gst
