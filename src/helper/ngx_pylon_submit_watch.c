/*
 * ngx_pylon_submit_watch.c: the inclusion watcher (see
 * ngx_pylon_submit_int.h): on each new head the blocks since the last scan
 * are fetched (chain_getBlockHash, chain_getBlock) and their extrinsic
 * hashes compared with the waiting ones; blocks are scanned in order,
 * never skipped, and a waiting extrinsic expires past its era.  On a
 * reorg the scan goes back, and an extrinsic found in a block that may be
 * orphaned, its outcome not read yet, waits again (issue 12: it was
 * reported as included in the orphaned block).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_submit_int.h"


static void ngx_pylon_submit_scan_more(ngx_pylon_submitter_t *sm);
static void ngx_pylon_submit_scan_done(ngx_pylon_submitter_t *sm);
static void ngx_pylon_submit_scan(ngx_pylon_submitter_t *sm,
    uint64_t number, const char *hash);
static void ngx_pylon_submit_on_block_hash(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_on_block(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_scan_failed(ngx_pylon_scan_t *sc);
static void ngx_pylon_submit_expire(ngx_pylon_submitter_t *sm);
static void ngx_pylon_submit_rescan(ngx_pylon_submitter_t *sm,
    uint64_t number);


void
ngx_pylon_submit_on_reorg(void *data, uint64_t from)
{
    ngx_pylon_submitter_t  *sm = data;

    ngx_uint_t         refound;
    ngx_pylon_scan_t  *ev, *list;

    /* answers asked for before this are not trusted (see on_block) */
    sm->reorgs++;

    /* found in a block that may be gone, outcome not read: look again */

    refound = 0;
    list = sm->rereads;
    sm->rereads = NULL;

    while (list) {
        ev = list;
        list = ev->next;

        if (ev->number >= from) {
            ngx_pylon_submit_refind(ev);
            refound++;

        } else {
            ev->next = sm->rereads;
            sm->rereads = ev;
        }
    }

    if (sm->waiting && from > 0 && (sm->scanned >= from || refound)) {
        ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                      "pylon helper: reorg: inclusion scan goes back to "
                      "block %uL", from);

        ngx_pylon_submit_rescan(sm, from);
    }
}


void
ngx_pylon_submit_refind(ngx_pylon_scan_t *ev)
{
    ngx_pylon_xt_t         *xt;
    ngx_pylon_submitter_t  *sm;

    xt = ev->xt;
    sm = ev->sm;

    ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                  "pylon helper: job %s: block %uL %s holding its extrinsic "
                  "may be orphaned by a reorg, looking for it again",
                  xt->job[0] ? xt->job : "-", ev->number, ev->hash);

    ngx_pylon_submit_forget(xt);

    /* the fork choice's pool may not hold it: the same bytes again */
    xt->reads = 0;
    xt->resend = 1;

    if (ev->check) {
        /* taken over: blocks below it were scanned by the previous
         * helper, maybe on another fork: from its era's birth */
        if (sm->waiting == NULL || sm->scanned > xt->birth) {
            sm->scanned = xt->birth;
        }

    } else if (sm->waiting == NULL || sm->scanned >= ev->number) {
        sm->scanned = ev->number - 1;
    }

    xt->next = sm->waiting;
    sm->waiting = xt;

    ngx_free(ev);
}


void
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


void
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

    /* included extrinsics whose events (or taken-over ones whose block)
     * could not be read: again */

    list = sm->rereads;
    sm->rereads = NULL;

    while (list) {
        ev = list;
        list = ev->next;

        if (ev->check) {
            ngx_pylon_submit_check(ev);         /* its block first */

        } else {
            ngx_pylon_submit_events_read(ev);
        }
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
        ngx_pylon_submit_rescan(sm, number);
        sm->scan_failed = 1;
        return;
    }

    sc->sm = sm;
    sc->number = number;
    sc->reorgs = sm->reorgs;

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
        ngx_pylon_submit_rescan(sm, number);
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

    if (sc->reorgs != sm->reorgs) {
        /* asked for before a reorg: maybe an orphan's block, read again */
        ngx_pylon_submit_rescan(sm, sc->number);

        sm->scans--;
        ngx_free(sc);
        ngx_pylon_submit_scan_done(sm);
        return;
    }

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

    ngx_pylon_submit_rescan(sm, sc->number);

    sm->scan_failed = 1;
    sm->scans--;
    ngx_free(sc);

    ngx_pylon_submit_scan_done(sm);
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


/* block number must be read (again): the scan resumes there at the latest */

static void
ngx_pylon_submit_rescan(ngx_pylon_submitter_t *sm, uint64_t number)
{
    if (number <= sm->scanned) {
        sm->scanned = number - 1;
    }
}
