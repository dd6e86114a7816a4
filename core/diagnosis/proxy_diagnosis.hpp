// A --proxy failure (core/net/proxy_protocol.hpp) as a diagnosis of category proxy_failure: the
// proxy unreachable, its login required or refused, the server unreachable from the proxy (the
// SOCKS reply or HTTP status in plain words), or not that kind of proxy at all. `check`'s tcp
// probe and `send` both ask here, so the same failure reads the same.
#pragma once

#include "core/diagnosis/diagnosis.hpp"
#include "core/net/proxy_protocol.hpp"

namespace smtpdoctor {

Diagnosis proxy_failure_diagnosis(const ProxyFailure& failure);

}  // namespace smtpdoctor
