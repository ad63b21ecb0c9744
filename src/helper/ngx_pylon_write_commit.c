/*
 * ngx_pylon_write_commit.c: the "commitment" and "revealed" jobs'
 * attempts (see ngx_pylon_writer.h): Commitments.set_commitment with a
 * Raw field, or with a TimelockEncrypted one opened at a drand round
 * (spec §5.3).
 *
 * Ownership: the ciphertext and its hex are freed here before the call
 * is handed to ngx_pylon_write_submit (which owns its args); a revealed
 * commitment's round is kept in the job's params and copied to
 * w->reveal_round for the reply; the write belongs to the writer
 * (ngx_pylon_writer_int.h).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_writer_int.h"
#include "bittensor/request.h"
#include "bittensor/revealed.h"
#include "chain/scale.h"
#include "store/jobs.h"


/* Commitments.set_commitment(netuid, {fields: [Raw<len>(bytes)]}) */

void
ngx_pylon_commitment_attempt(ngx_pylon_write_t *w)
{
    char                 variant[16];
    size_t               len;
    json_t              *args, *field;
    const char          *hex;
    const pylon_meta_t  *meta;

    if (ngx_pylon_write_resume(w)) {
        return;
    }

    meta = ngx_pylon_write_runtime(w);
    if (meta == NULL) {
        ngx_pylon_write_retry(w, "runtime metadata not available yet");
        return;
    }

    hex = json_string_value(json_object_get(w->job->params, "commitment"));
    len = hex ? (ngx_strlen(hex) - 2) / 2 : 0;

    if (hex == NULL || len == 0 || len > PYLON_COMMITMENT_MAX_BYTES) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 400, NULL,
                            "bad commitment job");
        return;
    }

    ngx_snprintf((u_char *) variant, sizeof(variant), "Raw%uz%Z", len);

    field = json_pack("{s:s}", variant, hex);
    args = json_pack("{s:i, s:{s:[o]}}", "netuid", (int) w->netuid,
                     "info", "fields", field);

    ngx_pylon_write_submit(w, meta, "Commitments", "set_commitment", args);
}


/*
 * A revealed (timelocked) commitment (spec §5.3): the text as a SCALE
 * String, timelocked to the drand round blocks_until_reveal blocks of
 * pylon_block_duration from now, as Commitments.set_commitment(netuid,
 * {fields: [TimelockEncrypted{encrypted, reveal_round}]}).
 */

void
ngx_pylon_revealed_attempt(ngx_pylon_write_t *w)
{
    char                *hex;
    json_t              *p, *v, *args;
    const char          *text;
    pylon_buf_t          ct;
    const pylon_meta_t  *meta;

    meta = ngx_pylon_write_runtime(w);
    if (meta == NULL) {
        ngx_pylon_write_retry(w, "runtime metadata not available yet");
        return;
    }

    p = w->job->params;
    text = json_string_value(json_object_get(p, "commitment"));

    if (text == NULL) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 400, NULL,
                            "bad revealed commitment job");
        return;
    }

    /*
     * A job taken over with a recorded extrinsic resumes it (in
     * ngx_pylon_submit_job): its reply names the round that extrinsic
     * carries, kept in the params when it was built, not a new one.
     */
    v = json_object_get(p, "reveal_round");

    if (w->job->xt != NULL && json_is_integer(v)
        && json_integer_value(v) > 0)
    {
        w->reveal_round = (uint64_t) json_integer_value(v);

    } else {
        w->reveal_round = pylon_revealed_round((int64_t) ngx_time(),
                              json_integer_value(json_object_get(p,
                                                     "blocks_until_reveal")),
                              w->h->pmcf->block_duration / 1000.0);

        if (json_object_set_new(p, "reveal_round",
                                json_integer((json_int_t) w->reveal_round))
            != 0
            || pylon_job_note(w->h->store, w->job->id, "params", p) != 0)
        {
            ngx_pylon_write_retry(w, "cannot record the reveal round");
            return;
        }
    }

    pylon_buf_init(&ct);

    if (pylon_revealed_encrypt(&ct, (const uint8_t *) text,
                               json_string_length(json_object_get(p,
                                                              "commitment")),
                               w->reveal_round)
        != 0)
    {
        pylon_buf_free(&ct);
        ngx_pylon_write_retry(w, "timelock encryption failed");
        return;
    }

    hex = ngx_alloc(2 * ct.len + 3, w->h->log);
    if (hex == NULL) {
        pylon_buf_free(&ct);
        ngx_pylon_write_retry(w, "out of memory");
        return;
    }

    hex[0] = '0';
    hex[1] = 'x';
    *ngx_hex_dump((u_char *) hex + 2, ct.data, ct.len) = '\0';
    pylon_buf_free(&ct);

    args = json_pack("{s:i, s:{s:[{s:{s:s, s:I}}]}}", "netuid",
                     (int) w->netuid, "info", "fields", "TimelockEncrypted",
                     "encrypted", hex, "reveal_round",
                     (json_int_t) w->reveal_round);
    ngx_free(hex);

    if (args == NULL) {
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL, "no memory");
        return;
    }

    ngx_pylon_write_submit(w, meta, "Commitments", "set_commitment", args);
}
