/*
 * suri.h: Substrate secret URIs -> sr25519 keypairs.
 *
 *     SURI     = [PHRASE | 0xHEX64] PATH* ["///" PASSWORD]
 *     PATH     = "//" JUNCTION          (hard; "/" JUNCTION = soft, refused)
 *
 * An empty phrase means the well-known development phrase ("bottom drive
 * obey ..."), so "//Alice" is Alice.  0x + 64 hex digits is a mini secret.
 * A junction of decimal digits that fits u64 becomes its 8 LE bytes,
 * anything else its SCALE string encoding; more than 32 bytes are hashed
 * with BLAKE2b-256; the result is zero-padded to the 32-byte chain code.
 */

#ifndef PYLON_CRYPTO_SURI_H
#define PYLON_CRYPTO_SURI_H

#include <stddef.h>

#include "crypto/mnemonic.h"
#include "crypto/sr25519.h"

#define PYLON_SURI_JUNCTION_MAX  1024

#define PYLON_SURI_DEV_PHRASE  \
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk"


/*
 * Derive the keypair a SURI names into kp (from ..._keypair_new()).  wl is
 * needed only when the SURI contains a mnemonic phrase (NULL otherwise is
 * fine; the development phrase is built in).  -1 with a reason in err
 * (errlen bytes) for malformed SURIs, soft junctions, bad mnemonics or a
 * password given with a hex seed.  err never contains secret material.
 */
int pylon_suri_keypair(pylon_sr25519_keypair_t *kp, const char *suri,
    const pylon_bip39_wordlist_t *wl, char *err, size_t errlen);

/* 1 if the SURI contains a mnemonic phrase (so a word list is needed). */
int pylon_suri_needs_wordlist(const char *suri);

/*
 * Chain code of one junction's text (len <= PYLON_SURI_JUNCTION_MAX bytes,
 * no slashes).
 */
void pylon_suri_chain_code(unsigned char cc[PYLON_SR25519_CHAIN_CODE_BYTES],
    const char *junction, size_t len);

#endif /* PYLON_CRYPTO_SURI_H */
