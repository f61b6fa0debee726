// The request struct of every API floe's codecs implement, as one type list, for the fuzz target and its seed
// generator. Written by hand (generate.py has no dispatch helper); the static_assert below fails the fuzz build
// when kApis (messages.h) gains an API that is not listed here.
#pragma once

#include <cstdint>
#include <iterator>

#include "floe/kafka/generated/messages.h"

namespace floe::kafka::fuzz {

template <typename... Reqs>
struct RequestTypes {
  // Every API in kApis has exactly one request type here, with the same version range.
  static constexpr bool CoversEveryApi() {
    if (sizeof...(Reqs) != std::size(kApis)) return false;
    for (const ApiInfo& api : kApis) {
      const bool found =
          ((Reqs::kApiKey == api.key && Reqs::kMinVersion == api.min_version && Reqs::kMaxVersion == api.max_version &&
            Reqs::kFirstFlexibleVersion == api.first_flexible_version) ||
           ...);
      if (!found) return false;
    }
    return true;
  }

  // Calls `fn.template operator()<Req>()` for the request type whose kApiKey is `key`; false if there is none.
  template <typename Fn>
  static bool Visit(int16_t key, Fn&& fn) {
    return ((Reqs::kApiKey == key ? (fn.template operator()<Reqs>(), true) : false) || ...);
  }

  // Calls `fn.template operator()<Req>()` for every request type.
  template <typename Fn>
  static void ForEach(Fn&& fn) {
    (fn.template operator()<Reqs>(), ...);
  }
};

using AllRequests = RequestTypes<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest, OffsetCommitRequest,
                                 OffsetFetchRequest, FindCoordinatorRequest, JoinGroupRequest, HeartbeatRequest,
                                 LeaveGroupRequest, SyncGroupRequest, DescribeGroupsRequest, ListGroupsRequest,
                                 SaslHandshakeRequest, ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest,
                                 InitProducerIdRequest, DescribeConfigsRequest, SaslAuthenticateRequest>;

static_assert(AllRequests::CoversEveryApi(),
              "tests/fuzz/request_types.h: AllRequests no longer matches kApis in messages.h; add the new API's "
              "request struct (or fix its version range) so the fuzz targets decode it");

}  // namespace floe::kafka::fuzz
