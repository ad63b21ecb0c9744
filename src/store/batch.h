/*
 * batch.h: records made ready before the write transaction.
 *
 * The helper renders a head's bodies and their gzip copies into a batch
 * first, then opens one write transaction that only copies bytes into the
 * map: readers never wait on rendering or compression, and LMDB's single
 * writer lock is held for as short as possible.  Pure C over store.h.
 */

#ifndef PYLON_STORE_BATCH_H
#define PYLON_STORE_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"


typedef struct pylon_batch_s  pylon_batch_t;


/* An empty batch whose gzip copies follow st's setting; NULL: no memory. */
pylon_batch_t *pylon_batch_create(pylon_store_t *st);

/*
 * Adds a record: copies key and body, and makes the gzip copy now (see
 * pylon_store_gzip).  No transaction needed.  0 or -1 (out of memory).
 */
int pylon_batch_add(pylon_batch_t *b, const char *key, uint64_t block,
    const void *body, size_t len);

/* Puts every record, in order, in st's current write transaction.  0/-1. */
int pylon_batch_put(pylon_batch_t *b);

/* Records in the batch. */
size_t pylon_batch_count(const pylon_batch_t *b);

/*
 * Takes back (frees) the records added after the first n: what a part
 * that failed half-way added (n = pylon_batch_count() before it).
 */
void pylon_batch_truncate(pylon_batch_t *b, size_t n);

/* Frees the batch and every copy it holds (NULL is fine). */
void pylon_batch_free(pylon_batch_t *b);

#endif /* PYLON_STORE_BATCH_H */
