/*
 * ngx_pylon_fetch.h: the "fetch" job, cache misses filled on demand.
 *
 * A worker that finds no record submits {"route", "netuid", "block"}
 * (block -1 = latest).  For the latest block the subnet becomes
 * auto-tracked and one round reads it at the current head; for a
 * historical block the hash comes from chain_getBlockHash and the subnet
 * is read at that hash into B/ keys, on the archive node when the block
 * is more than pylon_archive_cutoff behind the head, or when the main
 * node answers "unknown block" / "state discarded" (the fallback).  The
 * job ends 200 with no body (the worker re-reads the cache), or FAILED
 * with Pylon's envelope: 404 "Block N not found.", the 502 archive
 * messages, 500 otherwise.
 */

#ifndef NGX_PYLON_FETCH_H
#define NGX_PYLON_FETCH_H

#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_refresh.h"


/*
 * Registers the "fetch" kind and creates the archive session (connected
 * at once, kept with backoff like the main one).  NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_pylon_fetch_init(ngx_pylon_helper_t *h,
    ngx_pylon_refresh_t *refresh);

/* starts the archive session's connection */
void ngx_pylon_fetch_connect(void);

/* stops and frees the archive session (around lws_context_destroy) */
void ngx_pylon_fetch_shutdown(void);

/* every second: the archive's calls have deadlines too (a hung archive
 * node fails its calls, their fetch jobs end 502, and it reconnects) */
void ngx_pylon_fetch_tick(void);
void ngx_pylon_fetch_free(void);

/* how many reads went to the archive node after the main one failed */
ngx_uint_t ngx_pylon_fetch_fallbacks(void);

#endif /* NGX_PYLON_FETCH_H */
