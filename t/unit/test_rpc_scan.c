/*
 * test_rpc_scan.c: large hex results found in place (chain/rpc_scan.h),
 * and pylon_rpc_parse giving the same message either way.
 */

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "chain/rpc.h"
#include "chain/rpc_scan.h"


static int
scans(const char *s, uint64_t *id, size_t *hexlen)
{
    const char  *hex;

    return pylon_rpc_scan_hex_result(s, strlen(s), id, &hex, hexlen);
}


static char *
big_reply(const char *fmt, size_t nhex)
{
    char    *hex, *out;
    size_t   i, cap;

    hex = malloc(nhex + 1);
    for (i = 0; i < nhex; i++) {
        hex[i] = "0123456789abcdef"[(i * 7) % 16];
    }
    hex[nhex] = '\0';

    cap = strlen(fmt) + nhex + 1;
    out = malloc(cap);
    snprintf(out, cap, fmt, hex);
    free(hex);

    return out;
}


int
main(void)
{
    char                  *s;
    size_t                 hexlen;
    uint64_t               id;
    const char            *hex;
    pylon_rpc_message_t    m;
    char                   err[128];

    ok(scans("{\"jsonrpc\":\"2.0\",\"id\":42,\"result\":\"0x0102\"}", &id,
             &hexlen) == 0 && id == 42 && hexlen == 6, "the usual reply");
    ok(scans(" {\"result\" : \"0xAbCd\", \"id\" : 7 , \"jsonrpc\":\"2.0\"}\n",
             &id, &hexlen) == 0 && id == 7 && hexlen == 6,
       "any member order, whitespace");
    ok(scans("{\"id\":0,\"result\":\"\"}", &id, &hexlen) == 0 && id == 0
       && hexlen == 0, "an empty result, no jsonrpc member");
    ok(scans("{\"id\":1,\"result\":\"0x\"}", &id, &hexlen) == 0, "0x alone");

    ok(scans("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1}}", &id,
             &hexlen) == -1, "an error is not scanned");
    ok(scans("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{}}", &id,
             &hexlen) == -1, "a notification is not scanned");
    ok(scans("{\"id\":1,\"result\":\"0x12\\u0030\"}", &id, &hexlen) == -1,
       "escapes are left to the parser");
    ok(scans("{\"id\":1,\"result\":\"hello\"}", &id, &hexlen) == -1,
       "a non-hex string");
    ok(scans("{\"id\":1,\"result\":null}", &id, &hexlen) == -1,
       "a null result");
    ok(scans("{\"id\":1,\"result\":{\"a\":1}}", &id, &hexlen) == -1,
       "an object result");
    ok(scans("{\"id\":-1,\"result\":\"00\"}", &id, &hexlen) == -1,
       "a negative id");
    ok(scans("{\"id\":01,\"result\":\"00\"}", &id, &hexlen) == -1,
       "a leading zero");
    ok(scans("{\"id\":1.5,\"result\":\"00\"}", &id, &hexlen) == -1,
       "a fractional id");
    ok(scans("{\"id\":1,\"id\":2,\"result\":\"00\"}", &id, &hexlen) == -1,
       "a repeated member");
    ok(scans("{\"id\":1,\"result\":\"00\",\"x\":1}", &id, &hexlen) == -1,
       "an unknown member");
    ok(scans("{\"id\":1,\"result\":\"00\"} x", &id, &hexlen) == -1,
       "trailing garbage");
    ok(scans("{\"id\":1,\"result\":\"00\"", &id, &hexlen) == -1,
       "truncated");
    ok(scans("{\"result\":\"00\"}", &id, &hexlen) == -1, "no id");
    ok(scans("{\"id\":1}", &id, &hexlen) == -1, "no result");
    ok(scans("{\"id\":1,\"result\":\"00", &id, &hexlen) == -1,
       "an unterminated string");
    ok(scans("", &id, &hexlen) == -1, "empty input");
    ok(pylon_rpc_scan_hex_result("{\"id\":1,\"result\":\"00\"}", 10, &id,
                                 &hex, &hexlen) == -1,
       "a cut buffer is not read past");

    /* the parser's fast path: same message as the tree would give */

    s = big_reply("{\"jsonrpc\":\"2.0\",\"result\":\"0x%s\",\"id\":9}", 100000);
    ok(pylon_rpc_parse(&m, s, strlen(s), err, sizeof(err)) == 0,
       "a large reply parses");
    ok(m.kind == PYLON_RPC_RESPONSE && m.id == 9 && m.error == NULL,
       "a response with its id");
    ok(json_is_string(m.result) && json_string_length(m.result) == 100002
       && memcmp(json_string_value(m.result), strstr(s, "0x"), 100002) == 0,
       "its result is the hex, 0x included");
    pylon_rpc_message_free(&m);
    free(s);

    s = big_reply("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,"
                  "\"message\":\"%s\"}}", 10000);
    ok(pylon_rpc_parse(&m, s, strlen(s), err, sizeof(err)) == 0
       && m.error != NULL && m.id == 3, "a large error still parses");
    pylon_rpc_message_free(&m);
    free(s);

    s = big_reply("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":\"0x%s\"", 10000);
    ok(pylon_rpc_parse(&m, s, strlen(s), err, sizeof(err)) == -1,
       "a large truncated reply is refused");
    free(s);

    return done_testing();
}
