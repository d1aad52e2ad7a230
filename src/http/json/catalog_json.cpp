#include <cmath>

#include "http/json/mappers.hpp"

namespace coffee::http::json {

namespace bj = boost::json;

bj::object ToJson(const domain::User& user) {
  return bj::object{{"id", user.id.value},
                    {"email", user.email},
                    {"role", domain::ToString(user.role)},
                    {"created_at", domain::FormatTimestamp(user.created_at)}};
}

bj::object ToJson(const domain::Coffee& coffee) {
  // The editorial rating is shown to one hundredth; average_rating is the mean of the visible
  // reviews (SPEC §9), null while there are none.
  const double rating = std::round(coffee.rating * 100.0) / 100.0;
  const auto average = coffee.AverageRatingHundredths();
  return bj::object{{"id", coffee.id.value},
                    {"name", coffee.name},
                    {"coffee_type", coffee.coffee_type},
                    {"price", coffee.price.ToDouble()},
                    {"rating", rating},
                    {"image_url", coffee.image_url},
                    {"average_rating", average ? bj::value(static_cast<double>(*average) / 100.0)
                                               : bj::value(nullptr)},
                    {"review_count", coffee.review_count}};
}

bj::object ToJson(const app::AuthTokens& tokens) {
  return bj::object{{"access_token", tokens.access_token},
                    {"refresh_token", tokens.refresh_token},
                    {"token_type", "Bearer"},
                    {"expires_in", tokens.expires_in},
                    {"user", ToJson(tokens.user)}};
}

}  // namespace coffee::http::json
