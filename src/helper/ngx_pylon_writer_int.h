/*
 * ngx_pylon_writer_int.h: private to the writer's files
 * (ngx_pylon_writer.c, ngx_pylon_write_{weights,reveal,commit,cert}.c);
 * other callers use ngx_pylon_writer.h.
 *
 *   ngx_pylon_writer.c          the job kinds' registration, the job
 *                               loop (start, retry, end, cancel), the
 *                               submission and its outcome, cache reads
 *   ngx_pylon_write_weights.c   "weights": set_(mechanism_)weights, the
 *                               CRv4 timelocked commit, the CRv2 hash
 *                               commit (queues a "reveal" job), the
 *                               commit window of pylon_weights_window
 *   ngx_pylon_write_reveal.c    "reveal": CRv2 reveal_weights, waiting
 *                               for its reveal window
 *   ngx_pylon_write_commit.c    "commitment" and "revealed" (timelocked)
 *                               commitments: Commitments.set_commitment
 *   ngx_pylon_write_cert.c      "certificate": a keypair served with
 *                               serve_axon_tls, handed back sealed
 *   ngx_pylon_write_epoch.c     the epoch and reveal round of a job
 *                               (its own interface, write_epoch.h)
 *
 * Ownership: a write (ngx_pylon_write_t) is allocated by the writer when
 * a job starts and freed, with its reference to the attempt's runtime
 * (w->rt) and its wiped secret, only by ngx_pylon_write_end; nothing may
 * touch w after calling it.  An attempt ends in exactly one of
 * ngx_pylon_write_submit (takes the args: it json_decref's them),
 * ngx_pylon_write_retry, ngx_pylon_write_end, or a timer it schedules on
 * w->sul (ngx_pylon_write_timer runs w->run again).
 * ngx_pylon_write_cached returns a new reference the caller
 * json_decref's; ngx_pylon_write_runtime's metadata lives as long as
 * w->rt.  The functions below are shared between those files; they are
 * not part of the writer's interface.
 */

#ifndef _NGX_PYLON_WRITER_INT_H_INCLUDED_
#define _NGX_PYLON_WRITER_INT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_writer.h"
#include "helper/ngx_pylon_runner.h"
#include "helper/ngx_pylon_meta.h"


typedef struct ngx_pylon_write_s  ngx_pylon_write_t;

typedef void (*ngx_pylon_attempt_pt)(ngx_pylon_write_t *w);

struct ngx_pylon_write_s {
    ngx_pylon_helper_t      *h;
    ngx_pylon_job_t         *job;
    ngx_pylon_identity_t    *id;
    ngx_int_t                netuid;
    ngx_int_t                mechanism;
    ngx_uint_t               attempt;       /* attempts in this helper */
    ngx_uint_t               max;           /* attempts allowed */
    ngx_msec_t               delay;         /* retry base */
    uint64_t                 epoch_end;     /* weights: stop after it */
    double                   started;       /* stats clock */
    ngx_pylon_attempt_pt     run;
    pylon_runtime_t         *rt;            /* held: this attempt's runtime */
    lws_sorted_usec_list_t   sul;
    ngx_uint_t               waiting;       /* between attempts */
    ngx_pylon_write_t       *next;
    ngx_uint_t               crv2;          /* a hash commit was sent */
    uint64_t                 reveal_round;  /* revealed: of this attempt */
    uint64_t                 window_open;   /* weights window, 0: unset */
    u_char                   pub[32];       /* certificate: its key */
    u_char                   secret[512];   /* certificate: sealed reply */
    size_t                   secret_len;
    char                     error[512];
};


/* the job loop (ngx_pylon_writer.c) */

void ngx_pylon_write_timer(lws_sorted_usec_list_t *sul);
ngx_int_t ngx_pylon_write_cancelled(ngx_pylon_write_t *w);
void ngx_pylon_write_retry(ngx_pylon_write_t *w, const char *error);
void ngx_pylon_write_end(ngx_pylon_write_t *w, const char *state,
    ngx_uint_t status, const char *body, const char *error);
void ngx_pylon_write_submit(ngx_pylon_write_t *w, const pylon_meta_t *meta,
    const char *pallet, const char *call, json_t *args);
const pylon_meta_t *ngx_pylon_write_runtime(ngx_pylon_write_t *w);
ngx_uint_t ngx_pylon_write_resume(ngx_pylon_write_t *w);
json_t *ngx_pylon_write_cached(ngx_pylon_write_t *w, const char *route);
uint64_t ngx_pylon_hyper_uint(json_t *hyper, const char *name,
    uint64_t dflt);

/* the attempts of each kind */

void ngx_pylon_weights_attempt(ngx_pylon_write_t *w);
void ngx_pylon_reveal_attempt(ngx_pylon_write_t *w);
void ngx_pylon_commitment_attempt(ngx_pylon_write_t *w);
void ngx_pylon_revealed_attempt(ngx_pylon_write_t *w);
void ngx_pylon_certificate_attempt(ngx_pylon_write_t *w);


#endif /* _NGX_PYLON_WRITER_INT_H_INCLUDED_ */
