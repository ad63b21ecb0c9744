/*
 * test_chain_outcome.c: reading an extrinsic's outcome from System.Events.
 *
 * Event records are written as JSON, SCALE-encoded with the spec-343
 * registry's System.Events type and decoded back through the storage
 * decoder, so the outcome reader sees exactly the shapes it gets from a
 * node.  Covers success, a module error named with its docs, Sudo's
 * inner error, other DispatchErrors, events of other extrinsics being
 * ignored, malformed input, 1010 texts with the custom codes of chain.md
 * §7.4, and finding an extrinsic in a block by hash.
 */

#include "chain/encode.h"
#include "chain/extrinsic.h"
#include "chain/outcome.h"
#include "chain/storage.h"
#include "test_chain_fixture.h"


#define INFO  "{\"weight\": {\"ref_time\": 1, \"proof_size\": 2}, " \
              "\"class\": \"Normal\", \"pays_fee\": \"Yes\"}"


/* SCALE round trip of a JSON events array, then the outcome of index */
static int
outcome_of(pylon_outcome_t *out, const pylon_meta_t *m, const char *json,
    uint32_t index)
{
    int                          rc;
    char                         err[256];
    json_t                      *v, *events;
    pylon_buf_t                  buf;
    const pylon_meta_pallet_t   *p;
    const pylon_meta_storage_t  *e;

    memset(out, 0, sizeof(*out));

    p = pylon_meta_pallet(m, "System");
    e = pylon_meta_storage(p, "Events");

    v = json_loads(json, 0, NULL);
    if (v == NULL) {
        diag("bad test JSON: %s", json);
        return -1;
    }

    pylon_buf_init(&buf);
    if (pylon_encode(&buf, m, e->value_type, v, err, sizeof(err)) != 0) {
        diag("encode: %s", err);
        pylon_buf_free(&buf);
        json_decref(v);
        return -1;
    }
    json_decref(v);

    events = pylon_storage_value_decode(m, "System", "Events", buf.data,
                                        buf.len, err, sizeof(err));
    pylon_buf_free(&buf);
    if (events == NULL) {
        diag("decode: %s", err);
        return -1;
    }

    rc = pylon_outcome_from_events(out, m, events, index, err, sizeof(err));
    json_decref(events);

    return rc;
}


static char *
record(char *buf, size_t size, unsigned index, const char *event)
{
    snprintf(buf, size, "{\"phase\": {\"ApplyExtrinsic\": %u}, "
             "\"event\": %s, \"topics\": []}", index, event);
    return buf;
}


static void
test_events(const pylon_meta_t *m)
{
    char                         json[4096], r0[1024], r1[1024], r2[512];
    char                         r3[512], err[256];
    json_t                      *bad;
    pylon_outcome_t              o;
    const pylon_meta_variant_t  *v;

    v = pylon_meta_error_by_index(m, 7, 0);
    ok(v != NULL, "SubtensorModule has error 0");

    snprintf(json, sizeof(json), "[%s, %s, %s]",
             record(r0, sizeof(r0), 0, "{\"System\": {\"ExtrinsicSuccess\": "
                    "{\"dispatch_info\": " INFO "}}}"),
             record(r1, sizeof(r1), 1, "{\"SubtensorModule\": {\"WeightsSet\":"
                    " [1, 0]}}"),
             record(r2, sizeof(r2), 1, "{\"System\": {\"ExtrinsicSuccess\": "
                    "{\"dispatch_info\": " INFO "}}}"));

    is_int(outcome_of(&o, m, json, 1), 0, "events of a successful call");
    ok(o.found && o.success && o.error[0] == '\0', "success");
    is_int(json_array_size(o.events), 2, "two events of extrinsic 1");
    is_str(json_string_value(json_object_get(json_array_get(o.events, 0),
                                             "event")),
           "SubtensorModule.WeightsSet", "first is WeightsSet");
    bad = json_pack("[i, i]", 1, 0);
    ok(json_equal(json_object_get(json_array_get(o.events, 0), "data"), bad),
       "with its data [1, 0]");
    json_decref(bad);
    pylon_outcome_clear(&o);

    is_int(outcome_of(&o, m, json, 5), 0, "an index without events");
    ok(!o.found && json_array_size(o.events) == 0, "not found");
    pylon_outcome_clear(&o);

    /* a module error, named through the metadata */
    snprintf(json, sizeof(json), "[%s]",
             record(r0, sizeof(r0), 2, "{\"System\": {\"ExtrinsicFailed\": "
                    "{\"dispatch_error\": {\"Module\": {\"index\": 7, "
                    "\"error\": \"0x00000000\"}}, \"dispatch_info\": "
                    INFO "}}}"));
    is_int(outcome_of(&o, m, json, 2), 0, "events of a failed call");
    ok(o.found && !o.success && !o.sudo, "failure");
    snprintf(r3, sizeof(r3), "SubtensorModule.%s", v ? v->name : "?");
    is_str(o.error, r3, "the module error is named");
    ok(v != NULL && v->docs != NULL && strcmp(o.docs, v->docs) == 0,
       "with its docs: %s", o.docs);
    pylon_outcome_clear(&o);

    /* Sudo's inner error; the extrinsic itself succeeds */
    snprintf(r2, sizeof(r2), "{\"Sudo\": {\"Sudid\": {\"sudo_result\": "
             "{\"Err\": {\"Module\": {\"index\": %u, \"error\": "
             "\"0x00000000\"}}}}}}",
             pylon_meta_pallet(m, "Sudo")->index);
    snprintf(json, sizeof(json), "[%s, %s]",
             record(r0, sizeof(r0), 1, r2),
             record(r1, sizeof(r1), 1, "{\"System\": {\"ExtrinsicSuccess\": "
                    "{\"dispatch_info\": " INFO "}}}"));
    is_int(outcome_of(&o, m, json, 1), 0, "events of a sudo call");
    ok(o.found && !o.success && o.sudo, "inner failure reported");
    is_str(o.error, "Sudo.RequireSudo", "Sudo error 0 is RequireSudo");
    pylon_outcome_clear(&o);

    snprintf(json, sizeof(json), "[%s, %s]",
             record(r0, sizeof(r0), 1, "{\"Sudo\": {\"Sudid\": {\"sudo_result\""
                    ": {\"Ok\": []}}}}"),
             record(r1, sizeof(r1), 1, "{\"System\": {\"ExtrinsicSuccess\": "
                    "{\"dispatch_info\": " INFO "}}}"));
    is_int(outcome_of(&o, m, json, 1), 0, "a sudo call that worked");
    ok(o.found && o.success && !o.sudo, "is a success");
    pylon_outcome_clear(&o);

    /* other dispatch errors */
    snprintf(json, sizeof(json), "[%s, %s]",
             record(r0, sizeof(r0), 0, "{\"System\": {\"ExtrinsicFailed\": "
                    "{\"dispatch_error\": \"BadOrigin\", \"dispatch_info\": "
                    INFO "}}}"),
             record(r1, sizeof(r1), 1, "{\"System\": {\"ExtrinsicFailed\": "
                    "{\"dispatch_error\": {\"Token\": \"FundsUnavailable\"}, "
                    "\"dispatch_info\": " INFO "}}}"));
    outcome_of(&o, m, json, 0);
    is_str(o.error, "BadOrigin", "BadOrigin");
    pylon_outcome_clear(&o);
    outcome_of(&o, m, json, 1);
    is_str(o.error, "Token.FundsUnavailable", "Token.FundsUnavailable");
    pylon_outcome_clear(&o);

    /* malformed input */
    bad = json_loads("{\"a\": 1}", 0, NULL);
    is_int(pylon_outcome_from_events(&o, m, bad, 0, err, sizeof(err)), -1,
           "events not an array: error");
    json_decref(bad);
    bad = json_loads("[{\"phase\": 1, \"event\": 3}]", 0, NULL);
    is_int(pylon_outcome_from_events(&o, m, bad, 0, err, sizeof(err)), -1,
           "not an event record: error");
    json_decref(bad);
    bad = json_loads("[{\"phase\": {\"ApplyExtrinsic\": 0}, \"event\": "
                     "{\"System\": 7}}]", 0, NULL);
    is_int(pylon_outcome_from_events(&o, m, bad, 0, err, sizeof(err)), -1,
           "a malformed event: error");
    json_decref(bad);
    bad = json_loads("[{\"phase\": {\"ApplyExtrinsic\": 0}, \"event\": "
                     "{\"System\": {\"ExtrinsicFailed\": {\"dispatch_error\":"
                     " {\"Module\": {\"index\": 300, \"error\": \"zz\"}}}}}}]",
                     0, NULL);
    is_int(pylon_outcome_from_events(&o, m, bad, 0, err, sizeof(err)), 0,
           "a broken module error still reads");
    ok(o.found && !o.success && strcmp(o.error, "unknown module error") == 0,
       "as an unknown module error");
    pylon_outcome_clear(&o);
    json_decref(bad);
}


static void
invalid(const char *json, const char *want, const char *name)
{
    char     buf[256];
    json_t  *e;

    e = json_loads(json, 0, NULL);
    pylon_outcome_invalid_text(buf, sizeof(buf), e);
    is_str(buf, want, "%s", name);
    json_decref(e);
}


static void
test_invalid(void)
{
    char  small[12];

    is_str(pylon_outcome_custom_name(10), "HotKeyNotRegisteredInNetwork",
           "custom 10");
    is_str(pylon_outcome_custom_name(27), "DelegateTakeTooHigh", "custom 27");
    is_str(pylon_outcome_custom_name(255), "BadRequest", "custom 255");
    ok(pylon_outcome_custom_name(28) == NULL, "custom 28 is unknown");

    invalid("{\"code\": 1010, \"message\": \"Invalid Transaction\", "
            "\"data\": \"Custom error: 10\"}",
            "1010: Invalid Transaction: Custom error: 10 "
            "(HotKeyNotRegisteredInNetwork)", "a node's custom error");
    invalid("{\"code\": 1010, \"message\": \"Invalid Transaction\", "
            "\"data\": \"Transaction has a bad signature\"}",
            "1010: Invalid Transaction: Transaction has a bad signature",
            "a node's bad signature");
    invalid("{\"code\": 1010, \"message\": "
            "\"{\\\"invalid\\\":{\\\"badProof\\\":null}}\"}",
            "1010: {\"invalid\":{\"badProof\":null}}", "chopsticks' badProof");
    invalid("{\"code\": 1010, \"message\": "
            "\"{\\\"invalid\\\":{\\\"custom\\\":6}}\"}",
            "1010: {\"invalid\":{\"custom\":6}} (RateLimitExceeded)",
            "chopsticks' custom error");
    invalid("{\"code\": 1010, \"message\": \"Invalid Transaction\", "
            "\"data\": {\"invalid\": {\"custom\": 255}}}",
            "1010: Invalid Transaction: {\"invalid\":{\"custom\":255}} "
            "(BadRequest)", "data as JSON");
    invalid("{\"code\": 1014, \"message\": \"Priority is too low\"}",
            "1014: Priority is too low", "no data");
    invalid("[1]", "unknown error", "not an object");
    invalid("{\"code\": 1010, \"message\": \"Invalid Transaction\", "
            "\"data\": \"Custom error: 999999999999999999999\"}",
            "1010: Invalid Transaction: Custom error: 999999999999999999999",
            "an out-of-range code is not named");

    is_str(pylon_outcome_custom_in_text("1010: Invalid Transaction (Custom "
                                        "error: 10)"),
           "HotKeyNotRegisteredInNetwork", "custom code in a node's text");
    is_str(pylon_outcome_custom_in_text("1010: {\"invalid\":{\"custom\":3}}"),
           "SubnetNotExists", "custom code in chopsticks' text");
    ok(pylon_outcome_custom_in_text("1010: Custom error: x") == NULL
       && pylon_outcome_custom_in_text("Custom error: 300") == NULL
       && pylon_outcome_custom_in_text("1010: badProof") == NULL,
       "no or an unknown custom code: NULL");

    pylon_outcome_invalid_text(small, sizeof(small), NULL);
    is_str(small, "unknown err", "truncated to the buffer");
}


static void
test_xt_index(void)
{
    uint8_t  h[32], x[3] = { 0x08, 0x04, 0x00 };
    json_t  *list;

    pylon_xt_hash(h, x, sizeof(x));
    list = json_pack("[s, s, s, i]", "0x0c040001", "zz", "0x080400", 5);
    is_int(pylon_outcome_xt_index(list, h), 2, "found by hash at index 2");
    h[0] ^= 1;
    is_int(pylon_outcome_xt_index(list, h), -1, "another hash: -1");
    json_decref(list);
}


/* random JSON of event-like shapes: errors or outcomes, never a crash */
static json_t *
random_json(unsigned *seed, int depth)
{
    static const char  *keys[] = {
        "phase", "event", "ApplyExtrinsic", "System", "ExtrinsicFailed",
        "ExtrinsicSuccess", "dispatch_error", "Module", "index", "error",
        "Sudo", "Sudid", "sudo_result", "Err", "Token"
    };
    unsigned            i, n, k;
    json_t             *v;

    k = rand_r(seed) % (depth > 4 ? 4 : 7);

    switch (k) {
    case 0:
        return json_integer((json_int_t) (rand_r(seed) % 600) - 100);
    case 1:
        return json_string(keys[rand_r(seed) % 15]);
    case 2:
        return json_null();
    case 3:
        return json_string("0x0700");
    case 4:
    case 5:
        v = json_object();
        n = rand_r(seed) % 3;
        for (i = 0; i < n; i++) {
            json_object_set_new(v, keys[rand_r(seed) % 15],
                                random_json(seed, depth + 1));
        }
        return v;
    default:
        v = json_array();
        n = rand_r(seed) % 3;
        for (i = 0; i < n; i++) {
            json_array_append_new(v, random_json(seed, depth + 1));
        }
        return v;
    }
}


static json_t *
random_record(unsigned *seed)
{
    json_t  *r, *e;

    r = json_object();
    json_object_set_new(r, "phase", rand_r(seed) % 4
                        ? json_pack("{s:i}", "ApplyExtrinsic",
                                    rand_r(seed) % 3)
                        : random_json(seed, 2));
    e = json_object();
    json_object_set_new(e, rand_r(seed) % 2 ? "System" : "Sudo",
                        random_json(seed, 1));
    json_object_set_new(r, "event", rand_r(seed) % 8 ? e
                                                     : random_json(seed, 2));
    if (json_object_get(r, "event") != e) {
        json_decref(e);
    }

    return r;
}


static void
test_fuzz(const pylon_meta_t *m)
{
    char             err[256], name[64], docs[64];
    unsigned         seed, i, errors;
    json_t          *v;
    pylon_outcome_t  o;

    seed = 7;
    errors = 0;

    for (i = 0; i < 20000; i++) {
        v = json_array();
        json_array_append_new(v, random_record(&seed));
        json_array_append_new(v, rand_r(&seed) % 4 ? random_record(&seed)
                                                   : random_json(&seed, 0));

        if (pylon_outcome_from_events(&o, m, v, rand_r(&seed) % 3, err,
                                      sizeof(err)) != 0)
        {
            errors++;
        } else {
            pylon_outcome_clear(&o);
        }

        pylon_outcome_dispatch_error(name, sizeof(name), docs, sizeof(docs),
                                     m, json_array_get(v, 0));
        json_decref(v);
    }

    ok(errors > 0 && errors < 20000, "20000 random event lists: %u refused, "
       "the rest read, no crash", errors);
}


int
main(void)
{
    pylon_meta_t  *m;

    test_invalid();
    test_xt_index();

    m = fixture_meta("metadata-v15-spec343.txt");
    if (m == NULL) {
        ok(0, "metadata parses");
        return done_testing();
    }

    test_events(m);
    test_fuzz(m);
    pylon_meta_free(m);

    return done_testing();
}
