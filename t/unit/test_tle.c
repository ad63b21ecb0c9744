/*
 * test_tle.c: timelock encryption known answers and round trips.
 *
 * The regression vector of ../shared/spec/chain.md section 11.3 (esk =
 * 02 x 32, sigma = 07 x 32, nonce = 0b x 12, "this is a test", round 1000)
 * must be reproduced byte for byte and decrypt with the round-1000 drand
 * signature; random encryptions round-trip; every malformed or tampered
 * ciphertext is rejected.
 */

#include <sodium.h>

#include "tap.h"

#include "crypto/drand.h"
#include "crypto/tle.h"


static const char  vector_hex[] =
    "a1f1eb410b52aed79f408d361e3df7e4086f8f99e22f0febc897d35bfcbe1be6"
    "e692403decd054ee3fc7101f4ef78598165e841d7f6e6e2ae0196d98ed1f41dd"
    "d7d303d3d3c4ffc23a455b3a1bb14248104edb214c91dc5454c7fba48c6e5286"
    "2000000000000000"
    "18abd40bc8f6782671a98fe963e63dcafeb13ce312f45630af9ee4c343dac7b8"
    "2000000000000000"
    "49b26d8c4c387517d003d771d2a8403560e75fa9d4182e00258da76ec4d096e2"
    "3a00000000000000" "1e00000000000000"
    "7b2020f51b7b86de6b932d28c9208eae26d818397fc27ac139bc78ada18d"
    "0c00000000000000" "0b0b0b0b0b0b0b0b0b0b0b0b"
    "0800000000000000" "4145535f47434d5f";

/* drand quicknet round 1000 (../shared/fixtures/drand-quicknet.json) */
static const char  sig1000_hex[] =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125"
    "e342b73a8dd2bacbe47e4b6b63ed5e39";


static void
unhex(unsigned char *out, size_t len, const char *hex)
{
    size_t  n;

    if (sodium_hex2bin(out, len, hex, strlen(hex), NULL, &n, NULL) != 0
        || n != len)
    {
        fprintf(stderr, "bad hex\n");
        exit(1);
    }
}


static void
test_vector(const unsigned char sig[48])
{
    unsigned char  esk[32], sigma[32], nonce[12], ct[300], m[64];
    size_t         ctlen, mlen;
    char           hex[600];

    memset(esk, 0x02, sizeof(esk));
    memset(sigma, 0x07, sizeof(sigma));
    memset(nonce, 0x0b, sizeof(nonce));

    ok(pylon_tle_encrypt_with(ct, sizeof(ct), &ctlen,
           (const unsigned char *) "this is a test", 14, 1000, NULL, esk,
           sigma, nonce) == 0, "deterministic encrypt runs");
    is_int(ctlen, 258, "ciphertext is |m| + 244 bytes");
    sodium_bin2hex(hex, sizeof(hex), ct, ctlen);
    is_str(hex, vector_hex, "chain.md 11.3 regression vector reproduced");

    unhex(ct, 258, vector_hex);
    ok(pylon_tle_decrypt(m, sizeof(m), &mlen, ct, 258, sig) == 0,
       "vector decrypts with the round-1000 signature");
    ok(mlen == 14 && memcmp(m, "this is a test", 14) == 0,
       "vector plaintext is \"this is a test\"");

    ok(pylon_tle_decrypt(m, 13, &mlen, ct, 258, sig) == -1,
       "decrypt refuses a too small output buffer");
}


static void
test_roundtrip(const unsigned char sig[48])
{
    unsigned char  msg[600], ct[1000], out[600], ct2[1000];
    size_t         ctlen, ctlen2, mlen, lens[] = { 0, 1, 16, 33, 600 };
    size_t         i;

    randombytes_buf(msg, sizeof(msg));

    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        ok(pylon_tle_encrypt(ct, sizeof(ct), &ctlen, msg, lens[i], 1000)
           == 0, "encrypt %zu bytes", lens[i]);
        is_int(ctlen, lens[i] + PYLON_TLE_OVERHEAD, "length %zu + 244",
               lens[i]);
        ok(pylon_tle_decrypt(out, sizeof(out), &mlen, ct, ctlen, sig) == 0
           && mlen == lens[i] && memcmp(out, msg, mlen) == 0,
           "round trip of %zu bytes", lens[i]);
    }

    ok(pylon_tle_encrypt(ct2, sizeof(ct2), &ctlen2, msg, 600, 1000) == 0
       && memcmp(ct, ct2, 96) != 0,
       "two encryptions use fresh randomness");

    ok(pylon_tle_encrypt(ct, 600 + 243, &ctlen, msg, 600, 1000) == -1,
       "encrypt refuses a short output buffer");

    ok(pylon_tle_encrypt(ct, sizeof(ct), &ctlen, msg, 33, 1001) == 0,
       "encrypt to round 1001");
    ok(pylon_tle_decrypt(out, sizeof(out), &mlen, ct, ctlen, sig) == -1,
       "round-1000 signature does not open a round-1001 ciphertext");
}


static void
test_tamper(const unsigned char sig[48])
{
    unsigned char  ct[258], t[258], m[64], badsig[48];
    size_t         mlen, i;
    int            all;

    unhex(ct, sizeof(ct), vector_hex);

    /* every single-byte change is rejected */
    all = 1;
    for (i = 0; i < sizeof(ct); i++) {
        memcpy(t, ct, sizeof(ct));
        t[i] ^= 0x01;
        if (pylon_tle_decrypt(m, sizeof(m), &mlen, t, sizeof(t), sig) != -1)
        {
            diag("byte %zu flip accepted", i);
            all = 0;
        }
    }
    ok(all, "a flipped bit anywhere in the ciphertext is rejected");

    all = 1;
    for (i = 0; i < sizeof(ct); i++) {
        if (pylon_tle_decrypt(m, sizeof(m), &mlen, ct, i, sig) != -1) {
            all = 0;
        }
    }
    ok(all, "every truncation is rejected");

    memcpy(badsig, sig, 48);
    badsig[10] ^= 0x40;
    ok(pylon_tle_decrypt(m, sizeof(m), &mlen, ct, sizeof(ct), badsig) == -1,
       "a wrong signature is rejected");
}


int
main(void)
{
    unsigned char  sig[48];

    if (sodium_init() < 0) {
        return 1;
    }

    unhex(sig, sizeof(sig), sig1000_hex);

    test_vector(sig);
    test_roundtrip(sig);
    test_tamper(sig);

    return done_testing();
}
