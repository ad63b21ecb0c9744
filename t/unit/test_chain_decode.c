/*
 * test_chain_decode.c: the registry-driven decoder and runtime-API
 * decoding on recorded mainnet data (finney block 6852690, spec 343),
 * the spec-318 hyperparams vector of chain.md §4.2, the legacy layout
 * compiler, number rendering, and truncated/garbled inputs (which must
 * fail cleanly under ASan).  Field-by-field agreement with polkadot-js is
 * checked by t/test_codec_oracle.py; here the values are pinned.
 */

#include "test_chain_fixture.h"

#include "chain/decode.h"
#include "chain/legacy.h"
#include "chain/runtime_api.h"


static json_t *
api(const pylon_meta_t *m, const char *call, const uint8_t *b, size_t len,
    char *err, size_t errlen)
{
    const pylon_meta_method_t  *me;
    const pylon_meta_api_t     *a;

    me = pylon_runtime_api_find(m, call, &a);
    if (me == NULL) {
        snprintf(err, errlen, "no such api");
        return NULL;
    }

    return pylon_runtime_api_decode(m, a->name, me->name, b, len, err, errlen);
}


static void
test_neurons_lite(const pylon_meta_t *m)
{
    uint8_t     *b;
    size_t       len, i, cut, fails, garbled;
    json_t      *j, *n0, *ax;
    uint32_t     rnd;
    char         err[160];

    b = recorded_call("get_neurons_lite", &len);
    ok(b != NULL, "recorded get_neurons_lite(1) loads");
    if (b == NULL) {
        return;
    }

    is_int(len, 186526, "get_neurons_lite is 186526 bytes");

    j = api(m, "NeuronInfoRuntimeApi_get_neurons_lite", b, len, err,
            sizeof(err));
    ok(j != NULL, "get_neurons_lite decodes with V15 343 %s", j ? "" : err);
    is_int(json_array_size(j), 1024, "1024 neurons");

    n0 = json_array_get(j, 0);
    is_str(json_string_value(json_object_get(n0, "hotkey")),
           "5DkMmXtWf16RNdusZGCrJ7ca7ADPgRnZLVWCWbgA7s7sy1AQ",
           "neuron 0 hotkey as SS58");
    is_str(json_string_value(json_object_get(n0, "coldkey")),
           "5EhQWxcFdYAk7B9tNdQnJQFzww5N3964rbsMk55SujcX3PwM",
           "neuron 0 coldkey as SS58");
    is_int(json_integer_value(json_object_get(n0, "uid")), 0, "neuron 0 uid");
    is_int(json_integer_value(json_object_get(n0, "netuid")), 1,
           "neuron 0 netuid (Compact<NetUid> unwrapped)");
    ok(json_is_false(json_object_get(n0, "active")), "neuron 0 inactive");

    ax = json_object_get(n0, "axon_info");
    is_int(json_integer_value(json_object_get(ax, "ip")), 3235789677LL,
           "axon ip u128 as a number");
    is_int(json_integer_value(json_object_get(ax, "port")), 6028, "axon port");
    is_int(json_integer_value(json_object_get(ax, "version")), 9011001,
           "axon version");

    is_int(json_integer_value(json_array_get(json_array_get(
               json_object_get(n0, "stake"), 0), 1)), 2557172316LL,
           "stake entry (coldkey, Compact<AlphaBalance>)");
    is_int(json_integer_value(json_object_get(n0, "last_update")), 2543521,
           "last_update");
    is_int(json_integer_value(json_object_get(json_array_get(j, 1023), "uid")),
           1023, "last neuron uid 1023");
    json_decref(j);

    /* truncations: every one must fail, none may read out of bounds */
    fails = 0;
    for (i = 0; i < 120; i++) {
        cut = (len * i) / 120;
        j = api(m, "NeuronInfoRuntimeApi_get_neurons_lite", b, cut, err,
                sizeof(err));
        if (j == NULL) {
            fails++;
        }
        json_decref(j);
    }
    for (i = 1; i <= 40; i++) {
        j = api(m, "NeuronInfoRuntimeApi_get_neurons_lite", b, len - i, err,
                sizeof(err));
        if (j == NULL) {
            fails++;
        }
        json_decref(j);
    }
    is_int(fails, 160, "160 truncated neurons_lite inputs all fail");

    j = api(m, "NeuronInfoRuntimeApi_get_neurons_lite", b, len - 1, err,
            sizeof(err));
    ok(j == NULL && strstr(err, "decode") != NULL, "truncation reason: %s",
       err);

    /* garbled: random flips decode or fail, without a crash */
    garbled = 0;
    rnd = 777;
    for (i = 0; i < 60; i++) {
        uint8_t  *copy = malloc(len);

        memcpy(copy, b, len);
        rnd = rnd * 1103515245 + 12345;
        copy[(rnd >> 4) % len] = (uint8_t) (rnd >> 24);
        rnd = rnd * 1103515245 + 12345;
        copy[(rnd >> 4) % 64] = (uint8_t) (rnd >> 24);

        j = api(m, "NeuronInfoRuntimeApi_get_neurons_lite", copy, len, err,
                sizeof(err));
        if (j == NULL) {
            garbled++;
        }
        json_decref(j);
        free(copy);
    }
    ok(1, "60 garbled neurons_lite inputs handled (%zu failed)", garbled);

    /* a forged huge Vec length fails before allocating */
    {
        uint8_t  forged[5] = { 0x03, 0xff, 0xff, 0xff, 0xff };

        j = api(m, "NeuronInfoRuntimeApi_get_neurons_lite", forged, 5, err,
                sizeof(err));
        ok(j == NULL, "Vec length 2^32-1 with no bytes fails: %s", err);
    }

    free(b);
}


/* the direct text writer must equal json_dumps of the tree, byte for byte */
static void
test_text_equals_tree(const pylon_meta_t *m, const char *method,
    const char *call)
{
    const pylon_meta_method_t  *me;
    const pylon_meta_api_t     *a;
    pylon_buf_t                 out;
    uint8_t                    *b;
    size_t                      len, i, fails;
    json_t                     *j;
    char                       *s, err[160];

    b = recorded_call(method, &len);
    me = pylon_runtime_api_find(m, call, &a);
    if (b == NULL || me == NULL) {
        ok(0, "%s loads", method);
        free(b);
        return;
    }

    pylon_buf_init(&out);
    ok(pylon_runtime_api_decode_text(&out, m, a->name, me->name, b, len, err,
                                     sizeof(err)) == 0,
       "%s renders as text", method);

    j = pylon_runtime_api_decode(m, a->name, me->name, b, len, err,
                                 sizeof(err));
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    ok(s != NULL && strlen(s) == out.len && memcmp(s, out.data, out.len) == 0,
       "%s: text writer == json_dumps(tree) (%zu bytes)", method, out.len);
    free(s);
    json_decref(j);

    /* truncated inputs through the text path: errors, buffer restored */
    fails = 0;
    for (i = 0; i < 40; i++) {
        out.len = 0;
        if (pylon_runtime_api_decode_text(&out, m, a->name, me->name, b,
                                          (len * i) / 40, err, sizeof(err))
            != 0 && out.len == 0)
        {
            fails++;
        }
    }
    is_int(fails, 40, "%s: 40 truncations fail in the text path, output "
           "rolled back", method);

    pylon_buf_free(&out);
    free(b);
}


static void
test_subnet_state(const pylon_meta_t *m)
{
    uint8_t  *b;
    size_t    len, i, fails;
    json_t   *j;
    char      err[160];

    b = recorded_call("get_subnet_state", &len);
    ok(b != NULL, "recorded get_subnet_state(1) loads");
    if (b == NULL) {
        return;
    }

    is_int(len, 222892, "get_subnet_state is 222892 bytes");

    j = api(m, "SubnetInfoRuntimeApi_get_subnet_state", b, len, err,
            sizeof(err));
    ok(j != NULL && json_is_object(j), "Option<SubnetState> Some decodes to "
       "the object %s", j ? "" : err);
    is_int(json_integer_value(json_object_get(j, "netuid")), 1, "netuid 1");
    is_int(json_array_size(json_object_get(j, "hotkeys")), 1024,
           "1024 hotkeys");
    is_int(json_array_size(json_object_get(j, "total_stake")), 1024,
           "1024 total_stake entries");
    is_str(json_string_value(json_array_get(json_object_get(j, "hotkeys"),
                                            0)),
           "5DkMmXtWf16RNdusZGCrJ7ca7ADPgRnZLVWCWbgA7s7sy1AQ",
           "hotkey 0 matches neurons_lite");
    ok(json_is_array(json_array_get(json_object_get(j, "emission_history"),
                                    0)), "emission_history is Vec<Vec<..>>");
    json_decref(j);

    fails = 0;
    for (i = 0; i < 100; i++) {
        j = api(m, "SubnetInfoRuntimeApi_get_subnet_state", b,
                (len * i) / 100, err, sizeof(err));
        if (j == NULL) {
            fails++;
        }
        json_decref(j);
    }
    is_int(fails, 100, "100 truncated subnet_state inputs all fail");

    {
        uint8_t  none = 0;

        j = api(m, "SubnetInfoRuntimeApi_get_subnet_state", &none, 1, err,
                sizeof(err));
        ok(j != NULL && json_is_null(j), "Option None decodes to null");
        json_decref(j);
    }

    free(b);
}


static void
test_hyperparams_318(void)
{
    static const char  *hex =
        "0x0128feff0100014000feff03009101025a620213ffffffffffffff3f00910191"
        "01214e010882841e000700e876481782ee360004c8010100025a620204009a9903"
        "00cecc020000";

    pylon_meta_t  *m;
    uint8_t        b[128];
    size_t         len;
    json_t        *j;
    char           err[160];

    m = fixture_meta("metadata-v15-spec318.json");
    ok(m != NULL, "V15 318 loads");
    if (m == NULL) {
        return;
    }

    pylon_hex_decode(b, sizeof(b), &len, hex, strlen(hex));
    is_int(len, 71, "hyperparams vector is 71 bytes (Some + struct)");

    j = api(m, "SubnetInfoRuntimeApi_get_subnet_hyperparams", b, len, err,
            sizeof(err));
    ok(j != NULL, "spec 318 hyperparams decode %s", j ? "" : err);
    is_int(json_integer_value(json_object_get(j, "rho")), 10, "rho 10");
    is_int(json_integer_value(json_object_get(j, "kappa")), 32767,
           "kappa 32767");
    is_int(json_integer_value(json_object_get(j, "max_difficulty")),
           4611686018427387903LL, "max_difficulty 2^62-1");
    is_int(json_integer_value(json_object_get(j, "max_burn")), 100000000000LL,
           "max_burn 1e11");
    is_int(json_integer_value(json_object_get(j, "commit_reveal_period")), 1,
           "commit_reveal_period 1");
    ok(json_is_false(json_object_get(j, "commit_reveal_weights_enabled")),
       "commit reveal disabled");
    is_int(json_integer_value(json_object_get(j, "alpha_low")), 45875,
           "alpha_low 45875");
    is_int(json_object_size(j), 27, "27 fields");
    json_decref(j);

    j = api(m, "SubnetInfoRuntimeApi_get_subnet_hyperparams", b, len - 1, err,
            sizeof(err));
    ok(j == NULL, "one byte short fails");
    j = api(m, "SubnetInfoRuntimeApi_get_subnet_hyperparams", b, len + 1, err,
            sizeof(err));
    ok(j == NULL && strstr(err, "trailing") != NULL, "one byte extra fails: "
       "%s", err);

    pylon_meta_free(m);
}


static void test_skip_compacts(pylon_meta_t *scratch);


static void
test_legacy(void)
{
    const pylon_meta_t  *reg;
    pylon_meta_t        *scratch;
    int64_t              id;
    int                  empty_null;
    uint8_t              b[128];
    size_t               len;
    json_t              *j;
    char                 err[160], *s;

    reg = pylon_legacy_registry();
    ok(reg != NULL, "legacy registry builds from its table");
    ok(pylon_legacy_type("NeuronInfoLite") >= 0, "legacy NeuronInfoLite");
    ok(pylon_legacy_type("SubnetHyperparams") >= 0,
       "legacy SubnetHyperparams");
    ok(pylon_legacy_type("Nope") < 0, "unknown legacy type: -1");

    id = pylon_legacy_api_type("NeuronInfoRuntimeApi", "get_neurons_lite",
                               &empty_null);
    ok(id >= 0 && !empty_null, "get_neurons_lite has a legacy Vec type");
    id = pylon_legacy_api_type("SubnetInfoRuntimeApi",
                               "get_subnet_hyperparams", &empty_null);
    ok(id >= 0 && empty_null, "get_subnet_hyperparams: empty means None");

    /* the spec-218 hyperparams of the local chain (probe.txt, netuid 1
       at genesis): a compact-prefixed struct of 27 fields */
    scratch = pylon_meta_new();
    ok(pylon_legacy_compile(scratch, "Vec<(u16, Compact<u64>)>") >= 0,
       "compiles Vec<(u16, Compact<u64>)>");
    ok(pylon_legacy_compile(scratch, "[u8; 4]") >= 0, "compiles [u8; 4]");
    ok(pylon_legacy_compile(scratch, "Option<AccountId32>") >= 0,
       "compiles Option<AccountId32>");
    ok(pylon_legacy_compile(scratch, "Vec<u16") < 0, "rejects Vec<u16");
    ok(pylon_legacy_compile(scratch, "Unknown") < 0, "rejects unknown names");
    ok(pylon_legacy_compile(scratch, "u16 u16") < 0, "rejects trailing text");

    id = pylon_legacy_compile(scratch, "(u16, Compact<u64>, bool, i32)");
    pylon_hex_decode(b, sizeof(b), &len, "0100fd03" "01" "feffffff", 18);
    j = pylon_decode_all(scratch, (uint32_t) id, b, len, err, sizeof(err));
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    is_str(s, "[1,255,true,-2]", "tuple of u16, compact, bool, i32");
    free(s);
    json_decref(j);

    id = pylon_legacy_compile(scratch, "(u128, i128, u64, Option<u8>)");
    pylon_hex_decode(b, sizeof(b), &len,
                     "ffffffffffffffffffffffffffffffff"
                     "00000000000000000000000000000080"
                     "ffffffffffffffff" "00", 82);
    j = pylon_decode_all(scratch, (uint32_t) id, b, len, err, sizeof(err));
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    is_str(s, "[\"340282366920938463463374607431768211455\","
           "\"-170141183460469231731687303715884105728\","
           "\"18446744073709551615\",null]",
           "u128 max, i128 min, u64 max as decimal strings; None is null");
    free(s);
    json_decref(j);

    test_skip_compacts(scratch);

    pylon_meta_free(scratch);
}


/* SKIP over Vec<Compact<u64>>: every mode, then truncated and too wide */
static void
test_skip_compacts(pylon_meta_t *scratch)
{
    int                id;
    size_t             len;
    uint8_t            b[64];
    const char        *hex;
    pylon_scale_cur_t  c;

    id = pylon_legacy_compile(scratch, "Vec<Compact<u64>>");
    ok(id >= 0, "compiles Vec<Compact<u64>>");

    /* 4 items: 1 (1 byte), 64 (2), 2^14 (4), 2^32-1 (0x03 + 4 bytes) */
    hex = "10" "04" "0101" "02000100" "03ffffffff" "aa";
    pylon_hex_decode(b, sizeof(b), &len, hex, strlen(hex));
    pylon_scale_init(&c, b, len);
    ok(pylon_decode_skip(scratch, (uint32_t) id, &c) == 0
       && c.pos == b + len - 1, "skip: 4 compacts of every mode");

    pylon_scale_init(&c, b, len - 3);
    ok(pylon_decode_skip(scratch, (uint32_t) id, &c) != 0,
       "skip: a truncated big compact fails");

    pylon_scale_init(&c, b, 6);
    ok(pylon_decode_skip(scratch, (uint32_t) id, &c) != 0,
       "skip: a vector short of items fails");

    /* big mode with 17 bytes (0x37 = 13 << 2 | 3): wider than u128 */
    hex = "04" "37" "0000000000000000000000000000000000";
    pylon_hex_decode(b, sizeof(b), &len, hex, strlen(hex));
    pylon_scale_init(&c, b, len);
    ok(pylon_decode_skip(scratch, (uint32_t) id, &c) != 0,
       "skip: a compact wider than 16 bytes fails");
}


static void
test_decimal(void)
{
    uint8_t  le[32];
    char     out[80];

    memset(le, 0, sizeof(le));
    pylon_decimal_from_le(out, le, 16);
    is_str(out, "0", "decimal of zero");

    le[0] = 0x39;
    le[1] = 0x30;
    pylon_decimal_from_le(out, le, 2);
    is_str(out, "12345", "decimal of 0x3039");

    memset(le, 0xff, sizeof(le));
    pylon_decimal_from_le(out, le, 32);
    is_str(out, "1157920892373161954235709850086879078532699846656405640394575"
           "84007913129639935", "decimal of u256 max");

    ok(pylon_utf8_valid((const uint8_t *) "h\xc3\xa9llo", 6), "utf8 valid");
    ok(!pylon_utf8_valid((const uint8_t *) "\xc0\xaf", 2), "utf8 overlong "
       "rejected");
    ok(!pylon_utf8_valid((const uint8_t *) "\xed\xa0\x80", 3), "utf8 "
       "surrogate rejected");
    ok(!pylon_utf8_valid((const uint8_t *) "\xe2\x82", 2), "utf8 truncated "
       "rejected");
}


int
main(void)
{
    pylon_meta_t  *m;

    tap_shared();

    m = fixture_meta("metadata-v15-spec343.txt");
    ok(m != NULL, "V15 343 metadata loads");
    if (m == NULL) {
        return done_testing();
    }

    test_neurons_lite(m);
    test_subnet_state(m);
    test_text_equals_tree(m, "get_neurons_lite",
                          "NeuronInfoRuntimeApi_get_neurons_lite");
    test_text_equals_tree(m, "get_subnet_state",
                          "SubnetInfoRuntimeApi_get_subnet_state");
    test_text_equals_tree(m, "get_selective_mechagraph",
                          "SubnetInfoRuntimeApi_get_selective_mechagraph");
    pylon_meta_free(m);

    test_hyperparams_318();
    test_legacy();
    test_decimal();

    pylon_legacy_cleanup();

    return done_testing();
}
