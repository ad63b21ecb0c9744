/*
 * test_chain_header.c: block hashes computed from headers (header.h)
 * against the hashes mainnet gave for them: every chain_getHeader answer
 * recorded in sdk-websocket-responses.json that was asked by hash must
 * hash to that hash.  Plus malformed headers.
 */

#include "test_chain_fixture.h"

#include "chain/header.h"


static void
walk(json_t *v, int *checked, int *nulls)
{
    size_t       i;
    const char  *key, *asked;
    json_t      *sub, *res;
    char         got[67];

    if (json_is_array(v)) {
        json_array_foreach(v, i, sub) {
            walk(sub, checked, nulls);
        }
        return;
    }

    if (!json_is_object(v)) {
        return;
    }

    json_object_foreach(v, key, sub) {
        if (strcmp(key, "chain_getHeader") == 0 && json_is_object(sub)) {
            json_object_foreach(sub, asked, res) {
                res = json_object_get(res, "result");
                if (!json_is_object(res)) {
                    continue;
                }

                if (pylon_header_hash(got, res) != 0) {
                    ok(0, "header asked with %s encodes", asked);
                    continue;
                }

                /* params are a JSON array: ["0x…"] or [null] */
                if (strncmp(asked, "[\"0x", 4) == 0 && strlen(asked) == 70) {
                    if (!ok(strncmp(asked + 2, got, 66) == 0,
                            "hash of header %s", asked))
                    {
                        diag("got %s", got);
                    }
                    (*checked)++;

                } else {
                    (*nulls)++;
                }
            }
            continue;
        }

        walk(sub, checked, nulls);
    }
}


static json_t *
header(const char *number, const char *log)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:[s]}}",
                     "parentHash", "0x" "00000000000000000000000000000000"
                                   "00000000000000000000000000000000",
                     "number", number,
                     "stateRoot", "0x" "11111111111111111111111111111111"
                                  "11111111111111111111111111111111",
                     "extrinsicsRoot", "0x" "2222222222222222222222222222222"
                                       "222222222222222222222222222222222",
                     "digest", "logs", log);
}


int
main(void)
{
    char         path[1024], got[67];
    int          checked, nulls;
    json_t      *root, *h;
    pylon_buf_t  b;

    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             tap_shared());

    root = json_load_file(path, 0, NULL);
    if (root == NULL) {
        skip_all("sdk-websocket-responses.json missing or unreadable");
    }

    checked = nulls = 0;
    walk(root, &checked, &nulls);
    json_decref(root);

    ok(checked >= 40, "%d recorded mainnet headers checked (%d more asked "
       "without a hash)", checked, nulls);

    /* the encoding of a small header, byte for byte */

    h = header("0x10", "0x0601");
    pylon_buf_init(&b);
    ok(pylon_header_encode(&b, h) == 0 && b.len == 32 + 1 + 64 + 1 + 2
       && b.data[32] == 0x40 && b.data[97] == 0x04 && b.data[98] == 0x06
       && b.data[99] == 0x01, "encoding: hash, Compact(16), roots, logs");
    pylon_buf_free(&b);
    json_decref(h);

    /* malformed */

    h = header("16", "0x00");
    ok(pylon_header_hash(got, h) == -1, "number without 0x refused");
    json_decref(h);

    h = header("0x1g", "0x00");
    ok(pylon_header_hash(got, h) == -1, "number with a bad digit refused");
    json_decref(h);

    h = header("0x10", "0x0");
    ok(pylon_header_hash(got, h) == -1, "odd-length log refused");
    json_decref(h);

    h = header("0x10", "0xzz");
    ok(pylon_header_hash(got, h) == -1, "non-hex log refused");
    json_decref(h);

    h = header("0x10", "0x00");
    json_object_set_new(h, "stateRoot", json_string("0x1234"));
    ok(pylon_header_hash(got, h) == -1, "short state root refused");
    json_object_del(h, "stateRoot");
    ok(pylon_header_hash(got, h) == -1, "missing state root refused");
    json_decref(h);

    ok(pylon_header_hash(got, json_null()) == -1, "null refused");

    return done_testing();
}
