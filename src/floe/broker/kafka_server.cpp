#include "floe/broker/kafka_server.h"

#include <fmt/format.h>
#include <sys/sendfile.h>

#include <chrono>
#include <csignal>
#include <list>
#include <mutex>
#include <set>

#include "floe/base/logging.h"
#include "floe/broker/handlers/handlers.h"
#include "floe/io/asio_pch.h"
#include "floe/io/tcp_acceptor.h"
#include "floe/kafka/request_header.h"

namespace floe::broker {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using kafka::ApiKey;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Frames a response: int32 size, the response header, the body.
template <typename Resp>
std::vector<uint8_t> Frame(const kafka::RequestHeader& h, const Resp& resp, ConnectionState* conn) {
  // Reuse the connection's previous response buffer: large fetch responses would otherwise pay for fresh pages
  // (page faults and zeroing) on every request.
  std::vector<uint8_t> out = std::move(conn->spare_response);
  out.clear();
  ByteWriter w(&out);
  w.WriteInt32(0);
  kafka::WriteResponseHeader(w, h.correlation_id, h.api_key, h.api_version);
  resp.Encode(w, h.api_version);
  // Records the fetch handler left in the log files are gaps here (they count in the frame's size); the server
  // sends them in place (WriteResponse).
  w.PatchInt32(0, static_cast<int32_t>(out.size() - 4 + w.gap_bytes()));
  conn->response_gaps = w.gaps();
  return out;
}

constexpr auto kIdleTimeout = std::chrono::minutes(10);  // Kafka's connections.max.idle.ms default

// Decodes a request body. Bytes left after the last field are ignored, as Kafka's broker ignores them: librdkafka
// 2.16 sends three extra bytes after its Metadata v12 request, and Kafka serves it.
template <typename Req>
Status DecodeRequest(Req& req, std::span<const uint8_t> body, int16_t version) {
  if (version < Req::kMinVersion || version > Req::kMaxVersion) {
    return Status::Unsupported(fmt::format("{} version {} is not supported", Req::kName, version));
  }
  ByteReader r(body);
  req.Decode(r, version);
  if (r.ok() && r.remaining() != 0) {
    FLOE_LOG_DEBUG("ignoring bytes after a request",
                   {{"api", Req::kName}, {"version", version}, {"bytes", r.remaining()}});
  }
  return r.status().WithContext(fmt::format("{} v{}", Req::kName, version));
}
// The maintenance tick at most this far apart, so group session and rebalance timeouts fire on time.
constexpr int64_t kMaxMaintenanceIntervalMs = 100;

}  // namespace

// The dispatch table: every API the server answers, with the range it answers. ApiVersions reports exactly this.
const std::vector<SupportedApi>& SupportedApis() {
  static const std::vector<SupportedApi> apis = [] {
    std::vector<SupportedApi> v;
    auto add = [&](auto msg) {
      using Req = decltype(msg);
      v.push_back({Req::kApiKey, Req::kMinVersion, Req::kMaxVersion});
    };
    add(kafka::ProduceRequest{});
    add(kafka::FetchRequest{});
    add(kafka::ListOffsetsRequest{});
    add(kafka::MetadataRequest{});
    add(kafka::ApiVersionsRequest{});
    add(kafka::CreateTopicsRequest{});
    add(kafka::DeleteTopicsRequest{});
    add(kafka::InitProducerIdRequest{});
    add(kafka::DescribeConfigsRequest{});
    add(kafka::SaslAuthenticateRequest{});
    // SaslHandshake 0-1 is advertised because librdkafka requires v0 in the range to enable SASL at all; it then
    // sends v1. A real v0 handshake (raw tokens after it, no SaslAuthenticate) is refused in Dispatch.
    add(kafka::SaslHandshakeRequest{});
    add(kafka::FindCoordinatorRequest{});
    add(kafka::JoinGroupRequest{});
    add(kafka::SyncGroupRequest{});
    add(kafka::HeartbeatRequest{});
    add(kafka::LeaveGroupRequest{});
    add(kafka::OffsetCommitRequest{});
    add(kafka::OffsetFetchRequest{});
    add(kafka::ListGroupsRequest{});
    add(kafka::DescribeGroupsRequest{});
    return v;
  }();
  return apis;
}

struct KafkaServer::Impl : std::enable_shared_from_this<KafkaServer::Impl> {
  Impl(io::EventLoop& loop, Broker& broker)
      : context(loop.context()), broker(broker), acceptor(context), maintenance(context) {}

  asio::io_context& context;
  Broker& broker;
  tcp::acceptor acceptor;
  asio::steady_timer maintenance;
  std::string advertised_host;
  int32_t advertised_port = 0;
  std::mutex mu;
  std::set<std::shared_ptr<tcp::socket>> connections;
  bool stopped = false;
  // Fetches waiting for data; only touched on the loop thread.
  std::list<asio::steady_timer*> waiting_fetches;
  // JoinGroup/SyncGroup calls waiting for the group coordinator; only touched on the loop thread. Woken on Stop.
  std::list<asio::steady_timer*> waiting_group_calls;

  void WakeFetches() {
    for (auto* t : waiting_fetches) t->cancel();
  }

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        FLOE_LOG_WARN("kafka accept failed", {{"error", ec.message()}});
        continue;
      }
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      {
        std::lock_guard lock(mu);
        if (stopped) co_return;
        if (static_cast<int64_t>(connections.size()) >= broker.config().max_connections) {
          FLOE_LOG_WARN("kafka connection limit reached, closing new connection",
                        {{"max_connections", broker.config().max_connections}});
          boost::system::error_code ignored;
          s->close(ignored);
          continue;
        }
        connections.insert(s);
      }
      boost::system::error_code nodelay_ec;
      s->set_option(tcp::no_delay(true), nodelay_ec);
      asio::co_spawn(context, Serve(s), asio::detached);
    }
  }

  asio::awaitable<void> Maintain() {
    auto self = shared_from_this();
    for (;;) {
      int64_t interval = std::min<int64_t>({broker.config().log.flush_interval_ms, 30000, kMaxMaintenanceIntervalMs});
      maintenance.expires_after(std::chrono::milliseconds(std::max<int64_t>(interval, 10)));
      auto [ec] = co_await maintenance.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      broker.RunMaintenance(NowMs());
    }
  }

  // Reads exactly buffer.size() bytes, with the idle timeout. Returns the error, if any.
  asio::awaitable<boost::system::error_code> ReadExactly(tcp::socket& s, asio::mutable_buffer buffer) {
    asio::steady_timer timer(context);
    timer.expires_after(kIdleTimeout);
    timer.async_wait([&s](const boost::system::error_code& ec) {
      if (!ec) {
        boost::system::error_code ignored;
        s.cancel(ignored);
      }
    });
    auto [ec, n] = co_await asio::async_read(s, buffer, asio::as_tuple(asio::use_awaitable));
    timer.cancel();
    co_return ec;
  }

  // Writes a framed response. Its gaps (conn.response_gaps) are filled from the log files with sendfile, in order,
  // from conn.fetch_slices; the bytes before each gap go with MSG_MORE so the kernel can send them with the file's.
  asio::awaitable<boost::system::error_code> WriteResponse(tcp::socket& s, std::span<const uint8_t> bytes,
                                                           ConnectionState& conn, const std::string& peer) {
    using boost::system::error_code;
    if (conn.response_gaps.empty()) {
      auto [ec, n] =
          co_await asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable));
      co_return ec;
    }
    if (conn.response_gaps.size() != conn.fetch_slices.size()) {
      FLOE_LOG_ERROR("closing kafka connection: a response's gaps do not match its file ranges (a bug)",
                     {{"peer", peer}, {"gaps", conn.response_gaps.size()}, {"ranges", conn.fetch_slices.size()}});
      co_return make_error_code(boost::system::errc::invalid_argument);
    }
    size_t at = 0;
    if (!s.native_non_blocking()) {
      error_code ec;
      s.native_non_blocking(true, ec);
      if (ec) co_return ec;
    }
    for (size_t g = 0; g < conn.response_gaps.size(); ++g) {
      if (auto ec = co_await SendBytes(s, bytes, &at, conn.response_gaps[g].position, MSG_MORE)) co_return ec;
      for (const LogSlice& slice : conn.fetch_slices[g]) {
        off_t pos = static_cast<off_t>(slice.position());
        size_t left = slice.size();
        while (left > 0) {
          ssize_t n = ::sendfile(s.native_handle(), slice.fd(), &pos, std::min<size_t>(left, size_t{1} << 30));
          if (n > 0) {
            left -= static_cast<size_t>(n);
          } else if (n == 0) {
            FLOE_LOG_ERROR("closing kafka connection: a log file is shorter than the range being sent",
                           {{"peer", peer}, {"position", static_cast<int64_t>(pos)}, {"missing", left}});
            co_return make_error_code(boost::system::errc::io_error);
          } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            auto [ec] = co_await s.async_wait(tcp::socket::wait_write, asio::as_tuple(asio::use_awaitable));
            if (ec) co_return ec;
          } else if (errno != EINTR) {
            co_return error_code(errno, boost::system::system_category());
          }
        }
      }
    }
    co_return co_await SendBytes(s, bytes, &at, bytes.size(), 0);
  }

  // Sends bytes[*at, end) with `flags`, advancing *at.
  static asio::awaitable<boost::system::error_code> SendBytes(tcp::socket& s, std::span<const uint8_t> bytes,
                                                              size_t* at, size_t end, int flags) {
    while (*at < end) {
      auto [ec, n] = co_await s.async_send(asio::buffer(bytes.data() + *at, end - *at), flags,
                                           asio::as_tuple(asio::use_awaitable));
      if (ec) co_return ec;
      *at += n;
    }
    co_return boost::system::error_code{};
  }

  asio::awaitable<void> Serve(std::shared_ptr<tcp::socket> s) {
    auto self = shared_from_this();
    std::string peer;
    {
      boost::system::error_code ec;
      auto ep = s->remote_endpoint(ec);
      if (!ec) peer = fmt::format("{}:{}", ep.address().to_string(), ep.port());
    }
    std::vector<uint8_t> frame;
    ConnectionState conn;
    for (;;) {
      uint8_t size_bytes[4];
      auto ec = co_await ReadExactly(*s, asio::buffer(size_bytes));
      if (ec) break;  // closed by the client, idle timeout, or shutdown
      int32_t size = static_cast<int32_t>(uint32_t{size_bytes[0]} << 24 | uint32_t{size_bytes[1]} << 16 |
                                          uint32_t{size_bytes[2]} << 8 | uint32_t{size_bytes[3]});
      if (size < 8 || size > broker.config().max_request_bytes) {
        // A TLS ClientHello or an HTTP request shows up here as a huge or odd size.
        FLOE_LOG_WARN("closing kafka connection: bad request size",
                      {{"peer", peer}, {"size", size}, {"max_request_bytes", broker.config().max_request_bytes}});
        break;
      }
      frame.resize(static_cast<size_t>(size));
      ec = co_await ReadExactly(*s, asio::buffer(frame));
      if (ec) {
        FLOE_LOG_WARN("closing kafka connection: truncated request", {{"peer", peer}, {"error", ec.message()}});
        break;
      }
      std::optional<std::vector<uint8_t>> response;
      std::string close_reason;
      co_await Dispatch(frame, peer, &conn, &response, &close_reason);
      if (!close_reason.empty()) {
        // The frame's first bytes, so a client's malformed request can be reproduced from the log.
        std::string head;
        for (size_t i = 0; i < std::min<size_t>(frame.size(), 64); ++i) head += fmt::format("{:02x}", frame[i]);
        FLOE_LOG_WARN("closing kafka connection", {{"peer", peer}, {"reason", close_reason}, {"frame_head", head}});
        break;
      }
      if (response) {
        auto wec = co_await WriteResponse(*s, *response, conn, peer);
        conn.response_gaps.clear();
        conn.fetch_slices.clear();
        if (wec) break;
        // Keep the buffer for the next response unless it is unusually large (bounds memory per connection).
        if (response->capacity() <= (8u << 20)) conn.spare_response = std::move(*response);
      }
      if (conn.close_after_response) {
        FLOE_LOG_WARN("closing kafka connection after a failed authentication step", {{"peer", peer}});
        break;
      }
    }
    boost::system::error_code ignored;
    s->shutdown(tcp::socket::shutdown_both, ignored);
    s->close(ignored);
    std::lock_guard lock(mu);
    connections.erase(s);
  }

  // Decodes `body` as Req, calls `fn(ctx, req, resp)`, frames the response.
  template <typename Req, typename Resp, typename Fn>
  std::optional<std::vector<uint8_t>> Serve(RequestContext& ctx, std::span<const uint8_t> body, Fn&& fn,
                                            std::string* close_reason) {
    Req req;
    Status st = DecodeRequest(req, body, ctx.version());
    if (!st.ok()) {
      *close_reason = st.message();
      return std::nullopt;
    }
    Resp resp;
    fn(ctx, req, resp);
    return Frame(ctx.header, resp, ctx.connection);
  }

  // Runs a group call that answers through a callback (`start(done)`: JoinGroup, SyncGroup) and waits for the
  // answer. The callback may run at once, or later from another connection's request or the maintenance tick,
  // always on this loop thread. It holds only a weak reference to the wait: if this connection is gone by then,
  // it touches nothing. If the coordinator dropped the callback unanswered (a bug), or the server stops, the
  // client gets COORDINATOR_NOT_AVAILABLE and looks for the coordinator again.
  template <typename Resp, typename Start>
  asio::awaitable<Resp> AwaitGroupCall(Start start) {
    struct Wait {
      explicit Wait(asio::io_context& c) : timer(c, asio::steady_timer::time_point::max()) {}
      asio::steady_timer timer;
      std::optional<Resp> result;
      bool abandoned = false;
    };
    // Wakes the wait when the last copy of the callback is destroyed without having been called.
    struct Notifier {
      std::weak_ptr<Wait> wait;
      ~Notifier() {
        if (auto w = wait.lock(); w && !w->result) {
          w->abandoned = true;
          w->timer.cancel();
        }
      }
    };
    auto wait = std::make_shared<Wait>(context);
    {
      auto notifier = std::make_shared<Notifier>();  // made in place: a temporary's destructor would fire
      notifier->wait = wait;
      start([notifier](Resp resp) {
        if (auto w = notifier->wait.lock()) {
          w->result = std::move(resp);
          w->timer.cancel();
        }
      });
    }
    auto it = waiting_group_calls.insert(waiting_group_calls.end(), &wait->timer);
    while (!wait->result && !wait->abandoned && !stopped) {
      co_await wait->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    waiting_group_calls.erase(it);
    if (wait->result) co_return std::move(*wait->result);
    if (wait->abandoned) FLOE_LOG_ERROR("a group call was dropped without an answer", {{"api", Resp::kName}});
    Resp resp;
    resp.error_code = kafka::Code(kafka::ErrorCode::kCoordinatorNotAvailable);
    if constexpr (std::is_same_v<Resp, kafka::JoinGroupResponse>) resp.protocol_name = "";  // non-null in v0-6
    co_return resp;
  }

  asio::awaitable<void> Dispatch(std::vector<uint8_t>& frame, const std::string& peer, ConnectionState* conn,
                                 std::optional<std::vector<uint8_t>>* response, std::string* close_reason) {
    ByteReader r(frame);
    auto header = kafka::ReadRequestHeader(r);
    if (!header.ok()) {
      *close_reason = header.status().message();
      co_return;
    }
    const kafka::RequestHeader& h = *header;
    if (!h.version_supported) {
      if (h.api_key == static_cast<int16_t>(ApiKey::kApiVersions)) {
        // KIP-511: answer with v0 and the supported versions, so the client can pick one it shares with us.
        kafka::ApiVersionsResponse resp;
        RequestContext ctx{broker, h, peer, advertised_host, advertised_port, NowMs(), conn};
        HandleApiVersions(ctx, {}, resp);
        resp.error_code = kafka::Code(kafka::ErrorCode::kUnsupportedVersion);
        kafka::RequestHeader v0 = h;
        v0.api_version = 0;
        *response = Frame(v0, resp, conn);
        co_return;
      }
      *close_reason = h.api ? fmt::format("{} version {} is not supported (floe supports {}-{})", h.api->name,
                                          h.api_version, h.api->min_version, h.api->max_version)
                            : fmt::format("unknown api key {}", h.api_key);
      co_return;
    }
    std::span<const uint8_t> body = std::span<const uint8_t>(frame).subspan(r.position());
    RequestContext ctx{broker, h, peer, advertised_host, advertised_port, NowMs(), conn};
    const auto key = static_cast<ApiKey>(h.api_key);
    if (broker.sasl().enabled() && !conn->authenticated && key != ApiKey::kApiVersions &&
        key != ApiKey::kSaslHandshake && key != ApiKey::kSaslAuthenticate) {
      *close_reason = fmt::format("{} request before SASL authentication", h.api->name);
      co_return;
    }
    if (key == ApiKey::kSaslHandshake && h.api_version < 1) {
      *close_reason = "SaslHandshake v0 (unframed SASL tokens) is not supported; clients use v1 with SaslAuthenticate";
      co_return;
    }
    switch (key) {
      case ApiKey::kDescribeConfigs:
        *response = Serve<kafka::DescribeConfigsRequest, kafka::DescribeConfigsResponse>(
            ctx, body, HandleDescribeConfigs, close_reason);
        break;
      case ApiKey::kSaslHandshake:
        *response = Serve<kafka::SaslHandshakeRequest, kafka::SaslHandshakeResponse>(ctx, body, HandleSaslHandshake,
                                                                                     close_reason);
        break;
      case ApiKey::kSaslAuthenticate:
        *response = Serve<kafka::SaslAuthenticateRequest, kafka::SaslAuthenticateResponse>(
            ctx, body, HandleSaslAuthenticate, close_reason);
        break;
      case ApiKey::kApiVersions:
        *response =
            Serve<kafka::ApiVersionsRequest, kafka::ApiVersionsResponse>(ctx, body, HandleApiVersions, close_reason);
        break;
      case ApiKey::kMetadata:
        *response = Serve<kafka::MetadataRequest, kafka::MetadataResponse>(ctx, body, HandleMetadata, close_reason);
        break;
      case ApiKey::kProduce: {
        kafka::ProduceRequest req;
        Status st = DecodeRequest(req, body, h.api_version);
        if (!st.ok()) {
          *close_reason = st.message();
          break;
        }
        kafka::ProduceResponse resp;
        HandleProduce(ctx, req, resp);
        if (req.acks != 0) *response = Frame(h, resp, conn);  // acks=0: the client expects no response
        break;
      }
      case ApiKey::kFetch: {
        kafka::FetchRequest req;
        Status st = DecodeRequest(req, body, h.api_version);
        if (!st.ok()) {
          *close_reason = st.message();
          break;
        }
        kafka::FetchResponse resp;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, req.max_wait_ms));
        asio::steady_timer timer(context);
        while (!HandleFetch(ctx, req, resp, std::chrono::steady_clock::now() < deadline)) {
          timer.expires_at(deadline);
          auto it = waiting_fetches.insert(waiting_fetches.end(), &timer);
          // Woken by an append (cancelled) or the deadline; either way, look again.
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
          waiting_fetches.erase(it);
          if (stopped) break;
          ctx.now_ms = NowMs();
        }
        *response = Frame(h, resp, conn);
        break;
      }
      case ApiKey::kListOffsets:
        *response =
            Serve<kafka::ListOffsetsRequest, kafka::ListOffsetsResponse>(ctx, body, HandleListOffsets, close_reason);
        break;
      case ApiKey::kCreateTopics:
        *response =
            Serve<kafka::CreateTopicsRequest, kafka::CreateTopicsResponse>(ctx, body, HandleCreateTopics, close_reason);
        break;
      case ApiKey::kDeleteTopics:
        *response =
            Serve<kafka::DeleteTopicsRequest, kafka::DeleteTopicsResponse>(ctx, body, HandleDeleteTopics, close_reason);
        break;
      case ApiKey::kInitProducerId:
        *response = Serve<kafka::InitProducerIdRequest, kafka::InitProducerIdResponse>(ctx, body, HandleInitProducerId,
                                                                                       close_reason);
        break;
      case ApiKey::kFindCoordinator:
        *response = Serve<kafka::FindCoordinatorRequest, kafka::FindCoordinatorResponse>(
            ctx, body, HandleFindCoordinator, close_reason);
        break;
      case ApiKey::kJoinGroup: {
        kafka::JoinGroupRequest req;
        if (Status st = DecodeRequest(req, body, h.api_version); !st.ok()) {
          *close_reason = st.message();
          break;
        }
        kafka::JoinGroupResponse resp = co_await AwaitGroupCall<kafka::JoinGroupResponse>(
            [&](std::function<void(kafka::JoinGroupResponse)> done) { HandleJoinGroup(ctx, req, std::move(done)); });
        *response = Frame(h, resp, conn);
        break;
      }
      case ApiKey::kSyncGroup: {
        kafka::SyncGroupRequest req;
        if (Status st = DecodeRequest(req, body, h.api_version); !st.ok()) {
          *close_reason = st.message();
          break;
        }
        kafka::SyncGroupResponse resp = co_await AwaitGroupCall<kafka::SyncGroupResponse>(
            [&](std::function<void(kafka::SyncGroupResponse)> done) { HandleSyncGroup(ctx, req, std::move(done)); });
        *response = Frame(h, resp, conn);
        break;
      }
      case ApiKey::kHeartbeat:
        *response = Serve<kafka::HeartbeatRequest, kafka::HeartbeatResponse>(ctx, body, HandleHeartbeat, close_reason);
        break;
      case ApiKey::kLeaveGroup:
        *response =
            Serve<kafka::LeaveGroupRequest, kafka::LeaveGroupResponse>(ctx, body, HandleLeaveGroup, close_reason);
        break;
      case ApiKey::kOffsetCommit:
        *response =
            Serve<kafka::OffsetCommitRequest, kafka::OffsetCommitResponse>(ctx, body, HandleOffsetCommit, close_reason);
        break;
      case ApiKey::kOffsetFetch:
        *response =
            Serve<kafka::OffsetFetchRequest, kafka::OffsetFetchResponse>(ctx, body, HandleOffsetFetch, close_reason);
        break;
      case ApiKey::kListGroups:
        *response =
            Serve<kafka::ListGroupsRequest, kafka::ListGroupsResponse>(ctx, body, HandleListGroups, close_reason);
        break;
      case ApiKey::kDescribeGroups:
        *response = Serve<kafka::DescribeGroupsRequest, kafka::DescribeGroupsResponse>(ctx, body, HandleDescribeGroups,
                                                                                       close_reason);
        break;
      default: *close_reason = fmt::format("{} is not served yet", h.api->name);
    }
    co_return;
  }
};

KafkaServer::KafkaServer(io::EventLoop& loop, Broker& broker) : impl_(std::make_shared<Impl>(loop, broker)) {
  // sendfile cannot be told MSG_NOSIGNAL: a consumer that goes away in the middle of a response sent from the log
  // files would raise SIGPIPE and kill the process. A failed send is handled as an error of that connection.
  std::signal(SIGPIPE, SIG_IGN);
  std::weak_ptr<Impl> weak = impl_;
  broker.SetAppendListener([weak] {
    if (auto impl = weak.lock()) asio::post(impl->context, [impl] { impl->WakeFetches(); });
  });
}

KafkaServer::~KafkaServer() {
  impl_->broker.SetAppendListener(nullptr);
  Stop();
}

Result<io::ListenAddress> KafkaServer::Listen(const io::ListenAddress& address) {
  FLOE_ASSIGN_OR_RETURN(io::ListenAddress out, io::OpenAcceptor(impl_->acceptor, address, "kafka"));

  const std::string& adv = impl_->broker.config().advertised_listen;
  if (!adv.empty()) {
    auto parsed = io::ParseListenAddress(adv);
    impl_->advertised_host = parsed.ok() ? parsed->host : out.host;
    impl_->advertised_port = parsed.ok() && parsed->port != 0 ? parsed->port : out.port;
  } else {
    boost::system::error_code ec;
    bool wildcard = asio::ip::make_address(out.host, ec).is_unspecified();
    impl_->advertised_host = wildcard ? "localhost" : out.host;
    impl_->advertised_port = out.port;
  }
  asio::co_spawn(impl_->context, impl_->Accept(), asio::detached);
  asio::co_spawn(impl_->context, impl_->Maintain(), asio::detached);
  return out;
}

void KafkaServer::Stop() {
  auto impl = impl_;
  std::set<std::shared_ptr<tcp::socket>> open;
  {
    std::lock_guard lock(impl->mu);
    if (impl->stopped) return;
    impl->stopped = true;
    open.swap(impl->connections);
  }
  auto close_all = [impl, open = std::move(open)] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->maintenance.cancel();
    impl->WakeFetches();
    for (auto* t : impl->waiting_group_calls) t->cancel();
    for (const auto& s : open) s->close(ignored);
  };
  if (impl->context.stopped()) {
    close_all();
  } else {
    asio::post(impl->context, std::move(close_all));
  }
}

}  // namespace floe::broker
