// SASL authentication for the Kafka door (off by default): PLAIN (RFC 4616) and SCRAM-SHA-256 (RFC 5802, RFC 7677),
// as Kafka brokers offer them. The handlers (sasl_handshake.cpp, sasl_authenticate.cpp) feed client tokens to a
// per-connection SaslSession, which says when the client is authenticated.
//
// Users and passwords come from the [broker.sasl] configuration. For SCRAM the broker derives the stored and server
// keys at startup (random salt, 4096 iterations), so the plaintext password is not needed after that.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/config.h"
#include "floe/base/status.h"

namespace floe::broker {

struct SaslConfig {
  bool enabled = false;
  std::vector<std::string> mechanisms = {"PLAIN", "SCRAM-SHA-256"};
  std::map<std::string, std::string> users;  // user -> password
  int32_t scram_iterations = 4096;

  Status Load(const ConfigSection& section);
};

struct ScramCredential {
  std::string salt;
  int32_t iterations = 0;
  std::string stored_key;  // H(HMAC(SaltedPassword, "Client Key"))
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")
};

// The users' credentials, derived once from the configuration.
class SaslAuthenticator {
 public:
  explicit SaslAuthenticator(const SaslConfig& config);
  bool enabled() const { return config_.enabled; }
  bool SupportsMechanism(std::string_view mechanism) const;
  const std::vector<std::string>& mechanisms() const { return config_.mechanisms; }
  bool CheckPlain(std::string_view user, std::string_view password) const;
  const ScramCredential* FindScram(std::string_view user) const;

 private:
  SaslConfig config_;
  std::map<std::string, ScramCredential, std::less<>> scram_;
};

// One connection's authentication exchange.
class SaslSession {
 public:
  SaslSession(const SaslAuthenticator& auth, std::string mechanism) : auth_(auth), mechanism_(std::move(mechanism)) {}

  // Consumes one client token; returns the server's token (possibly empty). A failure is InvalidArgument with a
  // message safe to send to the client (it never says whether the user exists).
  Result<std::string> Step(std::string_view client_token);
  bool authenticated() const { return authenticated_; }
  const std::string& user() const { return user_; }

 private:
  const SaslAuthenticator& auth_;
  std::string mechanism_;
  int step_ = 0;
  bool authenticated_ = false;
  std::string user_;
  // SCRAM state between the first and the final message.
  std::string client_first_bare_, server_first_, nonce_;
  const ScramCredential* credential_ = nullptr;
};

// Exposed for tests: the SCRAM primitives over SHA-256.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Sha256(std::string_view data);
std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int32_t iterations);
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace floe::broker
