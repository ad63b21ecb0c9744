/*
 * ngx_pylon_evm_assoc.c: hotkey -> EVM key associations of a subnet
 * (spec/pylon-v2.md §3.3.4), read at the head by the helper's
 * "evm_assoc" job (src/helper/ngx_pylon_evm_assoc.c):
 *
 *   GET /api/_unstable/openaccess/subnet/{netuid}/block/latest/
 *       evm_associations
 *   GET /api/_unstable/identity/{name}/subnet/{netuid}/block/latest/
 *       evm_associations
 *
 * Subnets the helper keeps fresh (pylon_netuids, identities) are sent
 * from the cache; others join one "evm_assoc" job that reads at the head.
 * The worker never blocks.
 */

#include "http/ngx_pylon_http.h"
#include "store/jobs.h"
#include "store/keys.h"


static ngx_int_t ngx_pylon_evm_assoc_done(ngx_http_request_t *r,
    json_t *job);


ngx_int_t
ngx_pylon_evm_associations(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char      key[64], *p;
    char        cached[PYLON_KEY_MAX];
    json_t     *params;
    ngx_int_t   rc;
    ngx_uint_t  found;

    if (ctx->netuid < 0 || ctx->netuid > 65535) {
        return ngx_pylon_send_error(r, NGX_HTTP_NOT_FOUND, "Not Found");
    }

    /* a configured subnet: the helper keeps the body fresh every block */
    if (pylon_key_latest(cached, sizeof(cached), "evm_associations",
                         (int) ctx->netuid) > 0)
    {
        rc = ngx_pylon_send_cached_if(r, cached, &found, NULL);
        if (found) {
            return rc;
        }
    }

    params = json_pack("{s:I}", "netuid", (json_int_t) ctx->netuid);
    if (params == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    p = ngx_snprintf(key, sizeof(key) - 1, "evm_assoc/%i", ctx->netuid);
    *p = '\0';

    return ngx_pylon_job_join_wait(r, "evm_assoc", (char *) key, params,
                                   ctx->timeout, ngx_pylon_evm_assoc_done);
}


static ngx_int_t
ngx_pylon_evm_assoc_done(ngx_http_request_t *r, json_t *job)
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

    return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                error && *error ? error
                                                : "Internal Server Error");
}


json_t *
ngx_pylon_evm_assoc_openapi(ngx_uint_t identity)
{
    json_t  *item, *op, *params;

    item = json_loads(
        "{\"get\":{\"tags\":[\"open access\"],"
        "\"summary\":\"Hotkeys' associated EVM keys, in uid order\","
        "\"operationId\":\"OPID\","
        "\"parameters\":[],"
        "\"responses\":{\"200\":{\"description\":\"Success\",\"content\":"
        "{\"application/json\":{\"schema\":{\"type\":\"object\","
        "\"required\":[\"block\",\"evm_associations\"],\"properties\":{"
        "\"block\":{\"$ref\":\"#/components/schemas/Block\"},"
        "\"evm_associations\":{\"type\":\"object\","
        "\"additionalProperties\":{\"type\":\"object\",\"properties\":{"
        "\"hotkey\":{\"type\":\"string\"},"
        "\"evm_address\":{\"type\":\"string\"},"
        "\"last_block_where_ownership_was_proven\":{\"type\":"
        "\"integer\"}}}}}}}}},"
        "\"500\":{\"description\":\"Server error\",\"content\":"
        "{\"application/json\":{\"schema\":{\"$ref\":"
        "\"#/components/schemas/ErrorEnvelope\"}}}}}}}", 0, NULL);

    op = json_object_get(item, "get");
    params = json_object_get(op, "parameters");
    if (op == NULL || params == NULL) {
        json_decref(item);
        return NULL;
    }

    if (identity) {
        json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s}}",
                              "name", "identity_name", "in", "path",
                              "required", 1, "schema", "type", "string"));
        json_object_set_new(op, "tags", json_pack("[s]", "identity"));
    }
    json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s}}",
                          "name", "netuid", "in", "path", "required", 1,
                          "schema", "type", "integer"));
    json_object_set_new(op, "operationId", json_string(identity
        ? "get_api__unstable_identity_identity_name_subnet_netuid_block_"
          "latest_evm_associations"
        : "get_api__unstable_openaccess_subnet_netuid_block_latest_evm_"
          "associations"));

    return item;
}
