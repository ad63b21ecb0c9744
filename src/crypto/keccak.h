/*
 * keccak.h: the Keccak-f[1600] permutation (FIPS 202), the core of STROBE
 * and therefore of Merlin transcripts and sr25519.
 *
 * The state is 200 bytes: 25 little-endian 64-bit lanes, lane (x, y) at
 * byte offset 8 * (x + 5 * y), exactly as SHA-3 and STROBE address it.
 */

#ifndef PYLON_CRYPTO_KECCAK_H
#define PYLON_CRYPTO_KECCAK_H

#define PYLON_KECCAK_STATE_BYTES  200


/*
 * Apply the 24-round Keccak-f[1600] permutation to state in place.
 * Constant time (no data-dependent branches or table lookups).
 */
void pylon_keccak_f1600(unsigned char state[PYLON_KECCAK_STATE_BYTES]);

#endif /* PYLON_CRYPTO_KECCAK_H */
