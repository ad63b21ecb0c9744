/*
 * merlin.h: Merlin transcripts (merlin.cool) over STROBE-128, the
 * Fiat-Shamir hashing used by schnorrkel/sr25519 signing and derivation.
 *
 * Labels are NUL-terminated ASCII strings (the label bytes exclude the
 * NUL); messages are arbitrary bytes.  A transcript is plain memory: copy
 * it by assignment to fork it, wipe it with pylon_merlin_wipe() when it
 * has absorbed secrets.
 */

#ifndef PYLON_CRYPTO_MERLIN_H
#define PYLON_CRYPTO_MERLIN_H

#include <stddef.h>

#include "crypto/strobe.h"


typedef struct {
    pylon_strobe_t  strobe;
} pylon_merlin_t;


/* Start a transcript: STROBE("Merlin v1.0"), append("dom-sep", label). */
void pylon_merlin_init(pylon_merlin_t *t, const char *label);

/* append_message(label, msg): meta-AD(label || LE32(len)), AD(msg). */
void pylon_merlin_append(pylon_merlin_t *t, const char *label,
    const void *msg, size_t len);

/* challenge_bytes(label, n): meta-AD(label || LE32(n)), PRF(n) into out. */
void pylon_merlin_challenge(pylon_merlin_t *t, const char *label,
    void *out, size_t n);

/*
 * Witness bytes (schnorrkel's transcript RNG with one nonce seed): fork t
 * (t itself is not changed), rekey the fork with label/seed and the 32
 * bytes rng32 (fresh OS randomness in production), then draw n bytes into
 * out.  The fork is wiped before returning.
 */
void pylon_merlin_witness(void *out, size_t n, const pylon_merlin_t *t,
    const char *label, const void *seed, size_t seedlen,
    const unsigned char rng32[32]);

/* Wipe t (sodium_memzero). */
void pylon_merlin_wipe(pylon_merlin_t *t);

#endif /* PYLON_CRYPTO_MERLIN_H */
