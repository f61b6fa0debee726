// The classic consumer group protocol (group.protocol=classic; KIP-62 rebalance timeouts, KIP-134 initial rebalance
// delay, KIP-345 static members, KIP-394 member id required, KIP-814 skip assignment): group membership, rebalances
// and committed offsets. This node is the coordinator of every group.
//
// A group moves through Kafka's states:
//   Empty ──join──► PreparingRebalance ──all known members rejoined, or rebalance timeout──► CompletingRebalance
//   CompletingRebalance ──leader's SyncGroup──► Stable ──a join, leave or session expiry──► PreparingRebalance
// (Dead is what DescribeGroups reports for a group that does not exist.) JoinGroup and SyncGroup wait: Join answers
// every member when the rebalance completes, the leader with every member's metadata for the chosen protocol (the
// one all members support that most members prefer); Sync answers followers when the leader has sent the
// assignments. A member's session expires when it has not heartbeated (Heartbeat, SyncGroup, OffsetCommit) for
// session_timeout_ms while not waiting in a JoinGroup or SyncGroup; its group then rebalances.
//
// Committed offsets are stored through GroupOffsetLog (group_offsets_format.h) under
// `<data_dir>/kafka/__consumer_offsets/` and survive restarts; after a restart a group with offsets is Empty.
// Membership is not persisted: members of a restarted broker rejoin (their heartbeats answer UNKNOWN_MEMBER_ID).
// A group that is Empty and has no offsets is forgotten.
//
// The API takes the generated request structs and answers with the response structs of the newest version; the
// handlers (handlers/*.cpp) adapt older versions. Time is always passed in (`now_ms`), never read, so tests drive
// it with a fake clock; Tick() fires session, rebalance and sync timeouts.
//
// Thread-safety: none. Every method, and every callback it invokes, runs on the broker's network thread (one
// event-loop thread). Callbacks are invoked after the coordinator's state is updated, never from inside a
// callback, and may be invoked later from another call (another member's request, or Tick).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/broker/group_offset_log.h"
#include "floe/broker/partition_log.h"
#include "floe/kafka/generated/messages.h"
#include "floe/kafka/request_header.h"

namespace floe::broker {

// [broker] group_* keys (broker_config.cpp); defaults are Kafka's except the initial rebalance delay.
struct GroupCoordinatorOptions {
  // group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members (and
  // keeps waiting, up to the rebalance timeout, while new ones arrive). Kafka's default is 3000; floe's is 0, so a
  // lone consumer (one job, a test, a CLI) gets its partitions at once; set 3000 when many consumers of a group
  // start together, to save the extra rebalances.
  int64_t initial_rebalance_delay_ms = 0;
  int32_t min_session_timeout_ms = 6000;                         // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;                      // group.max.session.timeout.ms
  int32_t max_group_size = std::numeric_limits<int32_t>::max();  // group.max.size
  int32_t max_metadata_bytes = 4096;                             // offset.metadata.max.bytes
  int64_t offsets_compact_bytes = 16LL << 20;                    // GroupOffsetLog::Options::compact_bytes
  // From the broker's [broker.log] flush policy: when committed offsets reach the disk.
  FlushPolicy flush = FlushPolicy::kOs;
  int64_t flush_interval_ms = 1000;
};

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };
// "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead": the names Kafka's tools show.
std::string_view GroupStateName(GroupState state);

// Who sent a group request, and when.
struct GroupClient {
  int16_t version = 0;      // the request's API version
  std::string client_id;    // from the request header
  std::string client_host;  // "/127.0.0.1", as Kafka reports it
  int64_t now_ms = 0;
};

class GroupCoordinator {
 public:
  using JoinCallback = std::function<void(kafka::JoinGroupResponse)>;
  using SyncCallback = std::function<void(kafka::SyncGroupResponse)>;
  // Whether a topic-partition exists (OffsetCommit refuses the others).
  using PartitionExists = std::function<bool(const std::string& topic, int32_t partition)>;

  // Opens the offsets log in `dir` (created when missing), restoring every group that has committed offsets.
  static Result<std::unique_ptr<GroupCoordinator>> Open(const std::string& dir, const GroupCoordinatorOptions& options);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // JoinGroup. `done` is called exactly once: at once (errors, MEMBER_ID_REQUIRED, a follower rejoining a stable
  // group) or when the rebalance completes.
  void Join(const kafka::JoinGroupRequest& req, const GroupClient& client, JoinCallback done);
  // SyncGroup. `done` is called exactly once: at once (errors, the leader, a stable group) or, for a follower,
  // when the leader syncs or a new rebalance starts (REBALANCE_IN_PROGRESS).
  void Sync(const kafka::SyncGroupRequest& req, const GroupClient& client, SyncCallback done);
  kafka::HeartbeatResponse Heartbeat(const kafka::HeartbeatRequest& req, int64_t now_ms);
  // LeaveGroup with the v3+ batch of members (the handler turns v0-2's single member_id into one).
  kafka::LeaveGroupResponse Leave(const kafka::LeaveGroupRequest& req, int64_t now_ms);
  // OffsetCommit. Members commit with their generation; simple consumers (no group management) with generation -1
  // to a group that has no members.
  kafka::OffsetCommitResponse CommitOffsets(const kafka::OffsetCommitRequest& req, int64_t now_ms,
                                            const PartitionExists& exists);
  // OffsetFetch. Null topics: every committed offset of the group. Partitions without a commit answer offset -1.
  kafka::OffsetFetchResponse FetchOffsets(const kafka::OffsetFetchRequest& req);
  kafka::ListGroupsResponse ListGroups(const kafka::ListGroupsRequest& req);
  kafka::DescribeGroupsResponse DescribeGroups(const kafka::DescribeGroupsRequest& req);

  // Fires expired session, join, rebalance and sync timeouts, forgets empty groups without offsets, and syncs the
  // offsets log under FlushPolicy::kInterval. Call often (the server calls it every 100 ms).
  void Tick(int64_t now_ms);

  // Deletes an Empty group and its offsets (for DeleteGroups). NotFound; Conflict when it has members.
  Status DeleteGroup(std::string_view group_id);
  // Forgets every group's offsets for `topic` (the topic was deleted).
  void DeleteTopicOffsets(std::string_view topic);

  // For tests and tools: the group's state (kDead when it does not exist) and generation (-1 then).
  GroupState StateOf(std::string_view group_id) const;
  int32_t GenerationOf(std::string_view group_id) const;

  // Syncs and closes the offsets log. Idempotent.
  Status Close();

 private:
  struct Member;
  struct Group;

  GroupCoordinator(GroupCoordinatorOptions options, std::unique_ptr<GroupOffsetLog> log);

  Group* FindGroup(std::string_view id) const;
  // The checks SyncGroup and Heartbeat share: the group exists, the member belongs to it (and is not a fenced
  // static member), the generation is current. Sets *group and *member as far as they were found.
  kafka::ErrorCode CheckMemberOfGeneration(const std::string& group_id, const std::string& member_id,
                                           const std::optional<std::string>& instance_id, int32_t generation,
                                           Group** group, Member** member) const;
  Group& GetOrCreateGroup(std::string_view id);
  std::string NewMemberId(std::string_view prefix);

  void JoinNewMember(Group& g, const kafka::JoinGroupRequest& req, const GroupClient& client, int32_t rebalance_ms,
                     JoinCallback& done);
  void JoinKnownMember(Group& g, const kafka::JoinGroupRequest& req, const GroupClient& client, int32_t rebalance_ms,
                       JoinCallback& done);
  void AddMemberAndRebalance(Group& g, const std::string& member_id, const kafka::JoinGroupRequest& req,
                             const GroupClient& client, int32_t rebalance_ms, JoinCallback& done);
  void UpdateMember(Group& g, Member& m, const kafka::JoinGroupRequest& req, int32_t rebalance_ms, JoinCallback& done);
  void UpdateStaticMemberAndRebalance(Group& g, Member& m, const GroupClient& client);
  void MaybePrepareRebalance(Group& g, int64_t now_ms, std::string_view reason);
  void PrepareRebalance(Group& g, int64_t now_ms, std::string_view reason);
  void MaybeCompleteJoin(Group& g, int64_t now_ms);
  void CompleteJoin(Group& g, int64_t now_ms);
  // Removes a member and rebalances as its group's state requires (Kafka's removeMemberAndUpdateGroup).
  void RemoveMember(Group& g, const std::string& member_id, int64_t now_ms, std::string_view reason);
  // Removes a member without rebalancing: answers its waiting calls with UNKNOWN_MEMBER_ID, hands leadership on.
  void DropMember(Group& g, const std::string& member_id);
  void RespondJoin(JoinCallback& done, kafka::JoinGroupResponse resp);
  void RespondSync(SyncCallback& done, kafka::SyncGroupResponse resp);
  std::string SelectProtocol(const Group& g) const;
  bool SupportsProtocols(const Group& g, const kafka::JoinGroupRequest& req) const;
  kafka::JoinGroupResponse CurrentJoinInfo(const Group& g, const Member& m, bool with_members) const;
  void TickGroup(Group& g, int64_t now_ms);
  void MaybeCompact();
  std::map<std::string, GroupOffsets> LiveOffsets() const;

  // Callbacks are queued while state changes and run when the public call returns (RunDeferred), so no callback
  // sees the coordinator half-updated or re-enters it.
  void Defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }
  void RunDeferred();

  GroupCoordinatorOptions options_;
  std::unique_ptr<GroupOffsetLog> log_;
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;
  std::vector<std::function<void()>> deferred_;
  std::mt19937_64 random_;
  int64_t last_sync_ms_ = 0;
};

}  // namespace floe::broker
