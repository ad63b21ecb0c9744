/*
 * bls12_381_pairing.c: the optimal ate pairing of BLS12-381.
 *
 * Miller loop over |x| = 0xd201000000010000 (x < 0, so the result is
 * conjugated), with T on the twist kept in affine coordinates: each step
 * costs an Fp2 inversion, which is simple and fast enough here.  For the
 * M-type twist psi(x', y') = (x' / w^2, y' / w^3), the line through T with
 * slope l (on E') evaluated at P and multiplied by w^3 (a factor the final
 * exponentiation removes) is
 *
 *     (l xT - yT)  +  (-l xP) w^2  +  yP w^3,
 *
 * i.e. c0.c0, c0.c1 and c1.c1 of an Fp12 element.
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


static void
line_eval(pylon_fp12 *l, const pylon_fp2 *lambda, const pylon_fp2 *xt,
    const pylon_fp2 *yt, const pylon_fp *xp, const pylon_fp *yp)
{
    memset(l, 0, sizeof(*l));

    pylon_fp2_mul(&l->c0.c0, lambda, xt);
    pylon_fp2_sub(&l->c0.c0, &l->c0.c0, yt);
    pylon_fp2_mul_fp(&l->c0.c1, lambda, xp);
    pylon_fp2_neg(&l->c0.c1, &l->c0.c1);
    l->c1.c1.c0 = *yp;
}


void
pylon_bls_miller_loop(pylon_fp12 *f, const pylon_g1 *p, const pylon_g2 *q)
{
    pylon_fp12  acc, l;
    pylon_fp2   xq, yq, xt, yt, lambda, t, x3;
    pylon_fp    xp, yp;
    int         i;

    pylon_fp12_one(f);

    if (pylon_g1_to_affine(&xp, &yp, p) != 0
        || pylon_g2_to_affine(&xq, &yq, q) != 0)
    {
        return;
    }

    xt = xq;
    yt = yq;
    pylon_fp12_one(&acc);

    for (i = 62; i >= 0; i--) {
        pylon_fp12_sqr(&acc, &acc);

        /* tangent: lambda = 3 xT^2 / (2 yT) */
        pylon_fp2_sqr(&lambda, &xt);
        pylon_fp2_add(&t, &lambda, &lambda);
        pylon_fp2_add(&lambda, &t, &lambda);
        pylon_fp2_add(&t, &yt, &yt);
        pylon_fp2_inv(&t, &t);
        pylon_fp2_mul(&lambda, &lambda, &t);

        line_eval(&l, &lambda, &xt, &yt, &xp, &yp);
        pylon_fp12_mul(&acc, &acc, &l);

        /* T = 2T */
        pylon_fp2_sqr(&x3, &lambda);
        pylon_fp2_sub(&x3, &x3, &xt);
        pylon_fp2_sub(&x3, &x3, &xt);
        pylon_fp2_sub(&t, &xt, &x3);
        pylon_fp2_mul(&t, &t, &lambda);
        pylon_fp2_sub(&yt, &t, &yt);
        xt = x3;

        if (!((BLS_X_ABS >> i) & 1)) {
            continue;
        }

        /* chord through T and Q: lambda = (yQ - yT) / (xQ - xT) */
        pylon_fp2_sub(&t, &xq, &xt);
        pylon_fp2_inv(&t, &t);
        pylon_fp2_sub(&lambda, &yq, &yt);
        pylon_fp2_mul(&lambda, &lambda, &t);

        line_eval(&l, &lambda, &xt, &yt, &xp, &yp);
        pylon_fp12_mul(&acc, &acc, &l);

        /* T = T + Q */
        pylon_fp2_sqr(&x3, &lambda);
        pylon_fp2_sub(&x3, &x3, &xt);
        pylon_fp2_sub(&x3, &x3, &xq);
        pylon_fp2_sub(&t, &xt, &x3);
        pylon_fp2_mul(&t, &t, &lambda);
        pylon_fp2_sub(&yt, &t, &yt);
        xt = x3;
    }

    /* x is negative */
    pylon_fp12_conj(f, &acc);
}


/* r = a^x for a unitary a (x negative: conjugate of a^|x|) */
static void
exp_by_x(pylon_fp12 *r, const pylon_fp12 *a)
{
    uint64_t  e = BLS_X_ABS;

    pylon_fp12_pow(r, a, &e, 1);
    pylon_fp12_conj(r, r);
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
