// `deepbug-train evaluate`: accuracy, per-class precision/recall and the confusion
// matrix of a model on an ImageFolder dataset, through the shipping Classifier (the
// same preprocessing as deployment).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace deepbug::train {

struct EvaluateOptions {
  std::string model;
  std::string data;
  std::string device = "auto";
  int batch = 16;
  int threads = 0;
};

// Class folders are matched to the model's labels by name; a folder that matches no
// label is an error naming it and the labels. Unreadable images are skipped and listed.
nlohmann::json evaluate(const EvaluateOptions& options);

}  // namespace deepbug::train
