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


/* PUT UID/mechanism/{mechanism_id}/weights: mechanism_id is a u8 */

ngx_int_t
ngx_pylon_v2_put_weights(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    int64_t       mechanism;
    ngx_int_t     rc;
    pylon_body_t  body;

    rc = ngx_pylon_body_parse(r, ctx, PYLON_BODY_WEIGHTS, &body,
                              NGX_PYLON_AUTHORISE);
    if (!NGX_PYLON_PASSED(rc, r)) {
        return rc;
    }

    mechanism = ctx->params.ints[1];

    if (mechanism < 0 || mechanism > 255) {
        pylon_body_free(&body);
        return ngx_pylon_send_invalid(r,
                   "mechanism_id must be between 0 and 255", "mechanism_id");
    }

    return ngx_pylon_weights_schedule(r, ctx, &body, (ngx_int_t) mechanism);
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
