/*
 * seal.h: short secrets handed from the helper to a worker through the
 * job queue, sealed with the configuration's session key (both processes
 * have it from the master) so they are never at rest in the clear.
 * XSalsa20-Poly1305 (libsodium secretbox); text form: hex(nonce || box).
 */

#ifndef PYLON_CRYPTO_SEAL_H
#define PYLON_CRYPTO_SEAL_H

#include <stddef.h>

#define PYLON_SEAL_KEY_BYTES  32


/* hex length of a sealed message of len bytes, NUL included */
size_t pylon_seal_hex_len(size_t len);

/*
 * Seals m (len bytes) into out (pylon_seal_hex_len(len) bytes), NUL-
 * terminated.  0 or -1.
 */
int pylon_seal(char *out, const unsigned char key[PYLON_SEAL_KEY_BYTES],
    const unsigned char *m, size_t len);

/*
 * Opens hex into m (capacity cap, at least the plaintext length + 1; the
 * plaintext is NUL-terminated), *len its length.  -1 when forged, from
 * another key or malformed.
 */
int pylon_unseal(unsigned char *m, size_t cap, size_t *len,
    const unsigned char key[PYLON_SEAL_KEY_BYTES], const char *hex);

#endif /* PYLON_CRYPTO_SEAL_H */
