#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/coffee_service.hpp"
#include "app/ports/auth.hpp"

namespace coffee::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
std::string_view ToString(Method m);

/// Header names compared case-insensitively.
struct Headers {
  std::vector<std::pair<std::string, std::string>> items;  // names lower-cased
  [[nodiscard]] std::optional<std::string_view> Get(std::string_view lower_name) const;
};

/// A parsed request as handlers see it: no Beast types, so handlers compile light.
struct Request {
  Method method = Method::kGet;
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path
  app::QueryParams query;
  std::map<std::string, std::string, std::less<>> params;  // path parameters by name
  Headers headers;
  std::string body;
  std::string request_id;
  std::string client_ip;
  std::optional<app::AccessClaims> auth;  // set when a valid bearer token was sent
};

/// The writing end of a streamed response. Thread-safe: a producer may call it from any thread.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  /// Queues `chunk` for the client. False once the stream has ended (the client went away, Close
  /// was called, or the server is stopping): the producer should let go of the sink.
  virtual bool Send(std::string chunk) = 0;
  /// Ends the stream after what is queued. Idempotent.
  virtual void Close() = 0;
};

/// A body produced over time (e.g. Server-Sent Events): the head is sent at once, then chunks
/// until the stream ends. The connection closes afterwards.
struct StreamBody {
  /// Called once, on the connection's I/O thread, right after the head is written.
  std::function<void(std::shared_ptr<StreamSink>)> start;
  /// Called exactly once when the stream is over for any reason, also when it never started
  /// (refused at the server's bound on open streams). Release the sink here.
  std::function<void()> stop;
  /// Written whenever nothing else was sent for `heartbeat_interval`, so that idle streams stay
  /// open through proxies and a vanished client is noticed; empty: no heartbeat.
  std::string heartbeat;
  std::chrono::milliseconds heartbeat_interval{15000};
  /// The stream ends by itself at this time (e.g. when the token that opened it expires).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// A response: status, extra headers, and a JSON (or text) body, or a stream.
struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  /// When set, the body is streamed from it and `body` is not used.
  std::shared_ptr<StreamBody> stream = nullptr;
};

/// Fills `path` (percent-decoded) and `query` from an origin-form `target` ("/a/b?x=1&y=%20");
/// a repeated query parameter keeps its last value. False if the target is not origin-form.
bool ParseTarget(std::string_view target, std::string& path, app::QueryParams& query);

using Handler = std::function<Response(Request&)>;
/// Tried on the I/O thread before a worker route's handler: an answer (e.g. from a cache) or
/// nullopt to go on to the worker. Must not block.
using FastPath = std::function<std::optional<Response>(Request&)>;

}  // namespace coffee::http
