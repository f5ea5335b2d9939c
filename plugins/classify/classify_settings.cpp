#include "classify/classify_settings.hpp"

#include "core/error.hpp"

namespace deepbug::gst {
namespace {

std::array<float, 3> channels(const std::string& setting, const std::vector<float>& values) {
  if (values.size() != 3) {
    throw ConfigError(
        setting + " has " + std::to_string(values.size()) + " values; it needs three (r, g, b)",
        "e.g. " + setting + "=\"<0.485,0.456,0.406>\"");
  }
  return {values[0], values[1], values[2]};
}

}  // namespace

const ChoiceType kPrecisionChoices{
    "GstDeepbugPrecision",
    {{static_cast<int>(model::Precision::kFp32), "fp32", "32-bit floating point"},
     {static_cast<int>(model::Precision::kBf16), "bf16", "bfloat16 autocast"},
     {static_cast<int>(model::Precision::kFp16), "fp16", "float16 autocast (CUDA only)"}}};

const ChoiceType kAspectChoices{
    "GstDeepbugAspect",
    {{static_cast<int>(AspectSetting::kModel), "model", "As the model's deepbug.json says"},
     {static_cast<int>(AspectSetting::kStretch), "stretch", "Resize, ignoring the aspect ratio"},
     {static_cast<int>(AspectSetting::kLetterbox), "letterbox", "Fit inside, pad with black"},
     {static_cast<int>(AspectSetting::kCenterCrop), "center-crop", "Fill, cut the overhang"}}};

const SettingsTable<ClassifySettings>& classifySettingsTable() {
  using S = ClassifySettings;
  static const SettingsTable<S> table = [] {
    SettingsTable<S> t;
    t.push_back(file<S>("model", &S::model_path, "TorchScript model file (.pt) with deepbug.json"));
    t.push_back(text<S>("device", &S::device, "auto (CUDA when present), cpu, cuda or cuda:N"));
    t.push_back(choice<S>("precision", &S::precision, kPrecisionChoices, "Inference precision"));
    t.push_back(count<S>("batch-size", &S::batch_size, 1, 256,
                         "Frames classified together (frames are held until a batch is full)"));
    t.push_back(count<S>("interval", &S::interval, 1, 100000,
                         "Classify every Nth frame; the others carry the last result",
                         Mutability::kPlaying));
    t.push_back(integer<S>("threads", &S::threads, 0, 1024,
                           "Intra-op CPU threads for this element; 0: all available cores"));
    t.push_back(count<S>("batch-timeout", &S::batch_timeout_ms, 1, 60000,
                         "Live sources: classify a partial batch after this many milliseconds",
                         Mutability::kPlaying));
    t.push_back(count<S>("max-lag", &S::max_lag_ms, 0, 3600000,
                         "A frame due for classification that arrives this many milliseconds "
                         "after its running time carries the last result instead (counted as "
                         "skipped): the stream keeps every frame while inference catches up. "
                         "0: never skip",
                         Mutability::kPlaying));
    addPreprocessSettings(t, "");
    return t;
  }();
  return table;
}

model::ClassifierOptions toClassifierOptions(const ClassifySettings& s) {
  if (s.model_path.empty()) {
    throw ConfigError("no model set", "set the model property to a TorchScript file");
  }
  model::ClassifierOptions o;
  o.model_path = s.model_path;
  o.device = s.device.empty() ? "auto" : s.device;
  o.precision = s.precision;
  o.threads = s.threads;
  o.overrides = toMetadataOverrides(s);
  return o;
}

model::MetadataOverrides toMetadataOverrides(const PreprocessSettings& s) {
  model::MetadataOverrides o;
  if (!s.labels.empty()) o.labels = s.labels;
  if (s.input_size > 0) o.input_width = o.input_height = static_cast<int>(s.input_size);
  switch (s.aspect) {
    case AspectSetting::kModel:
      break;
    case AspectSetting::kStretch:
      o.aspect = model::AspectPolicy::kStretch;
      break;
    case AspectSetting::kLetterbox:
      o.aspect = model::AspectPolicy::kLetterbox;
      break;
    case AspectSetting::kCenterCrop:
      o.aspect = model::AspectPolicy::kCenterCrop;
      break;
  }
  if (!s.mean.empty()) o.mean = channels("mean", s.mean);
  if (!s.std.empty()) o.std = channels("std", s.std);
  return o;
}

}  // namespace deepbug::gst
