// A settings table (settings_table.hpp) as GObject properties: the element installs
// them, and its set_property/get_property read and write its settings struct through
// the table; the application sets a whole struct onto an element, typed, the same way.
// Lists and per-channel triples are GstValueArrays: gst-launch writes them
// `labels="<peaceful,aggressive>"`, `mean="<0.485,0.456,0.406>"`.
#pragma once

#include <gst/gst.h>

#include "common/settings_table.hpp"

namespace deepbug::gst {

// The GEnum for a choice type, registered on first use.
GType choiceGType(const ChoiceType& type);

GParamSpec* textSpec(const std::string& name, const std::string& doc, const std::string& fallback,
                     GParamFlags flags);
GParamSpec* textListSpec(const std::string& name, const std::string& doc, GParamFlags flags);
GParamSpec* tripleSpec(const std::string& name, const std::string& doc, GParamFlags flags);
GParamFlags paramFlags(Mutability mutability);

void setTextList(GValue* out, const std::vector<std::string>& values);
std::vector<std::string> textListOf(const GValue* value);
void setTriple(GValue* out, const std::vector<float>& values);
std::vector<float> tripleOf(const GValue* value);
std::string textOf(const GValue* value);

template <class S>
GParamSpec* paramSpec(const Setting<S>& setting, const S& defaults) {
  const GParamFlags flags = paramFlags(setting.mutability);
  const char* name = setting.name.c_str();
  const char* doc = setting.doc.c_str();
  return std::visit(
      [&](const auto& v) -> GParamSpec* {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, TextSetting<S>> || std::is_same_v<V, FileSetting<S>>) {
          return textSpec(setting.name, setting.doc, defaults.*v.member, flags);
        } else if constexpr (std::is_same_v<V, TextListSetting<S>>) {
          return textListSpec(setting.name, setting.doc, flags);
        } else if constexpr (std::is_same_v<V, TripleSetting<S>>) {
          return tripleSpec(setting.name, setting.doc, flags);
        } else if constexpr (std::is_same_v<V, CountSetting<S>>) {
          return g_param_spec_uint(name, name, doc, v.min, v.max, defaults.*v.member, flags);
        } else if constexpr (std::is_same_v<V, IntegerSetting<S>>) {
          return g_param_spec_int(name, name, doc, v.min, v.max, defaults.*v.member, flags);
        } else if constexpr (std::is_same_v<V, NumberSetting<S>>) {
          return g_param_spec_double(name, name, doc, v.min, v.max, defaults.*v.member, flags);
        } else if constexpr (std::is_same_v<V, FlagSetting<S>>) {
          return g_param_spec_boolean(name, name, doc, defaults.*v.member, flags);
        } else {
          return g_param_spec_enum(name, name, doc, choiceGType(*v.type), v.get(defaults), flags);
        }
      },
      setting.value);
}

// Property ids first_id … first_id + size − 1, in table order.
template <class S>
void installSettings(GObjectClass* klass, const SettingsTable<S>& table, guint first_id = 1) {
  const S defaults{};
  for (std::size_t i = 0; i < table.size(); ++i) {
    g_object_class_install_property(klass, first_id + static_cast<guint>(i),
                                    paramSpec(table[i], defaults));
    if (const auto* c = std::get_if<ChoiceSetting<S>>(&table[i].value)) {
      gst_type_mark_as_plugin_api(choiceGType(*c->type), static_cast<GstPluginAPIFlags>(0));
    }
  }
}

// `out` is initialised to the property's type.
template <class S>
void readSetting(const Setting<S>& setting, const S& settings, GValue* out) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, TextSetting<S>> || std::is_same_v<V, FileSetting<S>>) {
          g_value_set_string(out, (settings.*v.member).c_str());
        } else if constexpr (std::is_same_v<V, TextListSetting<S>>) {
          setTextList(out, settings.*v.member);
        } else if constexpr (std::is_same_v<V, TripleSetting<S>>) {
          setTriple(out, settings.*v.member);
        } else if constexpr (std::is_same_v<V, CountSetting<S>>) {
          g_value_set_uint(out, settings.*v.member);
        } else if constexpr (std::is_same_v<V, IntegerSetting<S>>) {
          g_value_set_int(out, settings.*v.member);
        } else if constexpr (std::is_same_v<V, NumberSetting<S>>) {
          g_value_set_double(out, settings.*v.member);
        } else if constexpr (std::is_same_v<V, FlagSetting<S>>) {
          g_value_set_boolean(out, settings.*v.member);
        } else {
          g_value_set_enum(out, v.get(settings));
        }
      },
      setting.value);
}

template <class S>
void writeSetting(const Setting<S>& setting, S& settings, const GValue* value) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, TextSetting<S>> || std::is_same_v<V, FileSetting<S>>) {
          settings.*v.member = textOf(value);
        } else if constexpr (std::is_same_v<V, TextListSetting<S>>) {
          settings.*v.member = textListOf(value);
        } else if constexpr (std::is_same_v<V, TripleSetting<S>>) {
          settings.*v.member = tripleOf(value);
        } else if constexpr (std::is_same_v<V, CountSetting<S>>) {
          settings.*v.member = g_value_get_uint(value);
        } else if constexpr (std::is_same_v<V, IntegerSetting<S>>) {
          settings.*v.member = g_value_get_int(value);
        } else if constexpr (std::is_same_v<V, NumberSetting<S>>) {
          settings.*v.member = g_value_get_double(value);
        } else if constexpr (std::is_same_v<V, FlagSetting<S>>) {
          settings.*v.member = g_value_get_boolean(value) != FALSE;
        } else {
          v.set(settings, g_value_get_enum(value));
        }
      },
      setting.value);
}

// The table entry of property `id`, or null (a property outside the table).
template <class S>
const Setting<S>* settingOf(const SettingsTable<S>& table, guint id, guint first_id = 1) {
  if (id < first_id || id - first_id >= table.size()) return nullptr;
  return &table[id - first_id];
}

// Sets every setting of `table` on `element` from `settings`, typed (no strings).
template <class S>
void applySettings(GstElement* element, const SettingsTable<S>& table, const S& settings) {
  GObjectClass* klass = G_OBJECT_GET_CLASS(element);
  for (const Setting<S>& setting : table) {
    GParamSpec* spec = g_object_class_find_property(klass, setting.name.c_str());
    if (spec == nullptr) {
      g_error("%s has no property '%s' of its own settings table", GST_ELEMENT_NAME(element),
              setting.name.c_str());
    }
    GValue value = G_VALUE_INIT;
    g_value_init(&value, G_PARAM_SPEC_VALUE_TYPE(spec));
    readSetting(setting, settings, &value);
    g_object_set_property(G_OBJECT(element), setting.name.c_str(), &value);
    g_value_unset(&value);
  }
}

}  // namespace deepbug::gst
