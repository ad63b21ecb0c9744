/*
 * ngx_pylon_submit.h: signing and submitting extrinsics from the helper,
 * and reporting what became of them.
 *
 * A submission goes through one queue (one at a time, so two submissions
 * of one hotkey in one block get consecutive nonces):
 *   genesis hash (once) ->
 *   system_accountNextIndex (raised to the nonce we last used + 1) ->
 *   the runtime of the followed head (state_getRuntimeVersion([hash]),
 *   ngx_pylon_meta.h) -> sign with its spec and transaction version and
 *   a mortal era born at that head -> author_submitExtrinsic.
 * A stale nonce ("outdated", "Priority is too low") is retried with the
 * next one.  Submitted extrinsics are then looked for in every new block
 * (chain_getBlock, by extrinsic hash); where found, that block's
 * System.Events give success or the named failure (src/chain/outcome.h).
 * An extrinsic whose era ends without it being seen is reported as not
 * included.  Looking at blocks, instead of watching the extrinsic with
 * author_submitAndWatchExtrinsic, survives reconnections of the session.
 *
 * Exactly once (ngx_pylon_submit_job): before it is sent, the signed
 * extrinsic (bytes, hash, nonce, era birth and death) is written to the
 * job's record ("xt", store/jobs.h), and where it is found the block is
 * added ("block", "block_hash", "index").  A helper that takes the job
 * over (kill -9, reload, stuck-helper kill) resumes that extrinsic instead
 * of signing a new one: included -> its events are read again; else it
 * is looked for in every block from its era's birth on and, while the era
 * is alive, the same bytes are sent again; only once the era has died
 * without it is it "not included" and the job may sign a new one.  An
 * extrinsic that is included but whose events cannot be read is reported
 * as included (ok, with the reason in error), never as failed.
 */

#ifndef NGX_PYLON_SUBMIT_H
#define NGX_PYLON_SUBMIT_H

#include <jansson.h>

#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_runner.h"
#include "chain/runtime.h"
#include "crypto/sr25519.h"




/*
 * The outcome of one submission: ok 1 when included and successful (or
 * included with an outcome that could not be read: error then says why).
 * Otherwise error names the failure: a module error
 * ("SubtensorModule.RevealTooEarly", docs then has its documentation), a
 * dispatch error ("BadOrigin"), the node's refusal ("1010: Invalid
 * Transaction (Custom error: 10) HotKeyNotRegisteredInNetwork"), or
 * "not included before its era ended".  block/block_hash name the block
 * that included it (0/NULL if none).  The strings live during the call.
 */
typedef void (*ngx_pylon_submit_pt)(void *data, ngx_int_t ok,
    const char *error, const char *docs, uint64_t block,
    const char *block_hash);


/*
 * The submitter of a helper: it listens to the follower's new heads.
 * Returns NULL on allocation failure (or a full listener table).
 */
ngx_pylon_submitter_t *ngx_pylon_submitter_create(ngx_pylon_helper_t *h,
    ngx_pylon_session_t *s, ngx_pylon_follow_t *f);

/*
 * The helper is exiting: from now on no submission is answered (their
 * jobs stay running in the store with their recorded extrinsic, and the
 * next helper resumes them).  Call it before ngx_pylon_session_shutdown()
 * (which fails the session's outstanding calls).
 */
void ngx_pylon_submitter_stop(ngx_pylon_submitter_t *sm);

/* frees the submitter and the submissions not answered (never answered) */
void ngx_pylon_submitter_destroy(ngx_pylon_submitter_t *sm);

/*
 * Submit pallet.call(args) signed by kp, the call encoded at once with
 * runtime rt (the head's when the caller built it): bad arguments give
 * NGX_ERROR with the reason in err (reply is then never called).
 * Otherwise NGX_OK and reply is called exactly once, later.  The
 * submitter takes its own reference to rt (the caller keeps and releases
 * its own) and copies pallet, call and args; kp must stay valid until
 * reply (it signs again when a stale nonce forces it).  The extrinsic is
 * signed with the runtime of the block it builds on: the call is encoded
 * again when that is not rt (a runtime upgrade meanwhile).
 */
ngx_int_t ngx_pylon_submit(ngx_pylon_submitter_t *sm, pylon_runtime_t *rt,
    const pylon_sr25519_keypair_t *kp, const char *pallet, const char *call,
    const json_t *args, ngx_pylon_submit_pt reply, void *data, char *err,
    size_t errlen);

/*
 * ngx_pylon_submit() for a job, exactly once: the signed extrinsic is
 * recorded in the job's record before it is sent; a job taken over
 * (job->xt, consumed here) resumes the recorded extrinsic: pallet, call
 * and args are then unused and may be NULL, and rt may be NULL (its
 * events are then read with the head's runtime).  With pallet NULL, a
 * recorded extrinsic that cannot be read gives NGX_DECLINED (the caller
 * builds a new call).  job must stay valid until reply.
 */
ngx_int_t ngx_pylon_submit_job(ngx_pylon_submitter_t *sm,
    ngx_pylon_job_t *job, pylon_runtime_t *rt,
    const pylon_sr25519_keypair_t *kp, const char *pallet, const char *call,
    const json_t *args, ngx_pylon_submit_pt reply, void *data, char *err,
    size_t errlen);

/*
 * Test-only fault injection: with the environment variable
 * PYLON_TEST_HOOK=DIR (nginx: "env PYLON_TEST_HOOK=DIR;"), reaching point
 * NAME while the file DIR/NAME exists removes the file, logs
 * "pylon helper: test hook: paused at NAME" and blocks the helper for
 * 60 s (the test kills it meanwhile).  Points: "recorded" (extrinsic in
 * the job record, not sent), "submitted" (accepted by the node),
 * "included" (found in a block, outcome not read).  Also DIR/nometa: while
 * it exists (it is not removed) ngx_pylon_meta_acquire_head() gives NULL,
 * as in a helper whose first metadata has not come yet.  Unset: nothing.
 */
void ngx_pylon_submit_test_hook(ngx_log_t *log, const char *name);

/* extrinsics queued or waiting for inclusion */
ngx_uint_t ngx_pylon_submit_pending(ngx_pylon_submitter_t *sm);

#endif /* NGX_PYLON_SUBMIT_H */
