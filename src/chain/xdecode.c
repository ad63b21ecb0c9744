/*
 * xdecode.c: extrinsic and call decoding (see xdecode.h).
 *
 * The address, signature and extension types are taken from the V15
 * extrinsic section, or for V14 from the parameters (Address, Signature,
 * Extra or Extension) of the UncheckedExtrinsic type.  The call is read through
 * the pallet list (pallet index → its call enum → variant by index) so
 * each argument keeps its name and type name.
 */

#include <stdio.h>
#include <string.h>

#include "chain/decode.h"
#include "chain/xdecode.h"
#include "chain/hasher.h"
#include "chain/hex.h"
#include "chain/scale.h"


typedef struct {
    int64_t  address;
    int64_t  signature;
    int64_t  extra;
} pylon_xt_types_t;


static int
pylon_xt_fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) {
        snprintf(err, errlen, "extrinsic: %s", msg);
    }

    return -1;
}


static int64_t
pylon_xt_param(const pylon_meta_t *m, const char *name)
{
    const pylon_meta_type_t  *t;
    uint32_t                  i;

    if (m->xt_type < 0) {
        return -1;
    }

    t = &m->types[m->xt_type];

    for (i = 0; i < t->nparams; i++) {
        if (strcmp(t->param_names[i], name) == 0) {
            return t->param_types[i];
        }
    }

    return -1;
}


static int
pylon_xt_types(const pylon_meta_t *m, pylon_xt_types_t *x)
{
    if (m->xt_address >= 0) {
        x->address = m->xt_address;
        x->signature = m->xt_signature;
        x->extra = m->xt_extra;

    } else {
        x->address = pylon_xt_param(m, "Address");
        x->signature = pylon_xt_param(m, "Signature");
        x->extra = pylon_xt_param(m, "Extra");

        if (x->extra < 0) {
            /* fp_self_contained (Frontier) names it Extension */
            x->extra = pylon_xt_param(m, "Extension");
        }
    }

    return (x->address < 0 || x->signature < 0 || x->extra < 0) ? -1 : 0;
}


/* "T::Moment" → "Moment", "<T as Config>::Balance" → "Balance" */
static json_t *
pylon_xt_type_name(const char *tn)
{
    const char  *p, *q;
    char         buf[256];
    size_t       n;

    if (tn == NULL) {
        return json_null();
    }

    if (strcmp(tn, "Vec<u8>") == 0) {
        return json_string("Bytes");
    }

    n = 0;
    for (p = tn; *p && n < sizeof(buf) - 1; ) {
        if (strncmp(p, "T::", 3) == 0) {
            p += 3;
            continue;
        }

        if (strncmp(p, "<T as ", 6) == 0 && (q = strstr(p, ">::")) != NULL) {
            p = q + 3;
            continue;
        }

        if (strncmp(p, "<T>", 3) == 0) {
            p += 3;
            continue;
        }

        buf[n++] = *p++;
    }

    buf[n] = '\0';

    return json_string(buf);
}


static json_t *
pylon_xt_hex(const uint8_t *p, size_t n)
{
    char  hex[PYLON_HEX_ENCODED_BYTES(32)];

    pylon_hex_encode(hex, sizeof(hex), p, n);

    return json_string(hex);
}


static json_t *
pylon_xt_call(const pylon_meta_t *m, pylon_scale_cur_t *c, char *err,
    size_t errlen)
{
    const pylon_meta_pallet_t   *p;
    const pylon_meta_variant_t  *v;
    const uint8_t               *start;
    json_t                      *call, *args, *arg, *val;
    uint8_t                      idx[2], h[32];
    uint32_t                     i;

    start = c->pos;

    if (pylon_scale_u8(&idx[0], c) != 0 || pylon_scale_u8(&idx[1], c) != 0) {
        pylon_xt_fail(err, errlen, "truncated call index");
        return NULL;
    }

    p = pylon_meta_pallet_by_index(m, idx[0]);
    if (p == NULL || p->calls < 0) {
        pylon_xt_fail(err, errlen, "unknown pallet index");
        return NULL;
    }

    v = pylon_meta_variant_by_index(&m->types[p->calls], idx[1]);
    if (v == NULL) {
        pylon_xt_fail(err, errlen, "unknown call index");
        return NULL;
    }

    args = json_array();

    for (i = 0; i < v->nfields; i++) {
        val = pylon_decode(m, v->fields[i].type, c, err, errlen);
        if (val == NULL) {
            json_decref(args);
            return NULL;
        }

        arg = json_pack("{s:s?, s:o, s:o}", "name", v->fields[i].name,
                        "type", pylon_xt_type_name(v->fields[i].type_name),
                        "value", val);
        if (arg == NULL || json_array_append_new(args, arg) != 0) {
            json_decref(args);
            pylon_xt_fail(err, errlen, "out of memory");
            return NULL;
        }
    }

    pylon_blake2_256(h, start, (size_t) (c->pos - start));

    call = json_pack("{s:o, s:s, s:s, s:o, s:o}",
                     "call_index", pylon_xt_hex(idx, 2),
                     "call_function", v->name,
                     "call_module", p->name,
                     "call_args", args,
                     "call_hash", pylon_xt_hex(h, 32));
    if (call == NULL) {
        pylon_xt_fail(err, errlen, "out of memory");
    }

    return call;
}


json_t *
pylon_call_decode(const pylon_meta_t *m, const uint8_t *call, size_t len,
    char *err, size_t errlen)
{
    pylon_scale_cur_t   c;
    json_t             *j;

    pylon_scale_init(&c, call, len);

    j = pylon_xt_call(m, &c, err, errlen);

    if (j != NULL && pylon_scale_remaining(&c) != 0) {
        json_decref(j);
        pylon_xt_fail(err, errlen, "trailing bytes after the call");
        return NULL;
    }

    return j;
}


json_t *
pylon_extrinsic_decode(const pylon_meta_t *m, const uint8_t *xt, size_t len,
    char *err, size_t errlen)
{
    pylon_xt_types_t    types;
    pylon_scale_cur_t   c;
    json_t             *address, *call, *id;
    uint32_t            body;
    uint8_t             version, h[32], extver;

    pylon_scale_init(&c, xt, len);

    if (pylon_scale_compact_u32(&body, &c) != 0
        || body != pylon_scale_remaining(&c))
    {
        pylon_xt_fail(err, errlen, "length prefix does not match");
        return NULL;
    }

    if (pylon_scale_u8(&version, &c) != 0) {
        pylon_xt_fail(err, errlen, "no version byte");
        return NULL;
    }

    address = json_null();

    if (version == 0x84) {
        /* v4 signed: address, signature, extensions' explicit data */
        if (pylon_xt_types(m, &types) != 0) {
            pylon_xt_fail(err, errlen, "metadata lacks extrinsic types");
            return NULL;
        }

        address = pylon_decode(m, (uint32_t) types.address, &c, err, errlen);
        if (address == NULL) {
            return NULL;
        }

        /* MultiAddress::Id(account) is shown as the account itself */
        id = json_object_get(address, "Id");
        if (id != NULL && json_object_size(address) == 1) {
            json_incref(id);
            json_decref(address);
            address = id;
        }

        if (pylon_decode_skip(m, (uint32_t) types.signature, &c) != 0
            || pylon_decode_skip(m, (uint32_t) types.extra, &c) != 0)
        {
            json_decref(address);
            pylon_xt_fail(err, errlen, "malformed signature or extensions");
            return NULL;
        }

    } else if (version == 0x45) {
        /* v5 general: extension version, extensions, then the call */
        if (pylon_xt_types(m, &types) != 0
            || pylon_scale_u8(&extver, &c) != 0
            || pylon_decode_skip(m, (uint32_t) types.extra, &c) != 0)
        {
            pylon_xt_fail(err, errlen, "malformed v5 general extrinsic");
            return NULL;
        }

    } else if (version != 0x04 && version != 0x05) {
        pylon_xt_fail(err, errlen, "unsupported extrinsic version");
        return NULL;
    }

    call = pylon_xt_call(m, &c, err, errlen);
    if (call == NULL) {
        json_decref(address);
        return NULL;
    }

    if (pylon_scale_remaining(&c) != 0) {
        json_decref(address);
        json_decref(call);
        pylon_xt_fail(err, errlen, "trailing bytes after the call");
        return NULL;
    }

    pylon_blake2_256(h, xt, len);

    return json_pack("{s:o, s:I, s:o, s:o}",
                     "extrinsic_hash", pylon_xt_hex(h, 32),
                     "extrinsic_length", (json_int_t) body,
                     "address", address,
                     "call", call);
}
