// Kafka request and response headers (https://kafka.apache.org/protocol#protocol_messages).
//
// Request header v1: api_key int16, api_version int16, correlation_id int32, client_id nullable string (int16
// length even in flexible versions). v2 (the API's flexible versions) adds a tagged-field section.
// Response header v0: correlation_id int32; v1 (flexible versions) adds tagged fields — except ApiVersions, whose
// response header is always v0 so that a client can read it before it knows the broker's versions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "floe/base/byte_buffer.h"
#include "floe/base/status.h"
#include "floe/kafka/generated/messages.h"

namespace floe::kafka {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  // The API, or nullptr when floe does not implement `api_key`.
  const ApiInfo* api = nullptr;
  // Whether the version is within floe's supported range for the API.
  bool version_supported = false;
};

// Reads the header from the start of a request frame, leaving `r` at the body. For an unknown API or an unsupported
// version only the fixed fields are read (the body cannot be interpreted). Fails on a frame too short for a header.
Result<RequestHeader> ReadRequestHeader(ByteReader& r);

void WriteRequestHeader(ByteWriter& w, const RequestHeader& header);
void WriteResponseHeader(ByteWriter& w, int32_t correlation_id, int16_t api_key, int16_t api_version);

// Kafka's error codes that floe sends (https://kafka.apache.org/protocol#protocol_error_codes).
enum class ErrorCode : int16_t {
  kUnknownServerError = -1,
  kNone = 0,
  kOffsetOutOfRange = 1,
  kCorruptMessage = 2,
  kUnknownTopicOrPartition = 3,
  kInvalidFetchSize = 4,
  kLeaderNotAvailable = 5,
  kNotLeaderOrFollower = 6,
  kRequestTimedOut = 7,
  kMessageTooLarge = 10,
  kOffsetMetadataTooLarge = 12,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kInvalidTopicException = 17,
  kRecordListTooLarge = 18,
  kInvalidRequiredAcks = 21,
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kInvalidSessionTimeout = 26,
  kRebalanceInProgress = 27,
  kInvalidCommitOffsetSize = 28,
  kTopicAuthorizationFailed = 29,
  kGroupAuthorizationFailed = 30,
  kUnsupportedSaslMechanism = 33,
  kIllegalSaslState = 34,
  kUnsupportedVersion = 35,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidReplicaAssignment = 39,
  kInvalidConfig = 40,
  kInvalidRequest = 42,
  kUnsupportedForMessageFormat = 43,
  kOutOfOrderSequenceNumber = 45,
  kDuplicateSequenceNumber = 46,
  kInvalidProducerEpoch = 47,
  kInvalidTxnState = 48,
  kInvalidProducerIdMapping = 49,
  kInvalidTransactionTimeout = 50,
  kSaslAuthenticationFailed = 58,
  kUnknownProducerId = 59,
  kGroupIdNotFound = 69,
  kMemberIdRequired = 79,
  kGroupMaxSizeReached = 81,
  kFencedInstanceId = 82,
  kInvalidRecord = 87,
  kUnstableOffsetCommit = 88,
};

inline int16_t Code(ErrorCode e) {
  return static_cast<int16_t>(e);
}

}  // namespace floe::kafka
