#include "meta/model_info.hpp"

#include <stdexcept>

namespace deepbug::gst {
namespace {

constexpr const char* kName = "deepbug-model";

void setTexts(GstStructure* s, const char* field, const std::vector<std::string>& texts) {
  GValue list = G_VALUE_INIT;
  gst_value_array_init(&list, static_cast<guint>(texts.size()));
  for (const std::string& text : texts) {
    GValue item = G_VALUE_INIT;
    g_value_init(&item, G_TYPE_STRING);
    g_value_set_string(&item, text.c_str());
    gst_value_array_append_and_take_value(&list, &item);
  }
  gst_structure_take_value(s, field, &list);
}

std::vector<std::string> textsOf(const GstStructure* s, const char* field) {
  const GValue* list = gst_structure_get_value(s, field);
  if (list == nullptr || !GST_VALUE_HOLDS_ARRAY(list)) {
    throw std::runtime_error(std::string(kName) + " without a '" + field + "' list");
  }
  std::vector<std::string> texts;
  for (guint i = 0; i < gst_value_array_get_size(list); ++i) {
    const GValue* item = gst_value_array_get_value(list, i);
    texts.emplace_back(G_VALUE_HOLDS_STRING(item) ? g_value_get_string(item) : "");
  }
  return texts;
}

std::string textOf(const GstStructure* s, const char* field) {
  const gchar* text = gst_structure_get_string(s, field);
  if (text == nullptr) {
    throw std::runtime_error(std::string(kName) + " without a '" + field + "' string");
  }
  return text;
}

}  // namespace

GstStructure* toStructure(const ModelInfo& info) {
  GstStructure* s =
      gst_structure_new(kName, "device", G_TYPE_STRING, info.device.c_str(), "error", G_TYPE_STRING,
                        info.error.c_str(), "hint", G_TYPE_STRING, info.hint.c_str(), nullptr);
  setTexts(s, "labels", info.labels);
  setTexts(s, "warnings", info.warnings);
  return s;
}

ModelInfo modelInfoFrom(const GstStructure* s) {
  if (s == nullptr || !gst_structure_has_name(s, kName)) {
    throw std::runtime_error(std::string("not a ") + kName + " structure");
  }
  ModelInfo info;
  info.labels = textsOf(s, "labels");
  info.warnings = textsOf(s, "warnings");
  info.device = textOf(s, "device");
  info.error = textOf(s, "error");
  info.hint = textOf(s, "hint");
  return info;
}

}  // namespace deepbug::gst
