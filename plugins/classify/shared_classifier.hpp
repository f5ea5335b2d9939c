// One Classifier per distinct model configuration in the process: several
// deepbugclassify elements (one per camera) naming the same model share its
// weights and its device memory instead of loading it once each.
#pragma once

#include <memory>

#include "model/classifier.hpp"

namespace deepbug::gst {

// Loads the model on first use; later calls with equal options return the same
// instance while any holder keeps it alive. `loaded` (optional) tells whether this call
// loaded it. Throws what Classifier's constructor throws.
std::shared_ptr<const model::Classifier> acquireClassifier(const model::ClassifierOptions& options,
                                                           bool* loaded = nullptr);

}  // namespace deepbug::gst
