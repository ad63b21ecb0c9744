/*
 * test_bls_curve.c: G1 and G2 arithmetic and compressed serialisation.
 *
 * Generators are on the curve, of order r, and compress to their
 * well-known zcash encodings; the group law satisfies the identities a
 * group must (doubling, inverse, identity, scalar linearity); every
 * serialisation round-trips; each malformed encoding (flags, range, not on
 * the curve, not in the subgroup) is rejected.
 */

#include <sodium.h>

#include "tap.h"

#include "crypto/bls12_381_curve.h"


static const char  g1_gen_compressed[] =
    "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac58"
    "6c55e83ff97a1aeffb3af00adb22c6bb";

static const char  g2_gen_compressed[] =
    "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049"
    "334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051"
    "c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";


static void
rand_scalar(unsigned char k[32])
{
    randombytes_buf(k, 32);
    k[0] &= 0x3f;
}


/* r - 1 as big-endian bytes */
static void
r_minus_1(unsigned char k[32])
{
    memcpy(k, pylon_bls_r_be, 32);
    k[31] -= 1;
}


static void
test_g1_group(void)
{
    pylon_g1       g, a, b, c, d, o;
    unsigned char  k1[32], k2[32], ks[33], enc[48];
    unsigned int   carry;
    int            i, j;

    pylon_g1_generator(&g);
    pylon_g1_identity(&o);
    ok(pylon_g1_is_on_curve(&g), "G1 generator is on the curve");
    ok(pylon_g1_in_subgroup(&g), "G1 generator has order r");
    pylon_g1_compress(enc, &g);
    is_hex(enc, 48, g1_gen_compressed, "G1 generator compresses (zcash)");

    pylon_g1_dbl(&a, &g);
    pylon_g1_add(&b, &g, &g);
    ok(pylon_g1_eq(&a, &b), "G1 dbl(P) == P + P");
    pylon_g1_add(&b, &g, &o);
    ok(pylon_g1_eq(&b, &g), "G1 P + O == P");
    pylon_g1_add(&b, &o, &o);
    ok(pylon_g1_is_identity(&b), "G1 O + O == O");
    pylon_g1_neg(&a, &g);
    pylon_g1_add(&b, &g, &a);
    ok(pylon_g1_is_identity(&b), "G1 P + (-P) == O");
    r_minus_1(k1);
    pylon_g1_mul(&b, &g, k1, 32);
    ok(pylon_g1_eq(&b, &a), "G1 (r-1) P == -P");

    /* (k1 + k2) P == k1 P + k2 P, sum taken without reduction */
    for (i = 0; i < 3; i++) {
        rand_scalar(k1);
        rand_scalar(k2);
        carry = 0;
        for (j = 31; j >= 0; j--) {
            carry += (unsigned int) k1[j] + k2[j];
            ks[j + 1] = (unsigned char) carry;
            carry >>= 8;
        }
        ks[0] = (unsigned char) carry;
        pylon_g1_mul(&a, &g, k1, 32);
        pylon_g1_mul(&b, &g, k2, 32);
        pylon_g1_add(&c, &a, &b);
        pylon_g1_mul(&d, &g, ks, 33);
        ok(pylon_g1_eq(&c, &d), "G1 scalar multiplication is linear (%d)",
           i);
        ok(pylon_g1_is_on_curve(&c), "G1 sum is on the curve");
    }
}


static void
test_g2_group(void)
{
    pylon_g2       g, a, b, c, d, o;
    unsigned char  k1[32], k2[32], ks[33], enc[96];
    unsigned int   carry;
    int            i, j;

    pylon_g2_generator(&g);
    pylon_g2_identity(&o);
    ok(pylon_g2_is_on_curve(&g), "G2 generator is on the twist");
    ok(pylon_g2_in_subgroup(&g), "G2 generator has order r");
    pylon_g2_compress(enc, &g);
    is_hex(enc, 96, g2_gen_compressed, "G2 generator compresses (zcash)");

    pylon_g2_dbl(&a, &g);
    pylon_g2_add(&b, &g, &g);
    ok(pylon_g2_eq(&a, &b), "G2 dbl(P) == P + P");
    pylon_g2_add(&b, &o, &g);
    ok(pylon_g2_eq(&b, &g), "G2 O + P == P");
    pylon_g2_neg(&a, &g);
    pylon_g2_add(&b, &g, &a);
    ok(pylon_g2_is_identity(&b), "G2 P + (-P) == O");
    r_minus_1(k1);
    pylon_g2_mul(&b, &g, k1, 32);
    ok(pylon_g2_eq(&b, &a), "G2 (r-1) P == -P");

    for (i = 0; i < 2; i++) {
        rand_scalar(k1);
        rand_scalar(k2);
        carry = 0;
        for (j = 31; j >= 0; j--) {
            carry += (unsigned int) k1[j] + k2[j];
            ks[j + 1] = (unsigned char) carry;
            carry >>= 8;
        }
        ks[0] = (unsigned char) carry;
        pylon_g2_mul(&a, &g, k1, 32);
        pylon_g2_mul(&b, &g, k2, 32);
        pylon_g2_add(&c, &a, &b);
        pylon_g2_mul(&d, &g, ks, 33);
        ok(pylon_g2_eq(&c, &d), "G2 scalar multiplication is linear (%d)",
           i);
    }
}


static void
test_g1_serial(void)
{
    pylon_g1       g, a, b;
    pylon_fp       x, y, t, four;
    unsigned char  k[32], enc[48], bad[48];
    int            i, all;

    pylon_g1_generator(&g);

    all = 1;
    for (i = 0; i < 10; i++) {
        rand_scalar(k);
        pylon_g1_mul(&a, &g, k, 32);
        pylon_g1_compress(enc, &a);
        all &= pylon_g1_decompress(&b, enc) == 0 && pylon_g1_eq(&a, &b);
        /* the sort flag selects -P */
        enc[0] ^= 0x20;
        pylon_g1_neg(&a, &a);
        all &= pylon_g1_decompress(&b, enc) == 0 && pylon_g1_eq(&a, &b);
    }
    ok(all, "G1 compress/decompress round-trips (both signs)");

    pylon_g1_identity(&a);
    pylon_g1_compress(enc, &a);
    ok(enc[0] == 0xc0, "G1 identity encodes as c0 00..");
    ok(pylon_g1_decompress(&b, enc) == 0 && pylon_g1_is_identity(&b),
       "G1 identity decodes");

    memcpy(bad, enc, 48);
    bad[0] = 0x40;
    ok(pylon_g1_decompress(&b, bad) == -1, "G1 missing compression bit");
    bad[0] = 0xe0;
    ok(pylon_g1_decompress(&b, bad) == -1, "G1 infinity with sort flag");
    bad[0] = 0xc0;
    bad[47] = 1;
    ok(pylon_g1_decompress(&b, bad) == -1, "G1 infinity with x != 0");
    bad[0] = 0xc1;
    bad[47] = 0;
    ok(pylon_g1_decompress(&b, bad) == -1, "G1 infinity with stray bit");

    pylon_g1_compress(enc, &g);
    memcpy(bad, enc, 48);
    bad[0] &= 0x7f;
    ok(pylon_g1_decompress(&b, bad) == -1, "G1 uncompressed flag rejected");

    /* x = p (first byte 1a.. | 0x80) */
    for (i = 0; i < 48; i++) {
        bad[47 - i] = (unsigned char) (pylon_fp_modulus[i / 8]
                                       >> (8 * (i % 8)));
    }
    bad[0] |= 0x80;
    ok(pylon_g1_decompress(&b, bad) == -1, "G1 x = p rejected");

    /* find x with x^3 + 4 not a square, and one on E outside G1 */
    pylon_fp_from_u64(&four, 4);
    {
        int  found_ns = 0, found_nsg = 0;

        for (i = 1; i < 100 && !(found_ns && found_nsg); i++) {
            pylon_fp_from_u64(&x, (uint64_t) i);
            pylon_fp_sqr(&t, &x);
            pylon_fp_mul(&t, &t, &x);
            pylon_fp_add(&t, &t, &four);
            pylon_fp_to_bytes_be(bad, &x);
            bad[0] |= 0x80;
            if (pylon_fp_sqrt(&y, &t) != 0) {
                if (!found_ns) {
                    ok(pylon_g1_decompress(&b, bad) == -1,
                       "G1 x off the curve rejected (x = %d)", i);
                    found_ns = 1;
                }
            } else if (!found_nsg) {
                pylon_g1_from_affine(&a, &x, &y);
                ok(pylon_g1_is_on_curve(&a) && !pylon_g1_in_subgroup(&a),
                   "E point with x = %d is outside G1", i);
                ok(pylon_g1_decompress(&b, bad) == -1,
                   "G1 point outside the subgroup rejected");
                found_nsg = 1;
            }
        }
    }
}


static void
test_g2_serial(void)
{
    pylon_g2       g, a, b;
    pylon_fp2      x, y, t;
    pylon_fp       four;
    unsigned char  k[32], enc[96], bad[96];
    int            i, all, found_ns, found_nsg;

    pylon_g2_generator(&g);

    all = 1;
    for (i = 0; i < 6; i++) {
        rand_scalar(k);
        pylon_g2_mul(&a, &g, k, 32);
        pylon_g2_compress(enc, &a);
        all &= pylon_g2_decompress(&b, enc) == 0 && pylon_g2_eq(&a, &b);
        enc[0] ^= 0x20;
        pylon_g2_neg(&a, &a);
        all &= pylon_g2_decompress(&b, enc) == 0 && pylon_g2_eq(&a, &b);
    }
    ok(all, "G2 compress/decompress round-trips (both signs)");

    pylon_g2_identity(&a);
    pylon_g2_compress(enc, &a);
    ok(enc[0] == 0xc0 && pylon_g2_decompress(&b, enc) == 0
       && pylon_g2_is_identity(&b), "G2 identity round-trips");
    enc[95] = 1;
    ok(pylon_g2_decompress(&b, enc) == -1, "G2 infinity with x != 0");

    pylon_g2_compress(enc, &g);
    memcpy(bad, enc, 96);
    bad[0] &= 0x7f;
    ok(pylon_g2_decompress(&b, bad) == -1, "G2 uncompressed flag rejected");

    /* x.c0 = p */
    memcpy(bad, enc, 96);
    for (i = 0; i < 48; i++) {
        bad[95 - i] = (unsigned char) (pylon_fp_modulus[i / 8]
                                       >> (8 * (i % 8)));
    }
    ok(pylon_g2_decompress(&b, bad) == -1, "G2 x.c0 = p rejected");

    pylon_fp_from_u64(&four, 4);
    found_ns = found_nsg = 0;
    for (i = 1; i < 100 && !(found_ns && found_nsg); i++) {
        pylon_fp_from_u64(&x.c0, (uint64_t) i);
        pylon_fp_one(&x.c1);
        pylon_fp2_sqr(&t, &x);
        pylon_fp2_mul(&t, &t, &x);
        pylon_fp_add(&t.c0, &t.c0, &four);
        pylon_fp_add(&t.c1, &t.c1, &four);
        pylon_fp_to_bytes_be(bad, &x.c1);
        pylon_fp_to_bytes_be(bad + 48, &x.c0);
        bad[0] |= 0x80;
        if (pylon_fp2_sqrt(&y, &t) != 0) {
            if (!found_ns) {
                ok(pylon_g2_decompress(&b, bad) == -1,
                   "G2 x off the twist rejected");
                found_ns = 1;
            }
        } else if (!found_nsg) {
            pylon_g2_from_affine(&a, &x, &y);
            ok(pylon_g2_is_on_curve(&a) && !pylon_g2_in_subgroup(&a),
               "twist point outside G2 found");
            ok(pylon_g2_decompress(&b, bad) == -1,
               "G2 point outside the subgroup rejected");
            found_nsg = 1;
        }
    }
}


int
main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }

    test_g1_group();
    test_g2_group();
    test_g1_serial();
    test_g2_serial();

    return done_testing();
}
