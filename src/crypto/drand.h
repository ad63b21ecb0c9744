/*
 * drand.h: drand quicknet beacons (scheme bls-unchained-g1-rfc9380).
 *
 * A quicknet round rho is signed as sigma = sk * H(rho), H(rho) =
 * hash_to_G1(sha256(rho as u64 big-endian)) with the DST below; the
 * signature is a compressed G1 point, the group key a compressed G2
 * point, and sigma is valid when e(sigma, g2) == e(H(rho), pk).  The same
 * sigma is the timelock decryption key of round rho (see tle.h).
 */

#ifndef PYLON_DRAND_H
#define PYLON_DRAND_H

#include <stdint.h>

#include "crypto/bls12_381_curve.h"

#define PYLON_DRAND_SIGNATURE_BYTES    48
#define PYLON_DRAND_PUBLICKEY_BYTES    96
#define PYLON_DRAND_QUICKNET_GENESIS   1692803367
#define PYLON_DRAND_QUICKNET_PERIOD    3
#define PYLON_DRAND_DST  "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

/* the quicknet group public key (compressed G2) */
extern const unsigned char
    pylon_drand_quicknet_pk[PYLON_DRAND_PUBLICKEY_BYTES];

/* q = H(round), the identity point timelocked ciphertexts are bound to */
void pylon_drand_round_point(pylon_g1 *q, uint64_t round);

/*
 * 0 when sig is a valid signature of round under the compressed G2 key pk
 * (both decoded with every check), -1 otherwise.
 */
int pylon_drand_verify(const unsigned char sig[PYLON_DRAND_SIGNATURE_BYTES],
    uint64_t round, const unsigned char pk[PYLON_DRAND_PUBLICKEY_BYTES]);

/* pylon_drand_verify against the quicknet key */
int pylon_drand_quicknet_verify(
    const unsigned char sig[PYLON_DRAND_SIGNATURE_BYTES], uint64_t round);

#endif /* PYLON_DRAND_H */
