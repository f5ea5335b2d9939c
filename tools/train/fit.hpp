// `deepbug-train fit`: trains an architecture on an ImageFolder dataset with
// checkpoints that survive being stopped, and ships a TorchScript model with its
// deepbug.json metadata.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "augment.hpp"
#include "explain_timeline.hpp"

namespace deepbug::train {

struct FitOptions {
  std::string data;
  std::string arch = "report-cnn";
  std::string out;
  std::string init;  // start from this TorchScript model's weights (fine-tuning)
  int input_size = 224;
  int epochs = 10;
  bool epochs_overridden = false;  // --epochs given explicitly (extends a resumed run)
  int batch = 32;
  std::string optimizer = "sgd";    // sgd | adam
  std::string schedule = "cosine";  // cosine | step | constant
  double lr = 0.02;
  double weight_decay = 5e-4;
  double val_fraction = 0.1;
  std::uint64_t seed = 1;
  int threads = 0;
  bool resume = false;
  double max_minutes = 0;          // stop with a checkpoint after this long (0 = never)
  double checkpoint_minutes = 10;  // also checkpoint inside long epochs
  std::string report;              // default: OUT with .report.json
  AugmentOptions augment;
  // Train on crop_size×crop_size windows of the input_size image (same pixel scale as
  // deployment, a quarter of the cost at half the size). With crop_boxes (a CSV of
  // image,region,x,y,w,h relative to the dataset, as deepbug-synth writes), windows
  // contain the centre of the image's crop_region box. Validation uses windows chosen
  // the same way with a fixed seed; `evaluate` measures whole images. Without
  // crop_size, crop_boxes keeps the box inside the random crop of augmentation.
  int crop_size = 0;
  std::string crop_boxes;
  std::string crop_region = "pair";
  // "all", or "head": keep the convolutions fixed and retrain only the architecture's
  // head on features of whole images, computed once. After training on windows this
  // recalibrates the head to the dilution of whole-frame global pooling.
  std::string train = "all";
  // --explain-every N: LRP heatmaps and localisation scores of the current weights every
  // N epochs and at the end, as a timeline beside the checkpoints (MODEL.pt.explain/).
  ExplainOptions explain;
  std::string command_line;
};

// Returns the report (also written to disk). Throws deepbug::Error for bad input.
// Returns with "stopped": true when interrupted or out of time; --resume continues.
nlohmann::json fit(FitOptions options);

// Set by SIGINT/SIGTERM: training stops after the current batch with a checkpoint.
void requestStop();

}  // namespace deepbug::train
