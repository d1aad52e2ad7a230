#include "app/coffee_service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "app/paging.hpp"

namespace coffee::app {

namespace {

std::string NotFoundMessage(domain::CoffeeId id) {
  return "Coffee with id " + std::to_string(id.value) + " not found";
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || ptr != end || s.empty()) return std::nullopt;
  return v;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsHttpUrl(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const auto host_end = rest.find_first_of("/?#");
  const std::string_view host = rest.substr(0, host_end);
  if (host.empty() || url.size() > 2048) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
  });
}

/// Length in Unicode code points (the body is valid UTF-8 by the time it reaches here).
std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

void CheckName(ValidationErrors& e, const std::string& field, const std::string& value) {
  const auto n = CodePoints(value);
  if (n < 1 || n > 100 || value.find_first_not_of(" \t") == std::string::npos) {
    e.Add(field, "must be between 1 and 100 characters");
  }
}

void CheckPrice(ValidationErrors& e, domain::Money price) {
  if (price.cents() <= 0) {
    e.Add("price", "must be greater than 0");
  } else if (price > domain::Money::FromCents(100000)) {
    e.Add("price", "must be at most 1000");
  }
}

void CheckRating(ValidationErrors& e, double rating) {
  if (!(rating >= 0.0 && rating <= 5.0)) e.Add("rating", "must be between 0 and 5");
}

}  // namespace

Outcome<PageRequest> ParsePage(const QueryParams& params) {
  PageRequest out;
  ValidationErrors errors;
  if (auto it = params.find("page"); it != params.end()) {
    auto v = ParseInt(it->second);
    if (!v || *v < 1 || *v > 1'000'000) {
      errors.Add("page", "must be an integer of at least 1");
    } else {
      out.page = *v;
    }
  }
  if (auto it = params.find("limit"); it != params.end()) {
    auto v = ParseInt(it->second);
    if (!v || *v < 1 || *v > 100) {
      errors.Add("limit", "must be an integer between 1 and 100");
    } else {
      out.limit = *v;
    }
  }
  if (!errors.empty()) return errors.ToError();
  return out;
}

Outcome<CoffeeQuery> ParseCoffeeQuery(const QueryParams& params) {
  CoffeeQuery q;
  ValidationErrors errors;
  auto page = ParsePage(params);
  if (!page) {
    for (const auto& [f, m] : page.error().fields) errors.Add(f, m);
  } else {
    q.offset = page->offset();
    q.limit = page->limit;
  }
  if (auto it = params.find("search"); it != params.end() && !it->second.empty()) {
    if (it->second.size() > 100) {
      errors.Add("search", "must be at most 100 characters");
    } else {
      q.search = it->second;
    }
  }
  if (auto it = params.find("type_filter"); it != params.end() && !it->second.empty()) {
    q.type_filter = it->second;
  }
  auto price = [&](const char* name, std::optional<domain::Money>& out) {
    auto it = params.find(name);
    if (it == params.end()) return;
    auto m = domain::Money::Parse(it->second);
    if (!m || m->cents() <= 0) {
      errors.Add(name, "must be a number greater than 0 with at most two decimals");
    } else {
      out = m;
    }
  };
  price("min_price", q.min_price);
  price("max_price", q.max_price);
  if (q.min_price && q.max_price && *q.min_price > *q.max_price) {
    errors.Add("min_price", "must not be greater than max_price");
  }
  bool sorted_by_rating = false;
  if (auto it = params.find("sort"); it != params.end()) {
    const std::string s = Lower(it->second);
    if (s == "price") {
      q.sort = CoffeeSort::kPrice;
    } else if (s == "rating") {
      q.sort = CoffeeSort::kRating;
      sorted_by_rating = true;
    } else if (s == "name") {
      q.sort = CoffeeSort::kName;
    } else {
      errors.Add("sort", "must be one of price, rating, name");
    }
  }
  q.descending = sorted_by_rating;  // rating defaults to best first
  if (auto it = params.find("order"); it != params.end()) {
    const std::string o = Lower(it->second);
    if (o == "asc") {
      q.descending = false;
    } else if (o == "desc") {
      q.descending = true;
    } else {
      errors.Add("order", "must be asc or desc");
    }
  }
  if (!errors.empty()) return errors.ToError();
  return q;
}

Status ValidateNewCoffee(const domain::NewCoffee& c) {
  ValidationErrors e;
  CheckName(e, "name", c.name);
  CheckName(e, "coffee_type", c.coffee_type);
  CheckPrice(e, c.price);
  CheckRating(e, c.rating);
  if (!IsHttpUrl(c.image_url)) e.Add("image_url", "must be an absolute http(s) URL");
  if (!e.empty()) return e.ToError();
  return Ok{};
}

Status ValidateCoffeePatch(const domain::CoffeePatch& p) {
  ValidationErrors e;
  if (p.name) CheckName(e, "name", *p.name);
  if (p.coffee_type) CheckName(e, "coffee_type", *p.coffee_type);
  if (p.price) CheckPrice(e, *p.price);
  if (p.rating) CheckRating(e, *p.rating);
  if (p.image_url && !IsHttpUrl(*p.image_url)) {
    e.Add("image_url", "must be an absolute http(s) URL");
  }
  if (!e.empty()) return e.ToError();
  return Ok{};
}

Outcome<CoffeePage> CoffeeService::List(const CoffeeQuery& query) {
  CoffeePage page;
  store_.Read([&](Tx& tx) {
    page.total = tx.Coffees().Count(query);
    const auto read = [&](const PageSlice& slice) {
      CoffeeQuery sliced = query;
      sliced.reversed = slice.from_end;
      sliced.offset = slice.offset;
      sliced.limit = slice.limit;
      return tx.Coffees().List(sliced);
    };
    page.coffees = ReadPage<domain::Coffee>(page.total, query.offset, query.limit, read);
  });
  return page;
}

Outcome<domain::Coffee> CoffeeService::Get(domain::CoffeeId id) {
  std::optional<domain::Coffee> coffee;
  store_.Read([&](Tx& tx) { coffee = tx.Coffees().Find(id); });
  if (!coffee) return AppError::NotFound(NotFoundMessage(id));
  return std::move(*coffee);
}

Outcome<domain::Coffee> CoffeeService::Create(const domain::NewCoffee& coffee) {
  if (auto v = ValidateNewCoffee(coffee); !v) return v.error();
  std::optional<domain::Coffee> created;
  store_.Write([&](Tx& tx) {
    created = tx.Coffees().Create(coffee);
    return created.has_value();
  });
  if (!created) {
    return AppError::Conflict("Coffee with name '" + coffee.name + "' already exists");
  }
  ++version_;
  return std::move(*created);
}

Outcome<domain::Coffee> CoffeeService::Update(domain::CoffeeId id,
                                              const domain::CoffeePatch& patch) {
  if (auto v = ValidateCoffeePatch(patch); !v) return v.error();
  WriteResult result = WriteResult::kNotFound;
  std::optional<domain::Coffee> updated;
  store_.Write([&](Tx& tx) {
    result = tx.Coffees().Update(id, patch);
    if (result != WriteResult::kOk) return false;
    updated = tx.Coffees().Find(id);
    return true;
  });
  if (result == WriteResult::kNotFound) return AppError::NotFound(NotFoundMessage(id));
  if (result == WriteResult::kConflict) {
    return AppError::Conflict("Coffee with name '" + patch.name.value_or("") + "' already exists");
  }
  ++version_;
  return std::move(*updated);
}

Status CoffeeService::Delete(domain::CoffeeId id) {
  WriteResult result = WriteResult::kNotFound;
  store_.Write([&](Tx& tx) {
    result = tx.Coffees().Delete(id);
    return result == WriteResult::kOk;
  });
  if (result == WriteResult::kNotFound) return AppError::NotFound(NotFoundMessage(id));
  if (result == WriteResult::kConflict) {
    return AppError::Conflict("Coffee with id " + std::to_string(id.value) +
                              " appears in orders and cannot be deleted; mark it discontinued "
                              "instead");
  }
  ++version_;
  return Ok{};
}

}  // namespace coffee::app
