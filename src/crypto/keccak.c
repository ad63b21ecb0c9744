/*
 * keccak.c: Keccak-f[1600], written from the FIPS 202 description.
 *
 * Each round is theta (column parities), rho and pi (rotate every lane by
 * its triangular-number offset and move it to position (y, 2x + 3y)), chi
 * (the only non-linear step) and iota (a round constant into lane 0).
 * The tables are the standard's constants; t/unit/test_crypto_keccak.c
 * checks them by building SHA3-256 and SHAKE128 on this permutation and
 * comparing with OpenSSL for many lengths, so a typo cannot hide.
 */

#include <stdint.h>

#include "crypto/keccak.h"


/* iota round constants: the LFSR rc(t) of FIPS 202 3.2.5 */
static const uint64_t  keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL
};

/* rho offsets, indexed x + 5 * y */
static const unsigned  keccak_rot[25] = {
     0,  1, 62, 28, 27,
    36, 44,  6, 55, 20,
     3, 10, 43, 25, 39,
    41, 45, 15, 21,  8,
    18,  2, 61, 56, 14
};


static uint64_t
keccak_rol(uint64_t v, unsigned n)
{
    n &= 63;
    return n ? (v << n) | (v >> (64 - n)) : v;
}


void
pylon_keccak_f1600(unsigned char state[PYLON_KECCAK_STATE_BYTES])
{
    uint64_t  a[25], b[25], c[5], d[5];
    unsigned  i, x, y, round;

    for (i = 0; i < 25; i++) {
        a[i] = 0;
        for (x = 0; x < 8; x++) {
            a[i] |= (uint64_t) state[8 * i + x] << (8 * x);
        }
    }

    for (round = 0; round < 24; round++) {

        /* theta */
        for (x = 0; x < 5; x++) {
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }

        for (x = 0; x < 5; x++) {
            d[x] = c[(x + 4) % 5] ^ keccak_rol(c[(x + 1) % 5], 1);
        }

        for (i = 0; i < 25; i++) {
            a[i] ^= d[i % 5];
        }

        /* rho and pi: B[y, 2x + 3y] = rot(A[x, y]) */
        for (x = 0; x < 5; x++) {
            for (y = 0; y < 5; y++) {
                b[y + 5 * ((2 * x + 3 * y) % 5)] =
                    keccak_rol(a[x + 5 * y], keccak_rot[x + 5 * y]);
            }
        }

        /* chi */
        for (y = 0; y < 5; y++) {
            for (x = 0; x < 5; x++) {
                a[x + 5 * y] = b[x + 5 * y]
                               ^ (~b[(x + 1) % 5 + 5 * y]
                                  & b[(x + 2) % 5 + 5 * y]);
            }
        }

        /* iota */
        a[0] ^= keccak_rc[round];
    }

    for (i = 0; i < 25; i++) {
        for (x = 0; x < 8; x++) {
            state[8 * i + x] = (unsigned char) (a[i] >> (8 * x));
        }
    }
}
