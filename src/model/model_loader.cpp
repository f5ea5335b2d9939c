#include "model/model_loader.hpp"

#include <torch/csrc/jit/passes/inliner.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/error_text.hpp"

namespace deepbug::model {

namespace {

namespace fs = std::filesystem;

constexpr const char* kExportHint =
    "export the model with torch.jit.trace(model.eval(), example).save(path) (or "
    "torch.jit.script); a state_dict or pickled module saved with torch.save is not "
    "TorchScript";

void checkReadableFile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw ModelError("model file '" + path + "' does not exist",
                     "check the model path (relative paths start from the working directory)");
  }
  if (!fs::is_regular_file(path, ec)) {
    throw ModelError("model path '" + path + "' is not a regular file",
                     "point the model path at a TorchScript .pt file");
  }
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in || !in.read(magic, sizeof(magic))) {
    throw ModelError("model file '" + path + "' cannot be read (permissions, or it is empty)",
                     kExportHint);
  }
  if (!(magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4)) {
    throw ModelError("model file '" + path + "' is not a TorchScript archive (no ZIP header)",
                     kExportHint);
  }
}

OutputKind detectOutputKind(torch::jit::Module& module) {
  std::shared_ptr<torch::jit::Graph> graph = module.get_method("forward").graph()->copy();
  torch::jit::Inline(*graph);
  const torch::jit::Node* producer = graph->outputs().at(0)->node();
  const std::string kind = producer->kind().toQualString();
  if (kind == "aten::softmax" || kind == "aten::_softmax") return OutputKind::kProbabilities;
  if (kind == "aten::log_softmax" || kind == "aten::_log_softmax") {
    return OutputKind::kLogProbabilities;
  }
  return OutputKind::kLogits;
}

std::string shapeText(at::IntArrayRef sizes) {
  std::string text = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(sizes[i]);
  }
  return text + "]";
}

torch::jit::IValue runBlackBatch(LoadedModel& model, int64_t batch) {
  const ModelMetadata& meta = model.metadata;
  c10::InferenceMode guard;
  const at::Tensor probe = at::zeros({batch, 3, meta.input_height, meta.input_width},
                                     at::TensorOptions().dtype(model.dtype).device(model.device));
  return model.module.forward({probe});
}

// Runs a batch of two black frames: checks the input size is accepted and that the
// output is [2, C]; returns C. A model that fails on two frames but not on one was
// exported with a constant batch size.
int64_t probeOutputClasses(LoadedModel& model, const std::string& path) {
  const ModelMetadata& meta = model.metadata;
  const std::string input_shape =
      "[N, 3, " + std::to_string(meta.input_height) + ", " + std::to_string(meta.input_width) + "]";
  const std::string fixed_batch_hint =
      "re-export using torch.flatten(x, 1) or x.view(x.size(0), -1) instead of a constant "
      "batch dimension";
  torch::jit::IValue output;
  try {
    output = runBlackBatch(model, 2);
  } catch (const std::exception& batch_error) {
    try {
      runBlackBatch(model, 1);
    } catch (const std::exception& e) {
      throw ModelError(
          "model '" + path + "' does not accept a " + input_shape + " input: " + errorGist(e),
          "set the input size the model was exported with (model.input_size, or "
          "input.width/height in its deepbug.json)");
    }
    throw ModelError("model '" + path + "' runs on one frame but fails on a batch of two (" +
                         errorGist(batch_error) + "): it was exported with a fixed batch size",
                     fixed_batch_hint);
  }
  if (!output.isTensor()) {
    throw ModelError(
        "model '" + path + "' returns a " + output.tagKind() + ", not a tensor of class scores",
        "export a module whose forward() returns one [N, C] tensor of logits");
  }
  const at::Tensor scores = output.toTensor();
  if (scores.dim() != 2) {
    throw ModelError("model '" + path + "' returns shape " + shapeText(scores.sizes()) +
                         " for a batch of 2; a classifier returns [N, C]",
                     "export a module whose forward() returns [N, C] logits");
  }
  if (scores.size(0) != 2) {
    throw ModelError("model '" + path + "' returns " + std::to_string(scores.size(0)) +
                         " rows for a batch of 2: it was exported with a fixed batch size",
                     fixed_batch_hint);
  }
  return scores.size(1);
}

}  // namespace

LoadedModel loadModel(const LoadOptions& options) {
  const std::string& path = options.path;
  checkReadableFile(path);

  LoadedModel model;
  model.device = c10::Device(options.device);
  torch::jit::ExtraFilesMap extra_files{{kMetadataFile, ""}};
  try {
    model.module = torch::jit::load(path, model.device, extra_files);
  } catch (const std::exception& e) {
    throw ModelError("model file '" + path + "' is not loadable TorchScript: " + errorGist(e),
                     kExportHint);
  }
  if (!model.module.find_method("forward")) {
    throw ModelError("model '" + path + "' has no forward() method", kExportHint);
  }
  model.module.eval();

  const std::string& embedded = extra_files[kMetadataFile];
  model.has_embedded_metadata = !embedded.empty();
  if (model.has_embedded_metadata) {
    model.metadata = parseModelMetadata(embedded, path + ":" + kMetadataFile);
  } else {
    model.warnings.push_back("model '" + path + "' carries no " + kMetadataFile +
                             ": using input 224x224, ImageNet mean/std, stretch, RGB unless the "
                             "config says otherwise");
  }
  model.metadata = applyOverrides(model.metadata, options.overrides);

  for (const at::Tensor& parameter : model.module.parameters()) {
    model.dtype = parameter.scalar_type();
    break;
  }

  model.output_kind = detectOutputKind(model.module);
  if (model.output_kind != OutputKind::kLogits) {
    model.warnings.push_back(
        "model '" + path + "' ends in " +
        (model.output_kind == OutputKind::kProbabilities ? "softmax" : "log_softmax") +
        ": scores are taken as they are, but explanations need logits; re-export without "
        "the final softmax");
  }

  const int64_t classes = probeOutputClasses(model, path);
  auto& labels = model.metadata.labels;
  if (labels.empty()) {
    for (int64_t c = 0; c < classes; ++c)
      labels.push_back("class_" + std::to_string(c));
    model.warnings.push_back("model '" + path + "' has no labels: naming its " +
                             std::to_string(classes) +
                             " classes class_0.. (set model.labels in the config)");
  } else if (static_cast<int64_t>(labels.size()) != classes) {
    throw ModelError("model '" + path + "' outputs " + std::to_string(classes) + " classes but " +
                         std::to_string(labels.size()) + " labels are given",
                     "give exactly one label per model output, in output order");
  }
  return model;
}

}  // namespace deepbug::model
