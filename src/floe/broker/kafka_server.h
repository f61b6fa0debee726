// The Kafka door: accepts TCP connections, reads size-prefixed request frames, dispatches each to its handler
// (handlers/) and writes the responses in request order, as the protocol requires.
//
// A connection whose frame cannot be read (oversized, truncated, unparseable header, unknown API) is closed and the
// reason logged; every other connection keeps being served. Requests on one connection are handled one at a time
// (pipelined requests wait), so responses never reorder.
#pragma once

#include <memory>

#include "floe/base/status.h"
#include "floe/broker/broker.h"
#include "floe/io/event_loop.h"
#include "floe/io/listen_address.h"

namespace floe::broker {

class KafkaServer {
 public:
  // Makes the process ignore SIGPIPE (responses are partly sent with sendfile, which has no MSG_NOSIGNAL).
  KafkaServer(io::EventLoop& loop, Broker& broker);
  ~KafkaServer();
  KafkaServer(const KafkaServer&) = delete;
  KafkaServer& operator=(const KafkaServer&) = delete;

  // Binds and starts accepting. Returns the bound address (the real port when 0 was asked for).
  Result<io::ListenAddress> Listen(const io::ListenAddress& address);
  // Stops accepting, closes every connection, stops the maintenance timer. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace floe::broker
