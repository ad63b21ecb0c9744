/*
 * encode.c: the registry-driven encoder (see encode.h).
 *
 * A recursive walk over the type that mirrors decode.c's shapes.
 * Integers go through one parser that accepts JSON integers and decimal
 * strings and checks the target width and sign.
 */

#include <stdio.h>
#include <string.h>

#include "chain/encode.h"
#include "chain/hex.h"
#include "chain/ss58.h"


typedef struct {
    const pylon_meta_t  *m;
    pylon_buf_t         *out;
    const char          *err;
    unsigned             depth;
} pylon_ec_t;


static int pylon_ec_value(pylon_ec_t *ec, uint32_t type, const json_t *v);


static const size_t  pylon_ec_prim_bytes[PYLON_PRIM_COUNT] = {
    1, 4, 0, 1, 2, 4, 8, 16, 32, 1, 2, 4, 8, 16, 32
};


static int
pylon_ec_fail(pylon_ec_t *ec, const char *msg)
{
    if (ec->err == NULL) {
        ec->err = msg;
    }

    return -1;
}


/* a JSON integer or decimal string as sign + 128-bit magnitude */
static int
pylon_ec_number(pylon_ec_t *ec, const json_t *v, int *neg, pylon_u128_t *mag)
{
    const char    *s;
    pylon_u128_t   x;
    json_int_t     i;

    if (json_is_integer(v)) {
        i = json_integer_value(v);
        *neg = i < 0;
        *mag = i < 0 ? (pylon_u128_t) 0 - (pylon_u128_t) (pylon_i128_t) i
                     : (pylon_u128_t) i;
        return 0;
    }

    if (!json_is_string(v)) {
        return pylon_ec_fail(ec, "expected an integer");
    }

    s = json_string_value(v);
    *neg = 0;

    if (*s == '-') {
        *neg = 1;
        s++;
    }

    if (*s == '\0') {
        return pylon_ec_fail(ec, "expected an integer");
    }

    x = 0;
    for ( ; *s; s++) {
        if (*s < '0' || *s > '9') {
            return pylon_ec_fail(ec, "expected a decimal integer string");
        }

        if (x > (~(pylon_u128_t) 0 - (pylon_u128_t) (*s - '0')) / 10) {
            return pylon_ec_fail(ec, "integer too large");
        }

        x = x * 10 + (pylon_u128_t) (*s - '0');
    }

    *mag = x;

    return 0;
}


static int
pylon_ec_uint(pylon_ec_t *ec, const json_t *v, size_t bytes,
    pylon_u128_t *out)
{
    pylon_u128_t  mag;
    int           neg;

    if (pylon_ec_number(ec, v, &neg, &mag) != 0) {
        return -1;
    }

    if (neg && mag != 0) {
        return pylon_ec_fail(ec, "negative value for an unsigned type");
    }

    if (bytes < 16 && mag >> (8 * bytes) != 0) {
        return pylon_ec_fail(ec, "integer does not fit its type");
    }

    *out = mag;

    return 0;
}


static int
pylon_ec_put_le(pylon_ec_t *ec, pylon_u128_t v, size_t n)
{
    uint8_t  tmp[16];
    size_t   i;

    for (i = 0; i < n; i++) {
        tmp[i] = (uint8_t) (v >> (8 * i));
    }

    return pylon_buf_put(ec->out, tmp, n) == 0
           ? 0 : pylon_ec_fail(ec, "out of memory");
}


static int
pylon_ec_primitive(pylon_ec_t *ec, const pylon_meta_type_t *t,
    const json_t *v)
{
    pylon_u128_t   u, mag;
    const char    *s;
    size_t         n, k;
    uint32_t       cp;
    int            neg;

    switch (t->prim) {

    case PYLON_PRIM_BOOL:
        if (!json_is_boolean(v)) {
            return pylon_ec_fail(ec, "expected true or false");
        }
        return pylon_ec_put_le(ec, json_is_true(v), 1);

    case PYLON_PRIM_STR:
        if (!json_is_string(v)) {
            return pylon_ec_fail(ec, "expected a string");
        }
        if (pylon_scale_put_vec_u8(ec->out, json_string_value(v),
                                   json_string_length(v)) != 0)
        {
            return pylon_ec_fail(ec, "out of memory");
        }
        return 0;

    case PYLON_PRIM_CHAR:
        s = json_string_value(v);
        n = json_string_length(v);
        if (s == NULL || n == 0 || n > 4) {
            return pylon_ec_fail(ec, "expected one character");
        }
        cp = (unsigned char) s[0];
        if (n > 1) {
            cp &= 0x3f >> (n - 1);
            for (k = 1; k < n; k++) {
                cp = (cp << 6) | ((unsigned char) s[k] & 0x3f);
            }
        }
        return pylon_ec_put_le(ec, cp, 4);

    case PYLON_PRIM_U256:
    case PYLON_PRIM_I256:
        return pylon_ec_fail(ec, "256-bit integers are not supported");

    default:
        n = pylon_ec_prim_bytes[t->prim];

        if (t->prim < PYLON_PRIM_I8) {
            if (pylon_ec_uint(ec, v, n, &u) != 0) {
                return -1;
            }
            return pylon_ec_put_le(ec, u, n);
        }

        if (pylon_ec_number(ec, v, &neg, &mag) != 0) {
            return -1;
        }

        /* |min| of iN is 2^(8n-1); max is 2^(8n-1) - 1 */
        if (mag > (pylon_u128_t) 1 << (8 * n - 1)
            || (!neg && mag == (pylon_u128_t) 1 << (8 * n - 1)))
        {
            return pylon_ec_fail(ec, "integer does not fit its type");
        }

        return pylon_ec_put_le(ec, neg ? (pylon_u128_t) 0 - mag : mag, n);
    }
}


static int
pylon_ec_hex(pylon_ec_t *ec, const json_t *v, int with_len, size_t want)
{
    const char  *s;
    uint8_t     *d;
    size_t       n, len;

    s = json_string_value(v);
    if (s == NULL || strncmp(s, "0x", 2) != 0) {
        return pylon_ec_fail(ec, "expected \"0x\" hex bytes");
    }

    len = (json_string_length(v) - 2) / 2;

    if (!with_len && len != want) {
        return pylon_ec_fail(ec, "wrong number of bytes for an array");
    }

    if (with_len && pylon_scale_put_compact(ec->out, len) != 0) {
        return pylon_ec_fail(ec, "out of memory");
    }

    d = pylon_buf_reserve(ec->out, len);
    if (d == NULL) {
        return pylon_ec_fail(ec, "out of memory");
    }

    if (pylon_hex_decode(d, len, &n, s, json_string_length(v)) != 0
        || n != len)
    {
        return pylon_ec_fail(ec, "bad hex");
    }

    ec->out->len += n;

    return 0;
}


static int
pylon_ec_account(pylon_ec_t *ec, const json_t *v)
{
    const char  *s;
    uint8_t      pub[32];
    size_t       n;

    s = json_string_value(v);
    if (s == NULL) {
        return pylon_ec_fail(ec, "expected an SS58 address");
    }

    if (strncmp(s, "0x", 2) == 0) {
        if (pylon_hex_decode(pub, 32, &n, s, json_string_length(v)) != 0
            || n != 32)
        {
            return pylon_ec_fail(ec, "expected 32 bytes of hex");
        }

    } else if (pylon_ss58_decode(pub, NULL, s, json_string_length(v)) != 0) {
        return pylon_ec_fail(ec, "bad SS58 address");
    }

    return pylon_buf_put(ec->out, pub, 32) == 0
           ? 0 : pylon_ec_fail(ec, "out of memory");
}


static int
pylon_ec_fields(pylon_ec_t *ec, const pylon_meta_field_t *f, uint32_t n,
    const json_t *v)
{
    const json_t  *x;
    uint32_t       i;
    int            named;

    if (n == 0) {
        return json_is_null(v) ? 0 : pylon_ec_fail(ec, "expected null");
    }

    if (n == 1 && f[0].name == NULL) {
        return pylon_ec_value(ec, f[0].type, v);
    }

    named = 1;
    for (i = 0; i < n; i++) {
        if (f[i].name == NULL) {
            named = 0;
        }
    }

    if (named) {
        if (!json_is_object(v) || json_object_size(v) != n) {
            return pylon_ec_fail(ec, "expected an object with every field");
        }

    } else if (!json_is_array(v) || json_array_size(v) != n) {
        return pylon_ec_fail(ec, "expected an array of every field");
    }

    for (i = 0; i < n; i++) {
        x = named ? json_object_get(v, f[i].name) : json_array_get(v, i);
        if (x == NULL) {
            return pylon_ec_fail(ec, "missing field");
        }

        if (pylon_ec_value(ec, f[i].type, x) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
pylon_ec_variant(pylon_ec_t *ec, const pylon_meta_type_t *t, const json_t *v)
{
    const pylon_meta_variant_t  *var;
    const char                  *name;
    const json_t                *data;

    if (t->special == PYLON_SPECIAL_OPTION) {
        if (json_is_null(v)) {
            var = pylon_meta_variant(t, "None");
            return var ? pylon_ec_put_le(ec, var->index, 1)
                       : pylon_ec_fail(ec, "Option without None");
        }

        var = pylon_meta_variant(t, "Some");
        if (var == NULL || var->nfields != 1) {
            return pylon_ec_fail(ec, "Option without Some");
        }

        if (pylon_ec_put_le(ec, var->index, 1) != 0) {
            return -1;
        }

        return pylon_ec_value(ec, var->fields[0].type, v);
    }

    if (json_is_string(v)) {
        name = json_string_value(v);
        data = NULL;

    } else if (json_is_object(v) && json_object_size(v) == 1) {
        void  *it = json_object_iter((json_t *) v);

        name = json_object_iter_key(it);
        data = json_object_iter_value(it);

    } else {
        return pylon_ec_fail(ec, "expected \"Variant\" or {\"Variant\": ..}");
    }

    var = pylon_meta_variant(t, name);
    if (var == NULL) {
        return pylon_ec_fail(ec, "unknown variant");
    }

    if (pylon_ec_put_le(ec, var->index, 1) != 0) {
        return -1;
    }

    if (data == NULL) {
        return var->nfields == 0
               ? 0 : pylon_ec_fail(ec, "variant needs data");
    }

    return pylon_ec_fields(ec, var->fields, var->nfields, data);
}


static int
pylon_ec_items(pylon_ec_t *ec, uint32_t elem, const json_t *v)
{
    size_t  i;

    for (i = 0; i < json_array_size(v); i++) {
        if (pylon_ec_value(ec, elem, json_array_get(v, i)) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
pylon_ec_kind(pylon_ec_t *ec, const pylon_meta_type_t *t, const json_t *v)
{
    pylon_u128_t  u;
    uint32_t      i;

    switch (t->kind) {

    case PYLON_TYPE_PRIMITIVE:
        return pylon_ec_primitive(ec, t, v);

    case PYLON_TYPE_COMPACT:
        if (pylon_ec_uint(ec, v, 16, &u) != 0) {
            return -1;
        }
        return pylon_scale_put_compact(ec->out, u) == 0
               ? 0 : pylon_ec_fail(ec, "out of memory");

    case PYLON_TYPE_COMPOSITE:
        if (t->special == PYLON_SPECIAL_ACCOUNT_ID) {
            return pylon_ec_account(ec, v);
        }
        return pylon_ec_fields(ec, t->u.composite.fields, t->u.composite.n,
                               v);

    case PYLON_TYPE_VARIANT:
        return pylon_ec_variant(ec, t, v);

    case PYLON_TYPE_SEQUENCE:
        if (t->special == PYLON_SPECIAL_BYTES) {
            return pylon_ec_hex(ec, v, 1, 0);
        }
        if (!json_is_array(v)) {
            return pylon_ec_fail(ec, "expected an array");
        }
        if (pylon_scale_put_compact(ec->out, json_array_size(v)) != 0) {
            return pylon_ec_fail(ec, "out of memory");
        }
        return pylon_ec_items(ec, t->u.elem.type, v);

    case PYLON_TYPE_ARRAY:
        if (t->special == PYLON_SPECIAL_BYTES) {
            return pylon_ec_hex(ec, v, 0, t->u.array.len);
        }
        if (!json_is_array(v) || json_array_size(v) != t->u.array.len) {
            return pylon_ec_fail(ec, "expected an array of its fixed length");
        }
        return pylon_ec_items(ec, t->u.array.type, v);

    case PYLON_TYPE_TUPLE:
        if (t->u.tuple.n == 0) {
            return json_is_array(v) && json_array_size(v) == 0
                   ? 0 : pylon_ec_fail(ec, "expected []");
        }
        if (!json_is_array(v) || json_array_size(v) != t->u.tuple.n) {
            return pylon_ec_fail(ec, "expected an array for a tuple");
        }
        for (i = 0; i < t->u.tuple.n; i++) {
            if (pylon_ec_value(ec, t->u.tuple.types[i],
                               json_array_get(v, i)) != 0)
            {
                return -1;
            }
        }
        return 0;

    default:
        return pylon_ec_fail(ec, "bit sequences cannot be encoded from JSON");
    }
}


static int
pylon_ec_value(pylon_ec_t *ec, uint32_t type, const json_t *v)
{
    int  rc;

    if (type >= ec->m->ntypes) {
        return pylon_ec_fail(ec, "type id out of range");
    }

    if (v == NULL) {
        return pylon_ec_fail(ec, "missing value");
    }

    if (ec->depth >= 200) {
        return pylon_ec_fail(ec, "nesting too deep");
    }

    ec->depth++;
    rc = pylon_ec_kind(ec, &ec->m->types[type], v);
    ec->depth--;

    return rc;
}


int
pylon_encode(pylon_buf_t *out, const pylon_meta_t *m, uint32_t type,
    const json_t *v, char *err, size_t errlen)
{
    pylon_ec_t  ec;
    size_t      start;

    ec.m = m;
    ec.out = out;
    ec.err = NULL;
    ec.depth = 0;
    start = out->len;

    if (pylon_ec_value(&ec, type, v) != 0 || out->err) {
        if (err && errlen) {
            snprintf(err, errlen, "encode: %s",
                     ec.err ? ec.err : "out of memory");
        }
        out->len = start;
        return -1;
    }

    return 0;
}


int
pylon_encode_api_args(pylon_buf_t *out, const pylon_meta_t *m,
    const char *api, const char *method, const json_t *args, char *err,
    size_t errlen)
{
    const pylon_meta_method_t  *me;
    size_t                      start;
    uint32_t                    i;
    char                        sub[128];

    me = pylon_meta_api_method(m, api, method);
    if (me == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "runtime api %s_%s not in metadata", api,
                     method);
        }
        return -1;
    }

    if (!json_is_array(args) || json_array_size(args) != me->ninputs) {
        if (err && errlen) {
            snprintf(err, errlen, "%s_%s takes %u arguments", api, method,
                     me->ninputs);
        }
        return -1;
    }

    start = out->len;

    for (i = 0; i < me->ninputs; i++) {
        if (pylon_encode(out, m, me->inputs[i].type, json_array_get(args, i),
                         sub, sizeof(sub)) != 0)
        {
            if (err && errlen) {
                snprintf(err, errlen, "argument %s: %s", me->inputs[i].name,
                         sub);
            }
            out->len = start;
            return -1;
        }
    }

    return 0;
}
