/*
 * test_chain_value.c: typed accessors (value.h) on recorded mainnet data,
 * checked against the JSON decoder's output for every neuron, plus
 * shape errors and the legacy registry.
 */

#include "test_chain_fixture.h"

#include "chain/decode.h"
#include "chain/legacy.h"
#include "chain/runtime_api.h"
#include "chain/ss58.h"
#include "chain/value.h"


static int
ss58_is(const uint8_t *pub, size_t n, json_t *want)
{
    char  addr[PYLON_SS58_MAX_CHARS];

    return n == 32 && pylon_ss58_encode(addr, sizeof(addr), pub, 42) > 0
           && json_is_string(want)
           && strcmp(addr, json_string_value(want)) == 0;
}


static void
test_neurons(const pylon_meta_t *m)
{
    pylon_val_iter_t   it;
    pylon_val_t        all, n, f, ax, st, e;
    const uint8_t     *b, *key;
    json_t            *j, *jn;
    uint64_t           uid, port, stake, lu;
    size_t             len, klen, count, i, good;
    int                permit, rc;
    char               err[160];

    b = recorded_call("get_neurons_lite", &len);
    ok(b != NULL, "recorded neurons_lite loads");
    if (b == NULL) {
        return;
    }

    ok(pylon_runtime_api_value(&all, m, "NeuronInfoRuntimeApi",
                               "get_neurons_lite", b, len, err,
                               sizeof(err)) == 0, "neurons_lite as a value");
    ok(pylon_val_count(&count, &all) == 0 && count == 1024,
       "count is 1024");

    j = pylon_runtime_api_decode(m, "NeuronInfoRuntimeApi", "get_neurons_lite",
                                 b, len, err, sizeof(err));

    ok(pylon_val_iter(&it, &all) == 0, "iterate neurons");
    good = 0;
    i = 0;

    while ((rc = pylon_val_next(&it, &n)) == 1) {
        jn = json_array_get(j, i++);

        if (pylon_val_field(&f, &n, "uid") != 0
            || pylon_val_uint(&uid, &f) != 0
            || (json_int_t) uid != json_integer_value(json_object_get(jn,
                                                                  "uid")))
        {
            continue;
        }

        if (pylon_val_field(&f, &n, "hotkey") != 0
            || pylon_val_bytes(&key, &klen, &f) != 0
            || !ss58_is(key, klen, json_object_get(jn, "hotkey")))
        {
            continue;
        }

        if (pylon_val_field(&f, &n, "coldkey") != 0
            || pylon_val_bytes(&key, &klen, &f) != 0
            || !ss58_is(key, klen, json_object_get(jn, "coldkey")))
        {
            continue;
        }

        if (pylon_val_field(&ax, &n, "axon_info") != 0
            || pylon_val_field(&f, &ax, "port") != 0
            || pylon_val_uint(&port, &f) != 0
            || (json_int_t) port != json_integer_value(json_object_get(
                   json_object_get(jn, "axon_info"), "port")))
        {
            continue;
        }

        /* stake: Vec<(AccountId32, Compact<AlphaBalance>)> */
        if (pylon_val_field(&st, &n, "stake") != 0
            || pylon_val_index(&e, &st, 0) != 0
            || pylon_val_index(&f, &e, 1) != 0
            || pylon_val_uint(&stake, &f) != 0
            || (json_int_t) stake != json_integer_value(json_array_get(
                   json_array_get(json_object_get(jn, "stake"), 0), 1)))
        {
            continue;
        }

        if (pylon_val_field(&f, &n, "validator_permit") != 0
            || pylon_val_bool(&permit, &f) != 0
            || permit != json_is_true(json_object_get(jn,
                                                      "validator_permit")))
        {
            continue;
        }

        if (pylon_val_field(&f, &n, "last_update") != 0
            || pylon_val_uint(&lu, &f) != 0
            || (json_int_t) lu != json_integer_value(json_object_get(jn,
                                                         "last_update")))
        {
            continue;
        }

        good++;
    }

    is_int(rc, 0, "iteration ends cleanly");
    is_int(good, 1024, "uid, keys, axon port, stake, permit, last_update of "
           "all 1024 neurons equal the JSON decoder's");

    ok(pylon_val_index(&n, &all, 1023) == 0
       && pylon_val_field(&f, &n, "uid") == 0
       && pylon_val_uint(&uid, &f) == 0 && uid == 1023,
       "index 1023 is uid 1023");
    ok(pylon_val_index(&n, &all, 1024) == -1, "index 1024 is out of range");

    pylon_val_index(&n, &all, 0);
    ok(pylon_val_field(&f, &n, "no_such_field") == -1, "unknown field: -1");
    pylon_val_field(&f, &n, "active");
    ok(pylon_val_uint(&uid, &f) == -1, "uint of a bool: -1");
    pylon_val_field(&f, &n, "uid");
    ok(pylon_val_bytes(&key, &klen, &f) == -1, "bytes of an integer: -1");
    ok(pylon_val_option(&e, &f) == -1, "option of an integer: -1");

    ok(pylon_runtime_api_value(&all, m, "NeuronInfoRuntimeApi",
                               "get_neurons_lite", b, len - 1, err,
                               sizeof(err)) == -1, "truncated result: -1 (%s)",
       err);

    json_decref(j);
    free((void *) b);
}


static void
test_subnet_state(const pylon_meta_t *m)
{
    pylon_val_t     v, s, f, e;
    pylon_val_iter_t it;
    const uint8_t  *b;
    size_t          len, n;
    uint64_t        x, sum;
    char            err[160];
    int             rc;

    b = recorded_call("get_subnet_state", &len);
    if (b == NULL) {
        ok(0, "recorded subnet_state loads");
        return;
    }

    ok(pylon_runtime_api_value(&v, m, "SubnetInfoRuntimeApi",
                               "get_subnet_state", b, len, err,
                               sizeof(err)) == 0, "subnet_state as a value");
    ok(pylon_val_option(&s, &v) == 1, "Option<SubnetState> is Some");

    ok(pylon_val_field(&f, &s, "netuid") == 0 && pylon_val_uint(&x, &f) == 0
       && x == 1, "netuid (Compact<NetUid>) is 1");

    ok(pylon_val_field(&f, &s, "total_stake") == 0
       && pylon_val_count(&n, &f) == 0 && n == 1024,
       "total_stake has 1024 entries");

    sum = 0;
    pylon_val_iter(&it, &f);
    while ((rc = pylon_val_next(&it, &e)) == 1) {
        if (pylon_val_uint(&x, &e) != 0) {
            rc = -1;
            break;
        }
        sum += x;
    }
    ok(rc == 0 && sum > 0, "sum of total_stake %llu", (unsigned long long) sum);

    free((void *) b);
}


static void
test_legacy_value(void)
{
    const pylon_meta_t  *reg;
    pylon_val_t          v, f;
    uint8_t              b[128];
    size_t               len;
    uint64_t             x;
    int64_t              id;
    int                  empty;

    reg = pylon_legacy_registry();
    id = pylon_legacy_api_type("SubnetInfoRuntimeApi",
                               "get_subnet_hyperparams", &empty);

    /* the spec-318 hyperparams vector minus its Option tag has the same
       27 fields as the spec-218 layout */
    len = 0;
    pylon_hex_decode(b, sizeof(b), &len,
        "28feff0100014000feff03009101025a620213ffffffffffffff3f00910191"
        "01214e010882841e000700e876481782ee360004c8010100025a620204009a99"
        "0300cecc020000", 140);

    is_int(len, 70, "hyperparams struct is 70 bytes");
    ok(id >= 0 && pylon_val_init(&v, reg, (uint32_t) id, b, len) == 0,
       "legacy SubnetHyperparams value");
    ok(pylon_val_field(&f, &v, "tempo") == 0 && pylon_val_uint(&x, &f) == 0
       && x == 100, "legacy tempo 100");
    ok(pylon_val_field(&f, &v, "max_difficulty") == 0
       && pylon_val_uint(&x, &f) == 0 && x == 4611686018427387903ULL,
       "legacy max_difficulty");
    ok(pylon_val_init(&v, reg, (uint32_t) id, b, len - 1) == -1,
       "truncated legacy value: -1");
}


int
main(void)
{
    pylon_meta_t  *m;

    tap_shared();

    m = fixture_meta("metadata-v15-spec343.txt");
    ok(m != NULL, "V15 343 loads");
    if (m == NULL) {
        return done_testing();
    }

    test_neurons(m);
    test_subnet_state(m);
    pylon_meta_free(m);

    test_legacy_value();
    pylon_legacy_cleanup();

    return done_testing();
}
