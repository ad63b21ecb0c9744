/*
 * storage.c: storage key building and reading (see storage.h).
 */

#include <stdio.h>
#include <string.h>

#include "chain/decode.h"
#include "chain/encode.h"
#include "chain/hasher.h"
#include "chain/storage.h"


void
pylon_storage_prefix(uint8_t out[PYLON_STORAGE_PREFIX_BYTES],
    const char *pallet_prefix, const char *item)
{
    pylon_twox128(out, pallet_prefix, strlen(pallet_prefix));
    pylon_twox128(out + 16, item, strlen(item));
}


static const pylon_meta_storage_t *
pylon_storage_entry(const pylon_meta_t *m, const char *pallet,
    const char *item, const char **prefix, char *err, size_t errlen)
{
    const pylon_meta_pallet_t   *p;
    const pylon_meta_storage_t  *e;

    p = pylon_meta_pallet(m, pallet);
    e = (p && p->prefix) ? pylon_meta_storage(p, item) : NULL;

    if (e == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "storage %s.%s not in metadata", pallet,
                     item);
        }
        return NULL;
    }

    *prefix = p->prefix;

    return e;
}


int
pylon_storage_key(pylon_buf_t *out, const pylon_meta_t *m,
    const char *pallet, const char *item, const pylon_bytes_t *parts,
    size_t nparts, char *err, size_t errlen)
{
    const pylon_meta_storage_t  *e;
    const char                  *prefix;
    uint8_t                      head[PYLON_STORAGE_PREFIX_BYTES];
    size_t                       i;

    e = pylon_storage_entry(m, pallet, item, &prefix, err, errlen);
    if (e == NULL) {
        return -1;
    }

    if (nparts > e->nhashers) {
        if (err && errlen) {
            snprintf(err, errlen, "storage %s.%s takes %u keys, not %zu",
                     pallet, item, e->nhashers, nparts);
        }
        return -1;
    }

    pylon_storage_prefix(head, prefix, e->name);

    if (pylon_buf_put(out, head, sizeof(head)) != 0) {
        goto nomem;
    }

    for (i = 0; i < nparts; i++) {
        if (pylon_hasher_put(out, e->hashers[i], parts[i].data, parts[i].len)
            != 0)
        {
            goto nomem;
        }
    }

    return 0;

nomem:

    if (err && errlen) {
        snprintf(err, errlen, "out of memory");
    }

    return -1;
}


int
pylon_storage_key_json(pylon_buf_t *out, const pylon_meta_t *m,
    const char *pallet, const char *item, const json_t *keys, char *err,
    size_t errlen)
{
    const pylon_meta_storage_t  *e;
    const pylon_meta_type_t     *kt;
    pylon_bytes_t                parts[16];
    pylon_buf_t                  enc;
    const char                  *prefix;
    size_t                       n, i, offs[16];
    uint32_t                     type;
    int                          rc;

    e = pylon_storage_entry(m, pallet, item, &prefix, err, errlen);
    if (e == NULL) {
        return -1;
    }

    n = json_array_size(keys);

    if (!json_is_array(keys) || n > e->nhashers || n > 16) {
        if (err && errlen) {
            snprintf(err, errlen, "storage %s.%s takes up to %u keys",
                     pallet, item, e->nhashers);
        }
        return -1;
    }

    kt = e->is_map ? &m->types[e->key_type] : NULL;

    if (kt && e->nhashers > 1
        && (kt->kind != PYLON_TYPE_TUPLE || kt->u.tuple.n != e->nhashers))
    {
        if (err && errlen) {
            snprintf(err, errlen, "storage %s.%s: key type does not match "
                     "its hashers", pallet, item);
        }
        return -1;
    }

    pylon_buf_init(&enc);

    for (i = 0; i < n; i++) {
        type = e->nhashers > 1 ? kt->u.tuple.types[i] : e->key_type;
        offs[i] = enc.len;

        if (pylon_encode(&enc, m, type, json_array_get(keys, i), err, errlen)
            != 0)
        {
            pylon_buf_free(&enc);
            return -1;
        }
    }

    for (i = 0; i < n; i++) {
        parts[i].data = enc.data + offs[i];
        parts[i].len = (i + 1 < n ? offs[i + 1] : enc.len) - offs[i];
    }

    rc = pylon_storage_key(out, m, pallet, item, parts, n, err, errlen);
    pylon_buf_free(&enc);

    return rc;
}


int
pylon_storage_find(const pylon_meta_t *m, const uint8_t *key, size_t len,
    const pylon_meta_pallet_t **pallet, const pylon_meta_storage_t **entry)
{
    const pylon_meta_pallet_t  *p;
    uint8_t                     h[PYLON_TWOX128_BYTES];
    uint32_t                    i, k;

    if (len < PYLON_STORAGE_PREFIX_BYTES) {
        return -1;
    }

    for (i = 0; i < m->npallets; i++) {
        p = &m->pallets[i];
        if (p->prefix == NULL) {
            continue;
        }

        pylon_twox128(h, p->prefix, strlen(p->prefix));
        if (memcmp(h, key, sizeof(h)) != 0) {
            continue;
        }

        for (k = 0; k < p->nstorage; k++) {
            pylon_twox128(h, p->storage[k].name, strlen(p->storage[k].name));
            if (memcmp(h, key + 16, sizeof(h)) == 0) {
                *pallet = p;
                *entry = &p->storage[k];
                return 0;
            }
        }
    }

    return -1;
}


json_t *
pylon_storage_key_decode(const pylon_meta_t *m, const char *pallet,
    const char *item, const uint8_t *key, size_t len, char *err,
    size_t errlen)
{
    const pylon_meta_storage_t  *e;
    const pylon_meta_type_t     *kt;
    pylon_scale_cur_t            c;
    const char                  *prefix, *why;
    uint8_t                      head[PYLON_STORAGE_PREFIX_BYTES];
    uint32_t                     i, type;
    json_t                      *arr, *v;
    int                          hlen, follows;

    e = pylon_storage_entry(m, pallet, item, &prefix, err, errlen);
    if (e == NULL) {
        return NULL;
    }

    pylon_storage_prefix(head, prefix, e->name);

    if (len < sizeof(head) || memcmp(key, head, sizeof(head)) != 0) {
        why = "key does not start with the item's prefix";
        goto failed;
    }

    arr = json_array();
    if (arr == NULL) {
        why = "out of memory";
        goto failed;
    }

    pylon_scale_init(&c, key + sizeof(head), len - sizeof(head));

    kt = e->is_map ? &m->types[e->key_type] : NULL;

    if (kt && e->nhashers > 1
        && (kt->kind != PYLON_TYPE_TUPLE || kt->u.tuple.n != e->nhashers))
    {
        why = "key type does not match the hashers";
        goto failed_arr;
    }

    for (i = 0; e->is_map && i < e->nhashers; i++) {
        type = e->nhashers > 1 ? kt->u.tuple.types[i] : e->key_type;

        hlen = pylon_hasher_prefix_bytes(e->hashers[i], &follows);
        if (hlen < 0 || pylon_scale_skip((size_t) hlen, &c) != 0) {
            why = "key too short for its hashers";
            goto failed_arr;
        }

        if (!follows) {
            v = json_null();

        } else {
            v = pylon_decode(m, type, &c, err, errlen);
            if (v == NULL) {
                json_decref(arr);
                return NULL;
            }
        }

        json_array_append_new(arr, v);
    }

    if (pylon_scale_remaining(&c) != 0) {
        why = "trailing bytes after the key parts";
        goto failed_arr;
    }

    return arr;

failed_arr:

    json_decref(arr);

failed:

    if (err && errlen) {
        snprintf(err, errlen, "storage key %s.%s: %s", pallet, item, why);
    }

    return NULL;
}


json_t *
pylon_storage_value_decode(const pylon_meta_t *m, const char *pallet,
    const char *item, const uint8_t *value, size_t len, char *err,
    size_t errlen)
{
    const pylon_meta_storage_t  *e;
    const char                  *prefix;

    e = pylon_storage_entry(m, pallet, item, &prefix, err, errlen);
    if (e == NULL) {
        return NULL;
    }

    if (value == NULL) {
        if (e->modifier == PYLON_STORAGE_OPTIONAL) {
            return json_null();
        }

        value = e->def;
        len = e->deflen;
    }

    return pylon_decode_all(m, e->value_type, value, len, err, errlen);
}
