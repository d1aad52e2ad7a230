#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/json.hpp"
#include "http/router.hpp"

namespace coffee::http {
namespace {

namespace json = boost::json;

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = Method::kPost;
  r.headers.items.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

TEST(JsonSerializer, WritesPlainNumbersAndPricesWithTwoDecimals) {
  json::object o{{"price", 4.5}, {"rating", 4.8}, {"n", 3}, {"s", "a\"b\n"}, {"z", nullptr}};
  EXPECT_EQ(SerializeJson(o), R"({"price":4.50,"rating":4.8,"n":3,"s":"a\"b\n","z":null})");
}

TEST(JsonSerializer, EscapesControlCharacters) {
  EXPECT_EQ(SerializeJson(json::string(std::string("\x01", 1))), R"("\u0001")");
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

TEST(FieldReader, CollectsOneErrorPerField) {
  json::object o{{"a", 1}, {"b", "x"}, {"price", "4.567"}};
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
  json::object o{{"a", 4.5}, {"b", "4.50"}, {"c", 4}};
  FieldReader r(o);
  EXPECT_EQ(r.Money("a", true)->cents(), 450);
  EXPECT_EQ(r.Money("b", true)->cents(), 450);
  EXPECT_EQ(r.Money("c", true)->cents(), 400);
  EXPECT_TRUE(r.ok());
}

TEST(ErrorShape, HasCategoryCodeDetailsAndFields) {
  auto res = ErrorResponse(app::AppError::Validation("price", "must be greater than 0"));
  EXPECT_EQ(res.status, 400);
  auto body = json::parse(res.body).as_object();
  EXPECT_EQ(body["error"], "Validation error");
  EXPECT_EQ(body["error_code"], "VALIDATION_ERROR");
  EXPECT_EQ(body["details"], "price: must be greater than 0");
  EXPECT_EQ(body["fields"].as_object()["price"], "must be greater than 0");
}

TEST(ErrorShape, UnavailableCarriesRetryAfter) {
  auto res = ErrorResponse(app::AppError{app::ErrorCode::kUnavailable, "down", {}, {}});
  EXPECT_EQ(res.status, 503);
  ASSERT_EQ(res.headers.size(), 1U);
  EXPECT_EQ(res.headers[0].first, "Retry-After");
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

}  // namespace
}  // namespace coffee::http
