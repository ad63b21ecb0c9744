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
 * of its era has been scanned without finding it.
 */

#include <ngx_config.h>
#include <ngx_core.h>

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
static void ngx_pylon_submit_scan(ngx_pylon_submitter_t *sm,
    uint64_t number, const char *hash);
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
ngx_pylon_submitter_destroy(ngx_pylon_submitter_t *sm)
{
    ngx_pylon_xt_t  *xt;

    if (sm == NULL) {
        return;
    }

    while (sm->queue) {
        xt = sm->queue;
        sm->queue = xt->next;
        ngx_pylon_submit_finish(xt, 0, "shutting down", NULL, 0, NULL);
    }

    while (sm->waiting) {
        xt = sm->waiting;
        sm->waiting = xt->next;
        ngx_pylon_submit_finish(xt, 0, "shutting down", NULL, 0, NULL);
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
    ngx_pylon_xt_t  *xt;

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

    if (sm->busy || sm->queue == NULL) {
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

    if (ngx_pylon_session_call(sm->session, "author_submitExtrinsic",
                               json_pack("[s]", hex),
                               ngx_pylon_submit_on_submitted, xt)
        != NGX_OK)
    {
        ngx_free(hex);
        ngx_pylon_submit_prepare_failed(xt, "author_submitExtrinsic",
                                        "not connected to the chain");
        return;
    }

    ngx_free(hex);
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
    if (head > sm->scanned) {
        ngx_pylon_submit_on_head(sm, head, hash);
    }
}


static void
ngx_pylon_submit_on_head(void *data, uint64_t number, const u_char *hash)
{
    ngx_pylon_submitter_t  *sm = data;

    uint64_t  from, k;

    if (sm->waiting == NULL) {
        sm->scanned = number;
        return;
    }

    if (number <= sm->scanned) {
        return;
    }

    from = sm->scanned + 1;
    if (number - from >= NGX_PYLON_SUBMIT_SCAN_MAX) {
        from = number - NGX_PYLON_SUBMIT_SCAN_MAX + 1;
    }

    sm->scanned = number;

    for (k = from; k < number; k++) {
        ngx_pylon_submit_scan(sm, k, NULL);
    }

    ngx_pylon_submit_scan(sm, number, (const char *) hash);

    if (sm->scans == 0) {
        ngx_pylon_submit_expire(sm);
    }
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
        return;
    }

    sc->sm = sm;
    sc->number = number;

    if (hash != NULL) {
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
        ngx_free(sc);
        return;
    }

    sm->scans++;
}


static void
ngx_pylon_submit_on_block_hash(void *data, json_t *result, const char *error)
{
    ngx_pylon_scan_t  *sc = data;

    const char  *s;

    s = json_string_value(result);

    if (s == NULL || ngx_strlen(s) != 66) {
        ngx_pylon_submit_scan_failed(sc);
        return;
    }

    ngx_cpystrn((u_char *) sc->hash, (u_char *) s, sizeof(sc->hash));

    if (ngx_pylon_session_call(sc->sm->session, "chain_getBlock",
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

    if (sm->scans == 0) {
        ngx_pylon_submit_expire(sm);
    }
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

    sm->scans--;
    ngx_free(sc);
}


/* the extrinsic is in block number: read that block's System.Events */

static void
ngx_pylon_submit_events(ngx_pylon_xt_t *xt, uint32_t index, uint64_t number,
    const char *hash)
{
    char               err[128], key[PYLON_HEX_ENCODED_BYTES(64)];
    pylon_buf_t        kb;
    ngx_pylon_scan_t  *ev;

    ev = ngx_calloc(sizeof(ngx_pylon_scan_t), xt->sm->log);
    if (ev == NULL) {
        ngx_pylon_submit_finish(xt, 0, "included, but out of memory", NULL,
                                number, hash);
        return;
    }

    ev->sm = xt->sm;
    ev->xt = xt;
    ev->index = index;
    ev->number = number;
    ngx_cpystrn((u_char *) ev->hash, (u_char *) hash, sizeof(ev->hash));

    pylon_buf_init(&kb);

    if (pylon_storage_key(&kb, xt->meta, "System", "Events", NULL, 0, err,
                          sizeof(err)) != 0
        || pylon_hex_encode(key, sizeof(key), kb.data, kb.len) < 0)
    {
        pylon_buf_free(&kb);
        ngx_free(ev);
        ngx_pylon_submit_finish(xt, 0, "included, but System.Events has no "
                                "key in this metadata", NULL, number, hash);
        return;
    }

    pylon_buf_free(&kb);

    if (ngx_pylon_session_call(xt->sm->session, "state_getStorage",
                               json_pack("[s, s]", key, ev->hash),
                               ngx_pylon_submit_on_events, ev)
        != NGX_OK)
    {
        ngx_free(ev);
        ngx_pylon_submit_finish(xt, 0, "included, but its events could not "
                                "be read: not connected", NULL, number, hash);
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

    events = NULL;

    if (s != NULL
        && pylon_hex_decode_alloc(&bytes, &len, s, ngx_strlen(s)) == 0)
    {
        events = pylon_storage_value_decode(xt->meta, "System", "Events",
                                            bytes, len, err, sizeof(err));
        free(bytes);

    } else {
        ngx_cpystrn((u_char *) err,
                    (u_char *) (error ? error : "no System.Events"),
                    sizeof(err));
    }

    if (events == NULL) {
        ngx_snprintf((u_char *) text, sizeof(text) - 1,
                     "included, but its events could not be read: %s%Z",
                     err);
        ngx_pylon_submit_finish(xt, 0, text, NULL, ev->number, ev->hash);
        ngx_free(ev);
        return;
    }

    if (pylon_outcome_from_events(&o, xt->meta, events, ev->index, err,
                                  sizeof(err)) != 0)
    {
        json_decref(events);
        ngx_pylon_submit_finish(xt, 0, err, NULL, ev->number, ev->hash);
        ngx_free(ev);
        return;
    }

    json_decref(events);

    if (!o.found) {
        ngx_pylon_submit_finish(xt, 0, "included, but without a result "
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
    if (!ok) {
        ngx_log_error(NGX_LOG_INFO, xt->sm->log, 0,
                      "pylon helper: extrinsic failed: %s", error);
    }

    xt->reply(xt->data, ok, error, docs, block, hash);

    pylon_buf_free(&xt->call);
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
