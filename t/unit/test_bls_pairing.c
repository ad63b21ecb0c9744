/*
 * test_bls_pairing.c: the optimal ate pairing and final exponentiation.
 *
 * The hard part of the final exponentiation (an addition chain in x) must
 * equal plain exponentiation by 3 (p^4 - p^2 + 1) / r, computed here with
 * OpenSSL BIGNUM; the pairing must be bilinear, non-degenerate, of order
 * r and trivial at the identity; and the known answer of chain.md 11.3
 * (sha256 of the serialised GT element of the TLE regression vector,
 * produced there with blst) must be reproduced.
 */

#include <openssl/bn.h>
#include <sodium.h>

#include "tap.h"

#include "crypto/bls12_381_curve.h"
#include "crypto/drand.h"


static BN_CTX  *ctx;


static BIGNUM *
bn_p(void)
{
    unsigned char  b[48];
    int            i;

    for (i = 0; i < 48; i++) {
        b[47 - i] = (unsigned char) (pylon_fp_modulus[i / 8] >> (8 * (i % 8)));
    }
    return BN_bin2bn(b, 48, NULL);
}


/* BIGNUM (non-negative) to little-endian limbs; returns the limb count */
static size_t
bn_limbs(uint64_t *out, size_t cap, const BIGNUM *v)
{
    unsigned char  b[256];
    size_t         n, i;

    n = (size_t) (BN_num_bytes(v) + 7) / 8;
    if (n > cap || n * 8 > sizeof(b)) {
        return 0;
    }

    BN_bn2lebinpad(v, b, (int) (n * 8));
    for (i = 0; i < n; i++) {
        memcpy(&out[i], b + 8 * i, 8);
    }
    return n;
}


static void
rand_scalar(unsigned char k[32])
{
    randombytes_buf(k, 32);
    k[0] &= 0x3f;
}


static void
test_final_exp(void)
{
    BIGNUM      *p, *r, *h, *t, *rem;
    pylon_fp12   f, easy, chain, want, inv;
    pylon_g1     g1;
    pylon_g2     g2;
    uint64_t     limbs[32];
    size_t       n;

    p = bn_p();
    r = BN_bin2bn(pylon_bls_r_be, 32, NULL);
    h = BN_new();
    t = BN_new();
    rem = BN_new();

    /* h = 3 (p^4 - p^2 + 1) / r */
    BN_sqr(t, p, ctx);
    BN_sqr(h, t, ctx);
    BN_sub(h, h, t);
    BN_add_word(h, 1);
    BN_mul_word(h, 3);
    BN_div(h, rem, h, r, ctx);
    ok(BN_is_zero(rem), "r divides 3 (p^4 - p^2 + 1)");

    pylon_g1_generator(&g1);
    pylon_g2_generator(&g2);
    pylon_bls_miller_loop(&f, &g1, &g2);

    /* easy part by hand: f^(p^6 - 1) then ^(p^2 + 1) */
    pylon_fp12_inv(&inv, &f);
    pylon_fp12_conj(&easy, &f);
    pylon_fp12_mul(&easy, &easy, &inv);
    pylon_fp12_frob(&inv, &easy);
    pylon_fp12_frob(&inv, &inv);
    pylon_fp12_mul(&easy, &easy, &inv);

    n = bn_limbs(limbs, 32, h);
    pylon_fp12_pow(&want, &easy, limbs, n);
    pylon_bls_final_exp(&chain, &f);
    ok(n > 0 && pylon_fp12_eq(&chain, &want),
       "final exponentiation equals f^(3 (p^12 - 1) / r)");

    n = bn_limbs(limbs, 32, r);
    pylon_fp12_pow(&want, &chain, limbs, n);
    ok(pylon_fp12_is_one(&want), "e(g1, g2)^r == 1");
    ok(!pylon_fp12_is_one(&chain), "e(g1, g2) != 1 (non-degenerate)");

    BN_free(p);
    BN_free(r);
    BN_free(h);
    BN_free(t);
    BN_free(rem);
}


static void
test_bilinear(void)
{
    pylon_fp12     e, ea, eb, eab, t;
    pylon_g1       g1, p, o1;
    pylon_g2       g2, q, o2;
    unsigned char  a[32], b[32], ab[64];
    BIGNUM        *ba, *bb, *bab;
    uint64_t       limbs[8];
    size_t         n;
    int            i;

    pylon_g1_generator(&g1);
    pylon_g2_generator(&g2);
    pylon_bls_pairing(&e, &g1, &g2);

    for (i = 0; i < 2; i++) {
        rand_scalar(a);
        rand_scalar(b);
        ba = BN_bin2bn(a, 32, NULL);
        bb = BN_bin2bn(b, 32, NULL);
        bab = BN_new();
        BN_mul(bab, ba, bb, ctx);
        BN_bn2binpad(bab, ab, 64);

        /* e(aP, bQ) == e(P, Q)^(ab) == e(abP, Q) == e(P, abQ) */
        pylon_g1_mul(&p, &g1, a, 32);
        pylon_g2_mul(&q, &g2, b, 32);
        pylon_bls_pairing(&eab, &p, &q);
        n = bn_limbs(limbs, 8, bab);
        pylon_fp12_pow(&t, &e, limbs, n);
        ok(pylon_fp12_eq(&eab, &t), "e(aP, bQ) == e(P, Q)^(ab)");

        pylon_g1_mul(&p, &g1, ab, 64);
        pylon_bls_pairing(&ea, &p, &g2);
        ok(pylon_fp12_eq(&eab, &ea), "e(aP, bQ) == e(abP, Q)");

        pylon_g2_mul(&q, &g2, ab, 64);
        pylon_bls_pairing(&eb, &g1, &q);
        ok(pylon_fp12_eq(&eab, &eb), "e(aP, bQ) == e(P, abQ)");

        pylon_g1_mul(&p, &g1, a, 32);
        pylon_g2_mul(&q, &g2, b, 32);
        ok(pylon_bls_pairing_eq(&p, &q, &g1, &q) == 0,
           "pairing_eq tells e(aP, bQ) from e(P, bQ)");
        pylon_g1_mul(&p, &p, b, 32);
        pylon_g2_mul(&q, &g2, a, 32);
        pylon_g1_mul(&o1, &g1, b, 32);
        ok(pylon_bls_pairing_eq(&p, &g2, &o1, &q) == 1,
           "pairing_eq: e(abP, Q) == e(bP, aQ)");

        BN_free(ba);
        BN_free(bb);
        BN_free(bab);
    }

    pylon_g1_neg(&p, &g1);
    pylon_bls_pairing(&t, &p, &g2);
    pylon_fp12_conj(&ea, &e);
    ok(pylon_fp12_eq(&t, &ea), "e(-P, Q) == conj(e(P, Q)) == e(P, Q)^-1");

    pylon_g1_identity(&o1);
    pylon_g2_identity(&o2);
    pylon_bls_pairing(&t, &o1, &g2);
    ok(pylon_fp12_is_one(&t), "e(O, Q) == 1");
    pylon_bls_pairing(&t, &g1, &o2);
    ok(pylon_fp12_is_one(&t), "e(P, O) == 1");
}


/* chain.md 11.3: h2 = sha256(ser(e(H(1000), r P_pub))) for the vector */
static void
test_known_answer(void)
{
    crypto_hash_sha256_state  st;
    unsigned char             sigma[32], esk[32], h[32], ser[576];
    BIGNUM                   *v, *r;
    pylon_fp12                g;
    pylon_g1                  q;
    pylon_g2                  pk;

    memset(sigma, 0x07, 32);
    memset(esk, 0x02, 32);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, sigma, 32);
    crypto_hash_sha256_update(&st, esk, 32);
    crypto_hash_sha256_final(&st, h);

    v = BN_bin2bn(h, 32, NULL);
    r = BN_bin2bn(pylon_bls_r_be, 32, NULL);
    BN_nnmod(v, v, r, ctx);
    BN_bn2binpad(v, h, 32);

    ok(pylon_g2_decompress(&pk, pylon_drand_quicknet_pk) == 0,
       "quicknet public key decodes");
    pylon_g2_mul(&pk, &pk, h, 32);
    pylon_drand_round_point(&q, 1000);
    pylon_bls_pairing(&g, &q, &pk);
    pylon_fp12_to_bytes(ser, &g);
    crypto_hash_sha256(h, ser, sizeof(ser));
    is_hex(h, 32,
           "1facd30ccff17f2176ae88ee64e13acdf9b63be415f35137a899e3c444ddc0bf",
           "GT known answer of chain.md 11.3 (blst)");

    BN_free(v);
    BN_free(r);
}


int
main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }

    ctx = BN_CTX_new();

    test_final_exp();
    test_bilinear();
    test_known_answer();

    BN_CTX_free(ctx);
    return done_testing();
}
