#include "model/architectures.hpp"

#include <cmath>

#include "core/error.hpp"

namespace deepbug::model {

namespace {

struct Layer {
  std::string name;
  std::vector<int64_t> weight_shape;  // conv: [out, in, k, k]; linear: [out, in]
  // Followed by batch norm (parameters NAME_bn_weight/_bias, buffers NAME_bn_mean/_var);
  // the layer itself then has no bias, as the norm's shift takes its place.
  bool batch_norm = false;
};

// The report's aggressive-behaviour CNN. Four valid (unpadded) stride-1 convolutions,
// 224 → 220 → 216 → 214 → 210, ReLU after each, then a global average pool to 128
// features, fc 128 → 256 + ReLU, fc 256 → classes. The report lists a MaxPool2d but
// its activation shapes show a global reduction from 128×210×210 to 128: average
// pooling is used because it spreads relevance over all the evidence for a class
// (max pooling would send all of it to 128 single positions), and because it makes
// the network size-agnostic (train small, run at 224).
// `features` (pooled features) and `head` (classifier on them) are methods of their
// own so that deepbug-train can retrain the head alone on whole-frame features.
// `pooling` is the global reduction of conv4's output to 128 features.
std::string reportCnnSource(const std::string& pooling) {
  return R"(
def features(self, x):
    x = torch.relu(torch.conv2d(x, self.conv1_weight, self.conv1_bias))
    x = torch.relu(torch.conv2d(x, self.conv2_weight, self.conv2_bias))
    x = torch.relu(torch.conv2d(x, self.conv3_weight, self.conv3_bias))
    x = torch.relu(torch.conv2d(x, self.conv4_weight, self.conv4_bias))
    return )" +
         pooling + R"(

def head(self, x):
    x = torch.relu(torch.linear(x, self.fc1_weight, self.fc1_bias))
    return torch.linear(x, self.fc2_weight, self.fc2_bias)

def forward(self, x):
    return self.head(self.features(x))
)";
}

const char* kAveragePooling = "torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)";

// report-cnn-max: the same network with a global max pool. Each feature is the
// strongest response anywhere in the frame, so a detector of local evidence (a fight
// covering 1 % of the frame) is not diluted by the rest, and what it learns on small
// windows holds on whole frames. LRP sends each feature's relevance to the one
// position it came from.
const char* kMaxPooling = "torch.amax(x, [2, 3])";

// The head of the small architectures: one linear layer on the pooled features.
const char* kLinearHead = R"(
def head(self, x):
    return torch.linear(x, self.fc1_weight, self.fc1_bias)

def forward(self, x):
    return self.head(self.features(x))
)";

// A few microseconds per frame, for tests: a strided conv, global pool, linear.
const char* kTinySource = R"(
def features(self, x):
    x = torch.relu(torch.conv2d(x, self.conv1_weight, self.conv1_bias, [4, 4]))
    return torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)

)";

// vgg6-bn: the sample model's architecture, a VGG-style stack sized for CCTV frames
// where people fill a third or more of the height. Six 3×3 convolutions with batch
// norm and ReLU; a stride-2 first convolution and four 2×2 max pools take 224 to 7
// (a 32-fold reduction, receptive field 157 px: a whole person, or a pair), then a
// global average pool to 128 features and one linear layer. 0.43 GFLOP at 224, a
// fiftieth of the report CNN's 21, so it trains on whole frames on a CPU. The batch
// norms fold into their convolutions for LRP (eval mode).
const char* kVgg6BnSource = R"(
def block(self, x, w, g, b, m, v, stride: int):
    x = torch.conv2d(x, w, None, [stride, stride], [1, 1])
    return torch.relu(torch.batch_norm(x, g, b, m, v, self.training, 0.1, 1e-5, False))

def features(self, x):
    x = self.block(x, self.conv1_weight, self.conv1_bn_weight, self.conv1_bn_bias, self.conv1_bn_mean, self.conv1_bn_var, 2)
    x = self.block(x, self.conv2_weight, self.conv2_bn_weight, self.conv2_bn_bias, self.conv2_bn_mean, self.conv2_bn_var, 1)
    x = torch.max_pool2d(x, [2, 2], [2, 2])
    x = self.block(x, self.conv3_weight, self.conv3_bn_weight, self.conv3_bn_bias, self.conv3_bn_mean, self.conv3_bn_var, 1)
    x = torch.max_pool2d(x, [2, 2], [2, 2])
    x = self.block(x, self.conv4_weight, self.conv4_bn_weight, self.conv4_bn_bias, self.conv4_bn_mean, self.conv4_bn_var, 1)
    x = torch.max_pool2d(x, [2, 2], [2, 2])
    x = self.block(x, self.conv5_weight, self.conv5_bn_weight, self.conv5_bn_bias, self.conv5_bn_mean, self.conv5_bn_var, 1)
    x = torch.max_pool2d(x, [2, 2], [2, 2])
    x = self.block(x, self.conv6_weight, self.conv6_bn_weight, self.conv6_bn_bias, self.conv6_bn_mean, self.conv6_bn_var, 1)
    return torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)

)";

// lenet: LeCun's LeNet-5 shape for small inputs such as 64×64 digits — two 5×5
// convolutions (6 and 16 channels) with ReLU and 2×2 max pools, then a dense head
// 400 → 120 → 84 → classes. The adaptive average pool to 5×5 (LeNet's own feature map
// at 32×32 input) makes it size-agnostic while keeping where evidence lies: unlike the
// global pool of vgg6-bn, its head sees the position of each feature, so the two make
// a comparison of capacity and of strategy.
const char* kLeNetSource = R"(
def features(self, x):
    x = torch.max_pool2d(torch.relu(torch.conv2d(x, self.conv1_weight, self.conv1_bias)), [2, 2], [2, 2])
    x = torch.max_pool2d(torch.relu(torch.conv2d(x, self.conv2_weight, self.conv2_bias)), [2, 2], [2, 2])
    return torch.flatten(torch.adaptive_avg_pool2d(x, [5, 5]), 1)

def head(self, x):
    x = torch.relu(torch.linear(x, self.fc1_weight, self.fc1_bias))
    x = torch.relu(torch.linear(x, self.fc2_weight, self.fc2_bias))
    return torch.linear(x, self.fc3_weight, self.fc3_bias)

def forward(self, x):
    return self.head(self.features(x))
)";

std::vector<Layer> layersOf(const std::string& name, int classes) {
  if (name == "report-cnn" || name == "report-cnn-max") {
    return {{"conv1", {16, 3, 5, 5}},   {"conv2", {32, 16, 5, 5}}, {"conv3", {64, 32, 3, 3}},
            {"conv4", {128, 64, 5, 5}}, {"fc1", {256, 128}},       {"fc2", {classes, 256}}};
  }
  if (name == "vgg6-bn") {
    return {{"conv1", {16, 3, 3, 3}, true},
            {"conv2", {32, 16, 3, 3}, true},
            {"conv3", {64, 32, 3, 3}, true},
            {"conv4", {128, 64, 3, 3}, true},
            {"conv5", {128, 128, 3, 3}, true},
            {"conv6", {128, 128, 3, 3}, true},
            {"fc1", {classes, 128}}};
  }
  if (name == "lenet") {
    return {{"conv1", {6, 3, 5, 5}},
            {"conv2", {16, 6, 5, 5}},
            {"fc1", {120, 400}},
            {"fc2", {84, 120}},
            {"fc3", {classes, 84}}};
  }
  if (name == "tiny") return {{"conv1", {8, 3, 3, 3}}, {"fc1", {classes, 8}}};
  std::string known;
  for (const ArchitectureInfo& a : architectures())
    known += (known.empty() ? "" : ", ") + a.name;
  throw ConfigError("unknown architecture '" + name + "'", "use one of: " + known);
}

}  // namespace

const std::vector<ArchitectureInfo>& architectures() {
  static const std::vector<ArchitectureInfo> list{
      {"report-cnn",
       "the report's aggressive-behaviour CNN: 4 valid convs, global average pool, 2 fc"},
      {"report-cnn-max", "the report's CNN with a global max pool (local evidence, undiluted)"},
      {"vgg6-bn",
       "the sample model: 6 3x3 convs with batch norm, 4 max pools, global average pool, fc "
       "(0.43 GFLOP)"},
      {"lenet", "LeNet-5 for small inputs (digits): 2 convs, max pools, a 3-layer dense head"},
      {"tiny", "a strided conv, global pool and linear layer, for tests"}};
  return list;
}

bool isHeadParameter(const std::string& name) {
  return name.rfind("fc", 0) == 0;
}

torch::jit::Module buildArchitecture(const std::string& name, int classes, std::uint64_t seed) {
  if (classes < 2) {
    throw ConfigError("a classifier needs at least 2 classes, got " + std::to_string(classes));
  }
  const std::vector<Layer> layers = layersOf(name, classes);
  torch::jit::Module module(name == "report-cnn"       ? "ReportCNN"
                            : name == "report-cnn-max" ? "ReportCNNMax"
                            : name == "vgg6-bn"        ? "Vgg6BN"
                            : name == "lenet"          ? "LeNet"
                                                       : "Tiny");
  // train()/eval() set this flag; batch norm reads it.
  module.register_attribute("training", c10::BoolType::get(), true);
  at::manual_seed(seed);
  for (const Layer& layer : layers) {
    int64_t fan_in = 1;
    for (std::size_t i = 1; i < layer.weight_shape.size(); ++i)
      fan_in *= layer.weight_shape[i];
    at::Tensor weight = at::randn(layer.weight_shape) * std::sqrt(2.0 / fan_in);
    module.register_parameter(layer.name + "_weight", weight.set_requires_grad(true), false);
    const int64_t outputs = layer.weight_shape[0];
    if (!layer.batch_norm) {
      module.register_parameter(layer.name + "_bias", at::zeros({outputs}).set_requires_grad(true),
                                false);
      continue;
    }
    module.register_parameter(layer.name + "_bn_weight",
                              at::ones({outputs}).set_requires_grad(true), false);
    module.register_parameter(layer.name + "_bn_bias", at::zeros({outputs}).set_requires_grad(true),
                              false);
    module.register_buffer(layer.name + "_bn_mean", at::zeros({outputs}));
    module.register_buffer(layer.name + "_bn_var", at::ones({outputs}));
  }
  module.define(name == "report-cnn"       ? reportCnnSource(kAveragePooling)
                : name == "report-cnn-max" ? reportCnnSource(kMaxPooling)
                : name == "vgg6-bn"        ? std::string(kVgg6BnSource) + kLinearHead
                : name == "lenet"          ? std::string(kLeNetSource)
                                           : std::string(kTinySource) + kLinearHead);
  return module;
}

}  // namespace deepbug::model
