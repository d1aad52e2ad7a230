#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "domain/time.hpp"
#include "http/json/codec.hpp"
#include "http/json/errors.hpp"
#include "http/json/field_reader.hpp"
#include "http/json/readers.hpp"
#include "http/router.hpp"

namespace coffee::http::json {
namespace {

namespace bj = boost::json;

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = Method::kPost;
  r.headers.items.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

TEST(JsonSerializer, WritesPlainNumbersAndPricesWithTwoDecimals) {
  bj::object o{{"price", 4.5}, {"rating", 4.8}, {"n", 3}, {"s", "a\"b\n"}, {"z", nullptr}};
  EXPECT_EQ(SerializeJson(o), R"({"price":4.50,"rating":4.8,"n":3,"s":"a\"b\n","z":null})");
}

TEST(JsonSerializer, EscapesControlCharacters) {
  EXPECT_EQ(SerializeJson(bj::string(std::string("\x01", 1))), R"("\u0001")");
}

TEST(JsonBody, WrongContentTypeIs415) {
  auto r = ParseJsonObject(JsonRequest("{}", "text/plain"));
  ASSERT_FALSE(r);
  EXPECT_EQ(Describe(r.error().code).status, 415);
  EXPECT_TRUE(ParseJsonObject(JsonRequest("{}", "application/json; charset=utf-8")));
}

TEST(JsonBody, MalformedDeepOrNonObjectIs400) {
  for (const std::string& body :
       {std::string("{"), std::string("[]"), std::string("42"), std::string(""),
        std::string(40, '[') + std::string(40, ']'), std::string("{\"a\":\"\xff\"}")}) {
    auto r = ParseJsonObject(JsonRequest(body));
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(Describe(r.error().code).status, 400) << body;
  }
}

/// The field a rejected body names, or "" if it was accepted.
std::string RejectedField(const std::string& body) {
  auto r = ParseJsonObject(JsonRequest(body));
  if (r) return "";
  EXPECT_EQ(Describe(r.error().code).status, 400) << body;
  if (r.error().fields.size() != 1) return "?";
  return r.error().fields.begin()->first;
}

TEST(JsonBody, DuplicateKeysAre400NamingTheirPath) {
  EXPECT_EQ(RejectedField(R"({"a":1,"a":2})"), "a");
  EXPECT_EQ(RejectedField(R"({"x":[{"k":1},{"k":1,"j":0,"k":2}]})"), "x[1].k");
  EXPECT_EQ(RejectedField(R"({"o":{"p":{"q":1,"q":1}}})"), "o.p.q");
  EXPECT_EQ(RejectedField(R"({"a":1,"\u0061":2})"), "a");  // the same key, escaped
  auto r = ParseJsonObject(JsonRequest(R"({"a":1,"a":2})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details, "a: is a duplicate key");
  // The same key in different objects, or differing only in case, is fine.
  EXPECT_EQ(RejectedField(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"A":3})"), "");
}

TEST(JsonBody, NumbersBeyondADoubleAre400NamingTheirPath) {
  EXPECT_EQ(RejectedField(R"({"q":1e400})"), "q");
  EXPECT_EQ(RejectedField(R"({"a":[1,2,-1e999]})"), "a[2]");
  EXPECT_EQ(
      RejectedField(R"({"items":[{"quantity":1},{"quantity":)" + std::string(400, '9') + "}]}"),
      "items[1].quantity");
  EXPECT_EQ(RejectedField(R"({"tiny":1e-400,"big":1e300,"u":18446744073709551615})"), "");
}

TEST(JsonBody, NestingIsLimitedTo32Levels) {
  const auto nested = [](int arrays) {
    return R"({"a":)" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  EXPECT_EQ(RejectedField(nested(31)), "");
  EXPECT_EQ(RejectedField(nested(32)), "body");
  auto r = ParseJsonObject(JsonRequest(nested(32)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().details, "JSON body nests deeper than 32 levels");
}

TEST(JsonBody, BuildsTheSameValueAsBoostJson) {
  const std::string body =
      R"({"s":"caf\u00e9 \"q\" \ud83d\ude00","n":-12,"u":18446744073709551615,"d":4.5,)"
      R"("t":true,"f":false,"z":null,"a":[1,[2,{"k":"v"}],[]],"o":{},"e":""})";
  auto r = ParseJsonObject(JsonRequest(body));
  ASSERT_TRUE(r) << r.error().details;
  EXPECT_EQ(bj::value(*r), bj::parse(body));
}

TEST(JsonBody, TrailingDataOrCommentsAre400) {
  EXPECT_EQ(RejectedField(R"({} {})"), "body");
  EXPECT_EQ(RejectedField(R"({"a":1} x)"), "body");
  EXPECT_EQ(RejectedField(R"({"a":1 /* c */})"), "body");
  EXPECT_EQ(RejectedField(R"({"a":[1,]})"), "body");
  EXPECT_EQ(RejectedField("{\"a\":1}  \n"), "");
}

TEST(JsonBody, MebibyteBodiesAreHandledQuickly) {
  const std::size_t mib = 1024 * 1024;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RejectedField(std::string(mib, '[')), "body");
  EXPECT_EQ(RejectedField(R"({"a":)" + std::string(mib, '[')), "body");
  EXPECT_EQ(RejectedField(R"({"s":")" + std::string(mib, 'x')), "body");
  EXPECT_EQ(RejectedField(R"({"s":")" + std::string(mib, 'x') + R"("})"), "");
  std::string keys = "{";
  for (int i = 0; keys.size() < mib; ++i) keys += "\"k" + std::to_string(i) + "\":0,";
  keys += R"("k0":1})";
  EXPECT_EQ(RejectedField(keys), "k0");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));  // no hang
}

TEST(FieldReader, IntegersOutOfRangeAreNamedAsSuch) {
  bj::object o{
      {"big", 1e20},      {"huge", std::numeric_limits<std::uint64_t>::max()}, {"frac", 1.5},
      {"neg_zero", -0.0}, {"min", std::numeric_limits<std::int64_t>::min()},   {"text", "2"}};
  FieldReader r(o);
  EXPECT_FALSE(r.Int("big", true));
  EXPECT_FALSE(r.Int("huge", true));
  EXPECT_FALSE(r.Int("frac", true));
  EXPECT_EQ(r.Int("neg_zero", true), 0);
  EXPECT_EQ(r.Int("min", true), std::numeric_limits<std::int64_t>::min());
  EXPECT_FALSE(r.Int("text", true));
  const auto e = r.Error();
  EXPECT_EQ(e.fields.at("big"), "is out of range");
  EXPECT_EQ(e.fields.at("huge"), "is out of range");
  EXPECT_EQ(e.fields.at("frac"), "must be an integer");
  EXPECT_EQ(e.fields.at("text"), "must be an integer");
}

TEST(FieldReader, MoneyOutOfRangeIsRefusedWithoutOverflow) {
  bj::object o{{"min", std::numeric_limits<std::int64_t>::min()},
               {"max", std::numeric_limits<std::int64_t>::max()},
               {"u", std::numeric_limits<std::uint64_t>::max()},
               {"d", 1e300},
               {"inf", std::numeric_limits<double>::infinity()},
               {"s", "99999999999999999999999.99"},
               {"s12", "1000000000000"},
               {"decimals", "1.234"},
               {"word", "12abc"},
               {"ok", "-999999999999.99"}};
  FieldReader r(o);
  for (const char* key : {"min", "max", "u", "d", "inf", "s", "s12", "decimals", "word"}) {
    EXPECT_FALSE(r.Money(key, true)) << key;
  }
  EXPECT_EQ(r.Money("ok", true)->cents(), -99999999999999);
  const auto e = r.Error();
  for (const char* key : {"min", "max", "u", "d", "inf", "s", "s12"}) {
    EXPECT_EQ(e.fields.at(key), "is out of range") << key;
  }
  EXPECT_EQ(e.fields.at("decimals"), "must be a number with at most 2 decimals");
  EXPECT_EQ(e.fields.at("word"), "must be a number with at most 2 decimals");
  FieldReader fixed(o);
  EXPECT_FALSE(fixed.Fixed<4>("d", true));
  EXPECT_EQ(fixed.Error().fields.at("d"), "is out of range");
}

TEST(FieldReader, NumberRefusesNonFiniteValues) {
  bj::object o{{"inf", std::numeric_limits<double>::infinity()}, {"ok", 4.8}};
  FieldReader r(o);
  EXPECT_FALSE(r.Number("inf", true));
  EXPECT_EQ(r.Number("ok", true), 4.8);
  EXPECT_EQ(r.Error().fields.at("inf"), "is out of range");
}

TEST(FieldReader, CollectsOneErrorPerField) {
  bj::object o{{"a", 1}, {"b", "x"}, {"price", "4.567"}};
  FieldReader r(o);
  EXPECT_FALSE(r.String("a", true));
  EXPECT_FALSE(r.Int("b", true));
  EXPECT_FALSE(r.Money("price", true));
  EXPECT_FALSE(r.String("missing", true));
  EXPECT_FALSE(r.ok());
  const auto e = r.Error();
  EXPECT_EQ(e.fields.size(), 4U);
  EXPECT_EQ(e.fields.at("missing"), "is required");
}

TEST(FieldReader, MoneyAcceptsNumberOrString) {
  bj::object o{{"a", 4.5}, {"b", "4.50"}, {"c", 4}};
  FieldReader r(o);
  EXPECT_EQ(r.Money("a", true)->cents(), 450);
  EXPECT_EQ(r.Money("b", true)->cents(), 450);
  EXPECT_EQ(r.Money("c", true)->cents(), 400);
  EXPECT_TRUE(r.ok());
}

TEST(ErrorShape, HasTheMessageCodeDetailsFieldsAndTimestamp) {
  auto res = ErrorResponse(app::AppError::Validation("price", "must be greater than 0"));
  EXPECT_EQ(res.status, 400);
  auto body = bj::parse(res.body).as_object();
  EXPECT_EQ(body["error"], "price: must be greater than 0");
  EXPECT_EQ(body["message"], "price: must be greater than 0");
  ASSERT_TRUE(body["timestamp"].is_string());
  const std::string timestamp(body["timestamp"].as_string());
  EXPECT_TRUE(domain::ParseTimestamp(timestamp)) << timestamp;
  EXPECT_EQ(timestamp.size(), 20U) << timestamp;  // 2026-02-28T10:30:00Z
  EXPECT_EQ(body["error_code"], "VALIDATION_ERROR");
  EXPECT_EQ(body["details"], "price: must be greater than 0");
  EXPECT_EQ(body["fields"].as_object()["price"], "must be greater than 0");
}

TEST(FieldReader, NullForAValueIsRefusedNamingTheField) {
  bj::object o{{"required", nullptr}, {"optional", nullptr}, {"n", nullptr}};
  FieldReader r(o);
  EXPECT_FALSE(r.String("required", true));
  EXPECT_FALSE(r.String("optional", false));
  EXPECT_FALSE(r.Int("n", false));
  EXPECT_FALSE(r.String("absent", false));
  ASSERT_FALSE(r.ok());
  const auto fields = r.Error().fields;
  EXPECT_EQ(fields.at("required"), "must not be null");
  EXPECT_EQ(fields.at("optional"), "must not be null");
  EXPECT_EQ(fields.at("n"), "must not be null");
  EXPECT_FALSE(fields.contains("absent"));
}

TEST(FieldReader, ControlCharactersAreRefusedTabAndNewlineOnlyInFreeText) {
  bj::object o{{"name", "Flat\nWhite"}, {"nul", std::string("a\0b", 3)}, {"del", "Mocha\x7f"},
               {"esc", "\x1b[31m"},     {"text", "Line one\n\tTwo"},     {"text_cr", "a\rb"},
               {"plain", "Café crème"}};
  FieldReader r(o);
  EXPECT_FALSE(r.String("name", true));
  EXPECT_FALSE(r.String("nul", true));
  EXPECT_FALSE(r.String("del", true));
  EXPECT_FALSE(r.String("esc", true));
  EXPECT_EQ(r.Text("text", true), "Line one\n\tTwo");
  EXPECT_FALSE(r.Text("text_cr", true));
  EXPECT_EQ(r.String("plain", true), "Café crème");
  const auto fields = r.Error().fields;
  EXPECT_EQ(fields.size(), 5U);
  EXPECT_EQ(fields.at("name"), "must not contain control characters");
  EXPECT_EQ(fields.at("del"), "must not contain control characters");
  EXPECT_EQ(fields.at("text_cr"), "must not contain control characters other than tab and newline");
}

TEST(Readers, AnUpdateWhoseFieldsAreAllNullIsRefusedLikeAnEmptyOneNamingTheNulls) {
  const std::string none =
      "must set at least one of default_base_minutes, default_per_additional_item, baristas";
  auto empty = ReadPrepTimeSettings(JsonRequest("{}"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().fields, (std::map<std::string, std::string>{{"body", none}}));
  auto all_null = ReadPrepTimeSettings(JsonRequest(R"({"baristas":null})"));
  ASSERT_FALSE(all_null);
  EXPECT_EQ(all_null.error().fields,
            (std::map<std::string, std::string>{{"body", none}, {"baristas", "must not be null"}}));
  auto one_null =
      ReadPrepTimeSettings(JsonRequest(R"({"baristas":2,"default_base_minutes":null})"));
  ASSERT_FALSE(one_null);
  EXPECT_EQ(one_null.error().fields,
            (std::map<std::string, std::string>{{"default_base_minutes", "must not be null"}}));
}

TEST(Readers, LoyaltyNullPointsAreRefusedNullMultipliersClear) {
  auto points = ReadLoyalty(JsonRequest(R"({"points_per_dollar":null})"));
  ASSERT_FALSE(points);
  EXPECT_EQ(points.error().fields.at("points_per_dollar"), "must not be null");
  auto cleared = ReadLoyalty(JsonRequest(R"({"bonus_multipliers":null})"));
  ASSERT_TRUE(cleared);
  ASSERT_TRUE(cleared->bonus_multipliers);
  EXPECT_TRUE(cleared->bonus_multipliers->empty());
  EXPECT_FALSE(cleared->points_per_dollar);
}

TEST(Readers, NullableFieldsAcceptNullOthersNameTheField) {
  auto availability = ReadAvailability(JsonRequest(
      R"({"coffee_id":1,"status":"seasonal","reason":null,"available_from":null,"available_until":null})"));
  ASSERT_TRUE(availability) << availability.error().details;
  EXPECT_FALSE(availability->reason);
  auto status = ReadAvailability(JsonRequest(R"({"coffee_id":1,"status":null})"));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().fields.at("status"), "must not be null");
  auto reason = ReadAvailability(
      JsonRequest("{\"coffee_id\":1,\"status\":\"out_of_stock\",\"reason\":\"Sold\\u0000out\"}"));
  ASSERT_FALSE(reason);
  EXPECT_TRUE(reason.error().fields.contains("reason"));

  auto rule = ReadRule(JsonRequest(
      R"({"rule_type":"promotional","discount_type":"percentage","discount_value":5,)"
      R"("coffee_ids":null,"valid_until":null,"min_quantity":null,"time_ranges":null,"days_of_week":null})"));
  ASSERT_TRUE(rule) << rule.error().details;
  EXPECT_FALSE(rule->rule.valid_until);
  EXPECT_FALSE(rule->rule.min_quantity);
  for (const char* field : {"description", "priority", "is_active", "valid_from"}) {
    auto refused = ReadRule(JsonRequest(
        std::string(
            R"({"rule_type":"promotional","discount_type":"percentage","discount_value":5,")") +
        field + R"(":null})"));
    ASSERT_FALSE(refused) << field;
    EXPECT_EQ(refused.error().fields.at(field), "must not be null");
  }
  for (const char* body : {R"({"name":null})", R"({"price":null})", R"({"image_url":null})"}) {
    auto coffee = ReadCoffee(JsonRequest(body), false);
    ASSERT_FALSE(coffee) << body;
    EXPECT_NE(coffee.error().details.find("must not be null"), std::string::npos) << body;
  }
  auto role = ReadRole(JsonRequest(R"({"role":null})"));
  ASSERT_FALSE(role);
  EXPECT_EQ(role.error().details, "role: must not be null");
  auto comment = ReadReviewPatch(JsonRequest(R"({"comment":null})"));
  ASSERT_TRUE(comment);
  EXPECT_TRUE(comment->has_comment);
  EXPECT_FALSE(comment->comment);
  auto rating = ReadReviewPatch(JsonRequest(R"({"rating":null})"));
  ASSERT_FALSE(rating);
  EXPECT_EQ(rating.error().fields.at("rating"), "must not be null");
}

TEST(ErrorShape, UnavailableCarriesRetryAfter) {
  auto res = ErrorResponse(app::AppError{app::ErrorCode::kUnavailable, "down", {}, {}});
  EXPECT_EQ(res.status, 503);
  ASSERT_EQ(res.headers.size(), 1U);
  EXPECT_EQ(res.headers[0].first, "Retry-After");
}

TEST(ParseTarget, PlainPathsAndFullUrlsGiveTheSameParts) {
  struct Case {
    std::string target;
    bool ok;
    std::string path;
    app::QueryParams query;
  };
  const std::vector<Case> cases{
      {"/api/coffees", true, "/api/coffees", {}},
      {"/api/coffees/", true, "/api/coffees/", {}},
      {"/api/orders/3f2a-b;v=1:x@y", true, "/api/orders/3f2a-b;v=1:x@y", {}},
      {"/api/coffees?search=latte&page=2",
       true,
       "/api/coffees",
       {{"search", "latte"}, {"page", "2"}}},
      {"/api/coffees?page=1&page=3", true, "/api/coffees", {{"page", "3"}}},
      {"/api/caf%C3%A9", true, "/api/caf\xc3\xa9", {}},
      {"/api/a%2Fb", true, "/api/a/b", {}},
      {"/a b", false, "", {}},
      {"/a|b", false, "", {}},
      {"/a%zz", false, "", {}},
      {"api/coffees", false, "", {}},
      {"http://example.com/api/coffees", false, "", {}},
      {"", false, "", {}},
  };
  for (const auto& c : cases) {
    std::string path;
    app::QueryParams query;
    EXPECT_EQ(ParseTarget(c.target, path, query), c.ok) << c.target;
    if (!c.ok) continue;
    EXPECT_EQ(path, c.path) << c.target;
    EXPECT_EQ(query, c.query) << c.target;
  }
}

TEST(Router, MatchesParametersAndPrefersLiterals) {
  Router router;
  router.Add(Method::kGet, "/api/things/:id", Access::kPublic, Exec::kInline, [](Request&) {
    return Response{201, {}, "param", ""};
  });
  router.Add(Method::kGet, "/api/things/special", Access::kPublic, Exec::kInline, [](Request&) {
    return Response{202, {}, "literal", ""};
  });
  auto m = router.Find(Method::kGet, "/api/things/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "42");
  auto lit = router.Find(Method::kGet, "/api/things/special");
  ASSERT_NE(lit.route, nullptr);
  EXPECT_EQ(lit.route->pattern, "/api/things/special");
}

TEST(Router, KnownPathWithWrongMethodIsDistinguishedFromUnknownPath) {
  Router router;
  router.Add(Method::kGet, "/api/coffees", Access::kPublic, Exec::kInline,
             [](Request&) { return Response{}; });
  auto wrong = router.Find(Method::kDelete, "/api/coffees");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_TRUE(wrong.path_exists);
  EXPECT_EQ(wrong.allowed, std::vector<Method>{Method::kGet});
  auto unknown = router.Find(Method::kGet, "/api/teas");
  EXPECT_FALSE(unknown.path_exists);
  EXPECT_NE(router.Find(Method::kHead, "/api/coffees").route, nullptr);
}

TEST(Router, LiteralLookupAgreesWithTheScanForEverySpellingOfAPath) {
  Router router;
  const auto add = [&router](Method method, const std::string& pattern) {
    router.Add(method, pattern, Access::kPublic, Exec::kInline,
               [](Request&) { return Response{}; });
  };
  add(Method::kGet, "/api/orders/:id");
  add(Method::kPatch, "/api/orders/:id");
  add(Method::kGet, "/api/orders/stats");
  add(Method::kGet, "/");
  // The canonical spelling is one lookup; the others go through the scan: same answers.
  for (const std::string path :
       {"/api/orders/stats", "/api/orders/stats/", "//api//orders/stats", "api/orders/stats"}) {
    auto m = router.Find(Method::kGet, path);
    ASSERT_NE(m.route, nullptr) << path;
    EXPECT_EQ(m.route->pattern, "/api/orders/stats") << path;
    EXPECT_TRUE(m.params.empty()) << path;
    auto head = router.Find(Method::kHead, path);
    ASSERT_NE(head.route, nullptr) << path;
    EXPECT_EQ(head.route->pattern, "/api/orders/stats") << path;
  }
  // A method only the parameter route takes falls through to it.
  auto patch = router.Find(Method::kPatch, "/api/orders/stats");
  ASSERT_NE(patch.route, nullptr);
  EXPECT_EQ(patch.route->pattern, "/api/orders/:id");
  EXPECT_EQ(patch.params.at("id"), "stats");
  // OPTIONS and a method nobody takes list every method of the path, literal or not.
  const std::vector<Method> both{Method::kGet, Method::kPatch};
  EXPECT_EQ(router.Find(Method::kOptions, "/api/orders/stats").allowed, both);
  auto wrong = router.Find(Method::kDelete, "/api/orders/stats");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_EQ(wrong.allowed, both);
  ASSERT_NE(router.Find(Method::kGet, "/").route, nullptr);
  EXPECT_EQ(router.Find(Method::kGet, "/").route->pattern, "/");
  EXPECT_EQ(router.Find(Method::kGet, "/api/orders/stats/x").route, nullptr);
}

}  // namespace
}  // namespace coffee::http::json
