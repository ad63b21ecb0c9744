/*
 * bls12_381_fp2.c: arithmetic in Fp2 = Fp[u] / (u^2 + 1).
 *
 * Multiplication is Karatsuba (three Fp products), inversion goes through
 * the norm a0^2 + a1^2 in Fp.  Square roots (needed to decompress G2
 * points) use the norm too: with n = sqrt(a0^2 + a1^2), a root is
 * x0 + x1 u where x0^2 = (a0 +- n) / 2 and x1 = a1 / (2 x0); the result is
 * always checked by squaring.
 */

#include <string.h>

#include "crypto/bls12_381_field.h"


void
pylon_fp2_zero(pylon_fp2 *r)
{
    memset(r, 0, sizeof(*r));
}


void
pylon_fp2_one(pylon_fp2 *r)
{
    pylon_fp_one(&r->c0);
    pylon_fp_zero(&r->c1);
}


int
pylon_fp2_is_zero(const pylon_fp2 *a)
{
    return pylon_fp_is_zero(&a->c0) & pylon_fp_is_zero(&a->c1);
}


int
pylon_fp2_eq(const pylon_fp2 *a, const pylon_fp2 *b)
{
    return pylon_fp_eq(&a->c0, &b->c0) & pylon_fp_eq(&a->c1, &b->c1);
}


void
pylon_fp2_add(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp2 *b)
{
    pylon_fp_add(&r->c0, &a->c0, &b->c0);
    pylon_fp_add(&r->c1, &a->c1, &b->c1);
}


void
pylon_fp2_sub(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp2 *b)
{
    pylon_fp_sub(&r->c0, &a->c0, &b->c0);
    pylon_fp_sub(&r->c1, &a->c1, &b->c1);
}


void
pylon_fp2_neg(pylon_fp2 *r, const pylon_fp2 *a)
{
    pylon_fp_neg(&r->c0, &a->c0);
    pylon_fp_neg(&r->c1, &a->c1);
}


void
pylon_fp2_conj(pylon_fp2 *r, const pylon_fp2 *a)
{
    r->c0 = a->c0;
    pylon_fp_neg(&r->c1, &a->c1);
}


void
pylon_fp2_mul(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp2 *b)
{
    pylon_fp  t0, t1, s0, s1;

    pylon_fp_mul(&t0, &a->c0, &b->c0);
    pylon_fp_mul(&t1, &a->c1, &b->c1);
    pylon_fp_add(&s0, &a->c0, &a->c1);
    pylon_fp_add(&s1, &b->c0, &b->c1);
    pylon_fp_mul(&s0, &s0, &s1);
    pylon_fp_sub(&s0, &s0, &t0);
    pylon_fp_sub(&r->c1, &s0, &t1);
    pylon_fp_sub(&r->c0, &t0, &t1);
}


void
pylon_fp2_mul_fp(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp *b)
{
    pylon_fp_mul(&r->c0, &a->c0, b);
    pylon_fp_mul(&r->c1, &a->c1, b);
}


void
pylon_fp2_sqr(pylon_fp2 *r, const pylon_fp2 *a)
{
    pylon_fp  s, d, m;

    /* (a0 + a1)(a0 - a1) + 2 a0 a1 u */
    pylon_fp_add(&s, &a->c0, &a->c1);
    pylon_fp_sub(&d, &a->c0, &a->c1);
    pylon_fp_mul(&m, &a->c0, &a->c1);
    pylon_fp_mul(&r->c0, &s, &d);
    pylon_fp_add(&r->c1, &m, &m);
}


void
pylon_fp2_mul_xi(pylon_fp2 *r, const pylon_fp2 *a)
{
    pylon_fp  t0;

    /* (a0 + a1 u)(1 + u) = (a0 - a1) + (a0 + a1) u */
    pylon_fp_sub(&t0, &a->c0, &a->c1);
    pylon_fp_add(&r->c1, &a->c0, &a->c1);
    r->c0 = t0;
}


void
pylon_fp2_inv(pylon_fp2 *r, const pylon_fp2 *a)
{
    pylon_fp  n, t;

    pylon_fp_sqr(&n, &a->c0);
    pylon_fp_sqr(&t, &a->c1);
    pylon_fp_add(&n, &n, &t);
    pylon_fp_inv(&n, &n);
    pylon_fp_mul(&r->c0, &a->c0, &n);
    pylon_fp_mul(&t, &a->c1, &n);
    pylon_fp_neg(&r->c1, &t);
}


void
pylon_fp2_pow(pylon_fp2 *r, const pylon_fp2 *a, const uint64_t *e,
    size_t nlimbs)
{
    pylon_fp2  acc, base;
    size_t     i;
    int        bit;

    base = *a;
    pylon_fp2_one(&acc);

    for (i = nlimbs; i-- > 0; ) {
        for (bit = 63; bit >= 0; bit--) {
            pylon_fp2_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1) {
                pylon_fp2_mul(&acc, &acc, &base);
            }
        }
    }

    *r = acc;
}


int
pylon_fp2_sqrt(pylon_fp2 *r, const pylon_fp2 *a)
{
    pylon_fp2  x, chk;
    pylon_fp   n, t, half, two;

    if (pylon_fp2_is_zero(a)) {
        pylon_fp2_zero(r);
        return 0;
    }

    pylon_fp_from_u64(&two, 2);
    pylon_fp_inv(&half, &two);

    if (pylon_fp_is_zero(&a->c1)) {
        /* a0 itself or -a0 is a square in Fp */
        if (pylon_fp_sqrt(&x.c0, &a->c0) == 0) {
            pylon_fp_zero(&x.c1);
        } else {
            pylon_fp_neg(&t, &a->c0);
            if (pylon_fp_sqrt(&x.c1, &t) != 0) {
                return -1;
            }
            pylon_fp_zero(&x.c0);
        }
        goto check;
    }

    pylon_fp_sqr(&n, &a->c0);
    pylon_fp_sqr(&t, &a->c1);
    pylon_fp_add(&n, &n, &t);
    if (pylon_fp_sqrt(&n, &n) != 0) {
        return -1;
    }

    pylon_fp_add(&t, &a->c0, &n);
    pylon_fp_mul(&t, &t, &half);
    if (pylon_fp_sqrt(&x.c0, &t) != 0) {
        pylon_fp_sub(&t, &a->c0, &n);
        pylon_fp_mul(&t, &t, &half);
        if (pylon_fp_sqrt(&x.c0, &t) != 0) {
            return -1;
        }
    }

    /* x1 = a1 / (2 x0) */
    pylon_fp_add(&t, &x.c0, &x.c0);
    pylon_fp_inv(&t, &t);
    pylon_fp_mul(&x.c1, &a->c1, &t);

check:

    pylon_fp2_sqr(&chk, &x);
    if (!pylon_fp2_eq(&chk, a)) {
        return -1;
    }

    *r = x;
    return 0;
}


void
pylon_fp2_cmov(pylon_fp2 *r, const pylon_fp2 *a, uint64_t flag)
{
    pylon_fp_cmov(&r->c0, &a->c0, flag);
    pylon_fp_cmov(&r->c1, &a->c1, flag);
}


int
pylon_fp2_is_lexlargest(const pylon_fp2 *a)
{
    if (!pylon_fp_is_zero(&a->c1)) {
        return pylon_fp_is_lexlargest(&a->c1);
    }

    return pylon_fp_is_lexlargest(&a->c0);
}


int
pylon_fp2_from_hex(pylon_fp2 *r, const char *c0, const char *c1)
{
    if (pylon_fp_from_hex(&r->c0, c0) != 0
        || pylon_fp_from_hex(&r->c1, c1) != 0)
    {
        return -1;
    }

    return 0;
}
