#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "http_test_support.hpp"
#include "raw_connection.hpp"

namespace coffee::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Routes the process's log lines into memory while alive (the test's server runs inside it).
class LogCapture {
 public:
  LogCapture()
      : previous_(spdlog::default_logger()),
        sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(2000)),
        logger_(std::make_shared<spdlog::logger>("capture", sink_)) {
    logger_->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger_);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// True if one line contains every one of `parts`.
  [[nodiscard]] bool HasLine(std::initializer_list<std::string_view> parts) const {
    for (const auto& line : sink_->last_formatted()) {
      bool all = true;
      for (auto part : parts) all = all && line.find(part) != std::string::npos;
      if (all) return true;
    }
    return false;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

/// Makes sure the test may hold `needed` sockets (plus the server's side of them).
void EnsureFileLimit(rlim_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return;
  limit.rlim_cur = std::min(needed, limit.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

using Connections = std::vector<std::unique_ptr<RawConnection>>;

/// How many of `conns` the server has not closed by `deadline`.
std::size_t OpenAfter(Connections& conns, Clock::time_point deadline) {
  for (;;) {
    std::size_t open = 0;
    for (auto& c : conns) {
      if (!c->Closed(0ms)) ++open;
    }
    if (open == 0 || Clock::now() >= deadline) return open;
    std::this_thread::sleep_for(100ms);
  }
}

/// Sends one byte every `period` on each connection until stopped (or the server closes it).
class Trickler {
 public:
  Trickler(std::vector<RawConnection*> conns, std::chrono::milliseconds period)
      : thread_([this, conns = std::move(conns), period] {
          while (!stop_) {
            for (auto* c : conns) c->Send("a");
            std::this_thread::sleep_for(period);
          }
        }) {}
  ~Trickler() {
    stop_ = true;
    thread_.join();
  }
  Trickler(const Trickler&) = delete;
  Trickler& operator=(const Trickler&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class HostileHttp : public HttpTest {
 protected:
  void SetUp() override {}  // each test starts its server with the settings it needs
  void TearDown() override {
    HttpTest::TearDown();
    log_.reset();  // after the server's threads are gone
  }

  void Start(const std::function<void(config::Config&)>& tweak = {}) {
    server_ = std::make_unique<TestServer>(GetParam(), true, tweak);
    client_ = server_->Client();
  }

  /// A server with these three timeouts: the one a test exercises short, the others long
  /// enough that they cannot be what ends its connections.
  void StartWithTimeouts(std::chrono::seconds header, std::chrono::seconds request,
                         std::chrono::seconds idle) {
    Start([header, request, idle](config::Config& c) {
      c.header_timeout = header;
      c.request_timeout = request;
      c.idle_timeout = idle;
    });
  }

  /// A fresh client gets /healthz and the catalog.
  void ExpectStillServing() const {
    auto client = server_->Client();
    EXPECT_EQ(client->Get("/healthz").status, 200);
    auto coffees = client->Get("/api/coffees");
    EXPECT_EQ(coffees.status, 200) << coffees.body;
    EXPECT_TRUE(coffees.Json().is_array());
  }

  /// A 400 in the error shape whose `fields` names `field`.
  static void ExpectFieldError(const HttpResult& res, const std::string& field,
                               const std::string& context) {
    SCOPED_TRACE(context);
    auto body = ExpectError(res, 400, "VALIDATION_ERROR");
    ASSERT_TRUE(body.contains("fields")) << res.body;
    EXPECT_TRUE(body["fields"].as_object().contains(field)) << res.body;
  }

  std::unique_ptr<LogCapture> log_;
};

constexpr std::size_t kSlowClients = 500;

TEST_P(HostileHttp, SlowHeaderClientsAreDroppedAtTheHeaderDeadlineWhileOthersAreServed) {
  log_ = std::make_unique<LogCapture>();
  // Neither the request nor the idle timeout may be what frees the slow connections.
  StartWithTimeouts(5s, 60s, 60s);
  EnsureFileLimit(4 * kSlowClients + 256);
  Connections slow;
  std::vector<RawConnection*> tricklers;
  for (std::size_t i = 0; i < kSlowClients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(slow.back()->connected()) << i;
    if (i % 5 == 0) {
      ASSERT_TRUE(slow.back()->Send("GE"));  // not even a whole method
    } else {
      ASSERT_TRUE(slow.back()->Send("GET /api/coffees HTTP/1.1\r\nHost: x\r\nX-Slow: "));
      if (tricklers.size() < 20) tricklers.push_back(slow.back().get());
    }
  }
  const auto start = Clock::now();
  Trickler trickle(tricklers, 250ms);

  for (int i = 0; i < 5; ++i) {
    auto client = server_->Client();
    EXPECT_EQ(client->Get("/healthz").status, 200);
    auto coffees = client->Get("/api/coffees");
    EXPECT_EQ(coffees.status, 200);
    EXPECT_EQ(coffees.Json().as_array().size(), 10U);
  }
  // The answers above came while every slow connection was still held open.
  EXPECT_EQ(OpenAfter(slow, Clock::now()), kSlowClients);

  // The header deadline (5 s) frees them all, the trickling ones too; well before the 60 s
  // request and idle timeouts could have.
  EXPECT_EQ(OpenAfter(slow, start + 25s), 0U);
  for (const auto& c : slow) EXPECT_EQ(c->received(), "");  // closed without an answer
  EXPECT_TRUE(log_->HasLine({"timed out reading the headers"}));
  ExpectStillServing();
}

TEST_P(HostileHttp, SlowBodyClientsAreDroppedAtTheRequestTimeout) {
  log_ = std::make_unique<LogCapture>();
  StartWithTimeouts(60s, 2s, 60s);
  Connections slow;
  std::vector<RawConnection*> tricklers;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send(
        "POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\nX-Request-Id: slow-body-" +
        std::to_string(i) + "\r\n\r\n{\"items\":"));
    if (i < 10) tricklers.push_back(slow.back().get());
  }
  const auto start = Clock::now();
  Trickler trickle(tricklers, 250ms);
  ExpectStillServing();
  EXPECT_EQ(OpenAfter(slow, start + 20s), 0U);
  for (const auto& c : slow) EXPECT_EQ(c->received(), "");
  EXPECT_TRUE(log_->HasLine({"POST /api/orders - timed out reading the body", "id=slow-body-"}));
  ExpectStillServing();
}

TEST_P(HostileHttp, ClientsThatStopReadingAreDroppedAtTheRequestTimeout) {
  StartWithTimeouts(60s, 2s, 60s);
  RawConnection reader(server_->port());
  ASSERT_TRUE(reader.connected());
  // 20 pipelined requests for a 1.8 MB file, far more than the socket buffers hold, from a
  // client that reads nothing: the server's write waits, and must give up at the request
  // timeout rather than hold the connection.
  constexpr int kRequests = 20;
  std::string requests;
  for (int i = 0; i < kRequests; ++i) {
    requests += "GET /swagger-ui/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  ASSERT_TRUE(reader.Send(requests));
  std::this_thread::sleep_for(5s);
  ExpectStillServing();
  // Reading now drains what the server sent before it closed, then finds the end: well short
  // of every response. A server still waiting would finish them all as the client reads, then
  // keep the connection open for the 60 s idle timeout.
  EXPECT_TRUE(reader.Closed(20s));
  std::size_t answered = 0;
  for (auto at = reader.received().find("HTTP/1.1 200"); at != std::string::npos;
       at = reader.received().find("HTTP/1.1 200", at + 1)) {
    ++answered;
  }
  EXPECT_GT(answered, 0U);
  EXPECT_LT(answered, static_cast<std::size_t>(kRequests));
}

TEST_P(HostileHttp, KeepAliveWaitIsIdleTimeAndTheNextHeadersGetTheHeaderDeadline) {
  StartWithTimeouts(1s, 60s, 60s);
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(conn.Send(request));
  EXPECT_EQ(conn.ReadResponse(10s).status, 200);
  // Idle for longer than the header deadline: the connection is kept.
  std::this_thread::sleep_for(2500ms);
  ASSERT_TRUE(conn.Send(request));
  EXPECT_EQ(conn.ReadResponse(10s).status, 200);
  // Headers that start but never finish are cut off at the header deadline.
  ASSERT_TRUE(conn.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(conn.Closed(20s));
  EXPECT_EQ(conn.received(), "");
}

TEST_P(HostileHttp, ConnectionsOverTheLimitGet503InTheErrorShape) {
  Start([](config::Config& c) {
    c.max_connections = 3;
    c.header_timeout = 60s;
  });
  Connections held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(held.back()->Send("GET /healthz HTTP/1.1\r\n"));
  }
  RawConnection extra(server_->port());
  ASSERT_TRUE(extra.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(extra.Closed(20s));
  auto parsed = ParseResponse(extra.received());
  ASSERT_TRUE(parsed) << extra.received();
  ExpectError(parsed->first, 503, "SERVICE_UNAVAILABLE");
  EXPECT_FALSE(parsed->first.Header("retry-after").empty());

  held.clear();  // the server notices the closes and admits new connections again
  int status = 0;
  for (const auto deadline = Clock::now() + 20s; status != 200 && Clock::now() < deadline;) {
    status = server_->Client()->Get("/healthz").status;
    if (status != 200) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 200);
}

TEST_P(HostileHttp, OversizedHeadersAre431) {
  Start();
  auto res = client_->Send("GET", "/healthz", "",
                           {{"X-Big", std::string(20 * 1024, 'a')}, {"X-Request-Id", "big-hdr"}});
  ExpectError(res, 431, "HEADERS_TOO_LARGE");
  ExpectStillServing();
}

TEST_P(HostileHttp, OversizedBodyIs413WithTheClientsRequestIdAndIsLogged) {
  log_ = std::make_unique<LogCapture>();
  Start();
  const std::string token = server_->UserToken();
  auto res = client_->Send("POST", "/api/orders", std::string(1024 * 1024 + 1, ' '),
                           {{"Authorization", "Bearer " + token}, {"X-Request-Id", "big-body-1"}});
  auto body = ExpectError(res, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(res.Header("x-request-id"), "big-body-1");
  EXPECT_EQ(res.Header("connection"), "close");

  // A chunked body has no Content-Length to refuse up front: it is cut off at the limit.
  RawConnection chunked(server_->port());
  ASSERT_TRUE(
      chunked.Send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\nX-Request-Id: chunky\r\n\r\n"));
  const std::string chunk(256 * 1024, 'x');
  for (int i = 0; i < 5; ++i) {
    if (!chunked.Send("40000\r\n" + chunk + "\r\n")) break;  // 0x40000 = 256 KiB
  }
  chunked.Send("0\r\n\r\n");
  ASSERT_TRUE(chunked.Closed(20s));
  auto parsed = ParseResponse(chunked.received());
  ASSERT_TRUE(parsed) << chunked.received().substr(0, 200);
  ExpectError(parsed->first, 413, "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(parsed->first.Header("x-request-id"), "chunky");

  EXPECT_TRUE(log_->HasLine({"POST /api/orders 413", "id=big-body-1"}));
  EXPECT_TRUE(log_->HasLine({"POST /api/auth/login 413", "id=chunky"}));
  auto metrics = server_->Client()->Get("/metrics");
  EXPECT_NE(metrics.body.find(R"(method="POST",route="unmatched",status="413")"),
            std::string::npos);
  ExpectStillServing();
}

TEST_P(HostileHttp, MalformedRequestsAre400InTheErrorShape) {
  log_ = std::make_unique<LogCapture>();
  Start();
  const std::vector<std::string> requests = {
      "NOT HTTP AT ALL\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nA header without a colon\r\n\r\n",
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
      "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
  };
  for (const auto& raw : requests) {
    SCOPED_TRACE(raw);
    const std::string reply = client_->Raw(raw);
    auto parsed = ParseResponse(reply);
    ASSERT_TRUE(parsed) << reply;
    auto body = ExpectError(parsed->first, 400, "VALIDATION_ERROR");
    EXPECT_NE(std::string(body["details"].as_string()).find("Malformed HTTP request"),
              std::string::npos);
  }
  EXPECT_TRUE(log_->HasLine({"- - 400", "rejected"}));
  EXPECT_TRUE(log_->HasLine({"POST /api/auth/login 400", "rejected"}));
  ExpectStillServing();
}

TEST_P(HostileHttp, DeepJsonIsRejectedQuickly) {
  Start();
  const std::string token = server_->UserToken();
  const std::string prefix = R"({"items":)";
  const std::string deep = prefix + std::string(1024 * 1024 - prefix.size() - 64, '[');
  const auto start = Clock::now();
  auto body = ExpectError(client_->Post("/api/orders/quote", deep, token), 400, "VALIDATION_ERROR");
  EXPECT_LT(Clock::now() - start, 10s);  // did not hang
  EXPECT_NE(std::string(body["details"].as_string()).find("deeper than 32"), std::string::npos);

  // 33 levels is one too many; 32 is fine, even in a field the route does not read.
  const std::string item = R"({"coffee_item_id":1,"quantity":1})";
  const auto nested = [&](int arrays) {
    return R"({"items":[)" + item + R"(],"extra":)" + std::string(arrays, '[') +
           std::string(arrays, ']') + "}";
  };
  ExpectError(client_->Post("/api/orders/quote", nested(32), token), 400, "VALIDATION_ERROR");
  auto fine = client_->Post("/api/orders/quote", nested(31), token);
  EXPECT_EQ(fine.status, 200) << fine.body;
  ExpectStillServing();
}

TEST_P(HostileHttp, HugeJsonIsRejectedQuickly) {
  Start();
  const std::string token = server_->UserToken();
  const std::size_t room = 1024 * 1024 - 64;
  const auto start = Clock::now();
  // A string of nearly 1 MiB where an array belongs, and one that never ends.
  ExpectFieldError(
      client_->Post("/api/orders/quote", R"({"items":")" + std::string(room, 'a') + R"("})", token),
      "items", "1 MiB string");
  ExpectFieldError(client_->Post("/api/orders", R"({"items":")" + std::string(room, 'a'), token),
                   "body", "unterminated string");
  // Tens of thousands of lines where at most 50 are allowed.
  std::string many = R"({"items":[)";
  const std::string item = R"({"coffee_item_id":1,"quantity":1},)";
  while (many.size() + item.size() < room) many += item;
  many.back() = ']';
  many += '}';
  ExpectError(client_->Post("/api/orders", many, token), 400, "VALIDATION_ERROR");
  // A number with a million digits.
  ExpectError(client_->Post("/api/orders/quote",
                            R"({"items":[{"coffee_item_id":1,"quantity":)" +
                                std::string(room - 64, '9') + "}]}",
                            token),
              400, "VALIDATION_ERROR");
  EXPECT_LT(Clock::now() - start, 20s);  // did not hang
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM orders"), "0");
  ExpectStillServing();
}

TEST_P(HostileHttp, InvalidUtf8IsRejected) {
  Start();
  const std::string token = server_->UserToken();
  const std::vector<std::string> bodies = {
      "{\"items\":[],\"note\":\"\xff\xfe\"}",
      "{\"items\":[],\"note\":\"\xc0\xaf\"}",      // overlong '/'
      "{\"items\":[],\"note\":\"\xed\xa0\x80\"}",  // an encoded surrogate
      "{\"items\":[],\"note\":\"\xe2\x82\"}",      // truncated sequence
      "{\"items\":[],\"\xf5\x80\x80\x80\":1}",     // beyond U+10FFFF, in a key
      R"({"items":[],"note":"\ud800"})",           // a lone surrogate escape
  };
  for (const auto& body : bodies) {
    auto res = client_->Post("/api/orders", body, token);
    auto error = ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_NE(std::string(error["details"].as_string()).find("Malformed JSON body"),
              std::string::npos)
        << res.body;
  }
  ExpectStillServing();
}

TEST_P(HostileHttp, DuplicateKeysAreRejectedNamingTheKey) {
  Start();
  const std::string user = server_->UserToken();
  const std::string admin = server_->AdminToken();
  ExpectFieldError(
      client_->Post("/api/orders", R"({"items":[{"coffee_item_id":1,"quantity":1,"quantity":99}]})",
                    user),
      "items[0].quantity", "order line");
  ExpectFieldError(
      client_->Post("/api/orders/quote",
                    R"({"items":[],"items":[{"coffee_item_id":1,"quantity":1}]})", user),
      "items", "top level");
  ExpectFieldError(client_->Post("/api/business-rules/pricing",
                                 R"({"rule_type":"promotional","discount_type":"percentage",)"
                                 R"("discount_value":5,"discount_value":100})",
                                 admin),
                   "discount_value", "rule");
  ExpectFieldError(client_->Put("/api/business-rules/loyalty-config",
                                R"({"bonus_multipliers":{"1":2,"2":3,"1":4}})", admin),
                   "bonus_multipliers.1", "loyalty");
  ExpectFieldError(
      client_->Post("/api/auth/login", R"({"email":"a@b.co","password":"x","email":"c@d.co"})"),
      "email", "login");
  // The same key in two different objects is not a duplicate.
  auto fine = client_->Post(
      "/api/orders/quote",
      R"({"items":[{"coffee_item_id":1,"quantity":1},{"coffee_item_id":2,"quantity":1}]})", user);
  EXPECT_EQ(fine.status, 200) << fine.body;
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM orders"), "0");
  ExpectStillServing();
}

TEST_P(HostileHttp, OutOfRangeNumbersAre400NamingTheField) {
  Start();
  const std::string user = server_->UserToken();
  const std::string admin = server_->AdminToken();
  const std::vector<std::tuple<std::string, std::string>> lines = {
      {"1e400", "items[0].quantity"},
      {"-1e400", "items[0].quantity"},
      {"99999999999999999999", "items[0].quantity"},
      {"18446744073709551615", "items[0].quantity"},
      {"-9223372036854775808", "items[0].quantity"},
      {"-0", "items[0].quantity"},
      {"1.5", "items[0].quantity"},
      {"1e300", "items[0].quantity"},
      {"\"2\"", "items[0].quantity"},
  };
  for (const auto& [quantity, field] : lines) {
    const std::string body = R"({"items":[{"coffee_item_id":1,"quantity":)" + quantity + "}]}";
    ExpectFieldError(client_->Post("/api/orders", body, user), field, "order " + body);
    ExpectFieldError(client_->Post("/api/orders/quote", body, user), field, "quote " + body);
  }
  ExpectFieldError(client_->Post("/api/orders/quote",
                                 R"({"items":[{"coffee_item_id":1e19,"quantity":1}]})", user),
                   "items[0].coffee_item_id", "coffee id");

  const std::string rule = R"({"rule_type":"quantity_based","discount_type":"fixed_amount",)";
  const std::vector<std::tuple<std::string, std::string>> rules = {
      {rule + R"("discount_value":1e400,"min_quantity":3})", "discount_value"},
      {rule + R"("discount_value":"99999999999999999999999.99","min_quantity":3})",
       "discount_value"},
      {rule + R"("discount_value":-9223372036854775808,"min_quantity":3})", "discount_value"},
      {rule + R"("discount_value":18446744073709551615,"min_quantity":3})", "discount_value"},
      {rule + R"("discount_value":1e300,"min_quantity":3})", "discount_value"},
      {rule + R"("discount_value":5,"min_quantity":99999999999999999999})", "min_quantity"},
      {rule + R"("discount_value":5,"min_quantity":2.5})", "min_quantity"},
      {rule + R"("discount_value":5,"min_quantity":3,"priority":1e10})", "priority"},
      {rule + R"("discount_value":5,"min_quantity":3,"coffee_ids":[1,1e400]})", "coffee_ids[1]"},
  };
  for (const auto& [body, field] : rules) {
    ExpectFieldError(client_->Post("/api/business-rules/pricing", body, admin), field, body);
  }

  const std::vector<std::tuple<std::string, std::string>> availability = {
      {R"({"coffee_id":1e400,"status":"available"})", "coffee_id"},
      {R"({"coffee_id":99999999999999999999,"status":"available"})", "coffee_id"},
      {R"({"coffee_id":1.5,"status":"available"})", "coffee_id"},
  };
  for (const auto& [body, field] : availability) {
    ExpectFieldError(client_->Post("/api/business-rules/availability", body, admin), field, body);
  }

  const std::vector<std::tuple<std::string, std::string>> loyalty = {
      {R"({"points_per_dollar":1e400})", "points_per_dollar"},
      {R"({"points_per_dollar":"123456789012345678901234567890"})", "points_per_dollar"},
      {R"({"points_per_dollar":-9223372036854775808})", "points_per_dollar"},
      {R"({"points_per_dollar":1e18})", "points_per_dollar"},
      {R"({"bonus_multipliers":{"1":1e400}})", "bonus_multipliers.1"},
      {R"({"bonus_multipliers":{"1":99999999999999999999}})", "bonus_multipliers.1"},
      {R"({"bonus_multipliers":{"99999999999999999999":2}})",
       "bonus_multipliers.99999999999999999999"},
  };
  for (const auto& [body, field] : loyalty) {
    ExpectFieldError(client_->Put("/api/business-rules/loyalty-config", body, admin), field, body);
  }

  ExpectFieldError(client_->Post("/api/coffees",
                                 R"({"name":"Huge","coffee_type":"x","price":-9223372036854775808,)"
                                 R"("rating":4,"image_url":"https://example.com/a.png"})",
                                 admin),
                   "price", "coffee price");
  ExpectFieldError(client_->Post("/api/coffees",
                                 R"({"name":"Huge","coffee_type":"x","price":4,"rating":1e400,)"
                                 R"("image_url":"https://example.com/a.png"})",
                                 admin),
                   "rating", "coffee rating");

  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM orders"), "0");
  EXPECT_EQ(server_->db().QueryValue("SELECT COUNT(*) FROM coffees"), "12");
  ExpectStillServing();
}

TEST_P(HostileHttp, UnknownFieldsAreIgnored) {
  Start();
  const std::string user = server_->UserToken();
  const std::string admin = server_->AdminToken();
  auto plain =
      client_->Post("/api/orders/quote", R"({"items":[{"coffee_item_id":1,"quantity":2}]})", user);
  ASSERT_EQ(plain.status, 200) << plain.body;
  auto extra =
      client_->Post("/api/orders/quote",
                    R"({"items":[{"coffee_item_id":1,"quantity":2,"price":"0.01","gift":true}],)"
                    R"("coupon":"FREE","nested":{"a":[1,2,{"b":null}]},"total_price":0})",
                    user);
  ASSERT_EQ(extra.status, 200) << extra.body;
  EXPECT_EQ(extra.Json().at("base_price"), plain.Json().at("base_price"));
  EXPECT_EQ(extra.Json().at("total_price"), plain.Json().at("total_price"));

  auto availability =
      client_->Post("/api/business-rules/availability",
                    R"({"coffee_id":2,"status":"out_of_stock","colour":"blue"})", admin);
  EXPECT_EQ(availability.status, 201) << availability.body;
  auto loyalty = client_->Put("/api/business-rules/loyalty-config",
                              R"({"points_per_dollar":2,"tier":"gold"})", admin);
  EXPECT_EQ(loyalty.status, 200) << loyalty.body;
  auto rule = client_->Post("/api/business-rules/pricing",
                            R"({"rule_type":"promotional","discount_type":"percentage",)"
                            R"("discount_value":5,"stackable":true})",
                            admin);
  EXPECT_EQ(rule.status, 201) << rule.body;
  ExpectStillServing();
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileHttp, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace coffee::testing
