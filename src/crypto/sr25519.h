/*
 * sr25519.h: Schnorr signatures over ristretto255 exactly as schnorrkel
 * (and so Substrate/Bittensor) makes them, on libsodium's ristretto255
 * group and scalar arithmetic plus our Merlin transcripts.
 *
 * A keypair holds the secret scalar (canonical, < l), the 32-byte nonce
 * seed and the public key.  Keypairs live in sodium_malloc()'d memory
 * (guard pages, no swap); always release them with
 * pylon_sr25519_keypair_free(), which wipes them.  Signing uses the
 * signing context "substrate".  All functions return 0 on success and -1
 * on failure unless documented otherwise.  pylon_sr25519_keypair_new()
 * calls sodium_init() itself; everything here is reentrant (no globals).
 */

#ifndef PYLON_CRYPTO_SR25519_H
#define PYLON_CRYPTO_SR25519_H

#include <stddef.h>

#define PYLON_SR25519_MINI_SECRET_BYTES  32
#define PYLON_SR25519_SECRET_BYTES       64   /* key || nonce */
#define PYLON_SR25519_PUBLIC_BYTES       32
#define PYLON_SR25519_SIGNATURE_BYTES    64
#define PYLON_SR25519_CHAIN_CODE_BYTES   32
#define PYLON_SR25519_CONTEXT            "substrate"


typedef struct {
    unsigned char  key[32];      /* secret scalar, canonical (< l) */
    unsigned char  nonce[32];    /* nonce seed for signing witnesses */
    unsigned char  pub[PYLON_SR25519_PUBLIC_BYTES];
} pylon_sr25519_keypair_t;


/*
 * Allocate an empty keypair in sodium_malloc()'d memory.  NULL when out of
 * memory.  The caller owns it and releases it with ..._keypair_free().
 */
pylon_sr25519_keypair_t *pylon_sr25519_keypair_new(void);

/* Wipe and release kp (NULL is fine). */
void pylon_sr25519_keypair_free(pylon_sr25519_keypair_t *kp);

/*
 * Lock kp's memory in RAM again and exclude it from core dumps.  Memory
 * locks are not inherited across fork(), so the process that keeps a key
 * loaded before forking (Pylon's helper) calls this after the fork.  -1
 * when the lock is refused (RLIMIT_MEMLOCK); the key stays usable.
 */
int pylon_sr25519_keypair_lock(pylon_sr25519_keypair_t *kp);

/*
 * Fill kp from a 32-byte mini secret (ExpansionMode::Ed25519: SHA-512,
 * clamp, divide by the cofactor; the upper half is the nonce).
 */
int pylon_sr25519_keypair_from_mini(pylon_sr25519_keypair_t *kp,
    const unsigned char mini[PYLON_SR25519_MINI_SECRET_BYTES]);

/*
 * Fill kp from a 64-byte secret in canonical form (key || nonce with key
 * < l), as btwallet and sp_core store it.  -1 if the key is not canonical.
 */
int pylon_sr25519_keypair_from_secret(pylon_sr25519_keypair_t *kp,
    const unsigned char secret[PYLON_SR25519_SECRET_BYTES]);

/*
 * Fill kp from a 64-byte secret in "ed25519 form" ((key * 8) || nonce, as
 * polkadot-js and schnorrkel's to_ed25519_bytes() write it).  -1 if the
 * key is not a multiple of 8 or does not reduce to a canonical scalar.
 */
int pylon_sr25519_keypair_from_ed25519_secret(pylon_sr25519_keypair_t *kp,
    const unsigned char secret[PYLON_SR25519_SECRET_BYTES]);

/* Write kp's canonical 64-byte secret (key || nonce) into secret. */
void pylon_sr25519_secret_export(
    unsigned char secret[PYLON_SR25519_SECRET_BYTES],
    const pylon_sr25519_keypair_t *kp);

/*
 * Write kp's 64-byte secret in ed25519 form ((key * 8) || nonce), the form
 * polkadot-js prints; for interoperability and tests.
 */
void pylon_sr25519_secret_export_ed25519(
    unsigned char secret[PYLON_SR25519_SECRET_BYTES],
    const pylon_sr25519_keypair_t *kp);

/* Sign msg with kp, context "substrate", witness from fresh randomness. */
int pylon_sr25519_sign(unsigned char sig[PYLON_SR25519_SIGNATURE_BYTES],
    const void *msg, size_t msglen, const pylon_sr25519_keypair_t *kp);

/*
 * As pylon_sr25519_sign() but with the 32 witness random bytes given.
 * For known-answer tests only: reusing rng32 with different messages is
 * safe (the witness also depends on the message) but production code
 * must use pylon_sr25519_sign().
 */
int pylon_sr25519_sign_with_rng(
    unsigned char sig[PYLON_SR25519_SIGNATURE_BYTES], const void *msg,
    size_t msglen, const pylon_sr25519_keypair_t *kp,
    const unsigned char rng32[32]);

/*
 * Verify sig over msg under pub (context "substrate").  0 when valid, -1
 * otherwise (including a missing schnorrkel marker bit, s >= l, or a
 * public key or R that is not a valid ristretto255 encoding).
 */
int pylon_sr25519_verify(const unsigned char sig[PYLON_SR25519_SIGNATURE_BYTES],
    const void *msg, size_t msglen,
    const unsigned char pub[PYLON_SR25519_PUBLIC_BYTES]);

/*
 * Hard derivation (schnorrkel HDKD, "//junction"): child = derive(parent,
 * chain code cc).  child may equal parent.  When cc_out is not NULL it
 * receives the child's chain code.
 */
int pylon_sr25519_derive_hard(pylon_sr25519_keypair_t *child,
    const pylon_sr25519_keypair_t *parent,
    const unsigned char cc[PYLON_SR25519_CHAIN_CODE_BYTES],
    unsigned char cc_out[PYLON_SR25519_CHAIN_CODE_BYTES]);

#endif /* PYLON_CRYPTO_SR25519_H */
