#include "security/sodium_init.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace gatehouse::security {

void EnsureSodium() {
  // A function-local static gives us C++'s thread-safe once-initialisation for free.
  static const int status = [] {
    const int rc = sodium_init();
    if (rc < 0) {
      std::fputs("gatehouse: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return rc;
  }();
  (void)status;
}

}  // namespace gatehouse::security
