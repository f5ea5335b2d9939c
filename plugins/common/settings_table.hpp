// One table per element: every setting's name, type, range, one-line doc and where it
// lives in the element's settings struct. The default is the struct's own member
// initialiser, so it is written once. From the table come the GObject properties
// (gobject_settings.hpp), the YAML reader of deepbug-stream's config and the typed
// property setting of its pipelines (pipeline/settings_yaml.hpp, element_config.hpp),
// and the check that config/README.md documents every key.
//
// No GStreamer here: the tables are plain data over plain structs.
#pragma once

#include <functional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace deepbug::gst {

// An enum setting's values; `type_name` names the GEnum registered for it.
struct ChoiceValue {
  int value;
  const char* nick;  // what gst-launch and YAML write
  const char* doc;
};
struct ChoiceType {
  const char* type_name;
  std::vector<ChoiceValue> values;
  const char* nickOf(int value) const;
};

template <class S>
struct TextSetting {
  std::string S::*member;
};
// A path to a file that must exist (YAML: relative to the config file's folder).
template <class S>
struct FileSetting {
  std::string S::*member;
};
template <class S>
struct TextListSetting {
  std::vector<std::string> S::*member;
};
template <class S>
struct CountSetting {
  unsigned S::*member;
  unsigned min;
  unsigned max;
};
template <class S>
struct IntegerSetting {
  int S::*member;
  int min;
  int max;
};
template <class S>
struct NumberSetting {
  double S::*member;
  double min;
  double max;
};
template <class S>
struct FlagSetting {
  bool S::*member;
};
// Three per-channel numbers (r, g, b), or none: empty means "the model's".
template <class S>
struct TripleSetting {
  std::vector<float> S::*member;
};
template <class S>
struct ChoiceSetting {
  const ChoiceType* type;
  std::function<int(const S&)> get;
  std::function<void(S&, int)> set;
};

// Whether a running element takes a new value (GST_PARAM_MUTABLE_PLAYING) or only
// before it starts (GST_PARAM_MUTABLE_READY).
enum class Mutability { kReady, kPlaying };

template <class S>
struct Setting {
  std::string name;  // the property name; the YAML key is the same with '_' for '-'
  std::string doc;   // one line
  std::variant<TextSetting<S>, FileSetting<S>, TextListSetting<S>, CountSetting<S>,
               IntegerSetting<S>, NumberSetting<S>, FlagSetting<S>, TripleSetting<S>,
               ChoiceSetting<S>>
      value;
  Mutability mutability = Mutability::kReady;
};

template <class S>
using SettingsTable = std::vector<Setting<S>>;

// "threshold-on" → "threshold_on".
std::string yamlKey(const std::string& property);

// Builders, so that a table reads as a list of settings.
template <class S>
Setting<S> text(std::string name, std::string S::*member, std::string doc,
                Mutability m = Mutability::kReady) {
  return {std::move(name), std::move(doc), TextSetting<S>{member}, m};
}
template <class S>
Setting<S> file(std::string name, std::string S::*member, std::string doc) {
  return {std::move(name), std::move(doc), FileSetting<S>{member}, Mutability::kReady};
}
template <class S>
Setting<S> textList(std::string name, std::vector<std::string> S::*member, std::string doc) {
  return {std::move(name), std::move(doc), TextListSetting<S>{member}, Mutability::kReady};
}
template <class S>
Setting<S> count(std::string name, unsigned S::*member, unsigned min, unsigned max, std::string doc,
                 Mutability m = Mutability::kReady) {
  return {std::move(name), std::move(doc), CountSetting<S>{member, min, max}, m};
}
template <class S>
Setting<S> integer(std::string name, int S::*member, int min, int max, std::string doc) {
  return {std::move(name), std::move(doc), IntegerSetting<S>{member, min, max}, Mutability::kReady};
}
template <class S>
Setting<S> number(std::string name, double S::*member, double min, double max, std::string doc,
                  Mutability m = Mutability::kReady) {
  return {std::move(name), std::move(doc), NumberSetting<S>{member, min, max}, m};
}
template <class S>
Setting<S> flag(std::string name, bool S::*member, std::string doc,
                Mutability m = Mutability::kReady) {
  return {std::move(name), std::move(doc), FlagSetting<S>{member}, m};
}
template <class S>
Setting<S> triple(std::string name, std::vector<float> S::*member, std::string doc) {
  return {std::move(name), std::move(doc), TripleSetting<S>{member}, Mutability::kReady};
}
// `member` may be of a base of S (shared settings such as PreprocessSettings).
template <class S, class E, class B>
Setting<S> choice(std::string name, E B::*member, const ChoiceType& type, std::string doc) {
  static_assert(std::is_base_of_v<B, S>);
  return {std::move(name), std::move(doc),
          ChoiceSetting<S>{&type, [member](const S& s) { return static_cast<int>(s.*member); },
                           [member](S& s, int v) { s.*member = static_cast<E>(v); }},
          Mutability::kReady};
}

}  // namespace deepbug::gst
