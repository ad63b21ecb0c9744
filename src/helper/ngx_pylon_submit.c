/*
 * ngx_pylon_submit.c: the helper's extrinsic submitter (see
 * ngx_pylon_submit.h); the encoding, signing and outcome reading are the
 * pure parts in src/chain/extrinsic.c and src/chain/outcome.c.
 *
 * Each submission is a small state machine carried by its own context:
 *   queued -> (genesis) -> version -> nonce -> submitted -> waiting
 *   -> found in a block -> events -> reply.
 * Only the queue's head is between "version" and "submitted", so nonces
 * are assigned in order.  The nonce used last per account is remembered:
 * the node's system_accountNextIndex may not count a transaction it has
 * just accepted into a block being built.
 *
 * Inclusion is found by scanning every block from the head at signing
 * on: on each new head the blocks since the last scan are fetched
 * (chain_getBlockHash, chain_getBlock) and their extrinsic hashes
 * compared with the waiting ones.  A scan that fails is repeated on the
 * next head.  A waiting extrinsic expires once every block up to the end
 * of its era has been scanned without finding it.  Blocks are scanned in
 * order, at most NGX_PYLON_SUBMIT_SCAN_MAX at a time, never skipped (a
 * skipped block could hide an included extrinsic that would then be sent
 * again), and only up to the last era's end; a number the node has no
 * block for (chain_getBlockHash gives null) holds none.
 *
 * Jobs (ngx_pylon_submit_job) record their extrinsic before sending it
 * (see ngx_pylon_submit.h); a resumed one skips genesis, version and nonce
 * and goes straight to waiting, sent again while its era lives.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <stdlib.h>
#include <unistd.h>

#include "chain/extrinsic.h"
#include "chain/hex.h"
#include "chain/outcome.h"
#include "chain/storage.h"
#include "crypto/address.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_submit.h"


#define NGX_PYLON_SUBMIT_RETRIES   3
#define NGX_PYLON_SUBMIT_SCAN_MAX  64      /* blocks scanned per head */
#define NGX_PYLON_SUBMIT_NONCES    32      /* accounts remembered */
#define NGX_PYLON_SUBMIT_EVENTS    5       /* reads of an including block */


typedef struct ngx_pylon_xt_s  ngx_pylon_xt_t;

struct ngx_pylon_xt_s {
    ngx_pylon_xt_t                 *next;
    ngx_pylon_submitter_t          *sm;
    const pylon_meta_t             *meta;
    const pylon_sr25519_keypair_t  *kp;
    ngx_pylon_submit_pt             reply;
    void                           *data;

    pylon_buf_t                     call;
    uint32_t                        nonce;
    ngx_uint_t                      tries;
    uint64_t                        birth;      /* the head it was signed at */
    uint64_t                        death;      /* first block it is dead */
    uint8_t                         hash[PYLON_XT_HASH_BYTES];

    char                           *hex;        /* signed, "0x..."; owned */
    char                            job[PYLON_JOB_ID_LEN + 1]; /* or "" */
    ngx_uint_t                      reads;      /* events reads tried */
    ngx_uint_t                      resend;     /* taken over, not yet
                                                   accepted again */
};


typedef struct {
    u_char                          pub[PYLON_SR25519_PUBLIC_BYTES];
    uint32_t                        next;
    ngx_uint_t                      used;
} ngx_pylon_nonce_t;


typedef struct {
    ngx_pylon_submitter_t          *sm;
    ngx_pylon_xt_t                 *xt;         /* events lookups only */
    uint32_t                        index;      /* in the block */
    uint64_t                        number;
    char                            hash[67];
    void                           *next;       /* events to read again */
} ngx_pylon_scan_t;


struct ngx_pylon_submitter_s {
    ngx_pylon_helper_t             *helper;
    ngx_log_t                      *log;
    ngx_pylon_session_t            *session;
    ngx_pylon_follow_t             *follow;

    ngx_pylon_xt_t                 *queue;      /* head: being prepared */
    ngx_pylon_xt_t                **queue_last;
    ngx_uint_t                      busy;
    ngx_pylon_xt_t                 *waiting;    /* submitted */

    ngx_uint_t                      have_genesis;
    uint8_t                         genesis[32];
    uint32_t                        spec_version;
    uint32_t                        tx_version;

    uint64_t                        scanned;    /* blocks up to here seen */
    ngx_uint_t                      scans;      /* scans in flight */
    ngx_uint_t                      scan_failed; /* in this batch */
    uint64_t                        head;       /* followed head */
    char                            head_hash[67];
    ngx_pylon_scan_t               *rereads;    /* events to read again */
    ngx_uint_t                      stopping;

    ngx_pylon_nonce_t               nonces[NGX_PYLON_SUBMIT_NONCES];
    ngx_uint_t                      tick;
};


static void ngx_pylon_submit_kick(ngx_pylon_submitter_t *sm);
static void ngx_pylon_submit_version(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_genesis(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_on_version(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_fetch_nonce(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_nonce(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_send(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_submitted(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_wait(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_head(void *data, uint64_t number,
    const u_char *hash);
static void ngx_pylon_submit_scan_more(ngx_pylon_submitter_t *sm);
static void ngx_pylon_submit_scan(ngx_pylon_submitter_t *sm,
    uint64_t number, const char *hash);
static void ngx_pylon_submit_scan_done(ngx_pylon_submitter_t *sm);
static ngx_int_t ngx_pylon_submit_resume(ngx_pylon_submitter_t *sm,
    ngx_pylon_job_t *job, const pylon_meta_t *meta,
    const pylon_sr25519_keypair_t *kp, ngx_pylon_submit_pt reply,
    void *data);
static void ngx_pylon_submit_resend(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_resent(void *data, json_t *result,
    const char *error);
static ngx_int_t ngx_pylon_submit_record(ngx_pylon_xt_t *xt,
    uint64_t block, const char *block_hash, uint32_t index);
static void ngx_pylon_submit_events_read(ngx_pylon_scan_t *ev);
static void ngx_pylon_submit_free(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_block_hash(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_on_block(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_scan_failed(ngx_pylon_scan_t *sc);
static void ngx_pylon_submit_events(ngx_pylon_xt_t *xt, uint32_t index,
    uint64_t number, const char *hash);
static void ngx_pylon_submit_on_events(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_expire(ngx_pylon_submitter_t *sm);
static void ngx_pylon_submit_prepare_failed(ngx_pylon_xt_t *xt,
    const char *what, const char *error);
static void ngx_pylon_submit_finish(ngx_pylon_xt_t *xt, ngx_int_t ok,
    const char *error, const char *docs, uint64_t block, const char *hash);
static ngx_pylon_nonce_t *ngx_pylon_submit_nonce(ngx_pylon_submitter_t *sm,
    const u_char *pub);


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

    if (ngx_pylon_follow_listen(f, ngx_pylon_submit_on_head, sm) != NGX_OK) {
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
ngx_pylon_submit(ngx_pylon_submitter_t *sm, const pylon_meta_t *meta,
    const pylon_sr25519_keypair_t *kp, const char *pallet, const char *call,
    const json_t *args, ngx_pylon_submit_pt reply, void *data, char *err,
    size_t errlen)
{
    return ngx_pylon_submit_job(sm, NULL, meta, kp, pallet, call, args,
                                reply, data, err, errlen);
}


ngx_int_t
ngx_pylon_submit_job(ngx_pylon_submitter_t *sm, ngx_pylon_job_t *job,
    const pylon_meta_t *meta, const pylon_sr25519_keypair_t *kp,
    const char *pallet, const char *call, const json_t *args,
    ngx_pylon_submit_pt reply, void *data, char *err, size_t errlen)
{
    ngx_int_t        rc;
    ngx_pylon_xt_t  *xt;

    if (job != NULL && job->xt != NULL) {
        /* taken over: the recorded extrinsic, once */
        rc = ngx_pylon_submit_resume(sm, job, meta, kp, reply, data);

        json_decref(job->xt);
        job->xt = NULL;

        if (rc == NGX_OK) {
            return NGX_OK;
        }

        /* unreadable record: nothing of it can be on chain, sign anew */
    }

    xt = ngx_calloc(sizeof(ngx_pylon_xt_t), sm->log);
    if (xt == NULL) {
        ngx_cpystrn((u_char *) err, (u_char *) "out of memory", errlen);
        return NGX_ERROR;
    }

    pylon_buf_init(&xt->call);

    if (pylon_xt_call(&xt->call, meta, pallet, call, args, err, errlen)
        != 0)
    {
        pylon_buf_free(&xt->call);
        ngx_free(xt);
        return NGX_ERROR;
    }

    xt->sm = sm;
    xt->meta = meta;
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

static void
ngx_pylon_submit_kick(ngx_pylon_submitter_t *sm)
{
    ngx_pylon_xt_t  *xt;

    if (sm->busy || sm->queue == NULL || sm->stopping) {
        return;
    }

    sm->busy = 1;
    xt = sm->queue;

    if (sm->have_genesis) {
        ngx_pylon_submit_version(xt);
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


static void
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
    ngx_pylon_submit_version(xt);
}


static void
ngx_pylon_submit_version(ngx_pylon_xt_t *xt)
{
    if (ngx_pylon_session_call(xt->sm->session, "state_getRuntimeVersion",
                               NULL, ngx_pylon_submit_on_version, xt)
        != NGX_OK)
    {
        ngx_pylon_submit_prepare_failed(xt, "state_getRuntimeVersion",
                                        "not connected to the chain");
    }
}


static void
ngx_pylon_submit_on_version(void *data, json_t *result, const char *error)
{
    ngx_pylon_xt_t  *xt = data;

    json_t  *spec, *tx;

    spec = json_object_get(result, "specVersion");
    tx = json_object_get(result, "transactionVersion");

    if (!json_is_integer(spec) || !json_is_integer(tx)
        || json_integer_value(spec) < 0
        || json_integer_value(spec) > (json_int_t) UINT32_MAX
        || json_integer_value(tx) < 0
        || json_integer_value(tx) > (json_int_t) UINT32_MAX)
    {
        ngx_pylon_submit_prepare_failed(xt, "state_getRuntimeVersion",
                                        error ? error : "malformed");
        return;
    }

    xt->sm->spec_version = (uint32_t) json_integer_value(spec);
    xt->sm->tx_version = (uint32_t) json_integer_value(tx);

    ngx_pylon_submit_fetch_nonce(xt);
}


static void
ngx_pylon_submit_fetch_nonce(ngx_pylon_xt_t *xt)
{
    char  ss58[PYLON_ADDRESS_SS58_MAX];

    if (pylon_address_ss58_encode(ss58, sizeof(ss58), xt->kp->pub,
                                  PYLON_ADDRESS_PREFIX_BITTENSOR)
        != 0)
    {
        ngx_pylon_submit_prepare_failed(xt, "ss58", "cannot encode");
        return;
    }

    if (ngx_pylon_session_call(xt->sm->session, "system_accountNextIndex",
                               json_pack("[s]", ss58),
                               ngx_pylon_submit_on_nonce, xt)
        != NGX_OK)
    {
        ngx_pylon_submit_prepare_failed(xt, "system_accountNextIndex",
                                        "not connected to the chain");
    }
}


static void
ngx_pylon_submit_on_nonce(void *data, json_t *result, const char *error)
{
    ngx_pylon_xt_t  *xt = data;

    json_int_t          n;
    ngx_pylon_nonce_t  *nc;

    if (!json_is_integer(result) || json_integer_value(result) < 0
        || json_integer_value(result) > (json_int_t) UINT32_MAX)
    {
        ngx_pylon_submit_prepare_failed(xt, "system_accountNextIndex",
                                        error ? error : "malformed");
        return;
    }

    n = json_integer_value(result);
    nc = ngx_pylon_submit_nonce(xt->sm, xt->kp->pub);

    xt->nonce = (uint32_t) n;
    if (nc != NULL && nc->next > xt->nonce) {
        xt->nonce = nc->next;
    }

    ngx_pylon_submit_send(xt);
}


static void
ngx_pylon_submit_send(ngx_pylon_xt_t *xt)
{
    char                    err[256], *hex;
    size_t                  len, n;
    uint64_t                head, birth;
    uint32_t                p;
    pylon_buf_t             out;
    const u_char           *head_hash;
    pylon_xt_params_t       params;
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;

    head = ngx_pylon_follow_head(sm->follow, &head_hash);
    if (head == 0) {
        ngx_pylon_submit_prepare_failed(xt, "signing",
                                        "no chain head known yet");
        return;
    }

    ngx_memzero(&params, sizeof(params));
    params.spec_version = sm->spec_version;
    params.tx_version = sm->tx_version;
    ngx_memcpy(params.genesis, sm->genesis, 32);
    params.period = PYLON_XT_PERIOD_DEFAULT;
    params.block = head;
    params.nonce = xt->nonce;

    if (pylon_hex_decode(params.birth_hash, 32, &n, (const char *) head_hash,
                         ngx_strlen(head_hash)) != 0
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

    if (pylon_xt_sign(&out, xt->hash, xt->meta, xt->call.data, xt->call.len,
                      &params, xt->kp, NULL, err, sizeof(err))
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


static void
ngx_pylon_submit_wait(ngx_pylon_xt_t *xt)
{
    uint64_t                head;
    const u_char           *hash;
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;

    /* it can only be in blocks after the head it was signed at */
    if (sm->waiting == NULL || sm->scanned > xt->birth) {
        sm->scanned = xt->birth;
    }

    xt->next = sm->waiting;
    sm->waiting = xt;

    /* blocks may have come while it was being submitted */
    head = ngx_pylon_follow_head(sm->follow, &hash);
    if (head > sm->scanned && hash != NULL) {
        ngx_pylon_submit_on_head(sm, head, hash);
    }
}


static void
ngx_pylon_submit_on_head(void *data, uint64_t number, const u_char *hash)
{
    ngx_pylon_submitter_t  *sm = data;

    ngx_pylon_xt_t    *xt;
    ngx_pylon_scan_t  *ev, *list;

    if (number >= sm->head) {
        sm->head = number;
        ngx_cpystrn((u_char *) sm->head_hash, (u_char *) hash,
                    sizeof(sm->head_hash));
    }

    /* included extrinsics whose events could not be read: again */

    list = sm->rereads;
    sm->rereads = NULL;

    while (list) {
        ev = list;
        list = ev->next;
        ngx_pylon_submit_events_read(ev);
    }

    if (sm->waiting == NULL) {
        if (sm->scans == 0) {
            sm->scanned = sm->head;
        }
        return;
    }

    /* taken-over extrinsics not yet accepted: the same bytes again */

    for (xt = sm->waiting; xt; xt = xt->next) {
        if (xt->resend && number < xt->death) {
            ngx_pylon_submit_resend(xt);
        }
    }

    sm->scan_failed = 0;
    ngx_pylon_submit_scan_more(sm);
}


/*
 * The next blocks in order, up to the head and the last era's end; once
 * every block a waiting extrinsic could be in has been read, expire.
 */

static void
ngx_pylon_submit_scan_more(ngx_pylon_submitter_t *sm)
{
    uint64_t         limit, from, to, k;
    ngx_pylon_xt_t  *xt;

    if (sm->scans || sm->scan_failed || sm->waiting == NULL) {
        return;
    }

    limit = 0;

    for (xt = sm->waiting; xt; xt = xt->next) {
        if (xt->death > limit) {
            limit = xt->death;
        }
    }

    if (limit > sm->head) {
        limit = sm->head;
    }

    if (sm->scanned >= limit) {
        ngx_pylon_submit_expire(sm);
        return;
    }

    from = sm->scanned + 1;
    to = ngx_min(limit, from + NGX_PYLON_SUBMIT_SCAN_MAX - 1);
    sm->scanned = to;

    for (k = from; k <= to; k++) {
        ngx_pylon_submit_scan(sm, k, k == sm->head ? sm->head_hash : NULL);
    }
}


/* a scan batch is over: expire what cannot come, go on if all went well */

static void
ngx_pylon_submit_scan_done(ngx_pylon_submitter_t *sm)
{
    if (sm->scans) {
        return;
    }

    ngx_pylon_submit_expire(sm);
    ngx_pylon_submit_scan_more(sm);
}


/* fetch block number (by its hash when known) and look for ours in it */

static void
ngx_pylon_submit_scan(ngx_pylon_submitter_t *sm, uint64_t number,
    const char *hash)
{
    ngx_int_t          rc;
    ngx_pylon_scan_t  *sc;

    sc = ngx_calloc(sizeof(ngx_pylon_scan_t), sm->log);
    if (sc == NULL) {
        if (number <= sm->scanned) {
            sm->scanned = number - 1;
        }
        sm->scan_failed = 1;
        return;
    }

    sc->sm = sm;
    sc->number = number;

    if (hash != NULL && hash[0]) {
        ngx_cpystrn((u_char *) sc->hash, (u_char *) hash, sizeof(sc->hash));
        rc = ngx_pylon_session_call(sm->session, "chain_getBlock",
                                    json_pack("[s]", sc->hash),
                                    ngx_pylon_submit_on_block, sc);
    } else {
        rc = ngx_pylon_session_call(sm->session, "chain_getBlockHash",
                                    json_pack("[I]", (json_int_t) number),
                                    ngx_pylon_submit_on_block_hash, sc);
    }

    if (rc != NGX_OK) {
        if (number <= sm->scanned) {
            sm->scanned = number - 1;
        }
        sm->scan_failed = 1;
        ngx_free(sc);
        return;
    }

    sm->scans++;
}


static void
ngx_pylon_submit_on_block_hash(void *data, json_t *result, const char *error)
{
    ngx_pylon_scan_t  *sc = data;

    const char             *s;
    ngx_pylon_submitter_t  *sm;

    sm = sc->sm;

    if ((result == NULL || json_is_null(result)) && error == NULL) {
        /* no block has this number (a dev chain's height jump) */
        sm->scans--;
        ngx_free(sc);
        ngx_pylon_submit_scan_done(sm);
        return;
    }

    s = json_string_value(result);

    if (s == NULL || ngx_strlen(s) != 66) {
        ngx_pylon_submit_scan_failed(sc);
        return;
    }

    ngx_cpystrn((u_char *) sc->hash, (u_char *) s, sizeof(sc->hash));

    if (ngx_pylon_session_call(sm->session, "chain_getBlock",
                               json_pack("[s]", sc->hash),
                               ngx_pylon_submit_on_block, sc)
        != NGX_OK)
    {
        ngx_pylon_submit_scan_failed(sc);
    }
}


static void
ngx_pylon_submit_on_block(void *data, json_t *result, const char *error)
{
    ngx_pylon_scan_t  *sc = data;

    int64_t                 index;
    json_t                 *exts;
    ngx_pylon_xt_t         *xt, **xp;
    ngx_pylon_submitter_t  *sm;

    sm = sc->sm;
    exts = json_object_get(json_object_get(result, "block"), "extrinsics");

    if (!json_is_array(exts)) {
        ngx_pylon_submit_scan_failed(sc);
        return;
    }

    xp = &sm->waiting;

    while (*xp) {
        xt = *xp;
        index = pylon_outcome_xt_index(exts, xt->hash);

        if (index < 0) {
            xp = &xt->next;
            continue;
        }

        *xp = xt->next;
        ngx_pylon_submit_events(xt, (uint32_t) index, sc->number, sc->hash);
    }

    sm->scans--;
    ngx_free(sc);

    ngx_pylon_submit_scan_done(sm);
}


static void
ngx_pylon_submit_scan_failed(ngx_pylon_scan_t *sc)
{
    ngx_pylon_submitter_t  *sm;

    sm = sc->sm;

    ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                  "pylon helper: block %uL could not be read for "
                  "submitted extrinsics, rescanning", sc->number);

    if (sc->number <= sm->scanned) {
        sm->scanned = sc->number - 1;
    }

    sm->scan_failed = 1;
    sm->scans--;
    ngx_free(sc);

    ngx_pylon_submit_scan_done(sm);
}


/*
 * The extrinsic is in block number: record that with the job (a helper
 * taking over reads the outcome instead of sending it again), then read
 * the block's System.Events.
 */

static void
ngx_pylon_submit_events(ngx_pylon_xt_t *xt, uint32_t index, uint64_t number,
    const char *hash)
{
    ngx_pylon_scan_t  *ev;

    if (xt->job[0]
        && ngx_pylon_submit_record(xt, number, hash, index) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, xt->sm->log, 0,
                      "pylon helper: job %s: cannot record its inclusion: "
                      "%s", xt->job,
                      pylon_store_error(xt->sm->helper->store));
    }

    ngx_pylon_submit_test_hook(xt->sm->log, "included");

    ev = ngx_calloc(sizeof(ngx_pylon_scan_t), xt->sm->log);
    if (ev == NULL) {
        ngx_pylon_submit_finish(xt, 1, "included, but out of memory to "
                                "read its outcome", NULL, number, hash);
        return;
    }

    ev->sm = xt->sm;
    ev->xt = xt;
    ev->index = index;
    ev->number = number;
    ngx_cpystrn((u_char *) ev->hash, (u_char *) hash, sizeof(ev->hash));

    ngx_pylon_submit_events_read(ev);
}


/* reading the events failed for now: again on a next head, or give up */

static void
ngx_pylon_submit_events_later(ngx_pylon_scan_t *ev, const char *why)
{
    char                    text[512];
    ngx_pylon_xt_t         *xt;
    ngx_pylon_submitter_t  *sm;

    xt = ev->xt;
    sm = ev->sm;

    if (++xt->reads < NGX_PYLON_SUBMIT_EVENTS && !sm->stopping) {
        ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                      "pylon helper: the events of block %uL could not be "
                      "read (%s), again on the next head", ev->number, why);
        ev->next = sm->rereads;
        sm->rereads = ev;
        return;
    }

    /* included: reported as such, never retried as a failure */

    ngx_snprintf((u_char *) text, sizeof(text) - 1,
                 "included in block %uL, but its events could not be "
                 "read: %s%Z", ev->number, why);
    ngx_pylon_submit_finish(xt, 1, text, NULL, ev->number, ev->hash);
    ngx_free(ev);
}


static void
ngx_pylon_submit_events_read(ngx_pylon_scan_t *ev)
{
    char             err[128], key[PYLON_HEX_ENCODED_BYTES(64)];
    pylon_buf_t      kb;
    ngx_pylon_xt_t  *xt;

    xt = ev->xt;

    pylon_buf_init(&kb);

    if (pylon_storage_key(&kb, xt->meta, "System", "Events", NULL, 0, err,
                          sizeof(err)) != 0
        || pylon_hex_encode(key, sizeof(key), kb.data, kb.len) < 0)
    {
        pylon_buf_free(&kb);
        ngx_pylon_submit_finish(xt, 1, "included, but System.Events has no "
                                "key in this metadata", NULL, ev->number,
                                ev->hash);
        ngx_free(ev);
        return;
    }

    pylon_buf_free(&kb);

    if (ngx_pylon_session_call(ev->sm->session, "state_getStorage",
                               json_pack("[s, s]", key, ev->hash),
                               ngx_pylon_submit_on_events, ev)
        != NGX_OK)
    {
        ngx_pylon_submit_events_later(ev, "not connected");
    }
}


static void
ngx_pylon_submit_on_events(void *data, json_t *result, const char *error)
{
    ngx_pylon_scan_t  *ev = data;

    char             err[256], text[512];
    size_t           len;
    uint8_t         *bytes;
    json_t          *events;
    const char      *s;
    ngx_pylon_xt_t  *xt;
    pylon_outcome_t  o;

    xt = ev->xt;
    s = json_string_value(result);

    if (s == NULL) {
        ngx_pylon_submit_events_later(ev, error ? error : "no System.Events");
        return;
    }

    events = NULL;

    if (pylon_hex_decode_alloc(&bytes, &len, s, ngx_strlen(s)) == 0) {
        events = pylon_storage_value_decode(xt->meta, "System", "Events",
                                            bytes, len, err, sizeof(err));
        free(bytes);

    } else {
        ngx_cpystrn((u_char *) err, (u_char *) "not hex", sizeof(err));
    }

    if (events == NULL
        || pylon_outcome_from_events(&o, xt->meta, events, ev->index, err,
                                     sizeof(err)) != 0)
    {
        /* the same bytes decode the same way: report the inclusion */
        json_decref(events);
        ngx_snprintf((u_char *) text, sizeof(text) - 1,
                     "included in block %uL, but its events could not be "
                     "read: %s%Z", ev->number, err);
        ngx_pylon_submit_finish(xt, 1, text, NULL, ev->number, ev->hash);
        ngx_free(ev);
        return;
    }

    json_decref(events);

    if (!o.found) {
        ngx_pylon_submit_finish(xt, 1, "included, but without a result "
                                "event", NULL, ev->number, ev->hash);

    } else {
        ngx_pylon_submit_finish(xt, o.success ? 1 : 0,
                                o.success ? NULL : o.error,
                                o.docs[0] ? o.docs : NULL, ev->number,
                                ev->hash);
    }

    pylon_outcome_clear(&o);
    ngx_free(ev);
}


/* every block up to sm->scanned was read: the dead are not coming */

static void
ngx_pylon_submit_expire(ngx_pylon_submitter_t *sm)
{
    ngx_pylon_xt_t     *xt, **xp;
    ngx_pylon_nonce_t  *nc;

    xp = &sm->waiting;

    while (*xp) {
        xt = *xp;

        if (xt->death > sm->scanned) {
            xp = &xt->next;
            continue;
        }

        *xp = xt->next;

        /* its nonce was not used: trust the node's count again */
        nc = ngx_pylon_submit_nonce(sm, xt->kp->pub);
        if (nc != NULL && nc->next > xt->nonce) {
            nc->next = xt->nonce;
        }

        ngx_pylon_submit_finish(xt, 0, "not included before its era ended",
                                NULL, 0, NULL);
    }
}


/*
 * A job taken over with its recorded extrinsic (ngx_pylon_submit.h):
 * NGX_OK when it is resumed, NGX_DECLINED when the record is unusable.
 */

static ngx_int_t
ngx_pylon_submit_resume(ngx_pylon_submitter_t *sm, ngx_pylon_job_t *job,
    const pylon_meta_t *meta, const pylon_sr25519_keypair_t *kp,
    ngx_pylon_submit_pt reply, void *data)
{
    size_t              n, blen;
    json_t             *rec;
    uint8_t            *bytes, check[PYLON_XT_HASH_BYTES];
    json_int_t          nonce, birth, death, block, index;
    const char         *hex, *hash, *bh;
    ngx_pylon_xt_t     *xt;
    ngx_pylon_nonce_t  *nc;

    rec = job->xt;

    hex = json_string_value(json_object_get(rec, "hex"));
    hash = json_string_value(json_object_get(rec, "hash"));
    nonce = json_integer_value(json_object_get(rec, "nonce"));
    birth = json_integer_value(json_object_get(rec, "birth"));
    death = json_integer_value(json_object_get(rec, "death"));

    if (hex == NULL || hash == NULL || nonce < 0
        || nonce > (json_int_t) UINT32_MAX || birth <= 0 || death <= birth)
    {
        goto bad;
    }

    xt = ngx_calloc(sizeof(ngx_pylon_xt_t), sm->log);
    if (xt == NULL) {
        return NGX_DECLINED;
    }

    pylon_buf_init(&xt->call);

    if (pylon_hex_decode(xt->hash, sizeof(xt->hash), &n, hash,
                         ngx_strlen(hash)) != 0
        || n != PYLON_XT_HASH_BYTES
        || pylon_hex_decode_alloc(&bytes, &blen, hex, ngx_strlen(hex)) != 0)
    {
        ngx_free(xt);
        goto bad;
    }

    /* the bytes are the extrinsic recorded, not something else */
    pylon_xt_hash(check, bytes, blen);
    free(bytes);

    if (ngx_memcmp(check, xt->hash, PYLON_XT_HASH_BYTES) != 0) {
        ngx_free(xt);
        goto bad;
    }

    xt->hex = ngx_alloc(ngx_strlen(hex) + 1, sm->log);
    if (xt->hex == NULL) {
        ngx_free(xt);
        return NGX_DECLINED;
    }

    ngx_memcpy(xt->hex, hex, ngx_strlen(hex) + 1);

    xt->sm = sm;
    xt->meta = meta;
    xt->kp = kp;
    xt->reply = reply;
    xt->data = data;
    xt->nonce = (uint32_t) nonce;
    xt->birth = (uint64_t) birth;
    xt->death = (uint64_t) death;
    ngx_memcpy(xt->job, job->id, sizeof(xt->job));

    /* its nonce is taken */
    nc = ngx_pylon_submit_nonce(sm, kp->pub);
    if (nc != NULL && nc->next <= xt->nonce) {
        nc->next = xt->nonce + 1;
    }

    bh = json_string_value(json_object_get(rec, "block_hash"));
    block = json_integer_value(json_object_get(rec, "block"));
    index = json_integer_value(json_object_get(rec, "index"));

    if (bh != NULL && ngx_strlen(bh) == 66 && block > 0 && index >= 0
        && index <= (json_int_t) UINT32_MAX)
    {
        ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                      "pylon helper: job %s: its extrinsic %s was included "
                      "in block %uL, reading the outcome", job->id, hash,
                      (uint64_t) block);

        ngx_pylon_submit_events(xt, (uint32_t) index, (uint64_t) block, bh);
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                  "pylon helper: job %s: resuming its extrinsic %s (nonce "
                  "%uD, era %uL-%uL), looking for it from block %uL",
                  job->id, hash, xt->nonce, xt->birth, xt->death,
                  xt->birth + 1);

    /* sent again on every head until accepted */
    xt->resend = 1;

    if (sm->head == 0 || sm->head < xt->death) {
        ngx_pylon_submit_resend(xt);
    }

    ngx_pylon_submit_wait(xt);

    return NGX_OK;

bad:

    ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                  "pylon helper: job %s: its recorded extrinsic is "
                  "unreadable, signing a new one", job->id);

    return NGX_DECLINED;
}


typedef struct {
    ngx_pylon_submitter_t          *sm;
    uint8_t                         hash[PYLON_XT_HASH_BYTES];
} ngx_pylon_resend_t;


/* the recorded bytes again (while its era lives) */

static void
ngx_pylon_submit_resend(ngx_pylon_xt_t *xt)
{
    ngx_pylon_resend_t  *rs;

    rs = ngx_calloc(sizeof(ngx_pylon_resend_t), xt->sm->log);
    if (rs == NULL) {
        return;
    }

    rs->sm = xt->sm;
    ngx_memcpy(rs->hash, xt->hash, PYLON_XT_HASH_BYTES);

    if (ngx_pylon_session_call(xt->sm->session, "author_submitExtrinsic",
                               json_pack("[s]", xt->hex),
                               ngx_pylon_submit_on_resent, rs)
        != NGX_OK)
    {
        ngx_free(rs);
    }
}


static void
ngx_pylon_submit_on_resent(void *data, json_t *result, const char *error)
{
    ngx_pylon_resend_t  *rs = data;

    ngx_pylon_xt_t         *xt;
    ngx_pylon_submitter_t  *sm;

    sm = rs->sm;

    for (xt = sm->waiting; xt; xt = xt->next) {
        if (ngx_memcmp(xt->hash, rs->hash, PYLON_XT_HASH_BYTES) == 0) {
            break;
        }
    }

    ngx_free(rs);

    if (xt == NULL) {
        return;                         /* found or answered meanwhile */
    }

    /*
     * Accepted, or already known to the pool ("already imported",
     * "banned" for a while after it left it): sent.  A used nonce
     * ("outdated", "stale") means it may be in a block: the scan says.
     * Any other refusal: it is sent again on the next head while its era
     * lives; it cannot be included after that.
     */

    if (error == NULL
        || ngx_strstr(error, "lready") != NULL
        || ngx_strstr(error, "anned") != NULL
        || ngx_strstr(error, "outdated") != NULL
        || ngx_strstr(error, "stale") != NULL)
    {
        ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                      "pylon helper: job %s: extrinsic sent again (nonce "
                      "%uD): %s", xt->job, xt->nonce,
                      error ? error : "accepted");
        xt->resend = 0;
        return;
    }

    ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                  "pylon helper: job %s: extrinsic sent again (nonce %uD) "
                  "refused: %s; looking for it until its era ends",
                  xt->job, xt->nonce, error);
}


/* the job record's "xt": the signed extrinsic, and where it is if known */

static ngx_int_t
ngx_pylon_submit_record(ngx_pylon_xt_t *xt, uint64_t block,
    const char *block_hash, uint32_t index)
{
    int      rc;
    char     hash[PYLON_HEX_ENCODED_BYTES(PYLON_XT_HASH_BYTES)];
    char     pub[PYLON_HEX_ENCODED_BYTES(PYLON_SR25519_PUBLIC_BYTES)];
    json_t  *rec;

    pylon_hex_encode(hash, sizeof(hash), xt->hash, PYLON_XT_HASH_BYTES);
    pylon_hex_encode(pub, sizeof(pub), xt->kp->pub,
                     PYLON_SR25519_PUBLIC_BYTES);

    rec = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}",
                    "hex", xt->hex, "hash", hash, "signer", pub,
                    "nonce", (json_int_t) xt->nonce,
                    "birth", (json_int_t) xt->birth,
                    "death", (json_int_t) xt->death);
    if (rec == NULL) {
        return NGX_ERROR;
    }

    if (block_hash != NULL) {
        json_object_set_new(rec, "block", json_integer((json_int_t) block));
        json_object_set_new(rec, "block_hash", json_string(block_hash));
        json_object_set_new(rec, "index", json_integer((json_int_t) index));
    }

    rc = pylon_job_note(xt->sm->helper->store, xt->job, "xt", rec);
    json_decref(rec);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}


void
ngx_pylon_submit_test_hook(ngx_log_t *log, const char *name)
{
    char         path[NGX_MAX_PATH];
    ngx_uint_t   i;
    const char  *dir;

    dir = getenv("PYLON_TEST_HOOK");
    if (dir == NULL || dir[0] == '\0') {
        return;
    }

    ngx_snprintf((u_char *) path, sizeof(path) - 1, "%s/%s%Z", dir, name);

    if (unlink(path) != 0) {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, log, 0,
                  "pylon helper: test hook: paused at %s", name);

    for (i = 0; i < 600; i++) {
        usleep(100000);
    }
}


/* the queue's head failed before submission: answer, go on */

static void
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


static void
ngx_pylon_submit_finish(ngx_pylon_xt_t *xt, ngx_int_t ok, const char *error,
    const char *docs, uint64_t block, const char *hash)
{
    if (xt->sm->stopping) {
        /* the helper is exiting: the job stays for the next one */
        ngx_pylon_submit_free(xt);
        return;
    }

    if (!ok) {
        ngx_log_error(NGX_LOG_INFO, xt->sm->log, 0,
                      "pylon helper: extrinsic failed: %s", error);

    } else if (error != NULL) {
        ngx_log_error(NGX_LOG_WARN, xt->sm->log, 0,
                      "pylon helper: extrinsic %s", error);
    }

    xt->reply(xt->data, ok, error, docs, block, hash);

    ngx_pylon_submit_free(xt);
}


static void
ngx_pylon_submit_free(ngx_pylon_xt_t *xt)
{
    pylon_buf_free(&xt->call);

    if (xt->hex) {
        ngx_free(xt->hex);
    }

    ngx_free(xt);
}


/* the remembered next nonce of an account (a slot is taken if new) */

static ngx_pylon_nonce_t *
ngx_pylon_submit_nonce(ngx_pylon_submitter_t *sm, const u_char *pub)
{
    ngx_uint_t          i;
    ngx_pylon_nonce_t  *nc, *oldest;

    oldest = &sm->nonces[0];

    for (i = 0; i < NGX_PYLON_SUBMIT_NONCES; i++) {
        nc = &sm->nonces[i];

        if (nc->used && ngx_memcmp(nc->pub, pub, 32) == 0) {
            nc->used = ++sm->tick;
            return nc;
        }

        if (nc->used < oldest->used) {
            oldest = nc;
        }
    }

    ngx_memcpy(oldest->pub, pub, 32);
    oldest->next = 0;
    oldest->used = ++sm->tick;

    return oldest;
}
