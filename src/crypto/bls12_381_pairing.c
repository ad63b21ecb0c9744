/*
 * bls12_381_pairing.c: the optimal ate pairing of BLS12-381.
 *
 * Miller loop over |x| = 0xd201000000010000 (x < 0, so the result is
 * conjugated).  For the M-type twist psi(x', y') = (x' / w^2, y' / w^3),
 * the line through T with slope l (on E') evaluated at P and multiplied
 * by w^3 (a factor the final exponentiation removes) is
 *
 *     (l xT - yT)  +  (-l xP) w^2  +  yP w^3,
 *
 * i.e. c0.c0, c0.c1 and c1.c1 of an Fp12 element.  T is kept projective
 * (the complete G2 formulas) and each line is scaled by the Fp2 element
 * that clears its denominators, which the final exponentiation also
 * removes, so the loop needs no inversion.
 *
 * Final exponentiation: the easy part f^((p^6 - 1)(p^2 + 1)), then the hard
 * part with exponent 3 (p^4 - p^2 + 1) / r written as
 * (x-1)^2 (x+p) (x^2+p^2-1) + 3 (Hayashida, Hayasaka, Teruya), which is
 * what arkworks and blst compute: GT values are their cubes of the
 * "textbook" pairing, and that is what the timelock ciphertext hashes.
 */

#include <string.h>

#include "crypto/bls12_381_curve.h"


#define BLS_X_ABS  0xd201000000010000ULL


/*
 * Tangent at T = (X : Y : Z), scaled by 2 Y Z^2 / Z (an Fp2 factor):
 *   a0 = Y^2 - 3 b' Z^2,  a1 = -3 X^2 xP,  b1 = 2 Y Z yP
 * (uses Y^2 Z = X^3 + b' Z^3, b' = 4 (1 + u)).
 */
static void
line_dbl(pylon_fp12 *f, const pylon_g2 *t, const pylon_fp *xp,
    const pylon_fp *yp)
{
    pylon_fp2  a0, a1, b1, s;
    pylon_fp   c;

    pylon_fp2_sqr(&a0, &t->y);
    pylon_fp2_sqr(&s, &t->z);
    pylon_fp2_mul_xi(&s, &s);
    pylon_fp_from_u64(&c, 12);
    pylon_fp2_mul_fp(&s, &s, &c);
    pylon_fp2_sub(&a0, &a0, &s);

    pylon_fp2_sqr(&a1, &t->x);
    pylon_fp_from_u64(&c, 3);
    pylon_fp2_mul_fp(&a1, &a1, &c);
    pylon_fp2_mul_fp(&a1, &a1, xp);
    pylon_fp2_neg(&a1, &a1);

    pylon_fp2_mul(&b1, &t->y, &t->z);
    pylon_fp2_add(&b1, &b1, &b1);
    pylon_fp2_mul_fp(&b1, &b1, yp);

    pylon_fp12_mul_line(f, f, &a0, &a1, &b1);
}


/*
 * Chord through T = (X : Y : Z) and the affine Q, scaled by
 * mu = xQ Z - X, with theta = yQ Z - Y (slope theta / mu):
 *   a0 = theta xQ - mu yQ,  a1 = -theta xP,  b1 = mu yP
 */
static void
line_add(pylon_fp12 *f, const pylon_g2 *t, const pylon_fp2 *xq,
    const pylon_fp2 *yq, const pylon_fp *xp, const pylon_fp *yp)
{
    pylon_fp2  theta, mu, a0, a1, b1, s;

    pylon_fp2_mul(&theta, yq, &t->z);
    pylon_fp2_sub(&theta, &theta, &t->y);
    pylon_fp2_mul(&mu, xq, &t->z);
    pylon_fp2_sub(&mu, &mu, &t->x);

    pylon_fp2_mul(&a0, &theta, xq);
    pylon_fp2_mul(&s, &mu, yq);
    pylon_fp2_sub(&a0, &a0, &s);

    pylon_fp2_mul_fp(&a1, &theta, xp);
    pylon_fp2_neg(&a1, &a1);

    pylon_fp2_mul_fp(&b1, &mu, yp);

    pylon_fp12_mul_line(f, f, &a0, &a1, &b1);
}


void
pylon_bls_miller_loop(pylon_fp12 *f, const pylon_g1 *p, const pylon_g2 *q)
{
    pylon_fp12  acc;
    pylon_fp2   xq, yq;
    pylon_fp    xp, yp;
    pylon_g2    t, qa;
    int         i;

    pylon_fp12_one(f);

    if (pylon_g1_to_affine(&xp, &yp, p) != 0
        || pylon_g2_to_affine(&xq, &yq, q) != 0)
    {
        return;
    }

    pylon_g2_from_affine(&qa, &xq, &yq);
    t = qa;
    pylon_fp12_one(&acc);

    for (i = 62; i >= 0; i--) {
        pylon_fp12_sqr(&acc, &acc);
        line_dbl(&acc, &t, &xp, &yp);
        pylon_g2_dbl(&t, &t);

        if ((BLS_X_ABS >> i) & 1) {
            line_add(&acc, &t, &xq, &yq, &xp, &yp);
            pylon_g2_add(&t, &t, &qa);
        }
    }

    /* x is negative */
    pylon_fp12_conj(f, &acc);
}


/* r = a^x for a in the cyclotomic subgroup (x < 0: conj of a^|x|) */
static void
exp_by_x(pylon_fp12 *r, const pylon_fp12 *a)
{
    pylon_fp12  acc;
    int         i;

    acc = *a;
    for (i = 62; i >= 0; i--) {
        pylon_fp12_cyclotomic_sqr(&acc, &acc);
        if ((BLS_X_ABS >> i) & 1) {
            pylon_fp12_mul(&acc, &acc, a);
        }
    }

    pylon_fp12_conj(r, &acc);
}


void
pylon_bls_final_exp(pylon_fp12 *r, const pylon_fp12 *f)
{
    pylon_fp12  t, a, b, c, s;

    /* easy part: t = f^((p^6 - 1)(p^2 + 1)) */
    pylon_fp12_inv(&a, f);
    pylon_fp12_conj(&t, f);
    pylon_fp12_mul(&t, &t, &a);
    pylon_fp12_frob(&a, &t);
    pylon_fp12_frob(&a, &a);
    pylon_fp12_mul(&t, &a, &t);

    /* a = t^((x-1)^2) */
    exp_by_x(&a, &t);
    pylon_fp12_conj(&s, &t);
    pylon_fp12_mul(&a, &a, &s);
    exp_by_x(&b, &a);
    pylon_fp12_conj(&s, &a);
    pylon_fp12_mul(&a, &b, &s);

    /* b = a^(x+p) */
    exp_by_x(&b, &a);
    pylon_fp12_frob(&s, &a);
    pylon_fp12_mul(&b, &b, &s);

    /* c = b^(x^2+p^2-1) */
    exp_by_x(&c, &b);
    exp_by_x(&c, &c);
    pylon_fp12_frob(&s, &b);
    pylon_fp12_frob(&s, &s);
    pylon_fp12_mul(&c, &c, &s);
    pylon_fp12_conj(&s, &b);
    pylon_fp12_mul(&c, &c, &s);

    /* r = c t^3 */
    pylon_fp12_sqr(&s, &t);
    pylon_fp12_mul(&s, &s, &t);
    pylon_fp12_mul(r, &c, &s);
}


void
pylon_bls_pairing(pylon_fp12 *r, const pylon_g1 *p, const pylon_g2 *q)
{
    pylon_fp12  f;

    pylon_bls_miller_loop(&f, p, q);
    pylon_bls_final_exp(r, &f);
}


int
pylon_bls_pairing_eq(const pylon_g1 *p1, const pylon_g2 *q1,
    const pylon_g1 *p2, const pylon_g2 *q2)
{
    pylon_fp12  f1, f2;
    pylon_g2    nq2;

    /* e(p1, q1) e(p2, -q2) == 1 */
    pylon_g2_neg(&nq2, q2);
    pylon_bls_miller_loop(&f1, p1, q1);
    pylon_bls_miller_loop(&f2, p2, &nq2);
    pylon_fp12_mul(&f1, &f1, &f2);
    pylon_bls_final_exp(&f1, &f1);

    return pylon_fp12_is_one(&f1);
}
