/*
 * hasher.h: the storage hashers of Substrate (twox, blake2, identity).
 *
 * twox64(x) = XXH64(x, seed 0) little-endian; twox128 = seeds 0 and 1;
 * twox256 = seeds 0..3.  blake2_128/256 are blake2b with 16/32-byte
 * output.  The *_concat hashers append the input after the hash so the
 * key can be read back from the storage key.
 */

#ifndef PYLON_CHAIN_HASHER_H
#define PYLON_CHAIN_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "chain/scale.h"


/* hasher codes as metadata V14/V15 number them */
typedef enum {
    PYLON_HASHER_BLAKE2_128 = 0,
    PYLON_HASHER_BLAKE2_256,
    PYLON_HASHER_BLAKE2_128_CONCAT,
    PYLON_HASHER_TWOX128,
    PYLON_HASHER_TWOX256,
    PYLON_HASHER_TWOX64_CONCAT,
    PYLON_HASHER_IDENTITY,
    PYLON_HASHER_COUNT
} pylon_hasher_e;


#define PYLON_TWOX64_BYTES      8
#define PYLON_TWOX128_BYTES     16
#define PYLON_TWOX256_BYTES     32
#define PYLON_BLAKE2_128_BYTES  16
#define PYLON_BLAKE2_256_BYTES  32


void pylon_twox64(uint8_t out[PYLON_TWOX64_BYTES], const void *in,
    size_t len);
void pylon_twox128(uint8_t out[PYLON_TWOX128_BYTES], const void *in,
    size_t len);
void pylon_twox256(uint8_t out[PYLON_TWOX256_BYTES], const void *in,
    size_t len);
void pylon_blake2_128(uint8_t out[PYLON_BLAKE2_128_BYTES], const void *in,
    size_t len);
void pylon_blake2_256(uint8_t out[PYLON_BLAKE2_256_BYTES], const void *in,
    size_t len);

/*
 * Append hasher(in) to out as a storage key part.  Returns 0, or -1 on an
 * unknown hasher or allocation failure.
 */
int pylon_hasher_put(pylon_buf_t *out, unsigned hasher, const void *in,
    size_t len);

/*
 * Bytes of hash a hasher puts before the (concat/identity) key bytes, and
 * whether the key itself follows (1) or is lost in the hash (0).
 * Returns -1 for an unknown hasher.
 */
int pylon_hasher_prefix_bytes(unsigned hasher, int *key_follows);

/* the metadata name of a hasher ("Blake2_128Concat"), or "?" */
const char *pylon_hasher_name(unsigned hasher);

#endif /* PYLON_CHAIN_HASHER_H */
