/*
 * ngx_pylon_refresh_int.h: private to the refresher's files
 * (ngx_pylon_refresh*.c); other callers use ngx_pylon_refresh.h.
 *
 *   round: state_getRuntimeVersion([hash]) -> the runtime of that spec
 *          from the helper's shared cache (ngx_pylon_meta.h), else its
 *          metadata fetched at hash (one fetch per spec at a time)
 *   per subnet, in parallel:
 *          state_call get_neurons_lite, state_call get_subnet_state,
 *          for CommitmentOf and NeuronCertificates:
 *              state_getKeysPaged([prefix, 1000, start, hash])
 *              -> state_queryStorageAt([keys, hash]) -> next page
 *          (a head round reads these two only every pylon_storage_every
 *          blocks per subnet, see ngx_pylon_round_wants_storage; the
 *          subnet's cached commitment and certificate bodies stay)
 *   when nothing is pending: render every subnet's bodies and their gzip
 *   copies into a batch (store/batch.h), then write them all in one short
 *   transaction (item keys of the subnet that are gone are deleted).
 *
 * Ownership: the refresher owns its tracked set; a round
 * (ngx_pylon_round_create) owns its subnets' read buffers and holds a
 * reference to its runtime (rd->rt) until ngx_pylon_round_free.  The
 * head slot (r->heads) holds a copy of the pending head; the head round
 * in flight it points to is freed by ngx_pylon_round_free, after
 * ngx_pylon_refresh_head_done took it out of the slot.  The functions
 * below are shared between those files; they are not part of the
 * refresher's interface.
 */

#ifndef _NGX_PYLON_REFRESH_INT_H_INCLUDED_
#define _NGX_PYLON_REFRESH_INT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_head_slot.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_refresh_v2.h"
#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/runtime_api.h"
#include "chain/xdecode.h"
#include "store/batch.h"
#include "helper/ngx_pylon_subnets.h"


#define NGX_PYLON_PAGE          1000
#define NGX_PYLON_HYPER_EVERY   5           /* blocks between reads */


typedef struct ngx_pylon_round_s  ngx_pylon_round_t;
typedef struct ngx_pylon_sub_s    ngx_pylon_sub_t;


typedef struct {
    ngx_int_t               netuid;
    uint64_t                expires_ms;      /* 0: for good */
    uint64_t                block;           /* last written */
    uint64_t                written_ms;
    ngx_msec_t              duration;        /* of that round */
    uint64_t                hyper_block;     /* hyperparameters read at */
    uint64_t                storage_block;   /* commitments and
                                                certificates read at (a
                                                write that succeeded);
                                                0: not yet */
    ngx_uint_t              storage_reorgs;  /* the follower's reorg
                                                count at that read */
    ngx_uint_t              all;             /* by pylon_netuids all */
    ngx_uint_t              stale;           /* the last head round
                                                failed for it */
} ngx_pylon_tracked_t;


struct ngx_pylon_refresh_s {
    ngx_pylon_helper_t     *helper;
    ngx_pylon_session_t    *chain;
    ngx_pylon_tracked_t     tracked[NGX_PYLON_TRACK_MAX];
    ngx_uint_t              ntracked;
    uint32_t                spec;            /* last runtime version seen */
    uint64_t                written;         /* newest latest round */

    /*
     * Heads are numbered as they come (the follower hands them over in
     * its fork choice's order); a latest round writes only when no round
     * of a later head has written yet.  One head round runs at a time:
     * a head that comes meanwhile waits as the slot's pending head (a
     * newer one replaces it), see ngx_pylon_head_slot.h.
     */
    uint64_t                head_seq;        /* of the last head */
    uint64_t                written_seq;     /* of the last latest write */
    ngx_pylon_head_slot_t   heads;           /* the head round in
                                                flight (ours), the
                                                pending head */
    ngx_uint_t              skipped;         /* heads replaced while
                                                pending */
    ngx_uint_t              rounds;
    ngx_uint_t              failures;
    ngx_uint_t              calls;

    /* a head round's get_subnet_state bytes, lent at its end */
    ngx_pylon_refresh_states_pt  on_states;
    void                   *on_states_data;
};


typedef struct {
    ngx_pylon_sub_t        *sub;
    ngx_uint_t              which;           /* 0 commitments, 1 certs */
    char                    prefix[72];
    pylon_subnet_kv_t      *kv;
    size_t                  n;
    size_t                  cap;
} ngx_pylon_page_t;


struct ngx_pylon_sub_s {
    ngx_pylon_round_t      *round;
    ngx_int_t               netuid;
    u_char                 *neurons;
    size_t                  neurons_len;
    u_char                 *state;
    size_t                  state_len;
    u_char                 *hyper;          /* NULL: not available */
    size_t                  hyper_len;
    const char             *hyper_method;   /* the call that read it */
    ngx_pylon_page_t        page[2];
    ngx_uint_t              storage;        /* 1: commitments and
                                               certificates read and
                                               written; 0: skipped by
                                               pylon_storage_every, the
                                               cached ones stay */
    ngx_uint_t              reorgs;         /* follower's reorg count
                                               when the reads went out */
    ngx_uint_t              failed;         /* this subnet only */
    char                    error[192];
};


struct ngx_pylon_round_s {
    ngx_pylon_refresh_t    *refresh;
    ngx_pylon_session_t    *session;
    uint64_t                number;
    char                    hash[67];
    ngx_uint_t              latest;
    pylon_runtime_t        *rt;              /* held; NULL until known */
    ngx_pylon_sub_t        *subs;
    ngx_uint_t              nsubs;
    ngx_uint_t              pending;
    ngx_uint_t              failed;
    ngx_uint_t              unknown;
    char                    error[256];
    ngx_msec_t              started;
    ngx_pylon_round_pt      done;
    void                   *data;
    ngx_uint_t              extrinsics;      /* read the block's body */
    json_t                 *xts;             /* its extrinsics (hex) */
    ngx_uint_t              guessed;         /* rt taken before version */
    ngx_uint_t              reading;         /* subnet calls are out */
    uint64_t                seq;             /* head order (latest) */
    ngx_uint_t              head;            /* the head round */
};


typedef struct {
    ngx_pylon_round_t      *round;
    ngx_int_t               netuid;
    pylon_batch_t          *batch;      /* NULL: put in the open txn */
    ngx_uint_t              storage;    /* 0: commitment and certificate
                                           bodies are not put */
} ngx_pylon_put_ctx_t;


typedef struct {
    ngx_pylon_helper_t     *helper;
    const char             *method;
    ngx_msec_t              started;
    ngx_pylon_reply_pt      reply;
    void                   *data;
} ngx_pylon_timed_t;


/* ngx_pylon_refresh_tracked.c */
ngx_uint_t ngx_pylon_refresh_tracked(ngx_pylon_refresh_t *r,
    ngx_int_t netuid);
void ngx_pylon_refresh_expire(ngx_pylon_refresh_t *r);
void ngx_pylon_refresh_drop(ngx_pylon_refresh_t *r,
    ngx_int_t netuid);
ngx_int_t ngx_pylon_refresh_put_state(ngx_pylon_refresh_t *r);

/* ngx_pylon_refresh_meta.c */
void ngx_pylon_round_version(void *data, json_t *result,
    const char *error);

/* ngx_pylon_refresh.c: a head round ended; the pending head, if any */
void ngx_pylon_refresh_head_done(ngx_pylon_refresh_t *r,
    ngx_pylon_round_t *rd);

/* ngx_pylon_refresh_round.c */
ngx_pylon_round_t *ngx_pylon_round_create(ngx_pylon_refresh_t *r,
    ngx_pylon_session_t *s, uint64_t number, const char *hash,
    ngx_uint_t latest, ngx_int_t *netuids, ngx_uint_t n);
void ngx_pylon_round_start(ngx_pylon_round_t *rd);
void ngx_pylon_round_subnets(ngx_pylon_round_t *rd);
ngx_int_t ngx_pylon_round_call(ngx_pylon_round_t *rd,
    const char *method, json_t *params, ngx_pylon_reply_pt reply,
    void *data);
void ngx_pylon_round_fail(ngx_pylon_round_t *rd, const char *what,
    const char *error);

/*
 * A read of one subnet failed: in a latest round of several subnets only
 * that subnet fails (it keeps its previous bodies and is marked stale);
 * otherwise the round fails.
 */
void ngx_pylon_sub_fail(ngx_pylon_sub_t *sub, const char *what,
    const char *error);
void ngx_pylon_round_step(ngx_pylon_round_t *rd);

/* ngx_pylon_refresh_pages.c */
void ngx_pylon_page_next(ngx_pylon_page_t *pg, const char *start);

/* ngx_pylon_refresh_store.c */
void ngx_pylon_round_write(ngx_pylon_round_t *rd);


#endif /* _NGX_PYLON_REFRESH_INT_H_INCLUDED_ */
