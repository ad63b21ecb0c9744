/*
 * store.c: the LMDB environment of the cache (see store.h).
 *
 * One handle per process, opened after fork.  Readers keep one read
 * transaction and reset/renew it around each read, so an idle worker holds
 * an inactive reader slot that pins no snapshot.  The helper writes with
 * ordinary transactions; LMDB serialises writers across processes.  When
 * another process grew the map (a reload with a larger max_size), begin
 * reports MDB_MAP_RESIZED: adopt the new size and retry once.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <lmdb.h>
#include <xxhash.h>

#include "store/store.h"
#include "store/gzip.h"

#define PYLON_RECORD_MAGIC   0x31525950u        /* "PYR1" */
#define PYLON_RECORD_MAGIC_GZ 0x32525950u       /* "PYR2": with a gzip copy,
                                                   which older readers refuse
                                                   instead of sending it */
#define PYLON_RECORD_HDR     32
#define PYLON_RECORD_GZEXT   8              /* u32 body len, u32 gz len */


struct pylon_store_s {
    MDB_env   *env;
    MDB_dbi    dbi;
    MDB_txn   *rtxn;          /* reusable read txn */
    int        rtxn_active;
    MDB_txn   *wtxn;
    pylon_gzip_t  *gz;        /* NULL: no gzip copies */
    pylon_store_t *jobs;      /* the job queue's own environment, or NULL */
    char       err[PYLON_STORE_ERRLEN];
};


static int pylon_store_read_begin(pylon_store_t *st);


static void
pylon_store_fail(pylon_store_t *st, const char *what, int rc)
{
    snprintf(st->err, sizeof(st->err), "%s: %s", what, mdb_strerror(rc));
}


static uint64_t
pylon_now_ms(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return (uint64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}


static void
pylon_put_u32(u_char *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}


static void
pylon_put_u64(u_char *p, uint64_t v)
{
    pylon_put_u32(p, (uint32_t) v);
    pylon_put_u32(p + 4, (uint32_t) (v >> 32));
}


static uint32_t
pylon_get_u32(const u_char *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
           | (uint32_t) p[3] << 24;
}


static uint64_t
pylon_get_u64(const u_char *p)
{
    return (uint64_t) pylon_get_u32(p) | (uint64_t) pylon_get_u32(p + 4) << 32;
}


static pylon_store_t *
pylon_store_open_env(const char *dir, unsigned flags, size_t mapsize,
    char *err, size_t errlen)
{
    int             rc;
    MDB_txn        *txn;
    pylon_store_t  *st;

    st = calloc(1, sizeof(pylon_store_t));
    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }

    rc = mdb_env_create(&st->env);
    if (rc != 0) {
        snprintf(err, errlen, "mdb_env_create: %s", mdb_strerror(rc));
        free(st);
        return NULL;
    }

    rc = mdb_env_set_mapsize(st->env, mapsize);
    if (rc == 0) {
        rc = mdb_env_set_maxreaders(st->env, PYLON_STORE_MAXREADERS);
    }

    if (rc == 0) {
        rc = mdb_env_open(st->env, dir, MDB_NOTLS|flags, 0600);
    }

    if (rc != 0) {
        snprintf(err, errlen, "cannot open LMDB environment \"%s\": %s",
                 dir, mdb_strerror(rc));
        mdb_env_close(st->env);
        free(st);
        return NULL;
    }

    rc = mdb_txn_begin(st->env, NULL, 0, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, NULL, 0, &st->dbi);
        if (rc == 0) {
            rc = mdb_txn_commit(txn);

        } else {
            mdb_txn_abort(txn);
        }
    }

    if (rc != 0) {
        snprintf(err, errlen, "cannot open LMDB database in \"%s\": %s",
                 dir, mdb_strerror(rc));
        mdb_env_close(st->env);
        free(st);
        return NULL;
    }

    (void) pylon_store_reader_check(st);

    return st;
}


pylon_store_t *
pylon_store_open(const char *dir, size_t mapsize, char *err, size_t errlen)
{
    return pylon_store_open_env(dir, 0, mapsize, err, errlen);
}


/*
 * The job queue's environment is one file (MDB_NOSUBDIR) next to the
 * chain data's: its own map, so jobs can fill only their budget, and its
 * own writer lock, so a burst of workers queueing jobs never holds the
 * helper's block writes up.
 */

int
pylon_store_open_jobs(pylon_store_t *st, const char *dir, size_t budget,
    char *err, size_t errlen)
{
    char  path[4096];

    if (st->jobs) {
        return 0;
    }

    if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir,
                          PYLON_STORE_JOBS_FILE) >= sizeof(path))
    {
        snprintf(err, errlen, "cache path \"%s\" is too long", dir);
        return -1;
    }

    st->jobs = pylon_store_open_env(path, MDB_NOSUBDIR, budget, err, errlen);

    return st->jobs ? 0 : -1;
}


pylon_store_t *
pylon_store_jobs(pylon_store_t *st)
{
    return st->jobs ? st->jobs : st;
}


/*
 * The transaction a read runs in: the open write transaction, or a fresh
 * read transaction (*own = 1: the caller ends it with
 * pylon_store_read_end).  NULL on failure.
 */

static MDB_txn *
pylon_store_txn(pylon_store_t *st, int *own)
{
    *own = 0;

    if (st->wtxn) {
        return st->wtxn;
    }

    if (st->rtxn_active) {
        pylon_store_read_end(st);
    }

    if (pylon_store_read_begin(st) != 0) {
        return NULL;
    }

    *own = 1;

    return st->rtxn;
}


int
pylon_store_usage(pylon_store_t *st, size_t *used, size_t *mapsize)
{
    int          rc, own;
    MDB_txn     *txn;
    MDB_stat     ms;
    MDB_envinfo  info;

    txn = pylon_store_txn(st, &own);
    if (txn == NULL) {
        return -1;
    }

    rc = mdb_stat(txn, st->dbi, &ms);

    if (own) {
        pylon_store_read_end(st);
    }

    if (rc == 0) {
        rc = mdb_env_info(st->env, &info);
    }

    if (rc != 0) {
        pylon_store_fail(st, "mdb_stat", rc);
        return -1;
    }

    *used = (size_t) (ms.ms_branch_pages + ms.ms_leaf_pages
                      + ms.ms_overflow_pages) * ms.ms_psize;
    *mapsize = info.me_mapsize;

    return 0;
}


void
pylon_store_close(pylon_store_t *st)
{
    if (st == NULL) {
        return;
    }

    pylon_store_close(st->jobs);
    pylon_store_write_abort(st);
    pylon_gzip_destroy(st->gz);

    if (st->rtxn) {
        mdb_txn_abort(st->rtxn);
    }

    mdb_env_close(st->env);
    free(st);
}


static int
pylon_store_read_begin(pylon_store_t *st)
{
    int  rc, retry;

    for (retry = 0; retry < 2; retry++) {

        if (st->rtxn == NULL) {
            rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &st->rtxn);
            if (rc != 0) {
                st->rtxn = NULL;
            }

        } else {
            rc = mdb_txn_renew(st->rtxn);
        }

        if (rc == MDB_MAP_RESIZED) {
            if (st->rtxn) {
                mdb_txn_abort(st->rtxn);
                st->rtxn = NULL;
            }
            mdb_env_set_mapsize(st->env, 0);
            continue;
        }

        if (rc != 0) {
            pylon_store_fail(st, "read txn", rc);
            return -1;
        }

        st->rtxn_active = 1;
        return 0;
    }

    pylon_store_fail(st, "read txn", MDB_MAP_RESIZED);
    return -1;
}


int
pylon_store_read(pylon_store_t *st, const char *key, pylon_record_t *rec)
{
    int            rc;
    size_t         len;
    const u_char  *p;
    const void    *val;

    rc = pylon_store_get_raw(st, key, &val, &len);
    if (rc != PYLON_STORE_OK) {
        return rc;
    }

    p = val;

    if (len < PYLON_RECORD_HDR
        || (pylon_get_u32(p) != PYLON_RECORD_MAGIC
            && pylon_get_u32(p) != PYLON_RECORD_MAGIC_GZ))
    {
        snprintf(st->err, sizeof(st->err), "bad record at \"%s\"", key);
        pylon_store_read_end(st);
        return PYLON_STORE_ERROR;
    }

    rec->flags = pylon_get_u32(p + 4);
    rec->block = pylon_get_u64(p + 8);
    rec->etag = pylon_get_u64(p + 16);
    rec->written_ms = pylon_get_u64(p + 24);
    rec->body = p + PYLON_RECORD_HDR;
    rec->len = len - PYLON_RECORD_HDR;
    rec->gz = NULL;
    rec->gzlen = 0;

    if ((rec->flags & PYLON_RECORD_GZIP)
        != (pylon_get_u32(p) == PYLON_RECORD_MAGIC_GZ ? PYLON_RECORD_GZIP : 0))
    {
        goto bad;
    }

    if (rec->flags & PYLON_RECORD_GZIP) {
        size_t  blen, glen;

        if (rec->len < PYLON_RECORD_GZEXT) {
            goto bad;
        }

        blen = pylon_get_u32(rec->body);
        glen = pylon_get_u32(rec->body + 4);

        if (blen + glen != rec->len - PYLON_RECORD_GZEXT) {
            goto bad;
        }

        rec->body += PYLON_RECORD_GZEXT;
        rec->len = blen;
        rec->gz = rec->body + blen;
        rec->gzlen = glen;
    }

    return PYLON_STORE_OK;

bad:

    snprintf(st->err, sizeof(st->err), "bad gzip record at \"%s\"", key);
    pylon_store_read_end(st);
    return PYLON_STORE_ERROR;
}


void
pylon_store_read_end(pylon_store_t *st)
{
    if (st->rtxn && st->rtxn_active) {
        mdb_txn_reset(st->rtxn);
    }

    st->rtxn_active = 0;
}


int
pylon_store_write_begin(pylon_store_t *st)
{
    int  rc, retry;

    if (st->wtxn) {
        snprintf(st->err, sizeof(st->err), "write txn already open");
        return -1;
    }

    for (retry = 0; retry < 2; retry++) {
        rc = mdb_txn_begin(st->env, NULL, 0, &st->wtxn);

        if (rc == MDB_MAP_RESIZED) {
            mdb_env_set_mapsize(st->env, 0);
            continue;
        }

        if (rc != 0) {
            st->wtxn = NULL;
            pylon_store_fail(st, "write txn", rc);
            return -1;
        }

        return 0;
    }

    st->wtxn = NULL;
    pylon_store_fail(st, "write txn", MDB_MAP_RESIZED);
    return -1;
}


int
pylon_store_set_gzip(pylon_store_t *st, int level)
{
    pylon_gzip_destroy(st->gz);
    st->gz = NULL;

    if (level == 0) {
        return 0;
    }

    st->gz = pylon_gzip_create(level);
    if (st->gz == NULL) {
        snprintf(st->err, sizeof(st->err), "cannot create a gzip compressor");
        return -1;
    }

    return 0;
}


u_char *
pylon_store_gzip(pylon_store_t *st, const char *key, const void *body,
    size_t len, size_t *gzlen)
{
    /* only the bodies workers send: latest and at-block records */
    if (st->gz == NULL || (key[0] != 'L' && key[0] != 'B') || key[1] != '/'
        || len > UINT32_MAX)
    {
        return NULL;
    }

    return pylon_gzip_compress(st->gz, body, len, gzlen);
}


int
pylon_store_put(pylon_store_t *st, const char *key, uint64_t block,
    uint32_t flags, const void *body, size_t len)
{
    int      rc;
    size_t   gzlen;
    u_char  *gz;

    if (st->wtxn == NULL) {
        snprintf(st->err, sizeof(st->err), "put outside a write txn");
        return -1;
    }

    gzlen = 0;
    gz = pylon_store_gzip(st, key, body, len, &gzlen);

    rc = pylon_store_put_gz(st, key, block, flags, body, len, gz, gzlen);

    free(gz);

    return rc;
}


int
pylon_store_put_gz(pylon_store_t *st, const char *key, uint64_t block,
    uint32_t flags, const void *body, size_t len, const void *gz,
    size_t gzlen)
{
    int       rc;
    size_t    ext;
    u_char   *p;
    MDB_val   k, v;

    if (st->wtxn == NULL) {
        snprintf(st->err, sizeof(st->err), "put outside a write txn");
        return -1;
    }

    flags &= ~PYLON_RECORD_GZIP;
    ext = 0;

    if (gz && gzlen && len <= UINT32_MAX && gzlen <= UINT32_MAX) {
        flags |= PYLON_RECORD_GZIP;
        ext = PYLON_RECORD_GZEXT;

    } else {
        gzlen = 0;
    }

    k.mv_data = (void *) key;
    k.mv_size = strlen(key);
    v.mv_data = NULL;
    v.mv_size = PYLON_RECORD_HDR + ext + len + gzlen;

    rc = mdb_put(st->wtxn, st->dbi, &k, &v, MDB_RESERVE);
    if (rc != 0) {
        pylon_store_fail(st, "mdb_put", rc);
        return -1;
    }

    p = v.mv_data;
    pylon_put_u32(p, ext ? PYLON_RECORD_MAGIC_GZ : PYLON_RECORD_MAGIC);
    pylon_put_u32(p + 4, flags);
    pylon_put_u64(p + 8, block);
    pylon_put_u64(p + 16, XXH64(body, len, 0));
    pylon_put_u64(p + 24, pylon_now_ms());
    p += PYLON_RECORD_HDR;

    if (ext) {
        pylon_put_u32(p, (uint32_t) len);
        pylon_put_u32(p + 4, (uint32_t) gzlen);
        p += ext;
    }

    if (len) {
        memcpy(p, body, len);
    }

    if (gzlen) {
        memcpy(p + len, gz, gzlen);
    }

    return 0;
}


int
pylon_store_del(pylon_store_t *st, const char *key)
{
    int      rc;
    MDB_val  k;

    if (st->wtxn == NULL) {
        snprintf(st->err, sizeof(st->err), "del outside a write txn");
        return -1;
    }

    k.mv_data = (void *) key;
    k.mv_size = strlen(key);

    rc = mdb_del(st->wtxn, st->dbi, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        pylon_store_fail(st, "mdb_del", rc);
        return -1;
    }

    return 0;
}


int
pylon_store_write_commit(pylon_store_t *st)
{
    int  rc;

    if (st->wtxn == NULL) {
        snprintf(st->err, sizeof(st->err), "commit outside a write txn");
        return -1;
    }

    rc = mdb_txn_commit(st->wtxn);
    st->wtxn = NULL;

    if (rc != 0) {
        pylon_store_fail(st, "commit", rc);
        return -1;
    }

    return 0;
}


void
pylon_store_write_abort(pylon_store_t *st)
{
    if (st->wtxn) {
        mdb_txn_abort(st->wtxn);
        st->wtxn = NULL;
    }
}


int
pylon_store_get_raw(pylon_store_t *st, const char *key, const void **val,
    size_t *len)
{
    int       rc;
    MDB_txn  *txn;
    MDB_val   k, v;

    if (st->wtxn) {
        txn = st->wtxn;

    } else {
        if (st->rtxn_active) {
            pylon_store_read_end(st);
        }

        if (pylon_store_read_begin(st) != 0) {
            return PYLON_STORE_ERROR;
        }

        txn = st->rtxn;
    }

    k.mv_data = (void *) key;
    k.mv_size = strlen(key);

    rc = mdb_get(txn, st->dbi, &k, &v);

    if (rc != 0) {
        if (txn == st->rtxn) {
            pylon_store_read_end(st);
        }

        if (rc == MDB_NOTFOUND) {
            return PYLON_STORE_NOTFOUND;
        }

        pylon_store_fail(st, "mdb_get", rc);
        return PYLON_STORE_ERROR;
    }

    *val = v.mv_data;
    *len = v.mv_size;

    return PYLON_STORE_OK;
}


int
pylon_store_put_raw(pylon_store_t *st, const char *key, const void *val,
    size_t len)
{
    int      rc;
    MDB_val  k, v;

    if (st->wtxn == NULL) {
        snprintf(st->err, sizeof(st->err), "put outside a write txn");
        return -1;
    }

    k.mv_data = (void *) key;
    k.mv_size = strlen(key);
    v.mv_data = (void *) val;
    v.mv_size = len;

    rc = mdb_put(st->wtxn, st->dbi, &k, &v, 0);
    if (rc != 0) {
        pylon_store_fail(st, "mdb_put", rc);
        return -1;
    }

    return 0;
}


int
pylon_store_scan(pylon_store_t *st, const char *prefix,
    int (*fn)(void *data, const char *key, size_t klen, const void *val,
    size_t vlen), void *data)
{
    int          rc, n;
    size_t       plen;
    MDB_val      k, v;
    MDB_cursor  *cur;

    if (st->rtxn_active) {
        pylon_store_read_end(st);
    }

    if (pylon_store_read_begin(st) != 0) {
        return -1;
    }

    rc = mdb_cursor_open(st->rtxn, st->dbi, &cur);
    if (rc != 0) {
        pylon_store_fail(st, "mdb_cursor_open", rc);
        pylon_store_read_end(st);
        return -1;
    }

    plen = strlen(prefix);
    k.mv_data = (void *) prefix;
    k.mv_size = plen;
    n = 0;

    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);

    while (rc == 0) {

        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0) {
            break;
        }

        n++;

        if (fn(data, k.mv_data, k.mv_size, v.mv_data, v.mv_size)) {
            break;
        }

        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }

    mdb_cursor_close(cur);
    pylon_store_read_end(st);

    if (rc != 0 && rc != MDB_NOTFOUND) {
        pylon_store_fail(st, "mdb_cursor_get", rc);
        return -1;
    }

    return n;
}


int
pylon_store_count(pylon_store_t *st, const char *prefix, int max)
{
    int          rc, n, own;
    size_t       plen;
    MDB_txn     *txn;
    MDB_val      k, v;
    MDB_cursor  *cur;

    txn = pylon_store_txn(st, &own);
    if (txn == NULL) {
        return -1;
    }

    rc = mdb_cursor_open(txn, st->dbi, &cur);
    if (rc != 0) {
        pylon_store_fail(st, "mdb_cursor_open", rc);
        if (own) {
            pylon_store_read_end(st);
        }
        return -1;
    }

    plen = strlen(prefix);
    k.mv_data = (void *) prefix;
    k.mv_size = plen;
    n = 0;

    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);

    while (rc == 0 && n < max) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0) {
            break;
        }

        n++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }

    mdb_cursor_close(cur);

    if (own) {
        pylon_store_read_end(st);
    }

    if (rc != 0 && rc != MDB_NOTFOUND) {
        pylon_store_fail(st, "mdb_cursor_get", rc);
        return -1;
    }

    return n;
}


int
pylon_store_map_full(pylon_store_t *st)
{
    return strstr(st->err, "MDB_MAP_FULL") != NULL;
}


int
pylon_store_reader_check(pylon_store_t *st)
{
    int  dead, rc;

    dead = 0;
    rc = mdb_reader_check(st->env, &dead);
    if (rc != 0) {
        pylon_store_fail(st, "mdb_reader_check", rc);
        return -1;
    }

    return dead;
}


void
pylon_store_set_error(pylon_store_t *st, const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    vsnprintf(st->err, sizeof(st->err), fmt, ap);
    va_end(ap);
}


const char *
pylon_store_error(pylon_store_t *st)
{
    return st->err;
}


size_t
pylon_store_etag_format(char *buf, size_t size, uint64_t etag)
{
    int  n;

    n = snprintf(buf, size, "\"%016llx\"", (unsigned long long) etag);
    if (n < 0 || (size_t) n >= size) {
        return 0;
    }

    return (size_t) n;
}


size_t
pylon_store_etag_format_gz(char *buf, size_t size, uint64_t etag)
{
    int  n;

    n = snprintf(buf, size, "\"%016llx-gz\"", (unsigned long long) etag);
    if (n < 0 || (size_t) n >= size) {
        return 0;
    }

    return (size_t) n;
}


int
pylon_keylist_add(void *data, const char *key, size_t klen, const void *val,
    size_t vlen)
{
    pylon_keylist_t  *l = data;

    char  **keys, *k;

    (void) val;
    (void) vlen;

    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        keys = realloc(l->keys, l->cap * sizeof(char *));
        if (keys == NULL) {
            return 1;
        }
        l->keys = keys;
    }

    k = malloc(klen + 1);
    if (k == NULL) {
        return 1;
    }

    memcpy(k, key, klen);
    k[klen] = '\0';
    l->keys[l->n++] = k;

    return 0;
}


void
pylon_keylist_free(pylon_keylist_t *l)
{
    size_t  i;

    for (i = 0; i < l->n; i++) {
        free(l->keys[i]);
    }

    free(l->keys);
    l->keys = NULL;
    l->n = l->cap = 0;
}
