#include "classify/shared_classifier.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

namespace deepbug::gst {
namespace {

template <typename T>
void appendOptional(std::ostringstream& key, const std::optional<T>& value) {
  key << '|';
  if (value) key << *value;
}

void appendOptional(std::ostringstream& key, const std::optional<std::array<float, 3>>& value) {
  key << '|';
  if (value) key << (*value)[0] << ',' << (*value)[1] << ',' << (*value)[2];
}

std::string cacheKey(const model::ClassifierOptions& o) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(o.model_path, ec);
  std::ostringstream key;
  key << (ec ? o.model_path : canonical.string()) << '|' << o.device << '|'
      << model::toString(o.precision) << '|' << o.threads;
  const model::MetadataOverrides& v = o.overrides;
  key << '|';
  if (v.labels) {
    for (const auto& label : *v.labels)
      key << label << '\x1f';
  }
  appendOptional(key, v.input_width);
  appendOptional(key, v.input_height);
  appendOptional(key, v.mean);
  appendOptional(key, v.std);
  key << '|' << (v.aspect ? model::toString(*v.aspect) : "");
  key << '|' << (v.channels ? static_cast<int>(*v.channels) : -1);
  return key.str();
}

}  // namespace

std::shared_ptr<const model::Classifier> acquireClassifier(const model::ClassifierOptions& options,
                                                           bool* loaded) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const model::Classifier>> cache;
  const std::string key = cacheKey(options);
  std::lock_guard lock(mutex);
  if (loaded != nullptr) *loaded = false;
  if (auto existing = cache[key].lock()) return existing;
  auto created = std::make_shared<const model::Classifier>(options);
  cache[key] = created;
  if (loaded != nullptr) *loaded = true;
  return created;
}

}  // namespace deepbug::gst
