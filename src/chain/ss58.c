/*
 * ss58.c: base58 and SS58 address encoding (see ss58.h).
 *
 * Base58 encoding converts the input, four bytes at a time, into limbs of
 * base 58^5 (each fits 30 bits, so limb * 2^32 + carry fits 64 bits),
 * then splits every limb into five base-58 digits: about ten 64-bit
 * operations per input word instead of one per byte and digit.  Inputs
 * are at most 64 bytes here.  The checksum uses libsodium's blake2b
 * (crypto_generichash) with a 64-byte output.
 */

#include <string.h>

#include <sodium.h>

#include "chain/ss58.h"


#define PYLON_BASE58_MAX_BYTES  64
#define PYLON_BASE58_POW5       656356768u        /* 58^5 */


static const char  pylon_b58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";


int
pylon_base58_encode(char *out, size_t outlen, const uint8_t *in, size_t len)
{
    uint32_t  big[PYLON_BASE58_MAX_BYTES * 8 / 29 + 2];
    uint8_t   digits[(PYLON_BASE58_MAX_BYTES * 8 / 29 + 2) * 5];
    uint64_t  carry, mul;
    uint32_t  chunk, d;
    size_t    zeros, nbig, ndig, i, j, k, n;

    if (len > PYLON_BASE58_MAX_BYTES) {
        return -1;
    }

    zeros = 0;
    while (zeros < len && in[zeros] == 0) {
        zeros++;
    }

    /* the number in base 58^5, least significant limb first */
    nbig = 0;
    for (i = zeros; i < len; i += k) {
        k = len - i < 4 ? len - i : 4;

        chunk = 0;
        for (j = 0; j < k; j++) {
            chunk = chunk << 8 | in[i + j];
        }

        mul = (uint64_t) 1 << (8 * k);
        carry = chunk;

        for (j = 0; j < nbig; j++) {
            carry += big[j] * mul;
            big[j] = (uint32_t) (carry % PYLON_BASE58_POW5);
            carry /= PYLON_BASE58_POW5;
        }

        while (carry) {
            big[nbig++] = (uint32_t) (carry % PYLON_BASE58_POW5);
            carry /= PYLON_BASE58_POW5;
        }
    }

    /* each limb is five base-58 digits */
    ndig = 0;
    for (j = 0; j < nbig; j++) {
        d = big[j];
        for (k = 0; k < 5; k++) {
            digits[ndig++] = (uint8_t) (d % 58);
            d /= 58;
        }
    }

    while (ndig && digits[ndig - 1] == 0) {
        ndig--;
    }

    n = zeros + ndig;
    if (n + 1 > outlen) {
        return -1;
    }

    memset(out, '1', zeros);

    for (j = 0; j < ndig; j++) {
        out[zeros + j] = pylon_b58_alphabet[digits[ndig - 1 - j]];
    }

    out[n] = '\0';

    return (int) n;
}


int
pylon_base58_decode(uint8_t *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen)
{
    uint8_t      bytes[PYLON_BASE58_MAX_BYTES];
    const char  *p;
    size_t       zeros, nb, i, j;
    int          carry;

    zeros = 0;
    while (zeros < inlen && in[zeros] == '1') {
        zeros++;
    }

    nb = 0;
    for (i = zeros; i < inlen; i++) {
        p = in[i] ? strchr(pylon_b58_alphabet, in[i]) : NULL;
        if (p == NULL) {
            return -1;
        }

        carry = (int) (p - pylon_b58_alphabet);
        for (j = 0; j < nb; j++) {
            carry += bytes[j] * 58;
            bytes[j] = (uint8_t) carry;
            carry >>= 8;
        }
        while (carry) {
            if (nb == sizeof(bytes)) {
                return -1;
            }
            bytes[nb++] = (uint8_t) carry;
            carry >>= 8;
        }
    }

    if (zeros + nb > outmax) {
        return -1;
    }

    memset(out, 0, zeros);
    for (j = 0; j < nb; j++) {
        out[zeros + j] = bytes[nb - 1 - j];
    }

    *outlen = zeros + nb;

    return 0;
}


static void
pylon_ss58_checksum(uint8_t sum[64], const uint8_t *body, size_t len)
{
    crypto_generichash_state  st;

    crypto_generichash_init(&st, NULL, 0, 64);
    crypto_generichash_update(&st, (const uint8_t *) "SS58PRE", 7);
    crypto_generichash_update(&st, body, len);
    crypto_generichash_final(&st, sum, 64);
}


int
pylon_ss58_encode(char *out, size_t outlen,
    const uint8_t pub[PYLON_SS58_PUBLIC_BYTES], uint16_t prefix)
{
    uint8_t  body[2 + PYLON_SS58_PUBLIC_BYTES + 2];
    uint8_t  sum[64];
    size_t   n;

    if (prefix > 16383 || prefix == 46 || prefix == 47) {
        return -1;
    }

    if (prefix < 64) {
        body[0] = (uint8_t) prefix;
        n = 1;

    } else {
        body[0] = (uint8_t) (((prefix & 0xfc) >> 2) | 0x40);
        body[1] = (uint8_t) ((prefix >> 8) | ((prefix & 3) << 6));
        n = 2;
    }

    memcpy(body + n, pub, PYLON_SS58_PUBLIC_BYTES);
    n += PYLON_SS58_PUBLIC_BYTES;

    pylon_ss58_checksum(sum, body, n);
    body[n++] = sum[0];
    body[n++] = sum[1];

    return pylon_base58_encode(out, outlen, body, n);
}


int
pylon_ss58_decode(uint8_t pub[PYLON_SS58_PUBLIC_BYTES], uint16_t *prefix,
    const char *addr, size_t addrlen)
{
    uint8_t   raw[PYLON_BASE58_MAX_BYTES];
    uint8_t   sum[64];
    size_t    len, plen;
    uint16_t  pfx;

    if (pylon_base58_decode(raw, sizeof(raw), &len, addr, addrlen) != 0
        || len < 1)
    {
        return -1;
    }

    if (raw[0] < 64) {
        pfx = raw[0];
        plen = 1;

    } else if (raw[0] < 128 && len >= 2) {
        pfx = (uint16_t) (((raw[0] & 0x3f) << 2) | (raw[1] >> 6)
                          | ((raw[1] & 0x3f) << 8));
        plen = 2;

    } else {
        return -1;
    }

    if (len != plen + PYLON_SS58_PUBLIC_BYTES + 2) {
        return -1;
    }

    pylon_ss58_checksum(sum, raw, plen + PYLON_SS58_PUBLIC_BYTES);

    if (sum[0] != raw[len - 2] || sum[1] != raw[len - 1]) {
        return -1;
    }

    memcpy(pub, raw + plen, PYLON_SS58_PUBLIC_BYTES);
    if (prefix) {
        *prefix = pfx;
    }

    return 0;
}
