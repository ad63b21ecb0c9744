/*
 * test_chain_encode.c: JSON → SCALE through the registry.  Round trips
 * of recorded mainnet data and every pallet constant must give back the
 * original bytes; call and runtime-API vectors come from chain.md §4, §6.5
 * and §12; malformed JSON must fail and leave the buffer as it was.
 */

#include "test_chain_fixture.h"

#include "chain/decode.h"
#include "chain/encode.h"
#include "chain/runtime_api.h"


static void
test_round_trip_recorded(const pylon_meta_t *m, const char *api,
    const char *method)
{
    const pylon_meta_method_t  *me;
    pylon_buf_t                 out;
    uint8_t                    *b;
    size_t                      len;
    json_t                     *j;
    char                        err[160];

    b = recorded_call(method, &len);
    me = pylon_meta_api_method(m, api, method);
    if (b == NULL || me == NULL) {
        ok(0, "%s loads", method);
        free(b);
        return;
    }

    j = pylon_decode_all(m, me->output, b, len, err, sizeof(err));
    pylon_buf_init(&out);

    ok(j != NULL && pylon_encode(&out, m, me->output, j, err, sizeof(err))
       == 0, "%s: decoded JSON encodes %s", method, j ? "" : err);
    ok(out.len == len && memcmp(out.data, b, len) == 0,
       "%s: encode(decode(bytes)) == bytes (%zu bytes)", method, len);

    pylon_buf_free(&out);
    json_decref(j);
    free(b);
}


static void
test_round_trip_constants(const char *name)
{
    const pylon_meta_pallet_t  *p;
    const pylon_meta_const_t   *c;
    pylon_meta_t               *m;
    pylon_buf_t                 out;
    json_t                     *j;
    uint32_t                    i, k, n, same;

    m = fixture_meta(name);
    if (m == NULL) {
        ok(0, "%s loads", name);
        return;
    }

    n = same = 0;
    pylon_buf_init(&out);

    for (i = 0; i < m->npallets; i++) {
        p = &m->pallets[i];

        for (k = 0; k < p->nconsts; k++) {
            c = &p->consts[k];
            n++;

            j = pylon_decode_all(m, c->type, c->value, c->len, NULL, 0);
            out.len = 0;

            if (j != NULL && pylon_encode(&out, m, c->type, j, NULL, 0) == 0
                && out.len == c->len && memcmp(out.data, c->value, c->len)
                == 0)
            {
                same++;

            } else {
                diag("%s.%s does not round-trip", p->name, c->name);
            }

            json_decref(j);
        }
    }

    ok(n > 100 && same == n, "%s: all %u constants round-trip", name, n);

    pylon_buf_free(&out);
    pylon_meta_free(m);
}


static void
encodes_to(const pylon_meta_t *m, int64_t type, const char *json,
    const char *hex, const char *what)
{
    pylon_buf_t   out;
    json_t       *j;
    char          err[160];

    j = json_loads(json, JSON_DECODE_ANY, NULL);
    pylon_buf_init(&out);

    if (j == NULL || type < 0
        || pylon_encode(&out, m, (uint32_t) type, j, err, sizeof(err)) != 0)
    {
        ok(0, "%s: %s", what, j ? err : "bad test JSON");

    } else {
        is_hex(out.data, out.len, hex, what);
    }

    pylon_buf_free(&out);
    json_decref(j);
}


static void
fails(const pylon_meta_t *m, int64_t type, const char *json,
    const char *what)
{
    pylon_buf_t   out;
    json_t       *j;
    char          err[160];

    j = json_loads(json, JSON_DECODE_ANY, NULL);
    pylon_buf_init(&out);
    pylon_buf_put(&out, "x", 1);

    ok(j != NULL && type >= 0
       && pylon_encode(&out, m, (uint32_t) type, j, err, sizeof(err)) == -1
       && out.len == 1, "%s fails: %s", what, err);

    pylon_buf_free(&out);
    json_decref(j);
}


static int64_t
prim(const pylon_meta_t *m, pylon_prim_e p)
{
    uint32_t  i;

    for (i = 0; i < m->ntypes; i++) {
        if (m->types[i].kind == PYLON_TYPE_PRIMITIVE && m->types[i].prim == p) {
            return i;
        }
    }

    return -1;
}


static void
test_vectors(const pylon_meta_t *m)
{
    pylon_buf_t  out;
    json_t      *args;
    char         err[160];

    /* chain.md §4: state_call params */
    pylon_buf_init(&out);
    args = json_loads("[1, 0, [0, 1, 2]]", 0, NULL);
    ok(pylon_encode_api_args(&out, m, "SubnetInfoRuntimeApi",
                             "get_selective_mechagraph", args, err,
                             sizeof(err)) == 0, "mechagraph args encode");
    is_hex(out.data, out.len, "0x0100000c000001000200",
           "get_selective_mechagraph(1, 0, [0,1,2])");
    json_decref(args);

    out.len = 0;
    args = json_loads("[1, 29]", 0, NULL);
    pylon_encode_api_args(&out, m, "NeuronInfoRuntimeApi", "get_neuron",
                          args, err, sizeof(err));
    is_hex(out.data, out.len, "0x01001d00", "get_neuron(1, 29)");

    out.len = 0;
    ok(pylon_encode_api_args(&out, m, "NeuronInfoRuntimeApi",
                             "get_neurons_lite", args, err, sizeof(err))
       == -1, "wrong argument count fails: %s", err);
    json_decref(args);
    pylon_buf_free(&out);

    /* chain.md §6.5 and §12: calls through the outer RuntimeCall enum */
    encodes_to(m, m->outer_call,
               "{\"SubtensorModule\": {\"set_mechanism_weights\": "
               "{\"netuid\": 1, \"mecid\": 0, \"dests\": [0, 1, 5], "
               "\"weights\": [65535, 32768, 1], \"version_key\": 0}}}",
               "07770100000c0000010005000cffff008001000000000000000000",
               "set_mechanism_weights call (chain.md 6.5)");
    encodes_to(m, m->outer_call,
               "{\"Commitments\": {\"set_commitment\": {\"netuid\": 1, "
               "\"info\": {\"fields\": [{\"Raw5\": \"0x68656c6c6f\"}]}}}}",
               "12000100040668656c6c6f",
               "set_commitment Raw(\"hello\") call (chain.md 12)");

    /* integers, accounts, options */
    encodes_to(m, prim(m, PYLON_PRIM_U64), "\"18446744073709551615\"",
               "ffffffffffffffff", "u64 max from a decimal string");
    encodes_to(m, prim(m, PYLON_PRIM_U16), "513", "0102", "u16 513");
    encodes_to(m, pylon_meta_type_find(m, "AccountId32"),
               "\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"",
               "d43593c715fdd31c61141abd04a99fd6822c855"
               "8854ccde39a5684e7a56da27d", "AccountId32 from SS58");

    fails(m, prim(m, PYLON_PRIM_U16), "70000", "u16 70000");
    fails(m, prim(m, PYLON_PRIM_U16), "-1", "u16 -1");
    fails(m, prim(m, PYLON_PRIM_U16), "\"12a\"", "u16 \"12a\"");
    fails(m, prim(m, PYLON_PRIM_BOOL), "1", "bool from 1");
    fails(m, pylon_meta_type_find(m, "AccountId32"),
          "\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ\"",
          "AccountId32 with a bad checksum");
    fails(m, m->outer_call, "{\"SubtensorModule\": {\"no_such_call\": null}}",
          "unknown call");
    fails(m, m->outer_call,
          "{\"SubtensorModule\": {\"set_mechanism_weights\": {\"netuid\": 1}}}",
          "call with missing arguments");
    fails(m, m->outer_call,
          "{\"Commitments\": {\"set_commitment\": {\"netuid\": 1, "
          "\"info\": {\"fields\": [{\"Raw5\": \"0x6865\"}]}}}}",
          "Raw5 with 2 bytes");
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

    test_round_trip_recorded(m, "NeuronInfoRuntimeApi", "get_neurons_lite");
    test_round_trip_recorded(m, "SubnetInfoRuntimeApi", "get_subnet_state");
    test_round_trip_recorded(m, "SubnetInfoRuntimeApi",
                             "get_selective_mechagraph");
    test_vectors(m);
    pylon_meta_free(m);

    test_round_trip_constants("metadata-v15-spec343.txt");
    test_round_trip_constants("metadata-v14-spec343.txt");
    test_round_trip_constants("metadata-v15-spec318.json");

    return done_testing();
}
