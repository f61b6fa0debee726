// GroupCoordinator with a fake clock: joins, syncs, heartbeats and leaves drive the classic group state machine;
// session, rebalance, sync and initial-delay timeouts fire from Tick; offsets commit, fetch and survive a reopen.
#include "floe/broker/group_coordinator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "partition_log_for_tests.h"

namespace floe::broker {
namespace {

using kafka::Code;
using kafka::ErrorCode;
using testing::TempDir;

using Protocols = std::vector<std::pair<std::string, std::string>>;

// A response that may arrive later, and how many times the callback ran (must be exactly once).
template <typename Resp>
struct Answer {
  std::optional<Resp> resp;
  int calls = 0;
  bool ready() const { return resp.has_value(); }
  int16_t error() const { return resp ? resp->error_code : int16_t{-999}; }
};
using JoinAnswer = std::shared_ptr<Answer<kafka::JoinGroupResponse>>;
using SyncAnswer = std::shared_ptr<Answer<kafka::SyncGroupResponse>>;

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    c_.reset();
    auto c = GroupCoordinator::Open(tmp_.path() + "/kafka/__consumer_offsets", options_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    c_ = std::move(*c);
  }

  void Advance(int64_t ms) {
    now_ += ms;
    c_->Tick(now_);
  }
  // Ticks every 100 ms, as the server does, for `ms` in all.
  void AdvanceInSteps(int64_t ms) {
    for (int64_t done = 0; done < ms; done += 100) Advance(std::min<int64_t>(100, ms - done));
  }

  GroupClient Client(int16_t version, std::string client_id = "client") const {
    return GroupClient{version, std::move(client_id), "/127.0.0.1", now_};
  }

  JoinAnswer Join(const std::string& group, const std::string& member_id, int16_t version = 9,
                  Protocols protocols = {{"range", "meta"}}, std::optional<std::string> instance = std::nullopt,
                  int32_t session_ms = 10000, int32_t rebalance_ms = 30000, std::string protocol_type = "consumer") {
    kafka::JoinGroupRequest req;
    req.group_id = group;
    req.member_id = member_id;
    req.group_instance_id = std::move(instance);
    req.session_timeout_ms = session_ms;
    req.rebalance_timeout_ms = version == 0 ? -1 : rebalance_ms;
    req.protocol_type = std::move(protocol_type);
    for (auto& [name, meta] : protocols) req.protocols.push_back({name, meta});
    auto answer = std::make_shared<Answer<kafka::JoinGroupResponse>>();
    c_->Join(req, Client(version), [answer](kafka::JoinGroupResponse r) {
      ++answer->calls;
      answer->resp = std::move(r);
    });
    return answer;
  }

  // A new member's whole first join (v9: MEMBER_ID_REQUIRED, then the join with the id). Returns the second join.
  JoinAnswer JoinNew(const std::string& group, std::string* member_id, Protocols protocols = {{"range", "meta"}}) {
    JoinAnswer first = Join(group, "", 9, protocols);
    EXPECT_TRUE(first->ready());
    EXPECT_EQ(first->error(), Code(ErrorCode::kMemberIdRequired));
    *member_id = first->resp->member_id;
    return Join(group, *member_id, 9, protocols);
  }

  SyncAnswer Sync(const std::string& group, const std::string& member_id, int32_t generation,
                  std::vector<std::pair<std::string, std::string>> assignments = {},
                  std::optional<std::string> instance = std::nullopt) {
    kafka::SyncGroupRequest req;
    req.group_id = group;
    req.member_id = member_id;
    req.generation_id = generation;
    req.group_instance_id = std::move(instance);
    for (auto& [m, a] : assignments) req.assignments.push_back({m, a});
    auto answer = std::make_shared<Answer<kafka::SyncGroupResponse>>();
    c_->Sync(req, Client(5), [answer](kafka::SyncGroupResponse r) {
      ++answer->calls;
      answer->resp = std::move(r);
    });
    return answer;
  }

  int16_t Heartbeat(const std::string& group, const std::string& member_id, int32_t generation,
                    std::optional<std::string> instance = std::nullopt) {
    kafka::HeartbeatRequest req;
    req.group_id = group;
    req.member_id = member_id;
    req.generation_id = generation;
    req.group_instance_id = std::move(instance);
    return c_->Heartbeat(req, now_).error_code;
  }

  kafka::LeaveGroupResponse Leave(const std::string& group, std::vector<std::string> member_ids) {
    kafka::LeaveGroupRequest req;
    req.group_id = group;
    for (auto& id : member_ids) {
      kafka::LeaveGroupRequest::MemberIdentity m;
      m.member_id = id;
      req.members.push_back(std::move(m));
    }
    return c_->Leave(req, now_);
  }

  kafka::OffsetCommitResponse Commit(const std::string& group, const std::string& member_id, int32_t generation,
                                     const std::string& topic, std::vector<std::pair<int32_t, int64_t>> offsets,
                                     std::optional<std::string> metadata = std::string("m")) {
    kafka::OffsetCommitRequest req;
    req.group_id = group;
    req.member_id = member_id;
    req.generation_id_or_member_epoch = generation;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    for (auto [p, o] : offsets) {
      auto& part = t.partitions.emplace_back();
      part.partition_index = p;
      part.committed_offset = o;
      part.committed_metadata = metadata;
    }
    return c_->CommitOffsets(req, now_, [](const std::string& topic, int32_t partition) {
      return topic != "missing" && partition >= 0 && partition < 3;
    });
  }

  // The committed offset of topic-partition, -1 if none.
  int64_t Committed(const std::string& group, const std::string& topic, int32_t partition) {
    kafka::OffsetFetchRequest req;
    req.group_id = group;
    req.topics.emplace();
    req.topics->push_back({topic, {partition}});
    auto resp = c_->FetchOffsets(req);
    EXPECT_EQ(resp.topics.size(), 1u);
    EXPECT_EQ(resp.topics[0].partitions.size(), 1u);
    EXPECT_EQ(resp.topics[0].partitions[0].error_code, 0);
    return resp.topics[0].partitions[0].committed_offset;
  }

  // Two members, both synced: a Stable group with `leader` and `follower` in generation *generation.
  void TwoStableMembers(const std::string& group, std::string* leader, std::string* follower, int32_t* generation) {
    JoinAnswer a = JoinNew(group, leader);
    ASSERT_TRUE(a->ready());
    ASSERT_TRUE(Sync(group, *leader, a->resp->generation_id, {{*leader, "A"}})->ready());
    JoinAnswer b = JoinNew(group, follower);
    ASSERT_FALSE(b->ready());
    EXPECT_EQ(Heartbeat(group, *leader, a->resp->generation_id), Code(ErrorCode::kRebalanceInProgress));
    JoinAnswer a2 = Join(group, *leader);
    ASSERT_TRUE(a2->ready() && b->ready());
    *generation = a2->resp->generation_id;
    SyncAnswer fs = Sync(group, *follower, *generation);
    SyncAnswer ls = Sync(group, *leader, *generation, {{*leader, "A"}, {*follower, "B"}});
    ASSERT_TRUE(fs->ready() && ls->ready());
    ASSERT_EQ(c_->StateOf(group), GroupState::kStable);
  }

  TempDir tmp_;
  GroupCoordinatorOptions options_;
  std::unique_ptr<GroupCoordinator> c_;
  int64_t now_ = 1'000'000;
};

TEST_F(GroupCoordinatorTest, FirstJoinFromV4OnGetsMemberIdRequiredThenJoinsAndLeads) {
  JoinAnswer first = Join("g", "", 4);
  ASSERT_TRUE(first->ready());
  EXPECT_EQ(first->error(), Code(ErrorCode::kMemberIdRequired));
  const std::string id = first->resp->member_id;
  EXPECT_EQ(id.rfind("client-", 0), 0u) << id;  // client id + "-" + a UUID, as Kafka
  EXPECT_EQ(id.size(), std::string("client-").size() + 36);
  EXPECT_EQ(c_->StateOf("g"), GroupState::kEmpty);

  JoinAnswer join = Join("g", id, 4);
  ASSERT_TRUE(join->ready());  // no initial delay: a lone member is answered at once
  const auto& r = *join->resp;
  EXPECT_EQ(r.error_code, 0);
  EXPECT_EQ(r.generation_id, 1);
  EXPECT_EQ(r.member_id, id);
  EXPECT_EQ(r.leader, id);
  EXPECT_EQ(r.protocol_name, "range");
  EXPECT_EQ(r.protocol_type, "consumer");
  ASSERT_EQ(r.members.size(), 1u);
  EXPECT_EQ(r.members[0].metadata, "meta");
  EXPECT_EQ(c_->StateOf("g"), GroupState::kCompletingRebalance);

  SyncAnswer sync = Sync("g", id, 1, {{id, "assignment"}});
  ASSERT_TRUE(sync->ready());
  EXPECT_EQ(sync->error(), 0);
  EXPECT_EQ(sync->resp->assignment, "assignment");
  EXPECT_EQ(sync->resp->protocol_name, "range");
  EXPECT_EQ(c_->StateOf("g"), GroupState::kStable);
  EXPECT_EQ(Heartbeat("g", id, 1), 0);
}

TEST_F(GroupCoordinatorTest, BeforeV4AMemberJoinsWithoutTheExtraRoundTrip) {
  JoinAnswer join = Join("g", "", 3);
  ASSERT_TRUE(join->ready());
  EXPECT_EQ(join->error(), 0);
  EXPECT_FALSE(join->resp->member_id.empty());
  EXPECT_EQ(join->resp->generation_id, 1);
}

TEST_F(GroupCoordinatorTest, V0UsesTheSessionTimeoutAsRebalanceTimeout) {
  JoinAnswer a = Join("g", "", 0, {{"range", "m"}}, std::nullopt, 6000);
  ASSERT_TRUE(a->ready());
  const std::string id = a->resp->member_id;
  ASSERT_TRUE(Sync("g", id, 1, {{id, "x"}})->ready());
  JoinAnswer b = Join("g", "", 0, {{"range", "m"}}, std::nullopt, 6000);
  ASSERT_FALSE(b->ready());
  AdvanceInSteps(6000);  // `a` never rejoins: after 6 s (its session = rebalance timeout) the join completes
  ASSERT_TRUE(b->ready());
  EXPECT_EQ(b->resp->generation_id, 2);
  EXPECT_EQ(b->resp->leader, b->resp->member_id);
}

TEST_F(GroupCoordinatorTest, SecondMemberTriggersRebalanceAndFollowerSyncWaitsForLeader) {
  std::string a, b;
  JoinAnswer ja = JoinNew("g", &a);
  ASSERT_TRUE(Sync("g", a, 1, {{a, "all"}})->ready());

  JoinAnswer jb = JoinNew("g", &b);
  EXPECT_FALSE(jb->ready());
  EXPECT_EQ(c_->StateOf("g"), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat("g", a, 1), Code(ErrorCode::kRebalanceInProgress));

  JoinAnswer ja2 = Join("g", a);
  ASSERT_TRUE(ja2->ready());
  ASSERT_TRUE(jb->ready());
  EXPECT_EQ(ja2->resp->generation_id, 2);
  EXPECT_EQ(jb->resp->generation_id, 2);
  EXPECT_EQ(ja2->resp->leader, a);
  EXPECT_EQ(jb->resp->leader, a);
  EXPECT_EQ(ja2->resp->members.size(), 2u);  // the leader gets every member's metadata
  EXPECT_TRUE(jb->resp->members.empty());

  SyncAnswer sb = Sync("g", b, 2);
  EXPECT_FALSE(sb->ready());           // the follower waits for the leader's assignments
  EXPECT_EQ(Heartbeat("g", b, 2), 0);  // heartbeats while CompletingRebalance are fine
  SyncAnswer sa = Sync("g", a, 2, {{a, "p0"}, {b, "p1,p2"}});
  ASSERT_TRUE(sa->ready() && sb->ready());
  EXPECT_EQ(sa->resp->assignment, "p0");
  EXPECT_EQ(sb->resp->assignment, "p1,p2");
  EXPECT_EQ(sb->calls, 1);
  EXPECT_EQ(c_->StateOf("g"), GroupState::kStable);
  // A late sync in Stable gets the current assignment at once.
  SyncAnswer again = Sync("g", b, 2);
  ASSERT_TRUE(again->ready());
  EXPECT_EQ(again->resp->assignment, "p1,p2");
}

TEST_F(GroupCoordinatorTest, ProtocolIsTheOneAllSupportChosenByMostMembers) {
  std::string a, b, c;
  JoinAnswer ja = JoinNew("g", &a, {{"range", "ra"}, {"roundrobin", "rra"}});
  ASSERT_TRUE(Sync("g", a, 1, {{a, ""}})->ready());
  JoinAnswer jb = JoinNew("g", &b, {{"roundrobin", "rrb"}, {"range", "rb"}});
  JoinAnswer jc = JoinNew("g", &c, {{"roundrobin", "rrc"}, {"range", "rc"}, {"sticky", "sc"}});
  JoinAnswer ja2 = Join("g", a, 9, {{"range", "ra"}, {"roundrobin", "rra"}});
  ASSERT_TRUE(ja2->ready() && jb->ready() && jc->ready());
  EXPECT_EQ(ja2->resp->protocol_name, "roundrobin");
  for (const auto& m : ja2->resp->members) {
    EXPECT_EQ(m.metadata.substr(0, 2), "rr") << "the leader gets each member's metadata for the chosen protocol";
  }
  // A member supporting none of the group's protocols, or another protocol type, is refused.
  EXPECT_EQ(Join("g", "", 9, {{"sticky", "x"}})->error(), Code(ErrorCode::kInconsistentGroupProtocol));
  EXPECT_EQ(Join("g", "", 9, {{"range", "x"}}, std::nullopt, 10000, 30000, "connect")->error(),
            Code(ErrorCode::kInconsistentGroupProtocol));
  EXPECT_EQ(Join("h", "", 9, {})->error(), Code(ErrorCode::kInconsistentGroupProtocol));
}

TEST_F(GroupCoordinatorTest, SessionTimeoutExpiresAMemberAndTheOthersRebalance) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  // Only `a` heartbeats; `b`'s 10 s session runs out.
  for (int i = 0; i < 11; ++i) {
    Advance(1000);
    if (Heartbeat("g", a, gen) != 0) break;
  }
  EXPECT_EQ(c_->StateOf("g"), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat("g", a, gen), Code(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(Heartbeat("g", b, gen), Code(ErrorCode::kUnknownMemberId));
  JoinAnswer ja = Join("g", a);
  ASSERT_TRUE(ja->ready());
  EXPECT_EQ(ja->resp->generation_id, gen + 1);
  EXPECT_EQ(ja->resp->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, MembersWaitingInJoinOrSyncDoNotExpire) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  std::string c;
  JoinAnswer jc = JoinNew("g", &c);
  JoinAnswer ja = Join("g", a);
  JoinAnswer jb = Join("g", b);
  ASSERT_TRUE(ja->ready() && jb->ready() && jc->ready());
  SyncAnswer sb = Sync("g", b, gen + 1);
  SyncAnswer sc = Sync("g", c, gen + 1);
  AdvanceInSteps(20000);  // the leader takes long to assign; b and c wait in SyncGroup, a's session expires
  ASSERT_TRUE(sb->ready());
  EXPECT_EQ(sb->error(), Code(ErrorCode::kRebalanceInProgress));  // a expired: the assignment is void
  EXPECT_EQ(sc->error(), Code(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(Heartbeat("g", a, gen + 1), Code(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupCoordinatorTest, RebalanceTimeoutDropsMembersThatDidNotRejoin) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  std::string c;
  JoinAnswer jc = JoinNew("g", &c);
  JoinAnswer ja = Join("g", a);
  EXPECT_FALSE(ja->ready());
  // b keeps heartbeating but never rejoins.
  for (int i = 0; i < 29; ++i) {
    Advance(1000);
    EXPECT_EQ(Heartbeat("g", b, gen), Code(ErrorCode::kRebalanceInProgress));
  }
  EXPECT_FALSE(ja->ready());
  Advance(1000);  // 30 s: the rebalance timeout
  ASSERT_TRUE(ja->ready() && jc->ready());
  EXPECT_EQ(ja->resp->generation_id, gen + 1);
  EXPECT_EQ(ja->resp->members.size(), 2u);
  EXPECT_EQ(Heartbeat("g", b, gen), Code(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupCoordinatorTest, InitialRebalanceDelayWaitsWhileMembersKeepArriving) {
  options_.initial_rebalance_delay_ms = 3000;
  Open();
  std::string a, b;
  JoinAnswer ja = JoinNew("g", &a);
  AdvanceInSteps(1000);
  JoinAnswer jb = JoinNew("g", &b);
  AdvanceInSteps(1900);
  EXPECT_FALSE(ja->ready());  // 2.9 s
  AdvanceInSteps(200);        // 3.1 s: a member arrived during the delay, so it is extended by another 3 s
  EXPECT_FALSE(ja->ready());
  AdvanceInSteps(2800);
  EXPECT_FALSE(ja->ready());
  AdvanceInSteps(200);  // 6.1 s
  ASSERT_TRUE(ja->ready() && jb->ready());
  EXPECT_EQ(ja->resp->generation_id, 1);
  EXPECT_EQ(ja->resp->leader, a);
  EXPECT_EQ(ja->resp->members.size(), 2u);

  // A lone member waits the delay once.
  std::string c;
  JoinAnswer jc = JoinNew("h", &c);
  AdvanceInSteps(2900);
  EXPECT_FALSE(jc->ready());
  AdvanceInSteps(200);
  EXPECT_TRUE(jc->ready());
}

TEST_F(GroupCoordinatorTest, InitialDelayIsBoundedByTheRebalanceTimeout) {
  options_.initial_rebalance_delay_ms = 3000;
  Open();
  JoinAnswer first = Join("g", "", 9, {{"range", "m"}}, std::nullopt, 10000, /*rebalance_ms=*/1000);
  ASSERT_TRUE(first->ready());
  JoinAnswer join = Join("g", first->resp->member_id, 9, {{"range", "m"}}, std::nullopt, 10000, 1000);
  AdvanceInSteps(1000);
  EXPECT_TRUE(join->ready());
}

TEST_F(GroupCoordinatorTest, LeavingMemberTriggersRebalanceAndLastLeaverEmptiesTheGroup) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  auto left = Leave("g", {b, "nobody"});
  EXPECT_EQ(left.error_code, 0);
  ASSERT_EQ(left.members.size(), 2u);
  EXPECT_EQ(left.members[0].error_code, 0);
  EXPECT_EQ(left.members[1].error_code, Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat("g", a, gen), Code(ErrorCode::kRebalanceInProgress));
  JoinAnswer ja = Join("g", a);
  ASSERT_TRUE(ja->ready());
  EXPECT_EQ(ja->resp->generation_id, gen + 1);
  ASSERT_TRUE(Sync("g", a, gen + 1, {{a, "all"}})->ready());

  EXPECT_EQ(Leave("g", {a}).members[0].error_code, 0);
  EXPECT_EQ(c_->StateOf("g"), GroupState::kEmpty);
  EXPECT_EQ(c_->GenerationOf("g"), gen + 2);
  Advance(100);  // an empty group without offsets is forgotten
  EXPECT_EQ(c_->StateOf("g"), GroupState::kDead);
  EXPECT_EQ(Leave("nope", {a}).members[0].error_code, Code(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupCoordinatorTest, WhenTheOnlyMissingMemberLeavesTheJoinCompletes) {
  std::string a, b;
  JoinAnswer ja = JoinNew("g", &a);
  ASSERT_TRUE(Sync("g", a, 1, {{a, "x"}})->ready());
  JoinAnswer jb = JoinNew("g", &b);
  EXPECT_FALSE(jb->ready());
  Leave("g", {a});
  ASSERT_TRUE(jb->ready());
  EXPECT_EQ(jb->resp->leader, b);  // leadership moved to a member that rejoined
  EXPECT_EQ(jb->resp->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, FollowerWaitingInSyncIsToldToRejoinWhenARebalanceStarts) {
  std::string a, b, c;
  JoinAnswer ja = JoinNew("g", &a);
  ASSERT_TRUE(Sync("g", a, 1, {{a, "x"}})->ready());
  JoinAnswer jb = JoinNew("g", &b);
  ASSERT_TRUE(Join("g", a)->ready());
  SyncAnswer sb = Sync("g", b, 2);
  EXPECT_FALSE(sb->ready());
  JoinAnswer jc = JoinNew("g", &c);
  ASSERT_TRUE(sb->ready());
  EXPECT_EQ(sb->error(), Code(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(sb->calls, 1);
}

TEST_F(GroupCoordinatorTest, SyncAndHeartbeatErrors) {
  std::string a;
  JoinAnswer ja = JoinNew("g", &a);
  EXPECT_EQ(Sync("g", a, 7)->error(), Code(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Sync("g", "who", 1)->error(), Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Sync("nope", a, 1)->error(), Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Sync("", a, 1)->error(), Code(ErrorCode::kInvalidGroupId));
  EXPECT_EQ(Heartbeat("g", a, 7), Code(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Heartbeat("g", "who", 1), Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat("nope", a, 1), Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Join("", "")->error(), Code(ErrorCode::kInvalidGroupId));
  EXPECT_EQ(Join("g", "", 9, {{"range", "m"}}, std::nullopt, 1000)->error(), Code(ErrorCode::kInvalidSessionTimeout));
  EXPECT_EQ(Join("nope", "stale-id")->error(), Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Join("g", "stale-id")->error(), Code(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupCoordinatorTest, MemberIdRequiredThatNeverComesBackExpires) {
  JoinAnswer first = Join("g", "");
  ASSERT_EQ(first->error(), Code(ErrorCode::kMemberIdRequired));
  Advance(9000);
  EXPECT_EQ(c_->StateOf("g"), GroupState::kEmpty);
  Advance(1100);  // its session timeout (10 s) passed: forgotten, and with it the empty group
  EXPECT_EQ(c_->StateOf("g"), GroupState::kDead);
  EXPECT_EQ(Join("g", first->resp->member_id)->error(), Code(ErrorCode::kUnknownMemberId));
}

TEST_F(GroupCoordinatorTest, StaticMemberRestartKeepsItsAssignmentWithoutARebalance) {
  JoinAnswer ja = Join("g", "", 9, {{"range", "m"}}, "instance-a");
  ASSERT_TRUE(ja->ready());
  EXPECT_EQ(ja->error(), 0);  // static members need no MEMBER_ID_REQUIRED round trip
  const std::string a = ja->resp->member_id;
  EXPECT_EQ(a.rfind("instance-a-", 0), 0u);
  std::string b;
  ASSERT_TRUE(Sync("g", a, 1, {{a, "x"}}, "instance-a")->ready());
  JoinAnswer jb = JoinNew("g", &b);
  ASSERT_TRUE(Join("g", a, 9, {{"range", "m"}}, "instance-a")->ready());
  ASSERT_TRUE(jb->ready());
  SyncAnswer sb = Sync("g", b, 2);
  ASSERT_TRUE(Sync("g", a, 2, {{a, "pa"}, {b, "pb"}}, "instance-a")->ready());
  ASSERT_TRUE(sb->ready());

  // instance-a restarts: it joins with no member id, takes over, and the group stays Stable in generation 2.
  JoinAnswer again = Join("g", "", 9, {{"range", "m"}}, "instance-a");
  ASSERT_TRUE(again->ready());
  EXPECT_EQ(again->error(), 0);
  const std::string a2 = again->resp->member_id;
  EXPECT_NE(a2, a);
  EXPECT_EQ(again->resp->generation_id, 2);
  EXPECT_EQ(again->resp->leader, a2);         // it led before, it leads now
  EXPECT_TRUE(again->resp->skip_assignment);  // KIP-814: the leader need not assign again
  EXPECT_EQ(again->resp->members.size(), 2u);
  EXPECT_EQ(c_->StateOf("g"), GroupState::kStable);
  SyncAnswer s = Sync("g", a2, 2, {}, "instance-a");
  ASSERT_TRUE(s->ready());
  EXPECT_EQ(s->resp->assignment, "pa");
  // The old incarnation is fenced.
  EXPECT_EQ(Heartbeat("g", a, 2, "instance-a"), Code(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(Sync("g", a, 2, {}, "instance-a")->error(), Code(ErrorCode::kFencedInstanceId));
  EXPECT_EQ(Heartbeat("g", b, 2), 0);

  // Removal by instance id alone (LeaveGroup v3+ for static members).
  kafka::LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.members.emplace_back();
  leave.members[0].group_instance_id = "instance-a";
  EXPECT_EQ(c_->Leave(leave, now_).members[0].error_code, 0);
  EXPECT_EQ(Heartbeat("g", b, 2), Code(ErrorCode::kRebalanceInProgress));
}

TEST_F(GroupCoordinatorTest, MembersThatNeverSyncAreRemovedAfterTheRebalanceTimeout) {
  std::string a, b;
  JoinAnswer ja = JoinNew("g", &a);
  ASSERT_TRUE(Sync("g", a, 1, {{a, "x"}})->ready());
  JoinAnswer jb = JoinNew("g", &b);
  ASSERT_TRUE(Join("g", a)->ready() && jb->ready());
  ASSERT_TRUE(Sync("g", a, 2, {{a, "1"}, {b, "2"}})->ready());
  // b never syncs (but heartbeats).
  for (int i = 0; i < 31; ++i) {
    Advance(1000);
    Heartbeat("g", a, 2);
    Heartbeat("g", b, 2);
  }
  EXPECT_EQ(Heartbeat("g", b, 2), Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Heartbeat("g", a, 2), Code(ErrorCode::kRebalanceInProgress));
}

TEST_F(GroupCoordinatorTest, DuplicateJoinFromAnotherConnectionReplacesTheFirst) {
  std::string a, b;
  JoinAnswer ja = JoinNew("g", &a);
  ASSERT_TRUE(Sync("g", a, 1, {{a, "x"}})->ready());
  JoinAnswer jb = JoinNew("g", &b);
  JoinAnswer jb_again = Join("g", b);
  ASSERT_TRUE(jb->ready());
  EXPECT_EQ(jb->error(), Code(ErrorCode::kRebalanceInProgress));
  EXPECT_FALSE(jb_again->ready());
  ASSERT_TRUE(Join("g", a)->ready());
  ASSERT_TRUE(jb_again->ready());
  EXPECT_EQ(jb_again->error(), 0);
  EXPECT_EQ(jb->calls, 1);
  EXPECT_EQ(jb_again->calls, 1);
}

TEST_F(GroupCoordinatorTest, GroupMaxSizeIsEnforced) {
  options_.max_group_size = 1;
  Open();
  std::string a;
  JoinAnswer ja = JoinNew("g", &a);
  ASSERT_TRUE(ja->ready());
  EXPECT_EQ(Join("g", "")->error(), Code(ErrorCode::kGroupMaxSizeReached));
}

TEST_F(GroupCoordinatorTest, CallbacksSeeTheUpdatedStateAndMayCallBackIn) {
  JoinAnswer first = Join("g", "");
  kafka::JoinGroupRequest req;
  req.group_id = "g";
  req.member_id = first->resp->member_id;
  req.session_timeout_ms = 10000;
  req.rebalance_timeout_ms = 30000;
  req.protocol_type = "consumer";
  req.protocols.push_back({"range", "m"});
  SyncAnswer sync;
  GroupState seen = GroupState::kDead;
  c_->Join(req, Client(9), [&](kafka::JoinGroupResponse r) {
    seen = c_->StateOf("g");
    sync = Sync("g", r.member_id, r.generation_id, {{r.member_id, "mine"}});  // re-enters the coordinator
  });
  EXPECT_EQ(seen, GroupState::kCompletingRebalance);
  ASSERT_TRUE(sync && sync->ready());
  EXPECT_EQ(sync->resp->assignment, "mine");
}

TEST_F(GroupCoordinatorTest, MembersCommitWithTheirGenerationAndFetchTheirOffsets) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  auto resp = Commit("g", a, gen, "t", {{0, 10}, {1, 20}});
  ASSERT_EQ(resp.topics.size(), 1u);
  for (const auto& p : resp.topics[0].partitions) EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(Committed("g", "t", 0), 10);
  EXPECT_EQ(Committed("g", "t", 1), 20);
  EXPECT_EQ(Committed("g", "t", 2), -1);
  EXPECT_EQ(Committed("g", "other", 0), -1);
  EXPECT_EQ(Committed("nope", "t", 0), -1);

  EXPECT_EQ(Commit("g", a, gen + 5, "t", {{0, 11}}).topics[0].partitions[0].error_code,
            Code(ErrorCode::kIllegalGeneration));
  EXPECT_EQ(Commit("g", "who", gen, "t", {{0, 11}}).topics[0].partitions[0].error_code,
            Code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(Commit("g", "", -1, "t", {{0, 11}}).topics[0].partitions[0].error_code,
            Code(ErrorCode::kUnknownMemberId));  // offsets-only commits only to a group without members
  EXPECT_EQ(Commit("g", a, gen, "missing", {{0, 11}}).topics[0].partitions[0].error_code,
            Code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(Commit("g", a, gen, "t", {{0, 11}}, std::string(5000, 'x')).topics[0].partitions[0].error_code,
            Code(ErrorCode::kOffsetMetadataTooLarge));
  EXPECT_EQ(Committed("g", "t", 0), 10);

  // Null topics: everything the group committed.
  kafka::OffsetFetchRequest all;
  all.group_id = "g";
  auto fetched = c_->FetchOffsets(all);
  ASSERT_EQ(fetched.topics.size(), 1u);
  EXPECT_EQ(fetched.topics[0].name, "t");
  ASSERT_EQ(fetched.topics[0].partitions.size(), 2u);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_offset, 20);
  EXPECT_EQ(fetched.topics[0].partitions[1].metadata, "m");

  // While the group is completing a rebalance, commits are refused with REBALANCE_IN_PROGRESS; while preparing one,
  // members may still commit.
  std::string c;
  JoinAnswer jc = JoinNew("g", &c);
  EXPECT_EQ(Commit("g", a, gen, "t", {{0, 12}}).topics[0].partitions[0].error_code, 0);
  JoinAnswer ja2 = Join("g", a);
  JoinAnswer jb2 = Join("g", b);
  ASSERT_TRUE(ja2->ready() && jb2->ready() && jc->ready());
  EXPECT_EQ(Commit("g", a, gen + 1, "t", {{0, 13}}).topics[0].partitions[0].error_code,
            Code(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(Committed("g", "t", 0), 12);
}

TEST_F(GroupCoordinatorTest, SimpleConsumersCommitWithGenerationMinusOne) {
  auto resp = Commit("simple", "", -1, "t", {{2, 42}});
  EXPECT_EQ(resp.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(Committed("simple", "t", 2), 42);
  EXPECT_EQ(c_->StateOf("simple"), GroupState::kEmpty);
  EXPECT_EQ(Commit("gone", "m", 3, "t", {{0, 1}}).topics[0].partitions[0].error_code,
            Code(ErrorCode::kIllegalGeneration));
  Advance(100);
  EXPECT_EQ(c_->StateOf("simple"), GroupState::kEmpty);  // kept: it has offsets

  auto listed = c_->ListGroups({});
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, "simple");
  EXPECT_EQ(listed.groups[0].protocol_type, "");
  EXPECT_EQ(listed.groups[0].group_state, "Empty");
}

TEST_F(GroupCoordinatorTest, CommittedOffsetsSurviveReopenAndMembersMustRejoin) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  ASSERT_EQ(Commit("g", a, gen, "t", {{0, 100}, {1, 200}}).topics[0].partitions[0].error_code, 0);
  ASSERT_EQ(Commit("g", b, gen, "t", {{2, 300}}).topics[0].partitions[0].error_code, 0);
  ASSERT_EQ(Commit("g", a, gen, "t", {{0, 101}}).topics[0].partitions[0].error_code, 0);
  ASSERT_TRUE(c_->Close().ok());
  Open();
  EXPECT_EQ(Committed("g", "t", 0), 101);
  EXPECT_EQ(Committed("g", "t", 1), 200);
  EXPECT_EQ(Committed("g", "t", 2), 300);
  EXPECT_EQ(c_->StateOf("g"), GroupState::kEmpty);
  EXPECT_EQ(Heartbeat("g", a, gen), Code(ErrorCode::kUnknownMemberId));
  std::string a2;
  JoinAnswer j = JoinNew("g", &a2);
  ASSERT_TRUE(j->ready());
  EXPECT_EQ(j->error(), 0);
}

TEST_F(GroupCoordinatorTest, OffsetsLogIsCompactedAsCommitsAccumulate) {
  options_.offsets_compact_bytes = 2048;
  Open();
  for (int64_t i = 0; i < 500; ++i) {
    ASSERT_EQ(Commit("simple", "", -1, "t", {{0, i}, {1, 2 * i}}).topics[0].partitions[0].error_code, 0);
  }
  const auto size = std::filesystem::file_size(tmp_.path() + "/kafka/__consumer_offsets/offsets.log");
  EXPECT_LT(size, 4096u * 2);
  Open();
  EXPECT_EQ(Committed("simple", "t", 0), 499);
  EXPECT_EQ(Committed("simple", "t", 1), 998);
}

TEST_F(GroupCoordinatorTest, DescribeAndListGroups) {
  std::string a, b;
  int32_t gen;
  TwoStableMembers("g", &a, &b, &gen);
  std::string c;
  JoinAnswer jc = JoinNew("h", &c);

  kafka::DescribeGroupsRequest req;
  req.groups = {"g", "h", "nope"};
  req.include_authorized_operations = true;
  auto resp = c_->DescribeGroups(req);
  ASSERT_EQ(resp.groups.size(), 3u);
  const auto& g = resp.groups[0];
  EXPECT_EQ(g.group_state, "Stable");
  EXPECT_EQ(g.protocol_type, "consumer");
  EXPECT_EQ(g.protocol_data, "range");
  ASSERT_EQ(g.members.size(), 2u);
  for (const auto& m : g.members) {
    EXPECT_EQ(m.client_id, "client");
    EXPECT_EQ(m.client_host, "/127.0.0.1");
    EXPECT_EQ(m.member_metadata, "meta");
    EXPECT_EQ(m.member_assignment, m.member_id == a ? "A" : "B");
  }
  EXPECT_NE(g.authorized_operations, std::numeric_limits<int32_t>::min());
  const auto& h = resp.groups[1];
  EXPECT_EQ(h.group_state, "CompletingRebalance");
  EXPECT_EQ(h.protocol_data, "");  // not settled yet: no protocol, metadata or assignment shown
  ASSERT_EQ(h.members.size(), 1u);
  EXPECT_EQ(h.members[0].member_metadata, "");
  EXPECT_EQ(resp.groups[2].group_state, "Dead");
  EXPECT_EQ(resp.groups[2].error_code, 0);

  auto all = c_->ListGroups({});
  ASSERT_EQ(all.groups.size(), 2u);
  kafka::ListGroupsRequest filter;
  filter.states_filter = {"stable"};
  auto stable = c_->ListGroups(filter);
  ASSERT_EQ(stable.groups.size(), 1u);
  EXPECT_EQ(stable.groups[0].group_id, "g");
  EXPECT_EQ(stable.groups[0].group_state, "Stable");
  EXPECT_EQ(stable.groups[0].protocol_type, "consumer");
}

TEST_F(GroupCoordinatorTest, DeletingAGroupOrATopicDeletesTheirOffsetsDurably) {
  ASSERT_EQ(Commit("g1", "", -1, "t", {{0, 1}}).topics[0].partitions[0].error_code, 0);
  ASSERT_EQ(Commit("g2", "", -1, "t", {{0, 2}}).topics[0].partitions[0].error_code, 0);
  ASSERT_EQ(Commit("g2", "", -1, "u", {{0, 3}}).topics[0].partitions[0].error_code, 0);
  std::string a;
  JoinAnswer ja = JoinNew("active", &a);
  EXPECT_EQ(c_->DeleteGroup("active").code(), StatusCode::kConflict);
  EXPECT_EQ(c_->DeleteGroup("nope").code(), StatusCode::kNotFound);
  ASSERT_TRUE(c_->DeleteGroup("g1").ok());
  c_->DeleteTopicOffsets("t");
  Open();
  EXPECT_EQ(c_->StateOf("g1"), GroupState::kDead);
  EXPECT_EQ(Committed("g2", "t", 0), -1);
  EXPECT_EQ(Committed("g2", "u", 0), 3);
}

TEST_F(GroupCoordinatorTest, GroupStateNamesAreKafkas) {
  EXPECT_EQ(GroupStateName(GroupState::kEmpty), "Empty");
  EXPECT_EQ(GroupStateName(GroupState::kPreparingRebalance), "PreparingRebalance");
  EXPECT_EQ(GroupStateName(GroupState::kCompletingRebalance), "CompletingRebalance");
  EXPECT_EQ(GroupStateName(GroupState::kStable), "Stable");
  EXPECT_EQ(GroupStateName(GroupState::kDead), "Dead");
}

}  // namespace
}  // namespace floe::broker
