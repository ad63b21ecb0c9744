/*
 * extrinsic.h: signed v4 extrinsics built from runtime metadata.
 *
 * A call is pallet index ++ call index ++ its arguments, each encoded by
 * the type the metadata gives it (encode.h).  The signed extrinsic is
 *   compact(len) ++ 0x84 ++ 0x00 AccountId ++ 0x01 sig[64] ++ extra ++ call
 * where "extra" and the signed-only "additional" data come from the
 * metadata's list of transaction extensions, walked in order: the ones
 * known here (spec/tx version, genesis, mortality, nonce, tip, metadata
 * hash) are encoded from pylon_xt_params_t, the others must have empty
 * types or signing is refused.  The signing payload is call ++ extra ++
 * additional, or its BLAKE2b-256 when longer than 256 bytes, signed with
 * sr25519 in the "substrate" context (chain.md §6).
 */

#ifndef PYLON_CHAIN_EXTRINSIC_H
#define PYLON_CHAIN_EXTRINSIC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/metadata.h"
#include "chain/scale.h"
#include "crypto/sr25519.h"


#define PYLON_XT_HASH_BYTES        32
#define PYLON_XT_ERA_MAX_BYTES     2
#define PYLON_XT_PERIOD_DEFAULT    64
#define PYLON_XT_PAYLOAD_HASHED    256   /* longer payloads are hashed */
#define PYLON_XT_VERSION_SIGNED    0x84


typedef struct {
    uint32_t       spec_version;
    uint32_t       tx_version;
    uint8_t        genesis[32];
    /*
     * Mortality: period 0 is immortal (birth_hash is then ignored and the
     * genesis hash signed).  Otherwise the period is rounded up to a power
     * of two within 4..65536, and block is the number of the block the
     * era starts from (normally the current head), birth_hash the hash of
     * that block (pylon_xt_era gives the birth number to fetch it by).
     */
    uint32_t       period;
    uint64_t       block;
    uint8_t        birth_hash[32];
    uint32_t       nonce;
    uint64_t       tip;
} pylon_xt_params_t;


/*
 * Encode a mortal era for period (rounded as above; 0 = immortal) at the
 * given block into out, *outlen = 1 (immortal) or 2.  *birth (may be
 * NULL) receives the era's birth block number, whose hash is signed.
 */
void pylon_xt_era(uint8_t out[PYLON_XT_ERA_MAX_BYTES], size_t *outlen,
    uint64_t *birth, uint32_t period, uint64_t block);

/*
 * Append the call pallet.call(args) to out: args is a JSON object with
 * every argument by name, or an array in order, or NULL / null for a call
 * without arguments; values in the shapes pylon_encode() accepts (nested
 * calls as {"Pallet": {"call": {...}}}).  Returns 0, or -1 with a reason
 * (out unchanged).
 */
int pylon_xt_call(pylon_buf_t *out, const pylon_meta_t *m,
    const char *pallet, const char *call, const json_t *args, char *err,
    size_t errlen);

/*
 * Append the extensions' explicit data ("extra", sent in the extrinsic)
 * to extra and their signed-only data to additional, in metadata order.
 * Returns 0, or -1 with a reason when an extension is unknown and not
 * empty (nothing is appended then).
 */
int pylon_xt_extensions(pylon_buf_t *extra, pylon_buf_t *additional,
    const pylon_meta_t *m, const pylon_xt_params_t *p, char *err,
    size_t errlen);

/*
 * Append the signing payload of call with these parameters to out:
 * call ++ extra ++ additional, as bytes (not yet hashed; see
 * pylon_xt_sign_payload).  Returns 0 or -1 with a reason.
 */
int pylon_xt_payload(pylon_buf_t *out, const pylon_meta_t *m,
    const uint8_t *call, size_t calllen, const pylon_xt_params_t *p,
    char *err, size_t errlen);

/*
 * Sign a payload the way the runtime checks it: raw when at most 256
 * bytes, else its BLAKE2b-256.  rng32 NULL takes the witness randomness
 * from the OS (production); a fixed value reproduces test vectors.
 * Returns 0 or -1.
 */
int pylon_xt_sign_payload(uint8_t sig[PYLON_SR25519_SIGNATURE_BYTES],
    const uint8_t *payload, size_t len, const pylon_sr25519_keypair_t *kp,
    const uint8_t *rng32);

/*
 * Append the signed extrinsic (with its length prefix) of call, signer
 * pub and signature sig to out.  Returns 0 or -1 with a reason.
 */
int pylon_xt_assemble(pylon_buf_t *out, const pylon_meta_t *m,
    const uint8_t *call, size_t calllen,
    const uint8_t pub[PYLON_SR25519_PUBLIC_BYTES],
    const uint8_t sig[PYLON_SR25519_SIGNATURE_BYTES],
    const pylon_xt_params_t *p, char *err, size_t errlen);

/*
 * All of the above: build the payload, sign it with kp (rng32 as in
 * pylon_xt_sign_payload) and append the extrinsic to out; hash (may be
 * NULL) receives the extrinsic hash.  Returns 0, or -1 with a reason
 * (out unchanged).
 */
int pylon_xt_sign(pylon_buf_t *out, uint8_t hash[PYLON_XT_HASH_BYTES],
    const pylon_meta_t *m, const uint8_t *call, size_t calllen,
    const pylon_xt_params_t *p, const pylon_sr25519_keypair_t *kp,
    const uint8_t *rng32, char *err, size_t errlen);

/*
 * The hash the node reports for an extrinsic: BLAKE2b-256 of its full
 * encoding including the length prefix (as chain_getBlock lists it).
 */
void pylon_xt_hash(uint8_t hash[PYLON_XT_HASH_BYTES], const uint8_t *xt,
    size_t len);

#endif /* PYLON_CHAIN_EXTRINSIC_H */
