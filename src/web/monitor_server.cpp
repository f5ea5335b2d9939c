#include "monitor_server.hpp"

#include <sys/socket.h>

#include <httplib.h>
#include <chrono>

#include "core/error.hpp"
#include "served_files.hpp"

namespace deepbug::web {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Concurrent connections: each live view and event stream holds one while it is open,
// up to kMaxStreamingClients of them; the rest answer short requests.
constexpr std::size_t kServerThreads = 32;
constexpr int kMaxStreamingClients = 24;
// A client that takes longer than this to accept a write is dropped.
constexpr auto kWriteTimeout = std::chrono::seconds(5);
// Event-stream messages kept for clients between two waits.
constexpr std::size_t kKeptMessages = 64;
constexpr std::size_t kMaxEventsPerPage = 500;
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'";

// JSON text; invalid UTF-8 (from a path or a GStreamer message) replaced, never thrown.
std::string jsonText(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void sendError(httplib::Response& res, int status, const std::string& what,
               const std::string& hint = "") {
  res.status = status;
  json body{{"error", what}};
  if (!hint.empty()) body["hint"] = hint;
  res.set_content(jsonText(body), "application/json");
}

void sendJson(httplib::Response& res, const json& body) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(jsonText(body), "application/json");
}

// Streams a file in pieces (recordings can be large); httplib answers Range requests. A
// download in progress ends when the server closes.
void sendFile(httplib::Response& res, OpenedFile opened, const std::atomic<bool>& stopping) {
  auto file = std::make_shared<OpenedFile>(std::move(opened));
  res.set_content_provider(
      static_cast<std::size_t>(file->size()), contentTypeOf(file->path()),
      [file, &stopping](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        try {
          if (stopping) return false;
          std::vector<char> buffer(std::min<std::size_t>(length, 1 << 16));
          const std::size_t got = file->readAt(offset, buffer.data(), buffer.size());
          return got > 0 && sink.write(buffer.data(), got);
        } catch (...) {
          return false;  // see guarded()
        }
      });
}

// httplib calls content providers outside its own exception handling: an exception
// there would end the program, and with it the recording. A provider that fails ends
// its response instead.
template <typename Provider>
auto guarded(Provider provider) {
  return [provider = std::move(provider)](std::size_t offset, httplib::DataSink& sink) mutable {
    try {
      return provider(offset, sink);
    } catch (...) {
      return false;
    }
  };
}

// A non-negative whole number parameter, or `fallback` when absent; throws naming it.
std::size_t countParam(const httplib::Request& req, const char* name, std::size_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0) {
    throw Error(std::string("'") + name + "=" + text + "' is not a whole number",
                std::string("e.g. ") + name + "=20");
  }
  return static_cast<std::size_t>(value);
}

std::optional<double> timeParam(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string text = req.get_param_value(name);
  const auto time = parseTime(text);
  if (!time) {
    throw Error(std::string("'") + name + "=" + text + "' is not a time",
                "ISO-8601 UTC (2026-12-07T10:50:40Z) or unix seconds");
  }
  return time;
}

std::string sseMessage(const std::string& event, const json& data) {
  return "event: " + event + "\ndata: " + jsonText(data) + "\n\n";
}

}  // namespace

MonitorServer::MonitorServer(MonitorSettings settings, LiveFrames& frames, EventLog& events)
    : settings_(std::move(settings)),
      frames_(frames),
      events_(events),
      access_(settings_.token, settings_.hosts),
      server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // httplib's default sets SO_REUSEPORT, which would let a second server share the port.
  server_->set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->set_write_timeout(kWriteTimeout);
  routes();
}

MonitorServer::~MonitorServer() {
  stop();
}

void MonitorServer::bind() {
  const ListenAddress& listen = settings_.listen;
  port_ = listen.port == 0 ? server_->bind_to_any_port(listen.host)
                           : (server_->bind_to_port(listen.host, listen.port) ? listen.port : -1);
  if (port_ > 0) access_.setPort(port_);
  if (port_ <= 0) {
    throw ConfigError("web.listen '" + listen.authority(listen.port) +
                          "': cannot listen there (the port is in use, or the address is not "
                          "one of this machine's)",
                      "stop what uses the port, or choose another (0: any free port)");
  }
}

void MonitorServer::start() {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    if (!stopping_) failed_ = true;
  });
  // httplib's stop() does nothing until the server runs: a stop() before that would
  // leave accept() waiting for ever.
  while (!server_->is_running() && !failed_)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void MonitorServer::stop() {
  if (stopping_.exchange(true)) return;
  frames_.stop();
  {
    // An event stream that saw stopping_ false but is not waiting yet must not miss
    // this wake-up: it holds the mutex from its check until it waits.
    std::lock_guard lock(mutex_);
  }
  pushed_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string MonitorServer::url() const {
  return "http://" + settings_.listen.authority(port_);
}

void MonitorServer::publishStatus(const json& status) {
  {
    std::lock_guard lock(mutex_);
    status_ = status;
  }
  for (const json& event : events_.takeNew())
    broadcast("new-event", event);
  broadcast("status", sourcesJson());
}

void MonitorServer::broadcast(const std::string& event, const json& data) {
  {
    std::lock_guard lock(mutex_);
    messages_.push_back({++sequence_, sseMessage(event, data)});
    while (messages_.size() > kKeptMessages)
      messages_.pop_front();
  }
  pushed_.notify_all();
}

bool MonitorServer::admitStreamingClient() {
  std::lock_guard lock(mutex_);
  if (streaming_clients_ >= kMaxStreamingClients) return false;
  ++streaming_clients_;
  return true;
}

void MonitorServer::releaseStreamingClient() {
  std::lock_guard lock(mutex_);
  --streaming_clients_;
}

json MonitorServer::sourcesJson() const {
  std::lock_guard lock(mutex_);
  json out{{"running", status_.value("running", true)},
           {"updated", status_.value("updated", 0.0)},
           {"sources", json::array()}};
  for (json source : status_.value("sources", json::array())) {
    source["live"] = "/live/" + source.value("source", std::string()) + ".mjpeg";
    out["sources"].push_back(std::move(source));
  }
  return out;
}

void MonitorServer::routes() {
  httplib::Server& s = *server_;

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    AccessRequest request{req.get_header_value("Host"), req.get_header_value("Authorization"),
                          req.get_header_value("Cookie"), std::nullopt};
    if (req.has_param("token")) request.query_token = req.get_param_value("token");
    switch (access_.decide(request)) {
      case AccessVerdict::kAllow:
        return httplib::Server::HandlerResponse::Unhandled;
      case AccessVerdict::kAllowWithCookie:
        res.set_header("Set-Cookie", access_.sessionCookie());
        return httplib::Server::HandlerResponse::Unhandled;
      case AccessVerdict::kForeignHost:
        sendError(res, 403, "the Host header names another server",
                  "open this server by its IP address, localhost or a name in web.hosts");
        return httplib::Server::HandlerResponse::Handled;
      case AccessVerdict::kUnauthorized:
        res.set_header("WWW-Authenticate", "Bearer");
        sendError(res, 401, "a token is needed",
                  "open the page once with ?token=TOKEN, or send Authorization: Bearer TOKEN");
        return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Handled;
  });

  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const Error& e) {
          sendError(res, 400, e.what(), e.hint());
        } catch (const std::exception& e) {
          sendError(res, 500, e.what());
        }
      });

  s.Get("/api/sources",
        [this](const httplib::Request&, httplib::Response& res) { sendJson(res, sourcesJson()); });

  s.Get("/api/events", [this](const httplib::Request& req, httplib::Response& res) {
    EventQuery query;
    query.source = req.get_param_value("source");
    query.since = timeParam(req, "since");
    query.until = timeParam(req, "until");
    query.offset = countParam(req, "offset", 0);
    query.limit = countParam(req, "limit", 50);
    if (query.limit == 0 || query.limit > kMaxEventsPerPage) {
      throw Error("'limit=" + std::to_string(query.limit) + "' is out of range",
                  "1 to " + std::to_string(kMaxEventsPerPage));
    }
    const EventPage page = events_.query(query);
    sendJson(res, {{"total", page.total},
                   {"offset", query.offset},
                   {"limit", query.limit},
                   {"events", page.events}});
  });

  s.Get(R"(/api/events/([^/]+)/(\d{1,18}))",
        [this](const httplib::Request& req, httplib::Response& res) {
          const auto event = events_.event(req.matches[1], std::stoll(req.matches[2]),
                                           settings_.clip_pre_roll, settings_.clip_post_roll);
          if (!event) return sendError(res, 404, "no such event", "list them at /api/events");
          sendJson(res, *event);
        });

  s.Get("/api/reports", [this](const httplib::Request&, httplib::Response& res) {
    json reports = json::array();
    std::error_code ec;
    fs::recursive_directory_iterator it(settings_.output_dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it.depth() > 4) it.disable_recursion_pending();
      if (it->path().filename() == "report.html" && it->is_regular_file(ec)) {
        const std::string url = filesUrl(settings_.output_dir, it->path().string());
        reports.push_back(
            {{"path", it->path().lexically_relative(settings_.output_dir).generic_string()},
             {"url", url}});
      }
    }
    sendJson(res, {{"reports", reports}});
  });

  s.Get("/api/stream", [this](const httplib::Request&, httplib::Response& res) {
    if (!admitStreamingClient()) {
      return sendError(res, 503, "too many open live views and event streams",
                       "close some, or put a reverse proxy in front for many viewers");
    }
    res.set_header("Cache-Control", "no-store");
    // The client starts with the current status, then gets every message after it.
    std::uint64_t start = 0;
    {
      std::lock_guard lock(mutex_);
      start = sequence_;
    }
    auto last = std::make_shared<std::uint64_t>(start);
    auto greeted = std::make_shared<bool>(false);
    res.set_chunked_content_provider(
        "text/event-stream", guarded([this, last, greeted](std::size_t, httplib::DataSink& sink) {
          if (!*greeted) {
            *greeted = true;
            const std::string hello = "retry: 2000\n\n" + sseMessage("status", sourcesJson());
            return sink.write(hello.data(), hello.size());
          }
          std::string text;
          {
            std::unique_lock lock(mutex_);
            pushed_.wait_for(lock, std::chrono::seconds(15),
                             [&] { return stopping_ || sequence_ > *last; });
            if (stopping_) return false;
            // A client so far behind that messages it never got were dropped: closing
            // makes its EventSource reconnect and the page read everything afresh.
            if (!messages_.empty() && messages_.front().sequence > *last + 1) return false;
            for (const Message& message : messages_) {
              if (message.sequence > *last) text += message.text;
            }
            *last = sequence_;
          }
          if (text.empty()) text = ": still here\n\n";  // finds clients that left
          return sink.write(text.data(), text.size());
        }),
        [this](bool) { releaseStreamingClient(); });
  });

  s.Get(R"(/live/([^/]+)\.mjpeg)", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string source = req.matches[1];
    bool known = false;
    {
      std::lock_guard lock(mutex_);
      for (const json& entry : status_.value("sources", json::array()))
        known |= entry.value("source", std::string()) == source;
    }
    if (!known) return sendError(res, 404, "no source '" + source + "'", "see /api/sources");
    if (!admitStreamingClient()) {
      return sendError(res, 503, "too many open live views and event streams",
                       "close some, or put a reverse proxy in front for many viewers");
    }
    res.set_header("Cache-Control", "no-store");
    struct Client {
      std::unique_ptr<LiveFrames::Viewer> viewer;
      std::uint64_t last = 0;
      Clock::time_point next_send = Clock::now();
    };
    auto client = std::make_shared<Client>();
    client->viewer = std::make_unique<LiveFrames::Viewer>(frames_, source);
    const auto period = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / settings_.live_fps));
    res.set_chunked_content_provider(
        "multipart/x-mixed-replace; boundary=frame",
        guarded([this, source, client, period](std::size_t, httplib::DataSink& sink) {
          // At most live_fps frames per second to each client, whatever the pipeline
          // makes; waited in short steps so that closing the server is not held up.
          while (!stopping_ && Clock::now() < client->next_send)
            std::this_thread::sleep_for(std::min<Clock::duration>(client->next_send - Clock::now(),
                                                                  std::chrono::milliseconds(100)));
          const auto frame = frames_.next(source, client->last, std::chrono::seconds(1));
          if (stopping_) return false;
          if (!frame) return sink.is_writable();
          client->last = frame->sequence;
          client->next_send = Clock::now() + period;
          const std::string head = "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                                   std::to_string(frame->jpeg->size()) + "\r\n\r\n";
          return sink.write(head.data(), head.size()) &&
                 sink.write(frame->jpeg->data(), frame->jpeg->size()) && sink.write("\r\n", 2);
        }),
        [this, client](bool) {
          client->viewer.reset();
          releaseStreamingClient();
        });
  });

  s.Get(R"(/files/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto file = openServedFile(settings_.output_dir, req.matches[1].str());
    if (!file) return sendError(res, 404, "not found");
    sendFile(res, std::move(*file), stopping_);
  });

  s.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string wanted = req.matches[1].str().empty() ? "index.html" : req.matches[1].str();
    auto file = openServedFile(settings_.ui_dir, wanted);
    if (file) return sendFile(res, std::move(*file), stopping_);
    if (wanted == "index.html") {
      res.set_content(
          "<!doctype html><title>deepbug-stream</title><p>This deepbug-stream was built "
          "without its page (-DDEEPBUG_WEB_UI=OFF). The API answers at <a "
          "href=\"/api/sources\">/api/sources</a>.",
          "text/html; charset=utf-8");
      return;
    }
    sendError(res, 404, "not found");
  });
}

}  // namespace deepbug::web
