/*
 * test_rpc.c: JSON-RPC framing and classification of node messages.
 */

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "chain/rpc.h"


static int
parse(pylon_rpc_message_t *m, const char *s, char *err)
{
    return pylon_rpc_parse(m, s, strlen(s), err, 128);
}


int
main(void)
{
    char                  err[128], text[128], *s;
    pylon_rpc_message_t   m;

    s = pylon_rpc_request(7, "chain_getBlockHash", json_pack("[i]", 12));
    is_str(s, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"chain_getBlockHash\","
           "\"params\":[12]}", "request uses positional params");
    free(s);

    s = pylon_rpc_request(1, "chain_getHeader", NULL);
    is_str(s, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getHeader\","
           "\"params\":[]}", "request without params sends []");
    free(s);

    ok(parse(&m, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0xab\"}", err)
       == 0, "response parses");
    is_int(m.kind, PYLON_RPC_RESPONSE, "response is classified by id");
    is_int(m.id, 7, "response id");
    is_str(json_string_value(m.result), "0xab", "response result");
    ok(m.error == NULL, "response without error");
    pylon_rpc_message_free(&m);

    ok(parse(&m, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}", err) == 0,
       "null result is a response");
    ok(json_is_null(m.result), "null result kept");
    pylon_rpc_message_free(&m);

    ok(parse(&m, "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":4003,"
             "\"message\":\"Client error\",\"data\":\"UnknownBlock: State "
             "already discarded\"}}", err) == 0, "error response parses");
    pylon_rpc_error_text(m.error, text, sizeof(text));
    is_str(text, "4003: Client error (UnknownBlock: State already "
           "discarded)", "error text names code, message and data");
    pylon_rpc_message_free(&m);

    ok(parse(&m, "{\"jsonrpc\":\"2.0\",\"method\":\"chain_newHead\","
             "\"params\":{\"subscription\":\"S6Kpb\",\"result\":"
             "{\"number\":\"0x10\"}}}", err) == 0, "notification parses");
    is_int(m.kind, PYLON_RPC_NOTIFICATION, "notification classified");
    is_str(m.subscription, "S6Kpb", "subscription id kept as string");
    is_str(m.method, "chain_newHead", "notification method");
    pylon_rpc_message_free(&m);

    ok(parse(&m, "not json", err) == -1, "garbage is rejected");
    ok(strstr(err, "invalid JSON") != NULL, "garbage reason names JSON");
    ok(parse(&m, "[1,2]", err) == -1, "array is rejected");
    ok(parse(&m, "{\"id\":\"x\",\"result\":1}", err) == -1,
       "string id is rejected");
    ok(parse(&m, "{\"id\":-4,\"result\":1}", err) == -1,
       "negative id is rejected");
    ok(parse(&m, "{\"id\":4}", err) == -1, "response without result");
    ok(parse(&m, "{\"method\":\"x\",\"params\":{\"subscription\":5,"
             "\"result\":1}}", err) == -1, "numeric subscription rejected");
    ok(parse(&m, "{\"method\":\"x\",\"params\":{\"subscription\":\"a\"}}",
             err) == -1, "notification without result rejected");
    ok(parse(&m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x", err) == -1,
       "truncated message rejected");

    return done_testing();
}
