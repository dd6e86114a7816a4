#include "core/base/run_control.hpp"

#include <utility>
#include <vector>

namespace smtpdoctor {

RunControl::Registration::Registration(Registration&& other) noexcept
    : control_(std::exchange(other.control_, nullptr)), id_(other.id_) {}

RunControl::Registration& RunControl::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    if (control_) control_->live_.erase(id_);
    control_ = std::exchange(other.control_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

RunControl::Registration::~Registration() {
  if (control_) control_->live_.erase(id_);
}

RunControl::Registration RunControl::on_stop(std::function<void()> cancel) {
  if (stopped()) {
    cancel();
    return {};
  }
  std::size_t id = next_id_++;
  live_.emplace(id, std::move(cancel));
  return {this, id};
}

void RunControl::stop(Stop why) {
  if (why_ != Stop::none) return;
  why_ = why;
  // A canceller may end a coroutine that drops other registrations: call from a copy.
  std::vector<std::function<void()>> cancellers;
  for (auto& [id, cancel] : live_) cancellers.push_back(cancel);
  for (auto& cancel : cancellers) cancel();
}

std::string RunControl::stop_reason() const {
  switch (why_) {
    case Stop::none:
      return "";
    case Stop::deadline:
      return "--deadline reached";
    case Stop::interrupted:
      return "interrupted";
  }
  return "";
}

}  // namespace smtpdoctor
