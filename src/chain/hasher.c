/*
 * hasher.c: storage hashers over libxxhash and libsodium (see hasher.h).
 *
 * XXH64 results are written little-endian, as Substrate's twox does.
 */

#include <string.h>

#include <sodium.h>
#include <xxhash.h>

#include "chain/hasher.h"


static void
pylon_twox_n(uint8_t *out, size_t nseeds, const void *in, size_t len)
{
    XXH64_hash_t  h;
    size_t        s, i;

    for (s = 0; s < nseeds; s++) {
        h = XXH64(in, len, s);
        for (i = 0; i < 8; i++) {
            out[8 * s + i] = (uint8_t) (h >> (8 * i));
        }
    }
}


void
pylon_twox64(uint8_t out[PYLON_TWOX64_BYTES], const void *in, size_t len)
{
    pylon_twox_n(out, 1, in, len);
}


void
pylon_twox128(uint8_t out[PYLON_TWOX128_BYTES], const void *in, size_t len)
{
    pylon_twox_n(out, 2, in, len);
}


void
pylon_twox256(uint8_t out[PYLON_TWOX256_BYTES], const void *in, size_t len)
{
    pylon_twox_n(out, 4, in, len);
}


void
pylon_blake2_128(uint8_t out[PYLON_BLAKE2_128_BYTES], const void *in,
    size_t len)
{
    crypto_generichash(out, PYLON_BLAKE2_128_BYTES, in, len, NULL, 0);
}


void
pylon_blake2_256(uint8_t out[PYLON_BLAKE2_256_BYTES], const void *in,
    size_t len)
{
    crypto_generichash(out, PYLON_BLAKE2_256_BYTES, in, len, NULL, 0);
}


int
pylon_hasher_put(pylon_buf_t *out, unsigned hasher, const void *in,
    size_t len)
{
    uint8_t  h[32];

    switch (hasher) {

    case PYLON_HASHER_BLAKE2_128:
        pylon_blake2_128(h, in, len);
        return pylon_buf_put(out, h, 16);

    case PYLON_HASHER_BLAKE2_256:
        pylon_blake2_256(h, in, len);
        return pylon_buf_put(out, h, 32);

    case PYLON_HASHER_BLAKE2_128_CONCAT:
        pylon_blake2_128(h, in, len);
        if (pylon_buf_put(out, h, 16) != 0) {
            return -1;
        }
        return pylon_buf_put(out, in, len);

    case PYLON_HASHER_TWOX128:
        pylon_twox128(h, in, len);
        return pylon_buf_put(out, h, 16);

    case PYLON_HASHER_TWOX256:
        pylon_twox256(h, in, len);
        return pylon_buf_put(out, h, 32);

    case PYLON_HASHER_TWOX64_CONCAT:
        pylon_twox64(h, in, len);
        if (pylon_buf_put(out, h, 8) != 0) {
            return -1;
        }
        return pylon_buf_put(out, in, len);

    case PYLON_HASHER_IDENTITY:
        return pylon_buf_put(out, in, len);

    default:
        return -1;
    }
}


int
pylon_hasher_prefix_bytes(unsigned hasher, int *key_follows)
{
    static const int  bytes[PYLON_HASHER_COUNT] = { 16, 32, 16, 16, 32, 8, 0 };
    static const int  follows[PYLON_HASHER_COUNT] = { 0, 0, 1, 0, 0, 1, 1 };

    if (hasher >= PYLON_HASHER_COUNT) {
        return -1;
    }

    *key_follows = follows[hasher];

    return bytes[hasher];
}


const char *
pylon_hasher_name(unsigned hasher)
{
    static const char  *names[PYLON_HASHER_COUNT] = {
        "Blake2_128", "Blake2_256", "Blake2_128Concat", "Twox128",
        "Twox256", "Twox64Concat", "Identity"
    };

    return hasher < PYLON_HASHER_COUNT ? names[hasher] : "?";
}
