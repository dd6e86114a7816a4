#include "core/diagnosis/proxy_diagnosis.hpp"

#include "core/diagnosis/knowledge_base.hpp"

namespace smtpdoctor {
namespace {

Finding finding_of(ProxyFailureKind kind) {
  switch (kind) {
    case ProxyFailureKind::unreachable:
      return Finding::proxy_unreachable;
    case ProxyFailureKind::auth_required:
      return Finding::proxy_auth_required;
    case ProxyFailureKind::auth_failed:
      return Finding::proxy_auth_failed;
    case ProxyFailureKind::target_failed:
      return Finding::proxy_target_failed;
    case ProxyFailureKind::protocol:
      return Finding::proxy_protocol;
  }
  return Finding::proxy_protocol;
}

}  // namespace

Diagnosis proxy_failure_diagnosis(const ProxyFailure& failure) {
  Evidence ev;
  ev.stage = Stage::connect;
  ev.finding = finding_of(failure.kind);
  ev.add_fact("proxy", failure.proxy);
  ev.add_fact("proxy_reason", failure.reason);
  return diagnose(ev);
}

}  // namespace smtpdoctor
