#include "meta/element_stats.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>
#include <vector>

namespace deepbug::gst {
namespace {

// One row per statistic: its structure field name and the member that holds it.
template <typename S>
struct Field {
  const char* name;
  std::variant<std::uint64_t S::*, double S::*, std::string S::*> member;
};

template <typename S>
struct Table {
  const char* structure;
  std::vector<Field<S>> fields;
};

const Table<ClassifyStats>& table(const ClassifyStats*) {
  using S = ClassifyStats;
  static const Table<S> t{"deepbug-classify-stats",
                          {{"frames", &S::frames},
                           {"classified", &S::classified},
                           {"skipped", &S::skipped},
                           {"batches", &S::batches},
                           {"preprocess-seconds", &S::preprocess_seconds},
                           {"inference-seconds", &S::inference_seconds},
                           {"model-loads", &S::model_loads}}};
  return t;
}

const Table<ExplainStats>& table(const ExplainStats*) {
  using S = ExplainStats;
  static const Table<S> t{"deepbug-explain-stats",
                          {{"mode", &S::mode},
                           {"frames", &S::frames},
                           {"selected", &S::selected},
                           {"explained", &S::explained},
                           {"failed", &S::failed},
                           {"skipped", &S::skipped},
                           {"dropped", &S::dropped},
                           {"superseded", &S::superseded},
                           {"events", &S::events},
                           {"explain-seconds", &S::explain_seconds},
                           {"latency-p50", &S::latency_p50},
                           {"latency-p95", &S::latency_p95},
                           {"peak-held", &S::peak_held}}};
  return t;
}

const Table<OverlayStats>& table(const OverlayStats*) {
  using S = OverlayStats;
  static const Table<S> t{"deepbug-overlay-stats",
                          {{"frames", &S::frames},
                           {"without-meta", &S::without_meta},
                           {"alarms", &S::alarms},
                           {"heatmaps", &S::heatmaps},
                           {"heatmap-frames", &S::heatmap_frames},
                           {"seconds", &S::seconds}}};
  return t;
}

template <typename S>
GstStructure* structureOf(const S& stats) {
  const Table<S>& t = table(static_cast<const S*>(nullptr));
  GstStructure* s = gst_structure_new_empty(t.structure);
  for (const Field<S>& field : t.fields) {
    std::visit(
        [&](auto member) {
          using T = std::decay_t<decltype(stats.*member)>;
          if constexpr (std::is_same_v<T, std::uint64_t>) {
            gst_structure_set(s, field.name, G_TYPE_UINT64, stats.*member, nullptr);
          } else if constexpr (std::is_same_v<T, double>) {
            gst_structure_set(s, field.name, G_TYPE_DOUBLE, stats.*member, nullptr);
          } else {
            gst_structure_set(s, field.name, G_TYPE_STRING, (stats.*member).c_str(), nullptr);
          }
        },
        field.member);
  }
  return s;
}

template <typename S>
S statsOf(const GstStructure* s) {
  const Table<S>& t = table(static_cast<const S*>(nullptr));
  if (s == nullptr || !gst_structure_has_name(s, t.structure)) {
    throw std::runtime_error(std::string("no ") + t.structure + " structure");
  }
  S stats;
  for (const Field<S>& field : t.fields) {
    const bool found = std::visit(
        [&](auto member) {
          using T = std::decay_t<decltype(stats.*member)>;
          if constexpr (std::is_same_v<T, std::uint64_t>) {
            guint64 value = 0;
            if (!gst_structure_get_uint64(s, field.name, &value)) return false;
            stats.*member = value;
          } else if constexpr (std::is_same_v<T, double>) {
            gdouble value = 0;
            if (!gst_structure_get_double(s, field.name, &value)) return false;
            stats.*member = value;
          } else {
            const gchar* value = gst_structure_get_string(s, field.name);
            if (value == nullptr) return false;
            stats.*member = value;
          }
          return true;
        },
        field.member);
    if (!found) {
      throw std::runtime_error(std::string(t.structure) + " has no field '" + field.name +
                               "' of the expected type");
    }
  }
  return stats;
}

template <typename S>
nlohmann::json jsonOf(const S& stats) {
  nlohmann::json out = nlohmann::json::object();
  for (const Field<S>& field : table(static_cast<const S*>(nullptr)).fields) {
    std::string key = field.name;
    std::replace(key.begin(), key.end(), '-', '_');
    std::visit([&](auto member) { out[key] = stats.*member; }, field.member);
  }
  return out;
}

template <typename S>
std::string fieldsOf() {
  std::string names;
  for (const Field<S>& field : table(static_cast<const S*>(nullptr)).fields)
    names += (names.empty() ? "" : ", ") + std::string(field.name);
  return names;
}

}  // namespace

GstStructure* toStructure(const ClassifyStats& stats) {
  return structureOf(stats);
}
GstStructure* toStructure(const ExplainStats& stats) {
  return structureOf(stats);
}
GstStructure* toStructure(const OverlayStats& stats) {
  return structureOf(stats);
}

ClassifyStats classifyStatsFrom(const GstStructure* s) {
  return statsOf<ClassifyStats>(s);
}
ExplainStats explainStatsFrom(const GstStructure* s) {
  return statsOf<ExplainStats>(s);
}
OverlayStats overlayStatsFrom(const GstStructure* s) {
  return statsOf<OverlayStats>(s);
}

nlohmann::json toJson(const ClassifyStats& stats) {
  return jsonOf(stats);
}
nlohmann::json toJson(const ExplainStats& stats) {
  return jsonOf(stats);
}
nlohmann::json toJson(const OverlayStats& stats) {
  return jsonOf(stats);
}

std::string classifyStatsFields() {
  return fieldsOf<ClassifyStats>();
}
std::string explainStatsFields() {
  return fieldsOf<ExplainStats>();
}
std::string overlayStatsFields() {
  return fieldsOf<OverlayStats>();
}

}  // namespace deepbug::gst
