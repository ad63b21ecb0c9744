/*
 * ngx_pylon_evm_logs.c: decoded logs of an EVM contract (spec/pylon-v2.md
 * §7), answered by the helper's "evm_logs" job.
 *
 *   POST /api/_unstable/openaccess/evm/contracts/{address}/logs
 *        ?from_block=N&to_block=M      body {"abi": [ABI entries]}
 *
 * In Pylon's order: the open-access guard (401, 403), the query parameters and
 * the body (400), the address's EIP-55 form (400 "Invalid contract address:
 * <given>"), the event entries of the ABI (422 "Malformed ABI event entry:
 * <reason>"), then this server's limits (400: block range, body size) and the
 * EVM configuration (503).  The worker then submits
 * the job (identical requests join it) and waits without blocking; the
 * job's record carries the status and body to send: 200 with {"logs",
 * "from_block", "to_block"}, 502 with the node's error, 400 when the
 * answer would exceed the logs cap.
 */

#include <xxhash.h>

#include "http/ngx_pylon_http.h"
#include "chain/arena.h"
#include "evm/abi_event.h"
#include "evm/eip55.h"
#include "store/jobs.h"


static ngx_int_t ngx_pylon_evm_logs_done(ngx_http_request_t *r,
    json_t *job);


/* a query parameter as a Python int; NGX_DECLINED when absent */
static ngx_int_t
ngx_pylon_evm_block_arg(ngx_http_request_t *r, const char *name,
    int64_t *v)
{
    u_char      *p, *last;
    int64_t      n;
    ngx_str_t    value;
    ngx_uint_t   neg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &value)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    p = value.data;
    last = p + value.len;
    neg = 0;

    if (p < last && (*p == '-' || *p == '+')) {
        neg = (*p == '-');
        p++;
    }

    if (p == last || last - p > 18) {
        return NGX_ERROR;
    }

    for (n = 0; p < last; p++) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }
        n = n * 10 + (*p - '0');
    }

    *v = neg ? -n : n;
    return NGX_OK;
}


ngx_int_t
ngx_pylon_evm_logs(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char                    err[200], addr[PYLON_EIP55_TEXT_BYTES];
    u_char                  detail[512], key[PYLON_JOB_KEY_MAX], *p;
    size_t                  i, nevents;
    int64_t                 from, to;
    json_t                 *body, *abi, *events, *params, *entry, *type;
    uint8_t                 raw[PYLON_EVM_ADDRESS_BYTES];
    ngx_int_t               rc;
    ngx_str_t              *given;
    json_error_t            jerr;
    pylon_arena_t          *arena;
    pylon_abi_event_t      *ev;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);
    ctx->netuid = -1;

    /* the open-access guard first (a body route: the router left it) */
    rc = ngx_pylon_authorise(r, ctx);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    rc = ngx_pylon_evm_block_arg(r, "from_block", &from);
    if (rc != NGX_OK) {
        return ngx_pylon_send_invalid(r, rc == NGX_DECLINED
                               ? "Missing required query parameter "
                                 "'from_block'"
                               : "Expected `int`, got `str`", "from_block");
    }

    rc = ngx_pylon_evm_block_arg(r, "to_block", &to);
    if (rc != NGX_OK) {
        return ngx_pylon_send_invalid(r, rc == NGX_DECLINED
                               ? "Missing required query parameter "
                                 "'to_block'"
                               : "Expected `int`, got `str`", "to_block");
    }

    if (ctx->body.len > pmcf->evm_max_abi) {
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Request body too large: %uz bytes (the limit is "
                         "%uz, pylon_evm_limits abi=)", ctx->body.len,
                         pmcf->evm_max_abi);
        *p = '\0';
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST, (char *) detail);
    }

    body = json_loadb((char *) ctx->body.data, ctx->body.len, 0, &jerr);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST,
                                    "Invalid JSON body: expected an object "
                                    "with \"abi\"");
    }

    abi = json_object_get(body, "abi");
    if (abi == NULL || !json_is_array(abi)) {
        json_decref(body);
        return ngx_pylon_send_invalid(r, abi ? "Expected `array`"
                                             : "Object missing required "
                                               "field `abi`", "abi");
    }

    /* §7.3: address first, then the ABI's events */
    given = &ctx->params.strs[0];
    if (pylon_eip55_parse(raw, (char *) given->data, given->len)
        != PYLON_EIP55_OK)
    {
        json_decref(body);
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Invalid contract address: %V", given);
        *p = '\0';
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST, (char *) detail);
    }
    pylon_eip55_encode(addr, raw);

    arena = pylon_arena_create();
    if (arena == NULL) {
        json_decref(body);
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    rc = pylon_abi_events_from_json(arena, abi, &ev, &nevents, err,
                                    sizeof(err));
    pylon_arena_destroy(arena);

    if (rc != 0) {
        json_decref(body);
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Malformed ABI event entry: %s", err);
        *p = '\0';
        return ngx_pylon_send_error(r, 422,
                                    (char *) detail);
    }

    if (from < 0 || to < 0) {
        json_decref(body);
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST,
                                    "from_block and to_block must not be "
                                    "negative");
    }

    if (to >= from && (uint64_t) (to - from) >= pmcf->evm_max_range) {
        json_decref(body);
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Block range too large: %L blocks (the limit is "
                         "%ui, pylon_evm_limits range=)", to - from + 1,
                         pmcf->evm_max_range);
        *p = '\0';
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_REQUEST, (char *) detail);
    }

    if (pmcf->evm_network.url.len == 0) {
        json_decref(body);
        return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                    "EVM RPC is not configured "
                                    "(pylon_evm_network)");
    }

    /* the job carries the event entries only */
    events = json_array();
    for (i = 0; i < json_array_size(abi); i++) {
        entry = json_array_get(abi, i);
        type = json_object_get(entry, "type");
        if (json_is_string(type)
            && ngx_strcmp(json_string_value(type), "event") == 0)
        {
            json_array_append(events, entry);
        }
    }

    params = json_pack("{s:s, s:I, s:I, s:o}", "address", addr,
                       "from", (json_int_t) from, "to", (json_int_t) to,
                       "abi", events);
    json_decref(body);

    if (params == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    p = ngx_snprintf(key, sizeof(key) - 1, "evm/%s/%L/%L/%016uxL", addr,
                     from, to,
                     (uint64_t) XXH64(ctx->body.data, ctx->body.len, 0));
    *p = '\0';

    return ngx_pylon_job_join_wait(r, "evm_logs", (char *) key, params,
                                   ctx->timeout, ngx_pylon_evm_logs_done);
}


static ngx_int_t
ngx_pylon_evm_logs_done(ngx_http_request_t *r, json_t *job)
{
    int          status;
    const char  *body, *error;

    status = (int) json_integer_value(json_object_get(job, "status"));
    body = json_string_value(json_object_get(job, "body"));
    error = json_string_value(json_object_get(job, "error"));

    if (body != NULL && status >= 200 && status <= 599) {
        /* the body lives in the job, released after this returns */
        return ngx_pylon_send_json_copy(r, (ngx_uint_t) status,
                                        (const u_char *) body,
                                        ngx_strlen(body));
    }

    return ngx_pylon_send_error(r, NGX_HTTP_BAD_GATEWAY,
                                error && *error ? error : "Bad Gateway");
}
