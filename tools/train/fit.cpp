#include "fit.hpp"

#include <tbb/parallel_for.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <sstream>
#include <unordered_map>

#include "core/error.hpp"
#include "core/runtime.hpp"
#include "core/seed.hpp"
#include "core/thread_budget.hpp"
#include "image_folder.hpp"
#include "io/frame_reader.hpp"
#include "metrics/confusion_matrix.hpp"
#include "metrics/regions.hpp"
#include "model/architectures.hpp"
#include "model/model_loader.hpp"
#include "model/model_metadata.hpp"
#include "model/preprocess.hpp"

namespace deepbug::train {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<bool> g_stop{false};

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

json optionsToJson(const FitOptions& o) {
  return {{"data", o.data},
          {"arch", o.arch},
          {"out", o.out},
          {"init", o.init},
          {"input_size", o.input_size},
          {"epochs", o.epochs},
          {"batch", o.batch},
          {"optimizer", o.optimizer},
          {"schedule", o.schedule},
          {"lr", o.lr},
          {"weight_decay", o.weight_decay},
          {"val_fraction", o.val_fraction},
          {"seed", o.seed},
          {"augment", o.augment.enabled},
          {"flip", o.augment.flip},
          {"crop_size", o.crop_size},
          {"crop_boxes", o.crop_boxes},
          {"crop_region", o.crop_region},
          {"train", o.train},
          {"explain", explainOptionsToJson(o.explain)}};
}

void restoreOptions(FitOptions& o, const json& j, int epochs_override) {
  o.data = j.at("data");
  o.arch = j.at("arch");
  o.init = j.at("init");
  o.input_size = j.at("input_size");
  o.epochs = epochs_override > 0 ? epochs_override : j.at("epochs").get<int>();
  o.batch = j.at("batch");
  o.optimizer = j.at("optimizer");
  o.schedule = j.at("schedule");
  o.lr = j.at("lr");
  o.weight_decay = j.at("weight_decay");
  o.val_fraction = j.at("val_fraction");
  o.seed = j.at("seed");
  o.augment.enabled = j.at("augment");
  o.augment.flip = j.value("flip", true);  // checkpoints written before the option mirrored
  o.crop_size = j.at("crop_size");
  o.crop_boxes = j.at("crop_boxes");
  o.crop_region = j.at("crop_region");
  o.train = j.value("train", "all");
  // Explanations follow the checkpoint unless the resumed command asks for them itself.
  if (o.explain.every == 0 && j.contains("explain")) {
    const int batch = o.explain.batch;
    o.explain = explainOptionsFromJson(j.at("explain"));
    o.explain.batch = batch;
  }
}

// "class/file" → the first box of `region` in a boxes CSV.
std::unordered_map<std::string, cv::Rect2d> readBoxes(const std::string& path,
                                                      const std::string& region) {
  std::unordered_map<std::string, cv::Rect2d> boxes;
  for (const auto& [image, regions] : metrics::readRegionBoxes(path, region)) {
    const metrics::Box& b = regions.front();
    boxes[image] = {b.x, b.y, b.width, b.height};
  }
  if (boxes.empty()) {
    throw ConfigError("boxes file '" + path + "' has no '" + region + "' rows",
                      "check --crop-region");
  }
  return boxes;
}

std::string datasetKey(const std::string& path) {
  const fs::path p(path);
  return p.parent_path().filename().string() + "/" + p.filename().string();
}

// Everything a run needs to continue exactly where it stopped.
struct Progress {
  int epoch = 0;        // current epoch, from 0
  int next_batch = 0;   // first batch of `epoch` not yet trained
  double loss_sum = 0;  // running sums over the current epoch
  long seen = 0;
  long correct = 0;
  double seconds = 0;  // training time over all runs
  json history = json::array();
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Progress, epoch, next_batch, loss_sum, seen, correct, seconds,
                                   history)

struct Checkpoint {
  fs::path dir;
  fs::path model() const { return dir / "model.pt"; }
  fs::path optimizer() const { return dir / "optimizer.pt"; }
  fs::path state() const { return dir / "state.json"; }
};

class Trainer {
 public:
  explicit Trainer(FitOptions options) : o_(std::move(options)) {}

  json run();

 private:
  void setUp();
  void buildOptimizer();
  // Moves the weights of module_ (same parameter names and shapes) into a fresh
  // --arch module, which has the features/head methods older exports lack.
  void adoptIntoArchitecture();
  double learningRate(long step, long total) const;
  // Decodes, augments and preprocesses samples [indices] into a batch.
  std::pair<at::Tensor, at::Tensor> loadBatch(const std::vector<std::size_t>& indices, bool train,
                                              std::uint64_t seed);
  // A crop_size window of a preprocessed image, around its box when there is one.
  at::Tensor cropWindow(const at::Tensor& image, const Augmented& augmented, std::size_t index,
                        std::uint64_t seed) const;
  // Also records each validation image's true-class probability (NaN: unreadable).
  json validate();
  // --train head: whole-image features once, then the head alone on them.
  json runHead(int threads);
  at::Tensor computeFeatures(const std::vector<std::size_t>& indices, at::Tensor& labels,
                             const char* what);
  void saveCheckpoint();
  void loadCheckpoint();
  void saveModel(const json& report);
  void progressLine(int batch, int batches, double loss, double acc, double rate);

  FitOptions o_;
  ImageFolder data_;
  std::vector<std::size_t> train_;
  std::vector<std::size_t> val_;
  std::vector<char> unreadable_;
  std::unordered_map<std::string, cv::Rect2d> boxes_;
  torch::jit::Module module_;
  std::vector<at::Tensor> params_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::optional<model::Preprocessor> preprocessor_;
  model::ModelMetadata metadata_;
  Progress progress_;
  Checkpoint checkpoint_;
  bool resuming_ = false;
  std::vector<double> val_probability_;  // by position in val_
  std::optional<ExplainTimeline> timeline_;
  bool tty_ = isatty(2);
};

void Trainer::setUp() {
  if (o_.out.empty()) throw ConfigError("--out is required", "e.g. --out model.pt");
  checkpoint_.dir = o_.out + ".checkpoint";
  const bool resuming = o_.resume && fs::exists(checkpoint_.state());
  resuming_ = resuming;
  if (o_.resume && !resuming) {
    std::cerr << "deepbug-train: no checkpoint at " << checkpoint_.dir << ", starting afresh\n";
  }
  if (resuming) {
    std::ifstream in(checkpoint_.state());
    const json state = json::parse(in);
    restoreOptions(o_, state.at("options"), o_.epochs_overridden ? o_.epochs : 0);
  }
  if (o_.batch < 1 || o_.epochs < 1 || o_.input_size < 8 || !(o_.lr > 0)) {
    throw ConfigError("batch, epochs, input size and learning rate must be positive");
  }
  if (o_.optimizer != "sgd" && o_.optimizer != "adam") {
    throw ConfigError("unknown optimizer '" + o_.optimizer + "'", "use sgd or adam");
  }
  if (o_.train != "all" && o_.train != "head") {
    throw ConfigError("unknown --train '" + o_.train + "'", "use all or head");
  }
  if (o_.schedule != "cosine" && o_.schedule != "step" && o_.schedule != "constant") {
    throw ConfigError("unknown schedule '" + o_.schedule + "'", "use cosine, step or constant");
  }
  data_ = scanImageFolder(o_.data);
  for (std::size_t i = 0; i < data_.samples.size(); ++i) {
    (inValidationSplit(data_.samples[i].path, o_.val_fraction) ? val_ : train_).push_back(i);
  }
  if (train_.empty()) throw ConfigError("no training images left after the validation split");
  if (o_.crop_size < 0 || o_.crop_size > o_.input_size) {
    throw ConfigError("--crop-size " + std::to_string(o_.crop_size) + " must lie in 0.." +
                      std::to_string(o_.input_size) + " (the input size)");
  }
  if (!o_.crop_boxes.empty()) boxes_ = readBoxes(o_.crop_boxes, o_.crop_region);
  unreadable_.assign(data_.samples.size(), 0);

  metadata_.labels = data_.classes;
  metadata_.input_width = metadata_.input_height = o_.input_size;
  metadata_.architecture = o_.arch;
  preprocessor_.emplace(metadata_, "cpu");

  if (resuming) {
    loadCheckpoint();
  } else if (!o_.init.empty()) {
    model::LoadOptions load;
    load.path = o_.init;
    load.overrides.input_width = load.overrides.input_height = o_.input_size;
    load.overrides.labels = data_.classes;
    const model::LoadedModel loaded = model::loadModel(load);
    module_ = loaded.module;
    // Weights move into --arch when the model has no features() method, or when it was
    // trained as another architecture with the same parameters (report-cnn into
    // report-cnn-max: the same convolutions, another pooling).
    const bool other_arch =
        !loaded.metadata.architecture.empty() && loaded.metadata.architecture != o_.arch;
    if (o_.train == "head" && (!module_.find_method("features") || other_arch)) {
      adoptIntoArchitecture();
    }
    buildOptimizer();
  } else {
    module_ = model::buildArchitecture(o_.arch, static_cast<int>(data_.classes.size()), o_.seed);
    buildOptimizer();
  }
  const ExplainOptions& e = o_.explain;
  if (e.requested()) {
    if (o_.train == "head") {
      throw ConfigError("--explain-every works with --train all", "leave out --explain-every");
    }
    o_.explain.batch = o_.batch;
    timeline_.emplace(e, o_.out, data_, val_, metadata_, module_, o_.epochs);
  }
}

namespace {

// Copies every tensor of `to` (parameters or buffers) from the one of the same name
// and shape in `from`; throws naming the first that is missing or of another shape.
template <typename Named>
void copyByName(const Named& from, const Named& to, const char* what, const FitOptions& o) {
  std::map<std::string, at::Tensor> source;
  for (const auto& named : from)
    source[named.name] = named.value;
  torch::NoGradGuard no_grad;
  for (const auto& named : to) {
    const auto found = source.find(named.name);
    if (found == source.end() || !found->second.sizes().equals(named.value.sizes())) {
      throw ConfigError("--init '" + o.init + "' is not a " + o.arch + " model (" + what + " " +
                            named.name + " missing or of another shape)",
                        "pass the --arch it was trained as");
    }
    named.value.copy_(found->second);
  }
}

}  // namespace

void Trainer::adoptIntoArchitecture() {
  torch::jit::Module fresh =
      model::buildArchitecture(o_.arch, static_cast<int>(data_.classes.size()), o_.seed);
  copyByName(module_.named_parameters(), fresh.named_parameters(), "parameter", o_);
  // Batch-norm statistics travel with the weights.
  copyByName(module_.named_buffers(), fresh.named_buffers(), "buffer", o_);
  module_ = fresh;
}

void Trainer::buildOptimizer() {
  params_.clear();
  for (const auto& named : module_.named_parameters()) {
    at::Tensor p = named.value;
    const bool trained = o_.train == "all" || model::isHeadParameter(named.name);
    p.set_requires_grad(trained);
    if (trained) params_.push_back(p);
  }
  if (o_.optimizer == "adam") {
    optimizer_ = std::make_unique<torch::optim::Adam>(
        params_, torch::optim::AdamOptions(o_.lr).weight_decay(o_.weight_decay));
  } else {
    optimizer_ = std::make_unique<torch::optim::SGD>(
        params_,
        torch::optim::SGDOptions(o_.lr).momentum(0.9).nesterov(true).weight_decay(o_.weight_decay));
  }
}

double Trainer::learningRate(long step, long total) const {
  const long warmup = std::min<long>(total / 20, 200);
  if (step < warmup) return o_.lr * (step + 1) / warmup;
  const double progress = static_cast<double>(step - warmup) / std::max<long>(1, total - warmup);
  if (o_.schedule == "cosine") return o_.lr * 0.5 * (1.0 + std::cos(M_PI * progress));
  if (o_.schedule == "step") return o_.lr * std::pow(0.1, std::floor(progress * 3.0));
  return o_.lr;
}

std::pair<at::Tensor, at::Tensor> Trainer::loadBatch(const std::vector<std::size_t>& indices,
                                                     bool train, std::uint64_t seed) {
  std::vector<Augmented> images(indices.size());
  AugmentOptions augment_options = o_.augment;
  // Windows are placed around the box after augmenting; whole images keep it in view.
  if (!boxes_.empty() && o_.crop_size > 0) augment_options.min_crop_area = 1.0;
  tbb::parallel_for(std::size_t{0}, indices.size(), [&](std::size_t i) {
    const Sample& sample = data_.samples[indices[i]];
    if (unreadable_[indices[i]]) return;
    cv::Mat image = cv::imread(sample.path, cv::IMREAD_COLOR);
    if (image.empty()) return;
    cv::Rect2d keep;
    if (o_.crop_size == 0) {
      const auto box = boxes_.find(datasetKey(sample.path));
      if (box != boxes_.end()) keep = box->second;
    }
    images[i] = train ? augment(image, augment_options, mixSeed(seed, indices[i]), keep)
                      : Augmented{image, cv::Rect(0, 0, image.cols, image.rows), false};
  });
  std::vector<at::Tensor> tensors;
  std::vector<int64_t> labels;
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (images[i].image.empty()) {
      if (!unreadable_[indices[i]]) {
        unreadable_[indices[i]] = 1;
        std::cerr << "\ndeepbug-train: warning: skipping unreadable image '"
                  << data_.samples[indices[i]].path << "'\n";
      }
      continue;
    }
    at::Tensor tensor = preprocessor_->run(io::viewOf(images[i].image));
    // Validation sees windows chosen the same way (seed 0), so it measures what is trained.
    if (o_.crop_size > 0) tensor = cropWindow(tensor, images[i], indices[i], seed);
    tensors.push_back(tensor);
    labels.push_back(data_.samples[indices[i]].label);
  }
  if (tensors.empty()) return {};
  return {at::stack(tensors), torch::tensor(labels, at::kLong)};
}

at::Tensor Trainer::cropWindow(const at::Tensor& image, const Augmented& augmented,
                               std::size_t index, std::uint64_t seed) const {
  const int c = o_.crop_size;
  const int side = o_.input_size;
  cv::RNG rng(mixSeed(seed ^ 0x5EED, index));
  int x0 = rng.uniform(0, side - c + 1);
  int y0 = rng.uniform(0, side - c + 1);
  const auto box = boxes_.find(datasetKey(data_.samples[index].path));
  if (box != boxes_.end()) {
    // The box centre, mapped through the augmentation and the resize, inside the window.
    const cv::Rect2d b = augmented.map(box->second);
    const double cx = (b.x + b.width / 2) * side / augmented.image.cols;
    const double cy = (b.y + b.height / 2) * side / augmented.image.rows;
    const int margin = c / 4;
    auto place = [&](double centre) {
      const int lo = std::clamp(static_cast<int>(centre) - c + margin, 0, side - c);
      const int hi = std::clamp(static_cast<int>(centre) - margin, lo, side - c);
      return rng.uniform(lo, hi + 1);
    };
    x0 = place(cx);
    y0 = place(cy);
  }
  return image.narrow(1, y0, c).narrow(2, x0, c);
}

json Trainer::validate() {
  metrics::ConfusionMatrix confusion(data_.classes.size());
  double loss_sum = 0;
  long n = 0;
  torch::NoGradGuard no_grad;
  val_probability_.assign(val_.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t start = 0; start < val_.size(); start += o_.batch) {
    const std::vector<std::size_t> chunk(val_.begin() + start,
                                         val_.begin() + std::min(val_.size(), start + o_.batch));
    auto [images, labels] = loadBatch(chunk, false, 0);
    if (!images.defined()) continue;
    const at::Tensor logits = module_.forward({images}).toTensor();
    // The rows are the chunk's readable images, in order.
    const at::Tensor truth =
        logits.softmax(1).gather(1, labels.unsqueeze(1)).squeeze(1).to(at::kDouble);
    int64_t row = 0;
    for (std::size_t k = 0; k < chunk.size(); ++k) {
      if (!unreadable_[chunk[k]]) val_probability_[start + k] = truth[row++].item<double>();
    }
    loss_sum += at::cross_entropy_loss(logits, labels).item<double>() * labels.size(0);
    const at::Tensor predicted = logits.argmax(1);
    for (int64_t i = 0; i < labels.size(0); ++i) {
      confusion.add(static_cast<std::size_t>(labels[i].item<int64_t>()),
                    static_cast<std::size_t>(predicted[i].item<int64_t>()));
    }
    n += labels.size(0);
  }
  return {{"images", n},
          {"loss", n ? loss_sum / n : 0.0},
          {"accuracy", confusion.accuracy()},
          {"confusion_matrix", confusion.rows()}};
}

void Trainer::saveCheckpoint() {
  const fs::path tmp = checkpoint_.dir.string() + ".tmp";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  module_.save((tmp / "model.pt").string());
  torch::serialize::OutputArchive archive;
  optimizer_->save(archive);
  archive.save_to((tmp / "optimizer.pt").string());
  const json state{{"options", optionsToJson(o_)}, {"progress", progress_}};
  std::ofstream(tmp / "state.json") << state.dump(1) << "\n";
  // Swap in the new checkpoint only once it is complete.
  const fs::path old = checkpoint_.dir.string() + ".old";
  fs::remove_all(old);
  if (fs::exists(checkpoint_.dir)) fs::rename(checkpoint_.dir, old);
  fs::rename(tmp, checkpoint_.dir);
  fs::remove_all(old);
}

void Trainer::loadCheckpoint() {
  std::ifstream in(checkpoint_.state());
  const json state = json::parse(in);
  module_ = torch::jit::load(checkpoint_.model().string());
  buildOptimizer();
  torch::serialize::InputArchive archive;
  archive.load_from(checkpoint_.optimizer().string());
  optimizer_->load(archive);
  progress_ = state.at("progress").get<Progress>();
  std::cerr << "deepbug-train: resuming epoch " << progress_.epoch + 1 << " at batch "
            << progress_.next_batch + 1 << " from " << checkpoint_.dir << "\n";
}

void Trainer::saveModel(const json& report) {
  module_.eval();
  model::ModelMetadata meta = metadata_;
  meta.provenance_json = json{{"trained_by", "deepbug-train fit"},
                              {"command", o_.command_line},
                              {"data", o_.data},
                              {"train_images", train_.size()},
                              {"validation_images", val_.size()},
                              {"epochs", o_.epochs},
                              {"seed", o_.seed},
                              {"validation_accuracy", report["final_validation"]["accuracy"]},
                              {"training_seconds", progress_.seconds},
                              {"libtorch", runtimeInfo().libtorch_version}}
                             .dump();
  torch::jit::ExtraFilesMap extra{{model::kMetadataFile, model::toJson(meta)}};
  const std::string tmp = o_.out + ".tmp";
  module_.save(tmp, extra);
  fs::rename(tmp, o_.out);
}

void Trainer::progressLine(int batch, int batches, double loss, double acc, double rate) {
  const bool last = batch == batches;
  if (!tty_ && !last && batch % std::max(1, batches / 10) != 0) return;
  std::fprintf(stderr, "%sepoch %d/%d  batch %d/%d  loss %.4f  acc %.3f  %.1f img/s%s",
               tty_ ? "\r" : "", progress_.epoch + 1, o_.epochs, batch, batches, loss, acc, rate,
               tty_ && !last ? "" : "\n");
  std::fflush(stderr);
}

at::Tensor Trainer::computeFeatures(const std::vector<std::size_t>& indices, at::Tensor& labels,
                                    const char* what) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> features;
  std::vector<at::Tensor> label_chunks;
  const auto start = Clock::now();
  for (std::size_t begin = 0; begin < indices.size(); begin += o_.batch) {
    const std::vector<std::size_t> chunk(
        indices.begin() + begin, indices.begin() + std::min(indices.size(), begin + o_.batch));
    auto [images, chunk_labels] = loadBatch(chunk, false, 0);
    if (images.defined()) {
      features.push_back(module_.run_method("features", images).toTensor());
      label_chunks.push_back(chunk_labels);
    }
    const std::size_t done = std::min(indices.size(), begin + o_.batch);
    if (tty_ || done == indices.size() || (begin / o_.batch) % 20 == 0) {
      std::fprintf(stderr, "%s%s features %zu/%zu  %.1f img/s%s", tty_ ? "\r" : "", what, done,
                   indices.size(), done / std::max(1e-9, secondsSince(start)),
                   tty_ && done != indices.size() ? "" : "\n");
    }
  }
  if (features.empty()) throw ConfigError("no readable images for the head's features");
  labels = at::cat(label_chunks);
  return at::cat(features);
}

json Trainer::runHead(int threads) {
  if (!module_.find_method("features") || !module_.find_method("head")) {
    throw ConfigError(
        "--train head needs a model built by deepbug-train (methods features and "
        "head); '" +
            (o_.init.empty() ? o_.arch : o_.init) + "' has none",
        "train it with deepbug-train fit first, then pass it as --init");
  }
  if (o_.crop_size > 0) {
    throw ConfigError("--train head uses whole images", "leave out --crop-size");
  }
  const auto run_start = Clock::now();
  module_.eval();
  at::Tensor train_labels, val_labels;
  const at::Tensor train_features = computeFeatures(train_, train_labels, "training");
  const at::Tensor val_features =
      val_.empty() ? at::Tensor() : computeFeatures(val_, val_labels, "validation");
  const int64_t n = train_features.size(0);
  const int batches = static_cast<int>((n + o_.batch - 1) / o_.batch);
  const long total_steps = static_cast<long>(batches) * o_.epochs;
  auto evaluate = [&](const at::Tensor& features, const at::Tensor& labels) {
    torch::NoGradGuard no_grad;
    const at::Tensor logits = module_.run_method("head", features).toTensor();
    return std::pair<double, double>{
        at::cross_entropy_loss(logits, labels).item<double>(),
        logits.argmax(1).eq(labels).to(at::kDouble).mean().item<double>()};
  };
  for (int epoch = 0; epoch < o_.epochs; ++epoch) {
    std::mt19937_64 shuffle(mixSeed(o_.seed, epoch));
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), shuffle);
    const at::Tensor permutation = torch::tensor(order, at::kLong);
    for (int b = 0; b < batches; ++b) {
      const at::Tensor idx = permutation.narrow(0, static_cast<int64_t>(b) * o_.batch,
                                                std::min<int64_t>(o_.batch, n - b * o_.batch));
      for (auto& group : optimizer_->param_groups())
        group.options().set_lr(learningRate(static_cast<long>(epoch) * batches + b, total_steps));
      const at::Tensor logits =
          module_.run_method("head", train_features.index_select(0, idx)).toTensor();
      const at::Tensor loss = at::cross_entropy_loss(logits, train_labels.index_select(0, idx));
      optimizer_->zero_grad();
      loss.backward();
      optimizer_->step();
    }
    const auto [train_loss, train_acc] = evaluate(train_features, train_labels);
    json entry{{"epoch", epoch + 1}, {"train_loss", train_loss}, {"train_accuracy", train_acc}};
    if (val_features.defined()) {
      const auto [val_loss, val_acc] = evaluate(val_features, val_labels);
      entry["validation_loss"] = val_loss;
      entry["validation_accuracy"] = val_acc;
    }
    progress_.history.push_back(entry);
    if (epoch + 1 == o_.epochs || (epoch + 1) % std::max(1, o_.epochs / 10) == 0) {
      std::cerr << "head epoch " << epoch + 1 << "/" << o_.epochs << ": " << entry.dump() << "\n";
    }
  }
  progress_.seconds = secondsSince(run_start);
  json report{{"options", optionsToJson(o_)},
              {"labels", data_.classes},
              {"train_images", train_.size()},
              {"validation_images", val_.size()},
              {"history", progress_.history},
              {"training_seconds", progress_.seconds},
              {"threads", threads},
              {"stopped", false}};
  if (val_features.defined()) {
    torch::NoGradGuard no_grad;
    const at::Tensor predicted = module_.run_method("head", val_features).toTensor().argmax(1);
    metrics::ConfusionMatrix confusion(data_.classes.size());
    for (int64_t i = 0; i < val_labels.size(0); ++i) {
      confusion.add(static_cast<std::size_t>(val_labels[i].item<int64_t>()),
                    static_cast<std::size_t>(predicted[i].item<int64_t>()));
    }
    const auto [val_loss, val_acc] = evaluate(val_features, val_labels);
    report["final_validation"] = {{"images", val_labels.size(0)},
                                  {"loss", val_loss},
                                  {"accuracy", val_acc},
                                  {"confusion_matrix", confusion.rows()}};
  } else {
    report["final_validation"] = {{"images", 0}, {"accuracy", 0.0}};
  }
  saveModel(report);
  return report;
}

json Trainer::run() {
  setUp();
  const int threads = o_.threads > 0 ? o_.threads : ThreadBudget().defaultIntraOpThreads();
  setIntraOpThreads(threads);
  if (o_.train == "head") {
    json report = runHead(threads);
    std::vector<std::string> skipped;
    for (std::size_t i = 0; i < unreadable_.size(); ++i) {
      if (unreadable_[i]) skipped.push_back(data_.samples[i].path);
    }
    report["skipped"] = skipped;
    const std::string report_path = o_.report.empty() ? o_.out + ".report.json" : o_.report;
    std::ofstream(report_path) << report.dump(1) << "\n";
    return report;
  }
  const int batches = static_cast<int>((train_.size() + o_.batch - 1) / o_.batch);
  const long total_steps = static_cast<long>(batches) * o_.epochs;
  const auto run_start = Clock::now();
  auto last_checkpoint = Clock::now();
  bool stopped = false;
  std::cerr << "deepbug-train: " << train_.size() << " training and " << val_.size()
            << " validation images, " << data_.classes.size() << " classes, " << o_.arch << " at "
            << o_.input_size << "x" << o_.input_size << ", " << threads << " threads\n";

  if (timeline_) timeline_->start(resuming_, progress_.epoch);
  module_.train();
  for (; progress_.epoch < o_.epochs && !stopped; ++progress_.epoch) {
    std::vector<std::size_t> order = train_;
    std::mt19937_64 shuffle(mixSeed(o_.seed, progress_.epoch));
    std::shuffle(order.begin(), order.end(), shuffle);
    const auto epoch_start = Clock::now();
    long epoch_images = 0;
    for (int b = progress_.next_batch; b < batches; ++b) {
      const auto batch_start = Clock::now();
      const std::vector<std::size_t> chunk(
          order.begin() + static_cast<long>(b) * o_.batch,
          order.begin() + std::min<long>(order.size(), static_cast<long>(b + 1) * o_.batch));
      auto [images, labels] = loadBatch(chunk, true, mixSeed(o_.seed ^ 0xA5A5, progress_.epoch));
      if (images.defined()) {
        const double lr =
            learningRate(static_cast<long>(progress_.epoch) * batches + b, total_steps);
        for (auto& group : optimizer_->param_groups())
          group.options().set_lr(lr);
        const at::Tensor logits = module_.forward({images}).toTensor();
        const at::Tensor loss = at::cross_entropy_loss(logits, labels);
        optimizer_->zero_grad();
        loss.backward();
        optimizer_->step();
        progress_.loss_sum += loss.item<double>() * labels.size(0);
        progress_.correct += logits.argmax(1).eq(labels).sum().item<long>();
        progress_.seen += labels.size(0);
        epoch_images += labels.size(0);
      }
      progress_.next_batch = b + 1;
      progress_.seconds += secondsSince(batch_start);
      progressLine(b + 1, batches, progress_.seen ? progress_.loss_sum / progress_.seen : 0.0,
                   progress_.seen ? static_cast<double>(progress_.correct) / progress_.seen : 0.0,
                   epoch_images / std::max(1e-9, secondsSince(epoch_start)));
      const bool out_of_time = o_.max_minutes > 0 && secondsSince(run_start) > 60 * o_.max_minutes;
      if (g_stop || out_of_time) {
        stopped = true;
        break;
      }
      if (secondsSince(last_checkpoint) > 60 * o_.checkpoint_minutes) {
        saveCheckpoint();
        last_checkpoint = Clock::now();
      }
    }
    if (stopped) break;
    module_.eval();
    json val = validate();
    json history_entry{
        {"epoch", progress_.epoch + 1},
        {"train_loss", progress_.loss_sum / std::max(1L, progress_.seen)},
        {"train_accuracy", static_cast<double>(progress_.correct) / std::max(1L, progress_.seen)},
        {"validation_loss", val["loss"]},
        {"validation_accuracy", val["accuracy"]},
        {"training_seconds", progress_.seconds}};
    std::cerr << "epoch " << progress_.epoch + 1 << ": validation accuracy "
              << val["accuracy"].get<double>() << ", loss " << val["loss"].get<double>() << "\n";
    if (timeline_ && timeline_->due(progress_.epoch + 1)) {
      // Whole validation images: their probabilities come from the pass just made.
      const bool reuse = timeline_->usesValidationSplit() && o_.crop_size == 0;
      const EpochExplanation explained = timeline_->explainEpoch(
          module_, progress_.epoch + 1, val["accuracy"].get<double>(),
          reuse ? val_probability_ : std::vector<double>{}, progress_.seconds);
      history_entry["explain"] = explained.toJson();
      std::cerr << "epoch " << progress_.epoch + 1 << ": explained in " << explained.seconds
                << " s";
      if (explained.pointing) {
        std::cerr << ", probe pointing game " << *explained.pointing << ", mass accuracy "
                  << *explained.mass_accuracy;
      }
      std::cerr << " (" << (timeline_->folder() / "timeline.html").string() << ")\n";
    }
    module_.train();
    progress_.history.push_back(history_entry);
    progress_.next_batch = 0;
    progress_.loss_sum = 0;
    progress_.seen = 0;
    progress_.correct = 0;
    if (progress_.epoch + 1 < o_.epochs) {
      progress_.epoch += 1;  // the checkpoint records the epoch to run next
      saveCheckpoint();
      progress_.epoch -= 1;
      last_checkpoint = Clock::now();
    }
  }

  json report{{"options", optionsToJson(o_)},
              {"labels", data_.classes},
              {"train_images", train_.size()},
              {"validation_images", val_.size()},
              {"history", progress_.history},
              {"training_seconds", progress_.seconds},
              {"threads", threads},
              {"stopped", stopped}};
  std::vector<std::string> skipped;
  for (std::size_t i = 0; i < unreadable_.size(); ++i) {
    if (unreadable_[i]) skipped.push_back(data_.samples[i].path);
  }
  report["skipped"] = skipped;
  if (timeline_) {
    timeline_->finish(progress_.seconds);
    const double explain_seconds = timeline_->totalSeconds();
    report["explain"] = {
        {"timeline", (timeline_->folder() / "timeline.json").string()},
        {"page", (timeline_->folder() / "timeline.html").string()},
        {"seconds", explain_seconds},
        {"training_seconds", progress_.seconds},
        {"overhead", progress_.seconds > 0 ? json(explain_seconds / progress_.seconds) : json()}};
    std::cerr << "deepbug-train: explaining took " << explain_seconds << " s beside "
              << progress_.seconds << " s of training\n";
  }
  if (stopped) {
    saveCheckpoint();
    std::cerr << "deepbug-train: stopped; continue with the same command and --resume\n";
  } else {
    module_.eval();
    report["final_validation"] = validate();
    saveModel(report);
    fs::remove_all(checkpoint_.dir);
  }
  const std::string report_path = o_.report.empty() ? o_.out + ".report.json" : o_.report;
  std::ofstream(report_path) << report.dump(1) << "\n";
  return report;
}

}  // namespace

void requestStop() {
  g_stop = true;
}

json fit(FitOptions options) {
  return Trainer(std::move(options)).run();
}

}  // namespace deepbug::train
