// Who we are when we say EHLO: this host's fully qualified name, the default for --helo (and so
// for the default sender postmaster@<helo>).
#pragma once

#include <string>

namespace smtpdoctor {

// gethostname(), and when that has no dot and `may_resolve` is true, the canonical name the
// system resolver gives for it. With --offline nothing is looked up: the plain host name is
// used (the ehlo probe then warns that it is not an FQDN). Never empty: "localhost" at worst.
std::string this_host_name(bool may_resolve);

}  // namespace smtpdoctor
