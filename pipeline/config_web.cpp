#include "config_web.hpp"

#include "web/access_policy.hpp"
#include "web/listen_address.hpp"

namespace deepbug::stream {

void readWeb(const Reader& r, const YAML::Node& web, WebConfig& out) {
  r.requireMap(web, "web");
  r.checkKeys(web, "web", {"enabled", "listen", "token", "hosts", "live_fps", "live_width"});
  out.enabled = web["enabled"] ? r.boolean(web["enabled"], "enabled") : true;
  if (web["listen"]) out.listen = r.text(web["listen"], "listen");
  web::ListenAddress listen;
  try {
    listen = web::parseListenAddress(out.listen, WebConfig::kDefaultPort);
  } catch (const Error& e) {
    r.fail(web["listen"], std::string("web.listen ") + e.what(), e.hint());
  }
  if (web["token"]) {
    out.token = r.text(web["token"], "token");
    if (out.token.size() < web::kMinSecretLength) {
      r.fail(web["token"],
             "web.token is shorter than " + std::to_string(web::kMinSecretLength) + " characters",
             "use a long random string, e.g. from `openssl rand -hex 24`, through ${ENV}");
    }
  }
  if (out.enabled && !listen.loopback() && out.token.empty()) {
    r.fail(web["listen"] ? web["listen"] : web,
           "web.listen '" + out.listen +
               "' can be reached from other machines, and no web.token "
               "is set",
           "set web.token: ${DEEPBUG_WEB_TOKEN} (a long random string), or listen on "
           "127.0.0.1");
  }
  if (const YAML::Node hosts = web["hosts"]) {
    if (!hosts.IsSequence()) r.fail(hosts, "'hosts' must be a list of host names");
    for (const YAML::Node& host : hosts)
      out.hosts.push_back(r.text(host, "hosts"));
  }
  if (web["live_fps"]) out.live_fps = r.number(web["live_fps"], "live_fps", 0.1, 60);
  if (web["live_width"]) {
    out.live_width = static_cast<int>(r.integer(web["live_width"], "live_width", 16, 7680));
  }
}

}  // namespace deepbug::stream
