/*
 * bls12_381_curve.h: the groups G1, G2 and GT of BLS12-381 and the pairing.
 *
 *   G1 <= E(Fp):  y^2 = x^3 + 4,
 *   G2 <= E'(Fp2): y^2 = x^3 + 4 (1 + u)  (M-type sextic twist),
 *   GT <= Fp12*, e: G1 x G2 -> GT the optimal ate pairing with the
 *        arkworks/blst final exponentiation f^(3 (p^12 - 1) / r).
 *
 * Points are homogeneous projective (X : Y : Z), the identity has Z = 0.
 * Addition and doubling are the complete formulas of Renes, Costello and
 * Batina (2016, algorithms 7 and 9 for a = 0), so scalar multiplication
 * uses fixed 4-bit windows with a masked table scan: its memory access
 * and operation sequence do not depend on the scalar.
 * Serialisation is the zcash/blst/arkworks compressed format: big-endian
 * x (G2: x.c1 then x.c0) with the three top bits of the first byte as
 * flags (compressed, infinity, y-is-largest); decoding checks every flag,
 * the range of each coordinate, the curve equation and the subgroup.
 */

#ifndef PYLON_BLS12_381_CURVE_H
#define PYLON_BLS12_381_CURVE_H

#include "crypto/bls12_381_field.h"

#define PYLON_G1_COMPRESSED_BYTES  48
#define PYLON_G2_COMPRESSED_BYTES  96
#define PYLON_SCALAR_BYTES         32

typedef struct {
    pylon_fp   x, y, z;
} pylon_g1;

typedef struct {
    pylon_fp2  x, y, z;
} pylon_g2;

/* the group order r, big-endian */
extern const unsigned char  pylon_bls_r_be[32];


/* --- G1 (bls12_381_g1.c) --------------------------------------------- */

/*
 * Points are caller-owned structs; outputs may alias inputs.  Predicates
 * return 1 for true, 0 for false.
 */
void pylon_g1_identity(pylon_g1 *r);
void pylon_g1_generator(pylon_g1 *r);
int pylon_g1_is_identity(const pylon_g1 *a);
/* projective equality */
int pylon_g1_eq(const pylon_g1 *a, const pylon_g1 *b);
/* Y^2 Z = X^3 + 4 Z^3, or the canonical identity (0 : Y : 0) */
int pylon_g1_is_on_curve(const pylon_g1 *a);
/* r * a == identity (a must be on the curve) */
int pylon_g1_in_subgroup(const pylon_g1 *a);
/* complete group law: any inputs, identity and doubling included */
void pylon_g1_add(pylon_g1 *r, const pylon_g1 *a, const pylon_g1 *b);
void pylon_g1_dbl(pylon_g1 *r, const pylon_g1 *a);
void pylon_g1_neg(pylon_g1 *r, const pylon_g1 *a);
/* r = k a, k big-endian of any length (not reduced), uniform in k */
void pylon_g1_mul(pylon_g1 *r, const pylon_g1 *a, const unsigned char *k,
    size_t klen);
/* affine coordinates; -1 for the identity */
int pylon_g1_to_affine(pylon_fp *x, pylon_fp *y, const pylon_g1 *a);
/* (x : y : 1), not checked: use pylon_g1_is_on_curve / in_subgroup */
void pylon_g1_from_affine(pylon_g1 *r, const pylon_fp *x, const pylon_fp *y);


/* --- G2 (bls12_381_g2.c): the same operations on the twist ----------- */

void pylon_g2_identity(pylon_g2 *r);
void pylon_g2_generator(pylon_g2 *r);
int pylon_g2_is_identity(const pylon_g2 *a);
int pylon_g2_eq(const pylon_g2 *a, const pylon_g2 *b);
int pylon_g2_is_on_curve(const pylon_g2 *a);
int pylon_g2_in_subgroup(const pylon_g2 *a);
void pylon_g2_add(pylon_g2 *r, const pylon_g2 *a, const pylon_g2 *b);
void pylon_g2_dbl(pylon_g2 *r, const pylon_g2 *a);
void pylon_g2_neg(pylon_g2 *r, const pylon_g2 *a);
void pylon_g2_mul(pylon_g2 *r, const pylon_g2 *a, const unsigned char *k,
    size_t klen);
int pylon_g2_to_affine(pylon_fp2 *x, pylon_fp2 *y, const pylon_g2 *a);
void pylon_g2_from_affine(pylon_g2 *r, const pylon_fp2 *x,
    const pylon_fp2 *y);


/* --- compressed serialisation (bls12_381_serial.c) ------------------- */

/* zcash compressed encoding of any point (identity: c0 00 ... 00) */
void pylon_g1_compress(unsigned char out[PYLON_G1_COMPRESSED_BYTES],
    const pylon_g1 *a);
/* 0, or -1 when flags, range, curve equation or subgroup are wrong */
int pylon_g1_decompress(pylon_g1 *r,
    const unsigned char in[PYLON_G1_COMPRESSED_BYTES]);
void pylon_g2_compress(unsigned char out[PYLON_G2_COMPRESSED_BYTES],
    const pylon_g2 *a);
int pylon_g2_decompress(pylon_g2 *r,
    const unsigned char in[PYLON_G2_COMPRESSED_BYTES]);
/*
 * The same without the (costly) subgroup check: only for compiled-in
 * constants whose membership a unit test has established.
 */
int pylon_g2_decompress_trusted(pylon_g2 *r,
    const unsigned char in[PYLON_G2_COMPRESSED_BYTES]);


/* --- hash to G1, RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_ (h2c.c) ---- */

/* expand_message_xmd with SHA-256; -1 when len or dstlen are too long */
int pylon_bls_expand_message_xmd(unsigned char *out, size_t len,
    const unsigned char *msg, size_t msglen, const unsigned char *dst,
    size_t dstlen);
/* hash_to_field(msg, 2); -1 when dstlen > 255 */
int pylon_g1_hash_to_field(pylon_fp u[2], const unsigned char *msg,
    size_t msglen, const unsigned char *dst, size_t dstlen);
/* iso_map(map_to_curve_simple_swu(u)): a point of E, before clearing */
void pylon_g1_map_to_curve(pylon_g1 *r, const pylon_fp *u);
/* r = hash_to_curve(msg) in G1; 0, or -1 when dstlen > 255 */
int pylon_g1_hash_to_curve(pylon_g1 *r, const unsigned char *msg,
    size_t msglen, const unsigned char *dst, size_t dstlen);


/* --- pairing (bls12_381_pairing.c) ----------------------------------- */

/* Miller loop f_{x,Q}(P) (conjugated for negative x); 1 if either is 0 */
void pylon_bls_miller_loop(pylon_fp12 *f, const pylon_g1 *p,
    const pylon_g2 *q);
/* f^(3 (p^12 - 1) / r), the arkworks / blst final exponentiation */
void pylon_bls_final_exp(pylon_fp12 *r, const pylon_fp12 *f);
/* r = e(p, q) */
void pylon_bls_pairing(pylon_fp12 *r, const pylon_g1 *p, const pylon_g2 *q);
/* 1 when e(p1, q1) == e(p2, q2) */
int pylon_bls_pairing_eq(const pylon_g1 *p1, const pylon_g2 *q1,
    const pylon_g1 *p2, const pylon_g2 *q2);

#endif /* PYLON_BLS12_381_CURVE_H */
