/*
 * ngx_pylon_v2writes.c: the Pylon v2 writes (spec/pylon-v2.md §3.3.5,
 * §3.3.6, §5).
 *
 *   PUT  UID/mechanism/{mechanism_id}/weights   200 {"detail":"weights
 *                                               update scheduled",
 *                                               "count":N}; a newer PUT
 *                                               of the same identity and
 *                                               mechanism cancels it
 *   POST UID/commitments/revealed               201 {"reveal_round":N}
 *                                               once submitted, 502 when
 *                                               the retries are used up
 *
 * Checks in Pylon's order (ngx_pylon_body_parse), then a job for the
 * helper (ngx_pylon_writer.c signs and submits).  A weights job carries
 * the head it was accepted at (start_block): its epoch, for expiry and
 * for weights/status.
 */

#include "http/ngx_pylon_http.h"
#include "bittensor/request.h"
#include "store/jobs.h"


static ngx_int_t ngx_pylon_revealed_done(ngx_http_request_t *r,
    json_t *job);


/* the head the helper last wrote, 0 when none yet */

uint64_t
ngx_pylon_cached_head(void)
{
    char             key[PYLON_KEY_MAX];
    uint64_t         head;
    pylon_store_t   *st;
    pylon_record_t   rec;

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return 0;
    }

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_BLOCK, PYLON_NETUID_NONE);

    if (pylon_store_read(st, key, &rec) != PYLON_STORE_OK) {
        return 0;
    }

    head = rec.block;
    pylon_store_read_end(st);

    return head;
}


/*
 * Schedules a weights job of mechanism for the identity (also the v1
 * route's mechanism 0 when routed here).  Sends the reply.
 */

ngx_int_t
ngx_pylon_v2_put_weights(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    char                   id[PYLON_JOB_ID_LEN + 1];
    u_char                 key[PYLON_JOB_KEY_MAX], *p, *out;
    size_t                 i;
    json_t                *params, *weights;
    int64_t                mechanism;
    uint64_t               head;
    ngx_int_t              rc;
    pylon_body_t           body;
    ngx_pylon_identity_t  *ident;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_WEIGHTS, &body,
                              NGX_PYLON_AUTHORISE);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    ident = ctx->identity;
    mechanism = (ctx->route->flags & NGX_PYLON_R_UNSTABLE)
                ? ctx->params.ints[1] : 0;
    head = ngx_pylon_cached_head();

    weights = json_object();
    params = json_pack("{s:s%, s:i, s:I, s:o}",
                       "identity", ident->name.data, ident->name.len,
                       "netuid", (int) ident->netuid, "mechanism",
                       (json_int_t) mechanism, "weights", weights);

    if (weights == NULL || params == NULL) {
        json_decref(params);
        pylon_body_free(&body);
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (head) {
        json_object_set_new(params, "start_block", json_integer(head));
    }

    for (i = 0; i < body.nweights; i++) {
        json_object_setn_new(weights, body.weights[i].hotkey,
                             body.weights[i].hotkey_len,
                             json_real(body.weights[i].weight));
    }

    /* per identity and mechanism (spec §5.1): the newer one wins */

    p = ngx_snprintf(key, sizeof(key) - 1, "weights/%V/%i/%L",
                     &ident->name, ident->netuid, mechanism);
    *p = '\0';

    rc = ngx_pylon_job_submit(r, id, "weights", (char *) key,
                              PYLON_JOB_SUPERSEDE, params, NULL);
    json_decref(params);

    if (rc != NGX_OK) {
        pylon_body_free(&body);
        return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    out = ngx_pnalloc(r->pool, 64);
    if (out == NULL) {
        pylon_body_free(&body);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(out, "{\"detail\":\"weights update scheduled\","
                    "\"count\":%uz}", body.nweights);

    pylon_body_free(&body);

    return ngx_pylon_send_json(r, NGX_HTTP_OK, out, p - out);
}


/* POST UID/commitments/revealed: a "revealed" job, waited for */

ngx_int_t
ngx_pylon_v2_post_revealed(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char                 key[PYLON_JOB_KEY_MAX], *p;
    json_t                *params;
    ngx_int_t              rc;
    pylon_body_t           body;
    ngx_pylon_identity_t  *ident;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_REVEALED, &body,
                              NGX_PYLON_AUTHORISE);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    ident = ctx->identity;

    params = json_pack("{s:s%, s:i, s:s%, s:I}",
                       "identity", ident->name.data, ident->name.len,
                       "netuid", (int) ident->netuid,
                       "commitment", body.commitment, body.commitment_len,
                       "blocks_until_reveal",
                       (json_int_t) body.blocks_until_reveal);

    pylon_body_free(&body);

    if (params == NULL) {
        /* jansson refuses text that is not UTF-8 */
        return ngx_pylon_send_invalid(r, "Input should be a valid string",
                                      "commitment");
    }

    /* every POST is its own job: each gets its own round and ciphertext */

    p = ngx_snprintf(key, sizeof(key) - 1, "revealed/%V/%i/%p/%M",
                     &ident->name, ident->netuid, r, ngx_current_msec);
    *p = '\0';

    return ngx_pylon_job_join_wait(r, "revealed", (char *) key, params,
                                   ctx->timeout, ngx_pylon_revealed_done);
}


static ngx_int_t
ngx_pylon_revealed_done(ngx_http_request_t *r, json_t *job)
{
    int          status;
    const char  *state, *body, *error;

    state = json_string_value(json_object_get(job, "state"));
    body = json_string_value(json_object_get(job, "body"));
    error = json_string_value(json_object_get(job, "error"));
    status = (int) json_integer_value(json_object_get(job, "status"));

    if (state && ngx_strcmp(state, PYLON_JOB_DONE) == 0 && body) {
        return ngx_pylon_send_json(r, NGX_HTTP_CREATED, (u_char *) body,
                                   ngx_strlen(body));
    }

    if (status < 400 || status > 599) {
        status = NGX_HTTP_BAD_GATEWAY;
    }

    if (body) {
        return ngx_pylon_send_json(r, status, (u_char *) body,
                                   ngx_strlen(body));
    }

    return ngx_pylon_send_error(r, status, error && *error ? error
                                                           : "Bad Gateway");
}
