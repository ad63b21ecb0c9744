/*
 * test_tle_malformed.c: random and structured garbage must be rejected
 * without crashing or reading out of bounds (this runs under ASan/UBSan):
 * random 48/96-byte point encodings, random ciphertexts of every length
 * up to a few hundred bytes, and well-framed ciphertexts whose U, v, w or
 * body are random.
 */

#include <sodium.h>

#include "tap.h"

#include "crypto/bls12_381_curve.h"
#include "crypto/drand.h"
#include "crypto/tle.h"


static const char  sig1000_hex[] =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125"
    "e342b73a8dd2bacbe47e4b6b63ed5e39";


static void
test_points(void)
{
    unsigned char  b[96];
    pylon_g1       p;
    pylon_g2       q;
    int            i, g1_ok, g2_ok;

    g1_ok = g2_ok = 0;
    for (i = 0; i < 300; i++) {
        randombytes_buf(b, sizeof(b));
        /* mostly well-flagged, so decoding reaches the curve checks */
        if (i % 3 != 0) {
            b[0] = (unsigned char) ((b[0] & 0x3f) | 0x80);
            b[0] &= 0x9f | (i & 0x20);
        }
        g1_ok += pylon_g1_decompress(&p, b) == 0;
        g2_ok += pylon_g2_decompress(&q, b) == 0;
    }

    /* a random x is on E half of the time, but never in G1 */
    is_int(g1_ok, 0, "no random 48-byte string decodes to a G1 point");
    is_int(g2_ok, 0, "no random 96-byte string decodes to a G2 point");
}


static void
put_u64le(unsigned char *p, uint64_t v)
{
    int  i;

    for (i = 0; i < 8; i++) {
        p[i] = (unsigned char) (v >> (8 * i));
    }
}


static void
test_ciphertexts(const unsigned char sig[48])
{
    unsigned char  ct[400], m[400], esk[32], sigma[32], nonce[12];
    size_t         len, mlen, i;
    int            accepted, part;

    accepted = 0;
    for (len = 0; len < sizeof(ct); len++) {
        randombytes_buf(ct, len);
        accepted += pylon_tle_decrypt(m, sizeof(m), &mlen, ct, len, sig)
                    == 0;
    }
    is_int(accepted, 0, "random byte strings of length 0..399 rejected");

    /* a valid ciphertext with one region replaced by random bytes */
    randombytes_buf(esk, 32);
    randombytes_buf(sigma, 32);
    randombytes_buf(nonce, 12);
    for (part = 0; part < 5; part++) {
        accepted = 0;
        for (i = 0; i < 20; i++) {
            if (pylon_tle_encrypt_with(ct, sizeof(ct), &len,
                    (const unsigned char *) "weights", 7, 1000, NULL, esk,
                    sigma, nonce) != 0)
            {
                accepted = -1;
                break;
            }
            switch (part) {
            case 0:
                randombytes_buf(ct, 96);                 /* U */
                break;
            case 1:
                randombytes_buf(ct + 104, 32);           /* v */
                break;
            case 2:
                randombytes_buf(ct + 144, 32);           /* w */
                break;
            case 3:
                randombytes_buf(ct + 192, 7 + 16);       /* body */
                break;
            default:
                /* lengths that run past the end */
                put_u64le(ct + 176, ((uint64_t) 1 << 63) + i);
                put_u64le(ct + 184, ((uint64_t) -1) - i);
                break;
            }
            accepted += pylon_tle_decrypt(m, sizeof(m), &mlen, ct, len, sig)
                        == 0;
        }
        is_int(accepted, 0, "randomised region %d of a ciphertext rejected",
               part);
    }

    ok(pylon_tle_encrypt_with(ct, sizeof(ct), &len,
           (const unsigned char *) "weights", 7, 1000, NULL, esk, sigma,
           nonce) == 0
       && pylon_tle_decrypt(m, sizeof(m), &mlen, ct, len, sig) == 0
       && mlen == 7 && memcmp(m, "weights", 7) == 0,
       "the untouched ciphertext still decrypts");
}


int
main(void)
{
    unsigned char  sig[48];

    if (sodium_init() < 0) {
        return 1;
    }

    sodium_hex2bin(sig, sizeof(sig), sig1000_hex, 96, NULL, NULL, NULL);

    test_points();
    test_ciphertexts(sig);

    return done_testing();
}
