/*
 * ngx_pylon_history.h: bounding the historical bodies in the cache.
 *
 * Historical blocks (B/... keys) are immutable once written, so they stay
 * cached; but the LMDB map has a fixed size (pylon_cache max_size).  The
 * helper remembers every historical group in the cache (one subnet at
 * one block, or one block's chain-wide bodies) with its size
 * (store/history.h: no count limit, so no group is ever forgotten with
 * its keys left behind), and when the groups together pass half the map
 * it deletes the least recently fetched ones until they are under three
 * eighths.  The latest records (L/...) are
 * never evicted.  At start the groups already in the cache are counted
 * (oldest block first in line for eviction).  Workers' hits do not reach
 * the helper, so "recently used" means recently fetched.
 */

#ifndef NGX_PYLON_HISTORY_H
#define NGX_PYLON_HISTORY_H

#include "helper/ngx_pylon_helper.h"


/* scans the cache's B/ keys; NGX_OK or NGX_ERROR (out of memory) */
ngx_int_t ngx_pylon_history_init(ngx_pylon_helper_t *h);

/*
 * Records that the group (netuid, or -1 for extrinsics; block) was just
 * written or fetched again, then evicts as needed.
 */
void ngx_pylon_history_touch(ngx_pylon_helper_t *h, ngx_int_t netuid,
    uint64_t block);

/*
 * A reorg: the groups at block >= from may hold an orphaned fork's data
 * and are deleted (the next request fetches them again).
 */
void ngx_pylon_history_reorg(ngx_pylon_helper_t *h, uint64_t from);

/*
 * The helper's first head: the groups at block >= from were read by an
 * earlier helper, and a reorg may have come while none followed the
 * chain; they are deleted (the next request fetches them again).
 */
void ngx_pylon_history_unfollowed(ngx_pylon_helper_t *h, uint64_t from);

/* deletes the group (netuid or -1, block): read from an orphaned fork */
void ngx_pylon_history_drop(ngx_pylon_helper_t *h, ngx_int_t netuid,
    uint64_t block);

/* bytes the historical groups hold, and how many groups were evicted */
size_t ngx_pylon_history_bytes(void);
ngx_uint_t ngx_pylon_history_evicted(void);

void ngx_pylon_history_done(void);

#endif /* NGX_PYLON_HISTORY_H */
