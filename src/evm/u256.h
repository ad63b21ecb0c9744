/*
 * u256.h: 256-bit ABI words as decimal text and back.
 *
 * A word is 32 big-endian bytes, exactly as the Solidity ABI stores it;
 * signed values are two's complement.  Decimal text is what the JSON
 * answers carry (exact integers of any size, never floats).
 */

#ifndef PYLON_EVM_U256_H
#define PYLON_EVM_U256_H

#include <stddef.h>
#include <stdint.h>

/* digits of 2^256 - 1 (78) plus a sign and the NUL */
#define PYLON_U256_DEC_BYTES  80


/*
 * Write the word w in decimal (signed: two's complement, a leading '-'
 * when negative) into out, NUL-terminated.  Returns the length.
 */
size_t pylon_u256_to_dec(char out[PYLON_U256_DEC_BYTES],
    const uint8_t w[32], int is_signed);

/*
 * Parse n bytes of text: decimal with an optional leading '-', or
 * "0x"-prefixed hex (non-negative).  The value must fit bits bits
 * (unsigned: 0 .. 2^bits-1; signed: -2^(bits-1) .. 2^(bits-1)-1).  w
 * receives the word (two's complement, sign-extended).  Returns 0, or -1
 * on bad syntax or a value out of range.
 */
int pylon_u256_from_text(uint8_t w[32], const char *s, size_t n,
    unsigned bits, int is_signed);

/*
 * 1 if the word is a valid padded value of bits bits: unsigned means the
 * high 256-bits bits are zero, signed means they repeat the sign bit.
 */
int pylon_u256_fits(const uint8_t w[32], unsigned bits, int is_signed);

/* w = v (non-negative 64-bit value) */
void pylon_u256_from_u64(uint8_t w[32], uint64_t v);

/* 1 and *v = value if the word is below 2^64, else 0 */
int pylon_u256_to_u64(const uint8_t w[32], uint64_t *v);

#endif /* PYLON_EVM_U256_H */
