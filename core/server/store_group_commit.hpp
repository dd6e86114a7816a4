// Group commit for `serve --store` (the default, `--store-sync group`): the messages that
// complete while one batch is being fsync'd are written and fsync'd together as the next batch
// (store_messages), on a thread of its own so the event loop keeps reading every other session
// meanwhile. Each message's completion is called only after its own files and the directory are
// durable, and the session sends its 250 only then: durability per message is exactly that of
// store_message, only the waiting is shared.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/server/smtp_server_store.hpp"

namespace smtpdoctor {

class GroupCommit {
 public:
  using Done = std::function<void(Result<StoredPaths>)>;

  explicit GroupCommit(std::string dir);
  // Stores whatever is still queued (calling its completions), then joins the thread.
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues one message; `done` runs on the commit thread once it is durable or has failed.
  void submit(MessageToStore message, Done done);

  // At most this many messages per batch: each holds two descriptors open until its fsync.
  static constexpr std::size_t kMaxBatch = 32;

 private:
  struct Job {
    MessageToStore message;
    Done done;
  };
  void run();

  std::string dir_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace smtpdoctor
