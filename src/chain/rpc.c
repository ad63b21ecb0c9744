/*
 * rpc.c: JSON-RPC 2.0 framing and classification (see rpc.h).
 *
 * Dispatch is on "id" first, then on params.subscription, as substrate
 * nodes send both kinds on one socket.  Anything else is rejected with a
 * reason the helper logs; a node that answers garbage must never take the
 * helper down.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/rpc.h"
#include "chain/rpc_scan.h"


char *
pylon_rpc_request(uint64_t id, const char *method, json_t *params)
{
    char    *s;
    json_t  *req;

    if (params == NULL) {
        params = json_array();
    }

    req = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0",
                    "id", (json_int_t) id, "method", method,
                    "params", params);
    if (req == NULL) {
        return NULL;
    }

    s = json_dumps(req, JSON_COMPACT);
    json_decref(req);

    return s;
}


static int
pylon_rpc_fail(pylon_rpc_message_t *m, char *err, size_t errlen,
    const char *reason)
{
    snprintf(err, errlen, "%s", reason);
    json_decref(m->root);
    m->root = NULL;

    return -1;
}


int
pylon_rpc_parse(pylon_rpc_message_t *m, const char *buf, size_t len,
    char *err, size_t errlen)
{
    size_t         hexlen;
    json_t        *id, *params, *sub, *method;
    const char    *hex;
    json_error_t   jerr;

    memset(m, 0, sizeof(pylon_rpc_message_t));

    /* a large hex result: no tree, the hex copied once into a string */

    if (len >= PYLON_RPC_SCAN_MIN
        && pylon_rpc_scan_hex_result(buf, len, &m->id, &hex, &hexlen) == 0)
    {
        m->root = json_object();
        m->result = json_stringn_nocheck(hex, hexlen);

        if (m->root == NULL || m->result == NULL
            || json_object_set_new_nocheck(m->root, "result", m->result)
               != 0)
        {
            json_decref(m->root);
            m->root = NULL;
            snprintf(err, errlen, "out of memory");
            return -1;
        }

        m->kind = PYLON_RPC_RESPONSE;

        return 0;
    }

    m->root = json_loadb(buf, len, 0, &jerr);
    if (m->root == NULL) {
        snprintf(err, errlen, "invalid JSON: %s (at byte %d)", jerr.text,
                 jerr.position);
        return -1;
    }

    if (!json_is_object(m->root)) {
        return pylon_rpc_fail(m, err, errlen, "message is not an object");
    }

    id = json_object_get(m->root, "id");

    if (id != NULL && !json_is_null(id)) {
        if (!json_is_integer(id) || json_integer_value(id) < 0) {
            return pylon_rpc_fail(m, err, errlen, "response id is not a "
                                  "non-negative integer");
        }

        m->kind = PYLON_RPC_RESPONSE;
        m->id = (uint64_t) json_integer_value(id);
        m->error = json_object_get(m->root, "error");
        m->result = json_object_get(m->root, "result");

        if (m->error == NULL && m->result == NULL) {
            return pylon_rpc_fail(m, err, errlen,
                                  "response has neither result nor error");
        }

        return 0;
    }

    method = json_object_get(m->root, "method");
    params = json_object_get(m->root, "params");
    sub = params ? json_object_get(params, "subscription") : NULL;

    if (!json_is_string(method) || !json_is_object(params) || sub == NULL) {
        if (json_object_get(m->root, "error")) {
            return pylon_rpc_fail(m, err, errlen,
                                  "error response without an id");
        }

        return pylon_rpc_fail(m, err, errlen,
                              "neither a response nor a notification");
    }

    if (!json_is_string(sub)) {
        return pylon_rpc_fail(m, err, errlen,
                              "subscription id is not a string");
    }

    m->kind = PYLON_RPC_NOTIFICATION;
    m->method = json_string_value(method);
    m->subscription = json_string_value(sub);
    m->result = json_object_get(params, "result");

    if (m->result == NULL) {
        return pylon_rpc_fail(m, err, errlen, "notification has no result");
    }

    return 0;
}


void
pylon_rpc_message_free(pylon_rpc_message_t *m)
{
    json_decref(m->root);
    m->root = NULL;
}


void
pylon_rpc_error_text(const json_t *error, char *buf, size_t size)
{
    json_t      *code, *msg, *data;
    const char  *dtext;
    char        *dump;

    code = json_object_get(error, "code");
    msg = json_object_get(error, "message");
    data = json_object_get(error, "data");

    dump = NULL;
    dtext = "";

    if (json_is_string(data)) {
        dtext = json_string_value(data);

    } else if (data != NULL) {
        dump = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
        dtext = dump ? dump : "";
    }

    snprintf(buf, size, "%lld: %s%s%s%s",
             (long long) (json_is_integer(code) ? json_integer_value(code)
                                                : 0),
             json_is_string(msg) ? json_string_value(msg) : "(no message)",
             *dtext ? " (" : "", dtext, *dtext ? ")" : "");

    free(dump);
}
