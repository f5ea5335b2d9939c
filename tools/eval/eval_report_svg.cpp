#include "eval_report_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "eval_report_html.hpp"

namespace deepbug::eval::report {
namespace {

constexpr double kCharWidth = 6.6;  // 12 px system sans, an average character
constexpr std::size_t kMaxLabelChars = 24;

// Labels longer than kMaxLabelChars are cut with an ellipsis (the full text is in the
// element's <title>).
std::string shortLabel(const std::string& label) {
  if (label.size() <= kMaxLabelChars) return label;
  std::size_t cut = kMaxLabelChars - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80)
    --cut;  // UTF-8
  return label.substr(0, cut) + "…";
}

double labelWidth(const std::vector<std::string>& labels) {
  std::size_t chars = 1;
  for (const auto& label : labels)
    chars = std::max(chars, std::min(label.size(), kMaxLabelChars));
  return std::ceil(static_cast<double>(chars) * kCharWidth) + 8;
}

std::string px(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  std::string out = text;
  if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
  return out;
}

// Light (#f3f6fa) to dark blue (#1f5fa8) by share in [0, 1].
std::string shade(double share) {
  share = std::clamp(share, 0.0, 1.0);
  const auto mix = [share](int from, int to) {
    return static_cast<int>(std::lround(from + (to - from) * share));
  };
  char text[16];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", mix(0xf3, 0x1f), mix(0xf6, 0x5f),
                mix(0xfa, 0xa8));
  return text;
}

}  // namespace

std::string confusionMatrixSvg(const std::vector<std::string>& classes,
                               const std::vector<std::vector<std::int64_t>>& counts) {
  const std::size_t n = classes.size();
  const double cell = n > 8 ? 30 : 40;
  const double label = labelWidth(classes);
  const double left = label + 22, top = label + 22;
  const double width = left + static_cast<double>(n) * cell + 4;
  const double height = top + static_cast<double>(n) * cell + 4;

  std::string svg = "<svg class=\"confusion\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    px(width) + " " + px(height) + "\" width=\"" + px(width) + "\" height=\"" +
                    px(height) + "\" role=\"img\" aria-label=\"confusion matrix\">";
  svg += "<text x=\"" + px(left + n * cell / 2) +
         "\" y=\"12\" text-anchor=\"middle\" font-size=\"12\" fill=\"#5b6570\">predicted</text>";
  svg += "<text transform=\"translate(12 " + px(top + n * cell / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" fill=\"#5b6570\">true</text>";
  for (std::size_t c = 0; c < n; ++c) {
    const std::string name = escapeHtml(classes[c]);
    const std::string shown = escapeHtml(shortLabel(classes[c]));
    const double mid = static_cast<double>(c) * cell + cell / 2;
    svg += "<text class=\"col\" transform=\"translate(" + px(left + mid + 4) + " " + px(top - 6) +
           ") rotate(-90)\" font-size=\"12\"><title>" + name + "</title>" + shown + "</text>";
    svg += "<text class=\"row\" x=\"" + px(left - 6) + "\" y=\"" + px(top + mid + 4) +
           "\" text-anchor=\"end\" font-size=\"12\"><title>" + name + "</title>" + shown +
           "</text>";
  }
  for (std::size_t r = 0; r < n; ++r) {
    std::int64_t row_sum = 0;
    if (r < counts.size()) {
      for (const auto value : counts[r])
        row_sum += value;
    }
    for (std::size_t c = 0; c < n; ++c) {
      const std::int64_t count = r < counts.size() && c < counts[r].size() ? counts[r][c] : 0;
      const double share = row_sum > 0 ? static_cast<double>(count) / row_sum : 0.0;
      const double x = left + static_cast<double>(c) * cell;
      const double y = top + static_cast<double>(r) * cell;
      svg += "<g class=\"cell\"><title>true " + escapeHtml(classes[r]) + ", predicted " +
             escapeHtml(classes[c]) + ": " + std::to_string(count) + "</title>";
      svg += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(cell) + "\" height=\"" +
             px(cell) + "\" fill=\"" + shade(share) + "\" stroke=\"" +
             (r == c ? "#1d232a" : "#ffffff") + "\" stroke-width=\"1\"/>";
      svg += "<text x=\"" + px(x + cell / 2) + "\" y=\"" + px(y + cell / 2 + 4) +
             "\" text-anchor=\"middle\" font-size=\"" + (n > 8 ? "11" : "13") + "\" fill=\"" +
             (share > 0.5 ? "#ffffff" : "#1d232a") + "\">" + std::to_string(count) + "</text></g>";
    }
  }
  svg += "</svg>";
  return svg;
}

std::string barChartSvg(const BarChart& chart) {
  constexpr double bar = 13, gap = 2, group_gap = 10, plot = 300, value_room = 44, axis = 18;
  std::vector<std::string> labels;
  for (const auto& group : chart.groups)
    labels.push_back(group.label);
  const double left = labelWidth(labels) + 4;
  const double series = static_cast<double>(std::max<std::size_t>(chart.series.size(), 1));
  const double group_height = series * bar + (series - 1) * gap;
  const double plot_height =
      static_cast<double>(chart.groups.size()) * (group_height + group_gap) + group_gap;
  const double width = left + plot + value_room;
  const double height = plot_height + axis;
  const double max = chart.max > 0 ? chart.max : 1.0;
  const auto xAt = [&](double v) { return left + plot * std::clamp(v / max, 0.0, 1.0); };

  std::string svg = "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    px(width) + " " + px(height) + "\" width=\"" + px(width) + "\" height=\"" +
                    px(height) + "\" role=\"img\" aria-label=\"bar chart\">";
  for (int t = 0; t <= 4; ++t) {
    const double v = max * t / 4.0;
    const double x = xAt(v);
    svg += "<line x1=\"" + px(x) + "\" x2=\"" + px(x) + "\" y1=\"0\" y2=\"" + px(plot_height) +
           "\" stroke=\"" + (t == 0 ? "#9aa3ad" : "#e3e6ea") + "\" stroke-width=\"1\"/>";
    svg += "<text x=\"" + px(x) + "\" y=\"" + px(plot_height + 13) +
           "\" text-anchor=\"middle\" font-size=\"10\" fill=\"#5b6570\">" +
           formatNumber(v, max >= 4 ? 0 : 2) + "</text>";
  }
  double y = group_gap;
  for (const auto& group : chart.groups) {
    svg += "<g class=\"group\"><text x=\"" + px(left - 8) + "\" y=\"" +
           px(y + group_height / 2 + 4) + "\" text-anchor=\"end\" font-size=\"12\"><title>" +
           escapeHtml(group.label) + "</title>" + escapeHtml(shortLabel(group.label)) + "</text>";
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const double by = y + static_cast<double>(s) * (bar + gap);
      const BarValue value = s < group.values.size() ? group.values[s] : BarValue{};
      const std::string what = escapeHtml(group.label) + ", " + escapeHtml(chart.series[s].name);
      if (value.value) {
        const double end = xAt(*value.value);
        svg += "<rect x=\"" + px(left) + "\" y=\"" + px(by) + "\" width=\"" + px(end - left) +
               "\" height=\"" + px(bar) + "\" fill=\"" + chart.series[s].colour + "\"><title>" +
               what + ": " + formatNumber(*value.value) +
               (value.floor ? " (floor " + formatNumber(*value.floor) + ")" : "") +
               "</title></rect>";
      }
      if (value.floor) {
        const double fx = xAt(*value.floor);
        svg += "<line class=\"floor\" x1=\"" + px(fx) + "\" x2=\"" + px(fx) + "\" y1=\"" +
               px(by - 1.5) + "\" y2=\"" + px(by + bar + 1.5) +
               "\" stroke=\"#1d232a\" stroke-width=\"2\"><title>" + what + ", floor " +
               formatNumber(*value.floor) + "</title></line>";
      }
      const double text_x = (value.value ? xAt(*value.value) : left) + 4;
      svg += "<text x=\"" + px(text_x) + "\" y=\"" + px(by + bar - 2.5) +
             "\" font-size=\"10.5\" fill=\"#1d232a\">" +
             (value.value ? formatNumber(*value.value, max >= 4 ? 1 : 2) : std::string("–")) +
             "</text>";
    }
    svg += "</g>";
    y += group_height + group_gap;
  }
  svg += "</svg>";
  return svg;
}

std::string barLegendHtml(const BarChart& chart, const std::string& floor_label) {
  std::string html = "<p class=\"legend\">";
  for (const auto& series : chart.series) {
    html += "<span><i style=\"background:" + series.colour + "\"></i>" + escapeHtml(series.name) +
            "</span>";
  }
  if (!floor_label.empty()) {
    html += "<span><i class=\"tick\"></i>" + escapeHtml(floor_label) + "</span>";
  }
  return html + "</p>";
}

std::string scatterSvg(const std::vector<ScatterPoint>& points, const std::string& title) {
  constexpr double kSide = 220, kMargin = 8;
  double min_x = 0, max_x = 0, min_y = 0, max_y = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ScatterPoint& p = points[i];
    min_x = i == 0 ? p.x : std::min(min_x, p.x);
    max_x = i == 0 ? p.x : std::max(max_x, p.x);
    min_y = i == 0 ? p.y : std::min(min_y, p.y);
    max_y = i == 0 ? p.y : std::max(max_y, p.y);
  }
  const double span_x = max_x > min_x ? max_x - min_x : 1,
               span_y = max_y > min_y ? max_y - min_y : 1;
  const double inner = kSide - 2 * kMargin;
  std::string svg = "<svg class=\"scatter\" viewBox=\"0 0 " + px(kSide) + " " + px(kSide) +
                    "\" width=\"" + px(kSide) + "\" height=\"" + px(kSide) +
                    "\" role=\"img\"><title>" + escapeHtml(title) + "</title>" +
                    "<rect width=\"100%\" height=\"100%\" fill=\"#fafbfc\" stroke=\"#e3e7ec\"/>";
  constexpr std::size_t kColours = sizeof(kGroupColours) / sizeof(kGroupColours[0]);
  for (const ScatterPoint& p : points) {
    const double cx = kMargin + (p.x - min_x) / span_x * inner;
    const double cy = kMargin + (max_y - p.y) / span_y * inner;
    svg += "<circle cx=\"" + px(cx) + "\" cy=\"" + px(cy) + "\" r=\"3\" fill=\"" +
           kGroupColours[static_cast<std::size_t>(std::max(0, p.group)) % kColours] +
           "\" fill-opacity=\"0.75\"/>";
  }
  return svg + "</svg>";
}

std::string lineChartSvg(const std::vector<LineSeries>& series, const std::string& x_label,
                         const std::string& title) {
  constexpr double kWidth = 360, kHeight = 200, kLeft = 52, kRight = 10, kTop = 10, kBottom = 34;
  double low = 0, high = 0;
  std::size_t points = 0;
  bool first = true;
  for (const LineSeries& line : series) {
    points = std::max(points, line.values.size());
    for (double v : line.values) {
      low = first ? v : std::min(low, v);
      high = first ? v : std::max(high, v);
      first = false;
    }
  }
  if (high <= low) high = low + 1;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto x_at = [&](std::size_t i) {
    return kLeft +
           (points > 1 ? static_cast<double>(i) / static_cast<double>(points - 1) : 0) * plot_w;
  };
  const auto y_at = [&](double v) { return kTop + (high - v) / (high - low) * plot_h; };
  std::string svg = "<svg class=\"lines\" viewBox=\"0 0 " + px(kWidth) + " " + px(kHeight) +
                    "\" width=\"" + px(kWidth) + "\" height=\"" + px(kHeight) +
                    "\" role=\"img\"><title>" + escapeHtml(title) + "</title>";
  svg += "<line x1=\"" + px(kLeft) + "\" y1=\"" + px(kTop + plot_h) + "\" x2=\"" +
         px(kLeft + plot_w) + "\" y2=\"" + px(kTop + plot_h) + "\" stroke=\"#c9ced4\"/>";
  svg += "<line x1=\"" + px(kLeft) + "\" y1=\"" + px(kTop) + "\" x2=\"" + px(kLeft) + "\" y2=\"" +
         px(kTop + plot_h) + "\" stroke=\"#c9ced4\"/>";
  char label[32];
  for (const double v : {high, low}) {
    std::snprintf(label, sizeof label, "%.2f", v);
    svg += "<text x=\"" + px(kLeft - 6) + "\" y=\"" + px(y_at(v) + 4) +
           "\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6570\">" + label + "</text>";
  }
  svg += "<text x=\"" + px(kLeft + plot_w / 2) + "\" y=\"" + px(kHeight - 6) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6570\">" + escapeHtml(x_label) +
         "</text>";
  for (const LineSeries& line : series) {
    std::string path;
    for (std::size_t i = 0; i < line.values.size(); ++i)
      path += (i == 0 ? "" : " ") + px(x_at(i)) + "," + px(y_at(line.values[i]));
    svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + line.colour + "\" points=\"" +
           path + "\"><title>" + escapeHtml(line.name) + "</title></polyline>";
  }
  return svg + "</svg>";
}

}  // namespace deepbug::eval::report
