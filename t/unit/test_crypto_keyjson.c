/*
 * test_crypto_keyjson.c: the in-place key-file JSON reader: captured
 * members, escapes, skipped members, every syntax error refused, and
 * random inputs never read or write out of bounds (ASan build).
 */

#include <sodium.h>

#include "crypto/keyjson.h"
#include "tap.h"


static int
parse(const char *json, pylon_keyjson_field_t *f, size_t n, char *err)
{
    static char  buf[4096];
    size_t       len;

    len = strlen(json);
    memcpy(buf, json, len);
    return pylon_keyjson_parse(f, n, buf, len, err, 128);
}


int
main(void)
{
    char                   err[128], *buf;
    size_t                 i, j, len;
    int                    rc;
    pylon_keyjson_field_t  f[2];

    static const char     *bad[] = {
        "", " ", "[]", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":\"b\",}",
        "{\"a\":\"b\" \"c\":\"d\"}", "{\"a\":\"b\"}}", "{\"a\":\"b\"} {}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u00\"}", "{\"a\":\"\\u00e9\"}",
        "{\"a\":\"\\u0000\"}", "{\"a\":\"b\n\"}", "{\"a\":{}}",
        "{\"a\":[1]}", "{\"a\":tru}", "{\"a\":\"b\",\"a\":\"c\"}",
        "{a:\"b\"}", "{\"a\":\"b", "{\"a\":\"b\\", "{\"x\":[]}", "{\"x\":}",
        NULL
    };

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    f[0].name = "a";
    f[1].name = "bb";

    rc = parse("{\"a\":\"x\\\"y\\\\z\\/\\u0041\\n\", \"zz\": 1.5e3, "
               "\"bb\" : null, \"q\": false, \"r\": \"s\"}", f, 2, err);
    is_int(rc, 0, "object with escapes and skipped members parses");
    is_str(f[0].value, "x\"y\\z/A\n", "escapes decoded in place");
    is_int(f[0].len, 8, "decoded length");
    ok(f[1].value == NULL, "null member is absent");

    rc = parse("{}", f, 2, err);
    ok(rc == 0 && f[0].value == NULL && f[1].value == NULL,
       "empty object parses, fields reset");

    rc = parse(" \r\n\t{\"bb\":\"\"}\n", f, 2, err);
    ok(rc == 0 && f[1].value != NULL && f[1].len == 0,
       "surrounding whitespace and empty string");

    for (i = 0; bad[i] != NULL; i++) {
        err[0] = '\0';
        rc = parse(bad[i], f, 2, err);
        if (!ok(rc == -1 && strstr(err, "invalid JSON at byte") != NULL,
                "malformed input %zu refused (%zu bytes)", i, strlen(bad[i])))
        {
            diag("rc %d err %s", rc, err);
        }
    }

    /* random and structured-random inputs: no crash, no overrun */
    for (i = 0; i < 20000; i++) {
        static const char  alphabet[] = "{}[]\":,\\u0aAbn tfl\n";

        len = randombytes_uniform(64);
        buf = malloc(len + 1);
        for (j = 0; j < len; j++) {
            buf[j] = i % 2 ? (char) randombytes_uniform(256)
                           : alphabet[randombytes_uniform(sizeof(alphabet)
                                                          - 1)];
        }
        pylon_keyjson_parse(f, 2, buf, len, err, sizeof(err));
        free(buf);
    }
    ok(1, "20000 random inputs parsed without a memory error");

    return done_testing();
}
