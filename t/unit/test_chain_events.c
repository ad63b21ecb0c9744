/*
 * test_chain_events.c: extrinsic outcomes from System.Events, on event
 * records built with the encoder from the spec-343 registry (a success,
 * a module error resolved to its name and docs, a non-module error).
 */

#include "test_chain_fixture.h"

#include "chain/encode.h"
#include "chain/events.h"


static const char  *records =
    "[{\"phase\": {\"ApplyExtrinsic\": 0},"
    "  \"event\": {\"System\": {\"ExtrinsicSuccess\": {\"dispatch_info\":"
    "    {\"weight\": {\"ref_time\": 1, \"proof_size\": 0},"
    "     \"class\": \"Mandatory\", \"pays_fee\": \"Yes\"}}}},"
    "  \"topics\": []},"
    " {\"phase\": {\"ApplyExtrinsic\": 1},"
    "  \"event\": {\"Balances\": {\"Withdraw\": {\"who\":"
    "    \"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\","
    "    \"amount\": 5}}},"
    "  \"topics\": []},"
    " {\"phase\": {\"ApplyExtrinsic\": 1},"
    "  \"event\": {\"System\": {\"ExtrinsicFailed\": {\"dispatch_error\":"
    "    {\"Module\": {\"index\": 7, \"error\": \"0x%02x000000\"}},"
    "    \"dispatch_info\": {\"weight\": {\"ref_time\": 1, \"proof_size\": 0},"
    "     \"class\": \"Normal\", \"pays_fee\": \"Yes\"}}}},"
    "  \"topics\": []},"
    " {\"phase\": {\"ApplyExtrinsic\": 2},"
    "  \"event\": {\"System\": {\"ExtrinsicFailed\": {\"dispatch_error\":"
    "    \"BadOrigin\","
    "    \"dispatch_info\": {\"weight\": {\"ref_time\": 1, \"proof_size\": 0},"
    "     \"class\": \"Normal\", \"pays_fee\": \"Yes\"}}}},"
    "  \"topics\": []},"
    " {\"phase\": \"Finalization\","
    "  \"event\": {\"System\": {\"NewAccount\": {\"account\":"
    "    \"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"}}},"
    "  \"topics\": []}]";


int
main(void)
{
    const pylon_meta_variant_t  *v;
    const pylon_meta_pallet_t   *sys;
    pylon_meta_t                *m;
    pylon_buf_t                  b;
    json_t                      *j, *out, *e;
    char                         text[4096], err[160];

    tap_shared();

    m = fixture_meta("metadata-v15-spec343.txt");
    if (m == NULL) {
        ok(0, "V15 343 loads");
        return done_testing();
    }

    v = pylon_meta_variant(pylon_meta_type(m,
            pylon_meta_pallet(m, "SubtensorModule")->error),
            "CommitRevealEnabled");
    ok(v != NULL, "error CommitRevealEnabled exists");

    snprintf(text, sizeof(text), records, v ? v->index : 0);
    j = json_loads(text, 0, NULL);
    ok(j != NULL, "test records parse");

    sys = pylon_meta_pallet(m, "System");
    pylon_buf_init(&b);
    ok(pylon_encode(&b, m, pylon_meta_storage(sys, "Events")->value_type, j,
                    err, sizeof(err)) == 0, "records encode as System.Events"
       " %s", err);
    json_decref(j);

    out = pylon_events_outcome(m, b.data, b.len, 0, err, sizeof(err));
    ok(out != NULL && json_is_true(json_object_get(out, "success"))
       && json_is_null(json_object_get(out, "error")),
       "extrinsic 0 succeeded");
    is_int(json_array_size(json_object_get(out, "events")), 1,
           "extrinsic 0 has one event");
    json_decref(out);

    out = pylon_events_outcome(m, b.data, b.len, 1, err, sizeof(err));
    e = json_object_get(out, "error");
    ok(out != NULL && json_is_false(json_object_get(out, "success")),
       "extrinsic 1 failed");
    is_str(json_string_value(json_object_get(e, "pallet")), "SubtensorModule",
           "module error pallet resolved");
    is_str(json_string_value(json_object_get(e, "name")),
           "CommitRevealEnabled", "module error name resolved");
    ok(json_string_length(json_object_get(e, "docs")) > 0,
       "module error docs: %s", json_string_value(json_object_get(e, "docs")));
    is_int(json_array_size(json_object_get(out, "events")), 2,
           "extrinsic 1 has two events (Withdraw, ExtrinsicFailed)");
    json_decref(out);

    out = pylon_events_outcome(m, b.data, b.len, 2, err, sizeof(err));
    e = json_object_get(out, "error");
    ok(out != NULL && json_is_false(json_object_get(out, "success"))
       && json_is_string(json_object_get(e, "dispatch_error"))
       && strcmp(json_string_value(json_object_get(e, "dispatch_error")),
                 "BadOrigin") == 0,
       "non-module error kept as dispatch_error \"BadOrigin\"");
    json_decref(out);

    out = pylon_events_outcome(m, b.data, b.len, 3, err, sizeof(err));
    ok(out == NULL, "no outcome for extrinsic 3: %s", err);
    out = pylon_events_outcome(m, b.data, b.len - 1, 0, err, sizeof(err));
    ok(out == NULL, "truncated events fail: %s", err);

    pylon_buf_free(&b);
    pylon_meta_free(m);

    return done_testing();
}
