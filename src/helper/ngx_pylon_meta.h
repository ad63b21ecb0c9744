/*
 * ngx_pylon_meta.h: the helper's runtimes, one cache shared by the
 * refresh rounds, the fetch jobs and the submitter.
 *
 * A runtime (chain/runtime.h) is the spec version, transaction version
 * and metadata of a block, taken together and reference counted.  Who
 * keeps one past the current callback holds a reference:
 *   ngx_pylon_meta_acquire*()  give a reference to the caller,
 *   ngx_pylon_meta_release()   gives it back;
 * a runtime and its metadata are freed by the last release only, so a
 * submission waiting for its block, or a round decoding a historical
 * block, never sees its metadata freed under it by the cache making room.
 *
 * Metadata is fetched at most once per spec version at a time
 * (Metadata_metadata_at_version(15) at a block of that runtime): a second
 * asker of the same spec waits for the first fetch.  The runtime of the
 * newest head the refresh has read is "the head's runtime": it is what
 * jobs build their calls with, and what callers without a block of their
 * own decode with.
 */

#ifndef NGX_PYLON_META_H
#define NGX_PYLON_META_H

#include "helper/ngx_pylon_helper.h"
#include "chain/runtime.h"


#define NGX_PYLON_META_SLOTS    8


/*
 * A runtime asked for: rt with a reference for the callee (release it),
 * or NULL with error saying why ("connection lost", "unknown block", the
 * metadata's parse error).
 */
typedef void (*ngx_pylon_meta_pt)(void *data, pylon_runtime_t *rt,
    const char *error);


/* an empty cache of NGX_PYLON_META_SLOTS runtimes (NULL: no memory) */
ngx_pylon_meta_t *ngx_pylon_meta_create(ngx_pylon_helper_t *h);

/*
 * Frees the cache; runtimes still held elsewhere live on until released.
 * Call it after the sessions are shut down: loads still pending are
 * dropped without their callbacks.
 */
void ngx_pylon_meta_destroy(ngx_pylon_meta_t *m);

/* the cached runtime of spec, with a reference for the caller, or NULL */
pylon_runtime_t *ngx_pylon_meta_acquire(ngx_pylon_meta_t *m, uint32_t spec);

/* another reference to rt, which the caller holds (NULL: NULL) */
pylon_runtime_t *ngx_pylon_meta_acquire_rt(pylon_runtime_t *rt);

/* gives back a reference from any ngx_pylon_meta_acquire*() (NULL: no-op) */
void ngx_pylon_meta_release(pylon_runtime_t *rt);

/*
 * The runtime of spec (transaction version tx) whose metadata is not
 * cached: fetched at block hash on session s, or the fetch already under
 * way for spec is joined.  done is called exactly once, later, unless
 * NGX_ERROR is returned (not connected: nothing started).
 */
ngx_int_t ngx_pylon_meta_load(ngx_pylon_meta_t *m, ngx_pylon_session_t *s,
    const char *hash, uint32_t spec, uint32_t tx, ngx_pylon_meta_pt done,
    void *data);

/*
 * The runtime of block hash: state_getRuntimeVersion([hash]), then the
 * cache or ngx_pylon_meta_load().  done as above.
 */
ngx_int_t ngx_pylon_meta_acquire_at(ngx_pylon_meta_t *m,
    ngx_pylon_session_t *s, const char *hash, ngx_pylon_meta_pt done,
    void *data);

/*
 * The refresh read block number with rt: when it is the newest head seen,
 * rt becomes the head's runtime (the cache keeps a reference to it).
 */
void ngx_pylon_meta_set_head(ngx_pylon_meta_t *m, uint64_t number,
    pylon_runtime_t *rt);

/*
 * The head's runtime with a reference for the caller, or NULL before one
 * (test-only: also NULL while the file PYLON_TEST_HOOK/nometa exists, see
 * ngx_pylon_submit_test_hook()).
 */
pylon_runtime_t *ngx_pylon_meta_acquire_head(ngx_pylon_meta_t *m);

/*
 * The head's metadata, borrowed: valid until the callback that asked
 * returns to the event loop (keep a reference to keep it longer).
 */
const pylon_meta_t *ngx_pylon_meta_head(ngx_pylon_meta_t *m);

#endif /* NGX_PYLON_META_H */
