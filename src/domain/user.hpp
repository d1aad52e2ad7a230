#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/strong_id.hpp"
#include "domain/time.hpp"

namespace coffee::domain {

/// What an account may do: customers order, staff move orders along, admins do everything.
enum class Role { kUser, kStaff, kAdmin };

std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);
/// True if `have` grants at least the rights of `need` (admin ⊃ staff ⊃ user).
bool RoleAtLeast(Role have, Role need);

/// An account as stored; the hash never leaves the server.
struct User {
  UserId id;
  std::string email;
  std::string password_hash;
  Role role = Role::kUser;
  Instant created_at;
};

}  // namespace coffee::domain
