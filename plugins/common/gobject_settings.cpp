#include "common/gobject_settings.hpp"

#include <mutex>

namespace deepbug::gst {

GType choiceGType(const ChoiceType& type) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (const GType known = g_type_from_name(type.type_name)) return known;
  // A static type lives as long as the process: so does its value table.
  auto* values = new GEnumValue[type.values.size() + 1];
  for (std::size_t i = 0; i < type.values.size(); ++i) {
    values[i] = {type.values[i].value, type.values[i].doc, type.values[i].nick};
  }
  values[type.values.size()] = {0, nullptr, nullptr};
  return g_enum_register_static(type.type_name, values);
}

GParamFlags paramFlags(Mutability mutability) {
  return static_cast<GParamFlags>(
      G_PARAM_READWRITE |
      (mutability == Mutability::kPlaying ? GST_PARAM_MUTABLE_PLAYING : GST_PARAM_MUTABLE_READY));
}

GParamSpec* textSpec(const std::string& name, const std::string& doc, const std::string& fallback,
                     GParamFlags flags) {
  return g_param_spec_string(name.c_str(), name.c_str(), doc.c_str(), fallback.c_str(), flags);
}

GParamSpec* textListSpec(const std::string& name, const std::string& doc, GParamFlags flags) {
  return gst_param_spec_array(
      name.c_str(), name.c_str(), doc.c_str(),
      g_param_spec_string("item", "item", "One entry", "", G_PARAM_READWRITE), flags);
}

GParamSpec* tripleSpec(const std::string& name, const std::string& doc, GParamFlags flags) {
  return gst_param_spec_array(name.c_str(), name.c_str(), doc.c_str(),
                              g_param_spec_float("channel", "channel", "One channel's value",
                                                 -G_MAXFLOAT, G_MAXFLOAT, 0, G_PARAM_READWRITE),
                              flags);
}

void setTextList(GValue* out, const std::vector<std::string>& values) {
  for (const std::string& text : values) {
    GValue item = G_VALUE_INIT;
    g_value_init(&item, G_TYPE_STRING);
    g_value_set_string(&item, text.c_str());
    gst_value_array_append_and_take_value(out, &item);
  }
}

std::vector<std::string> textListOf(const GValue* value) {
  std::vector<std::string> out;
  for (guint i = 0; i < gst_value_array_get_size(value); ++i) {
    out.push_back(textOf(gst_value_array_get_value(value, i)));
  }
  return out;
}

void setTriple(GValue* out, const std::vector<float>& values) {
  for (const float channel : values) {
    GValue item = G_VALUE_INIT;
    g_value_init(&item, G_TYPE_FLOAT);
    g_value_set_float(&item, channel);
    gst_value_array_append_and_take_value(out, &item);
  }
}

std::vector<float> tripleOf(const GValue* value) {
  std::vector<float> out;
  for (guint i = 0; i < gst_value_array_get_size(value); ++i) {
    const GValue* item = gst_value_array_get_value(value, i);
    if (G_VALUE_HOLDS_FLOAT(item)) {
      out.push_back(g_value_get_float(item));
    } else if (G_VALUE_HOLDS_DOUBLE(item)) {
      out.push_back(static_cast<float>(g_value_get_double(item)));
    } else if (G_VALUE_HOLDS_INT(item)) {
      out.push_back(static_cast<float>(g_value_get_int(item)));
    }
  }
  return out;
}

std::string textOf(const GValue* value) {
  if (!G_VALUE_HOLDS_STRING(value)) return {};
  const gchar* text = g_value_get_string(value);
  return text ? text : "";
}

}  // namespace deepbug::gst
