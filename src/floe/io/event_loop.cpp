#include "floe/io/event_loop.h"

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include "floe/base/logging.h"
#include "floe/io/asio_pch.h"

namespace floe::io {

namespace asio = boost::asio;

struct EventLoop::Impl {
  explicit Impl(int n) : threads(n < 1 ? 1 : n), context(threads), signals(context) {}
  int threads;
  asio::io_context context;
  asio::signal_set signals;
  std::function<void(int)> on_signal;
  bool shutting_down = false;

  void WaitForSignal() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;  // the set was cancelled: the loop is going away
      if (shutting_down) {
        FLOE_LOG_ERROR("second signal during shutdown, exiting now", {{"signal", signo}});
        std::_Exit(1);
      }
      shutting_down = true;
      FLOE_LOG_INFO("shutting down", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
      if (on_signal) on_signal(signo);
      WaitForSignal();
    });
  }
};

EventLoop::EventLoop(int threads) : impl_(std::make_unique<Impl>(threads)) {}
EventLoop::~EventLoop() = default;

asio::io_context& EventLoop::context() {
  return impl_->context;
}

void EventLoop::Post(std::function<void()> fn) {
  asio::post(impl_->context, std::move(fn));
}

namespace {
void SetShutdownSignalsBlocked(bool blocked) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nullptr);
}
}  // namespace

void EventLoop::HoldShutdownSignals() {
  SetShutdownSignalsBlocked(true);
}

void EventLoop::OnShutdownSignal(std::function<void(int)> handler) {
  impl_->on_signal = std::move(handler);
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->WaitForSignal();
  SetShutdownSignalsBlocked(false);
}

void EventLoop::Run() {
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->threads; ++i) extra.emplace_back([this] { impl_->context.run(); });
  impl_->context.run();
  for (auto& t : extra) t.join();
}

void EventLoop::Stop() {
  // Cancelling the signal set lets run() return once servers have closed; stop() makes sure it does even if some
  // connection is slow to notice.
  asio::post(impl_->context, [this] {
    boost::system::error_code ignored;
    impl_->signals.cancel(ignored);
    impl_->context.stop();
  });
}

}  // namespace floe::io
