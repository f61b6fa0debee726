// Opening a server door: resolve the listen host, bind, listen. Shared by every TCP server (HTTP, Kafka, ...).
// Include only from translation units that already use Asio (it pulls in its TCP headers).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string_view>

#include "floe/base/status.h"
#include "floe/io/listen_address.h"

namespace floe::io {

// Binds and listens `acceptor` on `address`. Returns the bound address (the real port when 0 was asked for).
// Errors name the door and the address: "kafka door: cannot listen on 127.0.0.1:9092: Address already in use".
Result<ListenAddress> OpenAcceptor(boost::asio::ip::tcp::acceptor& acceptor, const ListenAddress& address,
                                   std::string_view door);

}  // namespace floe::io
