// Process exit codes (DESIGN §4). Scripts and monitoring depend on these numbers.
#pragma once

namespace smtpdoctor {

enum ExitCode : int {
  kExitOk = 0,         // no probe failed (warnings allowed unless --strict)
  kExitFailed = 1,     // a probe failed
  kExitUsage = 2,      // bad flags or arguments
  kExitCannotRun = 3,  // could not run at all (bind failed, no resolver, ...)
  kExitInterrupted = 130,
};

}  // namespace smtpdoctor
