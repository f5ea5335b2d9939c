// The `web:` section of the config: the monitoring server.
#pragma once

#include "config.hpp"
#include "config_reader.hpp"

namespace deepbug::stream {

// enabled, listen, token, hosts, live_fps, live_width. A listen address other machines
// can reach needs a token.
void readWeb(const Reader& r, const YAML::Node& web, WebConfig& out);

}  // namespace deepbug::stream
