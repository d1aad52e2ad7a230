#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // A fresh record of this run's exchanges (see Record in tests/support/http_client.cpp).
  if (const char* record = std::getenv("COFFEE_HTTP_RECORD"); record != nullptr && *record != 0) {
    std::ofstream(record, std::ios::trunc);
  }
  spdlog::set_level(spdlog::level::warn);  // keep access logs out of test output
  return RUN_ALL_TESTS();
}
