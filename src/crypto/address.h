/*
 * address.h: SS58 account addresses for public keys, as far as the key
 * layer needs them (printing a key, checking a wallet file's ss58Address):
 * base58(prefix || pub || checksum), checksum = first two bytes of
 * BLAKE2b-512("SS58PRE" || prefix || pub), one-byte prefixes (0..63)
 * only.  Bittensor's prefix is 42.  The full SS58 codec for the chain
 * layer lives in src/chain.
 */

#ifndef PYLON_CRYPTO_ADDRESS_H
#define PYLON_CRYPTO_ADDRESS_H

#include <stddef.h>

#define PYLON_ADDRESS_PREFIX_BITTENSOR  42
#define PYLON_ADDRESS_SS58_MAX          64   /* buffer size incl. NUL */


/*
 * Write the SS58 address of pub with prefix (0..63) into out as a
 * NUL-terminated string.  -1 if prefix is out of range or outlen is too
 * small (PYLON_ADDRESS_SS58_MAX always suffices).
 */
int pylon_address_ss58_encode(char *out, size_t outlen,
    const unsigned char pub[32], unsigned prefix);

/*
 * Decode a one-byte-prefix SS58 address: pub receives the 32-byte key and
 * *prefix (may be NULL) the prefix.  -1 for bad characters, wrong length,
 * a two-byte prefix or a wrong checksum.
 */
int pylon_address_ss58_decode(unsigned char pub[32], unsigned *prefix,
    const char *addr);

#endif /* PYLON_CRYPTO_ADDRESS_H */
