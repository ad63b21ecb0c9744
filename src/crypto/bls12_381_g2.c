/*
 * bls12_381_g2.c: the group G2 <= E'(Fp2), E': y^2 = x^3 + 4 (1 + u).
 *
 * The same complete projective formulas as G1 (Renes-Costello-Batina,
 * a = 0) over Fp2 with b3 = 3 b = 12 (1 + u); see bls12_381_g1.c.  The
 * generator is the standard one; the unit test checks that it is on the
 * twist and of order r.
 */

#include <string.h>

#include "crypto/bls12_381_curve.h"


static const char  g2_gen_x0[] =
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d177"
    "0bac0326a805bbefd48056c8c121bdb8";
static const char  g2_gen_x1[] =
    "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049"
    "334cf11213945d57e5ac7d055d042b7e";
static const char  g2_gen_y0[] =
    "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c"
    "923ac9cc3baca289e193548608b82801";
static const char  g2_gen_y1[] =
    "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab"
    "3f370d275cec1da1aaa9075ff05f79be";


static void
g2_mul_b3(pylon_fp2 *r, const pylon_fp2 *a)
{
    pylon_fp   b3;
    pylon_fp2  t;

    pylon_fp_from_u64(&b3, 12);
    pylon_fp2_mul_xi(&t, a);
    pylon_fp2_mul_fp(r, &t, &b3);
}


void
pylon_g2_identity(pylon_g2 *r)
{
    pylon_fp2_zero(&r->x);
    pylon_fp2_one(&r->y);
    pylon_fp2_zero(&r->z);
}


void
pylon_g2_generator(pylon_g2 *r)
{
    (void) pylon_fp2_from_hex(&r->x, g2_gen_x0, g2_gen_x1);
    (void) pylon_fp2_from_hex(&r->y, g2_gen_y0, g2_gen_y1);
    pylon_fp2_one(&r->z);
}


int
pylon_g2_is_identity(const pylon_g2 *a)
{
    return pylon_fp2_is_zero(&a->z);
}


int
pylon_g2_eq(const pylon_g2 *a, const pylon_g2 *b)
{
    pylon_fp2  t0, t1;
    int       ia, ib;

    ia = pylon_g2_is_identity(a);
    ib = pylon_g2_is_identity(b);
    if (ia || ib) {
        return ia && ib;
    }

    pylon_fp2_mul(&t0, &a->x, &b->z);
    pylon_fp2_mul(&t1, &b->x, &a->z);
    if (!pylon_fp2_eq(&t0, &t1)) {
        return 0;
    }

    pylon_fp2_mul(&t0, &a->y, &b->z);
    pylon_fp2_mul(&t1, &b->y, &a->z);
    return pylon_fp2_eq(&t0, &t1);
}


int
pylon_g2_is_on_curve(const pylon_g2 *a)
{
    pylon_fp   four;
    pylon_fp2  l, r, t, z3;

    if (pylon_g2_is_identity(a)) {
        /* (0 : 1 : 0) is the only valid encoding of the identity */
        return pylon_fp2_is_zero(&a->x) && !pylon_fp2_is_zero(&a->y);
    }

    /* Y^2 Z = X^3 + 4 (1 + u) Z^3 */
    pylon_fp2_sqr(&l, &a->y);
    pylon_fp2_mul(&l, &l, &a->z);
    pylon_fp2_sqr(&r, &a->x);
    pylon_fp2_mul(&r, &r, &a->x);
    pylon_fp2_sqr(&z3, &a->z);
    pylon_fp2_mul(&z3, &z3, &a->z);
    pylon_fp_from_u64(&four, 4);
    pylon_fp2_mul_xi(&t, &z3);
    pylon_fp2_mul_fp(&t, &t, &four);
    pylon_fp2_add(&r, &r, &t);

    return pylon_fp2_eq(&l, &r);
}


int
pylon_g2_in_subgroup(const pylon_g2 *a)
{
    pylon_g2  t;

    pylon_g2_mul(&t, a, pylon_bls_r_be, sizeof(pylon_bls_r_be));
    return pylon_g2_is_identity(&t);
}


void
pylon_g2_add(pylon_g2 *r, const pylon_g2 *a, const pylon_g2 *b)
{
    pylon_fp2  t0, t1, t2, t3, t4, x3, y3, z3;

    pylon_fp2_mul(&t0, &a->x, &b->x);
    pylon_fp2_mul(&t1, &a->y, &b->y);
    pylon_fp2_mul(&t2, &a->z, &b->z);
    pylon_fp2_add(&t3, &a->x, &a->y);
    pylon_fp2_add(&t4, &b->x, &b->y);
    pylon_fp2_mul(&t3, &t3, &t4);
    pylon_fp2_add(&t4, &t0, &t1);
    pylon_fp2_sub(&t3, &t3, &t4);
    pylon_fp2_add(&t4, &a->y, &a->z);
    pylon_fp2_add(&x3, &b->y, &b->z);
    pylon_fp2_mul(&t4, &t4, &x3);
    pylon_fp2_add(&x3, &t1, &t2);
    pylon_fp2_sub(&t4, &t4, &x3);
    pylon_fp2_add(&x3, &a->x, &a->z);
    pylon_fp2_add(&y3, &b->x, &b->z);
    pylon_fp2_mul(&x3, &x3, &y3);
    pylon_fp2_add(&y3, &t0, &t2);
    pylon_fp2_sub(&y3, &x3, &y3);
    pylon_fp2_add(&x3, &t0, &t0);
    pylon_fp2_add(&t0, &x3, &t0);
    g2_mul_b3(&t2, &t2);
    pylon_fp2_add(&z3, &t1, &t2);
    pylon_fp2_sub(&t1, &t1, &t2);
    g2_mul_b3(&y3, &y3);
    pylon_fp2_mul(&x3, &t4, &y3);
    pylon_fp2_mul(&t2, &t3, &t1);
    pylon_fp2_sub(&x3, &t2, &x3);
    pylon_fp2_mul(&y3, &y3, &t0);
    pylon_fp2_mul(&t1, &t1, &z3);
    pylon_fp2_add(&y3, &t1, &y3);
    pylon_fp2_mul(&t0, &t0, &t3);
    pylon_fp2_mul(&z3, &z3, &t4);
    pylon_fp2_add(&z3, &z3, &t0);

    r->x = x3;
    r->y = y3;
    r->z = z3;
}


void
pylon_g2_dbl(pylon_g2 *r, const pylon_g2 *a)
{
    pylon_fp2  t0, t1, t2, x3, y3, z3;

    pylon_fp2_sqr(&t0, &a->y);
    pylon_fp2_add(&z3, &t0, &t0);
    pylon_fp2_add(&z3, &z3, &z3);
    pylon_fp2_add(&z3, &z3, &z3);
    pylon_fp2_mul(&t1, &a->y, &a->z);
    pylon_fp2_sqr(&t2, &a->z);
    g2_mul_b3(&t2, &t2);
    pylon_fp2_mul(&x3, &t2, &z3);
    pylon_fp2_add(&y3, &t0, &t2);
    pylon_fp2_mul(&z3, &t1, &z3);
    pylon_fp2_add(&t1, &t2, &t2);
    pylon_fp2_add(&t2, &t1, &t2);
    pylon_fp2_sub(&t0, &t0, &t2);
    pylon_fp2_mul(&y3, &t0, &y3);
    pylon_fp2_add(&y3, &x3, &y3);
    pylon_fp2_mul(&t1, &a->x, &a->y);
    pylon_fp2_mul(&x3, &t0, &t1);
    pylon_fp2_add(&x3, &x3, &x3);

    r->x = x3;
    r->y = y3;
    r->z = z3;
}


void
pylon_g2_neg(pylon_g2 *r, const pylon_g2 *a)
{
    r->x = a->x;
    pylon_fp2_neg(&r->y, &a->y);
    r->z = a->z;
}


/*
 * Fixed 4-bit windows: four doublings and one addition of a table entry
 * per nibble; the entry is picked by scanning the whole table with masked
 * moves, so neither the operation sequence nor the memory access pattern
 * depends on k.
 */
void
pylon_g2_mul(pylon_g2 *r, const pylon_g2 *a, const unsigned char *k,
    size_t klen)
{
    pylon_g2  table[16], acc, sel;
    uint64_t  nib, eq;
    size_t    i;
    int       h, j, d;

    pylon_g2_identity(&table[0]);
    table[1] = *a;
    for (j = 2; j < 16; j++) {
        pylon_g2_add(&table[j], &table[j - 1], a);
    }

    pylon_g2_identity(&acc);

    for (i = 0; i < klen; i++) {
        for (h = 1; h >= 0; h--) {
            nib = (k[i] >> (4 * h)) & 0xf;

            for (d = 0; d < 4; d++) {
                pylon_g2_dbl(&acc, &acc);
            }

            sel = table[0];
            for (j = 1; j < 16; j++) {
                eq = (((uint64_t) j ^ nib) - 1) >> 63;
                pylon_fp2_cmov(&sel.x, &table[j].x, eq);
                pylon_fp2_cmov(&sel.y, &table[j].y, eq);
                pylon_fp2_cmov(&sel.z, &table[j].z, eq);
            }

            pylon_g2_add(&acc, &acc, &sel);
        }
    }

    *r = acc;
}


int
pylon_g2_to_affine(pylon_fp2 *x, pylon_fp2 *y, const pylon_g2 *a)
{
    pylon_fp2  zi;

    if (pylon_g2_is_identity(a)) {
        return -1;
    }

    pylon_fp2_inv(&zi, &a->z);
    pylon_fp2_mul(x, &a->x, &zi);
    pylon_fp2_mul(y, &a->y, &zi);
    return 0;
}


void
pylon_g2_from_affine(pylon_g2 *r, const pylon_fp2 *x, const pylon_fp2 *y)
{
    r->x = *x;
    r->y = *y;
    pylon_fp2_one(&r->z);
}
