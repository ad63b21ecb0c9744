/*
 * crv2.c: the CRv2 commit material kept with the job (see crv2.h).
 * pylon_crv2_hash() allocates its u16 vectors with malloc and frees them
 * before it returns.
 */

#include <stdlib.h>

#include "bittensor/crv2.h"


static json_t *
pylon_crv2_u16_array(const uint16_t *v, size_t n)
{
    size_t   i;
    json_t  *a;

    a = json_array();

    for (i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, json_integer(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }

    return a;
}


json_t *
pylon_crv2_material(const uint16_t *uids, const uint16_t *values, size_t n,
    const uint16_t *salt, size_t nsalt, uint64_t version_key)
{
    if (version_key > INT64_MAX) {
        return NULL;
    }

    return json_pack("{s:o, s:o, s:o, s:I}",
                     "uids", pylon_crv2_u16_array(uids, n),
                     "values", pylon_crv2_u16_array(values, n),
                     "salt", pylon_crv2_u16_array(salt, nsalt),
                     "version_key", (json_int_t) version_key);
}


/* a new u16 vector (malloc) of JSON array a, *n its length; NULL if bad */

static uint16_t *
pylon_crv2_u16_read(const json_t *a, size_t *n)
{
    size_t     i;
    json_t    *v;
    uint16_t  *out;

    if (!json_is_array(a) || json_array_size(a) > PYLON_WEIGHTS_MAX_UIDS) {
        return NULL;
    }

    *n = json_array_size(a);
    out = malloc((*n ? *n : 1) * sizeof(uint16_t));
    if (out == NULL) {
        return NULL;
    }

    for (i = 0; i < *n; i++) {
        v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0
            || json_integer_value(v) > 65535)
        {
            free(out);
            return NULL;
        }

        out[i] = (uint16_t) json_integer_value(v);
    }

    return out;
}


int
pylon_crv2_hash(unsigned char out[PYLON_WEIGHTS_HASH_BYTES],
    const json_t *m, const unsigned char hotkey[PYLON_WEIGHTS_ACCOUNT_BYTES],
    uint16_t netuid)
{
    int        rc;
    size_t     n, nv, ns;
    json_t    *vk;
    uint16_t  *uids, *values, *salt;

    vk = json_object_get(m, "version_key");
    if (!json_is_integer(vk) || json_integer_value(vk) < 0) {
        return -1;
    }

    uids = pylon_crv2_u16_read(json_object_get(m, "uids"), &n);
    values = pylon_crv2_u16_read(json_object_get(m, "values"), &nv);
    salt = pylon_crv2_u16_read(json_object_get(m, "salt"), &ns);

    rc = -1;

    if (uids != NULL && values != NULL && salt != NULL && n == nv && ns > 0)
    {
        rc = pylon_weights_commit_hash(out, hotkey, netuid, uids, values, n,
                                       salt, ns,
                                       (uint64_t) json_integer_value(vk));
    }

    free(uids);
    free(values);
    free(salt);

    return rc;
}
