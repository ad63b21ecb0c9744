/*
 * ngx_pylon_write_epoch.c: the epoch a weights job belongs to (see
 * ngx_pylon_write_epoch.h).
 *
 * The runtime call is one state_call on the helper's chain session at the
 * head's hash; its context (ngx_pylon_epoch_ask_t) is allocated here and
 * freed by the reply, whatever it says.  Everything else is arithmetic of
 * src/bittensor/crv4.c and weights.c over the job's params, which the job
 * owns; writes to them are committed to the job record at once
 * (pylon_job_note) so that a helper taking the job over reads them.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_write_epoch.h"
#include "helper/ngx_pylon_session.h"
#include "bittensor/crv4.h"
#include "bittensor/weights.h"
#include "chain/hex.h"
#include "store/jobs.h"


typedef struct {
    ngx_pylon_helper_t  *h;
    ngx_pylon_job_t     *job;
    uint64_t             start_block;
    uint16_t             netuid;
    uint32_t             tempo;
    ngx_pylon_epoch_pt   done;
    void                *data;
} ngx_pylon_epoch_ask_t;


static void ngx_pylon_epoch_answer(void *data, json_t *result,
    const char *error);


static ngx_uint_t  ngx_pylon_epoch_stopped;


void
ngx_pylon_epoch_stop(void)
{
    ngx_pylon_epoch_stopped = 1;
}


static uint64_t
ngx_pylon_epoch_param(ngx_pylon_job_t *job, const char *name)
{
    json_t  *v;

    v = json_object_get(job->params, name);

    return json_is_integer(v) && json_integer_value(v) > 0
           ? (uint64_t) json_integer_value(v) : 0;
}


uint64_t
ngx_pylon_epoch_end(ngx_pylon_job_t *job)
{
    return ngx_pylon_epoch_param(job, "epoch_end");
}


/* sets the fields in the params (values stolen) and commits them */

static ngx_int_t
ngx_pylon_epoch_keep(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    json_t *fields)
{
    int  rc;

    if (fields == NULL || !json_is_object(job->params)) {
        json_decref(fields);
        return NGX_ERROR;
    }

    json_object_update(job->params, fields);
    json_decref(fields);

    rc = pylon_job_note(h->store, job->id, "params", job->params);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}


/* the legacy schedule: Pylon's epoch of the PUT's block */

static ngx_int_t
ngx_pylon_epoch_legacy(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    uint64_t start_block, uint16_t netuid, uint32_t tempo)
{
    int64_t   start;
    uint64_t  end;

    if (tempo == 0 || tempo > 65535) {
        tempo = 360;
    }

    (void) pylon_weights_epoch(&start, &end, start_block, netuid, tempo);

    return ngx_pylon_epoch_keep(h, job,
               json_pack("{s:I, s:I, s:s, s:I}",
                   "next_epoch_start", (json_int_t)
                       pylon_crv4_next_epoch_legacy(start_block, netuid,
                                                    (uint16_t) tempo),
                   "epoch_len", (json_int_t) tempo + 1,
                   "epoch_source", "legacy",
                   "epoch_end", (json_int_t) end));
}


ngx_int_t
ngx_pylon_epoch_plan(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    const pylon_meta_t *meta, uint64_t head, const u_char *head_hash,
    uint64_t start_block, uint16_t netuid, uint32_t tempo,
    ngx_pylon_epoch_pt done, void *data, const char **error)
{
    char                    arg[8];
    ngx_pylon_epoch_ask_t  *ask;

    *error = NULL;

    if (ngx_pylon_epoch_end(job)) {
        return NGX_OK;                      /* fixed before */
    }

    if (pylon_meta_api_method(meta, NGX_PYLON_NEXT_EPOCH_API,
                              NGX_PYLON_NEXT_EPOCH_METHOD)
        == NULL
        || head_hash == NULL || head_hash[0] == '\0')
    {
        if (ngx_pylon_epoch_legacy(h, job, start_block, netuid, tempo)
            != NGX_OK)
        {
            *error = "cannot record the job's epoch";
            return NGX_ERROR;
        }
        return NGX_OK;
    }

    ask = ngx_calloc(sizeof(ngx_pylon_epoch_ask_t), h->log);
    if (ask == NULL) {
        *error = "out of memory";
        return NGX_ERROR;
    }

    ask->h = h;
    ask->job = job;
    ask->start_block = start_block;
    ask->netuid = netuid;
    ask->tempo = tempo;
    ask->done = done;
    ask->data = data;

    /* NetUid is a plain u16, little-endian */
    ngx_snprintf((u_char *) arg, sizeof(arg), "0x%02xd%02xd%Z",
                 netuid & 0xff, netuid >> 8);

    if (ngx_pylon_session_call(h->chain, "state_call",
                               json_pack("[sss]", NGX_PYLON_NEXT_EPOCH_API
                                         "_" NGX_PYLON_NEXT_EPOCH_METHOD,
                                         arg, (const char *) head_hash),
                               ngx_pylon_epoch_answer, ask)
        != NGX_OK)
    {
        ngx_free(ask);
        *error = "not connected to the chain";
        return NGX_ERROR;
    }

    return NGX_AGAIN;
}


static void
ngx_pylon_epoch_answer(void *data, json_t *result, const char *error)
{
    ngx_pylon_epoch_ask_t  *ask = data;

    int                  some;
    char                 text[200];
    size_t               len;
    uint64_t             next;
    unsigned char        raw[16];
    const char          *hex;
    ngx_int_t            rc;
    ngx_pylon_helper_t  *h;

    h = ask->h;

    if (ngx_pylon_epoch_stopped) {
        ngx_free(ask);                      /* the job is handed over */
        return;
    }

    hex = json_string_value(result);
    some = -1;

    if (hex != NULL
        && pylon_hex_decode(raw, sizeof(raw), &len, hex, ngx_strlen(hex))
           == 0)
    {
        some = pylon_crv4_option_u64(&next, raw, len);
    }

    if (some < 0) {
        ngx_snprintf((u_char *) text, sizeof(text),
                     "%s: %s%Z", NGX_PYLON_NEXT_EPOCH_METHOD,
                     error ? error : "malformed answer");
        ask->done(ask->data, NGX_ERROR, text);
        ngx_free(ask);
        return;
    }

    if (some == 0 || next == 0) {
        /* tempo 0: the subnet runs no epochs; Pylon's arithmetic */
        rc = ngx_pylon_epoch_legacy(h, ask->job, ask->start_block,
                                    ask->netuid, ask->tempo);

    } else {
        /* epochs of tempo blocks; the job ends before the next starts */
        rc = ngx_pylon_epoch_keep(h, ask->job,
                 json_pack("{s:I, s:I, s:s, s:I}",
                     "next_epoch_start", (json_int_t) next,
                     "epoch_len", (json_int_t) (ask->tempo ? ask->tempo
                                                           : 360),
                     "epoch_source", "runtime",
                     "epoch_end", (json_int_t) next - 1));
    }

    ngx_log_error(NGX_LOG_INFO, h->log, 0,
                  "pylon helper: job %s: the runtime's next epoch of "
                  "subnet %ud starts at %uL", ask->job->id,
                  (unsigned) ask->netuid, some ? next : 0);

    ask->done(ask->data, rc,
              rc == NGX_OK ? NULL : "cannot record the job's epoch");
    ngx_free(ask);
}


uint64_t
ngx_pylon_epoch_reveal_round(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    uint64_t head, uint16_t netuid, uint32_t tempo, uint64_t reveal_period,
    ngx_uint_t *fresh)
{
    uint64_t     round, next, len;
    const char  *source;

    *fresh = 0;

    round = ngx_pylon_epoch_param(job, "reveal_round");
    if (round) {
        return round;
    }

    next = ngx_pylon_epoch_param(job, "next_epoch_start");
    len = ngx_pylon_epoch_param(job, "epoch_len");
    source = json_string_value(json_object_get(job->params, "epoch_source"));

    if (source && ngx_strcmp(source, "runtime") == 0 && next && len) {
        round = pylon_crv4_round_at(head,
                    pylon_crv4_first_reveal_block(next, len, reveal_period),
                    (int64_t) ngx_time());

    } else {
        /* generate_commit's arithmetic at the head */
        round = pylon_crv4_reveal_round(head, netuid, (uint16_t) tempo,
                                        reveal_period, (int64_t) ngx_time());
    }

    if (ngx_pylon_epoch_keep(h, job,
                             json_pack("{s:I, s:I}", "reveal_round",
                                       (json_int_t) round, "reveal_head",
                                       (json_int_t) head))
        != NGX_OK)
    {
        return 0;
    }

    *fresh = 1;
    return round;
}


/* the commit job's record: its state and, once included, its block */

static ngx_int_t
ngx_pylon_epoch_commit(ngx_pylon_helper_t *h, const char *id,
    uint64_t *block, char *state, size_t size)
{
    json_t      *rec, *b;
    const char  *s;

    rec = pylon_job_get(h->store, id);
    if (rec == NULL) {
        return NGX_DECLINED;                /* expired: nothing known */
    }

    s = json_string_value(json_object_get(rec, "state"));
    ngx_cpystrn((u_char *) state, (u_char *) (s ? s : ""), size);

    b = json_object_get(json_object_get(rec, "xt"), "block");
    *block = json_is_integer(b) && json_integer_value(b) > 0
             ? (uint64_t) json_integer_value(b) : 0;

    json_decref(rec);
    return NGX_OK;
}


ngx_int_t
ngx_pylon_epoch_reveal_window(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    uint64_t head, uint16_t netuid, uint32_t tempo, uint64_t reveal_period,
    uint64_t *wait, uint64_t *first, uint64_t *last, const char **error)
{
    char         state[16];
    uint64_t     block;
    const char  *id;

    *wait = 0;
    *first = 0;
    *last = 0;
    *error = NULL;

    id = json_string_value(json_object_get(job->params, "commit_job"));
    if (id == NULL || tempo == 0
        || ngx_pylon_epoch_commit(h, id, &block, state, sizeof(state))
           != NGX_OK)
    {
        return NGX_OK;                      /* the chain decides */
    }

    if (block == 0) {
        if (ngx_strcmp(state, PYLON_JOB_PENDING) == 0
            || ngx_strcmp(state, PYLON_JOB_RUNNING) == 0)
        {
            *wait = 1;                      /* not included yet */
            return NGX_DECLINED;
        }

        if (ngx_strcmp(state, PYLON_JOB_DONE) == 0) {
            return NGX_OK;                  /* done, block not recorded */
        }

        *error = "the weights commit did not land";
        return NGX_ABORT;
    }

    /* reveal in epoch commit_epoch + reveal_period (legacy schedule) */

    (void) pylon_weights_reveal_window(first, last, block, netuid, tempo,
                                       reveal_period);

    if (head > *last) {
        *error = "ExpiredWeightCommit: its reveal window has passed";
        return NGX_DONE;
    }

    /* the extrinsic lands after the head: from head = first on */

    if (head < *first) {
        *wait = *first - head;
        return NGX_DECLINED;
    }

    return NGX_OK;
}
