/*
 * address.c: SS58 for one-byte prefixes.  Base58 is done by repeated
 * division of the 35-byte big-endian number (prefix, key, checksum);
 * leading zero bytes become '1'.  Everything here is public data, so
 * plain variable-time code is fine.
 */

#include <string.h>

#include <sodium.h>

#include "crypto/address.h"

#define SS58_BODY   33
#define SS58_TOTAL  35


static const char  b58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";


static void
ss58_checksum(unsigned char ck[2], const unsigned char body[SS58_BODY])
{
    unsigned char              h[64];
    crypto_generichash_state   st;

    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *) "SS58PRE", 7);
    crypto_generichash_update(&st, body, SS58_BODY);
    crypto_generichash_final(&st, h, sizeof(h));

    ck[0] = h[0];
    ck[1] = h[1];
}


int
pylon_address_ss58_encode(char *out, size_t outlen,
    const unsigned char pub[32], unsigned prefix)
{
    unsigned char  num[SS58_TOTAL], digits[64];
    size_t         ndig, i, zeros, start;
    unsigned       rem, cur;

    if (prefix > 63) {
        return -1;
    }

    num[0] = (unsigned char) prefix;
    memcpy(num + 1, pub, 32);
    ss58_checksum(num + SS58_BODY, num);

    zeros = 0;
    while (zeros < SS58_TOTAL && num[zeros] == 0) {
        zeros++;
    }

    /* repeated division by 58; digits come out least significant first */
    ndig = 0;
    start = zeros;
    while (start < SS58_TOTAL) {
        rem = 0;
        for (i = start; i < SS58_TOTAL; i++) {
            cur = (rem << 8) | num[i];
            num[i] = (unsigned char) (cur / 58);
            rem = cur % 58;
        }

        digits[ndig++] = (unsigned char) rem;

        while (start < SS58_TOTAL && num[start] == 0) {
            start++;
        }
    }

    if (zeros + ndig + 1 > outlen) {
        return -1;
    }

    for (i = 0; i < zeros; i++) {
        out[i] = '1';
    }

    for (i = 0; i < ndig; i++) {
        out[zeros + i] = b58_alphabet[digits[ndig - 1 - i]];
    }

    out[zeros + ndig] = '\0';
    return 0;
}


int
pylon_address_ss58_decode(unsigned char pub[32], unsigned *prefix,
    const char *addr)
{
    unsigned char  num[SS58_TOTAL], ck[2];
    const char    *p;
    size_t         i, len, ones;
    unsigned       carry;

    len = strlen(addr);
    if (len == 0 || len > 60) {
        return -1;
    }

    memset(num, 0, sizeof(num));

    ones = 0;
    while (addr[ones] == '1') {
        ones++;
    }

    for (i = 0; i < len; i++) {
        p = strchr(b58_alphabet, addr[i]);
        if (addr[i] == '\0' || p == NULL) {
            return -1;
        }

        carry = (unsigned) (p - b58_alphabet);

        /* num = num * 58 + digit, overflow beyond 35 bytes is an error */
        {
            int  j;

            for (j = SS58_TOTAL - 1; j >= 0; j--) {
                carry += (unsigned) num[j] * 58;
                num[j] = (unsigned char) carry;
                carry >>= 8;
            }
        }

        if (carry != 0) {
            return -1;
        }
    }

    /* the number of leading zero bytes must equal the leading '1's */
    for (i = 0; i < ones; i++) {
        if (num[i] != 0) {
            return -1;
        }
    }

    if (ones < SS58_TOTAL && num[ones] == 0) {
        return -1;
    }

    if (num[0] > 63) {
        return -1;
    }

    ss58_checksum(ck, num);
    if (ck[0] != num[SS58_BODY] || ck[1] != num[SS58_BODY + 1]) {
        return -1;
    }

    memcpy(pub, num + 1, 32);
    if (prefix != NULL) {
        *prefix = num[0];
    }

    return 0;
}
