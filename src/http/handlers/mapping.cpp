#include "http/handlers/mapping.hpp"

#include <cmath>

namespace coffee::http {

namespace json = boost::json;

json::object ToJson(const domain::User& user) {
  return json::object{{"id", user.id.value},
                      {"email", user.email},
                      {"role", domain::ToString(user.role)},
                      {"created_at", domain::FormatTimestamp(user.created_at)}};
}

json::object ToJson(const domain::Coffee& coffee) {
  // The editorial rating is shown to one hundredth; average_rating is the mean of the visible
  // reviews (SPEC §9), null while there are none.
  const double rating = std::round(coffee.rating * 100.0) / 100.0;
  const auto average = coffee.AverageRatingHundredths();
  return json::object{
      {"id", coffee.id.value},
      {"name", coffee.name},
      {"coffee_type", coffee.coffee_type},
      {"price", coffee.price.ToDouble()},
      {"rating", rating},
      {"image_url", coffee.image_url},
      {"average_rating",
       average ? json::value(static_cast<double>(*average) / 100.0) : json::value(nullptr)},
      {"review_count", coffee.review_count}};
}

json::object ToJson(const app::AuthTokens& tokens) {
  return json::object{{"access_token", tokens.access_token},
                      {"refresh_token", tokens.refresh_token},
                      {"token_type", "Bearer"},
                      {"expires_in", tokens.expires_in},
                      {"user", ToJson(tokens.user)}};
}

}  // namespace coffee::http
