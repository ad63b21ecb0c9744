/*
 * eip55.h: 20-byte EVM addresses as EIP-55 mixed-case checksummed text.
 *
 * The checksum capitalises hex letter i when nibble i of
 * Keccak-256(lowercase hex without "0x") is 8 or more.
 */

#ifndef PYLON_EVM_EIP55_H
#define PYLON_EVM_EIP55_H

#include <stddef.h>
#include <stdint.h>

#define PYLON_EVM_ADDRESS_BYTES  20
/* "0x" + 40 digits + NUL */
#define PYLON_EIP55_TEXT_BYTES   43

#define PYLON_EIP55_OK           0
#define PYLON_EIP55_MALFORMED   -1      /* not 40 hex digits */
#define PYLON_EIP55_CHECKSUM    -2      /* mixed case, checksum wrong */


/* out = "0x" + checksummed hex of addr, NUL-terminated */
void pylon_eip55_encode(char out[PYLON_EIP55_TEXT_BYTES],
    const uint8_t addr[PYLON_EVM_ADDRESS_BYTES]);

/*
 * Parse n bytes of text: "0x" (optional) and 40 hex digits.  All-lower
 * or all-upper digits are accepted as they are; mixed case must carry a
 * correct checksum.  Returns PYLON_EIP55_OK (addr filled) or one of the
 * negative codes above.
 */
int pylon_eip55_parse(uint8_t addr[PYLON_EVM_ADDRESS_BYTES], const char *s,
    size_t n);

#endif /* PYLON_EVM_EIP55_H */
