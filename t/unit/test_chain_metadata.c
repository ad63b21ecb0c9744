/*
 * test_chain_metadata.c: parsing the recorded V14/V15 metadata fixtures,
 * lookups by name, metadata-driven storage keys (chain.md §9 vectors),
 * storage key/value decoding, and malformed metadata.
 */

#include "test_chain_fixture.h"

#include "chain/decode.h"
#include "chain/hasher.h"
#include "chain/storage.h"


static const char  *alice_hex =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";


static void
test_parse_counts(void)
{
    pylon_meta_t  *m;

    m = fixture_meta("metadata-v15-spec343.txt");
    ok(m != NULL, "parses V15 spec 343 (Option-wrapped)");
    if (m) {
        is_int(m->version, 15, "V15 343: version 15");
        is_int(m->ntypes, 712, "V15 343: 712 types");
        is_int(m->npallets, 26, "V15 343: 26 pallets");
        is_int(m->napis, 22, "V15 343: 22 runtime APIs");
        is_int(m->nexts, 11, "V15 343: 11 signed extensions");
        is_int(m->ss58_prefix, 42, "V15 343: SS58 prefix 42 from System");
        is_int(m->xt_version, 4, "V15 343: extrinsic version 4");
    }
    pylon_meta_free(m);

    m = fixture_meta("metadata-v14-spec343.txt");
    ok(m != NULL, "parses V14 spec 343 (raw meta blob)");
    if (m) {
        is_int(m->version, 14, "V14 343: version 14");
        is_int(m->ntypes, 552, "V14 343: 552 types");
        is_int(m->npallets, 26, "V14 343: 26 pallets");
        is_int(m->napis, 0, "V14 343: no runtime APIs");
        ok(m->xt_type >= 0 && m->xt_call < 0, "V14 343: extrinsic type only");
    }
    pylon_meta_free(m);

    m = fixture_meta("metadata-v15-spec318.json");
    ok(m != NULL, "parses V15 spec 318 (JSON string)");
    if (m) {
        is_int(m->ntypes, 672, "V15 318: 672 types");
        is_int(m->npallets, 28, "V15 318: 28 pallets");
    }
    pylon_meta_free(m);
}


static void
test_lookups(pylon_meta_t *m)
{
    const pylon_meta_pallet_t   *p;
    const pylon_meta_storage_t  *e;
    const pylon_meta_variant_t  *v;
    const pylon_meta_method_t   *me;
    const pylon_meta_ext_t      *x;
    int64_t                      id;

    p = pylon_meta_pallet(m, "SubtensorModule");
    ok(p != NULL && p->index == 7, "SubtensorModule is pallet 7");
    ok(pylon_meta_pallet_by_index(m, 18) != NULL
       && strcmp(pylon_meta_pallet_by_index(m, 18)->name, "Commitments") == 0,
       "pallet 18 is Commitments");
    ok(pylon_meta_pallet(m, "NoSuchPallet") == NULL, "unknown pallet: NULL");

    v = pylon_meta_call(m, "SubtensorModule", "set_mechanism_weights");
    ok(v != NULL && v->index == 119 && v->nfields == 5,
       "set_mechanism_weights is call 119 with 5 args");
    if (v) {
        is_str(v->fields[1].name, "mecid", "its second arg is mecid");
    }

    v = pylon_meta_call(m, "SubtensorModule",
                        "commit_timelocked_mechanism_weights");
    ok(v != NULL && v->index == 118, "commit_timelocked_mechanism_weights "
       "is call 118");
    v = pylon_meta_call(m, "Commitments", "set_commitment");
    ok(v != NULL && v->index == 0, "Commitments.set_commitment is call 0");
    v = pylon_meta_call(m, "SubtensorModule", "serve_axon_tls");
    ok(v != NULL && v->index == 40, "serve_axon_tls is call 40");

    v = pylon_meta_event(m, "System", "ExtrinsicFailed");
    ok(v != NULL && v->nfields == 2, "System.ExtrinsicFailed event found");

    p = pylon_meta_pallet(m, "SubtensorModule");
    v = pylon_meta_variant(pylon_meta_type(m, p->error), "CommitRevealEnabled");
    ok(v != NULL, "SubtensorModule error CommitRevealEnabled found");
    if (v) {
        const pylon_meta_variant_t  *w;

        w = pylon_meta_error_by_index(m, 7, v->index);
        ok(w == v, "error_by_index(7, %u) finds it back", v->index);
        ok(v->docs != NULL && strlen(v->docs) > 0, "error has docs: %s",
           v->docs ? v->docs : "");
    }

    e = pylon_meta_storage(pylon_meta_pallet(m, "Commitments"),
                           "CommitmentOf");
    ok(e != NULL && e->is_map && e->nhashers == 2
       && e->hashers[0] == PYLON_HASHER_IDENTITY
       && e->hashers[1] == PYLON_HASHER_TWOX64_CONCAT,
       "CommitmentOf hashers Identity, Twox64Concat");

    e = pylon_meta_storage(pylon_meta_pallet(m, "SubtensorModule"),
                           "CommitRevealWeightsVersion");
    ok(e != NULL && !e->is_map && e->modifier == PYLON_STORAGE_DEFAULT,
       "CommitRevealWeightsVersion is a plain Default value");

    me = pylon_meta_api_method(m, "NeuronInfoRuntimeApi", "get_neurons_lite");
    ok(me != NULL && me->ninputs == 1, "get_neurons_lite has one input");
    if (me) {
        is_str(me->inputs[0].name, "netuid", "its input is netuid");
        ok(m->types[me->output].kind == PYLON_TYPE_SEQUENCE,
           "its output is a sequence");
    }

    ok(pylon_meta_api_method(m, "NeuronInfoRuntimeApi", "nope") == NULL,
       "unknown api method: NULL");

    x = pylon_meta_extension(m, "ChargeTransactionPayment");
    ok(x != NULL, "ChargeTransactionPayment extension found");
    if (x) {
        ok(m->types[x->type].kind == PYLON_TYPE_COMPOSITE
           || m->types[x->type].kind == PYLON_TYPE_COMPACT,
           "its extra type is a composite/compact (tip)");
    }

    id = pylon_meta_type_find(m, "NeuronInfoLite");
    ok(id >= 0, "type NeuronInfoLite found by name");
    if (id >= 0) {
        is_str(m->types[id].name, "NeuronInfoLite", "name is last segment");
        ok(strstr(m->types[id].path, "::NeuronInfoLite") != NULL,
           "path is the full Rust path");
        ok(pylon_meta_type_find(m, m->types[id].path) == id,
           "found by full path too");
    }

    id = pylon_meta_type_find(m, "AccountId32");
    ok(id >= 0 && m->types[id].special == PYLON_SPECIAL_ACCOUNT_ID,
       "AccountId32 is marked for SS58");
}


static void
key_is(pylon_meta_t *m, const char *pallet, const char *item,
    const pylon_bytes_t *parts, size_t n, const char *want)
{
    pylon_buf_t  b;
    char         err[128];

    pylon_buf_init(&b);

    if (pylon_storage_key(&b, m, pallet, item, parts, n, err, sizeof(err))
        != 0)
    {
        ok(0, "storage key %s.%s: %s", pallet, item, err);
        return;
    }

    {
        char  name[128];

        snprintf(name, sizeof(name), "storage key %s.%s (%zu parts)", pallet,
                 item, n);
        is_hex(b.data, b.len, want, name);
    }

    pylon_buf_free(&b);
}


static void
test_storage_keys(pylon_meta_t *m)
{
    pylon_bytes_t  parts[2];
    pylon_buf_t    b;
    uint8_t        alice[32], netuid[2] = { 1, 0 };
    size_t         n;
    json_t        *j;
    char           err[128], *s;

    pylon_hex_decode(alice, 32, &n, alice_hex, 64);

    parts[0].data = alice;
    parts[0].len = 32;
    key_is(m, "System", "Account", parts, 1,
           "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
           "de1e86a9a8c739864cf3cc5ec2bea59f"
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

    key_is(m, "Timestamp", "Now", NULL, 0,
           "f0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb");
    key_is(m, "System", "Events", NULL, 0,
           "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7");

    parts[0].data = netuid;
    parts[0].len = 2;
    parts[1].data = alice;
    parts[1].len = 32;

    key_is(m, "Commitments", "CommitmentOf", NULL, 0,
           "ca407206ec1ab726b2636c4b145ac287419a60ae8b01e6dcaebd7317e43c69bf");
    key_is(m, "Commitments", "CommitmentOf", parts, 2,
           "ca407206ec1ab726b2636c4b145ac287419a60ae8b01e6dcaebd7317e43c69bf"
           "0100518366b5b1bc7c99"
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    key_is(m, "SubtensorModule", "NeuronCertificates", parts, 2,
           "658faa385070e074c85bf6b568cf0555805f1c4b7f54d8f4208070bfc777e2db"
           "0100de1e86a9a8c739864cf3cc5ec2bea59f"
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    key_is(m, "SubtensorModule", "Uids", parts, 2,
           "658faa385070e074c85bf6b568cf0555aab1b4e78e1ea8305462ee53b3686dc8"
           "0100de1e86a9a8c739864cf3cc5ec2bea59f"
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    key_is(m, "SubtensorModule", "StakeThreshold", NULL, 0,
           "658faa385070e074c85bf6b568cf0555782d99ebaa64a1ba18b3e8cda1047327");
    key_is(m, "SubtensorModule", "CommitRevealWeightsVersion", NULL, 0,
           "658faa385070e074c85bf6b568cf055570d1da21926e4e8efdfb497ee508d611");
    key_is(m, "Drand", "LastStoredRound", NULL, 0,
           "a285cdb66e8b8524ea70b1693c7b1e05087f3dd6e0ceded0e388dd34f810a73d");

    pylon_buf_init(&b);
    ok(pylon_storage_key(&b, m, "Timestamp", "Now", parts, 1, err,
                         sizeof(err)) == -1, "too many key parts refused: %s",
       err);
    ok(pylon_storage_key(&b, m, "Nope", "Now", NULL, 0, err, sizeof(err))
       == -1, "unknown pallet refused: %s", err);
    pylon_buf_free(&b);

    /* keys from JSON values: the same bytes */
    {
        json_t  *keys;
        size_t   mark;

        keys = json_loads("[1, \"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKu"
                          "tQY\"]", 0, NULL);
        pylon_buf_init(&b);
        ok(pylon_storage_key_json(&b, m, "Commitments", "CommitmentOf", keys,
                                  err, sizeof(err)) == 0,
           "CommitmentOf key from JSON [1, ss58]");
        is_hex(b.data, b.len,
               "ca407206ec1ab726b2636c4b145ac287419a60ae8b01e6dcaebd7317e43c6"
               "9bf0100518366b5b1bc7c99d43593c715fdd31c61141abd04a99fd6822c85"
               "58854ccde39a5684e7a56da27d",
               "CommitmentOf(1, Alice) from JSON");
        json_decref(keys);

        mark = b.len;
        keys = json_loads("[70000]", 0, NULL);
        ok(pylon_storage_key_json(&b, m, "Commitments", "CommitmentOf", keys,
                                  err, sizeof(err)) == -1 && b.len == mark,
           "netuid 70000 does not fit u16: %s", err);
        json_decref(keys);
        pylon_buf_free(&b);
    }

    /* read back Uids(1, Alice) */
    pylon_storage_key(&b, m, "SubtensorModule", "Uids", parts, 2, NULL, 0);
    j = pylon_storage_key_decode(m, "SubtensorModule", "Uids", b.data, b.len,
                                 err, sizeof(err));
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    is_str(s, "[1,\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"]",
           "Uids key decodes to [netuid, ss58]");
    free(s);
    json_decref(j);

    j = pylon_storage_key_decode(m, "SubtensorModule", "Uids", b.data,
                                 b.len - 1, err, sizeof(err));
    ok(j == NULL, "truncated Uids key fails: %s", err);
    j = pylon_storage_key_decode(m, "SubtensorModule", "Keys", b.data, b.len,
                                 err, sizeof(err));
    ok(j == NULL, "a Uids key is not a Keys key: %s", err);
    pylon_buf_free(&b);

    /* System.Account uses Blake2_128Concat: the key survives */
    parts[0].data = alice;
    parts[0].len = 32;
    pylon_storage_key(&b, m, "System", "Account", parts, 1, NULL, 0);
    j = pylon_storage_key_decode(m, "System", "Account", b.data, b.len, err,
                                 sizeof(err));
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    is_str(s, "[\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"]",
           "System.Account key decodes to [ss58]");
    free(s);
    json_decref(j);
    pylon_buf_free(&b);
}


static void
test_storage_values(pylon_meta_t *m)
{
    uint8_t   val[32];
    size_t    n;
    json_t   *j;
    char     *s, err[128];

    /* chain.md §9: Registration value of CommitmentOf */
    pylon_hex_decode(val, sizeof(val), &n,
                     "000000000000000021010000040500010203", 36);
    j = pylon_storage_value_decode(m, "Commitments", "CommitmentOf", val, n,
                                   err, sizeof(err));
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    is_str(s, "{\"deposit\":0,\"block\":289,\"info\":{\"fields\":"
           "[{\"Raw4\":\"0x00010203\"}]}}", "CommitmentOf value decodes");
    free(s);
    json_decref(j);

    j = pylon_storage_value_decode(m, "Commitments", "CommitmentOf", val,
                                   n - 1, err, sizeof(err));
    ok(j == NULL, "truncated CommitmentOf value fails: %s", err);

    j = pylon_storage_value_decode(m, "SubtensorModule",
                                   "CommitRevealWeightsVersion", NULL, 0, err,
                                   sizeof(err));
    ok(j != NULL && json_integer_value(j) == 4,
       "missing CommitRevealWeightsVersion gives the default 4");
    json_decref(j);

    j = pylon_storage_value_decode(m, "SubtensorModule", "Uids", NULL, 0, err,
                                   sizeof(err));
    ok(j != NULL && json_is_null(j), "missing Optional Uids value is null");
    json_decref(j);
}


/*
 * Real keys and values from recorded state_queryStorageAt answers (finney,
 * netuid 23): find the item of every key, decode key and value.
 */
static void
test_recorded_storage(pylon_meta_t *m)
{
    const pylon_meta_pallet_t   *p;
    const pylon_meta_storage_t  *e;
    const char                  *scenarios[] = { "bonds", "weights",
                                                 "get_netuids_for_hotkey" };
    json_t                      *root, *calls, *resp, *ch, *kv, *k, *v;
    const char                  *params, *hex;
    uint8_t                     *key, *val;
    size_t                       s, i, klen, vlen, n, good;
    char                         path[1024], err[160], *dump;

    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             tap_shared());
    root = json_load_file(path, 0, NULL);
    if (root == NULL) {
        ok(0, "sdk-websocket-responses.json loads");
        return;
    }

    for (s = 0; s < 3; s++) {
        calls = json_object_get(json_object_get(root, scenarios[s]),
                                "state_queryStorageAt");
        n = good = 0;
        dump = NULL;

        json_object_foreach(calls, params, resp) {
            ch = json_object_get(json_array_get(json_object_get(resp,
                                                "result"), 0), "changes");

            json_array_foreach(ch, i, kv) {
                hex = json_string_value(json_array_get(kv, 0));
                n++;

                if (pylon_hex_decode_alloc(&key, &klen, hex, strlen(hex))
                    != 0)
                {
                    continue;
                }

                k = NULL;
                v = NULL;

                if (pylon_storage_find(m, key, klen, &p, &e) == 0) {
                    k = pylon_storage_key_decode(m, p->name, e->name, key,
                                                 klen, err, sizeof(err));

                    hex = json_string_value(json_array_get(kv, 1));
                    if (hex != NULL
                        && pylon_hex_decode_alloc(&val, &vlen, hex,
                                                  strlen(hex)) == 0)
                    {
                        v = pylon_storage_value_decode(m, p->name, e->name,
                                                       val, vlen, err,
                                                       sizeof(err));
                        free(val);
                    }
                }

                if (k != NULL && v != NULL) {
                    good++;
                    if (dump == NULL) {
                        json_t  *pair = json_pack("{s:s, s:O, s:O}", "item",
                                                  e->name, "key", k,
                                                  "value", v);
                        dump = json_dumps(pair, JSON_COMPACT);
                        json_decref(pair);
                    }
                }

                json_decref(k);
                json_decref(v);
                free(key);
            }
        }

        ok(n > 0 && good == n, "%s: all %zu recorded keys found, key and "
           "value decoded", scenarios[s], n);
        diag("first: %s", dump ? dump : "(none)");
        free(dump);
    }

    json_decref(root);
}


static void
test_malformed(void)
{
    pylon_meta_t  *m;
    uint8_t       *blob, *copy;
    size_t         len, cut, i, fails, parsed;
    uint32_t       rnd;
    char           err[128];

    blob = fixture_hex("metadata-v15-spec343.txt", &len);
    if (blob == NULL) {
        ok(0, "load metadata fixture");
        return;
    }

    /* truncated anywhere: always an error, never a crash */
    fails = 0;
    for (i = 0; i < 300; i++) {
        cut = (len * i) / 300;
        if (pylon_meta_parse(&m, blob, cut, err, sizeof(err)) != 0) {
            fails++;
        } else {
            pylon_meta_free(m);
        }
    }
    is_int(fails, 300, "300 truncations of V15 metadata all fail");

    fails = 0;
    for (i = 1; i <= 64; i++) {
        if (pylon_meta_parse(&m, blob, len - i, err, sizeof(err)) != 0) {
            fails++;
        } else {
            pylon_meta_free(m);
        }
    }
    is_int(fails, 64, "dropping any of the last 64 bytes fails");

    ok(pylon_meta_parse(&m, blob, len, err, sizeof(err)) == 0,
       "the untouched blob still parses");
    pylon_meta_free(m);

    /* garbled: random byte flips must give a registry or an error */
    copy = malloc(len);
    rnd = 12345;
    parsed = 0;
    for (i = 0; i < 200; i++) {
        memcpy(copy, blob, len);
        rnd = rnd * 1103515245 + 12345;
        copy[(rnd >> 4) % len] ^= (uint8_t) (1 + (rnd >> 24) % 255);
        rnd = rnd * 1103515245 + 12345;
        copy[(rnd >> 4) % len] ^= (uint8_t) (1 + (rnd >> 24) % 255);

        if (pylon_meta_parse(&m, copy, len, err, sizeof(err)) == 0) {
            parsed++;
            pylon_meta_free(m);
        }
    }
    ok(1, "200 garbled V15 blobs handled without a crash (%zu parsed)",
       parsed);

    memcpy(copy, blob, len);
    copy[0] = 0;          /* Option None */
    ok(pylon_meta_parse(&m, copy, len, err, sizeof(err)) == -1,
       "Option None instead of metadata fails: %s", err);

    ok(pylon_meta_parse(&m, (const uint8_t *) "meta\x0d", 5, err,
                        sizeof(err)) == -1, "metadata V13 refused: %s", err);
    ok(pylon_meta_parse(&m, (const uint8_t *) "", 0, err, sizeof(err)) == -1,
       "empty input refused");

    free(copy);
    free(blob);
}


int
main(void)
{
    pylon_meta_t  *m;

    tap_shared();

    test_parse_counts();

    m = fixture_meta("metadata-v15-spec343.txt");
    if (m == NULL) {
        ok(0, "V15 343 metadata loads");
        return done_testing();
    }

    test_lookups(m);
    test_storage_keys(m);
    test_storage_values(m);
    test_recorded_storage(m);
    pylon_meta_free(m);

    test_malformed();

    return done_testing();
}
