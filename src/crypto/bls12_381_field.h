/*
 * bls12_381_field.h: the field tower of BLS12-381.
 *
 *   Fp   = GF(p), p the 381-bit BLS12-381 prime, six 64-bit limbs kept in
 *          Montgomery form (a * 2^384 mod p), always fully reduced;
 *   Fp2  = Fp[u] / (u^2 + 1);
 *   Fp6  = Fp2[v] / (v^3 - xi), xi = 1 + u;
 *   Fp12 = Fp6[w] / (w^2 - v).
 *
 * Element layout matches arkworks' field order (c0 before c1 at every
 * level), so GT serialisation is a walk over the structure.  Arithmetic
 * on Fp/Fp2 is branch-free in the values (Montgomery multiplication with
 * a masked final subtraction); exponentiations take public exponents.
 * Helpers that parse or test (from_bytes, sqrt, is_square) may branch.
 */

#ifndef PYLON_BLS12_381_FIELD_H
#define PYLON_BLS12_381_FIELD_H

#include <stddef.h>
#include <stdint.h>

#define PYLON_FP_BYTES    48
#define PYLON_FP12_BYTES  576

typedef struct {
    uint64_t   l[6];
} pylon_fp;

typedef struct {
    pylon_fp   c0, c1;
} pylon_fp2;

typedef struct {
    pylon_fp2  c0, c1, c2;
} pylon_fp6;

typedef struct {
    pylon_fp6  c0, c1;
} pylon_fp12;


/* --- Fp (bls12_381_fp.c) --------------------------------------------- */

/* the modulus p as canonical little-endian limbs */
extern const uint64_t  pylon_fp_modulus[6];

/*
 * All outputs may alias inputs.  Elements are plain structs owned by the
 * caller; nothing here allocates.
 */
void pylon_fp_zero(pylon_fp *r);
void pylon_fp_one(pylon_fp *r);
/* r = v (small integer) */
void pylon_fp_from_u64(pylon_fp *r, uint64_t v);
int pylon_fp_is_zero(const pylon_fp *a);            /* 1 when a == 0 */
int pylon_fp_eq(const pylon_fp *a, const pylon_fp *b); /* 1 when equal */
/* r = a + b, a - b, -a, a b, a^2 (mod p), constant time */
void pylon_fp_add(pylon_fp *r, const pylon_fp *a, const pylon_fp *b);
void pylon_fp_sub(pylon_fp *r, const pylon_fp *a, const pylon_fp *b);
void pylon_fp_neg(pylon_fp *r, const pylon_fp *a);
void pylon_fp_mul(pylon_fp *r, const pylon_fp *a, const pylon_fp *b);
void pylon_fp_sqr(pylon_fp *r, const pylon_fp *a);
/* r = a^e, e given as little-endian 64-bit limbs (public exponent) */
void pylon_fp_pow(pylon_fp *r, const pylon_fp *a, const uint64_t *e,
    size_t nlimbs);
/* r = 1/a (Fermat); r = 0 when a = 0 */
void pylon_fp_inv(pylon_fp *r, const pylon_fp *a);
/* r = sqrt(a); returns 0 when a is a square, -1 otherwise (r undefined) */
int pylon_fp_sqrt(pylon_fp *r, const pylon_fp *a);
int pylon_fp_is_square(const pylon_fp *a);          /* 1 for squares and 0 */
/* r = a when flag is 1, unchanged when 0, without branching */
void pylon_fp_cmov(pylon_fp *r, const pylon_fp *a, uint64_t flag);
/* parity of the canonical value (RFC 9380 sgn0 for m = 1) */
int pylon_fp_sgn0(const pylon_fp *a);
/* 1 when the canonical value is > (p-1)/2 (zcash "largest" flag) */
int pylon_fp_is_lexlargest(const pylon_fp *a);
/* 48-byte big-endian canonical; -1 when the value is >= p */
int pylon_fp_from_bytes_be(pylon_fp *r, const unsigned char in[48]);
void pylon_fp_to_bytes_be(unsigned char out[48], const pylon_fp *a);
void pylon_fp_to_bytes_le(unsigned char out[48], const pylon_fp *a);
/* r = (64-byte big-endian integer) mod p, as hash_to_field needs */
void pylon_fp_from_bytes_wide(pylon_fp *r, const unsigned char in[64]);
/* parse up to 96 hex digits (big-endian, no 0x); -1 if bad or >= p */
int pylon_fp_from_hex(pylon_fp *r, const char *hex);


/* --- Fp2 (bls12_381_fp2.c) ------------------------------------------- */

/* as for Fp; conj(a0 + a1 u) = a0 - a1 u = a^p; mul_fp scales by Fp */
void pylon_fp2_zero(pylon_fp2 *r);
void pylon_fp2_one(pylon_fp2 *r);
int pylon_fp2_is_zero(const pylon_fp2 *a);
int pylon_fp2_eq(const pylon_fp2 *a, const pylon_fp2 *b);
void pylon_fp2_add(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp2 *b);
void pylon_fp2_sub(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp2 *b);
void pylon_fp2_neg(pylon_fp2 *r, const pylon_fp2 *a);
void pylon_fp2_conj(pylon_fp2 *r, const pylon_fp2 *a);
void pylon_fp2_mul(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp2 *b);
void pylon_fp2_mul_fp(pylon_fp2 *r, const pylon_fp2 *a, const pylon_fp *b);
void pylon_fp2_sqr(pylon_fp2 *r, const pylon_fp2 *a);
/* r = a * (1 + u) */
void pylon_fp2_mul_xi(pylon_fp2 *r, const pylon_fp2 *a);
/* r = 1/a (0 for 0); r = a^e for a public exponent in LE limbs */
void pylon_fp2_inv(pylon_fp2 *r, const pylon_fp2 *a);
void pylon_fp2_pow(pylon_fp2 *r, const pylon_fp2 *a, const uint64_t *e,
    size_t nlimbs);
/* 0 and r = a square root when a is a square; -1 otherwise */
int pylon_fp2_sqrt(pylon_fp2 *r, const pylon_fp2 *a);
void pylon_fp2_cmov(pylon_fp2 *r, const pylon_fp2 *a, uint64_t flag);
/* zcash ordering: c1 decides, c0 when c1 == 0 */
int pylon_fp2_is_lexlargest(const pylon_fp2 *a);
/* "c0hex" and "c1hex" as in pylon_fp_from_hex */
int pylon_fp2_from_hex(pylon_fp2 *r, const char *c0, const char *c1);


/* --- Fp6 and Fp12 (bls12_381_fp12.c) --------------------------------- */

/* Fp6 ring operations and inverse (a != 0) */
void pylon_fp6_add(pylon_fp6 *r, const pylon_fp6 *a, const pylon_fp6 *b);
void pylon_fp6_sub(pylon_fp6 *r, const pylon_fp6 *a, const pylon_fp6 *b);
void pylon_fp6_neg(pylon_fp6 *r, const pylon_fp6 *a);
void pylon_fp6_mul(pylon_fp6 *r, const pylon_fp6 *a, const pylon_fp6 *b);
/* r = a * v */
void pylon_fp6_mul_v(pylon_fp6 *r, const pylon_fp6 *a);
void pylon_fp6_inv(pylon_fp6 *r, const pylon_fp6 *a);

/* Fp12: one, equality tests (1 when true), product, square, inverse */
void pylon_fp12_one(pylon_fp12 *r);
int pylon_fp12_is_one(const pylon_fp12 *a);
int pylon_fp12_eq(const pylon_fp12 *a, const pylon_fp12 *b);
void pylon_fp12_mul(pylon_fp12 *r, const pylon_fp12 *a, const pylon_fp12 *b);
void pylon_fp12_sqr(pylon_fp12 *r, const pylon_fp12 *a);
/* r = f * (a0 + a1 w^2 + b1 w^3), the sparse shape of a Miller line */
void pylon_fp12_mul_line(pylon_fp12 *r, const pylon_fp12 *f,
    const pylon_fp2 *a0, const pylon_fp2 *a1, const pylon_fp2 *b1);
/* r = a^2 for a in the cyclotomic subgroup (after the easy part) only */
void pylon_fp12_cyclotomic_sqr(pylon_fp12 *r, const pylon_fp12 *a);
void pylon_fp12_inv(pylon_fp12 *r, const pylon_fp12 *a);
/* r = a^(p^6), the inverse of a unitary element */
void pylon_fp12_conj(pylon_fp12 *r, const pylon_fp12 *a);
/* r = a^p */
void pylon_fp12_frob(pylon_fp12 *r, const pylon_fp12 *a);
/* r = a^e for a public exponent in little-endian limbs */
void pylon_fp12_pow(pylon_fp12 *r, const pylon_fp12 *a, const uint64_t *e,
    size_t nlimbs);
/* arkworks GT order: c0.c0.c0, c0.c0.c1, ..., c1.c2.c1, each 48 bytes LE */
void pylon_fp12_to_bytes(unsigned char out[PYLON_FP12_BYTES],
    const pylon_fp12 *a);

#endif /* PYLON_BLS12_381_FIELD_H */
