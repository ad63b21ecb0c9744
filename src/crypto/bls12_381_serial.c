/*
 * bls12_381_serial.c: compressed point encoding (zcash / blst / arkworks).
 *
 * G1: 48 bytes, big-endian x.  G2: 96 bytes, big-endian x.c1 then x.c0.
 * The top three bits of the first byte are flags: 0x80 compressed (must
 * be set), 0x40 point at infinity (then every other bit must be zero),
 * 0x20 y is the lexicographically largest root (y > (p-1)/2; for Fp2
 * decided by c1, or by c0 when c1 is 0).  Decoding rejects a missing
 * compression bit, a non-canonical infinity, coordinates >= p, x with no
 * point on the curve, and points outside the order-r subgroup.
 */

#include <string.h>

#include "crypto/bls12_381_curve.h"


#define FLAG_COMPRESSED  0x80
#define FLAG_INFINITY    0x40
#define FLAG_LARGEST     0x20


void
pylon_g1_compress(unsigned char out[PYLON_G1_COMPRESSED_BYTES],
    const pylon_g1 *a)
{
    pylon_fp  x, y;

    if (pylon_g1_to_affine(&x, &y, a) != 0) {
        memset(out, 0, PYLON_G1_COMPRESSED_BYTES);
        out[0] = FLAG_COMPRESSED | FLAG_INFINITY;
        return;
    }

    pylon_fp_to_bytes_be(out, &x);
    out[0] |= FLAG_COMPRESSED;
    if (pylon_fp_is_lexlargest(&y)) {
        out[0] |= FLAG_LARGEST;
    }
}


/* 1 when in[] is the canonical infinity encoding, -1 if it is broken */
static int
decode_infinity(const unsigned char *in, size_t len)
{
    size_t  i;

    if (!(in[0] & FLAG_INFINITY)) {
        return 0;
    }

    if (in[0] != (FLAG_COMPRESSED | FLAG_INFINITY)) {
        return -1;
    }

    for (i = 1; i < len; i++) {
        if (in[i] != 0) {
            return -1;
        }
    }

    return 1;
}


int
pylon_g1_decompress(pylon_g1 *r,
    const unsigned char in[PYLON_G1_COMPRESSED_BYTES])
{
    unsigned char  buf[48];
    pylon_fp       x, y, t;
    int            inf, largest;

    if (!(in[0] & FLAG_COMPRESSED)) {
        return -1;
    }

    inf = decode_infinity(in, PYLON_G1_COMPRESSED_BYTES);
    if (inf != 0) {
        if (inf < 0) {
            return -1;
        }
        pylon_g1_identity(r);
        return 0;
    }

    largest = (in[0] & FLAG_LARGEST) != 0;
    memcpy(buf, in, sizeof(buf));
    buf[0] &= 0x1f;

    if (pylon_fp_from_bytes_be(&x, buf) != 0) {
        return -1;
    }

    /* y^2 = x^3 + 4 */
    pylon_fp_sqr(&t, &x);
    pylon_fp_mul(&t, &t, &x);
    pylon_fp_from_u64(&y, 4);
    pylon_fp_add(&t, &t, &y);
    if (pylon_fp_sqrt(&y, &t) != 0) {
        return -1;
    }

    if (pylon_fp_is_lexlargest(&y) != largest) {
        pylon_fp_neg(&y, &y);
    }

    pylon_g1_from_affine(r, &x, &y);

    if (!pylon_g1_in_subgroup(r)) {
        return -1;
    }

    return 0;
}


void
pylon_g2_compress(unsigned char out[PYLON_G2_COMPRESSED_BYTES],
    const pylon_g2 *a)
{
    pylon_fp2  x, y;

    if (pylon_g2_to_affine(&x, &y, a) != 0) {
        memset(out, 0, PYLON_G2_COMPRESSED_BYTES);
        out[0] = FLAG_COMPRESSED | FLAG_INFINITY;
        return;
    }

    pylon_fp_to_bytes_be(out, &x.c1);
    pylon_fp_to_bytes_be(out + 48, &x.c0);
    out[0] |= FLAG_COMPRESSED;
    if (pylon_fp2_is_lexlargest(&y)) {
        out[0] |= FLAG_LARGEST;
    }
}


static int
g2_decode(pylon_g2 *r, const unsigned char in[PYLON_G2_COMPRESSED_BYTES],
    int check_subgroup)
{
    unsigned char  buf[48];
    pylon_fp2      x, y, t;
    pylon_fp       four;
    int            inf, largest;

    if (!(in[0] & FLAG_COMPRESSED)) {
        return -1;
    }

    inf = decode_infinity(in, PYLON_G2_COMPRESSED_BYTES);
    if (inf != 0) {
        if (inf < 0) {
            return -1;
        }
        pylon_g2_identity(r);
        return 0;
    }

    largest = (in[0] & FLAG_LARGEST) != 0;
    memcpy(buf, in, sizeof(buf));
    buf[0] &= 0x1f;

    if (pylon_fp_from_bytes_be(&x.c1, buf) != 0
        || pylon_fp_from_bytes_be(&x.c0, in + 48) != 0)
    {
        return -1;
    }

    /* y^2 = x^3 + 4 (1 + u) */
    pylon_fp2_sqr(&t, &x);
    pylon_fp2_mul(&t, &t, &x);
    pylon_fp_from_u64(&four, 4);
    pylon_fp_add(&t.c0, &t.c0, &four);
    pylon_fp_add(&t.c1, &t.c1, &four);
    if (pylon_fp2_sqrt(&y, &t) != 0) {
        return -1;
    }

    if (pylon_fp2_is_lexlargest(&y) != largest) {
        pylon_fp2_neg(&y, &y);
    }

    pylon_g2_from_affine(r, &x, &y);

    if (check_subgroup && !pylon_g2_in_subgroup(r)) {
        return -1;
    }

    return 0;
}


int
pylon_g2_decompress(pylon_g2 *r,
    const unsigned char in[PYLON_G2_COMPRESSED_BYTES])
{
    return g2_decode(r, in, 1);
}


int
pylon_g2_decompress_trusted(pylon_g2 *r,
    const unsigned char in[PYLON_G2_COMPRESSED_BYTES])
{
    return g2_decode(r, in, 0);
}
