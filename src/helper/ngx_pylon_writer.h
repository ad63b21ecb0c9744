/*
 * ngx_pylon_writer.h: the helper's write jobs (the writes issue).
 *
 *   "weights"      hotkeys -> uids from the cached neurons, max-normalised
 *                  u16, then by the runtime and the subnet's
 *                  hyperparameters: set_(mechanism_)weights, the CRv4
 *                  timelocked commit, or (runtimes with only hash
 *                  commit-reveal) commit_weights now and a "reveal" job;
 *                  retried with pylon_weights_retry until the epoch ends
 *   "reveal"       reveal_weights in the reveal epoch, retried while early
 *   "commitment"   Commitments.set_commitment, pylon_commitment_retry
 *   "certificate"  an ed25519 keypair served with serve_axon_tls, handed
 *                  back sealed (crypto/seal.h)
 *
 * A job is a chain of attempts on lws timers: nothing blocks the helper.
 * A cancelled job (a newer PUT) stops before its next attempt.
 */

#ifndef NGX_PYLON_WRITER_H
#define NGX_PYLON_WRITER_H

#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_submit.h"
#include "helper/ngx_pylon_refresh.h"


/* registers the job kinds: they submit through the submitter and take
 * the runtime metadata and subnet data from the refresher */
ngx_int_t ngx_pylon_writer_init(ngx_pylon_helper_t *h,
    ngx_pylon_submitter_t *submitter, ngx_pylon_refresh_t *refresh);

/* cancels the retry timers (the records stay: the next helper resumes) */
void ngx_pylon_writer_done(ngx_pylon_helper_t *h);

#endif /* NGX_PYLON_WRITER_H */
