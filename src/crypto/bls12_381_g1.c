/*
 * bls12_381_g1.c: the group G1 <= E(Fp), E: y^2 = x^3 + 4.
 *
 * Homogeneous projective coordinates with the complete a = 0 formulas of
 * Renes, Costello and Batina ("Complete addition formulas for prime order
 * elliptic curves", 2016, algorithms 7 and 9, b3 = 3 b = 12): no special
 * cases for the identity, doubling or inverse points, so the windowed
 * scalar multiplication below needs no branches on secret data.  The
 * generator is the standard one (zcash / IETF pairing-friendly-curves
 * draft); the unit test checks it is on the curve and of order r.
 */

#include <string.h>

#include "crypto/bls12_381_curve.h"


const unsigned char  pylon_bls_r_be[32] = {
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48,
    0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe,
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01
};

static const char  g1_gen_x[] =
    "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac58"
    "6c55e83ff97a1aeffb3af00adb22c6bb";
static const char  g1_gen_y[] =
    "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3ed"
    "d03cc744a2888ae40caa232946c5e7e1";


static void
g1_mul_b3(pylon_fp *r, const pylon_fp *a)
{
    pylon_fp  b3;

    pylon_fp_from_u64(&b3, 12);
    pylon_fp_mul(r, a, &b3);
}


void
pylon_g1_identity(pylon_g1 *r)
{
    pylon_fp_zero(&r->x);
    pylon_fp_one(&r->y);
    pylon_fp_zero(&r->z);
}


void
pylon_g1_generator(pylon_g1 *r)
{
    (void) pylon_fp_from_hex(&r->x, g1_gen_x);
    (void) pylon_fp_from_hex(&r->y, g1_gen_y);
    pylon_fp_one(&r->z);
}


int
pylon_g1_is_identity(const pylon_g1 *a)
{
    return pylon_fp_is_zero(&a->z);
}


int
pylon_g1_eq(const pylon_g1 *a, const pylon_g1 *b)
{
    pylon_fp  t0, t1;
    int       ia, ib;

    ia = pylon_g1_is_identity(a);
    ib = pylon_g1_is_identity(b);
    if (ia || ib) {
        return ia && ib;
    }

    pylon_fp_mul(&t0, &a->x, &b->z);
    pylon_fp_mul(&t1, &b->x, &a->z);
    if (!pylon_fp_eq(&t0, &t1)) {
        return 0;
    }

    pylon_fp_mul(&t0, &a->y, &b->z);
    pylon_fp_mul(&t1, &b->y, &a->z);
    return pylon_fp_eq(&t0, &t1);
}


int
pylon_g1_is_on_curve(const pylon_g1 *a)
{
    pylon_fp  l, r, t, z3;

    if (pylon_g1_is_identity(a)) {
        /* (0 : 1 : 0) is the only valid encoding of the identity */
        return pylon_fp_is_zero(&a->x) && !pylon_fp_is_zero(&a->y);
    }

    /* Y^2 Z = X^3 + 4 Z^3 */
    pylon_fp_sqr(&l, &a->y);
    pylon_fp_mul(&l, &l, &a->z);
    pylon_fp_sqr(&r, &a->x);
    pylon_fp_mul(&r, &r, &a->x);
    pylon_fp_sqr(&z3, &a->z);
    pylon_fp_mul(&z3, &z3, &a->z);
    pylon_fp_from_u64(&t, 4);
    pylon_fp_mul(&t, &t, &z3);
    pylon_fp_add(&r, &r, &t);

    return pylon_fp_eq(&l, &r);
}


int
pylon_g1_in_subgroup(const pylon_g1 *a)
{
    pylon_g1  t;

    pylon_g1_mul(&t, a, pylon_bls_r_be, sizeof(pylon_bls_r_be));
    return pylon_g1_is_identity(&t);
}


void
pylon_g1_add(pylon_g1 *r, const pylon_g1 *a, const pylon_g1 *b)
{
    pylon_fp  t0, t1, t2, t3, t4, x3, y3, z3;

    pylon_fp_mul(&t0, &a->x, &b->x);
    pylon_fp_mul(&t1, &a->y, &b->y);
    pylon_fp_mul(&t2, &a->z, &b->z);
    pylon_fp_add(&t3, &a->x, &a->y);
    pylon_fp_add(&t4, &b->x, &b->y);
    pylon_fp_mul(&t3, &t3, &t4);
    pylon_fp_add(&t4, &t0, &t1);
    pylon_fp_sub(&t3, &t3, &t4);
    pylon_fp_add(&t4, &a->y, &a->z);
    pylon_fp_add(&x3, &b->y, &b->z);
    pylon_fp_mul(&t4, &t4, &x3);
    pylon_fp_add(&x3, &t1, &t2);
    pylon_fp_sub(&t4, &t4, &x3);
    pylon_fp_add(&x3, &a->x, &a->z);
    pylon_fp_add(&y3, &b->x, &b->z);
    pylon_fp_mul(&x3, &x3, &y3);
    pylon_fp_add(&y3, &t0, &t2);
    pylon_fp_sub(&y3, &x3, &y3);
    pylon_fp_add(&x3, &t0, &t0);
    pylon_fp_add(&t0, &x3, &t0);
    g1_mul_b3(&t2, &t2);
    pylon_fp_add(&z3, &t1, &t2);
    pylon_fp_sub(&t1, &t1, &t2);
    g1_mul_b3(&y3, &y3);
    pylon_fp_mul(&x3, &t4, &y3);
    pylon_fp_mul(&t2, &t3, &t1);
    pylon_fp_sub(&x3, &t2, &x3);
    pylon_fp_mul(&y3, &y3, &t0);
    pylon_fp_mul(&t1, &t1, &z3);
    pylon_fp_add(&y3, &t1, &y3);
    pylon_fp_mul(&t0, &t0, &t3);
    pylon_fp_mul(&z3, &z3, &t4);
    pylon_fp_add(&z3, &z3, &t0);

    r->x = x3;
    r->y = y3;
    r->z = z3;
}


void
pylon_g1_dbl(pylon_g1 *r, const pylon_g1 *a)
{
    pylon_fp  t0, t1, t2, x3, y3, z3;

    pylon_fp_sqr(&t0, &a->y);
    pylon_fp_add(&z3, &t0, &t0);
    pylon_fp_add(&z3, &z3, &z3);
    pylon_fp_add(&z3, &z3, &z3);
    pylon_fp_mul(&t1, &a->y, &a->z);
    pylon_fp_sqr(&t2, &a->z);
    g1_mul_b3(&t2, &t2);
    pylon_fp_mul(&x3, &t2, &z3);
    pylon_fp_add(&y3, &t0, &t2);
    pylon_fp_mul(&z3, &t1, &z3);
    pylon_fp_add(&t1, &t2, &t2);
    pylon_fp_add(&t2, &t1, &t2);
    pylon_fp_sub(&t0, &t0, &t2);
    pylon_fp_mul(&y3, &t0, &y3);
    pylon_fp_add(&y3, &x3, &y3);
    pylon_fp_mul(&t1, &a->x, &a->y);
    pylon_fp_mul(&x3, &t0, &t1);
    pylon_fp_add(&x3, &x3, &x3);

    r->x = x3;
    r->y = y3;
    r->z = z3;
}


void
pylon_g1_neg(pylon_g1 *r, const pylon_g1 *a)
{
    r->x = a->x;
    pylon_fp_neg(&r->y, &a->y);
    r->z = a->z;
}


/*
 * Fixed 4-bit windows: four doublings and one addition of a table entry
 * per nibble; the entry is picked by scanning the whole table with masked
 * moves, so neither the operation sequence nor the memory access pattern
 * depends on k.
 */
void
pylon_g1_mul(pylon_g1 *r, const pylon_g1 *a, const unsigned char *k,
    size_t klen)
{
    pylon_g1  table[16], acc, sel;
    uint64_t  nib, eq;
    size_t    i;
    int       h, j, d;

    pylon_g1_identity(&table[0]);
    table[1] = *a;
    for (j = 2; j < 16; j++) {
        pylon_g1_add(&table[j], &table[j - 1], a);
    }

    pylon_g1_identity(&acc);

    for (i = 0; i < klen; i++) {
        for (h = 1; h >= 0; h--) {
            nib = (k[i] >> (4 * h)) & 0xf;

            for (d = 0; d < 4; d++) {
                pylon_g1_dbl(&acc, &acc);
            }

            sel = table[0];
            for (j = 1; j < 16; j++) {
                eq = (((uint64_t) j ^ nib) - 1) >> 63;
                pylon_fp_cmov(&sel.x, &table[j].x, eq);
                pylon_fp_cmov(&sel.y, &table[j].y, eq);
                pylon_fp_cmov(&sel.z, &table[j].z, eq);
            }

            pylon_g1_add(&acc, &acc, &sel);
        }
    }

    *r = acc;
}


int
pylon_g1_to_affine(pylon_fp *x, pylon_fp *y, const pylon_g1 *a)
{
    pylon_fp  zi;

    if (pylon_g1_is_identity(a)) {
        return -1;
    }

    pylon_fp_inv(&zi, &a->z);
    pylon_fp_mul(x, &a->x, &zi);
    pylon_fp_mul(y, &a->y, &zi);
    return 0;
}


void
pylon_g1_from_affine(pylon_g1 *r, const pylon_fp *x, const pylon_fp *y)
{
    r->x = *x;
    r->y = *y;
    pylon_fp_one(&r->z);
}
