/*
 * runtime_api.c: runtime-API method lookup and output decoding (see
 * runtime_api.h).
 */

#include <stdio.h>
#include <string.h>

#include "chain/decode.h"
#include "chain/legacy.h"
#include "chain/runtime_api.h"
#include "chain/scale.h"


const pylon_meta_method_t *
pylon_runtime_api_find(const pylon_meta_t *m, const char *call,
    const pylon_meta_api_t **api)
{
    const pylon_meta_api_t  *a;
    uint32_t                 i, k;
    size_t                   n;

    for (i = 0; i < m->napis; i++) {
        a = &m->apis[i];
        n = strlen(a->name);

        if (strncmp(call, a->name, n) != 0
            || (call[n] != '_' && call[n] != '.'))
        {
            continue;
        }

        for (k = 0; k < a->nmethods; k++) {
            if (strcmp(a->methods[k].name, call + n + 1) == 0) {
                if (api) {
                    *api = a;
                }
                return &a->methods[k];
            }
        }
    }

    return NULL;
}


/*
 * Where to decode a result from: the registry and type, and the bytes
 * (the inner bytes of a Vec<u8> for legacy layouts).  Returns 1 when the
 * result is the legacy "None" (empty Vec), 0 to decode, -1 on error.
 */
static int
pylon_runtime_api_target(const pylon_meta_t *m, const char *api,
    const char *method, const pylon_meta_t **reg, uint32_t *type,
    const uint8_t **res, size_t *len, char *err, size_t errlen)
{
    const pylon_meta_method_t  *me;
    pylon_scale_cur_t           c;
    const uint8_t              *inner;
    size_t                      n;
    int64_t                     lt;
    int                         empty_null;

    me = pylon_meta_api_method(m, api, method);
    if (me == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "runtime api %s_%s not in metadata",
                     api, method);
        }
        return -1;
    }

    *reg = m;
    *type = me->output;

    if (m->types[me->output].special != PYLON_SPECIAL_BYTES
        || m->types[me->output].kind != PYLON_TYPE_SEQUENCE)
    {
        return 0;
    }

    lt = pylon_legacy_api_type(api, method, &empty_null);
    if (lt < 0) {
        return 0;
    }

    pylon_scale_init(&c, *res, *len);

    if (pylon_scale_vec_u8(&inner, &n, &c) != 0
        || pylon_scale_remaining(&c) != 0)
    {
        if (err && errlen) {
            snprintf(err, errlen, "decode: bad Vec<u8> wrapper");
        }
        return -1;
    }

    if (n == 0 && empty_null) {
        return 1;
    }

    *reg = pylon_legacy_registry();
    *type = (uint32_t) lt;
    *res = inner;
    *len = n;

    return 0;
}


json_t *
pylon_runtime_api_decode(const pylon_meta_t *m, const char *api,
    const char *method, const uint8_t *out, size_t len, char *err,
    size_t errlen)
{
    const pylon_meta_t  *reg;
    uint32_t             type;

    switch (pylon_runtime_api_target(m, api, method, &reg, &type, &out, &len,
                                     err, errlen))
    {
    case 0:
        return pylon_decode_all(reg, type, out, len, err, errlen);
    case 1:
        return json_null();
    default:
        return NULL;
    }
}


int
pylon_runtime_api_decode_text(pylon_buf_t *out, const pylon_meta_t *m,
    const char *api, const char *method, const uint8_t *res, size_t len,
    char *err, size_t errlen)
{
    const pylon_meta_t  *reg;
    uint32_t             type;

    switch (pylon_runtime_api_target(m, api, method, &reg, &type, &res, &len,
                                     err, errlen))
    {
    case 0:
        return pylon_decode_all_text(out, reg, type, res, len, err, errlen);
    case 1:
        return pylon_buf_put(out, "null", 4);
    default:
        return -1;
    }
}


int
pylon_runtime_api_value(pylon_val_t *out, const pylon_meta_t *m,
    const char *api, const char *method, const uint8_t *res, size_t len,
    char *err, size_t errlen)
{
    const pylon_meta_t  *reg;
    uint32_t             type;
    int                  rc;

    rc = pylon_runtime_api_target(m, api, method, &reg, &type, &res, &len,
                                  err, errlen);
    if (rc != 0) {
        return rc;
    }

    if (pylon_val_init(out, reg, type, res, len) != 0) {
        if (err && errlen) {
            snprintf(err, errlen, "decode: %s_%s result is malformed", api,
                     method);
        }
        return -1;
    }

    return 0;
}
