#include "floe/broker/group_coordinator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "floe/base/logging.h"

namespace floe::broker {

using kafka::Code;
using kafka::ErrorCode;

namespace {

// KIP-394: a new member waiting in its first JoinGroup is dropped after this long (it cannot heartbeat yet, and a
// client that gave up would otherwise stay in the rebalance); a client still there retries.
constexpr int64_t kNewMemberJoinTimeoutMs = 5 * 60 * 1000;

// DescribeGroups' authorized operations when asked for: READ (3), DELETE (6), DESCRIBE (8). floe has no ACLs.
constexpr int32_t kGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

kafka::JoinGroupResponse JoinError(std::string member_id, ErrorCode error) {
  kafka::JoinGroupResponse r;
  r.error_code = Code(error);
  r.generation_id = -1;
  r.member_id = std::move(member_id);
  return r;
}

kafka::SyncGroupResponse SyncError(ErrorCode error) {
  kafka::SyncGroupResponse r;
  r.error_code = Code(error);
  return r;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty: return "Empty";
    case GroupState::kPreparingRebalance: return "PreparingRebalance";
    case GroupState::kCompletingRebalance: return "CompletingRebalance";
    case GroupState::kStable: return "Stable";
    case GroupState::kDead: return "Dead";
  }
  return "Dead";
}

struct GroupCoordinator::Member {
  std::string id;
  std::optional<std::string> instance_id;  // static members (KIP-345)
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::vector<kafka::JoinGroupRequest::JoinGroupRequestProtocol> protocols;  // in the member's preference order
  std::string assignment;                                                    // from the leader's SyncGroup
  JoinCallback awaiting_join;                                                // set while its JoinGroup waits
  SyncCallback awaiting_sync;                                                // set while its SyncGroup waits
  int64_t last_heartbeat_ms = 0;
  int64_t joined_ms = 0;
  bool is_new = true;  // has not yet completed a rebalance

  const std::string& Metadata(const std::optional<std::string>& protocol) const {
    static const std::string kNone;
    if (!protocol) return kNone;
    for (const auto& p : protocols) {
      if (p.name == *protocol) return p.metadata;
    }
    return kNone;
  }
  bool Supports(std::string_view protocol) const {
    return std::any_of(protocols.begin(), protocols.end(), [&](const auto& p) { return p.name == protocol; });
  }
  bool Matches(const std::vector<kafka::JoinGroupRequest::JoinGroupRequestProtocol>& other) const {
    return protocols == other;
  }
};

struct GroupCoordinator::Group {
  std::string id;
  GroupState state = GroupState::kEmpty;
  int32_t generation = 0;
  std::optional<std::string> protocol_type;  // set by the first member of an empty group
  std::optional<std::string> protocol_name;  // chosen when a rebalance completes
  std::string leader;                        // member id, or empty
  std::map<std::string, std::unique_ptr<Member>> members;
  std::map<std::string, std::string> static_members;  // group instance id -> member id
  std::map<std::string, int64_t> pending_members;     // member id -> deadline: told MEMBER_ID_REQUIRED, not rejoined
  std::set<std::string> pending_sync;                 // joined this generation, SyncGroup not yet received
  int64_t sync_deadline_ms = 0;
  int32_t rebalance_timeout_ms = 0;  // the largest of the members', fixed when a rebalance starts
  int64_t join_deadline_ms = 0;      // PreparingRebalance: when the join completes at the latest
  bool in_initial_delay = false;     // join_deadline_ms is a KIP-134 initial delay
  int64_t initial_delay_remaining_ms = 0;
  bool new_member_added = false;
  GroupOffsets offsets;

  Member* FindMember(std::string_view member_id) const {
    auto it = members.find(std::string(member_id));
    return it == members.end() ? nullptr : it->second.get();
  }
  bool IsStaticMemberFenced(const std::optional<std::string>& instance_id, std::string_view member_id) const {
    if (!instance_id) return false;
    auto it = static_members.find(*instance_id);
    return it != static_members.end() && it->second != member_id;
  }
  bool AllMembersJoined() const {
    return pending_members.empty() &&
           std::all_of(members.begin(), members.end(), [](const auto& m) { return bool(m.second->awaiting_join); });
  }
};

GroupCoordinator::GroupCoordinator(GroupCoordinatorOptions options, std::unique_ptr<GroupOffsetLog> log)
    : options_(options), log_(std::move(log)), random_(std::random_device{}()) {}

GroupCoordinator::~GroupCoordinator() {
  (void)Close();
}

Result<std::unique_ptr<GroupCoordinator>> GroupCoordinator::Open(const std::string& dir,
                                                                 const GroupCoordinatorOptions& options) {
  GroupOffsetLog::Options log_options;
  log_options.flush = options.flush;
  log_options.compact_bytes = options.offsets_compact_bytes;
  GroupOffsetLog::Recovered recovered;
  FLOE_ASSIGN_OR_RETURN(auto log, GroupOffsetLog::Open(dir, log_options, &recovered));
  std::unique_ptr<GroupCoordinator> c(new GroupCoordinator(options, std::move(log)));
  for (auto& [id, offsets] : recovered.groups) c->GetOrCreateGroup(id).offsets = std::move(offsets);
  FLOE_LOG_INFO("group offsets loaded", {{"dir", dir},
                                         {"groups", recovered.groups.size()},
                                         {"records", recovered.records},
                                         {"dropped_bytes", recovered.dropped_bytes}});
  return c;
}

Status GroupCoordinator::Close() {
  return log_ ? log_->Close() : Status::Ok();
}

GroupCoordinator::Group* GroupCoordinator::FindGroup(std::string_view id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : it->second.get();
}

GroupCoordinator::Group& GroupCoordinator::GetOrCreateGroup(std::string_view id) {
  auto it = groups_.find(id);
  if (it != groups_.end()) return *it->second;
  auto g = std::make_unique<Group>();
  g->id = std::string(id);
  Group& ref = *g;
  groups_.emplace(g->id, std::move(g));
  return ref;
}

std::string GroupCoordinator::NewMemberId(std::string_view prefix) {
  uint64_t hi = random_(), lo = random_();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;        // version 4
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);  // variant
  return fmt::format("{}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", prefix, hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                     lo >> 48, lo & 0xffffffffffffULL);
}

void GroupCoordinator::RespondJoin(JoinCallback& done, kafka::JoinGroupResponse resp) {
  if (!done) return;
  Defer([cb = std::move(done), r = std::move(resp)]() mutable { cb(std::move(r)); });
  done = nullptr;
}

void GroupCoordinator::RespondSync(SyncCallback& done, kafka::SyncGroupResponse resp) {
  if (!done) return;
  Defer([cb = std::move(done), r = std::move(resp)]() mutable { cb(std::move(r)); });
  done = nullptr;
}

void GroupCoordinator::RunDeferred() {
  while (!deferred_.empty()) {
    std::vector<std::function<void()>> run;
    run.swap(deferred_);
    for (auto& fn : run) fn();
  }
}

// --- JoinGroup ---

bool GroupCoordinator::SupportsProtocols(const Group& g, const kafka::JoinGroupRequest& req) const {
  if (g.members.empty()) return !req.protocol_type.empty() && !req.protocols.empty();
  if (!g.protocol_type || *g.protocol_type != req.protocol_type) return false;
  for (const auto& p : req.protocols) {
    bool all =
        std::all_of(g.members.begin(), g.members.end(), [&](const auto& m) { return m.second->Supports(p.name); });
    if (all) return true;
  }
  return false;
}

std::string GroupCoordinator::SelectProtocol(const Group& g) const {
  if (g.members.empty()) return {};
  // Candidates: the protocols every member supports, in the first member's order (for a stable tie-break).
  std::vector<std::string> candidates;
  for (const auto& p : g.members.begin()->second->protocols) {
    bool all =
        std::all_of(g.members.begin(), g.members.end(), [&](const auto& m) { return m.second->Supports(p.name); });
    if (all) candidates.push_back(p.name);
  }
  // Each member votes for its most preferred candidate; the most votes win.
  std::map<std::string, int> votes;
  for (const auto& [_, m] : g.members) {
    for (const auto& p : m->protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const auto& c : candidates) {
    if (votes[c] > best_votes) {
      best = c;
      best_votes = votes[c];
    }
  }
  return best;
}

kafka::JoinGroupResponse GroupCoordinator::CurrentJoinInfo(const Group& g, const Member& m, bool with_members) const {
  kafka::JoinGroupResponse r;
  r.error_code = Code(ErrorCode::kNone);
  r.generation_id = g.generation;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol_name;
  r.leader = g.leader;
  r.member_id = m.id;
  if (with_members) {
    for (const auto& [id, member] : g.members) {
      kafka::JoinGroupResponse::JoinGroupResponseMember jm;
      jm.member_id = id;
      jm.group_instance_id = member->instance_id;
      jm.metadata = member->Metadata(g.protocol_name);
      r.members.push_back(std::move(jm));
    }
  }
  return r;
}

void GroupCoordinator::Join(const kafka::JoinGroupRequest& req, const GroupClient& client, JoinCallback done) {
  // v0 has no rebalance timeout: the session timeout serves as both.
  const int32_t rebalance_ms = req.rebalance_timeout_ms >= 0 ? req.rebalance_timeout_ms : req.session_timeout_ms;
  Group* g = req.group_id.empty() ? nullptr : FindGroup(req.group_id);
  if (req.group_id.empty()) {
    RespondJoin(done, JoinError(req.member_id, ErrorCode::kInvalidGroupId));
  } else if (req.session_timeout_ms < options_.min_session_timeout_ms ||
             req.session_timeout_ms > options_.max_session_timeout_ms) {
    RespondJoin(done, JoinError(req.member_id, ErrorCode::kInvalidSessionTimeout));
  } else if (!g && !req.member_id.empty()) {
    RespondJoin(done, JoinError(req.member_id, ErrorCode::kUnknownMemberId));
  } else {
    Group& group = g ? *g : GetOrCreateGroup(req.group_id);
    if (!SupportsProtocols(group, req)) {
      RespondJoin(done, JoinError(req.member_id, ErrorCode::kInconsistentGroupProtocol));
    } else if (req.member_id.empty()) {
      JoinNewMember(group, req, client, rebalance_ms, done);
    } else {
      JoinKnownMember(group, req, client, rebalance_ms, done);
    }
    MaybeCompleteJoin(group, client.now_ms);
  }
  RunDeferred();
}

void GroupCoordinator::JoinNewMember(Group& g, const kafka::JoinGroupRequest& req, const GroupClient& client,
                                     int32_t rebalance_ms, JoinCallback& done) {
  const auto& instance = req.group_instance_id;
  auto known_static = instance ? g.static_members.find(*instance) : g.static_members.end();
  if (known_static == g.static_members.end() &&
      static_cast<int64_t>(g.members.size() + g.pending_members.size()) >= options_.max_group_size) {
    RespondJoin(done, JoinError(req.member_id, ErrorCode::kGroupMaxSizeReached));
    return;
  }
  std::string id = NewMemberId(instance ? *instance : client.client_id);
  if (known_static != g.static_members.end()) {
    // A static member restarted: it takes over its old member id's place (and its assignment); anything the old
    // incarnation still waits for is fenced.
    std::string old_id = known_static->second;
    auto node = g.members.extract(old_id);
    Member& m = *node.mapped();
    RespondJoin(m.awaiting_join, JoinError(old_id, ErrorCode::kFencedInstanceId));
    RespondSync(m.awaiting_sync, SyncError(ErrorCode::kFencedInstanceId));
    m.id = id;
    m.client_id = client.client_id;
    m.client_host = client.client_host;
    m.last_heartbeat_ms = client.now_ms;
    node.key() = id;
    g.members.insert(std::move(node));
    known_static->second = id;
    if (g.leader == old_id) g.leader = id;
    if (g.pending_sync.erase(old_id)) g.pending_sync.insert(id);
    UpdateMember(g, m, req, rebalance_ms, done);
    UpdateStaticMemberAndRebalance(g, m, client);
    return;
  }
  if (!instance && client.version >= 4) {
    // KIP-394: hand out the id first; the member joins for real with it, so a client that gives up and retries
    // does not leave a ghost member behind.
    g.pending_members[id] = client.now_ms + req.session_timeout_ms;
    RespondJoin(done, JoinError(id, ErrorCode::kMemberIdRequired));
    return;
  }
  AddMemberAndRebalance(g, id, req, client, rebalance_ms, done);
}

void GroupCoordinator::JoinKnownMember(Group& g, const kafka::JoinGroupRequest& req, const GroupClient& client,
                                       int32_t rebalance_ms, JoinCallback& done) {
  const std::string& id = req.member_id;
  if (auto pending = g.pending_members.find(id); pending != g.pending_members.end()) {
    g.pending_members.erase(pending);
    AddMemberAndRebalance(g, id, req, client, rebalance_ms, done);
    return;
  }
  if (g.IsStaticMemberFenced(req.group_instance_id, id)) {
    RespondJoin(done, JoinError(id, ErrorCode::kFencedInstanceId));
    return;
  }
  Member* m = g.FindMember(id);
  if (!m || (req.group_instance_id && !g.static_members.count(*req.group_instance_id))) {
    RespondJoin(done, JoinError(id, ErrorCode::kUnknownMemberId));
    return;
  }
  m->last_heartbeat_ms = client.now_ms;
  switch (g.state) {
    case GroupState::kPreparingRebalance: UpdateMember(g, *m, req, rebalance_ms, done); break;
    case GroupState::kCompletingRebalance:
      if (m->Matches(req.protocols)) {
        // The same join again (its response was lost): answer with the current generation.
        RespondJoin(done, CurrentJoinInfo(g, *m, g.leader == id));
      } else {
        UpdateMember(g, *m, req, rebalance_ms, done);
        MaybePrepareRebalance(g, client.now_ms, "a member rejoined with new metadata");
      }
      break;
    case GroupState::kStable:
      if (g.leader == id || !m->Matches(req.protocols)) {
        // The leader rejoins to force a rebalance (say, its topics' partitions changed); others when their
        // subscription changed.
        UpdateMember(g, *m, req, rebalance_ms, done);
        MaybePrepareRebalance(g, client.now_ms,
                              g.leader == id ? "the leader rejoined" : "a member rejoined with new metadata");
      } else {
        RespondJoin(done, CurrentJoinInfo(g, *m, false));
      }
      break;
    case GroupState::kEmpty:
    case GroupState::kDead: RespondJoin(done, JoinError(id, ErrorCode::kUnknownMemberId)); break;
  }
}

void GroupCoordinator::AddMemberAndRebalance(Group& g, const std::string& member_id, const kafka::JoinGroupRequest& req,
                                             const GroupClient& client, int32_t rebalance_ms, JoinCallback& done) {
  auto m = std::make_unique<Member>();
  m->id = member_id;
  m->instance_id = req.group_instance_id;
  m->client_id = client.client_id;
  m->client_host = client.client_host;
  m->session_timeout_ms = req.session_timeout_ms;
  m->rebalance_timeout_ms = rebalance_ms;
  m->protocols = req.protocols;
  m->awaiting_join = std::move(done);
  done = nullptr;
  m->last_heartbeat_ms = client.now_ms;
  m->joined_ms = client.now_ms;
  // KIP-134: a member arriving during the first rebalance's initial delay extends it.
  if (g.state == GroupState::kPreparingRebalance && g.generation == 0) g.new_member_added = true;
  if (g.members.empty()) g.protocol_type = req.protocol_type;
  if (g.leader.empty()) g.leader = member_id;
  if (req.group_instance_id) g.static_members[*req.group_instance_id] = member_id;
  g.members[member_id] = std::move(m);
  MaybePrepareRebalance(g, client.now_ms, "a member joined");
}

void GroupCoordinator::UpdateMember(Group& g, Member& m, const kafka::JoinGroupRequest& req, int32_t rebalance_ms,
                                    JoinCallback& done) {
  m.protocols = req.protocols;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = rebalance_ms;
  // A second JoinGroup from the same member (another connection; the first gave up) replaces the first.
  RespondJoin(m.awaiting_join, JoinError(m.id, ErrorCode::kRebalanceInProgress));
  m.awaiting_join = std::move(done);
  done = nullptr;
}

void GroupCoordinator::UpdateStaticMemberAndRebalance(Group& g, Member& m, const GroupClient& client) {
  switch (g.state) {
    case GroupState::kStable:
      if (g.protocol_name && SelectProtocol(g) == *g.protocol_name) {
        // Nothing changes for the group: the restarted member carries on with its old assignment, no rebalance.
        // A leader learns it leads (KIP-814: with the members but told to skip the assignment, v9+).
        const bool leader = g.leader == m.id;
        kafka::JoinGroupResponse r = CurrentJoinInfo(g, m, leader && client.version >= 9);
        r.skip_assignment = leader;
        RespondJoin(m.awaiting_join, std::move(r));
      } else {
        MaybePrepareRebalance(g, client.now_ms, "a static member rejoined with another protocol");
      }
      break;
    case GroupState::kCompletingRebalance:
      // The leader may be assigning to the old member id: start over so the new id gets an assignment.
      PrepareRebalance(g, client.now_ms, "a static member rejoined during the rebalance");
      break;
    default: break;  // PreparingRebalance: it waits with the others.
  }
}

void GroupCoordinator::MaybePrepareRebalance(Group& g, int64_t now_ms, std::string_view reason) {
  if (g.state == GroupState::kStable || g.state == GroupState::kCompletingRebalance || g.state == GroupState::kEmpty) {
    PrepareRebalance(g, now_ms, reason);
  }
}

void GroupCoordinator::PrepareRebalance(Group& g, int64_t now_ms, std::string_view reason) {
  if (g.state == GroupState::kCompletingRebalance) {
    // The assignments being synced are void: whoever waits for one rejoins.
    for (auto& [_, m] : g.members) {
      m->assignment.clear();
      if (m->awaiting_sync) m->last_heartbeat_ms = now_ms;  // its session restarts when it is answered
      RespondSync(m->awaiting_sync, SyncError(ErrorCode::kRebalanceInProgress));
    }
  }
  g.pending_sync.clear();
  g.rebalance_timeout_ms = 0;
  for (const auto& [_, m] : g.members)
    g.rebalance_timeout_ms = std::max(g.rebalance_timeout_ms, m->rebalance_timeout_ms);
  if (g.state == GroupState::kEmpty && options_.initial_rebalance_delay_ms > 0) {
    const int64_t delay = std::min<int64_t>(options_.initial_rebalance_delay_ms, g.rebalance_timeout_ms);
    g.in_initial_delay = true;
    g.new_member_added = false;
    g.join_deadline_ms = now_ms + delay;
    g.initial_delay_remaining_ms = std::max<int64_t>(g.rebalance_timeout_ms - options_.initial_rebalance_delay_ms, 0);
  } else {
    g.in_initial_delay = false;
    g.join_deadline_ms = now_ms + g.rebalance_timeout_ms;
  }
  FLOE_LOG_INFO("group rebalancing", {{"group", g.id},
                                      {"reason", reason},
                                      {"from", GroupStateName(g.state)},
                                      {"generation", g.generation},
                                      {"members", g.members.size()}});
  g.state = GroupState::kPreparingRebalance;
  MaybeCompleteJoin(g, now_ms);
}

void GroupCoordinator::MaybeCompleteJoin(Group& g, int64_t now_ms) {
  if (g.state == GroupState::kPreparingRebalance && !g.in_initial_delay && g.AllMembersJoined()) {
    CompleteJoin(g, now_ms);
  }
}

void GroupCoordinator::CompleteJoin(Group& g, int64_t now_ms) {
  // Dynamic members that did not rejoin in time are out; static ones stay until their session expires (KIP-345).
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members) {
    if (!m->awaiting_join && !m->instance_id) gone.push_back(id);
  }
  for (const auto& id : gone) DropMember(g, id);
  if (!g.members.empty()) {
    Member* leader = g.FindMember(g.leader);
    if (!leader || !leader->awaiting_join) {
      auto joined =
          std::find_if(g.members.begin(), g.members.end(), [](const auto& m) { return bool(m.second->awaiting_join); });
      if (joined == g.members.end()) {
        // Only static members that have not rejoined are left: wait another rebalance timeout for them (or for
        // their sessions to expire).
        g.in_initial_delay = false;
        g.join_deadline_ms = now_ms + g.rebalance_timeout_ms;
        return;
      }
      g.leader = joined->first;
    }
  }
  ++g.generation;
  g.in_initial_delay = false;
  g.new_member_added = false;
  if (g.members.empty()) {
    g.state = GroupState::kEmpty;
    g.protocol_name.reset();
    g.leader.clear();
    FLOE_LOG_INFO("group empty", {{"group", g.id}, {"generation", g.generation}});
    return;
  }
  g.protocol_name = SelectProtocol(g);
  g.state = GroupState::kCompletingRebalance;
  g.sync_deadline_ms = now_ms + g.rebalance_timeout_ms;
  for (auto& [id, m] : g.members) {
    m->last_heartbeat_ms = now_ms;
    m->is_new = false;
    g.pending_sync.insert(id);
    if (m->awaiting_join) RespondJoin(m->awaiting_join, CurrentJoinInfo(g, *m, id == g.leader));
  }
  FLOE_LOG_INFO("group joined", {{"group", g.id},
                                 {"generation", g.generation},
                                 {"protocol", *g.protocol_name},
                                 {"leader", g.leader},
                                 {"members", g.members.size()}});
}

void GroupCoordinator::DropMember(Group& g, const std::string& member_id) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  Member& m = *it->second;
  RespondJoin(m.awaiting_join, JoinError("", ErrorCode::kUnknownMemberId));
  RespondSync(m.awaiting_sync, SyncError(ErrorCode::kUnknownMemberId));
  if (m.instance_id) {
    auto s = g.static_members.find(*m.instance_id);
    if (s != g.static_members.end() && s->second == member_id) g.static_members.erase(s);
  }
  g.pending_sync.erase(member_id);
  g.members.erase(it);
  if (g.leader == member_id) g.leader = g.members.empty() ? std::string() : g.members.begin()->first;
}

void GroupCoordinator::RemoveMember(Group& g, const std::string& member_id, int64_t now_ms, std::string_view reason) {
  FLOE_LOG_INFO("group member removed", {{"group", g.id}, {"member", member_id}, {"reason", reason}});
  DropMember(g, member_id);
  switch (g.state) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance: MaybePrepareRebalance(g, now_ms, reason); break;
    case GroupState::kPreparingRebalance: MaybeCompleteJoin(g, now_ms); break;
    default: break;
  }
}

// --- SyncGroup, Heartbeat, LeaveGroup ---

ErrorCode GroupCoordinator::CheckMemberOfGeneration(const std::string& group_id, const std::string& member_id,
                                                    const std::optional<std::string>& instance_id, int32_t generation,
                                                    Group** group, Member** member) const {
  if (group_id.empty()) return ErrorCode::kInvalidGroupId;
  Group* g = *group = FindGroup(group_id);
  if (!g) return ErrorCode::kUnknownMemberId;
  Member* m = *member = g->FindMember(member_id);
  if (g->IsStaticMemberFenced(instance_id, member_id)) return ErrorCode::kFencedInstanceId;
  if (!m) return ErrorCode::kUnknownMemberId;
  if (generation != g->generation) return ErrorCode::kIllegalGeneration;
  return ErrorCode::kNone;
}

void GroupCoordinator::Sync(const kafka::SyncGroupRequest& req, const GroupClient& client, SyncCallback done) {
  Group* g = nullptr;
  Member* m = nullptr;
  ErrorCode error =
      CheckMemberOfGeneration(req.group_id, req.member_id, req.group_instance_id, req.generation_id, &g, &m);
  if (error != ErrorCode::kNone) {
    // reported below
  } else if ((req.protocol_type && g->protocol_type != req.protocol_type) ||
             (req.protocol_name && g->protocol_name != req.protocol_name)) {
    error = ErrorCode::kInconsistentGroupProtocol;
  } else if (g->state == GroupState::kPreparingRebalance) {
    error = ErrorCode::kRebalanceInProgress;
  } else if (g->state == GroupState::kCompletingRebalance) {
    RespondSync(m->awaiting_sync, SyncError(ErrorCode::kRebalanceInProgress));  // a superseded duplicate
    m->awaiting_sync = std::move(done);
    m->last_heartbeat_ms = client.now_ms;
    g->pending_sync.erase(m->id);
    if (g->leader == m->id) {
      std::map<std::string_view, const std::string*> given;
      for (const auto& a : req.assignments) given[a.member_id] = &a.assignment;
      for (auto& [id, member] : g->members) {
        auto it = given.find(id);
        member->assignment = it == given.end() ? std::string() : *it->second;
      }
      g->state = GroupState::kStable;
      FLOE_LOG_INFO("group stable", {{"group", g->id}, {"generation", g->generation}, {"members", g->members.size()}});
      for (auto& [id, member] : g->members) {
        if (!member->awaiting_sync) continue;
        kafka::SyncGroupResponse r;
        r.protocol_type = g->protocol_type;
        r.protocol_name = g->protocol_name;
        r.assignment = member->assignment;
        member->last_heartbeat_ms = client.now_ms;
        RespondSync(member->awaiting_sync, std::move(r));
      }
    }
  } else if (g->state == GroupState::kStable) {
    g->pending_sync.erase(m->id);
    m->last_heartbeat_ms = client.now_ms;
    kafka::SyncGroupResponse r;
    r.protocol_type = g->protocol_type;
    r.protocol_name = g->protocol_name;
    r.assignment = m->assignment;
    RespondSync(done, std::move(r));
  } else {
    error = ErrorCode::kUnknownMemberId;
  }
  if (error != ErrorCode::kNone) RespondSync(done, SyncError(error));
  RunDeferred();
}

kafka::HeartbeatResponse GroupCoordinator::Heartbeat(const kafka::HeartbeatRequest& req, int64_t now_ms) {
  kafka::HeartbeatResponse resp;
  Group* g = nullptr;
  Member* m = nullptr;
  ErrorCode error =
      CheckMemberOfGeneration(req.group_id, req.member_id, req.group_instance_id, req.generation_id, &g, &m);
  if (error == ErrorCode::kNone) {
    m->last_heartbeat_ms = now_ms;
    if (g->state == GroupState::kPreparingRebalance) error = ErrorCode::kRebalanceInProgress;
  }
  resp.error_code = Code(error);
  RunDeferred();
  return resp;
}

kafka::LeaveGroupResponse GroupCoordinator::Leave(const kafka::LeaveGroupRequest& req, int64_t now_ms) {
  kafka::LeaveGroupResponse resp;
  if (req.group_id.empty()) {
    resp.error_code = Code(ErrorCode::kInvalidGroupId);
    return resp;
  }
  Group* g = FindGroup(req.group_id);
  for (const auto& leaving : req.members) {
    kafka::LeaveGroupResponse::MemberResponse mr;
    mr.member_id = leaving.member_id;
    mr.group_instance_id = leaving.group_instance_id;
    ErrorCode error = ErrorCode::kNone;
    if (!g) {
      error = ErrorCode::kUnknownMemberId;
    } else if (leaving.member_id.empty()) {
      // An administrator removes a static member by its instance id alone.
      auto s = leaving.group_instance_id ? g->static_members.find(*leaving.group_instance_id) : g->static_members.end();
      if (s == g->static_members.end()) {
        error = ErrorCode::kUnknownMemberId;
      } else {
        std::string id = s->second;
        RemoveMember(*g, id, now_ms, "removed by group instance id");
      }
    } else if (g->pending_members.erase(leaving.member_id)) {
      MaybeCompleteJoin(*g, now_ms);
    } else if (g->IsStaticMemberFenced(leaving.group_instance_id, leaving.member_id)) {
      error = ErrorCode::kFencedInstanceId;
    } else if (!g->FindMember(leaving.member_id)) {
      error = ErrorCode::kUnknownMemberId;
    } else {
      RemoveMember(*g, leaving.member_id, now_ms,
                   leaving.reason ? fmt::format("left the group: {}", *leaving.reason) : "left the group");
    }
    mr.error_code = Code(error);
    resp.members.push_back(std::move(mr));
  }
  RunDeferred();
  return resp;
}

// --- Offsets ---

kafka::OffsetCommitResponse GroupCoordinator::CommitOffsets(const kafka::OffsetCommitRequest& req, int64_t now_ms,
                                                            const PartitionExists& exists) {
  const int32_t generation = req.generation_id_or_member_epoch;
  ErrorCode group_error = ErrorCode::kNone;
  Group* g = FindGroup(req.group_id);
  if (!g) {
    if (generation < 0) {
      g = &GetOrCreateGroup(req.group_id);  // a simple consumer: the group only stores offsets
    } else {
      group_error = ErrorCode::kIllegalGeneration;  // the group is gone (say, the broker restarted)
    }
  }
  if (g) {
    Member* m = g->FindMember(req.member_id);
    if (g->IsStaticMemberFenced(req.group_instance_id, req.member_id)) {
      group_error = ErrorCode::kFencedInstanceId;
    } else if (generation < 0 && g->state == GroupState::kEmpty) {
      // Offsets only, no group management.
    } else if (!m) {
      group_error = ErrorCode::kUnknownMemberId;
    } else if (generation != g->generation) {
      group_error = ErrorCode::kIllegalGeneration;
    } else if (g->state == GroupState::kCompletingRebalance) {
      group_error = ErrorCode::kRebalanceInProgress;
    } else {
      // Stable, or PreparingRebalance: a member may commit before it rejoins (its heartbeat tells it to).
      m->last_heartbeat_ms = now_ms;
    }
  }

  kafka::OffsetCommitResponse resp;
  std::vector<GroupOffsetLog::Entry> entries;
  std::vector<kafka::OffsetCommitResponse::OffsetCommitResponsePartition*> written;
  resp.topics.reserve(req.topics.size());
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    tr.partitions.reserve(t.partitions.size());
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      ErrorCode error = group_error;
      if (!exists(t.name, p.partition_index)) {
        error = ErrorCode::kUnknownTopicOrPartition;
      } else if (error == ErrorCode::kNone && p.committed_metadata &&
                 static_cast<int64_t>(p.committed_metadata->size()) > options_.max_metadata_bytes) {
        error = ErrorCode::kOffsetMetadataTooLarge;
      }
      pr.error_code = Code(error);
      if (error == ErrorCode::kNone) {
        CommittedOffset c;
        c.offset = p.committed_offset;
        c.leader_epoch = p.committed_leader_epoch;
        c.metadata = p.committed_metadata;
        c.commit_time_ms = now_ms;
        entries.push_back({t.name, p.partition_index, std::move(c)});
        written.push_back(&pr);
      }
    }
  }
  if (!entries.empty()) {
    Status st = log_->AppendCommit(req.group_id, entries);
    if (!st.ok()) {
      FLOE_LOG_ERROR("cannot store committed offsets", {{"group", req.group_id}, {"error", st.message()}});
      for (auto* pr : written) pr->error_code = Code(ErrorCode::kUnknownServerError);
    } else {
      for (auto& e : entries) g->offsets[e.topic][e.partition] = std::move(e.value);
      MaybeCompact();
    }
  }
  RunDeferred();
  return resp;
}

kafka::OffsetFetchResponse GroupCoordinator::FetchOffsets(const kafka::OffsetFetchRequest& req) {
  kafka::OffsetFetchResponse resp;
  const Group* g = FindGroup(req.group_id);
  auto fill = [](kafka::OffsetFetchResponse::OffsetFetchResponsePartition& pr, const CommittedOffset* c) {
    pr.committed_offset = c ? c->offset : -1;
    pr.committed_leader_epoch = c ? c->leader_epoch : -1;
    pr.metadata = c ? c->metadata.value_or("") : "";
    pr.error_code = Code(ErrorCode::kNone);
  };
  if (!req.topics) {
    if (!g) return resp;
    for (const auto& [topic, partitions] : g->offsets) {
      auto& tr = resp.topics.emplace_back();
      tr.name = topic;
      for (const auto& [partition, c] : partitions) {
        auto& pr = tr.partitions.emplace_back();
        pr.partition_index = partition;
        fill(pr, &c);
      }
    }
    return resp;
  }
  for (const auto& t : *req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    const std::map<int32_t, CommittedOffset>* committed = nullptr;
    if (g) {
      auto it = g->offsets.find(t.name);
      if (it != g->offsets.end()) committed = &it->second;
    }
    for (int32_t partition : t.partition_indexes) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = partition;
      const CommittedOffset* c = nullptr;
      if (committed) {
        auto it = committed->find(partition);
        if (it != committed->end()) c = &it->second;
      }
      fill(pr, c);
    }
  }
  return resp;
}

// --- ListGroups, DescribeGroups ---

kafka::ListGroupsResponse GroupCoordinator::ListGroups(const kafka::ListGroupsRequest& req) {
  kafka::ListGroupsResponse resp;
  for (const auto& [id, g] : groups_) {
    std::string_view state = GroupStateName(g->state);
    if (!req.states_filter.empty() && std::none_of(req.states_filter.begin(), req.states_filter.end(),
                                                   [&](const std::string& s) { return EqualsIgnoreCase(s, state); })) {
      continue;
    }
    auto& lg = resp.groups.emplace_back();
    lg.group_id = id;
    lg.protocol_type = g->protocol_type.value_or("");
    lg.group_state = std::string(state);
  }
  return resp;
}

kafka::DescribeGroupsResponse GroupCoordinator::DescribeGroups(const kafka::DescribeGroupsRequest& req) {
  kafka::DescribeGroupsResponse resp;
  for (const auto& id : req.groups) {
    auto& d = resp.groups.emplace_back();
    d.group_id = id;
    d.error_code = Code(ErrorCode::kNone);
    if (req.include_authorized_operations) d.authorized_operations = kGroupOperations;
    const Group* g = FindGroup(id);
    if (!g) {
      d.group_state = std::string(GroupStateName(GroupState::kDead));
      continue;
    }
    d.group_state = std::string(GroupStateName(g->state));
    d.protocol_type = g->protocol_type.value_or("");
    // As Kafka: the protocol, member metadata and assignments only when they are settled (Stable).
    const bool stable = g->state == GroupState::kStable;
    if (stable) d.protocol_data = g->protocol_name.value_or("");
    for (const auto& [member_id, m] : g->members) {
      auto& dm = d.members.emplace_back();
      dm.member_id = member_id;
      dm.group_instance_id = m->instance_id;
      dm.client_id = m->client_id;
      dm.client_host = m->client_host;
      if (stable) {
        dm.member_metadata = m->Metadata(g->protocol_name);
        dm.member_assignment = m->assignment;
      }
    }
  }
  return resp;
}

// --- Timeouts ---

void GroupCoordinator::Tick(int64_t now_ms) {
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& g = *it->second;
    TickGroup(g, now_ms);
    if (g.state == GroupState::kEmpty && g.members.empty() && g.pending_members.empty() && g.offsets.empty()) {
      it = groups_.erase(it);
    } else {
      ++it;
    }
  }
  if (options_.flush == FlushPolicy::kInterval && now_ms - last_sync_ms_ >= options_.flush_interval_ms) {
    last_sync_ms_ = now_ms;
    Status st = log_->Sync();
    if (!st.ok()) FLOE_LOG_ERROR("cannot sync committed offsets", {{"error", st.message()}});
  }
  RunDeferred();
}

void GroupCoordinator::TickGroup(Group& g, int64_t now_ms) {
  // Members told MEMBER_ID_REQUIRED that never came back.
  bool pending_expired = false;
  for (auto it = g.pending_members.begin(); it != g.pending_members.end();) {
    if (now_ms >= it->second) {
      it = g.pending_members.erase(it);
      pending_expired = true;
    } else {
      ++it;
    }
  }
  if (pending_expired) MaybeCompleteJoin(g, now_ms);

  // Sessions: a member waiting in JoinGroup or SyncGroup is alive (except a new member waiting too long).
  std::vector<std::string> expired;
  for (const auto& [id, m] : g.members) {
    if (m->awaiting_join) {
      if (m->is_new && now_ms >= m->joined_ms + kNewMemberJoinTimeoutMs) expired.push_back(id);
    } else if (!m->awaiting_sync && now_ms >= m->last_heartbeat_ms + m->session_timeout_ms) {
      expired.push_back(id);
    }
  }
  for (const auto& id : expired) {
    if (g.FindMember(id)) RemoveMember(g, id, now_ms, "session timeout");
  }

  if (g.state == GroupState::kPreparingRebalance && now_ms >= g.join_deadline_ms) {
    if (g.in_initial_delay && g.new_member_added && g.initial_delay_remaining_ms > 0) {
      // KIP-134: members keep arriving; wait a little more, up to the rebalance timeout in all.
      const int64_t delay = std::min(options_.initial_rebalance_delay_ms, g.initial_delay_remaining_ms);
      g.initial_delay_remaining_ms -= delay;
      g.new_member_added = false;
      g.join_deadline_ms = now_ms + delay;
    } else {
      CompleteJoin(g, now_ms);
    }
  }

  // Members that joined a generation but never synced it: out, and the others rebalance without them.
  if ((g.state == GroupState::kCompletingRebalance || g.state == GroupState::kStable) && !g.pending_sync.empty() &&
      now_ms >= g.sync_deadline_ms) {
    std::vector<std::string> unsynced(g.pending_sync.begin(), g.pending_sync.end());
    for (const auto& id : unsynced) {
      FLOE_LOG_INFO("group member removed", {{"group", g.id}, {"member", id}, {"reason", "no SyncGroup in time"}});
      DropMember(g, id);
    }
    PrepareRebalance(g, now_ms, "members did not sync in time");
  }
}

// --- Deletion, introspection, compaction ---

Status GroupCoordinator::DeleteGroup(std::string_view group_id) {
  Group* g = FindGroup(group_id);
  if (!g) return Status::NotFound(fmt::format("group {} does not exist", group_id));
  if (g->state != GroupState::kEmpty || !g->members.empty()) {
    return Status::Conflict(fmt::format("group {} is {}, not Empty", group_id, GroupStateName(g->state)));
  }
  if (!g->offsets.empty()) FLOE_RETURN_IF_ERROR(log_->AppendDeleteGroup(group_id));
  groups_.erase(groups_.find(group_id));
  MaybeCompact();
  return Status::Ok();
}

void GroupCoordinator::DeleteTopicOffsets(std::string_view topic) {
  for (auto& [id, g] : groups_) {
    auto it = g->offsets.find(std::string(topic));
    if (it == g->offsets.end()) continue;
    std::vector<std::pair<std::string, int32_t>> partitions;
    for (const auto& [p, _] : it->second) partitions.emplace_back(std::string(topic), p);
    Status st = log_->AppendDeleteOffsets(id, partitions);
    if (!st.ok()) {
      FLOE_LOG_ERROR("cannot delete committed offsets of a deleted topic",
                     {{"group", id}, {"topic", topic}, {"error", st.message()}});
      continue;
    }
    g->offsets.erase(it);
  }
  MaybeCompact();
}

GroupState GroupCoordinator::StateOf(std::string_view group_id) const {
  const Group* g = FindGroup(group_id);
  return g ? g->state : GroupState::kDead;
}

int32_t GroupCoordinator::GenerationOf(std::string_view group_id) const {
  const Group* g = FindGroup(group_id);
  return g ? g->generation : -1;
}

std::map<std::string, GroupOffsets> GroupCoordinator::LiveOffsets() const {
  std::map<std::string, GroupOffsets> live;
  for (const auto& [id, g] : groups_) {
    if (!g->offsets.empty()) live[id] = g->offsets;
  }
  return live;
}

void GroupCoordinator::MaybeCompact() {
  if (!log_->ShouldCompact()) return;
  Status st = log_->Compact(LiveOffsets());
  if (!st.ok()) FLOE_LOG_WARN("cannot compact the group offsets log", {{"error", st.message()}});
}

}  // namespace floe::broker
