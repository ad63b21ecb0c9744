/*
 * extrinsic.c: calls, transaction extensions, signing payloads and
 * signed v4 extrinsics (see extrinsic.h and chain.md §6).
 *
 * Extensions are matched by identifier.  Those carrying data are encoded
 * by hand (their layouts have been fixed since the first runtimes); every
 * other one must have types that encode to nothing, which is checked by
 * walking the registry, so a runtime adding a data-carrying extension we
 * do not know makes signing fail instead of producing a bad proof.
 */

#include <string.h>

#include <sodium.h>

#include "chain/encode.h"
#include "chain/extrinsic.h"
#include "chain/hasher.h"


#define PYLON_XT_EMPTY_DEPTH  16


static void
xt_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, fmt, arg);
    }
}


void
pylon_xt_era(uint8_t out[PYLON_XT_ERA_MAX_BYTES], size_t *outlen,
    uint64_t *birth, uint32_t period, uint64_t block)
{
    uint64_t  p, phase, quantize, low;
    uint16_t  enc;

    if (period == 0) {
        out[0] = 0;
        *outlen = 1;
        if (birth != NULL) {
            *birth = 0;
        }
        return;
    }

    p = 4;
    while (p < period && p < 65536) {
        p <<= 1;
    }

    quantize = p >> 12;
    if (quantize == 0) {
        quantize = 1;
    }

    phase = block % p / quantize * quantize;

    low = 0;
    while ((1ULL << (low + 1)) <= p) {
        low++;
    }

    /* low = log2(p) >= 2, so low - 1 is within 1..15 */
    enc = (uint16_t) ((low - 1) | ((phase / quantize) << 4));

    out[0] = (uint8_t) enc;
    out[1] = (uint8_t) (enc >> 8);
    *outlen = 2;

    if (birth != NULL) {
        *birth = ((block > phase ? block : phase) - phase) / p * p + phase;
    }
}


int
pylon_xt_call(pylon_buf_t *out, const pylon_meta_t *m, const char *pallet,
    const char *call, const json_t *args, char *err, size_t errlen)
{
    char                         why[200];
    size_t                       start;
    uint32_t                     i;
    const json_t                *v;
    const pylon_meta_pallet_t   *pl;
    const pylon_meta_variant_t  *var;
    const pylon_meta_field_t    *f;

    pl = pylon_meta_pallet(m, pallet);
    if (pl == NULL) {
        xt_err(err, errlen, "no pallet \"%s\" in the metadata", pallet);
        return -1;
    }

    var = pylon_meta_call(m, pallet, call);
    if (var == NULL) {
        xt_err(err, errlen, "no call \"%s\" in the pallet", call);
        return -1;
    }

    if (args != NULL && json_is_null(args)) {
        args = NULL;
    }

    if (args != NULL && !json_is_object(args) && !json_is_array(args)) {
        xt_err(err, errlen, "arguments of %s must be an object or array",
               call);
        return -1;
    }

    if (args == NULL && var->nfields > 0) {
        xt_err(err, errlen, "%s needs arguments", call);
        return -1;
    }

    if (json_is_array(args) && json_array_size(args) != var->nfields) {
        xt_err(err, errlen, "wrong number of arguments for %s", call);
        return -1;
    }

    if (json_is_object(args) && json_object_size(args) != var->nfields) {
        xt_err(err, errlen, "wrong argument names for %s", call);
        return -1;
    }

    start = out->len;

    if (pylon_scale_put_u8(out, pl->index) != 0
        || pylon_scale_put_u8(out, var->index) != 0)
    {
        goto nomem;
    }

    for (i = 0; i < var->nfields; i++) {
        f = &var->fields[i];

        if (json_is_array(args)) {
            v = json_array_get(args, i);

        } else {
            v = (f->name != NULL) ? json_object_get(args, f->name) : NULL;
            if (v == NULL) {
                xt_err(err, errlen, "missing argument \"%s\"",
                       f->name != NULL ? f->name : "?");
                out->len = start;
                return -1;
            }
        }

        if (pylon_encode(out, m, f->type, v, why, sizeof(why)) != 0) {
            if (err != NULL && errlen > 0) {
                snprintf(err, errlen, "argument %s: %s",
                         f->name != NULL ? f->name : "?", why);
            }
            out->len = start;
            return -1;
        }
    }

    return 0;

nomem:

    out->len = start;
    out->err = 0;
    xt_err(err, errlen, "%s", "out of memory");
    return -1;
}


/* 1 when every value of the type encodes to zero bytes */
static int
xt_type_empty(const pylon_meta_t *m, uint32_t id, int depth)
{
    uint32_t                  i;
    const pylon_meta_type_t  *t;

    t = pylon_meta_type(m, id);
    if (t == NULL || depth > PYLON_XT_EMPTY_DEPTH) {
        return 0;
    }

    switch (t->kind) {

    case PYLON_TYPE_COMPOSITE:
        for (i = 0; i < t->u.composite.n; i++) {
            if (!xt_type_empty(m, t->u.composite.fields[i].type, depth + 1)) {
                return 0;
            }
        }
        return 1;

    case PYLON_TYPE_TUPLE:
        for (i = 0; i < t->u.tuple.n; i++) {
            if (!xt_type_empty(m, t->u.tuple.types[i], depth + 1)) {
                return 0;
            }
        }
        return 1;

    case PYLON_TYPE_ARRAY:
        return t->u.array.len == 0
               || xt_type_empty(m, t->u.array.type, depth + 1);

    default:
        return 0;
    }
}


static int
xt_is(const char *id, const char *name)
{
    return strcmp(id, name) == 0;
}


int
pylon_xt_extensions(pylon_buf_t *extra, pylon_buf_t *additional,
    const pylon_meta_t *m, const pylon_xt_params_t *p, char *err,
    size_t errlen)
{
    uint8_t                  era[PYLON_XT_ERA_MAX_BYTES];
    size_t                   elen, xstart, astart;
    uint32_t                 i;
    const char              *id;
    const pylon_meta_ext_t  *e;

    xstart = extra->len;
    astart = additional->len;

    for (i = 0; i < m->nexts; i++) {
        e = &m->exts[i];
        id = e->identifier;

        if (xt_is(id, "CheckSpecVersion")) {
            pylon_scale_put_u32(additional, p->spec_version);

        } else if (xt_is(id, "CheckTxVersion")) {
            pylon_scale_put_u32(additional, p->tx_version);

        } else if (xt_is(id, "CheckGenesis")) {
            pylon_buf_put(additional, p->genesis, 32);

        } else if (xt_is(id, "CheckMortality") || xt_is(id, "CheckEra")) {
            pylon_xt_era(era, &elen, NULL, p->period, p->block);
            pylon_buf_put(extra, era, elen);
            pylon_buf_put(additional, p->period ? p->birth_hash : p->genesis,
                          32);

        } else if (xt_is(id, "CheckNonce")) {
            pylon_scale_put_compact(extra, p->nonce);

        } else if (xt_is(id, "ChargeTransactionPayment")) {
            pylon_scale_put_compact(extra, p->tip);

        } else if (xt_is(id, "CheckMetadataHash")) {
            pylon_scale_put_u8(extra, 0);          /* mode: disabled */
            pylon_scale_put_u8(additional, 0);     /* None */

        } else if (!xt_type_empty(m, e->type, 0)
                   || !xt_type_empty(m, e->additional, 0))
        {
            extra->len = xstart;
            additional->len = astart;
            xt_err(err, errlen, "unknown transaction extension \"%s\" "
                   "carries data: refusing to sign", id);
            return -1;
        }
    }

    if (extra->err || additional->err) {
        extra->len = xstart;
        additional->len = astart;
        extra->err = 0;
        additional->err = 0;
        xt_err(err, errlen, "%s", "out of memory");
        return -1;
    }

    return 0;
}


int
pylon_xt_payload(pylon_buf_t *out, const pylon_meta_t *m,
    const uint8_t *call, size_t calllen, const pylon_xt_params_t *p,
    char *err, size_t errlen)
{
    int          rc;
    size_t       start;
    pylon_buf_t  additional;

    start = out->len;
    pylon_buf_init(&additional);

    if (pylon_buf_put(out, call, calllen) != 0) {
        out->err = 0;
        xt_err(err, errlen, "%s", "out of memory");
        return -1;
    }

    rc = pylon_xt_extensions(out, &additional, m, p, err, errlen);

    if (rc == 0 && pylon_buf_put(out, additional.data, additional.len) != 0)
    {
        out->err = 0;
        xt_err(err, errlen, "%s", "out of memory");
        rc = -1;
    }

    if (rc != 0) {
        out->len = start;
    }

    pylon_buf_free(&additional);

    return rc;
}


int
pylon_xt_sign_payload(uint8_t sig[PYLON_SR25519_SIGNATURE_BYTES],
    const uint8_t *payload, size_t len, const pylon_sr25519_keypair_t *kp,
    const uint8_t *rng32)
{
    uint8_t  h[PYLON_BLAKE2_256_BYTES];

    if (len > PYLON_XT_PAYLOAD_HASHED) {
        pylon_blake2_256(h, payload, len);
        payload = h;
        len = sizeof(h);
    }

    if (rng32 != NULL) {
        return pylon_sr25519_sign_with_rng(sig, payload, len, kp, rng32);
    }

    return pylon_sr25519_sign(sig, payload, len, kp);
}


int
pylon_xt_assemble(pylon_buf_t *out, const pylon_meta_t *m,
    const uint8_t *call, size_t calllen,
    const uint8_t pub[PYLON_SR25519_PUBLIC_BYTES],
    const uint8_t sig[PYLON_SR25519_SIGNATURE_BYTES],
    const pylon_xt_params_t *p, char *err, size_t errlen)
{
    size_t       start;
    pylon_buf_t  body, additional;

    pylon_buf_init(&body);
    pylon_buf_init(&additional);

    pylon_scale_put_u8(&body, PYLON_XT_VERSION_SIGNED);
    pylon_scale_put_u8(&body, 0x00);            /* MultiAddress::Id */
    pylon_buf_put(&body, pub, PYLON_SR25519_PUBLIC_BYTES);
    pylon_scale_put_u8(&body, 0x01);            /* MultiSignature::Sr25519 */
    pylon_buf_put(&body, sig, PYLON_SR25519_SIGNATURE_BYTES);

    if (pylon_xt_extensions(&body, &additional, m, p, err, errlen) != 0) {
        pylon_buf_free(&body);
        pylon_buf_free(&additional);
        return -1;
    }

    pylon_buf_put(&body, call, calllen);

    start = out->len;

    if (body.err
        || pylon_scale_put_compact(out, body.len) != 0
        || pylon_buf_put(out, body.data, body.len) != 0)
    {
        out->len = start;
        out->err = 0;
        pylon_buf_free(&body);
        pylon_buf_free(&additional);
        xt_err(err, errlen, "%s", "out of memory");
        return -1;
    }

    pylon_buf_free(&body);
    pylon_buf_free(&additional);

    return 0;
}


int
pylon_xt_sign(pylon_buf_t *out, uint8_t hash[PYLON_XT_HASH_BYTES],
    const pylon_meta_t *m, const uint8_t *call, size_t calllen,
    const pylon_xt_params_t *p, const pylon_sr25519_keypair_t *kp,
    const uint8_t *rng32, char *err, size_t errlen)
{
    uint8_t      sig[PYLON_SR25519_SIGNATURE_BYTES];
    size_t       start;
    pylon_buf_t  payload;

    pylon_buf_init(&payload);

    if (pylon_xt_payload(&payload, m, call, calllen, p, err, errlen) != 0) {
        pylon_buf_free(&payload);
        return -1;
    }

    if (pylon_xt_sign_payload(sig, payload.data, payload.len, kp, rng32)
        != 0)
    {
        pylon_buf_free(&payload);
        xt_err(err, errlen, "%s", "signing failed");
        return -1;
    }

    pylon_buf_free(&payload);

    start = out->len;

    if (pylon_xt_assemble(out, m, call, calllen, kp->pub, sig, p, err,
                          errlen)
        != 0)
    {
        return -1;
    }

    if (hash != NULL) {
        pylon_xt_hash(hash, out->data + start, out->len - start);
    }

    return 0;
}


void
pylon_xt_hash(uint8_t hash[PYLON_XT_HASH_BYTES], const uint8_t *xt,
    size_t len)
{
    pylon_blake2_256(hash, xt, len);
}
