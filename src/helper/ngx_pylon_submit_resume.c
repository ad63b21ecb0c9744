/*
 * ngx_pylon_submit_resume.c: durable jobs of the submitter (see
 * ngx_pylon_submit_int.h): the job record written before sending and at
 * inclusion, resuming a recorded job straight to waiting, sending it
 * again while its era lives, and the test hook that pauses the helper at
 * those points (PYLON_TEST_HOOK) for crash tests.
 *
 * A job recorded as included in block N is not believed blindly: a reorg
 * during the handover may have orphaned N, and a node still answers an
 * orphan's events.  chain_getBlockHash(N) is asked first
 * (ngx_pylon_submit_check); only the recorded hash lets its events be
 * read, anything else sends it back to waiting from its era's birth.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_submit_int.h"


static void ngx_pylon_submit_rewait(ngx_pylon_xt_t *xt);
static void ngx_pylon_submit_on_checked(void *data, json_t *result,
    const char *error);
static void ngx_pylon_submit_check_later(ngx_pylon_scan_t *ev,
    const char *why);
static void ngx_pylon_submit_check_drop(ngx_pylon_scan_t *ev);
static void ngx_pylon_submit_on_resent(void *data, json_t *result,
    const char *error);


/*
 * A job taken over with its recorded extrinsic (ngx_pylon_submit.h):
 * NGX_OK when it is resumed, NGX_DECLINED when the record is unusable.
 */

ngx_int_t
ngx_pylon_submit_resume(ngx_pylon_submitter_t *sm, ngx_pylon_job_t *job,
    pylon_runtime_t *rt, const pylon_sr25519_keypair_t *kp,
    ngx_pylon_submit_pt reply, void *data)
{
    size_t              n, blen;
    json_t             *rec;
    uint8_t            *bytes, check[PYLON_XT_HASH_BYTES];
    json_int_t          nonce, birth, death, block, index;
    const char         *hex, *hash, *bh;
    ngx_pylon_xt_t     *xt;
    ngx_pylon_scan_t   *ev;
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
    xt->rt = ngx_pylon_meta_acquire_rt(rt);      /* NULL: the head's, later */
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
                      "in block %uL %s, checking that block is still on "
                      "the chain", job->id, hash, (uint64_t) block, bh);

        ev = ngx_calloc(sizeof(ngx_pylon_scan_t), sm->log);

        if (ev != NULL) {
            ev->sm = sm;
            ev->xt = xt;
            ev->index = (uint32_t) index;
            ev->number = (uint64_t) block;
            ev->check = 1;
            ngx_cpystrn((u_char *) ev->hash, (u_char *) bh,
                        sizeof(ev->hash));

            ngx_pylon_submit_check(ev);             /* owns ev and xt */
            return NGX_OK;
        }

        /* cannot check it: looked for as if not found (see check_later) */
    }

    ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                  "pylon helper: job %s: resuming its extrinsic %s (nonce "
                  "%uD, era %uL-%uL), looking for it from block %uL",
                  job->id, hash, xt->nonce, xt->birth, xt->death,
                  xt->birth + 1);

    ngx_pylon_submit_rewait(xt);

    return NGX_OK;

bad:

    ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                  "pylon helper: job %s: its recorded extrinsic is "
                  "unreadable, signing a new one", job->id);

    return NGX_DECLINED;
}


/*
 * A taken-over extrinsic not known to be in a block (any more): it waits
 * again, its blocks scanned from its era's birth on (in a new fork it may
 * be in any of them, even below a block it was found in before), and the
 * same bytes are sent again on every head while its era lives.  xt goes
 * to the waiting list.
 */

static void
ngx_pylon_submit_rewait(ngx_pylon_xt_t *xt)
{
    ngx_pylon_submitter_t  *sm;

    sm = xt->sm;

    xt->reads = 0;
    xt->resend = 1;

    if (sm->head == 0 || sm->head < xt->death) {
        ngx_pylon_submit_resend(xt);
    }

    ngx_pylon_submit_wait(xt);
}


/*
 * Is the block a taken-over job recorded (ev->number, ev->hash) still the
 * chain's block at that height?  Asked by number; the answer goes on in
 * ngx_pylon_submit_on_checked.  ev (with ev->xt) is the check's until it
 * hands it on: to the events read, to the rereads (asked again on the
 * next head, or refound on a reorg there), or freed with xt waiting again.
 */

void
ngx_pylon_submit_check(ngx_pylon_scan_t *ev)
{
    ev->reorgs = ev->sm->reorgs;

    if (ngx_pylon_session_call(ev->sm->session, "chain_getBlockHash",
                               json_pack("[I]", (json_int_t) ev->number),
                               ngx_pylon_submit_on_checked, ev)
        != NGX_OK)
    {
        ngx_pylon_submit_check_later(ev, "not connected");
    }
}


static void
ngx_pylon_submit_on_checked(void *data, json_t *result, const char *error)
{
    ngx_pylon_scan_t  *ev = data;

    const char             *s;
    ngx_pylon_xt_t         *xt;
    ngx_pylon_submitter_t  *sm;

    sm = ev->sm;
    xt = ev->xt;

    if (sm->stopping) {
        ngx_pylon_submit_check_drop(ev);
        return;
    }

    if (ev->reorgs != sm->reorgs) {
        /* a reorg came meanwhile: the answer may be the orphan's */
        ngx_pylon_submit_refind(ev);
        return;
    }

    if (error != NULL
        || (result != NULL && !json_is_null(result)
            && !json_is_string(result)))
    {
        ngx_pylon_submit_check_later(ev, error ? error : "not a hash");
        return;
    }

    s = json_string_value(result);              /* NULL: no such block */

    if (s != NULL && ngx_strcasecmp((u_char *) s, (u_char *) ev->hash) == 0)
    {
        ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                      "pylon helper: job %s: block %uL %s holding its "
                      "extrinsic is on the chain, reading the outcome",
                      xt->job, ev->number, ev->hash);

        xt->reads = 0;
        ev->check = 0;
        ngx_pylon_submit_events_read(ev);       /* owns ev from here */
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                  "pylon helper: job %s: block %uL %s recorded as holding "
                  "its extrinsic is orphaned (block %uL is %s now), "
                  "looking for it again from block %uL", xt->job,
                  ev->number, ev->hash, ev->number, s ? s : "none",
                  xt->birth + 1);

    ngx_pylon_submit_forget(xt);

    ngx_free(ev);
    ngx_pylon_submit_rewait(xt);
}


/*
 * The check got no answer: never guessed.  It is asked again on the next
 * head (ev on sm->rereads, see ngx_pylon_submit_on_head); after
 * NGX_PYLON_SUBMIT_EVENTS tries the extrinsic waits again as if not found
 * (the scan from its era's birth finds it in that block again if the
 * block is the chain's; the same bytes sent again meanwhile are refused
 * as stale then, harmlessly).  Its record is kept: a next helper checks.
 */

static void
ngx_pylon_submit_check_later(ngx_pylon_scan_t *ev, const char *why)
{
    ngx_pylon_xt_t         *xt;
    ngx_pylon_submitter_t  *sm;

    xt = ev->xt;
    sm = ev->sm;

    if (sm->stopping) {
        ngx_pylon_submit_check_drop(ev);
        return;
    }

    if (++xt->reads < NGX_PYLON_SUBMIT_EVENTS) {
        /* a notice: a new helper resumes its jobs before it is connected */
        ngx_log_error(NGX_LOG_NOTICE, sm->log, 0,
                      "pylon helper: job %s: cannot check that block %uL "
                      "is still on the chain (%s), again on the next head",
                      xt->job, ev->number, why);
        ev->next = sm->rereads;
        sm->rereads = ev;
        return;
    }

    ngx_log_error(NGX_LOG_WARN, sm->log, 0,
                  "pylon helper: job %s: cannot check that block %uL is "
                  "still on the chain (%s), looking for its extrinsic "
                  "again from block %uL", xt->job, ev->number, why,
                  xt->birth + 1);

    ngx_free(ev);
    ngx_pylon_submit_rewait(xt);
}


/* the helper is exiting: the job stays for the next one; ev, xt freed */

static void
ngx_pylon_submit_check_drop(ngx_pylon_scan_t *ev)
{
    ngx_pylon_submit_free(ev->xt);
    ngx_free(ev);
}


typedef struct {
    ngx_pylon_submitter_t          *sm;
    uint8_t                         hash[PYLON_XT_HASH_BYTES];
} ngx_pylon_resend_t;


/* the recorded bytes again (while its era lives) */

void
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

ngx_int_t
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


/* the job record forgets the block its extrinsic was found in (if any) */

void
ngx_pylon_submit_forget(ngx_pylon_xt_t *xt)
{
    if (xt->job[0] && ngx_pylon_submit_record(xt, 0, NULL, 0) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, xt->sm->log, 0,
                      "pylon helper: job %s: cannot forget its inclusion: "
                      "%s", xt->job, pylon_store_error(xt->sm->helper->store));
    }
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
