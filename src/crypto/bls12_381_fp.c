/*
 * bls12_381_fp.c: arithmetic in GF(p), the BLS12-381 base field.
 *
 * Elements are six little-endian 64-bit limbs in Montgomery form
 * (a * R mod p, R = 2^384), always fully reduced below p.  Products use
 * the CIOS Montgomery multiplication with unsigned __int128 and a masked
 * final subtraction, so add/sub/mul/sqr run in time independent of the
 * values (inputs must be below p).  Inversion is Fermat (a^(p-2)); square
 * roots use p = 3 mod 4 (a^((p+1)/4)).  The constants below are p,
 * -1/p mod 2^64, R mod p and R^2 mod p; t/unit/test_bls_field.c recomputes
 * p from the curve parameter x and checks arithmetic against BIGNUM.
 */

#include <string.h>

#include "crypto/bls12_381_field.h"


typedef unsigned __int128  u128;

const uint64_t  pylon_fp_modulus[6] = {
    0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
    0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL
};

#define P  pylon_fp_modulus

/* -p^-1 mod 2^64 */
static const uint64_t  fp_n0 = 0x89f3fffcfffcfffdULL;

/* R mod p: one in Montgomery form */
static const pylon_fp  fp_r1 = { {
    0x760900000002fffdULL, 0xebf4000bc40c0002ULL, 0x5f48985753c758baULL,
    0x77ce585370525745ULL, 0x5c071a97a256ec6dULL, 0x15f65ec3fa80e493ULL
} };

/* R^2 mod p: converts into Montgomery form */
static const pylon_fp  fp_r2 = { {
    0xf4df1f341c341746ULL, 0x0a76e6a609d104f1ULL, 0x8de5476c4c95b6d5ULL,
    0x67eb88a9939d83c0ULL, 0x9a793e85b519952dULL, 0x11988fe592cae3aaULL
} };

static const uint64_t  fp_p_minus_2[6] = {
    0xb9feffffffffaaa9ULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
    0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL
};

static const uint64_t  fp_p_plus_1_div_4[6] = {
    0xee7fbfffffffeaabULL, 0x07aaffffac54ffffULL, 0xd9cc34a83dac3d89ULL,
    0xd91dd2e13ce144afULL, 0x92c6e9ed90d2eb35ULL, 0x0680447a8e5ff9a6ULL
};

static const uint64_t  fp_p_minus_1_div_2[6] = {
    0xdcff7fffffffd555ULL, 0x0f55ffff58a9ffffULL, 0xb39869507b587b12ULL,
    0xb23ba5c279c2895fULL, 0x258dd3db21a5d66bULL, 0x0d0088f51cbff34dULL
};


/* r = t - p if that does not borrow (t given with a 7th limb), else t */
static inline void
fp_reduce_once(uint64_t r[6], const uint64_t t[6], uint64_t hi)
{
    uint64_t  s[6], borrow, mask;
    u128      d;
    int       i;

    borrow = 0;
#pragma GCC unroll 6
    for (i = 0; i < 6; i++) {
        d = (u128) t[i] - P[i] - borrow;
        s[i] = (uint64_t) d;
        borrow = (uint64_t) (d >> 64) & 1;
    }

    /* keep t when (hi:t) < p, i.e. the subtraction borrowed past hi */
    borrow = (uint64_t) (((u128) hi - borrow) >> 64) & 1;
    mask = 0 - borrow;

#pragma GCC unroll 6
    for (i = 0; i < 6; i++) {
        r[i] = (t[i] & mask) | (s[i] & ~mask);
    }
}


/*
 * CIOS Montgomery product, in the "no final carry" form: the top limb of
 * p is below 2^62, so with a, b < p every partial result fits six limbs
 * plus the carries kept in registers, and the result is below 2p.
 */
static inline void
fp_mont_mul(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
    uint64_t  t[6], c1, c2, m, lo;
    u128      uv;
    int       i, j;

    memset(t, 0, sizeof(t));

#pragma GCC unroll 6
    for (i = 0; i < 6; i++) {
        uv = (u128) t[0] + (u128) a[0] * b[i];
        t[0] = (uint64_t) uv;
        c1 = (uint64_t) (uv >> 64);

        m = t[0] * fp_n0;
        uv = (u128) t[0] + (u128) m * P[0];
        c2 = (uint64_t) (uv >> 64);

#pragma GCC unroll 5
        for (j = 1; j < 6; j++) {
            uv = (u128) t[j] + (u128) a[j] * b[i] + c1;
            lo = (uint64_t) uv;
            c1 = (uint64_t) (uv >> 64);
            uv = (u128) lo + (u128) m * P[j] + c2;
            t[j - 1] = (uint64_t) uv;
            c2 = (uint64_t) (uv >> 64);
        }

        t[5] = c1 + c2;
    }

    fp_reduce_once(r, t, 0);
}


void
pylon_fp_zero(pylon_fp *r)
{
    memset(r, 0, sizeof(*r));
}


void
pylon_fp_one(pylon_fp *r)
{
    *r = fp_r1;
}


void
pylon_fp_from_u64(pylon_fp *r, uint64_t v)
{
    pylon_fp  t;

    memset(&t, 0, sizeof(t));
    t.l[0] = v;
    fp_mont_mul(r->l, t.l, fp_r2.l);
}


int
pylon_fp_is_zero(const pylon_fp *a)
{
    uint64_t  acc;
    int       i;

    acc = 0;
    for (i = 0; i < 6; i++) {
        acc |= a->l[i];
    }

    return acc == 0;
}


int
pylon_fp_eq(const pylon_fp *a, const pylon_fp *b)
{
    uint64_t  acc;
    int       i;

    acc = 0;
    for (i = 0; i < 6; i++) {
        acc |= a->l[i] ^ b->l[i];
    }

    return acc == 0;
}


void
pylon_fp_add(pylon_fp *r, const pylon_fp *a, const pylon_fp *b)
{
    uint64_t  t[6], carry;
    u128      s;
    int       i;

    carry = 0;
    for (i = 0; i < 6; i++) {
        s = (u128) a->l[i] + b->l[i] + carry;
        t[i] = (uint64_t) s;
        carry = (uint64_t) (s >> 64);
    }

    fp_reduce_once(r->l, t, carry);
}


void
pylon_fp_sub(pylon_fp *r, const pylon_fp *a, const pylon_fp *b)
{
    uint64_t  t[6], borrow, mask, carry;
    u128      d;
    int       i;

    borrow = 0;
    for (i = 0; i < 6; i++) {
        d = (u128) a->l[i] - b->l[i] - borrow;
        t[i] = (uint64_t) d;
        borrow = (uint64_t) (d >> 64) & 1;
    }

    /* add p back when the subtraction borrowed */
    mask = 0 - borrow;
    carry = 0;
    for (i = 0; i < 6; i++) {
        d = (u128) t[i] + (P[i] & mask) + carry;
        r->l[i] = (uint64_t) d;
        carry = (uint64_t) (d >> 64);
    }
}


void
pylon_fp_neg(pylon_fp *r, const pylon_fp *a)
{
    pylon_fp  z;

    pylon_fp_zero(&z);
    pylon_fp_sub(r, &z, a);
}


void
pylon_fp_mul(pylon_fp *r, const pylon_fp *a, const pylon_fp *b)
{
    fp_mont_mul(r->l, a->l, b->l);
}


void
pylon_fp_sqr(pylon_fp *r, const pylon_fp *a)
{
    fp_mont_mul(r->l, a->l, a->l);
}


void
pylon_fp_pow(pylon_fp *r, const pylon_fp *a, const uint64_t *e,
    size_t nlimbs)
{
    pylon_fp  acc, base;
    size_t    i;
    int       bit;

    base = *a;
    pylon_fp_one(&acc);

    for (i = nlimbs; i-- > 0; ) {
        for (bit = 63; bit >= 0; bit--) {
            pylon_fp_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1) {
                pylon_fp_mul(&acc, &acc, &base);
            }
        }
    }

    *r = acc;
}


void
pylon_fp_inv(pylon_fp *r, const pylon_fp *a)
{
    pylon_fp_pow(r, a, fp_p_minus_2, 6);
}


int
pylon_fp_sqrt(pylon_fp *r, const pylon_fp *a)
{
    pylon_fp  s, c;

    pylon_fp_pow(&s, a, fp_p_plus_1_div_4, 6);
    pylon_fp_sqr(&c, &s);

    if (!pylon_fp_eq(&c, a)) {
        return -1;
    }

    *r = s;
    return 0;
}


int
pylon_fp_is_square(const pylon_fp *a)
{
    pylon_fp  l, one;

    if (pylon_fp_is_zero(a)) {
        return 1;
    }

    pylon_fp_pow(&l, a, fp_p_minus_1_div_2, 6);
    pylon_fp_one(&one);

    return pylon_fp_eq(&l, &one);
}


void
pylon_fp_cmov(pylon_fp *r, const pylon_fp *a, uint64_t flag)
{
    uint64_t  mask;
    int       i;

    mask = 0 - (flag & 1);
    for (i = 0; i < 6; i++) {
        r->l[i] ^= (r->l[i] ^ a->l[i]) & mask;
    }
}


/* canonical (non-Montgomery) limbs */
static void
fp_canonical(uint64_t out[6], const pylon_fp *a)
{
    uint64_t  one[6] = { 1, 0, 0, 0, 0, 0 };

    fp_mont_mul(out, a->l, one);
}


int
pylon_fp_sgn0(const pylon_fp *a)
{
    uint64_t  c[6];

    fp_canonical(c, a);
    return (int) (c[0] & 1);
}


int
pylon_fp_is_lexlargest(const pylon_fp *a)
{
    uint64_t  c[6], borrow;
    u128      d;
    int       i;

    /* largest when (p-1)/2 - c borrows */
    fp_canonical(c, a);
    borrow = 0;
    for (i = 0; i < 6; i++) {
        d = (u128) fp_p_minus_1_div_2[i] - c[i] - borrow;
        borrow = (uint64_t) (d >> 64) & 1;
    }

    return (int) borrow;
}


int
pylon_fp_from_bytes_be(pylon_fp *r, const unsigned char in[48])
{
    uint64_t  t[6], borrow;
    u128      d;
    int       i, j;

    for (i = 0; i < 6; i++) {
        t[i] = 0;
        for (j = 0; j < 8; j++) {
            t[i] |= (uint64_t) in[47 - 8 * i - j] << (8 * j);
        }
    }

    /* reject t >= p: t - p must borrow */
    borrow = 0;
    for (i = 0; i < 6; i++) {
        d = (u128) t[i] - P[i] - borrow;
        borrow = (uint64_t) (d >> 64) & 1;
    }

    if (!borrow) {
        return -1;
    }

    fp_mont_mul(r->l, t, fp_r2.l);
    return 0;
}


void
pylon_fp_to_bytes_be(unsigned char out[48], const pylon_fp *a)
{
    uint64_t  c[6];
    int       i, j;

    fp_canonical(c, a);
    for (i = 0; i < 6; i++) {
        for (j = 0; j < 8; j++) {
            out[47 - 8 * i - j] = (unsigned char) (c[i] >> (8 * j));
        }
    }
}


void
pylon_fp_to_bytes_le(unsigned char out[48], const pylon_fp *a)
{
    uint64_t  c[6];
    int       i, j;

    fp_canonical(c, a);
    for (i = 0; i < 6; i++) {
        for (j = 0; j < 8; j++) {
            out[8 * i + j] = (unsigned char) (c[i] >> (8 * j));
        }
    }
}


void
pylon_fp_from_bytes_wide(pylon_fp *r, const unsigned char in[64])
{
    uint64_t  lo[6], hi[6], two256[6];
    pylon_fp  a, b;
    int       i, j;

    /*
     * in = hi * 2^256 + lo with hi, lo < 2^256 < p, so both are valid
     * Montgomery inputs; 2^256 in Montgomery form is 2^256 * R^2 / R
     */
    memset(lo, 0, sizeof(lo));
    memset(hi, 0, sizeof(hi));
    for (i = 0; i < 4; i++) {
        for (j = 0; j < 8; j++) {
            lo[i] |= (uint64_t) in[63 - 8 * i - j] << (8 * j);
            hi[i] |= (uint64_t) in[31 - 8 * i - j] << (8 * j);
        }
    }

    memset(two256, 0, sizeof(two256));
    two256[4] = 1;
    fp_mont_mul(two256, two256, fp_r2.l);

    fp_mont_mul(a.l, lo, fp_r2.l);
    fp_mont_mul(b.l, hi, fp_r2.l);
    fp_mont_mul(b.l, b.l, two256);
    pylon_fp_add(r, &a, &b);
}


static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}


int
pylon_fp_from_hex(pylon_fp *r, const char *hex)
{
    unsigned char  buf[48];
    size_t         n, i;
    int            d;

    n = strlen(hex);
    if (n == 0 || n > 96) {
        return -1;
    }

    memset(buf, 0, sizeof(buf));
    for (i = 0; i < n; i++) {
        d = hex_digit(hex[n - 1 - i]);
        if (d < 0) {
            return -1;
        }
        buf[47 - i / 2] |= (unsigned char) (d << (4 * (i & 1)));
    }

    return pylon_fp_from_bytes_be(r, buf);
}
