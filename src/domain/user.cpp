#include "domain/user.hpp"

namespace coffee::domain {

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kUser:
      return "user";
    case Role::kStaff:
      return "staff";
    case Role::kAdmin:
      return "admin";
  }
  return "user";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "user") return Role::kUser;
  if (text == "staff") return Role::kStaff;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

bool RoleAtLeast(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

}  // namespace coffee::domain
