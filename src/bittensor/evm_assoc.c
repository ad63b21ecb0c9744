/*
 * evm_assoc.c: EVM key associations of a subnet's hotkeys (see
 * evm_assoc.h).  Keys and values are decoded with the runtime's own
 * metadata (chain/storage.h); the body is written straight as JSON text.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bittensor/evm_assoc.h"
#include "chain/json_text.h"
#include "chain/storage.h"

#define PYLON_EVM_ASSOC_PALLET  "SubtensorModule"
#define PYLON_EVM_ASSOC_ITEM    "AssociatedEvmAddress"


/* the (H160 "0x…", u64) of a decoded value, or -1 */
static int
pylon_evm_assoc_value(json_t *v, const char **addr, uint64_t *block)
{
    json_t  *a, *b;

    if (!json_is_array(v) || json_array_size(v) != 2) {
        return -1;
    }
    a = json_array_get(v, 0);
    b = json_array_get(v, 1);
    if (!json_is_string(a) || json_string_length(a) != 42
        || !json_is_integer(b) || json_integer_value(b) < 0)
    {
        return -1;
    }
    *addr = json_string_value(a);
    *block = (uint64_t) json_integer_value(b);
    return 0;
}


int
pylon_evm_assoc_layout(const pylon_meta_t *m, char *err, size_t errlen)
{
    int          rc;
    json_t      *keys, *back, *val;
    uint8_t      sample[28];
    uint64_t     block;
    pylon_buf_t  key;
    const char  *addr;

    keys = json_pack("[ii]", 1, 5);
    pylon_buf_init(&key);
    rc = pylon_storage_key_json(&key, m, PYLON_EVM_ASSOC_PALLET,
                                PYLON_EVM_ASSOC_ITEM, keys, err, errlen);
    json_decref(keys);
    if (rc != 0) {
        pylon_buf_free(&key);
        return -1;
    }

    back = pylon_storage_key_decode(m, PYLON_EVM_ASSOC_PALLET,
                                    PYLON_EVM_ASSOC_ITEM, key.data, key.len,
                                    err, errlen);
    pylon_buf_free(&key);
    keys = json_pack("[ii]", 1, 5);
    rc = (back != NULL && json_equal(back, keys)) ? 0 : -1;
    json_decref(back);
    json_decref(keys);
    if (rc != 0) {
        snprintf(err, errlen, "%s.%s is not keyed by (netuid, uid)",
                 PYLON_EVM_ASSOC_PALLET, PYLON_EVM_ASSOC_ITEM);
        return -1;
    }

    memset(sample, 0, sizeof(sample));
    sample[0] = 0xab;
    sample[20] = 7;
    val = pylon_storage_value_decode(m, PYLON_EVM_ASSOC_PALLET,
                                     PYLON_EVM_ASSOC_ITEM, sample,
                                     sizeof(sample), err, errlen);
    rc = (val != NULL && pylon_evm_assoc_value(val, &addr, &block) == 0
          && block == 7 && strncmp(addr, "0xab00", 6) == 0) ? 0 : -1;
    json_decref(val);
    if (rc != 0) {
        snprintf(err, errlen, "%s.%s values are not (H160, u64)",
                 PYLON_EVM_ASSOC_PALLET, PYLON_EVM_ASSOC_ITEM);
        return -1;
    }
    return 0;
}


typedef struct {
    char      addr[43];
    uint64_t  block;
    int       set;
} pylon_evm_assoc_t;


int
pylon_evm_assoc_render(pylon_buf_t *out, const pylon_meta_t *m,
    int netuid, uint64_t block, const char *hash,
    const char *const *hotkeys, size_t nhotkeys,
    const pylon_subnet_kv_t *kv, size_t nkv, char *err, size_t errlen)
{
    size_t              i, k;
    json_t             *key, *val;
    char                num[24];
    const char         *addr;
    uint64_t            b;
    json_int_t          net, uid;
    pylon_evm_assoc_t  *by_uid;
    int                 first = 1;

    by_uid = calloc(nhotkeys ? nhotkeys : 1, sizeof(*by_uid));
    if (by_uid == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    for (i = 0; i < nkv; i++) {
        if (kv[i].val == NULL) {
            continue;
        }
        key = pylon_storage_key_decode(m, PYLON_EVM_ASSOC_PALLET,
                                       PYLON_EVM_ASSOC_ITEM, kv[i].key,
                                       kv[i].keylen, err, errlen);
        if (key == NULL || json_array_size(key) != 2
            || !json_is_integer(json_array_get(key, 0))
            || !json_is_integer(json_array_get(key, 1)))
        {
            json_decref(key);
            free(by_uid);
            snprintf(err, errlen, "undecodable %s key", PYLON_EVM_ASSOC_ITEM);
            return -1;
        }
        net = json_integer_value(json_array_get(key, 0));
        uid = json_integer_value(json_array_get(key, 1));
        json_decref(key);

        if (net != netuid || uid < 0 || (size_t) uid >= nhotkeys) {
            continue;
        }

        val = pylon_storage_value_decode(m, PYLON_EVM_ASSOC_PALLET,
                                         PYLON_EVM_ASSOC_ITEM, kv[i].val,
                                         kv[i].vallen, err, errlen);
        if (val == NULL || pylon_evm_assoc_value(val, &addr, &b) != 0) {
            json_decref(val);
            free(by_uid);
            snprintf(err, errlen, "undecodable %s value",
                     PYLON_EVM_ASSOC_ITEM);
            return -1;
        }
        for (k = 0; k < 42; k++) {        /* lowercase hex, as Pylon */
            char c = addr[k];

            by_uid[uid].addr[k] = (c >= 'A' && c <= 'F') ? (char) (c + 32)
                                                         : c;
        }
        by_uid[uid].addr[42] = '\0';
        by_uid[uid].block = b;
        by_uid[uid].set = 1;
        json_decref(val);
    }

    pylon_buf_put(out, "{\"block\":{\"number\":", 19);
    pylon_buf_put(out, num, pylon_json_u64((uint8_t *) num, block));
    pylon_buf_put(out, ",\"hash\":", 8);
    pylon_json_put_string(out, hash, strlen(hash));
    pylon_buf_put(out, "},\"evm_associations\":{", 22);

    for (i = 0; i < nhotkeys; i++) {
        if (!by_uid[i].set) {
            continue;
        }
        if (!first) {
            pylon_buf_put(out, ",", 1);
        }
        first = 0;
        pylon_json_put_string(out, hotkeys[i], strlen(hotkeys[i]));
        pylon_buf_put(out, ":{\"hotkey\":", 11);
        pylon_json_put_string(out, hotkeys[i], strlen(hotkeys[i]));
        pylon_buf_put(out, ",\"evm_address\":\"", 16);
        pylon_buf_put(out, by_uid[i].addr, 42);
        pylon_buf_put(out, "\",\"last_block_where_ownership_was_proven\":",
                      42);
        pylon_buf_put(out, num, pylon_json_u64((uint8_t *) num,
                                               by_uid[i].block));
        pylon_buf_put(out, "}", 1);
    }
    pylon_buf_put(out, "}}", 2);
    free(by_uid);

    if (out->err) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
