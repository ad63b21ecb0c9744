/*
 * keccak.c: Keccak-f[1600], written from the FIPS 202 description.
 *
 * Each round is theta (column parities), rho and pi (rotate every lane by
 * its triangular-number offset and move it to position (y, 2x + 3y)), chi
 * (the only non-linear step) and iota (a round constant into lane 0).
 * Lanes are 64-bit words indexed x + 5y; no branch or memory index
 * depends on the data.
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


/* pi: lane x + 5y moves to y + 5 * ((2x + 3y) mod 5) */
static const unsigned  keccak_pi[25] = {
     0, 10, 20,  5, 15,
    16,  1, 11, 21,  6,
     7, 17,  2, 12, 22,
    23,  8, 18,  3, 13,
    14, 24,  9, 19,  4
};


#define KECCAK_ROL(v, n)  (((v) << (n)) | ((v) >> ((64 - (n)) & 63)))


void
pylon_keccak_f1600(unsigned char state[PYLON_KECCAK_STATE_BYTES])
{
    uint64_t  a[25], b[25], c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    unsigned  i, y, round;

    for (i = 0; i < 25; i++) {
        a[i] = (uint64_t) state[8 * i]
               | (uint64_t) state[8 * i + 1] << 8
               | (uint64_t) state[8 * i + 2] << 16
               | (uint64_t) state[8 * i + 3] << 24
               | (uint64_t) state[8 * i + 4] << 32
               | (uint64_t) state[8 * i + 5] << 40
               | (uint64_t) state[8 * i + 6] << 48
               | (uint64_t) state[8 * i + 7] << 56;
    }

    for (round = 0; round < 24; round++) {

        /* theta: XOR each lane with the parities of two nearby columns */
        c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
        c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
        c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
        c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
        c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];

        d0 = c4 ^ KECCAK_ROL(c1, 1);
        d1 = c0 ^ KECCAK_ROL(c2, 1);
        d2 = c1 ^ KECCAK_ROL(c3, 1);
        d3 = c2 ^ KECCAK_ROL(c4, 1);
        d4 = c3 ^ KECCAK_ROL(c0, 1);

        for (y = 0; y < 25; y += 5) {
            a[y] ^= d0;
            a[y + 1] ^= d1;
            a[y + 2] ^= d2;
            a[y + 3] ^= d3;
            a[y + 4] ^= d4;
        }

        /* rho and pi */
        for (i = 0; i < 25; i++) {
            b[keccak_pi[i]] = KECCAK_ROL(a[i], keccak_rot[i]);
        }

        /* chi, row by row */
        for (y = 0; y < 25; y += 5) {
            a[y] = b[y] ^ (~b[y + 1] & b[y + 2]);
            a[y + 1] = b[y + 1] ^ (~b[y + 2] & b[y + 3]);
            a[y + 2] = b[y + 2] ^ (~b[y + 3] & b[y + 4]);
            a[y + 3] = b[y + 3] ^ (~b[y + 4] & b[y]);
            a[y + 4] = b[y + 4] ^ (~b[y] & b[y + 1]);
        }

        /* iota */
        a[0] ^= keccak_rc[round];
    }

    for (i = 0; i < 25; i++) {
        for (y = 0; y < 8; y++) {
            state[8 * i + y] = (unsigned char) (a[i] >> (8 * y));
        }
    }
}
