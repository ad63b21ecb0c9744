/*
 * ss58.h: Substrate SS58 addresses (base58 of prefix ++ key ++ checksum).
 *
 * Checksum = first 2 bytes of blake2b-512("SS58PRE" ++ prefix ++ key).
 * Prefixes 0..63 take one byte, 64..16383 the two-byte form.  Bittensor
 * uses prefix 42 (PYLON_SS58_PREFIX), which gives "5..." addresses.
 */

#ifndef PYLON_CHAIN_SS58_H
#define PYLON_CHAIN_SS58_H

#include <stddef.h>
#include <stdint.h>


#define PYLON_SS58_PREFIX         42
#define PYLON_SS58_PUBLIC_BYTES   32
/* longest address (two-byte prefix, 32-byte key) plus NUL, rounded up */
#define PYLON_SS58_MAX_CHARS      56


/*
 * Encode a 32-byte public key with the given prefix (0..16383, excluding
 * the reserved 46 and 47) into out (outlen >= PYLON_SS58_MAX_CHARS is
 * always enough), NUL-terminated.  Returns the length, or -1.
 */
int pylon_ss58_encode(char *out, size_t outlen,
    const uint8_t pub[PYLON_SS58_PUBLIC_BYTES], uint16_t prefix);

/*
 * Decode an address of addrlen characters: base58, prefix form, 32-byte
 * key and checksum are all checked.  *prefix (may be NULL) receives the
 * network prefix.  Returns 0, or -1 (pub untouched) on any mismatch.
 */
int pylon_ss58_decode(uint8_t pub[PYLON_SS58_PUBLIC_BYTES], uint16_t *prefix,
    const char *addr, size_t addrlen);

/*
 * Base58 (Bitcoin alphabet) of len bytes into out with NUL; leading zero
 * bytes become '1'.  Returns the length, or -1 if outlen is too small.
 */
int pylon_base58_encode(char *out, size_t outlen, const uint8_t *in,
    size_t len);

/*
 * Decode base58 text into out (outmax bytes); *outlen gets the length.
 * Returns 0, or -1 on a character outside the alphabet or overflow.
 */
int pylon_base58_decode(uint8_t *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen);

#endif /* PYLON_CHAIN_SS58_H */
