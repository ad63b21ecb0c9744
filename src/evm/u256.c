/*
 * u256.c: decimal conversion of 256-bit words by schoolbook division on
 * eight 32-bit limbs (base 10^9 chunks out, base 10 digits in).  Nothing
 * here allocates.
 */

#include <string.h>

#include "evm/u256.h"


static void
pylon_u256_negate(uint8_t w[32])
{
    int       i;
    unsigned  carry = 1;

    for (i = 31; i >= 0; i--) {
        carry += (uint8_t) ~w[i];
        w[i] = (uint8_t) carry;
        carry >>= 8;
    }
}


size_t
pylon_u256_to_dec(char out[PYLON_U256_DEC_BYTES], const uint8_t w[32],
    int is_signed)
{
    int        i, zero, nchunks;
    size_t     n = 0;
    uint8_t    v[32];
    uint32_t   limb[8], chunks[9];
    uint64_t   rem;
    char       tmp[16];

    memcpy(v, w, 32);
    if (is_signed && (v[0] & 0x80)) {
        pylon_u256_negate(v);
        out[n++] = '-';
    }

    for (i = 0; i < 8; i++) {
        limb[i] = ((uint32_t) v[4 * i] << 24) | ((uint32_t) v[4 * i + 1] << 16)
                  | ((uint32_t) v[4 * i + 2] << 8) | v[4 * i + 3];
    }

    nchunks = 0;
    do {
        rem = 0;
        zero = 1;
        for (i = 0; i < 8; i++) {
            uint64_t cur = (rem << 32) | limb[i];
            limb[i] = (uint32_t) (cur / 1000000000u);
            rem = cur % 1000000000u;
            if (limb[i]) {
                zero = 0;
            }
        }
        chunks[nchunks++] = (uint32_t) rem;
    } while (!zero);

    /* the most significant chunk without leading zeros, the rest 9 wide */
    for (i = nchunks - 1; i >= 0; i--) {
        int   len, k;
        uint32_t c = chunks[i];

        len = 0;
        do {
            tmp[len++] = (char) ('0' + c % 10);
            c /= 10;
        } while (c);
        if (i != nchunks - 1) {
            while (len < 9) {
                tmp[len++] = '0';
            }
        }
        for (k = len - 1; k >= 0; k--) {
            out[n++] = tmp[k];
        }
    }

    out[n] = '\0';
    return n;
}


/* w = w * m + a; returns the carry out of the top (non-zero: overflow) */
static unsigned
pylon_u256_muladd(uint8_t w[32], unsigned m, unsigned a)
{
    int       i;
    unsigned  carry = a;

    for (i = 31; i >= 0; i--) {
        carry += (unsigned) w[i] * m;
        w[i] = (uint8_t) carry;
        carry >>= 8;
    }
    return carry;
}


int
pylon_u256_from_text(uint8_t w[32], const char *s, size_t n, unsigned bits,
    int is_signed)
{
    int       neg = 0, i;
    size_t    k;
    unsigned  d;

    if (bits == 0 || bits > 256 || bits % 8) {
        return -1;
    }
    memset(w, 0, 32);

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (k = 2; k < n; k++) {
            char c = s[k];

            if (c >= '0' && c <= '9') {
                d = (unsigned) (c - '0');
            } else if (c >= 'a' && c <= 'f') {
                d = (unsigned) (c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                d = (unsigned) (c - 'A' + 10);
            } else {
                return -1;
            }
            if (pylon_u256_muladd(w, 16, d)) {
                return -1;
            }
        }

    } else {
        if (n && s[0] == '-') {
            neg = 1;
            s++;
            n--;
        }
        if (n == 0 || n > 80) {
            return -1;
        }
        for (k = 0; k < n; k++) {
            if (s[k] < '0' || s[k] > '9') {
                return -1;
            }
            if (pylon_u256_muladd(w, 10, (unsigned) (s[k] - '0'))) {
                return -1;
            }
        }
    }

    if (neg && !is_signed) {
        for (i = 0; i < 32; i++) {
            if (w[i]) {
                return -1;         /* "-0" is fine, anything else is not */
            }
        }
        return 0;
    }

    if (is_signed) {
        /* magnitude limit: 2^(bits-1) - 1, or 2^(bits-1) when negative */
        uint8_t lim[32];

        memset(lim, 0, 32);
        lim[31 - (bits - 1) / 8] = (uint8_t) (1u << ((bits - 1) % 8));
        /* lim = 2^(bits-1); value must be < lim, or <= lim if negative */
        {
            int c = memcmp(w, lim, 32);

            if (c > 0 || (c == 0 && !neg)) {
                return -1;
            }
        }
        if (neg) {
            pylon_u256_negate(w);
        }
        return 0;
    }

    return pylon_u256_fits(w, bits, 0) ? 0 : -1;
}


int
pylon_u256_fits(const uint8_t w[32], unsigned bits, int is_signed)
{
    unsigned  i, pad = 32 - bits / 8;
    uint8_t   fill = 0;

    if (is_signed && pad < 32 && (w[pad] & 0x80)) {
        fill = 0xff;
    }
    for (i = 0; i < pad; i++) {
        if (w[i] != fill) {
            return 0;
        }
    }
    return 1;
}


void
pylon_u256_from_u64(uint8_t w[32], uint64_t v)
{
    int  i;

    memset(w, 0, 32);
    for (i = 31; i >= 24; i--) {
        w[i] = (uint8_t) v;
        v >>= 8;
    }
}


int
pylon_u256_to_u64(const uint8_t w[32], uint64_t *v)
{
    int       i;
    uint64_t  r = 0;

    for (i = 0; i < 24; i++) {
        if (w[i]) {
            return 0;
        }
    }
    for (i = 24; i < 32; i++) {
        r = (r << 8) | w[i];
    }
    *v = r;
    return 1;
}
