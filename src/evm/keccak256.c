/*
 * keccak256.c: the Keccak sponge with rate 136 bytes (capacity 512) and
 * the pre-standard multi-rate padding 0x01 .. 0x80, as Ethereum uses.
 * The state is addressed byte-wise exactly as keccak.h lays it out, so
 * absorbing is a plain XOR of the input bytes.
 */

#include <string.h>

#include "crypto/keccak.h"
#include "evm/keccak256.h"

#define PYLON_KECCAK256_RATE  136


void
pylon_keccak256(uint8_t out[PYLON_KECCAK256_BYTES], const void *in,
    size_t len)
{
    size_t          i;
    const uint8_t  *p = in;
    unsigned char   st[PYLON_KECCAK_STATE_BYTES];

    memset(st, 0, sizeof(st));

    while (len >= PYLON_KECCAK256_RATE) {
        for (i = 0; i < PYLON_KECCAK256_RATE; i++) {
            st[i] ^= p[i];
        }
        pylon_keccak_f1600(st);
        p += PYLON_KECCAK256_RATE;
        len -= PYLON_KECCAK256_RATE;
    }

    for (i = 0; i < len; i++) {
        st[i] ^= p[i];
    }
    st[len] ^= 0x01;
    st[PYLON_KECCAK256_RATE - 1] ^= 0x80;
    pylon_keccak_f1600(st);

    memcpy(out, st, PYLON_KECCAK256_BYTES);
}
