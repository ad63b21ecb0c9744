/*
 * bench_tle.c: time to timelock-encrypt a 256-uid CRv4 weights payload
 * (1069 bytes) to a drand quicknet round, plus its main parts: hash to
 * G1, one pairing, one G2 scalar multiplication, and a decryption.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bittensor/crv4.h"
#include "crypto/bls12_381_curve.h"
#include "crypto/drand.h"
#include "crypto/tle.h"


static double
now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


int
main(void)
{
    static const char  sig_hex[] =
        "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125"
        "e342b73a8dd2bacbe47e4b6b63ed5e39";
    uint16_t           uids[256], vals[256];
    unsigned char      hk[32], ct[2048], pt[2048], sig[48], k[32];
    pylon_fp12         g;
    pylon_g1           q;
    pylon_g2           p2;
    size_t             ctlen, ptlen, i;
    double             t0, t1;
    int                n, it;

    if (sodium_init() < 0) {
        return 1;
    }

    for (i = 0; i < 256; i++) {
        uids[i] = (uint16_t) i;
        vals[i] = (uint16_t) (i * 251);
    }
    randombytes_buf(hk, sizeof(hk));
    randombytes_buf(k, sizeof(k));
    sodium_hex2bin(sig, 48, sig_hex, 96, NULL, NULL, NULL);

    n = 50;

    t0 = now_ms();
    for (it = 0; it < n; it++) {
        if (pylon_crv4_commit(ct, sizeof(ct), &ctlen, hk, uids, vals, 256,
                              9003000, 1000) != 0)
        {
            return 1;
        }
    }
    t1 = now_ms();
    printf("tle encrypt 256-uid CRv4 payload (%zu B ct): %.2f ms/op\n",
           ctlen, (t1 - t0) / n);

    t0 = now_ms();
    for (it = 0; it < n; it++) {
        if (pylon_tle_decrypt(pt, sizeof(pt), &ptlen, ct, ctlen, sig) != 0) {
            return 1;
        }
    }
    t1 = now_ms();
    printf("tle decrypt (same ciphertext):              %.2f ms/op\n",
           (t1 - t0) / n);

    t0 = now_ms();
    for (it = 0; it < n; it++) {
        pylon_drand_round_point(&q, 1000 + it);
    }
    t1 = now_ms();
    printf("hash round to G1:                            %.2f ms/op\n",
           (t1 - t0) / n);

    pylon_g2_generator(&p2);
    t0 = now_ms();
    for (it = 0; it < n; it++) {
        pylon_g2_mul(&p2, &p2, k, 32);
    }
    t1 = now_ms();
    printf("G2 scalar multiplication (256-bit):          %.2f ms/op\n",
           (t1 - t0) / n);

    t0 = now_ms();
    for (it = 0; it < n; it++) {
        pylon_bls_pairing(&g, &q, &p2);
    }
    t1 = now_ms();
    printf("pairing (Miller loop + final exp):           %.2f ms/op\n",
           (t1 - t0) / n);

    t0 = now_ms();
    for (it = 0; it < n; it++) {
        if (pylon_drand_quicknet_verify(sig, 1000) != 0) {
            return 1;
        }
    }
    t1 = now_ms();
    printf("drand quicknet beacon verify:                %.2f ms/op\n",
           (t1 - t0) / n);

    return 0;
}
