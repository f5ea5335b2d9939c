// A plain HTTP/1.1 client over a loopback socket, for testing the monitoring server as a
// browser or an attacker would reach it: the request line is sent byte for byte (no
// normalisation of "..", no re-encoding), headers as given.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace deepbug::test {

struct HttpResponse {
  int status = 0;  // 0: no answer
  std::string headers;
  std::string body;

  std::string header(const std::string& name) const {
    const std::string key = "\r\n" + name + ": ";
    const auto at = headers.find(key);
    if (at == std::string::npos) return "";
    const auto from = at + key.size();
    return headers.substr(from, headers.find("\r\n", from) - from);
  }
};

// A connected socket, closed on destruction.
class HttpConnection {
 public:
  explicit HttpConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~HttpConnection() {
    if (fd_ >= 0) close(fd_);
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // A Host header among `headers` replaces the default one.
  bool send(const std::string& target, const std::vector<std::string>& headers, int port) {
    std::string host = "Host: 127.0.0.1:" + std::to_string(port);
    std::string others;
    for (const std::string& header : headers) {
      if (header.rfind("Host: ", 0) == 0) {
        host = header;
      } else {
        others += header + "\r\n";
      }
    }
    const std::string request =
        "GET " + target + " HTTP/1.1\r\n" + host + "\r\nConnection: close\r\n" + others + "\r\n";
    return ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(request.size());
  }

  // Reads until `done(received)` says so, the peer closes, or `timeout`.
  template <typename Done>
  std::string readUntil(Done done, std::chrono::milliseconds timeout) {
    std::string received;
    const auto end = std::chrono::steady_clock::now() + timeout;
    char buffer[8192];
    while (!done(received)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      received.append(buffer, static_cast<std::size_t>(n));
    }
    return received;
  }

 private:
  int fd_ = -1;
};

// The status line and headers of `raw`; the body undone from chunked encoding.
inline HttpResponse parseHttpResponse(const std::string& raw) {
  HttpResponse response;
  const auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return response;
  response.status = std::stoi(raw.substr(9, 3));
  response.headers = raw.substr(0, head_end + 2);
  std::string body = raw.substr(head_end + 4);
  if (response.header("Transfer-Encoding") == "chunked") {
    std::string plain;
    std::size_t at = 0;
    while (at < body.size()) {
      const auto line_end = body.find("\r\n", at);
      if (line_end == std::string::npos) break;
      const std::size_t size = std::stoul(body.substr(at, line_end - at), nullptr, 16);
      if (size == 0) break;
      plain += body.substr(line_end + 2, size);
      at = line_end + 2 + size + 2;
    }
    body = plain;
  }
  response.body = body;
  return response;
}

// One GET, the whole answer (the server closes the connection after it).
inline HttpResponse httpGet(int port, const std::string& target,
                            const std::vector<std::string>& headers = {}) {
  HttpConnection connection(port);
  if (!connection.connected() || !connection.send(target, headers, port)) return {};
  return parseHttpResponse(
      connection.readUntil([](const std::string&) { return false; }, std::chrono::seconds(20)));
}

}  // namespace deepbug::test
