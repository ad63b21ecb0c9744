/*
 * history.h: the historical groups of the cache, bounded in bytes.
 *
 * A group is every key B/<route>/<netuid|->/<block10>[/<item>] of one
 * (netuid, block); netuid -1 stands for the chain-wide "-" (extrinsics,
 * drand).  The index knows every group in the cache (no count limit: a
 * group it forgot would stay in the map for good), each with the bytes
 * its keys and values hold, in use order.  Eviction deletes the least
 * recently used groups from the store; a reorg deletes the groups at or
 * above a block.  Pure C over store.h, no nginx: the helper wraps it
 * (src/helper/ngx_pylon_history.c).
 *
 * Ownership: pylon_history_create() allocates the index (malloc) and
 * pylon_history_free() frees it with its groups; the store stays the
 * caller's.  Every call that changes the store opens and commits its own
 * write transaction (none may be open), after its scans have ended.
 */

#ifndef PYLON_STORE_HISTORY_H
#define PYLON_STORE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"


typedef struct pylon_history_s  pylon_history_t;


/* an empty index over st, or NULL (out of memory) */
pylon_history_t *pylon_history_create(pylon_store_t *st);

void pylon_history_free(pylon_history_t *hi);

/*
 * Indexes every B/ key already in the store, oldest block first in line
 * for eviction.  0, or -1 (store error or out of memory).
 */
int pylon_history_load(pylon_history_t *hi);

/*
 * The group (netuid, block) was just written or fetched again: measures
 * it in the store and makes it the most recently used (a group with no
 * keys left is forgotten).  0 or -1.
 */
int pylon_history_touch(pylon_history_t *hi, int netuid, uint64_t block);

/*
 * When the groups hold more than high bytes, deletes least recently used
 * groups from the store until they hold at most low.  The number of
 * groups deleted, or -1 (store error; the index stays consistent).
 */
long pylon_history_evict(pylon_history_t *hi, size_t high, size_t low);

/* deletes the group (netuid, block) from the store, if any; 0 or -1 */
int pylon_history_drop(pylon_history_t *hi, int netuid, uint64_t block);

/*
 * Deletes every group at block >= from (their data may come from an
 * orphaned fork).  The number of groups deleted, or -1.
 */
long pylon_history_drop_from(pylon_history_t *hi, uint64_t from);

size_t pylon_history_bytes(pylon_history_t *hi);     /* held by the groups */
size_t pylon_history_groups(pylon_history_t *hi);    /* groups indexed */
size_t pylon_history_evicted(pylon_history_t *hi);   /* deleted so far */

#endif /* PYLON_STORE_HISTORY_H */
