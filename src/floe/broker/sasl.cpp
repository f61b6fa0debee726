#include "floe/broker/sasl.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>

namespace floe::broker {

namespace {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

// Constant-time comparison, so a timing side channel does not leak how much of a key matched.
bool SafeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Parses "k=v,k=v" SCRAM attributes.
std::map<char, std::string> ParseAttributes(std::string_view s) {
  std::map<char, std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view part = s.substr(0, comma);
    if (part.size() >= 2 && part[1] == '=') out[part[0]] = std::string(part.substr(2));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// SCRAM usernames escape ',' as =2C and '=' as =3D.
std::optional<std::string> UnescapeUser(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out += s[i];
    } else if (s.substr(i, 3) == "=2C") {
      out += ',';
      i += 2;
    } else if (s.substr(i, 3) == "=3D") {
      out += '=';
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

const Status kAuthFailed = Status::InvalidArgument("authentication failed: invalid username or password");

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), SHA256_DIGEST_LENGTH);
}

std::string Pbkdf2Sha256(std::string_view password, std::string_view salt, int32_t iterations) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                    EVP_sha256(), static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

Status SaslConfig::Load(const ConfigSection& section) {
  FLOE_RETURN_IF_ERROR(section.Read("enabled", &enabled));
  std::string mechs;
  FLOE_RETURN_IF_ERROR(section.Read("mechanisms", &mechs));
  if (section.Has("mechanisms")) {
    mechanisms.clear();
    size_t start = 0;
    while (start <= mechs.size()) {
      size_t comma = mechs.find(',', start);
      std::string m = mechs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      m.erase(0, m.find_first_not_of(' '));
      m.erase(m.find_last_not_of(' ') + 1);
      if (m != "PLAIN" && m != "SCRAM-SHA-256") {
        return Status::InvalidArgument(
            fmt::format("config {}: unknown SASL mechanism '{}' (floe offers PLAIN and "
                        "SCRAM-SHA-256)",
                        section.Where("mechanisms"), m));
      }
      mechanisms.push_back(m);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  FLOE_RETURN_IF_ERROR(section.Read("scram_iterations", &scram_iterations));
  if (scram_iterations < 4096) {
    return Status::InvalidArgument(
        fmt::format("config {}: at least 4096 (RFC 7677)", section.Where("scram_iterations")));
  }
  FLOE_ASSIGN_OR_RETURN(ConfigSection users_section, section.Section("users"));
  FLOE_RETURN_IF_ERROR(users_section.ReadAllStrings(&users));
  if (enabled && users.empty()) {
    return Status::InvalidArgument(fmt::format("config {}: SASL is enabled but [{}.users] lists no users",
                                               section.Where("enabled"), section.path()));
  }
  return Status::Ok();
}

SaslAuthenticator::SaslAuthenticator(const SaslConfig& config) : config_(config) {
  for (const auto& [user, password] : config_.users) {
    ScramCredential c;
    c.salt = RandomBytes(16);
    c.iterations = config_.scram_iterations;
    std::string salted = Pbkdf2Sha256(password, c.salt, c.iterations);
    c.stored_key = Sha256(HmacSha256(salted, "Client Key"));
    c.server_key = HmacSha256(salted, "Server Key");
    scram_[user] = std::move(c);
  }
}

bool SaslAuthenticator::SupportsMechanism(std::string_view mechanism) const {
  return std::find(config_.mechanisms.begin(), config_.mechanisms.end(), mechanism) != config_.mechanisms.end();
}

bool SaslAuthenticator::CheckPlain(std::string_view user, std::string_view password) const {
  auto it = config_.users.find(std::string(user));
  // Compare against something even for an unknown user, so timing does not tell which users exist.
  std::string_view expected = it == config_.users.end() ? std::string_view("\x01unknown") : it->second;
  bool ok = SafeEqual(expected, password);
  return ok && it != config_.users.end();
}

const ScramCredential* SaslAuthenticator::FindScram(std::string_view user) const {
  auto it = scram_.find(user);
  return it == scram_.end() ? nullptr : &it->second;
}

Result<std::string> SaslSession::Step(std::string_view token) {
  if (authenticated_) return Status::InvalidArgument("authentication already completed");
  if (mechanism_ == "PLAIN") {
    // authzid NUL authcid NUL password
    size_t a = token.find('\0');
    size_t b = a == std::string_view::npos ? a : token.find('\0', a + 1);
    if (b == std::string_view::npos) return Status::InvalidArgument("malformed PLAIN token");
    std::string_view authzid = token.substr(0, a), user = token.substr(a + 1, b - a - 1), pass = token.substr(b + 1);
    if (!authzid.empty() && authzid != user) return Status::InvalidArgument("PLAIN: authorization id must equal user");
    if (!auth_.CheckPlain(user, pass)) return kAuthFailed;
    user_ = std::string(user);
    authenticated_ = true;
    return std::string();
  }
  if (mechanism_ != "SCRAM-SHA-256") return Status::InvalidArgument("unsupported mechanism");
  if (step_ == 0) {
    // client-first-message: gs2-header client-first-bare, e.g. "n,,n=alice,r=abc".
    if (token.size() < 3 || (token[0] != 'n' && token[0] != 'y')) {
      return Status::InvalidArgument("SCRAM: malformed client-first-message (channel binding is not supported)");
    }
    size_t second_comma = token.find(',', token.find(',') + 1);
    if (second_comma == std::string_view::npos) return Status::InvalidArgument("SCRAM: malformed gs2 header");
    client_first_bare_ = std::string(token.substr(second_comma + 1));
    auto attrs = ParseAttributes(client_first_bare_);
    auto user = attrs.count('n') ? UnescapeUser(attrs['n']) : std::nullopt;
    if (!user || !attrs.count('r') || attrs['r'].empty()) {
      return Status::InvalidArgument("SCRAM: client-first-message needs n= and r=");
    }
    user_ = *user;
    credential_ = auth_.FindScram(user_);
    // An unknown user still gets a plausible challenge; it fails at the proof, so users cannot be enumerated.
    static const ScramCredential kDecoy = [] {
      ScramCredential c;
      c.salt = RandomBytes(16);
      c.iterations = 4096;
      c.stored_key = RandomBytes(32);
      c.server_key = RandomBytes(32);
      return c;
    }();
    const ScramCredential& c = credential_ ? *credential_ : kDecoy;
    nonce_ = attrs['r'] + Base64Encode(RandomBytes(18));
    server_first_ = fmt::format("r={},s={},i={}", nonce_, Base64Encode(c.salt), c.iterations);
    step_ = 1;
    return server_first_;
  }
  if (step_ == 1) {
    step_ = 2;
    // client-final-message: c=<gs2 header b64>,r=<nonce>,p=<proof b64>
    size_t proof_at = token.rfind(",p=");
    if (proof_at == std::string_view::npos) return Status::InvalidArgument("SCRAM: client-final-message needs p=");
    std::string_view without_proof = token.substr(0, proof_at);
    auto attrs = ParseAttributes(token);
    // The client's nonce must end with ours. Kafka's own server checks endsWith rather than equality, and
    // librdkafka 2.0 relies on it: it sends its client nonce again in front of the combined nonce.
    const std::string& r = attrs['r'];
    if (r.size() < nonce_.size() || r.compare(r.size() - nonce_.size(), nonce_.size(), nonce_) != 0) {
      return Status::InvalidArgument("SCRAM: the client-final-message nonce does not match the server's");
    }
    auto proof = Base64Decode(attrs['p']);
    if (!proof || proof->size() != 32 || !credential_) return kAuthFailed;
    std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    std::string client_signature = HmacSha256(credential_->stored_key, auth_message);
    std::string client_key(32, '\0');
    for (size_t i = 0; i < 32; ++i) client_key[i] = static_cast<char>((*proof)[i] ^ client_signature[i]);
    if (!SafeEqual(Sha256(client_key), credential_->stored_key)) return kAuthFailed;
    authenticated_ = true;
    return "v=" + Base64Encode(HmacSha256(credential_->server_key, auth_message));
  }
  return Status::InvalidArgument("SCRAM: unexpected message after the exchange ended");
}

}  // namespace floe::broker
