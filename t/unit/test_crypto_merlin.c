/*
 * test_crypto_merlin.c: STROBE-128 and Merlin transcripts against the
 * published Merlin test vector (merlin crate, "test protocol") and
 * behaviour that must hold: framing separates labels from messages,
 * the witness depends on every input and leaves the transcript as it was.
 */

#include <sodium.h>

#include "crypto/merlin.h"
#include "tap.h"


int
main(void)
{
    unsigned char   out[32], out2[32], w1[64], w2[64], rng[32];
    pylon_merlin_t  t, u, saved;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    pylon_merlin_init(&t, "test protocol");
    pylon_merlin_append(&t, "some label", "some data", 9);
    pylon_merlin_challenge(&t, "challenge", out, 32);
    is_hex(out, 32, "d5a21972d0d5fe320c0d263fac7fffb8"
                    "145aa640af6e9bca177c03c7efcf0615",
           "merlin published vector: test protocol / some label");

    /* moving a byte from label to message must change the challenge */
    pylon_merlin_init(&u, "test protocol");
    pylon_merlin_append(&u, "some labels", "ome data", 8);
    pylon_merlin_challenge(&u, "challenge", out2, 32);
    ok(memcmp(out, out2, 32) != 0, "framing separates label and message");

    /* a second challenge differs from the first */
    pylon_merlin_challenge(&t, "challenge", out2, 32);
    ok(memcmp(out, out2, 32) != 0, "successive challenges differ");

    /* long messages cross the 166-byte rate several times */
    {
        unsigned char  big[1000];

        memset(big, 0x5a, sizeof(big));
        pylon_merlin_init(&t, "test protocol");
        pylon_merlin_append(&t, "big", big, sizeof(big));
        pylon_merlin_challenge(&t, "c", out, 32);
        big[999] ^= 1;
        pylon_merlin_init(&u, "test protocol");
        pylon_merlin_append(&u, "big", big, sizeof(big));
        pylon_merlin_challenge(&u, "c", out2, 32);
        ok(memcmp(out, out2, 32) != 0, "last byte of a long message counts");
    }

    memset(rng, 7, sizeof(rng));
    pylon_merlin_init(&t, "w");
    saved = t;
    pylon_merlin_witness(w1, 64, &t, "signing", "seed", 4, rng);
    ok(memcmp(&t, &saved, sizeof(t)) == 0, "witness leaves transcript as is");
    pylon_merlin_witness(w2, 64, &t, "signing", "seed", 4, rng);
    ok(memcmp(w1, w2, 64) == 0, "witness deterministic for same inputs");
    rng[0] ^= 1;
    pylon_merlin_witness(w2, 64, &t, "signing", "seed", 4, rng);
    ok(memcmp(w1, w2, 64) != 0, "witness depends on the random bytes");
    rng[0] ^= 1;
    pylon_merlin_witness(w2, 64, &t, "signing", "seee", 4, rng);
    ok(memcmp(w1, w2, 64) != 0, "witness depends on the nonce seed");

    pylon_merlin_wipe(&t);
    memset(&u, 0, sizeof(u));
    ok(memcmp(&t, &u, sizeof(t)) == 0, "wipe zeroes the transcript");

    return done_testing();
}
