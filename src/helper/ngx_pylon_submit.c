/*
 * ngx_pylon_submit.c: the helper's extrinsic submitter, its entry points
 * (see ngx_pylon_submit.h): create, stop and destroy, queueing a
 * submission or a durable job, and starting the queue's head.  The
 * encoding, signing and outcome reading are the pure parts in
 * src/chain/extrinsic.c and src/chain/outcome.c.
 *
 * The submitter is split by concern; its private types and shared
 * functions are in ngx_pylon_submit_int.h:
 *   ngx_pylon_submit_nonce.c    account nonces (fetched and remembered)
 *   ngx_pylon_submit_sign.c     genesis, runtime version, sign and send
 *   ngx_pylon_submit_watch.c    inclusion watcher: block scans per head
 *   ngx_pylon_submit_outcome.c  events of the including block -> reply
 *   ngx_pylon_submit_resume.c   durable jobs: record, resume, resend
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_submit_int.h"


ngx_pylon_submitter_t *
ngx_pylon_submitter_create(ngx_pylon_helper_t *h, ngx_pylon_session_t *s,
    ngx_pylon_follow_t *f)
{
    ngx_pylon_submitter_t  *sm;

    sm = ngx_calloc(sizeof(ngx_pylon_submitter_t), h->log);
    if (sm == NULL) {
        return NULL;
    }

    sm->helper = h;
    sm->log = h->log;
    sm->session = s;
    sm->follow = f;
    sm->queue_last = &sm->queue;

    if (ngx_pylon_follow_listen(f, ngx_pylon_submit_on_head, sm) != NGX_OK
        || ngx_pylon_follow_on_reorg(f, ngx_pylon_submit_on_reorg, sm)
           != NGX_OK)
    {
        ngx_free(sm);
        return NULL;
    }

    return sm;
}


void
ngx_pylon_submitter_stop(ngx_pylon_submitter_t *sm)
{
    if (sm != NULL) {
        sm->stopping = 1;
    }
}


void
ngx_pylon_submitter_destroy(ngx_pylon_submitter_t *sm)
{
    ngx_pylon_xt_t    *xt;
    ngx_pylon_scan_t  *ev;

    if (sm == NULL) {
        return;
    }

    /* unanswered: their jobs stay running for the next helper */

    sm->stopping = 1;

    while (sm->queue) {
        xt = sm->queue;
        sm->queue = xt->next;
        ngx_pylon_submit_free(xt);
    }

    while (sm->waiting) {
        xt = sm->waiting;
        sm->waiting = xt->next;
        ngx_pylon_submit_free(xt);
    }

    while (sm->rereads) {
        ev = sm->rereads;
        sm->rereads = ev->next;
        ngx_pylon_submit_free(ev->xt);
        ngx_free(ev);
    }

    ngx_free(sm);
}


ngx_uint_t
ngx_pylon_submit_pending(ngx_pylon_submitter_t *sm)
{
    ngx_uint_t       n;
    ngx_pylon_xt_t  *xt;

    n = 0;

    for (xt = sm->queue; xt; xt = xt->next) {
        n++;
    }

    for (xt = sm->waiting; xt; xt = xt->next) {
        n++;
    }

    return n;
}


ngx_int_t
ngx_pylon_submit(ngx_pylon_submitter_t *sm, pylon_runtime_t *rt,
    const pylon_sr25519_keypair_t *kp, const char *pallet, const char *call,
    const json_t *args, ngx_pylon_submit_pt reply, void *data, char *err,
    size_t errlen)
{
    return ngx_pylon_submit_job(sm, NULL, rt, kp, pallet, call, args,
                                reply, data, err, errlen);
}


ngx_int_t
ngx_pylon_submit_job(ngx_pylon_submitter_t *sm, ngx_pylon_job_t *job,
    pylon_runtime_t *rt, const pylon_sr25519_keypair_t *kp,
    const char *pallet, const char *call, const json_t *args,
    ngx_pylon_submit_pt reply, void *data, char *err, size_t errlen)
{
    ngx_int_t        rc;
    ngx_pylon_xt_t  *xt;

    if (job != NULL && job->xt != NULL) {
        /* taken over: the recorded extrinsic, once */
        rc = ngx_pylon_submit_resume(sm, job, rt, kp, reply, data);

        json_decref(job->xt);
        job->xt = NULL;

        if (rc == NGX_OK) {
            return NGX_OK;
        }

        /* unreadable record: nothing of it can be on chain, sign anew */

        if (pallet == NULL) {
            ngx_cpystrn((u_char *) err, (u_char *) "recorded extrinsic "
                        "unreadable", errlen);
            return NGX_DECLINED;          /* the caller builds the call */
        }
    }

    if (rt == NULL || pallet == NULL || call == NULL) {
        ngx_cpystrn((u_char *) err, (u_char *) "no runtime metadata for "
                    "the call", errlen);
        return NGX_ERROR;
    }

    xt = ngx_calloc(sizeof(ngx_pylon_xt_t), sm->log);
    if (xt == NULL) {
        ngx_cpystrn((u_char *) err, (u_char *) "out of memory", errlen);
        return NGX_ERROR;
    }

    pylon_buf_init(&xt->call);

    if (pylon_xt_call(&xt->call, rt->meta, pallet, call, args, err, errlen)
        != 0)
    {
        pylon_buf_free(&xt->call);
        ngx_free(xt);
        return NGX_ERROR;
    }

    /* kept to encode the call again if the runtime changes before signing */
    xt->pallet = ngx_alloc(ngx_strlen(pallet) + 1, sm->log);
    xt->name = ngx_alloc(ngx_strlen(call) + 1, sm->log);
    xt->args = args ? json_deep_copy(args) : NULL;

    if (xt->pallet == NULL || xt->name == NULL || (args && !xt->args)) {
        ngx_cpystrn((u_char *) err, (u_char *) "out of memory", errlen);
        ngx_pylon_submit_free(xt);
        return NGX_ERROR;
    }

    ngx_memcpy(xt->pallet, pallet, ngx_strlen(pallet) + 1);
    ngx_memcpy(xt->name, call, ngx_strlen(call) + 1);

    xt->sm = sm;
    xt->rt = ngx_pylon_meta_acquire_rt(rt);
    xt->kp = kp;
    xt->reply = reply;
    xt->data = data;

    if (job != NULL) {
        ngx_memcpy(xt->job, job->id, sizeof(xt->job));
    }

    *sm->queue_last = xt;
    sm->queue_last = &xt->next;

    ngx_pylon_submit_kick(sm);

    return NGX_OK;
}


/* start preparing the queue's head unless one is being prepared */

void
ngx_pylon_submit_kick(ngx_pylon_submitter_t *sm)
{
    ngx_pylon_xt_t  *xt;

    if (sm->busy || sm->queue == NULL || sm->stopping) {
        return;
    }

    sm->busy = 1;
    xt = sm->queue;

    if (sm->have_genesis) {
        ngx_pylon_submit_fetch_nonce(xt);
        return;
    }

    if (ngx_pylon_session_call(sm->session, "chain_getBlockHash",
                               json_pack("[i]", 0),
                               ngx_pylon_submit_on_genesis, xt)
        != NGX_OK)
    {
        ngx_pylon_submit_prepare_failed(xt, "chain_getBlockHash",
                                        "not connected to the chain");
    }
}
