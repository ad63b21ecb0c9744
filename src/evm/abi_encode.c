/*
 * abi_encode.c: jansson values → Solidity ABI bytes.
 *
 * A sequence (tuple, T[k], T[]) is written as its heads in order, each
 * dynamic member's head being the offset of its tail; tails are encoded
 * into a scratch buffer (malloc'ed, freed before return) and appended
 * after the heads.  Used by the tests, the pylon-abi tool and the fake
 * nodes' fixtures, never on a request path.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/json_text.h"
#include "evm/abi_codec.h"
#include "evm/eip55.h"
#include "evm/u256.h"


typedef struct {
    char    *err;
    size_t   errlen;
    int      failed;
} pylon_abi_enc_t;


static int pylon_abi_enc_value(pylon_abi_enc_t *e, pylon_buf_t *out,
    const pylon_abi_type_t *t, const json_t *v);


static int
pylon_abi_enc_fail(pylon_abi_enc_t *e, const char *why)
{
    if (!e->failed && e->err && e->errlen) {
        snprintf(e->err, e->errlen, "%s", why);
    }
    e->failed = 1;
    return -1;
}


static int
pylon_abi_enc_word(pylon_buf_t *out, const uint8_t w[32])
{
    return pylon_buf_put(out, w, 32);
}


static int
pylon_abi_enc_size(pylon_buf_t *out, size_t n)
{
    uint8_t  w[32];

    pylon_u256_from_u64(w, (uint64_t) n);
    return pylon_abi_enc_word(out, w);
}


/* hex text of a JSON string into a fresh buffer (caller frees) */
static int
pylon_abi_enc_hex(pylon_abi_enc_t *e, const json_t *v, uint8_t **bytes,
    size_t *n)
{
    if (!json_is_string(v)
        || pylon_hex_decode_alloc(bytes, n, json_string_value(v),
                                  json_string_length(v)) != 0)
    {
        return pylon_abi_enc_fail(e, "expected a hex string");
    }
    return 0;
}


static int
pylon_abi_enc_scalar(pylon_abi_enc_t *e, pylon_buf_t *out,
    const pylon_abi_type_t *t, const json_t *v)
{
    int       sig;
    uint8_t   w[32], *bytes;
    size_t    n;
    char      num[32];

    memset(w, 0, 32);

    switch (t->kind) {
    case PYLON_ABI_UINT:
    case PYLON_ABI_INT:
        sig = (t->kind == PYLON_ABI_INT);
        if (json_is_integer(v)) {
            n = (size_t) snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                                  json_integer_value(v));
            if (pylon_u256_from_text(w, num, n, t->size, sig) != 0) {
                return pylon_abi_enc_fail(e, "integer out of range");
            }
        } else if (!json_is_string(v)
                   || pylon_u256_from_text(w, json_string_value(v),
                                           json_string_length(v), t->size,
                                           sig) != 0)
        {
            return pylon_abi_enc_fail(e, "expected an integer in range");
        }
        break;

    case PYLON_ABI_ADDRESS:
        if (!json_is_string(v)
            || pylon_eip55_parse(w + 12, json_string_value(v),
                                 json_string_length(v)) != PYLON_EIP55_OK)
        {
            return pylon_abi_enc_fail(e, "expected an address");
        }
        break;

    case PYLON_ABI_BOOL:
        if (!json_is_boolean(v)) {
            return pylon_abi_enc_fail(e, "expected true or false");
        }
        w[31] = json_is_true(v) ? 1 : 0;
        break;

    case PYLON_ABI_FBYTES:
        if (pylon_abi_enc_hex(e, v, &bytes, &n) != 0) {
            return -1;
        }
        if (n != t->size) {
            free(bytes);
            return pylon_abi_enc_fail(e, "wrong number of bytes for bytesN");
        }
        memcpy(w, bytes, n);
        free(bytes);
        break;

    default:
        return pylon_abi_enc_fail(e, "not a scalar type");
    }

    return pylon_abi_enc_word(out, w);
}


static int
pylon_abi_enc_bytes(pylon_abi_enc_t *e, pylon_buf_t *out,
    const pylon_abi_type_t *t, const json_t *v)
{
    int             rc;
    size_t          n, pad;
    uint8_t        *bytes = NULL;
    const uint8_t  *s;
    static const uint8_t  zero[32];

    if (t->kind == PYLON_ABI_BYTES) {
        if (pylon_abi_enc_hex(e, v, &bytes, &n) != 0) {
            return -1;
        }
        s = bytes;
    } else {
        if (!json_is_string(v)) {
            return pylon_abi_enc_fail(e, "expected a string");
        }
        s = (const uint8_t *) json_string_value(v);
        n = json_string_length(v);
    }

    pad = (32 - n % 32) % 32;
    rc = (pylon_abi_enc_size(out, n) == 0 && pylon_buf_put(out, s, n) == 0
          && pylon_buf_put(out, zero, pad) == 0) ? 0 : -1;
    free(bytes);
    return rc;
}


static int
pylon_abi_enc_seq(pylon_abi_enc_t *e, pylon_buf_t *out,
    const pylon_abi_type_t *elem, pylon_abi_type_t *const *types,
    const json_t *const *vals, size_t n)
{
    int                      rc = 0;
    size_t                   i, headlen = 0;
    pylon_buf_t              tails;
    const pylon_abi_type_t  *t;

    for (i = 0; i < n; i++) {
        headlen += (types ? types[i] : elem)->head;
    }

    pylon_buf_init(&tails);
    for (i = 0; i < n && rc == 0; i++) {
        t = types ? types[i] : elem;
        if (t->dynamic) {
            rc = pylon_abi_enc_size(out, headlen + tails.len);
            if (rc == 0) {
                rc = pylon_abi_enc_value(e, &tails, t, vals[i]);
            }
        } else {
            rc = pylon_abi_enc_value(e, out, t, vals[i]);
        }
    }
    if (rc == 0 && tails.err) {
        rc = -1;
    }
    if (rc == 0) {
        rc = pylon_buf_put(out, tails.data, tails.len);
    }
    pylon_buf_free(&tails);
    return rc;
}


static int
pylon_abi_enc_value(pylon_abi_enc_t *e, pylon_buf_t *out,
    const pylon_abi_type_t *t, const json_t *v)
{
    int            rc;
    size_t         i, n;
    const json_t **vals;

    switch (t->kind) {
    case PYLON_ABI_BYTES:
    case PYLON_ABI_STRING:
        return pylon_abi_enc_bytes(e, out, t, v);

    case PYLON_ABI_ARRAY:
    case PYLON_ABI_FARRAY:
    case PYLON_ABI_TUPLE:
        break;

    default:
        return pylon_abi_enc_scalar(e, out, t, v);
    }

    n = (t->kind == PYLON_ABI_ARRAY) ? json_array_size(v) : t->size;

    if (t->kind == PYLON_ABI_TUPLE && json_is_object(v)) {
        if (json_object_size(v) != n) {
            return pylon_abi_enc_fail(e, "wrong number of tuple components");
        }
    } else if (!json_is_array(v) || json_array_size(v) != n) {
        return pylon_abi_enc_fail(e, "expected an array of the right length");
    }

    vals = malloc((n ? n : 1) * sizeof(*vals));
    if (vals == NULL) {
        return pylon_abi_enc_fail(e, "out of memory");
    }
    for (i = 0; i < n; i++) {
        vals[i] = json_is_object(v) ? json_object_get(v, t->names[i])
                                    : json_array_get(v, i);
        if (vals[i] == NULL) {
            free(vals);
            return pylon_abi_enc_fail(e, "missing tuple component");
        }
    }

    rc = 0;
    if (t->kind == PYLON_ABI_ARRAY) {
        rc = pylon_abi_enc_size(out, n);
    }
    if (rc == 0) {
        rc = pylon_abi_enc_seq(e, out, t->elem,
                               t->kind == PYLON_ABI_TUPLE ? t->fields : NULL,
                               vals, n);
    }
    free(vals);
    return rc;
}


int
pylon_abi_encode_json(pylon_buf_t *out, const pylon_abi_type_t *t,
    const json_t *v, char *err, size_t errlen)
{
    pylon_abi_enc_t  e;

    e.err = err;
    e.errlen = errlen;
    e.failed = 0;

    if (pylon_abi_enc_value(&e, out, t, v) != 0 || out->err) {
        pylon_abi_enc_fail(&e, "out of memory");
        return -1;
    }
    return 0;
}
