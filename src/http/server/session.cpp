#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <random>

#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/middleware/rate_limiter.hpp"
#include "http/server/core.hpp"

namespace coffee::http::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
/// How long (and how much) to read and drop after an error answer before closing.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = std::size_t{4} * 1024 * 1024;
/// The first read of a keep-alive request (the header parser reads on from there).
constexpr std::size_t kFirstReadBytes = 4096;
/// Named so that no temporary is created inside a co_await expression (see Session).
constexpr std::string_view kHeadersPhase = "headers";
constexpr std::string_view kBodyPhase = "body";

namespace {

Method ToMethod(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 0xFU];
    v >>= 4U;
  }
  return id;
}

bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

/// What to answer when reading a request failed; nullopt when the client just went away or
/// timed out (nothing to answer).
std::optional<app::AppError> ReadError(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return app::AppError{app::ErrorCode::kHeadersTooLarge, "Request headers are too large", {}, {}};
  }
  if (ec == bhttp::error::body_limit) {
    return app::AppError{
        app::ErrorCode::kPayloadTooLarge, "Request body exceeds the 1 MiB limit", {}, {}};
  }
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
      ec == asio::error::eof || ec == asio::error::bad_descriptor) {
    return std::nullopt;
  }
  return app::AppError{
      app::ErrorCode::kValidation, "Malformed HTTP request: " + ec.message(), {}, {}};
}

/// Parses what `buffer` already holds into `parser`, as Beast's reads would but without their
/// completion going through the connection's scheduler (a read that needs no I/O still
/// queues its completion, costing another round and reactor poll per request): true when
/// the headers (`headers_only`) or the whole request are then parsed. False otherwise, with
/// `ec` set when the bytes are not a valid request, clear when more must be read.
bool ParseBuffered(bhttp::request_parser<bhttp::string_body>& parser, beast::flat_buffer& buffer,
                   bool headers_only, boost::system::error_code& ec) {
  const auto parsed = [&] { return headers_only ? parser.is_header_done() : parser.is_done(); };
  if (!headers_only) parser.eager(true);
  while (!parsed() && buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      ec.clear();
      return false;
    }
    if (ec) return false;
    if (used == 0) return false;
  }
  return parsed();
}

/// Runs `job` on the worker pool and resumes the calling coroutine on its own executor.
asio::awaitable<Answer> OnWorker(asio::thread_pool& pool, std::function<Answer()> job) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(Answer)>(
      [&pool, job = std::move(job)](auto handler) mutable {
        asio::post(pool, [job = std::move(job), handler = std::move(handler)]() mutable {
          Answer answer = job();
          auto ex = asio::get_associated_executor(handler);
          asio::post(ex, [handler = std::move(handler), answer = std::move(answer)]() mutable {
            std::move(handler)(std::move(answer));
          });
        });
      },
      asio::use_awaitable);
}

/// The client a request comes from: `peer`, or what a trusted proxy forwarded.
std::string ClientIp(const ServerOptions& options, const std::string& peer, const Request& req) {
  if (options.trusted_proxies.empty()) return peer;
  std::vector<std::string_view> forwarded;
  for (const auto& [name, value] : req.headers.items) {
    if (name == "x-forwarded-for") forwarded.emplace_back(value);
  }
  return ClientAddress(peer, forwarded, options.trusted_proxies);
}

/// How a response's body is framed on the wire.
enum class Framing { kLength, kChunked, kUntilClose };

/// The status line and headers of `res` as HTTP/1.x text. Responses are written as this head
/// followed by the body bytes, without Beast's serializer: its per-field allocations and buffer
/// iterators were a tenth of the CPU of a cached read.
std::string ResponseHead(const Response& res, unsigned version, bool keep_alive,
                         const std::string& request_id, Framing framing) {
  std::string head;
  head.reserve(256);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(res.status);
  head += ' ';
  head += bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
  head += "\r\nServer: coffee-api\r\n";
  const auto field = [&head](std::string_view name, std::string_view value) {
    head.append(name).append(": ").append(value).append("\r\n");
  };
  if (!res.content_type.empty()) field("Content-Type", res.content_type);
  field("X-Request-Id", request_id);
  field("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : res.headers) field(name, value);
  // No Content-Length on 1xx, 204 and 304, which never have a body (RFC 9110 §8.6).
  if (framing == Framing::kChunked) {
    field("Transfer-Encoding", "chunked");
  } else if (framing == Framing::kLength && res.status >= 200 && res.status != 204 &&
             res.status != 304) {
    field("Content-Length", std::to_string(res.body.size()));
  }
  if (!keep_alive) {
    field("Connection", "close");
  } else if (version == 10) {
    field("Connection", "keep-alive");
  }
  head += "\r\n";
  return head;
}

/// Writes `res` (no body for HEAD, 1xx, 204 and 304); the error of the write, if any.
asio::awaitable<boost::system::error_code> WriteResponse(const Core& core, Connection& conn,
                                                         const Response& res, unsigned version,
                                                         bool keep_alive, bool head_only,
                                                         const std::string& request_id) {
  const std::string head = ResponseHead(res, version, keep_alive, request_id, Framing::kLength);
  const bool with_body = !head_only && res.status >= 200 && res.status != 204 && res.status != 304;
  const std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head), with_body ? asio::buffer(res.body) : asio::const_buffer()};
  boost::system::error_code ec;
  const std::size_t sent = conn.stream.WriteNow(buffers, ec);
  if (ec || sent == asio::buffer_size(buffers)) co_return ec;
  // The rest once the socket takes it, within the request timeout.
  beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(buffers);
  rest.consume(sent);
  conn.stream.expires_after(core.options.request_timeout);
  auto result = co_await asio::async_write(conn.stream, rest, kTuple);
  co_return std::get<0>(result);
}

/// After an error answer: stop sending, then read and drop what the client is still sending
/// (briefly), so closing does not reset the connection before the client reads the answer.
asio::awaitable<void> Linger(Connection& conn) {
  boost::system::error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn.stream.expires_after(kLingerTime);
  std::vector<char> scratch(std::size_t{16} * 1024);
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    auto space = asio::buffer(scratch);
    auto read_result = co_await conn.stream.async_read_some(space, kTuple);
    const auto rec = std::get<0>(read_result);
    if (rec) break;
    drained += std::get<1>(read_result);
  }
}

/// A request that failed while being read: answers it when there is an answer (413, 431, 400),
/// echoing the client's request id when its headers got that far, and writes the access log
/// line; a timeout or a vanished client is only logged.
asio::awaitable<void> Reject(const Core& core, Connection& conn,
                             const bhttp::request_parser<bhttp::string_body>& parser,
                             boost::system::error_code ec, std::string_view phase,
                             std::chrono::steady_clock::time_point started,
                             const std::string& client_ip) {
  // Whatever the parser got before the error: the request line and any complete fields.
  const auto& partial = parser.get();
  const std::string method(partial.method_string());
  const std::string target(partial.target());
  const std::string shown_method = method.empty() ? "-" : method;
  const std::string shown_target = target.empty() ? "-" : target;
  const auto sent_id = partial["X-Request-Id"];
  const std::string rid = IsSafeRequestId(sent_id) ? std::string(sent_id) : NewRequestId();
  auto error = ReadError(ec);
  if (!error) {
    if (ec == beast::error::timeout) {
      spdlog::info("{} {} - timed out reading the {} from {} id={}", shown_method, shown_target,
                   phase, client_ip, rid);
    }
    co_return;
  }
  const Response res = json::ErrorResponse(*error);
  const int status = res.status;
  const auto wec = co_await WriteResponse(core, conn, res, 11, false, false, rid);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{} {} {} {:.2f}ms id={} ip={} rejected: {}", shown_method, shown_target, status,
               seconds * 1000.0, rid, client_ip, ec.message());
  if (core.observer)
    core.observer("unmatched", ToString(ToMethod(partial.method())), status, seconds);
  if (!wec) co_await Linger(conn);
}

/// The producer side of one streamed response: chunks queued from any thread, taken by the
/// session on the connection's thread. Waking the session is a cancel of its timer, posted to
/// that thread.
class StreamChannel final : public StreamSink, public std::enable_shared_from_this<StreamChannel> {
 public:
  explicit StreamChannel(const asio::any_io_executor& ex) : wake(ex) {}

  bool Send(std::string chunk) override {
    {
      std::lock_guard lock(mu_);
      if (ended_) return false;
      queue_.push_back(std::move(chunk));
    }
    Wake();
    return true;
  }
  void Close() override {
    {
      std::lock_guard lock(mu_);
      if (ended_) return;
      ended_ = true;
    }
    Wake();
  }
  /// Ends the stream from the session's side (client gone, server stopping).
  void End() {
    std::lock_guard lock(mu_);
    ended_ = true;
  }
  /// What is queued, and whether the stream has ended.
  std::pair<std::deque<std::string>, bool> Take() {
    std::lock_guard lock(mu_);
    return {std::exchange(queue_, {}), ended_};
  }

  asio::steady_timer wake;  // waited on and cancelled on the connection's thread only

 private:
  void Wake() {
    asio::post(wake.get_executor(), [self = shared_from_this()] { self->wake.cancel(); });
  }

  std::mutex mu_;
  std::deque<std::string> queue_;
  bool ended_ = false;
};

/// One chunk of a `Transfer-Encoding: chunked` body.
std::string Chunk(std::string_view data) {
  char size[20];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size, static_cast<std::size_t>(n));
  out.append(data).append("\r\n");
  return out;
}

/// Writes the head of a streamed response, then what its producer sends (and the heartbeat
/// when idle) until the producer closes it, the client goes away or the server stops.
asio::awaitable<void> Stream(std::shared_ptr<Core> core, std::shared_ptr<Connection> conn,
                             const Response& res, unsigned version, const std::string& request_id) {
  const StreamBody& body = *res.stream;
  const bool chunked = version != 10;
  const std::string head = ResponseHead(res, version, false, request_id,
                                        chunked ? Framing::kChunked : Framing::kUntilClose);
  auto channel = std::make_shared<StreamChannel>(conn->stream.get_executor());
  conn->stream.expires_after(core->options.request_timeout);
  auto head_result = co_await asio::async_write(conn->stream, asio::buffer(head), kTuple);
  bool failed = static_cast<bool>(std::get<0>(head_result));
  conn->stream_wake = &channel->wake;
  // A client of a stream sends nothing more; a read that ends means it went away.
  auto gone = std::make_shared<bool>(false);
  asio::co_spawn(
      conn->stream.get_executor(),
      [conn, channel, gone]() -> asio::awaitable<void> {
        std::array<char, 512> scratch{};
        for (;;) {
          auto space = asio::buffer(scratch);
          auto read_result = co_await conn->stream.socket().async_read_some(space, kTuple);
          if (std::get<0>(read_result)) break;
        }
        *gone = true;
        channel->wake.cancel();
      },
      asio::detached);
  if (!failed && body.start) body.start(channel);
  auto last_write = std::chrono::steady_clock::now();
  while (!failed && !*gone && !core->stopping) {
    auto [chunks, ended] = channel->Take();
    if (chunks.empty() && (ended || std::chrono::steady_clock::now() >= body.deadline)) break;
    std::string out;
    for (const auto& c : chunks) out += chunked ? Chunk(c) : c;
    if (out.empty()) {
      const auto due = body.heartbeat.empty() ? asio::steady_timer::time_point::max()
                                              : last_write + body.heartbeat_interval;
      if (std::chrono::steady_clock::now() < due) {
        channel->wake.expires_at(std::min(due, body.deadline));
        auto wait_result = co_await channel->wake.async_wait(kTuple);
        (void)wait_result;
        continue;
      }
      out = chunked ? Chunk(body.heartbeat) : body.heartbeat;
    }
    conn->stream.expires_after(core->options.request_timeout);
    auto write_result = co_await asio::async_write(conn->stream, asio::buffer(out), kTuple);
    failed = static_cast<bool>(std::get<0>(write_result));
    last_write = std::chrono::steady_clock::now();
  }
  channel->End();
  conn->stream_wake = nullptr;
  if (body.stop) body.stop();
  if (!failed && !*gone && chunked) {
    static constexpr std::string_view kLastChunk = "0\r\n\r\n";
    conn->stream.expires_after(core->options.request_timeout);
    auto end_result = co_await asio::async_write(conn->stream, asio::buffer(kLastChunk), kTuple);
    (void)end_result;
  }
}

}  // namespace

asio::awaitable<void> Refuse(std::shared_ptr<Core> core, std::shared_ptr<Connection> conn) {
  const std::string rid = NewRequestId();
  const Response res =
      json::ErrorResponse(app::AppError{app::ErrorCode::kUnavailable,
                                        "The server is at its connection limit; retry shortly",
                                        {},
                                        {}});
  const auto wec = co_await WriteResponse(*core, *conn, res, 11, false, false, rid);
  if (!wec) co_await Linger(*conn);
  conn->stream.close();
  core->Forget(conn);
}

asio::awaitable<void> Session(std::shared_ptr<Core> core, std::shared_ptr<Connection> conn) {
  const ServerOptions& options = core->options;
  beast::flat_buffer buffer;
  std::string client_ip;
  {
    boost::system::error_code ec;
    auto ep = conn->stream.socket().remote_endpoint(ec);
    if (!ec) client_ip = ep.address().to_string();
  }
  bool first = true;
  while (!core->stopping) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
    // GCC 12 mis-destroys temporaries created inside a co_await expression, so every awaited
    // call below takes named locals only.
    if (!first && buffer.size() == 0) {
      // Keep-alive: waiting for the next request is idle time; its headers are timed from their
      // first byte, so trickling bytes cannot hold a connection longer than that.
      conn->stream.expires_after(options.idle_timeout);
      auto space = buffer.prepare(kFirstReadBytes);
      auto wait_result = co_await conn->stream.async_read_some(space, kTuple);
      const auto wec = std::get<0>(wait_result);
      if (wec) break;  // closed, idle too long, or stopping: nothing to answer
      buffer.commit(std::get<1>(wait_result));
    }
    first = false;
    // One clock read for the header deadline and, when the headers are already buffered (the
    // common case), for the request's start as well.
    const auto header_started = std::chrono::steady_clock::now();
    conn->stream.expires_at(header_started + options.header_timeout);
    boost::system::error_code hec;
    bool waited_for_headers = false;
    if (!ParseBuffered(parser, buffer, true, hec) && !hec) {
      waited_for_headers = true;
      auto header_result = co_await bhttp::async_read_header(conn->stream, buffer, parser, kTuple);
      hec = std::get<0>(header_result);
    }
    if (hec) {
      co_await Reject(*core, *conn, parser, hec, kHeadersPhase, header_started, client_ip);
      break;
    }
    conn->busy = true;
    const auto started = waited_for_headers ? std::chrono::steady_clock::now() : header_started;
    conn->stream.expires_at(started + options.request_timeout);
    auto& hdr = parser.get();
    if (hdr[bhttp::field::expect] == "100-continue") {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, hdr.version()};
      co_await bhttp::async_write(conn->stream, cont, kTuple);
      conn->stream.expires_after(options.request_timeout);
    }
    boost::system::error_code bec;
    if (!ParseBuffered(parser, buffer, false, bec) && !bec) {
      auto body_result = co_await bhttp::async_read(conn->stream, buffer, parser, kTuple);
      bec = std::get<0>(body_result);
    }
    if (bec) {
      co_await Reject(*core, *conn, parser, bec, kBodyPhase, started, client_ip);
      break;
    }
    auto beast_req = parser.release();

    Request req;
    req.method = ToMethod(beast_req.method());
    req.target = std::string(beast_req.target());
    for (const auto& field : beast_req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.items.emplace_back(std::move(name), std::string(field.value()));
    }
    req.client_ip = ClientIp(options, client_ip, req);
    auto rid = req.headers.Get("x-request-id");
    req.request_id = rid && IsSafeRequestId(*rid) ? std::string(*rid) : NewRequestId();
    req.body = std::move(beast_req.body());

    Answer answer{{}, "unmatched"};
    if (!ParseTarget(req.target, req.path, req.query)) {
      answer.response =
          json::ErrorResponse(app::AppError::Validation("url", "is not a valid request target"));
    } else {
      Dispatched dispatched = core->dispatcher.Dispatch(req);
      if (dispatched.now) {
        answer = std::move(*dispatched.now);
      } else {
        answer = co_await OnWorker(core->workers, std::move(dispatched.later));
      }
    }
    Response& res = answer.response;
    core->cors.Apply(req, res);
    const unsigned version = beast_req.version();
    const bool head_only = req.method == Method::kHead;
    if (res.stream && !head_only && core->open_streams.fetch_add(1) >= options.max_streams) {
      core->open_streams.fetch_sub(1);
      if (res.stream->stop) res.stream->stop();
      spdlog::warn("request {}: {} streams are open; refusing another", req.request_id,
                   options.max_streams);
      res = json::ErrorResponse(app::AppError{
          app::ErrorCode::kUnavailable, "Too many open event streams; retry shortly", {}, {}});
      core->cors.Apply(req, res);
    } else if (res.stream && head_only) {
      if (res.stream->stop) res.stream->stop();
      res.stream.reset();
    }
    const int status = res.status;
    if (res.stream) {
      // Logged when the stream starts: it may stay open for hours.
      spdlog::info("{} {} {} stream id={} ip={}", ToString(req.method), req.target, status,
                   req.request_id, req.client_ip);
      if (core->observer) core->observer(answer.route, ToString(req.method), status, 0.0);
      co_await Stream(core, conn, res, version, req.request_id);
      core->open_streams.fetch_sub(1);
      break;
    }
    const bool keep_alive = beast_req.keep_alive() && !core->stopping;
    const auto wec =
        co_await WriteResponse(*core, *conn, res, version, keep_alive, head_only, req.request_id);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("{} {} {} {:.2f}ms id={} ip={}", ToString(req.method), req.target, status,
                 seconds * 1000.0, req.request_id, req.client_ip);
    if (core->observer) core->observer(answer.route, ToString(req.method), status, seconds);
    conn->busy = false;
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn->stream.close();
  core->Forget(conn);
}

}  // namespace coffee::http::server
