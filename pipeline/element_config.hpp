// What each element of a source's pipeline is set to: the config's section for it,
// plus what the application decides on top (the explainer explains the classifier's
// model with its preprocessing; live sources skip frames that arrive too late).
// Plain structs, set on the elements typed (gst::applySettings), one setting at a time.
#pragma once

#include "config.hpp"

namespace deepbug::stream {

gst::ClassifySettings classifySettingsFor(const StreamConfig& config, const SourceConfig& source);
gst::ExplainSettings explainSettingsFor(const StreamConfig& config, const SourceConfig& source);
gst::OverlaySettings overlaySettingsFor(const StreamConfig& config);

}  // namespace deepbug::stream
