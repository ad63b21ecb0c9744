/*
 * ngx_pylon_write_epoch.h: the epoch a weights job belongs to, fixed once
 * from chain state and kept in the job's params.
 *
 * A weights job is tied to the epoch its PUT was accepted in: it expires
 * with it, and a CRv4 commit is timelocked to the drand round of the
 * first block it may be revealed in (spec/chain.md §11.5).  Both come
 * from the runtime where it can say (dynamic-tempo runtimes answer
 * SubnetInfoRuntimeApi_get_next_epoch_start_block), else from the legacy
 * schedule (epochs of tempo + 1 blocks at fixed offsets).  They are
 * computed when the job is first built and written to its params, so a
 * helper that takes the job over (crash, reload) uses the same numbers,
 * not ones of a later epoch:
 *
 *   "next_epoch_start"  first block of the next epoch
 *   "epoch_len"         blocks per epoch (tempo or tempo + 1)
 *   "epoch_source"      "runtime" or "legacy"
 *   "epoch_end"         the last block the job may land in
 *   "reveal_round"      the CRv4 drand round, once a commit was built
 *
 * Once the CRv4 round is recorded the writer passes the test hook
 * "built" (ngx_pylon_submit_test_hook(): nothing is signed yet), where
 * tests kill the helper to see the next one reuse the recorded numbers.
 *
 * The CRv2 reveal job waits for its window: the epoch commit_epoch +
 * reveal_period of the legacy schedule (older runtimes only have CRv2),
 * with the commit's block read from the commit job's record.
 */

#ifndef NGX_PYLON_WRITE_EPOCH_H
#define NGX_PYLON_WRITE_EPOCH_H

#include <ngx_config.h>
#include <ngx_core.h>

#include <jansson.h>

#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_runner.h"
#include "chain/metadata.h"


#define NGX_PYLON_NEXT_EPOCH_API     "SubnetInfoRuntimeApi"
#define NGX_PYLON_NEXT_EPOCH_METHOD  "get_next_epoch_start_block"

/* the runtime answered (NGX_OK: params now hold the epoch) or failed */
typedef void (*ngx_pylon_epoch_pt)(void *data, ngx_int_t rc,
    const char *error);


/*
 * Fixes the job's epoch.  NGX_OK: the params hold it (already, or from
 * the legacy schedule now, or the runtime said None); NGX_AGAIN: the
 * runtime was asked at the head, done() follows (never from inside this
 * call); NGX_ERROR: not connected or out of memory (error says which).
 * start_block is the head the PUT was accepted at (the legacy end is
 * Pylon's epoch of that block).
 */
ngx_int_t ngx_pylon_epoch_plan(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    const pylon_meta_t *meta, uint64_t head, const u_char *head_hash,
    uint64_t start_block, uint16_t netuid, uint32_t tempo,
    ngx_pylon_epoch_pt done, void *data, const char **error);

/* the params' "epoch_end", 0 when unset */
uint64_t ngx_pylon_epoch_end(ngx_pylon_job_t *job);

/*
 * The CRv4 reveal round of the job: the params' "reveal_round", or
 * computed from its epoch at head now and written to the params (then
 * *fresh = 1).  0 when it cannot be written.
 */
uint64_t ngx_pylon_epoch_reveal_round(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job, uint64_t head, uint16_t netuid, uint32_t tempo,
    uint64_t reveal_period, ngx_uint_t *fresh);

/* stops answering runtime replies (the helper is exiting) */
void ngx_pylon_epoch_stop(void);


/*
 * Where a CRv2 reveal job stands: NGX_OK: inside its window (or nothing
 * is known: the chain decides); NGX_DECLINED: too early, *wait blocks to
 * go (the commit may not have landed yet: then 1); NGX_ABORT: the commit
 * failed (error says why); NGX_DONE: the window has passed.  first/last
 * receive the window when known.
 */
ngx_int_t ngx_pylon_epoch_reveal_window(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job, uint64_t head, uint16_t netuid, uint32_t tempo,
    uint64_t reveal_period, uint64_t *wait, uint64_t *first,
    uint64_t *last, const char **error);

#endif /* NGX_PYLON_WRITE_EPOCH_H */
