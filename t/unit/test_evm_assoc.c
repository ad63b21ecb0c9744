/*
 * test_evm_assoc.c: the evm_associations body (bittensor/evm_assoc.h)
 * from SubtensorModule.AssociatedEvmAddress entries built with our
 * storage encoder against the spec-343 metadata of ../shared/fixtures,
 * and the layout check (run on specs 343 and 318).
 */

#include "tap.h"

#include "bittensor/evm_assoc.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/storage.h"


static pylon_meta_t *
load(const char *name)
{
    char           path[512], err[200], *text;
    size_t         n, bl;
    uint8_t       *blob;
    pylon_meta_t  *m = NULL;

    snprintf(path, sizeof(path), "%s/fixtures/%s", tap_shared(), name);
    text = tap_slurp(path, &n);
    if (text == NULL
        || pylon_hex_decode_text(&blob, &bl, text, n) != 0)
    {
        free(text);
        return NULL;
    }
    if (pylon_meta_parse(&m, blob, bl, err, sizeof(err)) != 0) {
        m = NULL;
    }
    free(text);
    free(blob);
    return m;
}


static void
entry(const pylon_meta_t *m, pylon_buf_t *key, uint8_t *val, int netuid,
    int uid, uint8_t fill, uint64_t block)
{
    int      i;
    char     err[200];
    json_t  *k = json_pack("[ii]", netuid, uid);

    pylon_buf_init(key);
    pylon_storage_key_json(key, m, "SubtensorModule", "AssociatedEvmAddress",
                           k, err, sizeof(err));
    json_decref(k);
    memset(val, fill, 20);
    val[19] = 0xAB;
    for (i = 0; i < 8; i++) {
        val[20 + i] = (uint8_t) (block >> (8 * i));
    }
}


int
main(void)
{
    int                 i;
    char                err[200], text[2048];
    uint8_t             vals[5][28];
    pylon_buf_t         keys[5], out;
    pylon_meta_t       *m, *old;
    pylon_subnet_kv_t   kv[5];
    const char         *hotkeys[3] = { "5Hot0", "5Hot1", "5Hot2" };

    tap_shared();
    m = load("metadata-v15-spec343.txt");
    if (!ok(m != NULL, "spec-343 metadata loads")) {
        return done_testing();
    }

    ok(pylon_evm_assoc_layout(m, err, sizeof(err)) == 0,
       "spec 343 keys AssociatedEvmAddress by (netuid, uid) -> (H160, u64)");

    entry(m, &keys[0], vals[0], 1, 2, 0x22, 1234);
    entry(m, &keys[1], vals[1], 1, 0, 0x00, 7);
    entry(m, &keys[2], vals[2], 1, 9, 0x99, 1);       /* uid past hotkeys */
    entry(m, &keys[3], vals[3], 2, 1, 0x11, 1);       /* another subnet */
    entry(m, &keys[4], vals[4], 1, 1, 0x11, 5);
    for (i = 0; i < 5; i++) {
        kv[i].key = keys[i].data;
        kv[i].keylen = keys[i].len;
        kv[i].val = vals[i];
        kv[i].vallen = 28;
    }
    kv[4].val = NULL;                                  /* no value: skip */

    pylon_buf_init(&out);
    ok(pylon_evm_assoc_render(&out, m, 1, 4242, "0xabcd", hotkeys, 3, kv, 5,
                              err, sizeof(err)) == 0, "renders");
    snprintf(text, sizeof(text), "%.*s", (int) out.len, out.data);
    is_str(text, "{\"block\":{\"number\":4242,\"hash\":\"0xabcd\"},"
           "\"evm_associations\":{"
           "\"5Hot0\":{\"hotkey\":\"5Hot0\",\"evm_address\":\"0x0000000000"
           "0000000000000000000000000000ab\","
           "\"last_block_where_ownership_was_proven\":7},"
           "\"5Hot2\":{\"hotkey\":\"5Hot2\",\"evm_address\":\"0x2222222222"
           "2222222222222222222222222222ab\","
           "\"last_block_where_ownership_was_proven\":1234}}}",
           "uid order, lowercase hex, other subnets and unknown uids left out");

    out.len = 0;
    ok(pylon_evm_assoc_render(&out, m, 1, 1, "0x00", hotkeys, 3, kv, 0,
                              err, sizeof(err)) == 0, "no entries renders");
    snprintf(text, sizeof(text), "%.*s", (int) out.len, out.data);
    is_str(text, "{\"block\":{\"number\":1,\"hash\":\"0x00\"},"
           "\"evm_associations\":{}}", "empty map when none");

    kv[0].vallen = 5;
    out.len = 0;
    ok(pylon_evm_assoc_render(&out, m, 1, 1, "0x00", hotkeys, 3, kv, 1,
                              err, sizeof(err)) != 0,
       "a truncated value is refused");

    pylon_buf_free(&out);
    for (i = 0; i < 5; i++) {
        pylon_buf_free(&keys[i]);
    }

    old = load("metadata-v15-spec318.json");
    if (old != NULL) {
        ok(pylon_evm_assoc_layout(old, err, sizeof(err)) == 0,
           "spec 318 has the same AssociatedEvmAddress layout");
        pylon_meta_free(old);
    }

    pylon_meta_free(m);
    return done_testing();
}
