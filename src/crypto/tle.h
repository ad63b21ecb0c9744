/*
 * tle.h: timelock encryption to a drand quicknet round (the `tle` crate's
 * Boneh-Franklin IBE with AES-256-GCM, as subtensor decrypts CRv4 commits).
 *
 * Ciphertext layout (arkworks CanonicalSerialize, Vec lengths u64 LE):
 *   U (compressed G2, 96) | 32 | v (32) | 32 | w (32)
 *   | L | [ n | AES-GCM ciphertext||tag (n = |m| + 16) | 12 | nonce ]
 *   | 8 | "AES_GCM_"
 * with U = r g2, v = sigma ^ sha256(ser(e(H(round), r pk))),
 * w = esk ^ sha256(sigma), r = sha256(sigma || esk) mod r; see
 * ../shared/spec/chain.md section 11.3.  A ciphertext is |m| + 244 bytes.
 * Decryption needs the round's drand signature (the IBE private key).
 */

#ifndef PYLON_TLE_H
#define PYLON_TLE_H

#include <stddef.h>
#include <stdint.h>

#define PYLON_TLE_OVERHEAD     244
#define PYLON_TLE_KEY_BYTES    32
#define PYLON_TLE_SIGMA_BYTES  32
#define PYLON_TLE_NONCE_BYTES  12
#define PYLON_TLE_MAX_MESSAGE  (1024 * 1024)

/*
 * Encrypt m (mlen <= PYLON_TLE_MAX_MESSAGE) to `round` of drand quicknet
 * with fresh OS randomness.  ct must hold mlen + PYLON_TLE_OVERHEAD bytes;
 * *ctlen receives that length.  Returns 0, or -1 on bad arguments or a
 * crypto library failure.  Secrets are wiped before returning.
 */
int pylon_tle_encrypt(unsigned char *ct, size_t ctcap, size_t *ctlen,
    const unsigned char *m, size_t mlen, uint64_t round);

/*
 * The same with caller-chosen esk, sigma and nonce and public key pk
 * (compressed G2; NULL = quicknet): deterministic, for known-answer tests
 * only.  Never reuse esk/sigma/nonce for real messages.
 */
int pylon_tle_encrypt_with(unsigned char *ct, size_t ctcap, size_t *ctlen,
    const unsigned char *m, size_t mlen, uint64_t round,
    const unsigned char *pk,
    const unsigned char esk[PYLON_TLE_KEY_BYTES],
    const unsigned char sigma[PYLON_TLE_SIGMA_BYTES],
    const unsigned char nonce[PYLON_TLE_NONCE_BYTES]);

/*
 * Decrypt ct with the round's drand signature (compressed G1, 48 bytes),
 * as the chain does, including the U == r g2 consistency check.  m must
 * hold ctlen - PYLON_TLE_OVERHEAD bytes; *mlen receives the plaintext
 * length.  Returns 0, or -1 for any malformed, inconsistent or
 * unauthentic input (never reads outside ct).
 */
int pylon_tle_decrypt(unsigned char *m, size_t mcap, size_t *mlen,
    const unsigned char *ct, size_t ctlen, const unsigned char sig[48]);

#endif /* PYLON_TLE_H */
