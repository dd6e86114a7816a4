// Runs a batch of coroutines at once on the caller's executor and resumes when every one has
// finished: the "all MX hosts at once" shape of DESIGN §2. Asio 1.22 has no ranged
// parallel_group, so each task is co_spawned and a timer parked at time_point::max is cancelled
// by the last one to finish. Tasks write their results into storage the caller owns; the caller
// outlives them because it does not resume before the last one is done. The first exception a
// task throws is rethrown here.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <vector>

namespace smtpdoctor {

inline asio::awaitable<void> run_concurrently(std::vector<asio::awaitable<void>> tasks) {
  if (tasks.empty()) co_return;
  auto executor = co_await asio::this_coro::executor;
  struct Shared {
    explicit Shared(asio::any_io_executor ex) : done(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done;
    std::size_t remaining = 0;
    std::exception_ptr first_error;
  };
  auto shared = std::make_shared<Shared>(executor);
  shared->remaining = tasks.size();
  for (auto& task : tasks)
    asio::co_spawn(executor, std::move(task), [shared](std::exception_ptr error) {
      if (error && !shared->first_error) shared->first_error = error;
      if (--shared->remaining == 0) shared->done.cancel();
    });
  while (shared->remaining > 0)
    co_await shared->done.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  if (shared->first_error) std::rethrow_exception(shared->first_error);
}

}  // namespace smtpdoctor
