/*
 * ngx_pylon_writes.c: what an identity writes to the chain.
 *
 *   PUT  ID/weights              200 {"detail":"weights update scheduled",
 *                                     "count":N} at once; the job lands
 *                                     them (a newer PUT cancels it)
 *   POST ID/commitments          201 once included and successful, 502
 *                                with the chain's error, 504 at the
 *                                timeout (the job goes on; the same POST
 *                                again joins it)
 *   POST ID/certificates/self    201 with a fresh ed25519 keypair once
 *                                served on chain, 502 otherwise
 *
 * Each is: the guard (401, 404, 403, 308), the body (malformed JSON
 * and validation 400), then a job record for the helper.  Jobs carry
 * no secret of the wallet: the helper signs.
 */

#include "http/ngx_pylon_http.h"
#include "bittensor/request.h"
#include "store/jobs.h"


static ngx_int_t ngx_pylon_commitment_done(ngx_http_request_t *r,
    json_t *job);
static ngx_int_t ngx_pylon_certificate_done(ngx_http_request_t *r,
    json_t *job);


/*
 * The body of kind, in Pylon's order of checks.  NGX_PYLON_AUTHORISE
 * (identity routes, v2): the guard (401, 404, 403, 308) first, then
 * malformed JSON and validation (400).  NGX_PYLON_LOOKUP (login, v1):
 * malformed JSON (400), the identity (404), validation (400).  NGX_OK
 * with *body filled (the caller frees it), or the rc of the error sent
 * (r->header_sent tells the two NGX_OKs apart).
 */

ngx_int_t
ngx_pylon_body_parse(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx,
    pylon_body_kind_t kind, pylon_body_t *body, ngx_uint_t check)
{
    int                    rc;
    char                  *env;
    size_t                 envlen;
    u_char                *method, *p;
    ngx_int_t              arc;
    pylon_request_line_t   line;

    method = ngx_pnalloc(r->pool, r->method_name.len + 1);
    if (method == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(method, r->method_name.data, r->method_name.len);
    *p = '\0';

    line.method = (char *) method;
    line.path = (char *) r->uri.data;
    line.path_len = r->uri.len;
    line.query = r->args.len ? (char *) r->args.data : NULL;
    line.query_len = r->args.len;

    ngx_memzero(body, sizeof(pylon_body_t));

    /* v2 guards run before the body is looked at (spec/pylon-v2.md §2.4) */

    if (check == NGX_PYLON_AUTHORISE) {
        arc = ngx_pylon_authorise(r, ctx);
        if (!NGX_PYLON_PASSED(arc, r)) {
            return arc;
        }
    }

    rc = pylon_body_parse(body, &env, &envlen, kind, ctx->body.data,
                          ctx->body.len, &line);

    if (rc == PYLON_BODY_ENOMEM) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (rc == PYLON_BODY_EJSON) {
        return ngx_pylon_send_json_free(r, NGX_HTTP_BAD_REQUEST, env,
                                        envlen);
    }

    if (check == NGX_PYLON_LOOKUP) {
        arc = ngx_pylon_lookup_identity(r, ctx);

        if (!NGX_PYLON_PASSED(arc, r)) {
            free(env);
            pylon_body_free(body);
            return arc;
        }
    }

    if (rc == PYLON_BODY_EINVALID) {
        return ngx_pylon_send_json_free(r, NGX_HTTP_BAD_REQUEST, env,
                                        envlen);
    }

    return NGX_OK;
}



/* ?mechanism=N selects a sub-subnet (mechanism) where the runtime has them */

static ngx_int_t
ngx_pylon_mechanism(ngx_http_request_t *r, ngx_int_t *mechanism)
{
    ngx_str_t  value;

    *mechanism = 0;

    if (ngx_http_arg(r, (u_char *) "mechanism", 9, &value) != NGX_OK) {
        return NGX_OK;
    }

    *mechanism = ngx_atoi(value.data, value.len);

    if (*mechanism == NGX_ERROR || *mechanism > 255) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pylon_put_weights(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    ngx_int_t     rc, mechanism;
    pylon_body_t  body;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_WEIGHTS, &body,
                              NGX_PYLON_AUTHORISE);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    if (ngx_pylon_mechanism(r, &mechanism) != NGX_OK) {
        pylon_body_free(&body);
        return ngx_pylon_send_invalid(r, "Input should be a valid integer",
                                      "mechanism");
    }

    return ngx_pylon_weights_schedule(r, ctx, &body, mechanism);
}


/*
 * The weights job of ctx->identity and mechanism from a parsed body: a
 * newer one of the same identity and mechanism supersedes it (spec/pylon-
 * v2.md §5.1); it carries the head it was accepted at (start_block), its
 * epoch for expiry and weights/status.  Frees body; sends the reply.
 */

ngx_int_t
ngx_pylon_weights_schedule(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx,
    pylon_body_t *body, ngx_int_t mechanism)
{
    char                   id[PYLON_JOB_ID_LEN + 1];
    u_char                 key[PYLON_JOB_KEY_MAX], *p, *out;
    size_t                 i, n;
    json_t                *params, *weights;
    uint64_t               head;
    ngx_int_t              rc;
    ngx_pylon_identity_t  *ident;

    ident = ctx->identity;
    head = ngx_pylon_head();

    weights = json_object();
    params = json_pack("{s:s%, s:i, s:i, s:o}",
                       "identity", ident->name.data, ident->name.len,
                       "netuid", (int) ident->netuid, "mechanism",
                       (int) mechanism, "weights", weights);

    if (weights == NULL || params == NULL) {
        json_decref(params);
        pylon_body_free(body);
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (head) {
        json_object_set_new(params, "start_block", json_integer(head));
    }

    for (i = 0; i < body->nweights; i++) {
        json_object_setn_new(weights, body->weights[i].hotkey,
                             body->weights[i].hotkey_len,
                             json_real(body->weights[i].weight));
    }

    n = body->nweights;
    pylon_body_free(body);

    p = ngx_snprintf(key, sizeof(key) - 1, "weights/%V/%i/%i",
                     &ident->name, ident->netuid, mechanism);
    *p = '\0';

    rc = ngx_pylon_job_submit(r, id, "weights", (char *) key,
                              PYLON_JOB_SUPERSEDE, params, NULL);
    json_decref(params);

    if (rc != NGX_OK) {
        return ngx_pylon_job_refused(r, rc);
    }

    out = ngx_pnalloc(r->pool, 64);
    if (out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(out, "{\"detail\":\"weights update scheduled\","
                    "\"count\":%uz}", n);

    return ngx_pylon_send_json(r, NGX_HTTP_OK, out, p - out);
}


ngx_int_t
ngx_pylon_post_commitment(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char                  *hex;
    u_char                 key[PYLON_JOB_KEY_MAX], *p;
    json_t                *params;
    ngx_int_t              rc;
    pylon_body_t           body;
    ngx_pylon_identity_t  *ident;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_COMMITMENT, &body,
                              NGX_PYLON_AUTHORISE);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    ident = ctx->identity;

    hex = ngx_pnalloc(r->pool, 2 + 2 * body.commitment_len + 1);
    if (hex == NULL) {
        pylon_body_free(&body);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hex[0] = '0';
    hex[1] = 'x';
    p = ngx_hex_dump((u_char *) hex + 2, body.commitment,
                     body.commitment_len);
    *p = '\0';

    pylon_body_free(&body);

    params = json_pack("{s:s%, s:i, s:s}",
                       "identity", ident->name.data, ident->name.len,
                       "netuid", (int) ident->netuid, "commitment", hex);
    if (params == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    /* the same commitment again joins the job that is landing it */

    p = ngx_snprintf(key, sizeof(key) - 1, "commitment/%V/%i/%s",
                     &ident->name, ident->netuid, hex);
    *p = '\0';

    return ngx_pylon_job_join_wait(r, "commitment", (char *) key, params,
                                   ctx->timeout, ngx_pylon_commitment_done);
}


static ngx_int_t
ngx_pylon_job_outcome(ngx_http_request_t *r, json_t *job,
    const char *failure)
{
    int          status;
    const char  *body, *error;
    u_char       detail[512], *p;

    status = (int) json_integer_value(json_object_get(job, "status"));
    body = json_string_value(json_object_get(job, "body"));
    error = json_string_value(json_object_get(job, "error"));

    if (status < 400 || status > 599) {
        status = NGX_HTTP_BAD_GATEWAY;
    }

    if (body) {
        /* body belongs to the job, which the caller releases after us */
        return ngx_pylon_send_json_copy(r, status, (u_char *) body,
                                        ngx_strlen(body));
    }

    p = ngx_snprintf(detail, sizeof(detail) - 1, "%s",
                     error && *error ? error : failure);
    *p = '\0';

    return ngx_pylon_send_error(r, status, (char *) detail);
}


static ngx_int_t
ngx_pylon_commitment_done(ngx_http_request_t *r, json_t *job)
{
    static u_char  ok[] = "{\"detail\":\"Commitment set successfully.\"}";

    const char  *state;

    state = json_string_value(json_object_get(job, "state"));

    if (ngx_strcmp(state, PYLON_JOB_DONE) == 0) {
        return ngx_pylon_send_json(r, NGX_HTTP_CREATED, ok, sizeof(ok) - 1);
    }

    return ngx_pylon_job_outcome(r, job, "Bad Gateway");
}


ngx_int_t
ngx_pylon_post_certificate(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char                 key[PYLON_JOB_KEY_MAX], *p;
    json_t                *params;
    ngx_int_t              rc;
    pylon_body_t           body;
    ngx_pylon_identity_t  *ident;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_CERTIFICATE, &body,
                              NGX_PYLON_AUTHORISE);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    pylon_body_free(&body);
    ident = ctx->identity;

    params = json_pack("{s:s%, s:i, s:i}",
                       "identity", ident->name.data, ident->name.len,
                       "netuid", (int) ident->netuid, "algorithm", 1);
    if (params == NULL) {
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    p = ngx_snprintf(key, sizeof(key) - 1, "certificate/%V/%i",
                     &ident->name, ident->netuid);
    *p = '\0';

    return ngx_pylon_job_join_wait(r, "certificate", (char *) key, params,
                                   ctx->timeout, ngx_pylon_certificate_done);
}


/*
 * The keypair travels in the job record sealed with this configuration's
 * session key (the helper has the same one), so the private key is never
 * at rest in the cache in the clear.
 */

static ngx_int_t
ngx_pylon_certificate_done(ngx_http_request_t *r, json_t *job)
{
    u_char       *plain;
    size_t        len;
    const char   *state, *sealed;

    state = json_string_value(json_object_get(job, "state"));
    sealed = json_string_value(json_object_get(job, "body"));

    if (ngx_strcmp(state, PYLON_JOB_DONE) != 0 || sealed == NULL) {
        return ngx_pylon_job_outcome(r, job,
                                     "Could not generate certificate pair.");
    }

    plain = ngx_pylon_unseal(r, sealed, &len);
    if (plain == NULL) {
        return ngx_pylon_send_error(r, NGX_HTTP_BAD_GATEWAY,
                                    "Could not generate certificate pair.");
    }

    return ngx_pylon_send_json(r, NGX_HTTP_CREATED, plain, len);
}
