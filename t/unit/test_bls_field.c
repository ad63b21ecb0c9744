/*
 * test_bls_field.c: the BLS12-381 field tower.
 *
 * p and r are recomputed from the curve parameter x = -0xd201000000010000
 * with OpenSSL's BIGNUM (an independent big-integer implementation), which
 * then serves as the oracle for Fp add/sub/mul/inv/sqrt and the wide
 * reduction on random inputs.  The extension fields are checked through
 * identities: inverses, u^2 = -1, square roots, Frobenius = x^p (which
 * pins the hard-coded gamma constants).
 */

#include <openssl/bn.h>
#include <sodium.h>

#include "tap.h"

#include "crypto/bls12_381_curve.h"


static BN_CTX  *ctx;
static BIGNUM  *bn_p;


static BIGNUM *
bn_from_fp(const pylon_fp *a)
{
    unsigned char  b[48];

    pylon_fp_to_bytes_be(b, a);
    return BN_bin2bn(b, 48, NULL);
}


static int
fp_eq_bn(const pylon_fp *a, const BIGNUM *v)
{
    BIGNUM  *t;
    int      eq;

    t = bn_from_fp(a);
    eq = BN_cmp(t, v) == 0;
    BN_free(t);
    return eq;
}


static void
rand_fp(pylon_fp *a)
{
    unsigned char  w[64];

    randombytes_buf(w, sizeof(w));
    pylon_fp_from_bytes_wide(a, w);
}


static void
rand_fp2(pylon_fp2 *a)
{
    rand_fp(&a->c0);
    rand_fp(&a->c1);
}


static void
rand_fp12(pylon_fp12 *a)
{
    rand_fp2(&a->c0.c0);
    rand_fp2(&a->c0.c1);
    rand_fp2(&a->c0.c2);
    rand_fp2(&a->c1.c0);
    rand_fp2(&a->c1.c1);
    rand_fp2(&a->c1.c2);
}


static void
test_constants(void)
{
    BIGNUM         *x, *t, *u, *p, *r, *three;
    unsigned char   b[48];
    int             i;

    /* x = -0xd201000000010000 */
    x = BN_new();
    BN_hex2bn(&x, "d201000000010000");
    BN_set_negative(x, 1);

    /* r = x^4 - x^2 + 1 */
    r = BN_new();
    t = BN_new();
    u = BN_new();
    BN_sqr(t, x, ctx);
    BN_sqr(r, t, ctx);
    BN_sub(r, r, t);
    BN_add_word(r, 1);

    /* p = (x - 1)^2 r / 3 + x */
    p = BN_new();
    three = BN_new();
    BN_set_word(three, 3);
    BN_copy(u, x);
    BN_sub_word(u, 1);
    BN_sqr(u, u, ctx);
    BN_mul(u, u, r, ctx);
    BN_div(p, t, u, three, ctx);
    ok(BN_is_zero(t), "(x-1)^2 r is divisible by 3");
    BN_add(p, p, x);

    memset(b, 0, sizeof(b));
    for (i = 0; i < 48; i++) {
        b[47 - i] = (unsigned char) (pylon_fp_modulus[i / 8] >> (8 * (i % 8)));
    }
    BN_bin2bn(b, 48, u);
    ok(BN_cmp(u, p) == 0, "p equals (x-1)^2 (x^4-x^2+1)/3 + x");
    ok(BN_num_bits(p) == 381, "p has 381 bits");
    ok(BN_check_prime(p, ctx, NULL) == 1, "p is prime");

    BN_bin2bn(pylon_bls_r_be, 32, u);
    ok(BN_cmp(u, r) == 0, "r equals x^4 - x^2 + 1");
    ok(BN_check_prime(r, ctx, NULL) == 1, "r is prime");

    bn_p = BN_dup(p);

    BN_free(x);
    BN_free(t);
    BN_free(u);
    BN_free(p);
    BN_free(r);
    BN_free(three);
}


static void
test_fp_encoding(void)
{
    unsigned char  b[48], w[64];
    pylon_fp       a, one;
    BIGNUM        *v, *q;
    int            i, all;

    pylon_fp_one(&one);
    pylon_fp_to_bytes_be(b, &one);
    ok(b[47] == 1 && b[0] == 0, "one serialises as 1");

    BN_bn2binpad(bn_p, b, 48);
    ok(pylon_fp_from_bytes_be(&a, b) == -1, "p itself is rejected");
    b[47] -= 1;
    ok(pylon_fp_from_bytes_be(&a, b) == 0, "p - 1 is accepted");
    pylon_fp_add(&a, &a, &one);
    ok(pylon_fp_is_zero(&a), "(p - 1) + 1 == 0");
    memset(b, 0xff, sizeof(b));
    ok(pylon_fp_from_bytes_be(&a, b) == -1, "2^384 - 1 is rejected");

    v = BN_new();
    q = BN_new();
    all = 1;
    for (i = 0; i < 50; i++) {
        randombytes_buf(w, sizeof(w));
        if (i == 0) {
            memset(w, 0xff, sizeof(w));
        }
        pylon_fp_from_bytes_wide(&a, w);
        BN_bin2bn(w, 64, v);
        BN_nnmod(q, v, bn_p, ctx);
        all &= fp_eq_bn(&a, q);
    }
    ok(all, "wide reduction of 64-byte values matches BIGNUM mod p");

    pylon_fp_from_u64(&a, 12345);
    pylon_fp_to_bytes_le(b, &a);
    ok(b[0] == 0x39 && b[1] == 0x30 && b[2] == 0, "little-endian encoding");

    ok(pylon_fp_from_hex(&a, "zz") == -1, "bad hex rejected");

    BN_free(v);
    BN_free(q);
}


static void
test_fp_arith(void)
{
    pylon_fp  a, b, c, d;
    BIGNUM   *ba, *bb, *want;
    int       i, add, sub, mul, inv, sqr, sq;

    want = BN_new();
    add = sub = mul = inv = sqr = sq = 1;

    for (i = 0; i < 200; i++) {
        rand_fp(&a);
        rand_fp(&b);
        if (i == 0) {
            pylon_fp_zero(&a);
        }
        ba = bn_from_fp(&a);
        bb = bn_from_fp(&b);

        pylon_fp_add(&c, &a, &b);
        BN_mod_add(want, ba, bb, bn_p, ctx);
        add &= fp_eq_bn(&c, want);

        pylon_fp_sub(&c, &a, &b);
        BN_mod_sub(want, ba, bb, bn_p, ctx);
        sub &= fp_eq_bn(&c, want);

        pylon_fp_mul(&c, &a, &b);
        BN_mod_mul(want, ba, bb, bn_p, ctx);
        mul &= fp_eq_bn(&c, want);

        pylon_fp_sqr(&c, &b);
        BN_mod_sqr(want, bb, bn_p, ctx);
        sqr &= fp_eq_bn(&c, want);

        pylon_fp_inv(&c, &b);
        BN_mod_inverse(want, bb, bn_p, ctx);
        inv &= fp_eq_bn(&c, want);

        /* sqrt(b^2) = +-b, and b^2 is a square */
        pylon_fp_sqr(&c, &b);
        pylon_fp_neg(&d, &b);
        sq &= pylon_fp_is_square(&c)
              && pylon_fp_sqrt(&c, &c) == 0
              && (pylon_fp_eq(&c, &b) || pylon_fp_eq(&c, &d));

        BN_free(ba);
        BN_free(bb);
    }

    ok(add, "Fp add matches BIGNUM");
    ok(sub, "Fp sub matches BIGNUM");
    ok(mul, "Fp mul matches BIGNUM");
    ok(sqr, "Fp sqr matches BIGNUM");
    ok(inv, "Fp inv matches BIGNUM");
    ok(sq, "Fp sqrt of squares");

    pylon_fp_one(&a);
    pylon_fp_neg(&a, &a);
    ok(!pylon_fp_is_square(&a) && pylon_fp_sqrt(&c, &a) == -1,
       "-1 is not a square (p = 3 mod 4)");

    pylon_fp_zero(&a);
    pylon_fp_inv(&c, &a);
    ok(pylon_fp_is_zero(&c), "inv(0) = 0");

    /* (p-1)/2 is not "largest", (p+1)/2 is */
    BN_rshift1(want, bn_p);
    {
        unsigned char  be[48];

        BN_bn2binpad(want, be, 48);
        pylon_fp_from_bytes_be(&a, be);
        ok(!pylon_fp_is_lexlargest(&a), "(p-1)/2 is not lexicographically "
           "largest");
        BN_add_word(want, 1);
        BN_bn2binpad(want, be, 48);
        pylon_fp_from_bytes_be(&a, be);
        ok(pylon_fp_is_lexlargest(&a), "(p+1)/2 is lexicographically "
           "largest");
    }

    pylon_fp_from_u64(&a, 7);
    pylon_fp_from_u64(&b, 1);
    pylon_fp_cmov(&a, &b, 0);
    ok(pylon_fp_sgn0(&a) == 1, "cmov(0) keeps, sgn0(7) = 1");
    pylon_fp_cmov(&a, &b, 1);
    ok(pylon_fp_eq(&a, &b), "cmov(1) moves");

    BN_free(want);
}


static void
test_fp2(void)
{
    pylon_fp2  a, b, c, d, u, one;
    pylon_fp   t;
    int        i, inv, sq, xi, ns;

    pylon_fp2_zero(&u);
    pylon_fp_one(&u.c1);
    pylon_fp2_sqr(&c, &u);
    pylon_fp2_one(&one);
    pylon_fp2_neg(&d, &one);
    ok(pylon_fp2_eq(&c, &d), "u^2 = -1");

    inv = sq = xi = 1;
    ns = 0;
    for (i = 0; i < 50; i++) {
        rand_fp2(&a);
        rand_fp2(&b);

        pylon_fp2_inv(&c, &a);
        pylon_fp2_mul(&c, &c, &a);
        inv &= pylon_fp2_eq(&c, &one);

        pylon_fp2_sqr(&c, &a);
        pylon_fp2_mul(&d, &a, &a);
        sq &= pylon_fp2_eq(&c, &d);
        sq &= pylon_fp2_sqrt(&d, &c) == 0;
        pylon_fp2_sqr(&d, &d);
        sq &= pylon_fp2_eq(&c, &d);

        /* a random element is a square half of the time */
        if (pylon_fp2_sqrt(&d, &b) != 0) {
            ns++;
        }

        pylon_fp2_add(&c, &one, &u);
        pylon_fp2_mul(&c, &c, &a);
        pylon_fp2_mul_xi(&d, &a);
        xi &= pylon_fp2_eq(&c, &d);
    }
    ok(inv, "Fp2 a * a^-1 = 1");
    ok(sq, "Fp2 sqr = mul, sqrt(a^2)^2 = a^2");
    ok(xi, "mul_xi multiplies by 1 + u");
    ok(ns > 5 && ns < 45, "Fp2 sqrt refuses non-squares (%d of 50)", ns);

    /* sqrt of elements of Fp embedded in Fp2: -1 = u^2 */
    pylon_fp2_neg(&c, &one);
    ok(pylon_fp2_sqrt(&d, &c) == 0, "sqrt(-1) exists in Fp2");
    pylon_fp2_sqr(&d, &d);
    ok(pylon_fp2_eq(&d, &c), "and squares back to -1");

    pylon_fp2_zero(&a);
    pylon_fp_from_u64(&t, 5);
    a.c1 = t;
    ok(pylon_fp2_is_lexlargest(&a) == 0, "lex order decided by c1 (small)");
    pylon_fp2_neg(&a, &a);
    ok(pylon_fp2_is_lexlargest(&a) == 1, "lex order decided by c1 (large)");
}


static void
test_fp12(void)
{
    pylon_fp12  a, b, c, d, one;
    uint64_t    p_limbs[6];
    int         i, inv, assoc, frob;

    pylon_fp12_one(&one);
    memcpy(p_limbs, pylon_fp_modulus, sizeof(p_limbs));

    inv = assoc = frob = 1;
    for (i = 0; i < 5; i++) {
        rand_fp12(&a);
        rand_fp12(&b);
        rand_fp12(&c);

        pylon_fp12_inv(&d, &a);
        pylon_fp12_mul(&d, &d, &a);
        inv &= pylon_fp12_is_one(&d);

        /* (a b) c == a (b c), a b == b a */
        pylon_fp12_mul(&d, &a, &b);
        pylon_fp12_mul(&d, &d, &c);
        pylon_fp12_mul(&b, &b, &c);
        pylon_fp12_mul(&b, &a, &b);
        assoc &= pylon_fp12_eq(&d, &b);

        pylon_fp12_frob(&b, &a);
        pylon_fp12_pow(&c, &a, p_limbs, 6);
        frob &= pylon_fp12_eq(&b, &c);
    }
    ok(inv, "Fp12 a * a^-1 = 1");
    ok(assoc, "Fp12 multiplication is associative");
    ok(frob, "Fp12 Frobenius equals a^p (gamma constants right)");
    ok(!pylon_fp12_eq(&a, &one) && pylon_fp12_is_one(&one), "is_one");

    /* after the easy part, cyclotomic squaring equals squaring */
    pylon_fp12_inv(&b, &a);
    pylon_fp12_conj(&c, &a);
    pylon_fp12_mul(&c, &c, &b);
    pylon_fp12_frob(&b, &c);
    pylon_fp12_frob(&b, &b);
    pylon_fp12_mul(&c, &b, &c);
    pylon_fp12_sqr(&b, &c);
    pylon_fp12_cyclotomic_sqr(&d, &c);
    ok(pylon_fp12_eq(&b, &d), "cyclotomic squaring equals squaring");
    pylon_fp12_mul(&d, &a, &a);
    pylon_fp12_sqr(&b, &a);
    ok(pylon_fp12_eq(&b, &d), "Fp12 squaring equals a * a");

    /* conj(a) a^-1 ... conj is a^(p^6): apply frob six times */
    pylon_fp12_conj(&b, &a);
    c = a;
    for (i = 0; i < 6; i++) {
        pylon_fp12_frob(&c, &c);
    }
    ok(pylon_fp12_eq(&b, &c), "conjugation equals Frobenius^6");
}


int
main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }

    ctx = BN_CTX_new();

    test_constants();
    test_fp_encoding();
    test_fp_arith();
    test_fp2();
    test_fp12();

    BN_free(bn_p);
    BN_CTX_free(ctx);
    return done_testing();
}
