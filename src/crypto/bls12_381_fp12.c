/*
 * bls12_381_fp12.c: the cubic and quadratic extensions Fp6 and Fp12.
 *
 * Fp6 = Fp2[v] / (v^3 - xi) with xi = 1 + u, Fp12 = Fp6[w] / (w^2 - v),
 * so w^6 = xi and the twelve Fp coefficients of c0 + c1 w are, as powers
 * of w, c0.c0 = w^0, c1.c0 = w^1, c0.c1 = w^2, c1.c1 = w^3, c0.c2 = w^4,
 * c1.c2 = w^5.  Frobenius therefore conjugates each Fp2 coefficient and
 * multiplies the one at w^k by gamma_k = xi^(k (p-1) / 6); the gammas are
 * listed as hex (canonical values) and checked against a direct
 * exponentiation in the unit test.  Products are schoolbook/Karatsuba;
 * nothing here is hand-optimised, the pairing is not on a hot path.
 */

#include <string.h>

#include "crypto/bls12_381_field.h"


/* xi^(k (p-1) / 6), k = 1..5, as (c0, c1) */
static const char  *fp12_gamma_hex[5][2] = {
    { "1904d3bf02bb0667c231beb4202c0d1f0fd603fd3cbd5f4f7b2443d784bab9c4"
      "f67ea53d63e7813d8d0775ed92235fb8",
      "fc3e2b36c4e03288e9e902231f9fb854a14787b6c7b36fec0c8ec971f63c5f28"
      "2d5ac14d6c7ec22cf78a126ddc4af3" },
    { "0",
      "1a0111ea397fe699ec02408663d4de85aa0d857d89759ad4897d29650fb85f9b"
      "409427eb4f49fffd8bfd00000000aaac" },
    { "6af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5e"
      "e67992f72ec05f4c81084fbede3cc09",
      "6af0e0437ff400b6831e36d6bd17ffe48395dabc2d3435e77f76e17009241c5e"
      "e67992f72ec05f4c81084fbede3cc09" },
    { "1a0111ea397fe699ec02408663d4de85aa0d857d89759ad4897d29650fb85f9b"
      "409427eb4f49fffd8bfd00000000aaad",
      "0" },
    { "5b2cfd9013a5fd8df47fa6b48b1e045f39816240c0b8fee8beadf4d8e9c0566c"
      "63a3e6e257f87329b18fae980078116",
      "144e4211384586c16bd3ad4afa99cc9170df3560e77982d0db45f3536814f0bd"
      "5871c1908bd478cd1ee605167ff82995" }
};


void
pylon_fp6_add(pylon_fp6 *r, const pylon_fp6 *a, const pylon_fp6 *b)
{
    pylon_fp2_add(&r->c0, &a->c0, &b->c0);
    pylon_fp2_add(&r->c1, &a->c1, &b->c1);
    pylon_fp2_add(&r->c2, &a->c2, &b->c2);
}


void
pylon_fp6_sub(pylon_fp6 *r, const pylon_fp6 *a, const pylon_fp6 *b)
{
    pylon_fp2_sub(&r->c0, &a->c0, &b->c0);
    pylon_fp2_sub(&r->c1, &a->c1, &b->c1);
    pylon_fp2_sub(&r->c2, &a->c2, &b->c2);
}


void
pylon_fp6_neg(pylon_fp6 *r, const pylon_fp6 *a)
{
    pylon_fp2_neg(&r->c0, &a->c0);
    pylon_fp2_neg(&r->c1, &a->c1);
    pylon_fp2_neg(&r->c2, &a->c2);
}


void
pylon_fp6_mul(pylon_fp6 *r, const pylon_fp6 *a, const pylon_fp6 *b)
{
    pylon_fp2  v0, v1, v2, s, t, c0, c1, c2;

    /* Karatsuba: six Fp2 products */
    pylon_fp2_mul(&v0, &a->c0, &b->c0);
    pylon_fp2_mul(&v1, &a->c1, &b->c1);
    pylon_fp2_mul(&v2, &a->c2, &b->c2);

    /* c0 = v0 + xi ((a1 + a2)(b1 + b2) - v1 - v2) */
    pylon_fp2_add(&s, &a->c1, &a->c2);
    pylon_fp2_add(&t, &b->c1, &b->c2);
    pylon_fp2_mul(&c0, &s, &t);
    pylon_fp2_sub(&c0, &c0, &v1);
    pylon_fp2_sub(&c0, &c0, &v2);
    pylon_fp2_mul_xi(&c0, &c0);
    pylon_fp2_add(&c0, &c0, &v0);

    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    pylon_fp2_add(&s, &a->c0, &a->c1);
    pylon_fp2_add(&t, &b->c0, &b->c1);
    pylon_fp2_mul(&c1, &s, &t);
    pylon_fp2_sub(&c1, &c1, &v0);
    pylon_fp2_sub(&c1, &c1, &v1);
    pylon_fp2_mul_xi(&t, &v2);
    pylon_fp2_add(&c1, &c1, &t);

    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    pylon_fp2_add(&s, &a->c0, &a->c2);
    pylon_fp2_add(&t, &b->c0, &b->c2);
    pylon_fp2_mul(&c2, &s, &t);
    pylon_fp2_sub(&c2, &c2, &v0);
    pylon_fp2_sub(&c2, &c2, &v2);
    pylon_fp2_add(&c2, &c2, &v1);

    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}


void
pylon_fp6_mul_v(pylon_fp6 *r, const pylon_fp6 *a)
{
    pylon_fp2  t;

    /* (a0 + a1 v + a2 v^2) v = xi a2 + a0 v + a1 v^2 */
    pylon_fp2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}


void
pylon_fp6_inv(pylon_fp6 *r, const pylon_fp6 *a)
{
    pylon_fp2  t0, t1, t2, n, s;

    /* t0 = a0^2 - xi a1 a2 */
    pylon_fp2_sqr(&t0, &a->c0);
    pylon_fp2_mul(&s, &a->c1, &a->c2);
    pylon_fp2_mul_xi(&s, &s);
    pylon_fp2_sub(&t0, &t0, &s);

    /* t1 = xi a2^2 - a0 a1 */
    pylon_fp2_sqr(&t1, &a->c2);
    pylon_fp2_mul_xi(&t1, &t1);
    pylon_fp2_mul(&s, &a->c0, &a->c1);
    pylon_fp2_sub(&t1, &t1, &s);

    /* t2 = a1^2 - a0 a2 */
    pylon_fp2_sqr(&t2, &a->c1);
    pylon_fp2_mul(&s, &a->c0, &a->c2);
    pylon_fp2_sub(&t2, &t2, &s);

    /* n = a0 t0 + xi (a2 t1 + a1 t2) */
    pylon_fp2_mul(&n, &a->c2, &t1);
    pylon_fp2_mul(&s, &a->c1, &t2);
    pylon_fp2_add(&n, &n, &s);
    pylon_fp2_mul_xi(&n, &n);
    pylon_fp2_mul(&s, &a->c0, &t0);
    pylon_fp2_add(&n, &n, &s);
    pylon_fp2_inv(&n, &n);

    pylon_fp2_mul(&r->c0, &t0, &n);
    pylon_fp2_mul(&r->c1, &t1, &n);
    pylon_fp2_mul(&r->c2, &t2, &n);
}


void
pylon_fp12_one(pylon_fp12 *r)
{
    memset(r, 0, sizeof(*r));
    pylon_fp_one(&r->c0.c0.c0);
}


int
pylon_fp12_eq(const pylon_fp12 *a, const pylon_fp12 *b)
{
    return pylon_fp2_eq(&a->c0.c0, &b->c0.c0)
           & pylon_fp2_eq(&a->c0.c1, &b->c0.c1)
           & pylon_fp2_eq(&a->c0.c2, &b->c0.c2)
           & pylon_fp2_eq(&a->c1.c0, &b->c1.c0)
           & pylon_fp2_eq(&a->c1.c1, &b->c1.c1)
           & pylon_fp2_eq(&a->c1.c2, &b->c1.c2);
}


int
pylon_fp12_is_one(const pylon_fp12 *a)
{
    pylon_fp12  one;

    pylon_fp12_one(&one);
    return pylon_fp12_eq(a, &one);
}


void
pylon_fp12_mul(pylon_fp12 *r, const pylon_fp12 *a, const pylon_fp12 *b)
{
    pylon_fp6  t0, t1, s0, s1;

    /* (a0 + a1 w)(b0 + b1 w) = a0 b0 + v a1 b1 + (a0 b1 + a1 b0) w */
    pylon_fp6_mul(&t0, &a->c0, &b->c0);
    pylon_fp6_mul(&t1, &a->c1, &b->c1);
    pylon_fp6_add(&s0, &a->c0, &a->c1);
    pylon_fp6_add(&s1, &b->c0, &b->c1);
    pylon_fp6_mul(&s0, &s0, &s1);
    pylon_fp6_sub(&s0, &s0, &t0);
    pylon_fp6_sub(&r->c1, &s0, &t1);
    pylon_fp6_mul_v(&t1, &t1);
    pylon_fp6_add(&r->c0, &t0, &t1);
}


void
pylon_fp12_sqr(pylon_fp12 *r, const pylon_fp12 *a)
{
    pylon_fp6  t, s0, s1;

    /*
     * (a0 + a1 w)^2 = a0^2 + v a1^2 + 2 a0 a1 w, with two Fp6 products:
     * a0^2 + v a1^2 = (a0 + a1)(a0 + v a1) - t - v t, t = a0 a1
     */
    pylon_fp6_mul(&t, &a->c0, &a->c1);
    pylon_fp6_add(&s0, &a->c0, &a->c1);
    pylon_fp6_mul_v(&s1, &a->c1);
    pylon_fp6_add(&s1, &s1, &a->c0);
    pylon_fp6_mul(&s0, &s0, &s1);
    pylon_fp6_sub(&s0, &s0, &t);
    pylon_fp6_mul_v(&s1, &t);
    pylon_fp6_sub(&r->c0, &s0, &s1);
    pylon_fp6_add(&r->c1, &t, &t);
}


void
pylon_fp12_mul_line(pylon_fp12 *r, const pylon_fp12 *f, const pylon_fp2 *a0,
    const pylon_fp2 *a1, const pylon_fp2 *b1)
{
    pylon_fp6  x0, x1, y0, y1;
    pylon_fp2  t;

    /* l = l0 + l1 w with l0 = a0 + a1 v, l1 = b1 v */

    /* x0 = f0 l0 */
    pylon_fp2_mul(&x0.c0, &f->c0.c2, a1);
    pylon_fp2_mul_xi(&x0.c0, &x0.c0);
    pylon_fp2_mul(&t, &f->c0.c0, a0);
    pylon_fp2_add(&x0.c0, &x0.c0, &t);
    pylon_fp2_mul(&x0.c1, &f->c0.c0, a1);
    pylon_fp2_mul(&t, &f->c0.c1, a0);
    pylon_fp2_add(&x0.c1, &x0.c1, &t);
    pylon_fp2_mul(&x0.c2, &f->c0.c1, a1);
    pylon_fp2_mul(&t, &f->c0.c2, a0);
    pylon_fp2_add(&x0.c2, &x0.c2, &t);

    /* y0 = f1 l0 */
    pylon_fp2_mul(&y0.c0, &f->c1.c2, a1);
    pylon_fp2_mul_xi(&y0.c0, &y0.c0);
    pylon_fp2_mul(&t, &f->c1.c0, a0);
    pylon_fp2_add(&y0.c0, &y0.c0, &t);
    pylon_fp2_mul(&y0.c1, &f->c1.c0, a1);
    pylon_fp2_mul(&t, &f->c1.c1, a0);
    pylon_fp2_add(&y0.c1, &y0.c1, &t);
    pylon_fp2_mul(&y0.c2, &f->c1.c1, a1);
    pylon_fp2_mul(&t, &f->c1.c2, a0);
    pylon_fp2_add(&y0.c2, &y0.c2, &t);

    /* x1 = f1 l1 = (xi f1.c2 b1, f1.c0 b1, f1.c1 b1) */
    pylon_fp2_mul(&x1.c0, &f->c1.c2, b1);
    pylon_fp2_mul_xi(&x1.c0, &x1.c0);
    pylon_fp2_mul(&x1.c1, &f->c1.c0, b1);
    pylon_fp2_mul(&x1.c2, &f->c1.c1, b1);

    /* y1 = f0 l1 */
    pylon_fp2_mul(&y1.c0, &f->c0.c2, b1);
    pylon_fp2_mul_xi(&y1.c0, &y1.c0);
    pylon_fp2_mul(&y1.c1, &f->c0.c0, b1);
    pylon_fp2_mul(&y1.c2, &f->c0.c1, b1);

    /* r = (f0 l0 + v f1 l1) + (f0 l1 + f1 l0) w */
    pylon_fp6_mul_v(&x1, &x1);
    pylon_fp6_add(&r->c0, &x0, &x1);
    pylon_fp6_add(&r->c1, &y1, &y0);
}


/* (c0 + c1 w')^2 in Fp4 = Fp2[w'] / (w'^2 - xi) */
static void
fp4_sqr(pylon_fp2 *c0, pylon_fp2 *c1, const pylon_fp2 *a,
    const pylon_fp2 *b)
{
    pylon_fp2  t0, t1, s;

    pylon_fp2_sqr(&t0, a);
    pylon_fp2_sqr(&t1, b);
    pylon_fp2_add(&s, a, b);
    pylon_fp2_sqr(&s, &s);
    pylon_fp2_sub(&s, &s, &t0);
    pylon_fp2_sub(c1, &s, &t1);
    pylon_fp2_mul_xi(&t1, &t1);
    pylon_fp2_add(c0, &t1, &t0);
}


void
pylon_fp12_cyclotomic_sqr(pylon_fp12 *r, const pylon_fp12 *a)
{
    pylon_fp2  z0, z1, z2, z3, z4, z5, t0, t1, t2, t3;

    /*
     * Granger-Scott: the cyclotomic subgroup element viewed as three Fp4
     * elements (z0, z1), (z2, z3), (z4, z5); each output coefficient is
     * 3 t -/+ 2 z of the Fp4 squares.
     */
    z0 = a->c0.c0;
    z4 = a->c0.c1;
    z3 = a->c0.c2;
    z2 = a->c1.c0;
    z1 = a->c1.c1;
    z5 = a->c1.c2;

    fp4_sqr(&t0, &t1, &z0, &z1);
    pylon_fp2_sub(&z0, &t0, &z0);
    pylon_fp2_add(&z0, &z0, &z0);
    pylon_fp2_add(&z0, &z0, &t0);
    pylon_fp2_add(&z1, &t1, &z1);
    pylon_fp2_add(&z1, &z1, &z1);
    pylon_fp2_add(&z1, &z1, &t1);

    fp4_sqr(&t0, &t1, &z2, &z3);
    fp4_sqr(&t2, &t3, &z4, &z5);

    pylon_fp2_sub(&z4, &t0, &z4);
    pylon_fp2_add(&z4, &z4, &z4);
    pylon_fp2_add(&z4, &z4, &t0);
    pylon_fp2_add(&z5, &t1, &z5);
    pylon_fp2_add(&z5, &z5, &z5);
    pylon_fp2_add(&z5, &z5, &t1);

    pylon_fp2_mul_xi(&t0, &t3);
    pylon_fp2_add(&z2, &t0, &z2);
    pylon_fp2_add(&z2, &z2, &z2);
    pylon_fp2_add(&z2, &z2, &t0);
    pylon_fp2_sub(&z3, &t2, &z3);
    pylon_fp2_add(&z3, &z3, &z3);
    pylon_fp2_add(&z3, &z3, &t2);

    r->c0.c0 = z0;
    r->c0.c1 = z4;
    r->c0.c2 = z3;
    r->c1.c0 = z2;
    r->c1.c1 = z1;
    r->c1.c2 = z5;
}


void
pylon_fp12_inv(pylon_fp12 *r, const pylon_fp12 *a)
{
    pylon_fp6  t0, t1;

    /* 1 / (a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2) */
    pylon_fp6_mul(&t0, &a->c0, &a->c0);
    pylon_fp6_mul(&t1, &a->c1, &a->c1);
    pylon_fp6_mul_v(&t1, &t1);
    pylon_fp6_sub(&t0, &t0, &t1);
    pylon_fp6_inv(&t0, &t0);

    pylon_fp6_mul(&r->c0, &a->c0, &t0);
    pylon_fp6_mul(&t1, &a->c1, &t0);
    pylon_fp6_neg(&r->c1, &t1);
}


void
pylon_fp12_conj(pylon_fp12 *r, const pylon_fp12 *a)
{
    r->c0 = a->c0;
    pylon_fp6_neg(&r->c1, &a->c1);
}


void
pylon_fp12_frob(pylon_fp12 *r, const pylon_fp12 *a)
{
    pylon_fp2   g[6];
    pylon_fp2  *c[6];
    pylon_fp12  t;
    int         k;

    t = *a;
    /* coefficient at w^k */
    c[0] = &t.c0.c0;
    c[1] = &t.c1.c0;
    c[2] = &t.c0.c1;
    c[3] = &t.c1.c1;
    c[4] = &t.c0.c2;
    c[5] = &t.c1.c2;

    pylon_fp2_one(&g[0]);
    for (k = 1; k < 6; k++) {
        (void) pylon_fp2_from_hex(&g[k], fp12_gamma_hex[k - 1][0],
                                  fp12_gamma_hex[k - 1][1]);
    }

    for (k = 0; k < 6; k++) {
        pylon_fp2_conj(c[k], c[k]);
        pylon_fp2_mul(c[k], c[k], &g[k]);
    }

    *r = t;
}


void
pylon_fp12_pow(pylon_fp12 *r, const pylon_fp12 *a, const uint64_t *e,
    size_t nlimbs)
{
    pylon_fp12  acc, base;
    size_t      i;
    int         bit;

    base = *a;
    pylon_fp12_one(&acc);

    for (i = nlimbs; i-- > 0; ) {
        for (bit = 63; bit >= 0; bit--) {
            pylon_fp12_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1) {
                pylon_fp12_mul(&acc, &acc, &base);
            }
        }
    }

    *r = acc;
}


void
pylon_fp12_to_bytes(unsigned char out[PYLON_FP12_BYTES], const pylon_fp12 *a)
{
    const pylon_fp6  *c6[2];
    const pylon_fp2  *c2[3];
    int               i, j;

    c6[0] = &a->c0;
    c6[1] = &a->c1;

    for (i = 0; i < 2; i++) {
        c2[0] = &c6[i]->c0;
        c2[1] = &c6[i]->c1;
        c2[2] = &c6[i]->c2;
        for (j = 0; j < 3; j++) {
            pylon_fp_to_bytes_le(out, &c2[j]->c0);
            pylon_fp_to_bytes_le(out + 48, &c2[j]->c1);
            out += 96;
        }
    }
}
