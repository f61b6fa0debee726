#include "floe/io/tcp_acceptor.h"

#include <fmt/format.h>

#include "floe/io/asio_pch.h"

namespace floe::io {

using tcp = boost::asio::ip::tcp;

Result<ListenAddress> OpenAcceptor(tcp::acceptor& acceptor, const ListenAddress& address, std::string_view door) {
  boost::system::error_code ec;
  tcp::resolver resolver(acceptor.get_executor());
  auto results = resolver.resolve(address.host, std::to_string(address.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument(
        fmt::format("{} door: cannot resolve listen host '{}': {}", door, address.host, ec.message()));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Status::IoError(fmt::format("{} door: cannot listen on {}: {}", door, address.ToString(), ec.message()));
  }
  tcp::endpoint bound = acceptor.local_endpoint(ec);
  return ListenAddress{bound.address().to_string(), bound.port()};
}

}  // namespace floe::io
