/*
 * merlin.c: Merlin transcripts on the STROBE subset in strobe.c.
 *
 * Every message is framed as meta-AD(label), meta-AD(LE32(length)) and
 * then AD(message); a challenge frames its label and length the same way
 * and squeezes with PRF.  The witness generator forks the transcript,
 * keys the fork with the prover's secret nonce seed and 32 random bytes,
 * and squeezes from the fork, so the witness depends on the whole public
 * transcript, the secret and the randomness.
 */

#include <string.h>

#include <sodium.h>

#include "crypto/merlin.h"


static void
merlin_le32(unsigned char out[4], size_t n)
{
    out[0] = (unsigned char) n;
    out[1] = (unsigned char) (n >> 8);
    out[2] = (unsigned char) (n >> 16);
    out[3] = (unsigned char) (n >> 24);
}


void
pylon_merlin_init(pylon_merlin_t *t, const char *label)
{
    static const char  proto[] = "Merlin v1.0";

    pylon_strobe_init(&t->strobe, proto, sizeof(proto) - 1);
    pylon_merlin_append(t, "dom-sep", label, strlen(label));
}


void
pylon_merlin_append(pylon_merlin_t *t, const char *label, const void *msg,
    size_t len)
{
    unsigned char  n[4];

    merlin_le32(n, len);
    pylon_strobe_meta_ad(&t->strobe, label, strlen(label), 0);
    pylon_strobe_meta_ad(&t->strobe, n, 4, 1);
    pylon_strobe_ad(&t->strobe, msg, len, 0);
}


void
pylon_merlin_challenge(pylon_merlin_t *t, const char *label, void *out,
    size_t n)
{
    unsigned char  len[4];

    merlin_le32(len, n);
    pylon_strobe_meta_ad(&t->strobe, label, strlen(label), 0);
    pylon_strobe_meta_ad(&t->strobe, len, 4, 1);
    pylon_strobe_prf(&t->strobe, out, n, 0);
}


void
pylon_merlin_witness(void *out, size_t n, const pylon_merlin_t *t,
    const char *label, const void *seed, size_t seedlen,
    const unsigned char rng32[32])
{
    unsigned char   len[4];
    pylon_strobe_t  fork;

    fork = t->strobe;

    merlin_le32(len, seedlen);
    pylon_strobe_meta_ad(&fork, label, strlen(label), 0);
    pylon_strobe_meta_ad(&fork, len, 4, 1);
    pylon_strobe_key(&fork, seed, seedlen, 0);

    pylon_strobe_meta_ad(&fork, "rng", 3, 0);
    pylon_strobe_key(&fork, rng32, 32, 0);

    merlin_le32(len, n);
    pylon_strobe_meta_ad(&fork, len, 4, 0);
    pylon_strobe_prf(&fork, out, n, 0);

    pylon_strobe_wipe(&fork);
}


void
pylon_merlin_wipe(pylon_merlin_t *t)
{
    pylon_strobe_wipe(&t->strobe);
}
