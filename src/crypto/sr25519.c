/*
 * sr25519.c: schnorrkel's Schnorr signatures on ristretto255.
 *
 * Keys: SHA-512 of the mini secret, Ed25519-clamped, divided by the
 * cofactor 8 (so the scalar is what schnorrkel stores), public = key * B.
 * Signing binds context, message, protocol name and public key into a
 * Merlin transcript, derives the witness r from a fork of it keyed with
 * the nonce seed and 32 random bytes, appends R = r * B, takes the
 * challenge k and answers s = k * key + r; bit 255 of s marks the
 * signature as schnorrkel's.  Verification rebuilds k and checks
 * s * B - k * A == R.  Group and scalar arithmetic is libsodium's
 * (constant time for the secret-dependent parts); secrets on the stack
 * are wiped with sodium_memzero() before returning.
 */

#include <string.h>

#include <sodium.h>

#include "crypto/merlin.h"
#include "crypto/sr25519.h"


/* key := key / 8 over the 256-bit little-endian number (constant time) */
static void
sr25519_divide_by_cofactor(unsigned char key[32])
{
    unsigned  low, r;
    int       i;

    low = 0;
    for (i = 31; i >= 0; i--) {
        r = key[i] & 7;
        key[i] = (unsigned char) ((key[i] >> 3) + low);
        low = r << 5;
    }
}


/* key := key * 8; the caller guarantees key < 2^253 */
static void
sr25519_multiply_by_cofactor(unsigned char key[32])
{
    unsigned  high, r;
    int       i;

    high = 0;
    for (i = 0; i < 32; i++) {
        r = key[i] >> 5;
        key[i] = (unsigned char) ((key[i] << 3) + high);
        high = r;
    }
}


/* 0 when the 32-byte little-endian scalar is < l, compared in constant time */
static int
sr25519_scalar_is_canonical(const unsigned char s[32])
{
    unsigned char  wide[64], red[32];
    int            rc;

    memcpy(wide, s, 32);
    memset(wide + 32, 0, 32);
    crypto_core_ristretto255_scalar_reduce(red, wide);

    rc = sodium_memcmp(red, s, 32);

    sodium_memzero(wide, sizeof(wide));
    sodium_memzero(red, sizeof(red));
    return rc;
}


/* fill kp->pub from kp->key; -1 for the zero scalar */
static int
sr25519_set_public(pylon_sr25519_keypair_t *kp)
{
    return crypto_scalarmult_ristretto255_base(kp->pub, kp->key);
}


pylon_sr25519_keypair_t *
pylon_sr25519_keypair_new(void)
{
    pylon_sr25519_keypair_t  *kp;

    /* sodium_malloc() needs sodium_init(); it is idempotent and cheap */
    if (sodium_init() < 0) {
        return NULL;
    }

    kp = sodium_malloc(sizeof(pylon_sr25519_keypair_t));
    if (kp == NULL) {
        return NULL;
    }

    sodium_memzero(kp, sizeof(pylon_sr25519_keypair_t));
    return kp;
}


void
pylon_sr25519_keypair_free(pylon_sr25519_keypair_t *kp)
{
    if (kp == NULL) {
        return;
    }

    sodium_memzero(kp, sizeof(pylon_sr25519_keypair_t));
    sodium_free(kp);
}


int
pylon_sr25519_keypair_lock(pylon_sr25519_keypair_t *kp)
{
    /* never sodium_munlock() here: it would wipe the key */
    return sodium_mlock(kp, sizeof(pylon_sr25519_keypair_t));
}


int
pylon_sr25519_keypair_from_mini(pylon_sr25519_keypair_t *kp,
    const unsigned char mini[PYLON_SR25519_MINI_SECRET_BYTES])
{
    unsigned char  h[crypto_hash_sha512_BYTES];
    int            rc;

    crypto_hash_sha512(h, mini, PYLON_SR25519_MINI_SECRET_BYTES);

    h[0] &= 248;
    h[31] &= 63;
    h[31] |= 64;
    sr25519_divide_by_cofactor(h);

    memcpy(kp->key, h, 32);
    memcpy(kp->nonce, h + 32, 32);
    sodium_memzero(h, sizeof(h));

    rc = sr25519_set_public(kp);
    if (rc != 0) {
        sodium_memzero(kp, sizeof(pylon_sr25519_keypair_t));
    }

    return rc;
}


int
pylon_sr25519_keypair_from_secret(pylon_sr25519_keypair_t *kp,
    const unsigned char secret[PYLON_SR25519_SECRET_BYTES])
{
    if (sr25519_scalar_is_canonical(secret) != 0) {
        return -1;
    }

    memcpy(kp->key, secret, 32);
    memcpy(kp->nonce, secret + 32, 32);

    if (sr25519_set_public(kp) != 0) {
        sodium_memzero(kp, sizeof(pylon_sr25519_keypair_t));
        return -1;
    }

    return 0;
}


int
pylon_sr25519_keypair_from_ed25519_secret(pylon_sr25519_keypair_t *kp,
    const unsigned char secret[PYLON_SR25519_SECRET_BYTES])
{
    unsigned char  key[32];
    int            rc;

    if (secret[0] & 7) {
        return -1;
    }

    memcpy(key, secret, 32);
    sr25519_divide_by_cofactor(key);

    rc = -1;
    if (sr25519_scalar_is_canonical(key) == 0) {
        memcpy(kp->key, key, 32);
        memcpy(kp->nonce, secret + 32, 32);
        rc = sr25519_set_public(kp);
        if (rc != 0) {
            sodium_memzero(kp, sizeof(pylon_sr25519_keypair_t));
        }
    }

    sodium_memzero(key, sizeof(key));
    return rc;
}


void
pylon_sr25519_secret_export(unsigned char secret[PYLON_SR25519_SECRET_BYTES],
    const pylon_sr25519_keypair_t *kp)
{
    memcpy(secret, kp->key, 32);
    memcpy(secret + 32, kp->nonce, 32);
}


void
pylon_sr25519_secret_export_ed25519(
    unsigned char secret[PYLON_SR25519_SECRET_BYTES],
    const pylon_sr25519_keypair_t *kp)
{
    memcpy(secret, kp->key, 32);
    sr25519_multiply_by_cofactor(secret);
    memcpy(secret + 32, kp->nonce, 32);
}


/* the transcript every signature starts from, up to "sign:pk" */
static void
sr25519_transcript(pylon_merlin_t *t, const void *msg, size_t msglen,
    const unsigned char pub[PYLON_SR25519_PUBLIC_BYTES])
{
    static const char  ctx[] = PYLON_SR25519_CONTEXT;
    static const char  proto[] = "Schnorr-sig";

    pylon_merlin_init(t, "SigningContext");
    pylon_merlin_append(t, "", ctx, sizeof(ctx) - 1);
    pylon_merlin_append(t, "sign-bytes", msg, msglen);
    pylon_merlin_append(t, "proto-name", proto, sizeof(proto) - 1);
    pylon_merlin_append(t, "sign:pk", pub, PYLON_SR25519_PUBLIC_BYTES);
}


int
pylon_sr25519_sign_with_rng(unsigned char sig[PYLON_SR25519_SIGNATURE_BYTES],
    const void *msg, size_t msglen, const pylon_sr25519_keypair_t *kp,
    const unsigned char rng32[32])
{
    int             rc;
    unsigned char   wide[64], r[32], k[32], s[32], big_r[32];
    pylon_merlin_t  t;

    sr25519_transcript(&t, msg, msglen, kp->pub);

    pylon_merlin_witness(wide, sizeof(wide), &t, "signing", kp->nonce, 32,
                         rng32);
    crypto_core_ristretto255_scalar_reduce(r, wide);

    rc = crypto_scalarmult_ristretto255_base(big_r, r);
    if (rc == 0) {
        pylon_merlin_append(&t, "sign:R", big_r, 32);
        pylon_merlin_challenge(&t, "sign:c", wide, sizeof(wide));
        crypto_core_ristretto255_scalar_reduce(k, wide);

        crypto_core_ristretto255_scalar_mul(s, k, kp->key);
        crypto_core_ristretto255_scalar_add(s, s, r);

        memcpy(sig, big_r, 32);
        memcpy(sig + 32, s, 32);
        sig[63] |= 0x80;
    }

    sodium_memzero(wide, sizeof(wide));
    sodium_memzero(r, sizeof(r));
    sodium_memzero(k, sizeof(k));
    sodium_memzero(s, sizeof(s));
    pylon_merlin_wipe(&t);

    return rc;
}


int
pylon_sr25519_sign(unsigned char sig[PYLON_SR25519_SIGNATURE_BYTES],
    const void *msg, size_t msglen, const pylon_sr25519_keypair_t *kp)
{
    int            rc;
    unsigned char  rng[32];

    randombytes_buf(rng, sizeof(rng));
    rc = pylon_sr25519_sign_with_rng(sig, msg, msglen, kp, rng);
    sodium_memzero(rng, sizeof(rng));

    return rc;
}


int
pylon_sr25519_verify(const unsigned char sig[PYLON_SR25519_SIGNATURE_BYTES],
    const void *msg, size_t msglen,
    const unsigned char pub[PYLON_SR25519_PUBLIC_BYTES])
{
    unsigned char   s[32], wide[64], k[32], sb[32], ka[32], big_r[32];
    pylon_merlin_t  t;

    if ((sig[63] & 0x80) == 0) {
        return -1;
    }

    memcpy(s, sig + 32, 32);
    s[31] &= 0x7f;

    if (sr25519_scalar_is_canonical(s) != 0) {
        return -1;
    }

    if (!crypto_core_ristretto255_is_valid_point(pub)) {
        return -1;
    }

    sr25519_transcript(&t, msg, msglen, pub);
    pylon_merlin_append(&t, "sign:R", sig, 32);
    pylon_merlin_challenge(&t, "sign:c", wide, sizeof(wide));
    crypto_core_ristretto255_scalar_reduce(k, wide);

    if (crypto_scalarmult_ristretto255_base(sb, s) != 0
        || crypto_scalarmult_ristretto255(ka, k, pub) != 0
        || crypto_core_ristretto255_sub(big_r, sb, ka) != 0)
    {
        return -1;
    }

    return sodium_memcmp(big_r, sig, 32) == 0 ? 0 : -1;
}


int
pylon_sr25519_derive_hard(pylon_sr25519_keypair_t *child,
    const pylon_sr25519_keypair_t *parent,
    const unsigned char cc[PYLON_SR25519_CHAIN_CODE_BYTES],
    unsigned char cc_out[PYLON_SR25519_CHAIN_CODE_BYTES])
{
    int             rc;
    unsigned char   mini[32], next_cc[32];
    pylon_merlin_t  t;

    pylon_merlin_init(&t, "SchnorrRistrettoHDKD");
    pylon_merlin_append(&t, "sign-bytes", "", 0);
    pylon_merlin_append(&t, "chain-code", cc, PYLON_SR25519_CHAIN_CODE_BYTES);
    pylon_merlin_append(&t, "secret-key", parent->key, 32);
    pylon_merlin_challenge(&t, "HDKD-hard", mini, sizeof(mini));
    pylon_merlin_challenge(&t, "HDKD-chaincode", next_cc, sizeof(next_cc));
    pylon_merlin_wipe(&t);

    rc = pylon_sr25519_keypair_from_mini(child, mini);

    if (rc == 0 && cc_out != NULL) {
        memcpy(cc_out, next_cc, sizeof(next_cc));
    }

    sodium_memzero(mini, sizeof(mini));
    sodium_memzero(next_cc, sizeof(next_cc));
    return rc;
}
