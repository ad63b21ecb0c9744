/*
 * eip55.c: EIP-55 address checksums (Keccak-256 of the lowercase hex).
 */

#include <string.h>

#include "evm/eip55.h"
#include "evm/keccak256.h"


static const char  pylon_eip55_digits[] = "0123456789abcdef";


void
pylon_eip55_encode(char out[PYLON_EIP55_TEXT_BYTES],
    const uint8_t addr[PYLON_EVM_ADDRESS_BYTES])
{
    int      i;
    char     lower[40];
    uint8_t  h[PYLON_KECCAK256_BYTES];

    for (i = 0; i < 20; i++) {
        lower[2 * i] = pylon_eip55_digits[addr[i] >> 4];
        lower[2 * i + 1] = pylon_eip55_digits[addr[i] & 0x0f];
    }
    pylon_keccak256(h, lower, 40);

    out[0] = '0';
    out[1] = 'x';
    for (i = 0; i < 40; i++) {
        unsigned nib = (i & 1) ? (h[i / 2] & 0x0f) : (h[i / 2] >> 4);
        char     c = lower[i];

        if (c >= 'a' && nib >= 8) {
            c = (char) (c - 'a' + 'A');
        }
        out[2 + i] = c;
    }
    out[42] = '\0';
}


int
pylon_eip55_parse(uint8_t addr[PYLON_EVM_ADDRESS_BYTES], const char *s,
    size_t n)
{
    int   i, upper = 0, lower = 0;
    char  check[PYLON_EIP55_TEXT_BYTES];

    if (n == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
    }
    if (n != 40) {
        return PYLON_EIP55_MALFORMED;
    }

    for (i = 0; i < 40; i++) {
        char      c = s[i];
        unsigned  d;

        if (c >= '0' && c <= '9') {
            d = (unsigned) (c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (unsigned) (c - 'a' + 10);
            lower = 1;
        } else if (c >= 'A' && c <= 'F') {
            d = (unsigned) (c - 'A' + 10);
            upper = 1;
        } else {
            return PYLON_EIP55_MALFORMED;
        }
        if (i & 1) {
            addr[i / 2] = (uint8_t) (addr[i / 2] | d);
        } else {
            addr[i / 2] = (uint8_t) (d << 4);
        }
    }

    if (upper && lower) {
        pylon_eip55_encode(check, addr);
        if (memcmp(check + 2, s, 40) != 0) {
            return PYLON_EIP55_CHECKSUM;
        }
    }
    return PYLON_EIP55_OK;
}
