/*
 * drand.c: drand quicknet beacon verification, a pairing equation.
 *
 * The key below is quicknet's published group key (chain hash
 * 52db9ba7...e971, drand chain info; also in subtensor's drand pallet).
 */

#include <string.h>

#include <sodium.h>

#include "crypto/drand.h"


const unsigned char  pylon_drand_quicknet_pk[PYLON_DRAND_PUBLICKEY_BYTES] = {
    0x83, 0xcf, 0x0f, 0x28, 0x96, 0xad, 0xee, 0x7e, 0xb8, 0xb5, 0xf0, 0x1f,
    0xca, 0xd3, 0x91, 0x22, 0x12, 0xc4, 0x37, 0xe0, 0x07, 0x3e, 0x91, 0x1f,
    0xb9, 0x00, 0x22, 0xd3, 0xe7, 0x60, 0x18, 0x3c, 0x8c, 0x4b, 0x45, 0x0b,
    0x6a, 0x0a, 0x6c, 0x3a, 0xc6, 0xa5, 0x77, 0x6a, 0x2d, 0x10, 0x64, 0x51,
    0x0d, 0x1f, 0xec, 0x75, 0x8c, 0x92, 0x1c, 0xc2, 0x2b, 0x0e, 0x17, 0xe6,
    0x3a, 0xaf, 0x4b, 0xcb, 0x5e, 0xd6, 0x63, 0x04, 0xde, 0x9c, 0xf8, 0x09,
    0xbd, 0x27, 0x4c, 0xa7, 0x3b, 0xab, 0x4a, 0xf5, 0xa6, 0xe9, 0xc7, 0x6a,
    0x4b, 0xc0, 0x9e, 0x76, 0xea, 0xe8, 0x99, 0x1e, 0xf5, 0xec, 0xe4, 0x5a
};


void
pylon_drand_round_point(pylon_g1 *q, uint64_t round)
{
    unsigned char  be[8], h[32];
    int            i;

    for (i = 0; i < 8; i++) {
        be[i] = (unsigned char) (round >> (56 - 8 * i));
    }

    crypto_hash_sha256(h, be, sizeof(be));
    (void) pylon_g1_hash_to_curve(q, h, sizeof(h),
                                  (const unsigned char *) PYLON_DRAND_DST,
                                  sizeof(PYLON_DRAND_DST) - 1);
}


int
pylon_drand_verify(const unsigned char sig[PYLON_DRAND_SIGNATURE_BYTES],
    uint64_t round, const unsigned char pk[PYLON_DRAND_PUBLICKEY_BYTES])
{
    pylon_g1  s, q;
    pylon_g2  k, g;

    if (pylon_g1_decompress(&s, sig) != 0
        || pylon_g2_decompress(&k, pk) != 0
        || pylon_g1_is_identity(&s)
        || pylon_g2_is_identity(&k))
    {
        return -1;
    }

    pylon_drand_round_point(&q, round);
    pylon_g2_generator(&g);

    return pylon_bls_pairing_eq(&s, &g, &q, &k) ? 0 : -1;
}


int
pylon_drand_quicknet_verify(
    const unsigned char sig[PYLON_DRAND_SIGNATURE_BYTES], uint64_t round)
{
    return pylon_drand_verify(sig, round, pylon_drand_quicknet_pk);
}
