// deepbugclassify's "load-model" action signal: loads the model with the element's
// current settings (or finds it loaded: every deepbugclassify of a process with the same
// model settings shares one, classify/shared_classifier.hpp) and says what it is. An
// application checks a model with it before building pipelines and, by keeping that
// element, keeps the model loaded for them: the model is loaded once per run.
//
//   GstStructure* info = nullptr;
//   g_signal_emit_by_name(classify, gst::kLoadModelSignal, &info);  // caller frees
//   const gst::ModelInfo model = gst::modelInfoFrom(info);
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

namespace deepbug::gst {

inline constexpr const char* kLoadModelSignal = "load-model";

struct ModelInfo {
  std::vector<std::string> labels;
  std::string device;                 // where it runs: "cpu", "cuda:0"
  std::vector<std::string> warnings;  // about the model's metadata
  std::string error;                  // empty when the model loaded
  std::string hint;                   // how to fix `error`
};

// A new "deepbug-model" structure; the caller owns it.
GstStructure* toStructure(const ModelInfo& info);
// Throws std::runtime_error for a structure that is not one (or none).
ModelInfo modelInfoFrom(const GstStructure* structure);

}  // namespace deepbug::gst
