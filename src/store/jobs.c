/*
 * jobs.c: the durable job queue (see jobs.h).
 *
 * Every change is one small write transaction: read the record, decide,
 * write it back.  Values read from LMDB are parsed (copied) before any
 * put, never handed back to a write.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "store/jobs.h"


typedef struct {
    void       (*fn)(void *data, json_t *job);
    void        *data;
    int          count;
} pylon_job_scan_t;


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


int
pylon_job_submit(pylon_store_t *st, char *id, const char *kind,
    const char *key, int mode, json_t *params, const char *reply,
    int *joined)
{
    char              ikey[PYLON_KEY_MAX + PYLON_JOB_KEY_MAX];
    size_t            len;
    json_t           *job, *old;
    uint64_t          now;
    const char       *state;
    const void       *val;
    static unsigned   counter;

    *joined = 0;

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

                pylon_job_set_state(old, PYLON_JOB_CANCELLED);
                json_object_set_new(old, "status", json_integer(0));
                json_object_set_new(old, "error",
                                    json_string("superseded by a newer job"));

                if (pylon_job_save(st, old) != 0) {
                    json_decref(old);
                    pylon_store_write_abort(st);
                    return -1;
                }
            }

            json_decref(old);
        }
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

    if (pylon_job_save(st, job) != 0
        || (key && pylon_store_put_raw(st, ikey, id, PYLON_JOB_ID_LEN) != 0))
    {
        json_decref(job);
        pylon_store_write_abort(st);
        return -1;
    }

    json_decref(job);

    return pylon_store_write_commit(st);
}


json_t *
pylon_job_get(pylon_store_t *st, const char *id)
{
    json_t  *job;

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
        /* a cancelled job stays cancelled: nothing to write */
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


static int
pylon_job_scan_one(void *data, const char *key, size_t klen, const void *val,
    size_t vlen)
{
    pylon_job_scan_t  *sc = data;

    json_t      *job;
    const char  *state;

    job = json_loadb(val, vlen, 0, NULL);
    if (job == NULL) {
        return 0;
    }

    state = json_string_value(json_object_get(job, "state"));

    if (state && !pylon_job_finished(state)) {
        sc->count++;
        sc->fn(sc->data, job);
    }

    json_decref(job);

    return 0;
}


int
pylon_job_scan(pylon_store_t *st, void (*fn)(void *data, json_t *job),
    void *data)
{
    pylon_job_scan_t  sc;

    sc.fn = fn;
    sc.data = data;
    sc.count = 0;

    if (pylon_store_scan(st, "J/", pylon_job_scan_one, &sc) < 0) {
        return -1;
    }

    return sc.count;
}


static int
pylon_job_expire_one(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    pylon_job_expire_t  *ex = data;

    json_t      *job;
    void        *p;
    const char  *state;

    if (klen != 2 + PYLON_JOB_ID_LEN) {
        return 0;
    }

    job = json_loadb(val, vlen, 0, NULL);
    if (job == NULL) {
        return 0;
    }

    state = json_string_value(json_object_get(job, "state"));

    if (state && pylon_job_finished(state)
        && (uint64_t) json_integer_value(json_object_get(job, "updated_ms"))
           < ex->before_ms)
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
