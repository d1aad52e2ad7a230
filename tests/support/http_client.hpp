#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace coffee::testing {

/// One HTTP response as a test sees it.
struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  [[nodiscard]] boost::json::value Json() const;
  [[nodiscard]] std::string Header(const std::string& lower_name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// A blocking HTTP/1.1 client on loopback with one keep-alive connection (reconnects when the
/// server closed it).
class HttpClient {
 public:
  explicit HttpClient(unsigned short port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "", const HeaderList& headers = {});
  HttpResult Get(const std::string& target, const std::string& token = "");
  HttpResult Post(const std::string& target, const std::string& json,
                  const std::string& token = "");
  HttpResult Put(const std::string& target, const std::string& json, const std::string& token = "");
  HttpResult Patch(const std::string& target, const std::string& json,
                   const std::string& token = "");
  HttpResult Delete(const std::string& target, const std::string& token = "");
  /// Sends raw bytes on a fresh connection and returns whatever comes back (for malformed
  /// requests and oversize bodies).
  std::string Raw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffee::testing
