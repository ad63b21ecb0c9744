/*
 * runtime.h: one runtime version, counted, and a small cache of them.
 *
 * A pylon_runtime_t is what a block is decoded and an extrinsic signed
 * with, taken together: the spec version, the transaction version and the
 * metadata of that runtime.  It is reference counted: whoever keeps a
 * pointer past the current call holds a reference (pylon_runtime_acquire)
 * and gives it back (pylon_runtime_release); the runtime and its metadata
 * are freed by the release of the last reference, never before.
 *
 * A pylon_runtimes_t keeps up to `slots` runtimes by spec version, least
 * recently used out first.  The cache is one holder: evicting a runtime
 * only drops the cache's reference, so a runtime still held elsewhere (a
 * submission waiting for its block, a round decoding a historical block)
 * stays valid until its holders release it.
 *
 * Single-threaded (the helper's event loop); no locking.
 */

#ifndef PYLON_CHAIN_RUNTIME_H
#define PYLON_CHAIN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "chain/metadata.h"


typedef struct {
    uint32_t        spec_version;
    uint32_t        tx_version;
    pylon_meta_t   *meta;          /* owned: freed with the runtime */
    unsigned        refs;          /* holders, the cache included */
    uint64_t        used;          /* cache clock of the last lookup */
} pylon_runtime_t;


typedef struct pylon_runtimes_s  pylon_runtimes_t;


/*
 * A runtime that owns meta (meta is freed with it, or at once on NULL
 * return); one reference, the caller's.
 */
pylon_runtime_t *pylon_runtime_create(uint32_t spec_version,
    uint32_t tx_version, pylon_meta_t *meta);

/* one more reference to rt (NULL: NULL); returns rt */
pylon_runtime_t *pylon_runtime_acquire(pylon_runtime_t *rt);

/* gives one reference back; the last one frees rt and its metadata */
void pylon_runtime_release(pylon_runtime_t *rt);


/* an empty cache of up to slots runtimes (NULL: out of memory) */
pylon_runtimes_t *pylon_runtimes_create(size_t slots);

/* drops the cache's references (held runtimes live on); frees the cache */
void pylon_runtimes_destroy(pylon_runtimes_t *c);

/*
 * The cached runtime of spec_version with a reference for the caller
 * (release it), or NULL when it is not cached.
 */
pylon_runtime_t *pylon_runtimes_acquire(pylon_runtimes_t *c,
    uint32_t spec_version);

/*
 * Caches rt (the cache takes its own reference; the caller keeps its own).
 * A runtime cached already for that spec version is replaced; when the
 * cache is full the least recently used runtime leaves it.  0, or -1 on
 * out of memory (nothing changed; this array cache never allocates).
 */
int pylon_runtimes_put(pylon_runtimes_t *c, pylon_runtime_t *rt);

/* runtimes cached now */
size_t pylon_runtimes_count(const pylon_runtimes_t *c);

#endif /* PYLON_CHAIN_RUNTIME_H */
