#include "evaluate.hpp"

#include <algorithm>
#include <iostream>
#include <opencv2/imgcodecs.hpp>

#include "core/error.hpp"
#include "image_folder.hpp"
#include "io/frame_reader.hpp"
#include "metrics/confusion_matrix.hpp"
#include "model/classifier.hpp"

namespace deepbug::train {

nlohmann::json evaluate(const EvaluateOptions& options) {
  const ImageFolder data = scanImageFolder(options.data);
  model::ClassifierOptions classifier_options;
  classifier_options.model_path = options.model;
  classifier_options.device = options.device;
  classifier_options.threads = options.threads;
  const model::Classifier classifier(classifier_options);
  const std::vector<std::string>& labels = classifier.labels();

  std::vector<int> folder_to_label(data.classes.size());
  for (std::size_t c = 0; c < data.classes.size(); ++c) {
    const auto it = std::find(labels.begin(), labels.end(), data.classes[c]);
    if (it == labels.end()) {
      std::string known;
      for (const std::string& l : labels)
        known += (known.empty() ? "" : ", ") + l;
      throw Error("class folder '" + data.classes[c] + "' in '" + options.data +
                      "' matches none of the model's labels (" + known + ")",
                  "name the class folders after the model's labels");
    }
    folder_to_label[c] = static_cast<int>(it - labels.begin());
  }

  const std::size_t k = labels.size();
  metrics::ConfusionMatrix confusion(k);
  nlohmann::json skipped = nlohmann::json::array();
  std::vector<cv::Mat> images;
  std::vector<int> truths;
  auto flush = [&] {
    if (images.empty()) return;
    std::vector<model::FrameView> views;
    for (const cv::Mat& image : images)
      views.push_back(io::viewOf(image));
    const auto results = classifier.classify(views);
    for (std::size_t i = 0; i < results.size(); ++i)
      confusion.add(static_cast<std::size_t>(truths[i]),
                    static_cast<std::size_t>(results[i].top_index));
    images.clear();
    truths.clear();
  };
  for (const Sample& sample : data.samples) {
    cv::Mat image = cv::imread(sample.path, cv::IMREAD_COLOR);
    if (image.empty()) {
      std::cerr << "deepbug-train: warning: skipping unreadable image '" << sample.path << "'\n";
      skipped.push_back(sample.path);
      continue;
    }
    images.push_back(std::move(image));
    truths.push_back(folder_to_label[sample.label]);
    if (static_cast<int>(images.size()) >= options.batch) flush();
  }
  flush();

  nlohmann::json per_class;
  for (std::size_t c = 0; c < k; ++c) {
    per_class[labels[c]] = {{"support", confusion.support(c)},
                            {"precision", confusion.precision(c)},
                            {"recall", confusion.recall(c)}};
  }
  if (confusion.total() == 0) throw Error("no readable images in '" + options.data + "'");
  return {{"model", options.model},
          {"data", options.data},
          {"images", confusion.total()},
          {"accuracy", confusion.accuracy()},
          {"labels", labels},
          {"per_class", per_class},
          {"confusion_matrix", confusion.rows()},
          {"confusion_matrix_layout", "rows: true class, columns: predicted class, in label order"},
          {"skipped", skipped}};
}

}  // namespace deepbug::train
