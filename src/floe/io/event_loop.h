// The network event loop: one Asio io_context run by a fixed number of threads, and the process's handling of
// SIGINT/SIGTERM for a clean shutdown.
//
// Servers (broker, catalog, query, dashboard) register their acceptors on `context()`. Disk flushes and CPU-heavy
// work never run here; they go to a worker pool.
#pragma once

#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace floe::io {

class EventLoop {
 public:
  // `threads` network threads (at least 1) run the loop once Run() is called.
  explicit EventLoop(int threads = 1);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  boost::asio::io_context& context();

  // Runs `fn` on a loop thread soon. Safe from any thread; for code that must not include Asio's headers.
  void Post(std::function<void()> fn);

  // Calls `handler(signal_number)` on a loop thread when SIGINT or SIGTERM arrives. The first signal starts a clean
  // shutdown (the handler stops servers, flushes, then calls Stop()); a second one while shutting down exits the
  // process at once with status 1, for when a shutdown hangs. Call before Run().
  // The handler is installed in the calling thread's process, and SIGINT/SIGTERM are unblocked in the calling thread
  // (see HoldShutdownSignals): a signal that arrived in between is delivered now.
  void OnShutdownSignal(std::function<void(int)> handler);

  // Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts afterwards) until
  // OnShutdownSignal: a server announces its doors before it installs its handler, and a SIGTERM sent as soon as a
  // door is announced must start a clean shutdown, not kill the process. Call first thing in main's thread.
  static void HoldShutdownSignals();

  // Runs the loop on this thread and threads-1 others until Stop() is called or no work is left.
  void Run();
  // Makes Run() return once in-flight handlers finish. Safe from any thread and from signal handlers' callbacks.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::io
