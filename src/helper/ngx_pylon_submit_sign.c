/*
 * ngx_pylon_submit_sign.c: preparing and sending an extrinsic (see
 * ngx_pylon_submit_int.h): genesis hash, then (after the nonce) the head
 * to sign at and its runtime, the call encoded again if that runtime is
 * not the one it was built with, sign and author_submitExtrinsic;
 * failures before sending end the submission.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_submit_int.h"


static void ngx_pylon_submit_on_runtime(void *data, pylon_runtime_t *rt,
    const char *error);
static void ngx_pylon_submit_sign(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_submitted(void *data, json_t *result,
    const char *error);


void
ngx_pylon_submit_on_genesis(void *data, json_t *result, const char *error)
{
    ngx_pylon_xt_t  *xt = data;

    size_t                  n;
    const char             *s;
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;
    s = json_string_value(result);

    if (s == NULL
        || pylon_hex_decode(sm->genesis, 32, &n, s, ngx_strlen(s)) != 0
        || n != 32)
    {
        ngx_pylon_submit_prepare_failed(xt, "chain_getBlockHash(0)",
                                        error ? error : "not a hash");
        return;
    }

    sm->have_genesis = 1;
    ngx_pylon_submit_fetch_nonce(xt);
}


/*
 * The nonce is known: the head to build on is fixed now, and the
 * extrinsic is signed with that block's runtime (spec version, transaction
 * version and metadata together).
 */

void
ngx_pylon_submit_send(ngx_pylon_xt_t *xt)
{
    uint64_t                head;
    const u_char           *head_hash;
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;

    head = ngx_pylon_follow_head(sm->follow, &head_hash);
    if (head == 0 || head_hash == NULL) {
        ngx_pylon_submit_prepare_failed(xt, "signing",
                                        "no chain head known yet");
        return;
    }

    xt->sign_block = head;
    ngx_cpystrn((u_char *) xt->sign_hash, (u_char *) head_hash,
                sizeof(xt->sign_hash));

    if (ngx_pylon_meta_acquire_at(sm->helper->meta, sm->session,
                                  xt->sign_hash, ngx_pylon_submit_on_runtime,
                                  xt)
        != NGX_OK)
    {
        ngx_pylon_submit_prepare_failed(xt, "state_getRuntimeVersion",
                                        "not connected to the chain");
    }
}


static void
ngx_pylon_submit_on_runtime(void *data, pylon_runtime_t *rt,
    const char *error)
{
    ngx_pylon_xt_t  *xt = data;

    char         err[256];
    pylon_buf_t  call;

    if (rt == NULL) {
        ngx_snprintf((u_char *) err, sizeof(err) - 1,
                     "the runtime of block %uL: %s%Z", xt->sign_block, error);
        ngx_pylon_submit_prepare_failed(xt, "signing", err);
        return;
    }

    if (xt->rt == NULL || xt->rt->spec_version != rt->spec_version) {

        /* a runtime upgrade since the call was built: encode it again */

        pylon_buf_init(&call);

        if (xt->pallet == NULL
            || pylon_xt_call(&call, rt->meta, xt->pallet, xt->name, xt->args,
                             err, sizeof(err))
               != 0)
        {
            pylon_buf_free(&call);
            ngx_pylon_meta_release(rt);
            ngx_pylon_submit_prepare_failed(xt, "encoding the call for the "
                                            "new runtime", xt->pallet
                                            ? err : "no call");
            return;
        }

        ngx_log_error(NGX_LOG_NOTICE, xt->sm->log, 0,
                      "pylon helper: runtime spec %uD at block %uL, the "
                      "call was built with spec %uD: encoded again",
                      rt->spec_version, xt->sign_block,
                      xt->rt ? xt->rt->spec_version : 0);

        pylon_buf_free(&xt->call);
        xt->call = call;
    }

    /* the block's runtime replaces the build's: the same spec or newer */
    ngx_pylon_meta_release(xt->rt);
    xt->rt = rt;

    ngx_pylon_submit_sign(xt);
}


static void
ngx_pylon_submit_sign(ngx_pylon_xt_t *xt)
{
    char                    err[256], *hex;
    size_t                  len, n;
    uint64_t                head, birth;
    uint32_t                p;
    pylon_buf_t             out;
    pylon_xt_params_t       params;
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;
    head = xt->sign_block;

    ngx_memzero(&params, sizeof(params));
    params.spec_version = xt->rt->spec_version;
    params.tx_version = xt->rt->tx_version;
    ngx_memcpy(params.genesis, sm->genesis, 32);
    params.period = PYLON_XT_PERIOD_DEFAULT;
    params.block = head;
    params.nonce = xt->nonce;

    if (pylon_hex_decode(params.birth_hash, 32, &n, xt->sign_hash,
                         ngx_strlen(xt->sign_hash)) != 0
        || n != 32)
    {
        ngx_pylon_submit_prepare_failed(xt, "signing", "bad head hash");
        return;
    }

    /*
     * The era is born at the head itself (periods up to 4096 are not
     * quantized), so the head's hash is the one signed.
     */
    {
        uint8_t  e[PYLON_XT_ERA_MAX_BYTES];

        pylon_xt_era(e, &len, &birth, params.period, head);
    }

    if (birth != head) {
        ngx_pylon_submit_prepare_failed(xt, "signing",
                                        "era not born at the head");
        return;
    }

    for (p = 4; p < params.period && p < 65536; p <<= 1) {
        /* void */
    }

    xt->birth = head;
    xt->death = birth + p;

    pylon_buf_init(&out);

    if (pylon_xt_sign(&out, xt->hash, xt->rt->meta, xt->call.data,
                      xt->call.len, &params, xt->kp, NULL, err, sizeof(err))
        != 0)
    {
        pylon_buf_free(&out);
        ngx_pylon_submit_prepare_failed(xt, "signing", err);
        return;
    }

    len = PYLON_HEX_ENCODED_BYTES(out.len);
    hex = ngx_alloc(len, sm->log);
    if (hex == NULL) {
        pylon_buf_free(&out);
        ngx_pylon_submit_prepare_failed(xt, "signing", "out of memory");
        return;
    }

    pylon_hex_encode(hex, len, out.data, out.len);
    pylon_buf_free(&out);

    if (xt->hex) {
        ngx_free(xt->hex);              /* a stale nonce's, never sent */
    }

    xt->hex = hex;

    /* durable before it can reach the chain */

    if (xt->job[0] && ngx_pylon_submit_record(xt, 0, NULL, 0) != NGX_OK) {
        ngx_pylon_submit_prepare_failed(xt, "recording the extrinsic",
                                     pylon_store_error(sm->helper->store));
        return;
    }

    ngx_pylon_submit_test_hook(sm->log, "recorded");

    if (ngx_pylon_session_call(sm->session, "author_submitExtrinsic",
                               json_pack("[s]", hex),
                               ngx_pylon_submit_on_submitted, xt)
        != NGX_OK)
    {
        /* recorded but not sent: safe to wait for it, a resume sends it */
        ngx_pylon_submit_prepare_failed(xt, "author_submitExtrinsic",
                                        "not connected to the chain");
        return;
    }
}


static void
ngx_pylon_submit_on_submitted(void *data, json_t *result, const char *error)
{
    ngx_pylon_xt_t  *xt = data;

    char                    text[512];
    const char             *name;
    ngx_pylon_nonce_t      *nc;
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;
    nc = ngx_pylon_submit_nonce(sm, xt->kp->pub);

    if (result == NULL && error != NULL
        && ngx_strcmp(error, "connection lost") != 0
        && ngx_strcmp(error, "timeout") != 0)
    {
        if ((ngx_strstr(error, "Priority is too low") != NULL
             || ngx_strstr(error, "outdated") != NULL
             || ngx_strstr(error, "stale") != NULL)
            && ++xt->tries < NGX_PYLON_SUBMIT_RETRIES)
        {
            ngx_log_error(NGX_LOG_INFO, sm->log, 0,
                          "pylon helper: nonce %uD refused (%s), retrying",
                          xt->nonce, error);

            if (nc != NULL && nc->next <= xt->nonce) {
                nc->next = xt->nonce + 1;
            }

            ngx_pylon_submit_fetch_nonce(xt);
            return;
        }

        name = pylon_outcome_custom_in_text(error);
        ngx_snprintf((u_char *) text, sizeof(text) - 1, "%s%s%s%Z", error,
                     name ? " " : "", name ? name : "");

        ngx_pylon_submit_prepare_failed(xt, NULL, text);
        return;
    }

    /*
     * Accepted, or the answer was lost: the extrinsic may be in the pool
     * either way, so it is looked for until its era ends.
     */

    if (error != NULL) {
        ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                      "pylon helper: author_submitExtrinsic: %s; looking "
                      "for the extrinsic in blocks anyway", error);

    } else {
        ngx_log_error(NGX_LOG_INFO, sm->log, 0,
                      "pylon helper: submitted %s (nonce %uD)",
                      json_is_string(result) ? json_string_value(result)
                                             : "?", xt->nonce);

        ngx_pylon_submit_test_hook(sm->log, "submitted");
    }

    if (nc != NULL) {
        nc->next = xt->nonce + 1;
    }

    sm->queue = xt->next;
    if (sm->queue == NULL) {
        sm->queue_last = &sm->queue;
    }

    sm->busy = 0;

    ngx_pylon_submit_wait(xt);
    ngx_pylon_submit_kick(sm);
}


/* the queue's head failed before submission: answer, go on */

void
ngx_pylon_submit_prepare_failed(ngx_pylon_xt_t *xt, const char *what,
    const char *error)
{
    char                    text[512];
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;

    if (what != NULL) {
        ngx_snprintf((u_char *) text, sizeof(text) - 1, "%s: %s%Z", what,
                     error);
    } else {
        ngx_cpystrn((u_char *) text, (u_char *) error, sizeof(text));
    }

    sm->queue = xt->next;
    if (sm->queue == NULL) {
        sm->queue_last = &sm->queue;
    }

    sm->busy = 0;

    ngx_pylon_submit_finish(xt, 0, text, NULL, 0, NULL);
    ngx_pylon_submit_kick(sm);
}
