// The run-wide stop switch: --deadline and SIGINT/SIGTERM pull it once, and everything still in
// flight anywhere in the run (SMTP sessions, POP3/IMAP logins, reachability connects, DNS
// look-ups) is cancelled at once. A step registers what it can cancel for as long as it lives;
// what starts after the stop sees stopped() and skips, or is cancelled the moment it registers.
// No Asio here: a canceller is a plain function, so any I/O object can take part.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

namespace smtpdoctor {

class RunControl {
 public:
  enum class Stop { none, deadline, interrupted };

  // Unregisters its canceller when it goes out of scope. Movable, not copyable.
  class Registration {
   public:
    Registration() = default;
    Registration(RunControl* control, std::size_t id) : control_(control), id_(id) {}
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration();

   private:
    RunControl* control_ = nullptr;
    std::size_t id_ = 0;
  };

  RunControl() = default;
  RunControl(const RunControl&) = delete;
  RunControl& operator=(const RunControl&) = delete;

  // `cancel` is called once when the run stops (at once when it has stopped already).
  [[nodiscard]] Registration on_stop(std::function<void()> cancel);
  void stop(Stop why);  // the first reason wins
  bool stopped() const { return why_ != Stop::none; }
  Stop why() const { return why_; }
  std::string stop_reason() const;  // "--deadline reached", "interrupted"

 private:
  std::map<std::size_t, std::function<void()>> live_;
  std::size_t next_id_ = 1;
  Stop why_ = Stop::none;
};

}  // namespace smtpdoctor
