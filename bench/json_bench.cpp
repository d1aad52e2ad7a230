// Google Benchmark: JSON work of one POST /api/orders, with Boost.JSON and the project's
// SerializeJson (src/http/json/codec.hpp).
//   BM_ParseOrderRequest       parse the 2-line request body and read its items
//   BM_SerializeOrderResponse  build the 201 body (SPEC §6 shape) and serialize it
//   BM_ParseAndSerializeOrder  both, i.e. the JSON cost of one order
//   BM_ParseOrderResponse      parse the 201 body back (what a client does)
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/json/codec.hpp"

namespace {

namespace json = boost::json;

constexpr std::string_view kRequestBody =
    R"({"items":[{"coffee_item_id":1,"quantity":2},{"coffee_item_id":2,"quantity":1}]})";

struct Item {
  std::int64_t coffee_id;
  std::int64_t quantity;
};

std::vector<Item> ParseRequest(std::string_view body) {
  const json::value v = json::parse(body);
  std::vector<Item> items;
  const json::array& arr = v.as_object().at("items").as_array();
  items.reserve(arr.size());
  for (const json::value& line : arr) {
    const json::object& o = line.as_object();
    items.push_back({o.at("coffee_item_id").as_int64(), o.at("quantity").as_int64()});
  }
  return items;
}

json::object BuildResponse(const std::vector<Item>& items) {
  json::array lines;
  std::int64_t n = 0;
  for (const Item& item : items) {
    ++n;
    lines.push_back(json::object{{"id", 1000 + n},
                                 {"coffee_item_id", item.coffee_id},
                                 {"coffee_name", n == 1 ? "Espresso" : "Cappuccino"},
                                 {"quantity", item.quantity},
                                 {"price_snapshot", n == 1 ? "3.50" : "4.50"},
                                 {"subtotal", n == 1 ? "7.00" : "4.50"},
                                 {"discount", n == 1 ? "1.05" : "0.68"},
                                 {"final", n == 1 ? "5.95" : "3.82"}});
  }
  json::array applied;
  applied.push_back(json::object{
      {"rule_id", 1}, {"description", "10% off orders of 3 or more items"}, {"discount", "1.15"}});
  applied.push_back(json::object{
      {"rule_id", 3}, {"description", "Bench promotion: 5% off everything"}, {"discount", "0.58"}});
  return json::object{{"id", "3f1c2a9e-8d47-4b6a-9e21-5c0d7f4b8a13"},
                      {"user_id", 42},
                      {"status", "pending"},
                      {"payment_status", "unpaid"},
                      {"base_price", "11.50"},
                      {"discount_total", "1.73"},
                      {"total_price", "9.77"},
                      {"applied_rules", std::move(applied)},
                      {"pricing_strategy", "best_price"},
                      {"pricing_combination", "additive"},
                      {"prep_work_minutes", 6},
                      {"estimated_prep_minutes", 6},
                      {"estimated_ready_at", "2026-02-28T10:36:00.000000Z"},
                      {"loyalty_points_awarded", 0},
                      {"items", std::move(lines)},
                      {"created_at", "2026-02-28T10:30:00.000000Z"},
                      {"updated_at", "2026-02-28T10:30:00.000000Z"}};
}

void BM_ParseOrderRequest(benchmark::State& state) {
  for (auto _ : state) {
    auto items = ParseRequest(kRequestBody);
    benchmark::DoNotOptimize(items);
  }
}
BENCHMARK(BM_ParseOrderRequest);

void BM_SerializeOrderResponse(benchmark::State& state) {
  const auto items = ParseRequest(kRequestBody);
  for (auto _ : state) {
    std::string body = coffee::http::json::SerializeJson(BuildResponse(items));
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_SerializeOrderResponse);

void BM_ParseAndSerializeOrder(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto items = ParseRequest(kRequestBody);
    std::string body = coffee::http::json::SerializeJson(BuildResponse(items));
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ParseAndSerializeOrder);

void BM_ParseOrderResponse(benchmark::State& state) {
  const std::string body = json::serialize(BuildResponse(ParseRequest(kRequestBody)));
  for (auto _ : state) {
    json::value v = json::parse(body);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_ParseOrderResponse);

}  // namespace

BENCHMARK_MAIN();
