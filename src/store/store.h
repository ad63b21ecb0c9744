/*
 * store.h: the LMDB cache shared by the helper (the only writer of chain
 * data) and the nginx workers (readers).
 *
 * A value is a record: a 32-byte header (magic, flags, block number, ETag, time
 * written) followed by a ready-to-send body, and with the GZIP flag (and magic
 * "PYR2" instead of "PYR1") an 8-byte extension (u32 body length, u32 copy
 * length), the body, then its gzip copy (store/gzip.h).  Workers read a record
 * with one mdb_get in a reusable read transaction and copy the body out;
 * the helper writes all records of one block in one transaction, so a
 * reader never sees a half-updated block.  The ETag is a hash of the body:
 * unchanged data keeps its ETag.
 *
 * Rules (spec/nginx.md §4): open the environment after fork only, in the
 * process that uses it; never hand memory returned by a read back to a
 * write; one process, one store handle.  Pure C, no nginx headers.
 */

#ifndef PYLON_STORE_H
#define PYLON_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/keys.h"

#define PYLON_STORE_MAXREADERS   1024
#define PYLON_STORE_ERRLEN       256

/* store return codes */
#define PYLON_STORE_OK           0
#define PYLON_STORE_NOTFOUND     1
#define PYLON_STORE_ERROR       -1

/* record flags */
#define PYLON_RECORD_GZIP  0x80000000u  /* set by put: a gzip copy follows */


typedef struct pylon_store_s  pylon_store_t;

typedef struct {
    uint32_t        flags;
    uint64_t        block;       /* block the body describes */
    uint64_t        etag;        /* xxh64 of the body */
    uint64_t        written_ms;  /* Unix ms when the helper wrote it */
    const u_char   *body;        /* points into the map: see read_end */
    size_t          len;
    const u_char   *gz;          /* its gzip copy, NULL when none */
    size_t          gzlen;
} pylon_record_t;


/*
 * Opens (creating when absent) the environment in directory dir with a
 * fixed map size.  On error returns NULL and writes a message to err.
 */
pylon_store_t *pylon_store_open(const char *dir, size_t mapsize,
    char *err, size_t errlen);

/* the job queue's environment, a file in the cache directory */
#define PYLON_STORE_JOBS_FILE    "jobs.mdb"

/*
 * Opens the job queue's own environment, <dir>/jobs.mdb (and its
 * -lock), with a map of budget bytes: the job records (store/jobs.h) then
 * share neither the chain data's map nor its writer lock.  Without it
 * they live in st's own environment (unit tests, tools).  Closed with st.
 * 0, or -1 with a message in err.
 */
int pylon_store_open_jobs(pylon_store_t *st, const char *dir, size_t budget,
    char *err, size_t errlen);

/* The handle the job queue writes to: the jobs environment, or st. */
pylon_store_t *pylon_store_jobs(pylon_store_t *st);

/*
 * Bytes held by the live pages of st's database (in the open write
 * transaction, or a read of its own) and the size of its map.  0 or -1.
 */
int pylon_store_usage(pylon_store_t *st, size_t *used, size_t *mapsize);

/* Closes the environment (and the jobs one); any read is ended. */
void pylon_store_close(pylon_store_t *st);

/*
 * Reads the record at key (inside the open write transaction, if any).
 * On PYLON_STORE_OK rec->body points into the map and stays valid until
 * pylon_store_read_end() or the next write; the caller copies it.
 * Returns PYLON_STORE_NOTFOUND or PYLON_STORE_ERROR otherwise (the read is
 * then already ended).
 */
int pylon_store_read(pylon_store_t *st, const char *key, pylon_record_t *rec);

/* Ends the current read: releases the reader slot, pins nothing. */
void pylon_store_read_end(pylon_store_t *st);

/* Starts a write transaction (helper only).  0 or -1. */
int pylon_store_write_begin(pylon_store_t *st);

/*
 * Puts a record in the current write transaction: header + copy of body.
 * The ETag is computed from the body.  0 or -1.
 */
int pylon_store_put(pylon_store_t *st, const char *key, uint64_t block,
    uint32_t flags, const void *body, size_t len);

/*
 * From now on, put keeps a gzip copy (level, see store/gzip.h) of every
 * L/ and B/ body it is worth it for; level 0 stops that.  0 or -1.
 */
int pylon_store_set_gzip(pylon_store_t *st, int level);

/*
 * Puts a record whose gzip copy the caller made already (gz may be NULL):
 * compress outside the write transaction, put inside.  0 or -1.
 */
int pylon_store_put_gz(pylon_store_t *st, const char *key, uint64_t block,
    uint32_t flags, const void *body, size_t len, const void *gz,
    size_t gzlen);

/*
 * The gzip copy put would make for key and body: a buffer the caller
 * frees with free(), or NULL when none (gzip off, small, not a cached
 * body).  Callable outside a write transaction.
 */
u_char *pylon_store_gzip(pylon_store_t *st, const char *key,
    const void *body, size_t len, size_t *gzlen);

/* Deletes key in the current write transaction; absent is not an error. */
int pylon_store_del(pylon_store_t *st, const char *key);

/* Commits (0) or, on failure, aborts and returns -1. */
int pylon_store_write_commit(pylon_store_t *st);

/* Aborts the current write transaction, if any. */
void pylon_store_write_abort(pylon_store_t *st);

/*
 * Raw values (no record header), for the job queue.  get_raw reads inside
 * the open write transaction, or else a read (end it with read_end); the
 * value is valid until then and must be copied before any write.
 * Returns PYLON_STORE_OK, _NOTFOUND or _ERROR.
 */
int pylon_store_get_raw(pylon_store_t *st, const char *key,
    const void **val, size_t *len);

/* Puts a raw value in the current write transaction.  0 or -1. */
int pylon_store_put_raw(pylon_store_t *st, const char *key, const void *val,
    size_t len);

/*
 * Calls fn for every key starting with prefix, in key order, inside a
 * read transaction: fn must not read or write the store (a read resets
 * the transaction under the cursor: MDB_BAD_TXN); collect, then act.
 * fn returns 0 to go on, 1 to stop.  Returns the number of keys visited
 * or -1.
 */
int pylon_store_scan(pylon_store_t *st, const char *prefix,
    int (*fn)(void *data, const char *key, size_t klen, const void *val,
    size_t vlen), void *data);

/* keys collected by a scan, to act on once its cursor is closed */
typedef struct {
    char    **keys;                /* malloc()ed, each NUL-terminated */
    size_t    n;
    size_t    cap;
} pylon_keylist_t;

/*
 * A pylon_store_scan() callback (data: a zeroed pylon_keylist_t) that
 * appends a malloc()ed copy of each key; also callable directly.  0, or 1
 * (stop) when out of memory.  The list is freed by pylon_keylist_free().
 */
int pylon_keylist_add(void *data, const char *key, size_t klen,
    const void *val, size_t vlen);

/* Frees the keys of l and its array (l itself is the caller's). */
void pylon_keylist_free(pylon_keylist_t *l);

/*
 * Counts keys starting with prefix, stopping at max, inside the open
 * write transaction or else a read of its own.  The count or -1.
 */
int pylon_store_count(pylon_store_t *st, const char *prefix, int max);

/* 1 when the last error of this handle was MDB_MAP_FULL (cache full) */
int pylon_store_map_full(pylon_store_t *st);

/* Clears reader slots of dead processes; returns how many or -1. */
int pylon_store_reader_check(pylon_store_t *st);

/* Sets the error message of this handle, printf-style. */
void pylon_store_set_error(pylon_store_t *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Last error message of this handle (never NULL). */
const char *pylon_store_error(pylon_store_t *st);

/* Formats an ETag as a quoted strong HTTP entity tag; returns length. */
size_t pylon_store_etag_format(char *buf, size_t size, uint64_t etag);

/* The strong ETag of the gzip copy: the body's with "-gz"; length. */
size_t pylon_store_etag_format_gz(char *buf, size_t size, uint64_t etag);

#endif /* PYLON_STORE_H */
