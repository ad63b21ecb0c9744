/*
 * tle.c: timelock encryption (Boneh-Franklin IBE on BLS12-381 with
 * AES-256-GCM) compatible with the `tle` crate that subtensor uses.
 *
 * Encrypt: pick esk (AES key) and sigma at random, r = sha256(sigma||esk)
 * reduced mod the group order, U = r g2, g = e(H(round), r pk),
 * v = sigma ^ sha256(ser(g)), w = esk ^ sha256(sigma), body = AES-GCM
 * under esk.  Decrypt: g = e(sig, U) recovers sigma and esk, and r is
 * recomputed to check U.  The scalar r, esk and sigma are secrets: the
 * scalar multiplications are uniform (fixed windows, masked table scans),
 * the Miller loop branches only on the public curve parameter, and every
 * secret buffer is wiped with sodium_memzero.  AES-GCM comes from
 * OpenSSL's EVP interface.
 */

#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/drand.h"
#include "crypto/tle.h"


static const unsigned char  tle_suite[8] = "AES_GCM_";


static void
put_u64le(unsigned char *p, uint64_t v)
{
    int  i;

    for (i = 0; i < 8; i++) {
        p[i] = (unsigned char) (v >> (8 * i));
    }
}


static uint64_t
get_u64le(const unsigned char *p)
{
    uint64_t  v;
    int       i;

    v = 0;
    for (i = 0; i < 8; i++) {
        v |= (uint64_t) p[i] << (8 * i);
    }
    return v;
}


/* s = a mod r for a 32-byte big-endian a (< 2^256 < 3 r), in constant time */
static void
scalar_reduce(unsigned char s[32], const unsigned char a[32])
{
    unsigned char  t[32];
    unsigned int   borrow, d, mask;
    int            round, i;

    memcpy(s, a, 32);

    for (round = 0; round < 2; round++) {
        borrow = 0;
        for (i = 31; i >= 0; i--) {
            d = (unsigned int) s[i] - pylon_bls_r_be[i] - borrow;
            t[i] = (unsigned char) d;
            borrow = (d >> 8) & 1;
        }
        /* keep s when s - r borrowed */
        mask = 0u - (borrow ^ 1u);
        for (i = 0; i < 32; i++) {
            s[i] = (unsigned char) ((t[i] & mask) | (s[i] & ~mask));
        }
    }

    sodium_memzero(t, sizeof(t));
}


/* r = sha256(sigma || esk) mod r */
static void
tle_scalar(unsigned char r[32], const unsigned char sigma[32],
    const unsigned char esk[32])
{
    crypto_hash_sha256_state  st;
    unsigned char             h[32];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, sigma, 32);
    crypto_hash_sha256_update(&st, esk, 32);
    crypto_hash_sha256_final(&st, h);
    scalar_reduce(r, h);

    sodium_memzero(h, sizeof(h));
    sodium_memzero(&st, sizeof(st));
}


/* h = sha256(ser(g)) */
static void
gt_hash(unsigned char h[32], const pylon_fp12 *g)
{
    unsigned char  buf[PYLON_FP12_BYTES];

    pylon_fp12_to_bytes(buf, g);
    crypto_hash_sha256(h, buf, sizeof(buf));
    sodium_memzero(buf, sizeof(buf));
}


static int
aes_gcm(int enc, unsigned char *out, const unsigned char *in, size_t len,
    unsigned char tag[16], const unsigned char key[32],
    const unsigned char nonce[12])
{
    EVP_CIPHER_CTX  *ctx;
    unsigned char    dummy[16];
    int              n, rc;

    if (len > (size_t) PYLON_TLE_MAX_MESSAGE) {
        return -1;
    }

    if (out == NULL) {
        /* empty message, nothing to write but OpenSSL wants a buffer */
        out = dummy;
    }

    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return -1;
    }

    rc = -1;

    if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1
        || EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
    {
        goto done;
    }

    if (len > 0
        && EVP_CipherUpdate(ctx, out, &n, in, (int) len) != 1)
    {
        goto done;
    }

    if (!enc
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1)
    {
        goto done;
    }

    if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1) {
        goto done;
    }

    if (enc
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
    {
        goto done;
    }

    rc = 0;

done:

    EVP_CIPHER_CTX_free(ctx);
    return rc;
}


int
pylon_tle_encrypt_with(unsigned char *ct, size_t ctcap, size_t *ctlen,
    const unsigned char *m, size_t mlen, uint64_t round,
    const unsigned char *pk,
    const unsigned char esk[PYLON_TLE_KEY_BYTES],
    const unsigned char sigma[PYLON_TLE_SIGMA_BYTES],
    const unsigned char nonce[PYLON_TLE_NONCE_BYTES])
{
    unsigned char  r[32], h[32], *p;
    pylon_g1       q;
    pylon_g2       u, ppub, rp;
    pylon_fp12     g;
    size_t         i;
    int            rc;

    if (mlen > PYLON_TLE_MAX_MESSAGE || ctcap < mlen + PYLON_TLE_OVERHEAD
        || (m == NULL && mlen > 0))
    {
        return -1;
    }

    if (pk == NULL) {
        /* the built-in key: test_bls_drand checks it is in G2 */
        if (pylon_g2_decompress_trusted(&ppub, pylon_drand_quicknet_pk)
            != 0)
        {
            return -1;
        }

    } else if (pylon_g2_decompress(&ppub, pk) != 0
               || pylon_g2_is_identity(&ppub))
    {
        return -1;
    }

    rc = -1;
    tle_scalar(r, sigma, esk);

    /* U = r g2; g = e(H(round), r pk) */
    pylon_g2_generator(&u);
    pylon_g2_mul(&u, &u, r, sizeof(r));
    pylon_g2_mul(&rp, &ppub, r, sizeof(r));
    pylon_drand_round_point(&q, round);
    pylon_bls_pairing(&g, &q, &rp);
    gt_hash(h, &g);

    p = ct;
    pylon_g2_compress(p, &u);
    p += 96;

    put_u64le(p, 32);
    for (i = 0; i < 32; i++) {
        p[8 + i] = sigma[i] ^ h[i];
    }
    p += 40;

    crypto_hash_sha256(h, sigma, 32);
    put_u64le(p, 32);
    for (i = 0; i < 32; i++) {
        p[8 + i] = esk[i] ^ h[i];
    }
    p += 40;

    put_u64le(p, 8 + (mlen + 16) + 8 + 12);
    put_u64le(p + 8, mlen + 16);
    p += 16;
    if (aes_gcm(1, p, m, mlen, p + mlen, esk, nonce) != 0) {
        goto done;
    }
    p += mlen + 16;
    put_u64le(p, 12);
    memcpy(p + 8, nonce, 12);
    p += 20;

    put_u64le(p, 8);
    memcpy(p + 8, tle_suite, 8);
    p += 16;

    *ctlen = (size_t) (p - ct);
    rc = 0;

done:

    sodium_memzero(r, sizeof(r));
    sodium_memzero(h, sizeof(h));
    sodium_memzero(&rp, sizeof(rp));
    sodium_memzero(&g, sizeof(g));
    return rc;
}


int
pylon_tle_encrypt(unsigned char *ct, size_t ctcap, size_t *ctlen,
    const unsigned char *m, size_t mlen, uint64_t round)
{
    unsigned char  *secrets;
    int             rc;

    if (sodium_init() < 0) {
        return -1;
    }

    /* esk ‖ sigma ‖ nonce in guarded memory */
    secrets = sodium_malloc(32 + 32 + 12);
    if (secrets == NULL) {
        return -1;
    }

    randombytes_buf(secrets, 32 + 32 + 12);
    rc = pylon_tle_encrypt_with(ct, ctcap, ctlen, m, mlen, round, NULL,
                                secrets, secrets + 32, secrets + 64);

    sodium_free(secrets);
    return rc;
}


int
pylon_tle_decrypt(unsigned char *m, size_t mcap, size_t *mlen,
    const unsigned char *ct, size_t ctlen, const unsigned char sig[48])
{
    const unsigned char  *p, *v, *w, *body, *nonce;
    unsigned char         sigma[32], esk[32], r[32], h[32], tag[16];
    uint64_t              blen, n;
    pylon_g1              s;
    pylon_g2              u, chk;
    pylon_fp12            g;
    size_t                i;
    int                   rc;

    if (ctlen < PYLON_TLE_OVERHEAD
        || ctlen - PYLON_TLE_OVERHEAD > PYLON_TLE_MAX_MESSAGE)
    {
        return -1;
    }

    /* fixed layout: every length field must have its only valid value */
    p = ct + 96;
    if (get_u64le(p) != 32 || get_u64le(p + 40) != 32) {
        return -1;
    }
    v = p + 8;
    w = p + 48;
    p += 80;

    n = ctlen - PYLON_TLE_OVERHEAD + 16;
    blen = get_u64le(p);
    if (blen != 8 + n + 8 + 12 || get_u64le(p + 8) != n) {
        return -1;
    }
    body = p + 16;
    p = body + n;
    if (get_u64le(p) != 12) {
        return -1;
    }
    nonce = p + 8;
    p += 20;
    if (get_u64le(p) != 8 || memcmp(p + 8, tle_suite, 8) != 0
        || (size_t) (p + 16 - ct) != ctlen)
    {
        return -1;
    }

    if (mcap < n - 16) {
        return -1;
    }

    if (pylon_g2_decompress(&u, ct) != 0
        || pylon_g1_decompress(&s, sig) != 0)
    {
        return -1;
    }

    rc = -1;

    pylon_bls_pairing(&g, &s, &u);
    gt_hash(h, &g);
    for (i = 0; i < 32; i++) {
        sigma[i] = v[i] ^ h[i];
    }
    crypto_hash_sha256(h, sigma, 32);
    for (i = 0; i < 32; i++) {
        esk[i] = w[i] ^ h[i];
    }

    tle_scalar(r, sigma, esk);
    pylon_g2_generator(&chk);
    pylon_g2_mul(&chk, &chk, r, sizeof(r));
    if (!pylon_g2_eq(&chk, &u)) {
        goto done;
    }

    memcpy(tag, body + n - 16, 16);
    if (aes_gcm(0, m, body, n - 16, tag, esk, nonce) != 0) {
        sodium_memzero(m, n - 16);
        goto done;
    }

    *mlen = n - 16;
    rc = 0;

done:

    sodium_memzero(sigma, sizeof(sigma));
    sodium_memzero(esk, sizeof(esk));
    sodium_memzero(r, sizeof(r));
    sodium_memzero(h, sizeof(h));
    sodium_memzero(&g, sizeof(g));
    return rc;
}
