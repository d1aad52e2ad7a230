#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/json/codec.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "raw_connection.hpp"

namespace coffee::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto kWait = 3000ms;

/// The producers of the streams a test opened: their sinks, and how many were stopped.
struct Streams {
  std::mutex mu;
  std::vector<std::shared_ptr<http::StreamSink>> sinks;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};

  std::shared_ptr<http::StreamSink> Sink(std::size_t i) {
    std::lock_guard lock(mu);
    return i < sinks.size() ? sinks[i] : nullptr;
  }
};

/// Waits up to kWait for `done`.
template <typename Pred>
bool Eventually(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

/// A bare http::Server on loopback with one streaming route (`GET /events`, heartbeat every
/// 100 ms) and one plain route (`GET /plain`), at most two open streams.
class HttpStreaming : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(http::Method::kGet, "/plain", http::Access::kPublic, http::Exec::kInline,
                [](http::Request&) {
                  return http::json::JsonResponse(200, boost::json::object{{"ok", true}});
                });
    router_.Add(http::Method::kGet, "/events", http::Access::kPublic, http::Exec::kWorker,
                [this](http::Request&) {
                  http::Response res;
                  res.content_type = "text/event-stream";
                  res.headers.emplace_back("Cache-Control", "no-store");
                  res.stream = std::make_shared<http::StreamBody>();
                  res.stream->heartbeat = ": ping\n\n";
                  res.stream->heartbeat_interval = 100ms;
                  res.stream->start = [this](std::shared_ptr<http::StreamSink> sink) {
                    std::lock_guard lock(streams_.mu);
                    streams_.sinks.push_back(std::move(sink));
                    ++streams_.started;
                  };
                  res.stream->stop = [this] { ++streams_.stopped; };
                  return res;
                });
    router_.Add(http::Method::kGet, "/brief", http::Access::kPublic, http::Exec::kInline,
                [](http::Request&) {
                  http::Response res;
                  res.content_type = "text/event-stream";
                  res.stream = std::make_shared<http::StreamBody>();
                  res.stream->start = [](std::shared_ptr<http::StreamSink> sink) {
                    sink->Send("data: hello\n\n");
                  };
                  res.stream->deadline = std::chrono::steady_clock::now() + 200ms;
                  return res;
                });
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.max_streams = 2;
    server_ = std::make_unique<http::Server>(
        std::vector<asio::io_context*>{&io_}, workers_, router_,
        [](std::string_view) {
          return app::Outcome<app::AccessClaims>(
              app::AppError{app::ErrorCode::kInvalidToken, "Invalid token", {}, {}});
        },
        nullptr, nullptr, options);
    port_ = server_->Listen();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    server_->Stop();
    Eventually([this] { return server_->ActiveConnections() == 0; });
    guard_.reset();
    io_.stop();
    thread_.join();
    workers_.join();
  }

  /// Opens `GET /events` on a new connection and waits for the head.
  std::unique_ptr<RawConnection> OpenStream() {
    auto conn = std::make_unique<RawConnection>(port_);
    EXPECT_TRUE(conn->connected());
    conn->Send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n");
    EXPECT_TRUE(conn->WaitFor("\r\n\r\n", kWait)) << conn->received();
    return conn;
  }

  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
  asio::thread_pool workers_{2};
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  unsigned short port_ = 0;
  std::thread thread_;
  Streams streams_;
};

TEST_F(HttpStreaming, HeadComesFirstThenEachChunkAsItIsSent) {
  auto conn = OpenStream();
  const std::string& got = conn->received();
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
  ASSERT_TRUE(Eventually([this] { return streams_.started == 1; }));

  const std::size_t head_end = got.size();
  ASSERT_TRUE(streams_.Sink(0)->Send("event: order\ndata: {\"n\":1}\n\n"));
  // One chunk: its size in hex, then exactly the bytes sent.
  EXPECT_TRUE(conn->WaitFor("1c\r\nevent: order\ndata: {\"n\":1}\n\n\r\n", kWait, head_end))
      << conn->received();
  ASSERT_TRUE(streams_.Sink(0)->Send("data: 2\n\n"));
  EXPECT_TRUE(conn->WaitFor("data: 2\n\n", kWait, head_end)) << conn->received();
}

TEST_F(HttpStreaming, AnIdleStreamGetsHeartbeats) {
  auto conn = OpenStream();
  const std::size_t head_end = conn->received().size();
  EXPECT_TRUE(conn->WaitFor(": ping\n\n", kWait, head_end)) << conn->received();
  const std::size_t first = conn->received().rfind(": ping");
  EXPECT_TRUE(conn->WaitFor(": ping\n\n", kWait, first + 1)) << "a second heartbeat";
}

TEST_F(HttpStreaming, ProducerCloseEndsTheResponseAndTheConnection) {
  auto conn = OpenStream();
  ASSERT_TRUE(Eventually([this] { return streams_.started == 1; }));
  auto sink = streams_.Sink(0);
  sink->Send("data: last\n\n");
  sink->Close();
  EXPECT_TRUE(conn->Closed(kWait));
  EXPECT_NE(conn->received().find("data: last\n\n\r\n0\r\n\r\n"), std::string::npos)
      << conn->received();
  EXPECT_TRUE(Eventually([this] { return streams_.stopped == 1; }));
  EXPECT_FALSE(sink->Send("data: too late\n\n"));
}

TEST_F(HttpStreaming, AClientThatGoesAwayStopsItsStream) {
  auto conn = OpenStream();
  ASSERT_TRUE(Eventually([this] { return streams_.started == 1; }));
  auto sink = streams_.Sink(0);
  conn.reset();  // closes the socket
  EXPECT_TRUE(Eventually([this] { return streams_.stopped == 1; }));
  EXPECT_FALSE(sink->Send("data: nobody listens\n\n"));
  EXPECT_TRUE(Eventually([this] { return server_->ActiveConnections() == 0; }));
}

TEST_F(HttpStreaming, OpenStreamsAreBoundedWith503AndRetryAfter) {
  auto one = OpenStream();
  auto two = OpenStream();
  ASSERT_TRUE(Eventually([this] { return streams_.started == 2; }));

  RawConnection three(port_);
  three.Send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto refused = three.ReadResponse(kWait);
  EXPECT_EQ(refused.status, 503) << three.received();
  EXPECT_EQ(refused.Header("retry-after"), "5");
  EXPECT_NE(refused.body.find("SERVICE_UNAVAILABLE"), std::string::npos) << refused.body;
  EXPECT_EQ(streams_.started, 2);
  EXPECT_TRUE(Eventually([this] { return streams_.stopped == 1; })) << "the refused one";

  one.reset();
  ASSERT_TRUE(Eventually([this] { return streams_.stopped == 2; }));
  auto again = OpenStream();
  EXPECT_NE(again->received().find("HTTP/1.1 200"), std::string::npos) << again->received();
}

TEST_F(HttpStreaming, OtherRequestsAreServedWhileStreamsAreOpen) {
  auto stream = OpenStream();
  RawConnection plain(port_);
  for (int i = 0; i < 3; ++i) {
    plain.Send("GET /plain HTTP/1.1\r\nHost: test\r\n\r\n");
    const auto res = plain.ReadResponse(kWait);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, R"({"ok":true})");
  }
}

TEST_F(HttpStreaming, ServerStopEndsOpenStreams) {
  auto conn = OpenStream();
  ASSERT_TRUE(Eventually([this] { return streams_.started == 1; }));
  server_->Stop();
  EXPECT_TRUE(conn->Closed(kWait));
  EXPECT_NE(conn->received().find("0\r\n\r\n"), std::string::npos) << conn->received();
  EXPECT_TRUE(Eventually([this] { return streams_.stopped == 1; }));
}

TEST_F(HttpStreaming, AStreamEndsByItselfAtItsDeadline) {
  RawConnection conn(port_);
  conn.Send("GET /brief HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto opened = std::chrono::steady_clock::now();
  EXPECT_TRUE(conn.Closed(kWait));
  EXPECT_GE(std::chrono::steady_clock::now() - opened, 150ms);
  EXPECT_NE(conn.received().find("data: hello\n\n\r\n0\r\n\r\n"), std::string::npos)
      << conn.received();
}

TEST_F(HttpStreaming, HeadOfAStreamingRouteIsAnEmptyAnswer) {
  RawConnection conn(port_);
  conn.Send("HEAD /events HTTP/1.1\r\nHost: test\r\n\r\n");
  EXPECT_TRUE(conn.WaitFor("\r\n\r\n", kWait));
  EXPECT_NE(conn.received().find("HTTP/1.1 200"), std::string::npos) << conn.received();
  EXPECT_TRUE(Eventually([this] { return streams_.stopped == 1; }));
  EXPECT_EQ(streams_.started, 0);
}

}  // namespace
}  // namespace coffee::testing
