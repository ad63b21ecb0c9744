/*
 * keccak256.h: Ethereum's Keccak-256 (the original Keccak padding 0x01,
 * not SHA3-256's 0x06) on top of the Keccak-f[1600] permutation of
 * src/crypto/keccak.c.  Event topics, EIP-55 checksums and the hashes of
 * indexed dynamic event arguments all use it.
 */

#ifndef PYLON_EVM_KECCAK256_H
#define PYLON_EVM_KECCAK256_H

#include <stddef.h>
#include <stdint.h>

#define PYLON_KECCAK256_BYTES  32


/* out = Keccak-256(in[0..len)); in may be NULL when len is 0 */
void pylon_keccak256(uint8_t out[PYLON_KECCAK256_BYTES], const void *in,
    size_t len);

#endif /* PYLON_EVM_KECCAK256_H */
