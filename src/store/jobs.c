/*
 * jobs.c: the durable job queue (see jobs.h).
 *
 * Every change is one small write transaction: read the record, decide,
 * write it back.  Values read from LMDB are parsed (copied) before any
 * put, never handed back to a write.
 */

#define _GNU_SOURCE             /* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "store/jobs.h"


typedef struct {
    char       (*ids)[PYLON_JOB_ID_LEN + 1];
    size_t       n;
    size_t       cap;
} pylon_job_ids_t;


typedef struct {
    char         kind[32];
    int          max;
} pylon_job_limit_t;


#define PYLON_JOB_MAX_LIMITS  4

static pylon_job_limit_t  pylon_job_limits[PYLON_JOB_MAX_LIMITS];


typedef struct {
    uint64_t     before_ms;
    char       (*ids)[PYLON_JOB_ID_LEN + 1];
    size_t       n;
    size_t       cap;
} pylon_job_expire_t;


static uint64_t
pylon_job_now_ms(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return (uint64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}


int
pylon_job_finished(const char *state)
{
    return strcmp(state, PYLON_JOB_DONE) == 0
           || strcmp(state, PYLON_JOB_FAILED) == 0
           || strcmp(state, PYLON_JOB_CANCELLED) == 0;
}


static void
pylon_job_key(char *buf, size_t size, const char *prefix, const char *name)
{
    snprintf(buf, size, "%s/%s", prefix, name);
}


/* the index of unfinished jobs: P/<kind>/<id> (empty value) */

static void
pylon_job_pkey(char *buf, size_t size, const char *kind, const char *id)
{
    snprintf(buf, size, "P/%s/%s", kind, id);
}


/*
 * A job that ends leaves P/ for F/<kind>/<ms, 13 hex>/<id>: finished jobs
 * in the order they ended, so expiry visits only what expires.
 */

static int
pylon_job_unindex(pylon_store_t *st, json_t *job)
{
    char         key[PYLON_KEY_MAX];
    const char  *kind, *id;

    kind = json_string_value(json_object_get(job, "kind"));
    id = json_string_value(json_object_get(job, "id"));

    if (kind == NULL || id == NULL) {
        return 0;
    }

    pylon_job_pkey(key, sizeof(key), kind, id);

    if (pylon_store_del(st, key) != 0) {
        return -1;
    }

    snprintf(key, sizeof(key), "F/%s/%013llx/%s", kind,
             (unsigned long long) pylon_job_now_ms(), id);

    return pylon_store_put_raw(st, key, "", 0);
}


void
pylon_job_limit(const char *kind, int max)
{
    size_t  i;

    for (i = 0; i < PYLON_JOB_MAX_LIMITS; i++) {
        if (pylon_job_limits[i].kind[0] == '\0'
            || strcmp(pylon_job_limits[i].kind, kind) == 0)
        {
            snprintf(pylon_job_limits[i].kind,
                     sizeof(pylon_job_limits[i].kind), "%s", kind);
            pylon_job_limits[i].max = max;
            return;
        }
    }
}


/* 1 when kind already has its maximum of unfinished jobs (in the txn) */

static int
pylon_job_over_limit(pylon_store_t *st, const char *kind)
{
    int     n;
    char    prefix[64];
    size_t  i;

    for (i = 0; i < PYLON_JOB_MAX_LIMITS; i++) {
        if (pylon_job_limits[i].max > 0
            && strcmp(pylon_job_limits[i].kind, kind) == 0)
        {
            snprintf(prefix, sizeof(prefix), "P/%s/", kind);
            n = pylon_store_count(st, prefix, pylon_job_limits[i].max);
            return n < 0 || n >= pylon_job_limits[i].max;
        }
    }

    return 0;
}


/* reads and parses J/<id> in the current transaction */
static json_t *
pylon_job_load(pylon_store_t *st, const char *id)
{
    char         key[PYLON_KEY_MAX];
    size_t       len;
    json_t      *job;
    const void  *val;

    pylon_job_key(key, sizeof(key), "J", id);

    if (pylon_store_get_raw(st, key, &val, &len) != PYLON_STORE_OK) {
        return NULL;
    }

    job = json_loadb(val, len, 0, NULL);

    return job;
}


static int
pylon_job_save(pylon_store_t *st, json_t *job)
{
    int          rc;
    char        *text, key[PYLON_KEY_MAX];
    const char  *id;

    id = json_string_value(json_object_get(job, "id"));
    if (id == NULL) {
        return -1;
    }

    text = json_dumps(job, JSON_COMPACT);
    if (text == NULL) {
        return -1;
    }

    pylon_job_key(key, sizeof(key), "J", id);
    rc = pylon_store_put_raw(st, key, text, strlen(text));
    free(text);

    return rc;
}


static void
pylon_job_set_state(json_t *job, const char *state)
{
    json_object_set_new(job, "state", json_string(state));
    json_object_set_new(job, "updated_ms",
                        json_integer((json_int_t) pylon_job_now_ms()));
}


/*
 * A newer job with the same key replaces an unfinished one (in the
 * submit's transaction).  A pending one never reached the chain: its
 * record goes at once, so a thousand PUTs leave one record, not a
 * thousand until expiry.  A running one is marked cancelled (its helper
 * stops before the next attempt) and "superseded": the record goes when
 * the helper finishes it (pylon_job_change).  weights/status counts
 * neither (it reads pending, running and done jobs).
 */

static int
pylon_job_supersede(pylon_store_t *st, json_t *old, const char *id,
    const char *state)
{
    char         key[PYLON_KEY_MAX];
    const char  *kind;

    kind = json_string_value(json_object_get(old, "kind"));

    if (strcmp(state, PYLON_JOB_PENDING) == 0 && kind != NULL) {
        pylon_job_pkey(key, sizeof(key), kind, id);

        if (pylon_store_del(st, key) != 0) {
            return -1;
        }

        pylon_job_key(key, sizeof(key), "J", id);

        return pylon_store_del(st, key);
    }

    pylon_job_set_state(old, PYLON_JOB_CANCELLED);
    json_object_set_new(old, "status", json_integer(0));
    json_object_set_new(old, "error",
                        json_string("superseded by a newer job"));
    json_object_set_new(old, "superseded", json_true());

    if (pylon_job_save(st, old) != 0 || pylon_job_unindex(st, old) != 0) {
        return -1;
    }

    return 0;
}


/*
 * The byte budget of a separate jobs environment: new jobs stop once the
 * live records fill half of its map.  The other half is headroom for
 * what must always succeed: the helper finishing jobs and expiry
 * deleting them (LMDB copies every page it changes), so a full queue
 * drains instead of locking up on MDB_MAP_FULL.
 */

static int
pylon_job_over_budget(pylon_store_t *st)
{
    size_t  used, mapsize;

    if (pylon_store_usage(st, &used, &mapsize) != 0) {
        return 0;                    /* a put will tell, if it is full */
    }

    if (used < mapsize / 2) {
        return 0;
    }

    pylon_store_set_error(st, "the job queue is over its budget "
                          "(%zu of %zu bytes in use)", used, mapsize);

    return 1;
}


int
pylon_job_submit(pylon_store_t *st, char *id, const char *kind,
    const char *key, int mode, json_t *params, const char *reply,
    int *joined)
{
    char              ikey[PYLON_KEY_MAX + PYLON_JOB_KEY_MAX];
    char              pkey[PYLON_KEY_MAX];
    size_t            len;
    json_t           *job, *old;
    uint64_t          now;
    const char       *state;
    const void       *val;
    static unsigned   counter;

    *joined = 0;
    st = pylon_store_jobs(st);

    if (key && strlen(key) > PYLON_JOB_KEY_MAX) {
        return -1;
    }

    if (pylon_store_write_begin(st) != 0) {
        return -1;
    }

    if (key) {
        snprintf(ikey, sizeof(ikey), "K/%s", key);

        if (pylon_store_get_raw(st, ikey, &val, &len) == PYLON_STORE_OK
            && len == PYLON_JOB_ID_LEN)
        {
            memcpy(id, val, PYLON_JOB_ID_LEN);
            id[PYLON_JOB_ID_LEN] = '\0';

            old = pylon_job_load(st, id);
            state = old ? json_string_value(json_object_get(old, "state"))
                        : NULL;

            if (state && !pylon_job_finished(state)) {

                if (mode == PYLON_JOB_JOIN) {
                    json_decref(old);
                    pylon_store_write_abort(st);
                    *joined = 1;
                    return 0;
                }

                if (pylon_job_supersede(st, old, id, state) != 0) {
                    json_decref(old);
                    pylon_store_write_abort(st);
                    return pylon_store_map_full(st) ? PYLON_JOB_EFULL : -1;
                }
            }

            json_decref(old);
        }
    }

    if (pylon_job_over_limit(st, kind)) {
        pylon_store_write_abort(st);
        return PYLON_JOB_EBUSY;
    }

    if (pylon_job_over_budget(st)) {
        pylon_store_write_abort(st);
        return PYLON_JOB_EFULL;
    }

    now = pylon_job_now_ms();
    snprintf(id, PYLON_JOB_ID_LEN + 1, "%013llx%05x%04x",
             (unsigned long long) now, (unsigned) getpid() & 0xfffff,
             counter++ & 0xffff);

    job = json_pack("{s:s, s:s, s:s, s:O, s:i, s:I, s:I, s:i}",
                    "id", id, "kind", kind, "state", PYLON_JOB_PENDING,
                    "params", params ? params : json_null(),
                    "status", 0, "created_ms", (json_int_t) now,
                    "updated_ms", (json_int_t) now, "attempts", 0);
    if (job == NULL) {
        pylon_store_write_abort(st);
        return -1;
    }

    if (key) {
        json_object_set_new(job, "key", json_string(key));
    }

    if (reply) {
        json_object_set_new(job, "reply", json_string(reply));
    }

    pylon_job_pkey(pkey, sizeof(pkey), kind, id);

    if (pylon_job_save(st, job) != 0
        || pylon_store_put_raw(st, pkey, "", 0) != 0
        || (key && pylon_store_put_raw(st, ikey, id, PYLON_JOB_ID_LEN) != 0))
    {
        json_decref(job);
        pylon_store_write_abort(st);
        return pylon_store_map_full(st) ? PYLON_JOB_EFULL : -1;
    }

    json_decref(job);

    if (pylon_store_write_commit(st) != 0) {
        return pylon_store_map_full(st) ? PYLON_JOB_EFULL : -1;
    }

    return 0;
}


json_t *
pylon_job_get(pylon_store_t *st, const char *id)
{
    json_t  *job;

    st = pylon_store_jobs(st);
    job = pylon_job_load(st, id);
    pylon_store_read_end(st);

    return job;
}


static int
pylon_job_change(pylon_store_t *st, const char *id, const char *state,
    int status, const char *body, const char *error, int attempt)
{
    char         ikey[PYLON_KEY_MAX + PYLON_JOB_KEY_MAX];
    size_t       len;
    json_t      *job;
    const char  *old, *key;
    const void  *val;

    st = pylon_store_jobs(st);

    if (pylon_store_write_begin(st) != 0) {
        return -1;
    }

    job = pylon_job_load(st, id);
    if (job == NULL) {
        pylon_store_write_abort(st);
        return -1;
    }

    old = json_string_value(json_object_get(job, "state"));

    if (old && strcmp(old, PYLON_JOB_CANCELLED) == 0) {
        /*
         * A cancelled job stays cancelled; one a newer job superseded
         * while it ran leaves once its helper is done with it (its F/ key
         * expires as usual, finding no record).
         */
        if (state && pylon_job_finished(state)
            && json_is_true(json_object_get(job, "superseded")))
        {
            json_decref(job);
            pylon_job_key(ikey, sizeof(ikey), "J", id);

            if (pylon_store_del(st, ikey) != 0) {
                pylon_store_write_abort(st);
                return -1;
            }

            return pylon_store_write_commit(st);
        }

        json_decref(job);
        pylon_store_write_abort(st);
        return 0;
    }

    if (attempt) {
        json_object_set_new(job, "attempts",
            json_integer(json_integer_value(json_object_get(job, "attempts"))
                         + 1));
    }

    if (state) {
        pylon_job_set_state(job, state);
        json_object_set_new(job, "status", json_integer(status));

        if (body) {
            json_object_set_new(job, "body", json_string(body));
        }

        if (error) {
            json_object_set_new(job, "error", json_string(error));
        }
    }

    /* a finished job no longer answers to its dedup key */

    key = json_string_value(json_object_get(job, "key"));

    if (state && pylon_job_finished(state)
        && pylon_job_unindex(st, job) != 0)
    {
        json_decref(job);
        pylon_store_write_abort(st);
        return -1;
    }

    if (state && key && pylon_job_finished(state)) {
        snprintf(ikey, sizeof(ikey), "K/%s", key);

        if (pylon_store_get_raw(st, ikey, &val, &len) == PYLON_STORE_OK
            && len == PYLON_JOB_ID_LEN
            && memcmp(val, id, PYLON_JOB_ID_LEN) == 0
            && pylon_store_del(st, ikey) != 0)
        {
            json_decref(job);
            pylon_store_write_abort(st);
            return -1;
        }
    }

    if (pylon_job_save(st, job) != 0) {
        json_decref(job);
        pylon_store_write_abort(st);
        return -1;
    }

    json_decref(job);

    return pylon_store_write_commit(st);
}


int
pylon_job_update(pylon_store_t *st, const char *id, const char *state,
    int status, const char *body, const char *error)
{
    return pylon_job_change(st, id, state, status, body, error, 0);
}


int
pylon_job_attempt(pylon_store_t *st, const char *id)
{
    return pylon_job_change(st, id, NULL, 0, NULL, NULL, 1);
}


int
pylon_job_note(pylon_store_t *st, const char *id, const char *name,
    json_t *value)
{
    json_t      *job;
    const char  *state;

    st = pylon_store_jobs(st);

    if (pylon_store_write_begin(st) != 0) {
        return -1;
    }

    job = pylon_job_load(st, id);
    if (job == NULL) {
        pylon_store_write_abort(st);
        return -1;
    }

    state = json_string_value(json_object_get(job, "state"));

    if (state == NULL || pylon_job_finished(state)) {
        json_decref(job);
        pylon_store_write_abort(st);
        return 0;
    }

    if (value) {
        json_object_set(job, name, value);
    } else {
        json_object_del(job, name);
    }

    json_object_set_new(job, "updated_ms",
                        json_integer((json_int_t) pylon_job_now_ms()));

    if (pylon_job_save(st, job) != 0) {
        json_decref(job);
        pylon_store_write_abort(st);
        return -1;
    }

    json_decref(job);

    return pylon_store_write_commit(st);
}


/* collects ids while the cursor is open; nothing is read meanwhile */

static int
pylon_job_ids_add(pylon_job_ids_t *ids, const char *id)
{
    void  *p;

    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? ids->cap * 2 : 64;
        p = realloc(ids->ids, ids->cap * sizeof(*ids->ids));
        if (p == NULL) {
            return 1;
        }
        ids->ids = p;
    }

    memcpy(ids->ids[ids->n], id, PYLON_JOB_ID_LEN);
    ids->ids[ids->n][PYLON_JOB_ID_LEN] = '\0';
    ids->n++;

    return 0;
}


static int
pylon_job_index_one(void *data, const char *key, size_t klen, const void *val,
    size_t vlen)
{
    if (klen < 2 + PYLON_JOB_ID_LEN + 2) {
        return 0;
    }

    return pylon_job_ids_add(data, key + klen - PYLON_JOB_ID_LEN);
}


static int
pylon_job_id_cmp(const void *a, const void *b)
{
    return memcmp(a, b, PYLON_JOB_ID_LEN);
}


/*
 * The index P/ holds only unfinished jobs, so a scan costs what is in
 * flight, not every record kept.  Ids are collected first and the cursor
 * closed before any record is read (a read inside the scan reset the
 * transaction under the cursor: MDB_BAD_TXN).
 */

int
pylon_job_scan(pylon_store_t *st, void (*fn)(void *data, json_t *job),
    void *data)
{
    int               count;
    size_t            i;
    json_t           *job;
    const char       *state;
    pylon_job_ids_t   ids;

    memset(&ids, 0, sizeof(ids));
    st = pylon_store_jobs(st);

    if (pylon_store_scan(st, "P/", pylon_job_index_one, &ids) < 0) {
        free(ids.ids);
        return -1;
    }

    /* oldest first across kinds: ids are time-ordered */
    if (ids.n > 1) {
        qsort(ids.ids, ids.n, sizeof(*ids.ids), pylon_job_id_cmp);
    }

    count = 0;

    for (i = 0; i < ids.n; i++) {
        job = pylon_job_get(st, ids.ids[i]);
        state = json_string_value(json_object_get(job, "state"));

        if (state && !pylon_job_finished(state)) {
            count++;
            fn(data, job);
        }

        json_decref(job);
    }

    free(ids.ids);

    return count;
}


/* jobs written before the index existed: unfinished ones get P/ keys */

static int
pylon_job_unindexed_one(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    if (klen != 2 + PYLON_JOB_ID_LEN) {
        return 0;
    }

    /* cheap filter: the state is a field of the compact JSON */
    if (memmem(val, vlen, "\"state\":\"pending\"", 17) == NULL
        && memmem(val, vlen, "\"state\":\"running\"", 17) == NULL)
    {
        return 0;
    }

    return pylon_job_ids_add(data, key + 2);
}


/*
 * Jobs of a cache older than the jobs environment sit among the chain
 * data: the unfinished ones move over (a pending PUT survives the
 * upgrade), and every J/, K/, P/ and F/ key leaves the chain data's map.
 */

static int
pylon_job_migrate(pylon_store_t *st)
{
    int               rc;
    char              key[PYLON_KEY_MAX + PYLON_JOB_KEY_MAX];
    size_t            i, p;
    json_t           *job, *jobs;
    const char       *kind, *jkey, *id;
    pylon_store_t    *js;
    pylon_job_ids_t   ids;
    pylon_keylist_t   old;

    static const char  *prefixes[] = { "J/", "K/", "P/", "F/" };

    js = pylon_store_jobs(st);
    if (js == st) {
        return 0;
    }

    memset(&ids, 0, sizeof(ids));
    memset(&old, 0, sizeof(old));

    for (p = 0; p < 4; p++) {
        if (pylon_store_scan(st, prefixes[p], pylon_keylist_add, &old) < 0) {
            pylon_keylist_free(&old);
            return -1;
        }
    }

    if (old.n == 0) {
        return 0;
    }

    if (pylon_store_scan(st, "J/", pylon_job_unindexed_one, &ids) < 0) {
        pylon_keylist_free(&old);
        free(ids.ids);
        return -1;
    }

    jobs = json_array();

    for (i = 0; jobs && i < ids.n; i++) {
        job = pylon_job_load(st, ids.ids[i]);
        pylon_store_read_end(st);

        if (job) {
            json_array_append_new(jobs, job);
        }
    }

    free(ids.ids);
    rc = -1;

    if (jobs == NULL || pylon_store_write_begin(js) != 0) {
        goto done;
    }

    for (i = 0; i < json_array_size(jobs); i++) {
        job = json_array_get(jobs, i);
        id = json_string_value(json_object_get(job, "id"));
        kind = json_string_value(json_object_get(job, "kind"));
        jkey = json_string_value(json_object_get(job, "key"));

        if (id == NULL || kind == NULL || strlen(id) != PYLON_JOB_ID_LEN) {
            continue;
        }

        pylon_job_pkey(key, sizeof(key), kind, id);

        if (pylon_job_save(js, job) != 0
            || pylon_store_put_raw(js, key, "", 0) != 0)
        {
            pylon_store_write_abort(js);
            goto done;
        }

        if (jkey && strlen(jkey) <= PYLON_JOB_KEY_MAX) {
            snprintf(key, sizeof(key), "K/%s", jkey);

            if (pylon_store_put_raw(js, key, id, PYLON_JOB_ID_LEN) != 0) {
                pylon_store_write_abort(js);
                goto done;
            }
        }
    }

    if (pylon_store_write_commit(js) != 0 || pylon_store_write_begin(st) != 0)
    {
        goto done;
    }

    for (i = 0; i < old.n; i++) {
        if (pylon_store_del(st, old.keys[i]) != 0) {
            pylon_store_write_abort(st);
            goto done;
        }
    }

    if (pylon_store_write_commit(st) == 0) {
        rc = (int) json_array_size(jobs);
    }

done:

    json_decref(jobs);
    pylon_keylist_free(&old);

    return rc;
}


int
pylon_job_reindex(pylon_store_t *st)
{
    int               n;
    char              key[PYLON_KEY_MAX];
    size_t            i;
    json_t           *job;
    const char       *state, *kind;
    pylon_job_ids_t   ids;

    if (pylon_job_migrate(st) < 0) {
        return -1;
    }

    memset(&ids, 0, sizeof(ids));
    st = pylon_store_jobs(st);

    if (pylon_store_scan(st, "J/", pylon_job_unindexed_one, &ids) < 0) {
        free(ids.ids);
        return -1;
    }

    if (ids.n == 0) {
        free(ids.ids);
        return 0;
    }

    if (pylon_store_write_begin(st) != 0) {
        free(ids.ids);
        return -1;
    }

    n = 0;

    for (i = 0; i < ids.n; i++) {
        job = pylon_job_load(st, ids.ids[i]);
        state = json_string_value(json_object_get(job, "state"));
        kind = json_string_value(json_object_get(job, "kind"));

        if (state && kind && !pylon_job_finished(state)) {
            pylon_job_pkey(key, sizeof(key), kind, ids.ids[i]);
            if (pylon_store_put_raw(st, key, "", 0) != 0) {
                json_decref(job);
                pylon_store_write_abort(st);
                free(ids.ids);
                return -1;
            }
            n++;
        }

        json_decref(job);
    }

    free(ids.ids);

    if (pylon_store_write_commit(st) != 0) {
        return -1;
    }

    return n;
}


static int
pylon_job_expire_one(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    pylon_job_expire_t  *ex = data;

    json_t      *job;
    void        *p;
    uint64_t     extra;
    const char  *state, *kind;

    if (klen != 2 + PYLON_JOB_ID_LEN) {
        return 0;
    }

    job = json_loadb(val, vlen, 0, NULL);
    if (job == NULL) {
        return 0;
    }

    state = json_string_value(json_object_get(job, "state"));
    kind = json_string_value(json_object_get(job, "kind"));

    /* weights jobs answer weights/status for two epochs: kept longer */
    extra = (kind && strcmp(kind, "weights") == 0) ? PYLON_JOB_WEIGHTS_KEEP
                                                   : 0;

    if (state && pylon_job_finished(state)
        && (uint64_t) json_integer_value(json_object_get(job, "updated_ms"))
           + extra < ex->before_ms)
    {
        if (ex->n == ex->cap) {
            ex->cap = ex->cap ? ex->cap * 2 : 64;
            p = realloc(ex->ids, ex->cap * sizeof(*ex->ids));
            if (p == NULL) {
                json_decref(job);
                return 1;
            }
            ex->ids = p;
        }

        memcpy(ex->ids[ex->n], key + 2, PYLON_JOB_ID_LEN);
        ex->ids[ex->n][PYLON_JOB_ID_LEN] = '\0';
        ex->n++;
    }

    json_decref(job);

    return 0;
}


int
pylon_job_expire(pylon_store_t *st, uint64_t before_ms)
{
    char                key[PYLON_KEY_MAX];
    size_t              i;
    pylon_job_expire_t  ex;

    memset(&ex, 0, sizeof(ex));
    ex.before_ms = before_ms;
    st = pylon_store_jobs(st);

    if (pylon_store_scan(st, "J/", pylon_job_expire_one, &ex) < 0) {
        free(ex.ids);
        return -1;
    }

    if (ex.n == 0) {
        free(ex.ids);
        return 0;
    }

    if (pylon_store_write_begin(st) != 0) {
        free(ex.ids);
        return -1;
    }

    for (i = 0; i < ex.n; i++) {
        pylon_job_key(key, sizeof(key), "J", ex.ids[i]);

        if (pylon_store_del(st, key) != 0) {
            pylon_store_write_abort(st);
            free(ex.ids);
            return -1;
        }
    }

    free(ex.ids);

    if (pylon_store_write_commit(st) != 0) {
        return -1;
    }

    return (int) i;
}


/* F/<kind>/ keys up to a horizon: the ids and the keys themselves */

typedef struct {
    uint64_t          before_ms;
    size_t            plen;
    pylon_job_ids_t   ids;
    char            **keys;
    size_t            nkeys;
} pylon_job_aged_t;


static int
pylon_job_aged_one(void *data, const char *key, size_t klen, const void *val,
    size_t vlen)
{
    pylon_job_aged_t  *ag = data;

    char                buf[16];
    char              **p;
    uint64_t            ms;

    if (klen != ag->plen + 13 + 1 + PYLON_JOB_ID_LEN) {
        return 0;
    }

    memcpy(buf, key + ag->plen, 13);
    buf[13] = '\0';
    ms = strtoull(buf, NULL, 16);

    if (ms >= ag->before_ms) {
        return 1;                           /* in order: the rest is newer */
    }

    p = realloc(ag->keys, (ag->nkeys + 1) * sizeof(char *));
    if (p == NULL) {
        return 1;
    }
    ag->keys = p;

    ag->keys[ag->nkeys] = strndup(key, klen);
    if (ag->keys[ag->nkeys] == NULL) {
        return 1;
    }
    ag->nkeys++;

    return pylon_job_ids_add(&ag->ids, key + klen - PYLON_JOB_ID_LEN);
}


int
pylon_job_expire_kind(pylon_store_t *st, const char *kind,
    uint64_t before_ms)
{
    int               rc;
    char              prefix[64], key[PYLON_KEY_MAX];
    size_t            i;
    pylon_job_aged_t  ag;

    memset(&ag, 0, sizeof(ag));
    ag.before_ms = before_ms;
    st = pylon_store_jobs(st);
    snprintf(prefix, sizeof(prefix), "F/%s/", kind);
    ag.plen = strlen(prefix);

    rc = -1;

    if (pylon_store_scan(st, prefix, pylon_job_aged_one, &ag) < 0) {
        goto done;
    }

    if (ag.nkeys == 0) {
        rc = 0;
        goto done;
    }

    if (pylon_store_write_begin(st) != 0) {
        goto done;
    }

    for (i = 0; i < ag.nkeys; i++) {
        pylon_job_key(key, sizeof(key), "J", ag.ids.ids[i]);

        if (pylon_store_del(st, key) != 0
            || pylon_store_del(st, ag.keys[i]) != 0)
        {
            pylon_store_write_abort(st);
            goto done;
        }
    }

    if (pylon_store_write_commit(st) == 0) {
        rc = (int) ag.nkeys;
    }

done:

    for (i = 0; i < ag.nkeys; i++) {
        free(ag.keys[i]);
    }

    free(ag.keys);
    free(ag.ids.ids);

    return rc;
}
