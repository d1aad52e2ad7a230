#pragma once

#include "config/config.hpp"

namespace coffee::server {

/// Installs the process logger: "2026-02-28T10:30:00.123Z INFO message" lines, or one JSON
/// object per line with LOG_FORMAT=json; level from LOG_LEVEL.
void SetupLogging(const std::string& level, config::LogFormat format);

}  // namespace coffee::server
