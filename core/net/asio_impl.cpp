// The one translation unit that compiles Asio (ASIO_SEPARATE_COMPILATION): every other file
// includes only the declarations, which keeps builds on two cores fast.
#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>
