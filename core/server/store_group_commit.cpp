#include "core/server/store_group_commit.hpp"

#include <algorithm>
#include <iterator>

namespace smtpdoctor {

GroupCommit::GroupCommit(std::string dir) : dir_(std::move(dir)), thread_([this] { run(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void GroupCommit::submit(MessageToStore message, Done done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{std::move(message), std::move(done)});
  }
  wake_.notify_one();
}

void GroupCommit::run() {
  std::vector<Job> batch;
  std::vector<MessageToStore> messages;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to store
      std::size_t take = std::min(queue_.size(), kMaxBatch);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + std::ptrdiff_t(take)));
      queue_.erase(queue_.begin(), queue_.begin() + std::ptrdiff_t(take));
    }
    messages.clear();
    for (Job& job : batch) messages.push_back(std::move(job.message));
    auto results = store_messages(dir_, messages);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
    batch.clear();
  }
}

}  // namespace smtpdoctor
