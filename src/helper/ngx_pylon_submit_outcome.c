/*
 * ngx_pylon_submit_outcome.c: the outcome of an included extrinsic (see
 * ngx_pylon_submit_int.h): the including block's events are read (again
 * later if not yet available), turned into the reply, and the submission
 * is finished and freed.  Events asked for before a reorg are not
 * trusted: the extrinsic waits again (ngx_pylon_submit_refind).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_submit_int.h"


static void ngx_pylon_submit_on_events(void *data, json_t *result,
    const char *error);


/*
 * The extrinsic is in block number: record that with the job (a helper
 * taking over reads the outcome instead of sending it again), then read
 * the block's System.Events.
 */

void
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


void
ngx_pylon_submit_events_read(ngx_pylon_scan_t *ev)
{
    char             err[128], key[PYLON_HEX_ENCODED_BYTES(64)];
    pylon_buf_t      kb;
    ngx_pylon_xt_t  *xt;

    xt = ev->xt;

    if (xt->rt == NULL) {
        /* resumed without a runtime: the head's (the same spec unless an
         * upgrade came since; then the events may not decode, and the
         * inclusion is reported as such) */
        xt->rt = ngx_pylon_meta_acquire_head(ev->sm->helper->meta);

        if (xt->rt == NULL) {
            ngx_pylon_submit_events_later(ev, "no runtime metadata yet");
            return;
        }
    }

    pylon_buf_init(&kb);

    if (pylon_storage_key(&kb, xt->rt->meta, "System", "Events", NULL, 0, err,
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

    ev->reorgs = ev->sm->reorgs;

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

    if (ev->reorgs != ev->sm->reorgs) {
        /* a reorg came meanwhile: its block may be an orphan */
        ngx_pylon_submit_refind(ev);
        return;
    }

    s = json_string_value(result);

    if (s == NULL) {
        ngx_pylon_submit_events_later(ev, error ? error : "no System.Events");
        return;
    }

    events = NULL;

    if (pylon_hex_decode_alloc(&bytes, &len, s, ngx_strlen(s)) == 0) {
        events = pylon_storage_value_decode(xt->rt->meta, "System", "Events",
                                            bytes, len, err, sizeof(err));
        free(bytes);

    } else {
        ngx_cpystrn((u_char *) err, (u_char *) "not hex", sizeof(err));
    }

    if (events == NULL
        || pylon_outcome_from_events(&o, xt->rt->meta, events, ev->index, err,
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


void
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


void
ngx_pylon_submit_free(ngx_pylon_xt_t *xt)
{
    pylon_buf_free(&xt->call);

    ngx_pylon_meta_release(xt->rt);

    if (xt->pallet) {
        ngx_free(xt->pallet);
    }

    if (xt->name) {
        ngx_free(xt->name);
    }

    json_decref(xt->args);

    if (xt->hex) {
        ngx_free(xt->hex);
    }

    ngx_free(xt);
}
