/*
 * test_chain_fixture.h: loading ../shared/fixtures for the chain unit tests.
 *
 * fixture_hex("metadata-v15-spec343.txt", &len) returns the decoded bytes
 * of a hex (or JSON-string hex) fixture, or skips the whole test program
 * when ../shared is absent; fixture_meta() parses a metadata fixture;
 * recorded_call("get_neurons_lite", &len) returns the result bytes of a
 * state_call recorded in scenario "metagraph" of
 * sdk-websocket-responses.json.  The caller frees what it gets.
 */

#ifndef PYLON_T_TEST_CHAIN_FIXTURE_H
#define PYLON_T_TEST_CHAIN_FIXTURE_H

#include "tap.h"

#include <jansson.h>

#include "chain/hex.h"
#include "chain/metadata.h"


static inline uint8_t *
fixture_hex(const char *name, size_t *len)
{
    char     path[1024], *text;
    uint8_t  *out;
    size_t    n;

    snprintf(path, sizeof(path), "%s/fixtures/%s", tap_shared(), name);

    text = tap_slurp(path, &n);
    if (text == NULL) {
        skip_all("fixture missing in ../shared/fixtures");
    }

    if (pylon_hex_decode_text(&out, len, text, n) != 0) {
        out = NULL;
    }

    free(text);

    return out;
}


static inline pylon_meta_t *
fixture_meta(const char *name)
{
    pylon_meta_t  *m;
    uint8_t       *blob;
    size_t         len;
    char           err[128];

    blob = fixture_hex(name, &len);
    if (blob == NULL) {
        return NULL;
    }

    if (pylon_meta_parse(&m, blob, len, err, sizeof(err)) != 0) {
        diag("%s: %s", name, err);
        m = NULL;
    }

    free(blob);

    return m;
}


static inline uint8_t *
recorded_call(const char *method, size_t *len)
{
    char         path[1024];
    json_t      *root, *calls, *resp;
    const char  *key, *hex;
    uint8_t     *out;

    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             tap_shared());

    root = json_load_file(path, 0, NULL);
    if (root == NULL) {
        skip_all("sdk-websocket-responses.json missing or unreadable");
    }

    out = NULL;
    calls = json_object_get(json_object_get(root, "metagraph"), "state_call");

    json_object_foreach(calls, key, resp) {
        if (strstr(key, method) != NULL) {
            hex = json_string_value(json_object_get(resp, "result"));
            if (hex == NULL
                || pylon_hex_decode_alloc(&out, len, hex, strlen(hex)) != 0)
            {
                out = NULL;
            }
            break;
        }
    }

    json_decref(root);

    return out;
}

#endif /* PYLON_T_TEST_CHAIN_FIXTURE_H */
