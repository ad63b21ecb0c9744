/*
 * test_chain_extrinsic.c: decoding extrinsics with the spec-343 metadata,
 * against the vectors of chain.md §6.2 (an unsigned Timestamp.set from
 * turbobt's tests) and §6.5 (a signed set_mechanism_weights), plus
 * malformed inputs.
 */

#include "test_chain_fixture.h"

#include "chain/xdecode.h"


static json_t *
xt(const pylon_meta_t *m, const char *hex, char *err, size_t errlen)
{
    uint8_t  *b;
    size_t    len;
    json_t   *j;

    if (pylon_hex_decode_alloc(&b, &len, hex, strlen(hex)) != 0) {
        return NULL;
    }

    j = pylon_extrinsic_decode(m, b, len, err, errlen);
    free(b);

    return j;
}


static const char *
str_at(json_t *j, const char *a, const char *b)
{
    json_t  *v;

    v = json_object_get(j, a);
    if (b) {
        v = json_object_get(v, b);
    }

    return json_string_value(v);
}


static void
test_unsigned(const pylon_meta_t *m)
{
    json_t  *j, *arg;
    char     err[160], *s;

    j = xt(m, "0x280402000b8a8c6d0b9701", err, sizeof(err));
    ok(j != NULL, "unsigned Timestamp.set decodes %s", j ? "" : err);

    is_str(str_at(j, "extrinsic_hash", NULL),
           "0xb905206696a6d4307da80c3686715c6ee7a25e02dc9e63352fe8b8557e04ff7d",
           "extrinsic hash = blake2_256 with length prefix (chain.md 6.2)");
    is_int(json_integer_value(json_object_get(j, "extrinsic_length")), 10,
           "extrinsic_length is the length prefix");
    ok(json_is_null(json_object_get(j, "address")), "unsigned: address null");
    is_str(str_at(j, "call", "call_module"), "Timestamp", "call_module");
    is_str(str_at(j, "call", "call_function"), "set", "call_function");
    is_str(str_at(j, "call", "call_index"), "0x0200", "call_index");
    ok(str_at(j, "call", "call_hash") != NULL
       && strncmp(str_at(j, "call", "call_hash"), "0x188196e4", 10) == 0,
       "call hash 188196e4... (chain.md 6.2)");

    arg = json_array_get(json_object_get(json_object_get(j, "call"),
                                         "call_args"), 0);
    s = json_dumps(arg, JSON_COMPACT);
    is_str(s, "{\"name\":\"now\",\"type\":\"Moment\",\"value\":1748243418250}",
           "call_args[0] is {name, type, value}");
    free(s);
    json_decref(j);
}


static void
test_signed(const pylon_meta_t *m)
{
    static const char  *hex =
        "0x0d028400"
        "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
        "01"
        "84cc4e937bfc4b6d38e7b2ff76ae6daf7e5dc40d3140fe278079b1fc97a08d2a"
        "ff465ef245760c5312e49b7fafd9d627f8e6befaf1d2655a17fcc3faf543de86"
        "2100140000"
        "07770100000c0000010005000cffff008001000000000000000000";

    json_t  *j, *args;
    char     err[160], *s;

    j = xt(m, hex, err, sizeof(err));
    ok(j != NULL, "signed set_mechanism_weights decodes %s", j ? "" : err);

    is_str(str_at(j, "extrinsic_hash", NULL),
           "0x28fefdc092edaf893042383d471509010f613388e233c87d9f668c740e0f2a89",
           "signed extrinsic hash (chain.md 6.5)");
    is_int(json_integer_value(json_object_get(j, "extrinsic_length")), 131,
           "length 131");
    is_str(str_at(j, "address", NULL),
           "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
           "address is Alice's SS58 (MultiAddress::Id unwrapped)");
    is_str(str_at(j, "call", "call_module"), "SubtensorModule",
           "call_module SubtensorModule");
    is_str(str_at(j, "call", "call_function"), "set_mechanism_weights",
           "call_function set_mechanism_weights");
    is_str(str_at(j, "call", "call_index"), "0x0777", "call_index 0x0777");

    args = json_object_get(json_object_get(j, "call"), "call_args");
    s = json_dumps(json_array_get(args, 2), JSON_COMPACT);
    is_str(s, "{\"name\":\"dests\",\"type\":\"Vec<u16>\",\"value\":[0,1,5]}",
           "dests argument");
    free(s);
    s = json_dumps(json_array_get(args, 3), JSON_COMPACT);
    is_str(s, "{\"name\":\"weights\",\"type\":\"Vec<u16>\","
           "\"value\":[65535,32768,1]}", "weights argument");
    free(s);
    is_int(json_array_size(args), 5, "five arguments");
    json_decref(j);

    /* every truncation fails */
    {
        uint8_t  *b;
        size_t    len, i, fails;

        pylon_hex_decode_alloc(&b, &len, hex, strlen(hex));
        fails = 0;
        for (i = 0; i < len; i++) {
            j = pylon_extrinsic_decode(m, b, i, err, sizeof(err));
            if (j == NULL) {
                fails++;
            }
            json_decref(j);
        }
        is_int(fails, len, "all %zu truncations of the signed xt fail", len);
        free(b);
    }
}


static void
test_malformed(const pylon_meta_t *m)
{
    json_t  *j;
    char     err[160];

    j = xt(m, "0x2c0402000b8a8c6d0b9701", err, sizeof(err));
    ok(j == NULL, "wrong length prefix: %s", err);
    j = xt(m, "0x288302000b8a8c6d0b9701", err, sizeof(err));
    ok(j == NULL, "version 0x83: %s", err);
    j = xt(m, "0x2804fe000b8a8c6d0b9701", err, sizeof(err));
    ok(j == NULL, "unknown pallet 254: %s", err);
    j = xt(m, "0x2c0402000b8a8c6d0b970100", err, sizeof(err));
    ok(j == NULL, "trailing byte after the call: %s", err);
}


int
main(void)
{
    pylon_meta_t  *m;

    tap_shared();

    m = fixture_meta("metadata-v15-spec343.txt");
    ok(m != NULL, "V15 343 loads");
    if (m) {
        test_unsigned(m);
        test_signed(m);
        test_malformed(m);
        pylon_meta_free(m);
    }

    /* V14 finds the extrinsic types through UncheckedExtrinsic's params */
    m = fixture_meta("metadata-v14-spec343.txt");
    ok(m != NULL, "V14 343 loads");
    if (m) {
        test_signed(m);
        pylon_meta_free(m);
    }

    return done_testing();
}
