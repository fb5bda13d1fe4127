// Internal to src/security: libsodium must be initialised once before its first use (it picks
// the fastest implementations and opens the RNG). Every .cpp that calls sodium calls this first.
//
//   EnsureSodium();
//   randombytes_buf(buffer, size);
//   crypto_pwhash_str(...);
#pragma once

namespace gatehouse::security {

// Thread-safe and cheap after the first call. Aborts if libsodium cannot initialise, since no
// security function could then be trusted.
void EnsureSodium();

}  // namespace gatehouse::security
