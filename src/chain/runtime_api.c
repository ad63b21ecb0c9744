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


json_t *
pylon_runtime_api_decode(const pylon_meta_t *m, const char *api,
    const char *method, const uint8_t *out, size_t len, char *err,
    size_t errlen)
{
    const pylon_meta_method_t  *me;
    const pylon_meta_t         *legacy;
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
        return NULL;
    }

    if (m->types[me->output].special == PYLON_SPECIAL_BYTES
        && m->types[me->output].kind == PYLON_TYPE_SEQUENCE)
    {
        lt = pylon_legacy_api_type(api, method, &empty_null);

        if (lt >= 0) {
            legacy = pylon_legacy_registry();

            pylon_scale_init(&c, out, len);

            if (pylon_scale_vec_u8(&inner, &n, &c) != 0
                || pylon_scale_remaining(&c) != 0)
            {
                if (err && errlen) {
                    snprintf(err, errlen, "decode: bad Vec<u8> wrapper");
                }
                return NULL;
            }

            if (n == 0 && empty_null) {
                return json_null();
            }

            return pylon_decode_all(legacy, (uint32_t) lt, inner, n, err,
                                    errlen);
        }
    }

    return pylon_decode_all(m, me->output, out, len, err, errlen);
}
