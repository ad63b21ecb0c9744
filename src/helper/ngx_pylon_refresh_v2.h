/*
 * ngx_pylon_refresh_v2.h: the Pylon v2 reads (spec/pylon-v2.md §6) kept
 * in the cache next to the subnet data of ngx_pylon_refresh.c.
 *
 * A "v2 round" reads, at one block hash over one session, any of
 *   Drand.LastStoredRound                      -> L/drand/-
 *   SwapRuntimeApi.current_alpha_price_all()   -> L|B/prices/-
 *   SwapRuntimeApi.current_alpha_price(netuid) -> L|B/price/<netuid>
 *   Commitments.RevealedCommitments(netuid, *) -> L/revealed/<netuid>,
 *                                                 L/revealed_one/...
 * and writes what it read in one LMDB transaction.  Storage keys and
 * values go through the registry of the round's runtime: the one of its
 * block for a historical read (ngx_pylon_meta_acquire_at()), the head's
 * otherwise.  What the runtime does not declare is not called: a
 * fetch then answers 501 with spec §3.3's detail; a failed call answers
 * 502 "<op> failed on <uri>: <error>".
 *
 * Every new head gets one round over the tracked subnets (parts that
 * fail are simply not written); a fetch job starts one for one route.
 * Head rounds run one at a time: a head that comes while one runs waits
 * as the pending head, replaced by any newer head or by another head at
 * the same height (the node's fork choice).  A head round writes only if
 * its (number, hash) is still the followed chain's
 * (ngx_pylon_follow_hash_at) and not older than the last one written.
 */

#ifndef NGX_PYLON_REFRESH_V2_H
#define NGX_PYLON_REFRESH_V2_H

#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_runner.h"
#include "chain/runtime.h"
#include "store/keys_v2.h"


#define NGX_PYLON_V2_DRAND      0x01
#define NGX_PYLON_V2_PRICES     0x02
#define NGX_PYLON_V2_PRICE      0x04
#define NGX_PYLON_V2_REVEALED   0x08


/*
 * A round's outcome: status 200 when written, else the HTTP status and
 * Pylon detail to answer with; unknown is 1 when the node did not know
 * the block (the caller may ask the archive node).
 */
typedef void (*ngx_pylon_v2_done_pt)(void *data, ngx_uint_t status,
    const char *detail, ngx_uint_t unknown);


/*
 * Starts a round of the parts in what (NGX_PYLON_V2_*) at (number, hash)
 * on session s, whose node is called uri in error details; latest 1
 * writes L/ keys, 0 B/ keys.  Keys and values are encoded and decoded
 * with runtime rt (the caller's; the round takes a reference of its own
 * and releases it when it ends), NULL: the head's runtime.  done is
 * called exactly once unless NGX_ERROR is returned.
 */
ngx_int_t ngx_pylon_refresh_v2(ngx_pylon_refresh_t *r, ngx_pylon_helper_t *h,
    ngx_pylon_session_t *s, const char *uri, uint64_t number,
    const char *hash, pylon_runtime_t *rt, ngx_uint_t latest, ngx_uint_t what,
    ngx_int_t *netuids, ngx_uint_t n, ngx_pylon_v2_done_pt done, void *data);

/* the head hook (ngx_pylon_refresh_head): every part, tracked subnets */
void ngx_pylon_refresh_v2_head(ngx_pylon_refresh_t *r, ngx_pylon_helper_t *h,
    ngx_pylon_session_t *s, uint64_t number, const u_char *hash,
    ngx_int_t *netuids, ngx_uint_t n);

/* the parts a route name (keys_v2.h) needs, 0 when it is not ours */
ngx_uint_t ngx_pylon_refresh_v2_part(const char *route);

/*
 * The "fetch" job of a v2 route (ngx_pylon_fetch.c hands it over):
 * latest or historical, on the archive node (may be NULL) past the
 * cutoff or when the main node does not know the block.
 */
void ngx_pylon_fetch_v2_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    ngx_pylon_refresh_t *refresh, ngx_pylon_session_t *archive);

#endif /* NGX_PYLON_REFRESH_V2_H */
