// The report's figures as inline SVG (no script, no external resource): a confusion
// matrix and a horizontal grouped bar chart with floor marks. Pure functions: the same
// arguments give the same text; every label is HTML-escaped here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deepbug::eval::report {

// Rows: true class, columns: predicted class; each cell shaded by its share of the row
// and holding its count.
std::string confusionMatrixSvg(const std::vector<std::string>& classes,
                               const std::vector<std::vector<std::int64_t>>& counts);

struct BarSeries {
  std::string name;
  std::string colour;  // a CSS colour, written as given (the caller's constant)
};

struct BarValue {
  std::optional<double> value;  // none: no bar, "–"
  std::optional<double> floor;  // a dark tick across the bar: what a trivial map scores
};

struct BarGroup {
  std::string label;
  std::vector<BarValue> values;  // one per series
};

struct BarChart {
  std::vector<BarSeries> series;
  std::vector<BarGroup> groups;
  double max = 1.0;  // the axis runs from 0 to max
};

// One row of bars per group (one bar per series), the value written after each bar.
std::string barChartSvg(const BarChart& chart);

// The chart's key as HTML: a coloured square and the name of each series, and the
// floor tick when `floor_label` is not empty.
std::string barLegendHtml(const BarChart& chart, const std::string& floor_label = "");

struct ScatterPoint {
  double x = 0, y = 0;
  int group = 0;  // the colour: kGroupColours[group % size]
};

// Distinct colours for clusters, in order (cluster 0 first).
inline constexpr const char* kGroupColours[] = {"#2f6fb0", "#d9822b", "#3d8b5a", "#c23b3b",
                                                "#7b5ea7", "#8c6d46", "#d16fa8", "#6b7785"};

// A square scatter plot of points scaled to fit, each a dot in its group's colour.
std::string scatterSvg(const std::vector<ScatterPoint>& points, const std::string& title);

struct LineSeries {
  std::string name;
  std::string colour;          // a CSS colour, written as given
  std::vector<double> values;  // at x = 0, 1, 2, …
};

// Lines over a shared x axis (steps), the y axis spanning every value, with the axis'
// ends written and `x_label` under it.
std::string lineChartSvg(const std::vector<LineSeries>& series, const std::string& x_label,
                         const std::string& title);

}  // namespace deepbug::eval::report
