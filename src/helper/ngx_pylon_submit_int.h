/*
 * ngx_pylon_submit_int.h: private to the submitter's files
 * (ngx_pylon_submit*.c); other callers use ngx_pylon_submit.h.
 *
 * Each submission is a small state machine carried by its own context:
 *   queued -> (genesis) -> nonce -> the runtime of the head it is signed
 *   at -> submitted -> waiting -> found in a block -> events -> reply.
 * Only the queue's head is between "nonce" and "submitted", so nonces
 * are assigned in order.  The extrinsic is signed with the spec version,
 * transaction version and metadata of the block it builds on (its era's
 * birth), taken together from one counted runtime (ngx_pylon_meta.h): a
 * call built with another runtime (an upgrade meanwhile) is encoded
 * again with that one.  The nonce used last per account is remembered:
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
 * (see ngx_pylon_submit.h); a resumed one skips genesis, nonce and
 * signing and goes straight to waiting, sent again while its era lives.
 * One recorded as included in block N first asks chain_getBlockHash(N)
 * (ngx_pylon_submit_check): the recorded hash -> its events are read;
 * another or none (orphaned in a reorg during the handover) -> its
 * inclusion is forgotten and it waits from its era's birth; no answer ->
 * asked again on the next head, then waiting.
 *
 * Ownership: the submitter owns its contexts (ngx_pylon_xt_t) on its
 * queue, waiting list and rereads; a context and its buffers are freed by
 * ngx_pylon_submit_free (from ngx_pylon_submit_finish, or on destroy),
 * which also gives back the context's reference to its runtime (xt->rt).
 * The functions below are shared between those files; they are not part
 * of the submitter's interface.
 */

#ifndef _NGX_PYLON_SUBMIT_INT_H_INCLUDED_
#define _NGX_PYLON_SUBMIT_INT_H_INCLUDED_


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
#include "helper/ngx_pylon_meta.h"
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
    pylon_runtime_t                *rt;         /* held: call encoded,
                                                   signed, events read
                                                   with it (or NULL: a
                                                   resumed one, until
                                                   its events) */
    char                           *pallet;     /* the call again, for */
    char                           *name;       /* another runtime; */
    json_t                         *args;       /* owned (NULL: resumed) */
    uint64_t                        sign_block; /* the head signed at */
    char                            sign_hash[67];
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
    ngx_uint_t                      reorgs;     /* sm->reorgs when sent */
    ngx_uint_t                      check;      /* taken over: the block
                                                   is not yet known to be
                                                   on the chain */
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

    uint64_t                        scanned;    /* blocks up to here seen */
    ngx_uint_t                      scans;      /* scans in flight */
    ngx_uint_t                      scan_failed; /* in this batch */
    uint64_t                        head;       /* followed head */
    char                            head_hash[67];
    ngx_pylon_scan_t               *rereads;    /* events to read again */
    ngx_uint_t                      reorgs;     /* reorgs seen */
    ngx_uint_t                      stopping;

    ngx_pylon_nonce_t               nonces[NGX_PYLON_SUBMIT_NONCES];
    ngx_uint_t                      tick;
};


/* ngx_pylon_submit.c */
void ngx_pylon_submit_kick(ngx_pylon_submitter_t *sm);

/* ngx_pylon_submit_nonce.c */
void ngx_pylon_submit_fetch_nonce(ngx_pylon_xt_t *xt);
ngx_pylon_nonce_t *ngx_pylon_submit_nonce(ngx_pylon_submitter_t *sm,
    const u_char *pub);

/* ngx_pylon_submit_sign.c */
void ngx_pylon_submit_on_genesis(void *data, json_t *result,
    const char *error);
void ngx_pylon_submit_send(ngx_pylon_xt_t *xt);
void ngx_pylon_submit_prepare_failed(ngx_pylon_xt_t *xt,
    const char *what, const char *error);

/* ngx_pylon_submit_watch.c */
void ngx_pylon_submit_wait(ngx_pylon_xt_t *xt);
/*
 * The follower saw a reorg: blocks from `from` on may have been replaced,
 * so the inclusion scan reads them again (it follows the fork choice; an
 * extrinsic in an orphaned block is looked for in the new one).  An
 * extrinsic found in such a block whose outcome is not read yet goes back
 * to waiting (ngx_pylon_submit_refind); so does one whose block or events
 * read was in flight across any reorg (the answer may be the orphan's).
 * A job never reports inclusion in a block that may be orphaned.
 */
void ngx_pylon_submit_on_reorg(void *data, uint64_t from);
/*
 * The block of ev may be orphaned: its extrinsic waits again (the scan
 * goes back to that block, the job record forgets the block, the same
 * bytes are sent again while its era lives); ev is freed.
 */
void ngx_pylon_submit_refind(ngx_pylon_scan_t *ev);
void ngx_pylon_submit_on_head(void *data, uint64_t number,
    const u_char *hash);

/* ngx_pylon_submit_outcome.c */
void ngx_pylon_submit_events(ngx_pylon_xt_t *xt, uint32_t index,
    uint64_t number, const char *hash);
void ngx_pylon_submit_events_read(ngx_pylon_scan_t *ev);
void ngx_pylon_submit_finish(ngx_pylon_xt_t *xt, ngx_int_t ok,
    const char *error, const char *docs, uint64_t block, const char *hash);
void ngx_pylon_submit_free(ngx_pylon_xt_t *xt);

/* ngx_pylon_submit_resume.c */
ngx_int_t ngx_pylon_submit_resume(ngx_pylon_submitter_t *sm,
    ngx_pylon_job_t *job, pylon_runtime_t *rt,
    const pylon_sr25519_keypair_t *kp, ngx_pylon_submit_pt reply,
    void *data);
/*
 * A taken-over job's recorded block (ev->number, ev->hash, ev->check set)
 * is checked with chain_getBlockHash before its events are read; ev and
 * ev->xt are handed on (events read, rereads, or waiting again).
 */
void ngx_pylon_submit_check(ngx_pylon_scan_t *ev);
void ngx_pylon_submit_resend(ngx_pylon_xt_t *xt);
ngx_int_t ngx_pylon_submit_record(ngx_pylon_xt_t *xt,
    uint64_t block, const char *block_hash, uint32_t index);
void ngx_pylon_submit_forget(ngx_pylon_xt_t *xt);


#endif /* _NGX_PYLON_SUBMIT_INT_H_INCLUDED_ */
