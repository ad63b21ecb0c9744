/*
 * bench_sr25519.c: throughput of the key layer (-O2 library): Keccak-f,
 * Merlin challenge, sr25519 keypair, sign, verify, hard derivation and a
 * PBKDF2 mnemonic stretch.  Prints operations per second; no pass/fail.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "crypto/keccak.h"
#include "crypto/merlin.h"
#include "crypto/mnemonic.h"
#include "crypto/sr25519.h"


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
report(const char *what, long n, double secs)
{
    printf("%-34s %9.0f ops/s  (%.2f us/op, n=%ld)\n", what, n / secs,
           secs / n * 1e6, n);
}


int
main(void)
{
    long                      i, n;
    double                    t;
    unsigned char             st[200], mini[32], msg[128], sig[64], cc[32];
    unsigned char             out[64], ent[16];
    pylon_merlin_t            tr;
    pylon_sr25519_keypair_t  *kp, *child;
    volatile int              sink;

    if (sodium_init() < 0) {
        return 1;
    }

    memset(st, 0, sizeof(st));
    n = 200000;
    t = now();
    for (i = 0; i < n; i++) {
        pylon_keccak_f1600(st);
    }
    report("keccak-f[1600] permutation", n, now() - t);

    n = 50000;
    t = now();
    for (i = 0; i < n; i++) {
        pylon_merlin_init(&tr, "bench");
        pylon_merlin_append(&tr, "msg", msg, sizeof(msg));
        pylon_merlin_challenge(&tr, "c", out, 64);
    }
    report("merlin init+append(128)+challenge", n, now() - t);

    kp = pylon_sr25519_keypair_new();
    child = pylon_sr25519_keypair_new();
    randombytes_buf(mini, sizeof(mini));
    randombytes_buf(msg, sizeof(msg));
    memset(cc, 7, sizeof(cc));

    n = 5000;
    t = now();
    for (i = 0; i < n; i++) {
        mini[0] = (unsigned char) i;
        pylon_sr25519_keypair_from_mini(kp, mini);
    }
    report("sr25519 keypair from mini secret", n, now() - t);

    n = 5000;
    t = now();
    for (i = 0; i < n; i++) {
        pylon_sr25519_sign(sig, msg, sizeof(msg), kp);
    }
    report("sr25519 sign (128-byte message)", n, now() - t);

    n = 5000;
    sink = 0;
    t = now();
    for (i = 0; i < n; i++) {
        sink += pylon_sr25519_verify(sig, msg, sizeof(msg), kp->pub);
    }
    report("sr25519 verify (128-byte message)", n, now() - t);
    if (sink != 0) {
        printf("verify failed!\n");
        return 1;
    }

    n = 5000;
    t = now();
    for (i = 0; i < n; i++) {
        pylon_sr25519_derive_hard(child, kp, cc, NULL);
    }
    report("sr25519 hard derivation", n, now() - t);

    n = 200;
    randombytes_buf(ent, sizeof(ent));
    t = now();
    for (i = 0; i < n; i++) {
        pylon_mnemonic_entropy_to_mini(mini, ent, sizeof(ent), NULL);
    }
    report("mnemonic PBKDF2 (2048 rounds)", n, now() - t);

    pylon_sr25519_keypair_free(kp);
    pylon_sr25519_keypair_free(child);
    return 0;
}
