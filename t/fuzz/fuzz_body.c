/*
 * fuzz_body.c: libFuzzer target for what a worker parses from a client:
 * request bodies of every kind (src/bittensor/request.h) and the
 * X-Pylon-Timeout header.  Every input must give a parsed body or a 400
 * envelope that is valid JSON, without a memory error (ASan).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bittensor/request.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                    rc, capped;
    char                  *env;
    size_t                 envlen;
    json_t                *j;
    uint64_t               ms;
    pylon_body_t           body;
    pylon_body_kind_t      kind;
    pylon_request_line_t   line;

    if (size == 0) {
        return 0;
    }

    kind = (pylon_body_kind_t) (data[0] % 4);

    line.method = "PUT";
    line.path = "/api/v1/identity/sn1/subnet/1/weights";
    line.path_len = strlen(line.path);
    line.query = NULL;
    line.query_len = 0;

    env = NULL;
    rc = pylon_body_parse(&body, &env, &envlen, kind, data + 1, size - 1,
                          &line);

    if (rc == PYLON_BODY_OK) {
        pylon_body_free(&body);

    } else if (rc == PYLON_BODY_EJSON || rc == PYLON_BODY_EINVALID) {
        j = json_loadb(env, envlen, JSON_ALLOW_NUL, NULL);
        if (j == NULL || !json_is_object(j)) {
            abort();                    /* an envelope that is not JSON */
        }
        json_decref(j);
        free(env);
    }

    env = NULL;
    rc = pylon_timeout_parse(&ms, &capped, &env, &envlen, data + 1, size - 1,
                             60.0, 300.0);
    if (rc == PYLON_TIMEOUT_EINVALID) {
        j = json_loadb(env, envlen, JSON_ALLOW_NUL, NULL);
        if (j == NULL) {
            abort();
        }
        json_decref(j);
        free(env);
    }

    return 0;
}
