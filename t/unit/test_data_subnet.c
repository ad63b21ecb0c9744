/*
 * test_data_subnet.c: Pylon's subnet bodies (bittensor/subnet.h) and
 * Python-repr floats (bittensor/pyfloat.h).
 *
 * Floats: vectors printed by CPython's repr().  Bodies: the recorded
 * finney block 6852690 (spec 343, subnet 1, 1024 neurons) with the
 * chain.md §9.1 CommitmentOf vector and a certificate, checked for shape,
 * order and values; then every truncation and many corruptions of the
 * inputs must fail cleanly (the ASan build checks memory).
 */

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "test_chain_fixture.h"

#include "bittensor/pyfloat.h"
#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/ss58.h"


static const struct {
    double       v;
    const char  *repr;
} floats[] = {
    { 0.0, "0.0" },
    { -0.0, "-0.0" },
    { 1.0, "1.0" },
    { 0.5, "0.5" },
    { 1e-05, "1e-05" },
    { 0.0001, "0.0001" },
    { 1e+16, "1e+16" },
    { 1234567890123456.0, "1234567890123456.0" },
    { 1.2345678901234568e+16, "1.2345678901234568e+16" },
    { 0.3333333333333333, "0.3333333333333333" },
    { 0.18837262531471732, "0.18837262531471732" },
    { 1.5259021896696422e-05, "1.5259021896696422e-05" },
    { 0.9999847409781033, "0.9999847409781033" },
    { 1e+22, "1e+22" },
    { 123.456, "123.456" },
    { -2.5, "-2.5" },
    { 5e-324, "5e-324" },
    { 1.7976931348623157e+308, "1.7976931348623157e+308" },
    { 0.1, "0.1" },
    { 2.5e-05, "2.5e-05" },
    { 100.0, "100.0" },
    { 9999999999999998.0, "9999999999999998.0" },
    { 5.999999994, "5.999999994" },
    { 0.910002289, "0.910002289" },
    { 1000000000000000.0, "1000000000000000.0" },
    { 123456789.12345679, "123456789.12345679" },
};


typedef struct {
    json_t  *bodies;         /* route or route/item -> parsed body */
    int      order[8];
    int      n;
    int      fail_at;        /* make the n-th put fail (-1: never) */
} collect_t;


static int
collect(void *data, const char *route, const char *item, const uint8_t *body,
    size_t len)
{
    collect_t     *c = data;
    json_t        *j;
    json_error_t   e;
    char           key[160];

    if (c->fail_at >= 0 && c->n++ == c->fail_at) {
        return -1;
    }

    snprintf(key, sizeof(key), "%s%s%s", route, item ? "/" : "",
             item ? item : "");

    j = len ? json_loadb((const char *) body, len, 0, &e)
            : json_string("");                /* an item without v1 shape */
    if (j == NULL) {
        diag("%s: not JSON: %s", key, e.text);
        j = json_null();
    }

    json_object_set_new(c->bodies, key, j);

    return 0;
}


/* compact JSON text of v in a static buffer (insertion order) */
static const char *
json_dumps_ok(const json_t *v)
{
    static char  buf[1024];
    char        *t;

    t = v ? json_dumps(v, JSON_COMPACT) : NULL;
    snprintf(buf, sizeof(buf), "%s", t ? t : "(null)");
    free(t);
    return buf;
}


static char *
recorded(json_t *rec, const char *method)
{
    const char  *k;
    json_t      *v;

    json_object_foreach(json_object_get(json_object_get(rec, "metagraph"),
                                        "state_call"), k, v)
    {
        if (strstr(k, method)) {
            return (char *) json_string_value(json_object_get(v, "result"));
        }
    }

    return NULL;
}


int
main(void)
{
    size_t              i, nlen, slen, len, n, bad;
    char                buf[PYLON_PYFLOAT_MAX_CHARS], path[1024], err[256];
    char                alice[PYLON_SS58_MAX_CHARS];
    uint8_t            *neurons, *state, *copy;
    uint8_t             ckey[32 + 2 + 8 + 32], cval[64];
    uint8_t             tkey[32 + 2 + 16 + 32], tval[64];
    uint8_t             tle_val[64], reg_pub[32];
    uint16_t            reg_prefix;
    size_t              tle_len;
    char                regname[64], want[256];
    const char         *first_hk;
    json_t             *rec, *nb, *vals, *v, *first;
    json_error_t        je;
    pylon_meta_t       *m;
    collect_t           c;
    pylon_subnet_kv_t   commit, cert;
    pylon_subnet_input_t in;
    const char         *key;
    double              prev;
    int                 rc, sorted;

    static const uint8_t alice_pub[32] = {
        0xd4, 0x35, 0x93, 0xc7, 0x15, 0xfd, 0xd3, 0x1c, 0x61, 0x14, 0x1a,
        0xbd, 0x04, 0xa9, 0x9f, 0xd6, 0x82, 0x2c, 0x85, 0x58, 0x85, 0x4c,
        0xcd, 0xe3, 0x9a, 0x56, 0x84, 0xe7, 0xa5, 0x6d, 0xa2, 0x7d
    };

    /* floats */

    for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
        pylon_pyfloat_format(buf, floats[i].v);
        is_str(buf, floats[i].repr, "repr(%s)", floats[i].repr);
    }

    pylon_pyfloat_format(buf, NAN);
    is_str(buf, "null", "NaN is null");

    /* the recorded mainnet subnet */

    m = fixture_meta("metadata-v15-spec343.txt");

    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             tap_shared());
    rec = json_load_file(path, 0, &je);
    ok(rec != NULL, "recording loads");
    if (rec == NULL) {
        return done_testing();
    }

    if (pylon_hex_decode_alloc(&neurons, &nlen,
                               recorded(rec, "get_neurons_lite"),
                               strlen(recorded(rec, "get_neurons_lite")))
        != 0
        || pylon_hex_decode_alloc(&state, &slen,
                                  recorded(rec, "get_subnet_state"),
                                  strlen(recorded(rec, "get_subnet_state")))
           != 0)
    {
        skip_all("recording without the subnet calls");
    }

    /* CommitmentOf(1, Alice) = prefix ++ 0100 ++ twox64 ++ Alice (§9.1) */

    ok(pylon_hex_decode(ckey, 34, &len,
          "ca407206ec1ab726b2636c4b145ac287419a60ae8b01e6dcaebd7317e43c69bf"
          "0100", 68) == 0, "commitment prefix");
    memcpy(ckey + 34, "\x51\x83\x66\xb5\xb1\xbc\x7c\x99", 8);
    memcpy(ckey + 42, alice_pub, 32);
    pylon_hex_decode(cval, sizeof(cval), &len,
                     "0x000000000000000021010000040500010203", 38);
    commit.key = ckey;
    commit.keylen = sizeof(ckey);
    commit.val = cval;
    commit.vallen = len;

    /* NeuronCertificates(1, Alice) = {public_key: [0xab; 32], alg 1} */

    pylon_hex_decode(tkey, 50, &len,
          "658faa385070e074c85bf6b568cf0555805f1c4b7f54d8f4208070bfc777e2db"
          "0100de1e86a9a8c739864cf3cc5ec2bea59f", 100);
    memcpy(tkey + 50, alice_pub, 32);
    tval[0] = 32 << 2;
    memset(tval + 1, 0xab, 32);
    tval[33] = 1;
    cert.key = tkey;
    cert.keylen = sizeof(tkey);
    cert.val = tval;
    cert.vallen = 34;

    memset(&in, 0, sizeof(in));
    in.meta = m;
    in.block = 6852690;
    in.hash = "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e5"
              "7329ef9d0";
    in.neurons = neurons;
    in.neurons_len = nlen;
    in.state = state;
    in.state_len = slen;
    in.commitments = &commit;
    in.ncommitments = 1;
    in.certificates = &cert;
    in.ncertificates = 1;

    memset(&c, 0, sizeof(c));
    c.bodies = json_object();
    c.fail_at = -1;

    rc = pylon_subnet_render(&in, collect, &c, err, sizeof(err));
    is_int(rc, 0, "render the recorded subnet");
    if (rc != 0) {
        diag("%s", err);
    }

    nb = json_object_get(json_object_get(c.bodies, "neurons"), "neurons");
    is_int(json_object_size(nb), 1024, "1024 neurons");
    is_int(json_integer_value(json_object_get(json_object_get(json_object_get(
               c.bodies, "neurons"), "block"), "number")), 6852690,
           "block number");

    i = 0;
    bad = 0;
    json_object_foreach(nb, key, v) {
        if ((size_t) json_integer_value(json_object_get(v, "uid")) != i++
            || strcmp(json_string_value(json_object_get(v, "hotkey")), key)
            || json_object_size(v) != 17
            || json_object_size(json_object_get(v, "stakes")) != 3
            || json_real_value(json_object_get(v, "rank")) > 1.0)
        {
            bad++;
        }
    }
    is_int(bad, 0, "neurons in uid order, keyed by hotkey, 17 fields");

    vals = json_object_get(json_object_get(c.bodies, "validators"),
                           "validators");
    ok(json_array_size(vals) > 0, "validators: %zu", json_array_size(vals));
    sorted = 1;
    prev = INFINITY;
    json_array_foreach(vals, i, v) {
        double  t = json_number_value(json_object_get(json_object_get(v,
                                          "stakes"), "total"));
        if (t > prev || !json_is_true(json_object_get(v,
                                                      "validator_permit")))
        {
            sorted = 0;
        }
        prev = t;
    }
    ok(sorted, "validators hold permits, sorted by total stake");

    first = json_array_get(vals, 0);
    ok(json_equal(first, json_object_get(nb, json_string_value(
                      json_object_get(first, "hotkey")))),
       "a validator is the same Neuron as in the map");

    pylon_ss58_encode(alice, sizeof(alice), alice_pub, PYLON_SS58_PREFIX);
    snprintf(path, sizeof(path), "commitment/%s", alice);

    /* Alice is not registered on the recorded subnet: items only (v2) */

    v = json_object_get(json_object_get(c.bodies, "commitments"),
                        "commitments");
    ok(v && json_object_size(v) == 0, "v1 list: registered hotkeys only");
    v = json_object_get(json_object_get(c.bodies, "commitments_full"),
                        "commitments");
    ok(v && json_object_size(v) == 0, "_unstable list: registered only");
    v = json_object_get(c.bodies, path);
    is_int(json_integer_value(json_object_get(v, "commitment_block_number")),
           289, "commitment block");
    is_str(json_string_value(json_object_get(v, "hotkey")), alice,
           "commitment hotkey");
    ok(json_object_get(v, "block") != NULL, "item carries the query block");
    ok(json_object_size(v) == 4 && !json_object_get(v, "kind"),
       "v1 item: flat, no kind");
    snprintf(path, sizeof(path), "commitment_full/%s", alice);
    v = json_object_get(c.bodies, path);
    ok(v && json_object_size(v) == 2 && json_object_get(v, "block"),
       "_unstable item: {commitment, block}");
    v = json_object_get(v, "commitment");
    is_str(json_string_value(json_object_get(v, "kind")), "hex_data",
           "_unstable item kind");
    is_str(json_string_value(json_object_get(v, "commitment")), "0x00010203",
           "_unstable item bytes");

    /* the same commitment by uid 0's hotkey, which is registered */

    first_hk = json_object_iter_key(json_object_iter(nb));
    ok(first_hk && pylon_ss58_decode(reg_pub, &reg_prefix, first_hk,
                                         strlen(first_hk)) == 0,
       "uid 0 hotkey decodes");
    memcpy(ckey + 42, reg_pub, 32);
    snprintf(regname, sizeof(regname), "%s", first_hk);
    json_decref(c.bodies);
    memset(&c, 0, sizeof(c));
    c.bodies = json_object();
    c.fail_at = -1;
    is_int(pylon_subnet_render(&in, collect, &c, err, sizeof(err)), 0,
           "render with a registered committer");
    v = json_object_get(json_object_get(c.bodies, "commitments"),
                        "commitments");
    is_str(json_string_value(json_object_get(v, regname)), "0x00010203",
           "v1 commitment is the Raw4 bytes");
    v = json_object_get(json_object_get(json_object_get(c.bodies,
                            "commitments_full"), "commitments"), regname);
    ok(v && json_object_size(v) == 4, "_unstable commitment object");
    is_str(json_string_value(json_object_get(v, "kind")), "hex_data",
           "kind first");
    ok(strncmp(json_dumps_ok(v), "{\"kind\":\"hex_data\","
               "\"commitment_block_number\":289,", 44) == 0,
       "key order kind, commitment_block_number, hotkey, commitment");

    /* TimelockEncrypted {encrypted, reveal_round} (variant 0x86, spec 343) */

    pylon_hex_decode(tle_val, sizeof(tle_val), &tle_len,
                     "0x00000000000000002a000000" "0486" "0caabbcc"
                     "4101000000000000", 2 + 24 + 4 + 8 + 16);
    commit.val = tle_val;
    commit.vallen = tle_len;
    json_decref(c.bodies);
    memset(&c, 0, sizeof(c));
    c.bodies = json_object();
    c.fail_at = -1;
    is_int(pylon_subnet_render(&in, collect, &c, err, sizeof(err)), 0,
           "render a timelocked commitment");
    v = json_object_get(json_object_get(json_object_get(c.bodies,
                            "commitments_full"), "commitments"), regname);
    snprintf(want, sizeof(want), "{\"kind\":\"timelock_encrypted\","
             "\"commitment_block_number\":42,\"hotkey\":\"%s\","
             "\"commitment\":\"0xaabbcc\",\"reveal_round\":321}", regname);
    is_str(json_dumps_ok(v), want, "timelock variant, in Pylon's key order");
    v = json_object_get(json_object_get(c.bodies, "commitments"),
                        "commitments");
    ok(v && json_object_size(v) == 0, "v1 list: hex data only");
    snprintf(path, sizeof(path), "commitment/%s", regname);
    is_str(json_string_value(json_object_get(c.bodies, path)), "",
           "v1 item of a timelocked commitment: empty (404 \"\")");
    snprintf(path, sizeof(path), "commitment_full/%s", regname);
    is_int(json_integer_value(json_object_get(json_object_get(
               json_object_get(c.bodies, path), "commitment"),
               "reveal_round")), 321, "_unstable item: reveal round");
    commit.val = cval;
    commit.vallen = 18;

    v = json_object_get(json_object_get(c.bodies, "certificates"), alice);
    is_int(json_integer_value(json_object_get(v, "algorithm")), 1,
           "certificate algorithm");
    is_str(json_string_value(json_object_get(v, "public_key")),
           "abababababababababababababababababababababababababababababababab",
           "certificate key: bare hex");

    json_decref(c.bodies);

    /* a put failure stops rendering with an error */

    for (i = 0; i < 7; i++) {
        memset(&c, 0, sizeof(c));
        c.bodies = json_object();
        c.fail_at = (int) i;
        rc = pylon_subnet_render(&in, collect, &c, err, sizeof(err));
        json_decref(c.bodies);
        if (rc != -1) {
            break;
        }
    }
    is_int(i, 7, "every put failure is reported");

    /* truncations and corruptions: -1 or a clean 0, never a crash */

    copy = malloc(nlen > slen ? nlen : slen);
    n = 0;
    for (len = 0; len < nlen; len += 997) {
        memcpy(copy, neurons, len);
        in.neurons = copy;
        in.neurons_len = len;
        c.bodies = json_object();
        c.fail_at = -1;
        if (pylon_subnet_render(&in, collect, &c, err, sizeof(err)) == -1) {
            n++;
        }
        json_decref(c.bodies);
    }
    ok(n >= nlen / 997, "truncated neurons fail (%zu)", n);
    in.neurons = neurons;
    in.neurons_len = nlen;

    for (i = 0; i < 200; i++) {
        memcpy(copy, state, slen);
        copy[(i * 7919) % slen] ^= (uint8_t) (1 + i);
        in.state = copy;
        in.state_len = slen - (i % 3);
        c.bodies = json_object();
        (void) pylon_subnet_render(&in, collect, &c, err, sizeof(err));
        json_decref(c.bodies);
    }
    ok(1, "corrupted subnet states handled");

    in.state = state;
    in.state_len = slen;
    commit.vallen = 5;
    c.bodies = json_object();
    is_int(pylon_subnet_render(&in, collect, &c, err, sizeof(err)), -1,
           "truncated commitment value fails");
    json_decref(c.bodies);
    commit.vallen = 18;
    commit.keylen = 40;
    c.bodies = json_object();
    is_int(pylon_subnet_render(&in, collect, &c, err, sizeof(err)), -1,
           "short storage key fails");
    json_decref(c.bodies);

    free(copy);
    free(neurons);
    free(state);
    json_decref(rec);
    pylon_meta_free(m);

    return done_testing();
}
