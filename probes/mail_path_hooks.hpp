// Issue 5 plugged into `check` through the pipeline's seams (probes/check_pipeline.hpp):
// CheckHooks::find_mail_hosts runs the internet and dns probes and returns the exchangers to
// walk (with the addresses our resolver found); CheckHooks::after_ports adds the port-25
// verdict, the egress address check, the name-consistency notes and the POP3/IMAP credential
// comparison. The CLI (or selftest, or a test) calls this once before run_check.
#pragma once

#include "probes/check_pipeline.hpp"
#include "probes/mail_path_options.hpp"

namespace smtpdoctor {

// Sets hooks.find_mail_hosts and hooks.after_ports (any after_ports already set still runs,
// first); hooks.on_probe is left alone.
void install_mail_path_hooks(CheckHooks& hooks, MailPathOptions mail_path);

}  // namespace smtpdoctor
