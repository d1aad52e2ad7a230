#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <mutex>

namespace coffee::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

boost::json::value HttpResult::Json() const { return boost::json::parse(body); }

namespace {

/// When COFFEE_HTTP_RECORD names a file, every exchange is appended to it as one JSON line
/// {method, target, status, content_type, body}: tests/contract/validate-responses.mjs then
/// validates each answer against docs/openapi.json, so the document cannot drift from the code.
void Record(const std::string& method, const std::string& target, const HttpResult& res) {
  static const char* const path = std::getenv("COFFEE_HTTP_RECORD");
  if (path == nullptr || *path == '\0') return;
  static std::mutex mu;
  const boost::json::object line{{"method", method},
                                 {"target", target},
                                 {"status", res.status},
                                 {"content_type", res.Header("content-type")},
                                 {"body", res.body}};
  const std::lock_guard lock(mu);
  std::ofstream(path, std::ios::app) << boost::json::serialize(line) << '\n';
}

}  // namespace

std::string HttpResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

struct HttpClient::Impl {
  explicit Impl(unsigned short p) : port(p) {}
  unsigned short port;
  asio::io_context io;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void Connect() {
    stream = std::make_unique<beast::tcp_stream>(io);
    stream->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    buffer.clear();
  }
};

HttpClient::HttpClient(unsigned short port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::Send(const std::string& method, const std::string& target,
                            const std::string& body, const HeaderList& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bool has_content_type = false;
  for (const auto& [k, v] : headers) {
    req.set(k, v);
    if (beast::iequals(k, "content-type")) has_content_type = true;
  }
  if (!body.empty() && !has_content_type) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->stream) impl_->Connect();
      impl_->stream->expires_after(std::chrono::seconds(30));
      bhttp::write(*impl_->stream, req);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      bhttp::read(*impl_->stream, impl_->buffer, parser);
      auto res = parser.release();
      HttpResult out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& f : res) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
      }
      out.body = res.body();
      if (!res.keep_alive()) impl_->stream.reset();
      Record(method, target, out);
      return out;
    } catch (const boost::system::system_error&) {
      impl_->stream.reset();  // the server closed the kept-alive connection: retry once
      if (attempt == 1) throw;
    }
  }
  return {};
}

namespace {

HeaderList Auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace

HttpResult HttpClient::Get(const std::string& target, const std::string& token) {
  return Send("GET", target, "", Auth(token));
}
HttpResult HttpClient::Post(const std::string& target, const std::string& json,
                            const std::string& token) {
  return Send("POST", target, json, Auth(token));
}
HttpResult HttpClient::Put(const std::string& target, const std::string& json,
                           const std::string& token) {
  return Send("PUT", target, json, Auth(token));
}
HttpResult HttpClient::Patch(const std::string& target, const std::string& json,
                             const std::string& token) {
  return Send("PATCH", target, json, Auth(token));
}
HttpResult HttpClient::Delete(const std::string& target, const std::string& token) {
  return Send("DELETE", target, "", Auth(token));
}

std::string HttpClient::Raw(const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port));
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  std::string out;
  std::array<char, 4096> buf{};
  for (;;) {
    const auto n = socket.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf.data(), n);
  }
  return out;
}

}  // namespace coffee::testing
