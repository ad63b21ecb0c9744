/*
 * ngx_pylon_meta.c: the helper's shared, counted runtimes (see
 * ngx_pylon_meta.h).
 *
 *   acquire_at(hash): state_getRuntimeVersion([hash]) -> spec, tx
 *   acquire(spec):    the cache (chain/runtime.h), a reference taken
 *   load(spec, hash): one Metadata_metadata_at_version(15) at hash per
 *                     spec at a time; every asker of that spec is a
 *                     waiter of the load and gets its own reference.
 * The head's runtime is one more reference, moved on by set_head.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <stdlib.h>
#include <unistd.h>

#include "chain/hex.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_session.h"


typedef struct ngx_pylon_meta_waiter_s  ngx_pylon_meta_waiter_t;
typedef struct ngx_pylon_meta_load_s    ngx_pylon_meta_load_t;

struct ngx_pylon_meta_waiter_s {
    ngx_pylon_meta_pt           done;
    void                       *data;
    ngx_pylon_meta_waiter_t    *next;
};


struct ngx_pylon_meta_load_s {
    ngx_pylon_meta_t           *cache;
    uint32_t                    spec;
    uint32_t                    tx;
    ngx_pylon_meta_waiter_t    *waiters;
    ngx_pylon_meta_load_t      *next;
};


struct ngx_pylon_meta_s {
    ngx_pylon_helper_t         *helper;
    pylon_runtimes_t           *runtimes;
    ngx_pylon_meta_load_t      *loads;          /* fetches under way */
    pylon_runtime_t            *head;           /* held */
    uint64_t                    head_number;
};


typedef struct {
    ngx_pylon_meta_t           *cache;
    ngx_pylon_session_t        *session;
    char                        hash[67];
    ngx_pylon_meta_pt           done;
    void                       *data;
} ngx_pylon_meta_at_t;


static void ngx_pylon_meta_on_metadata(void *data, json_t *result,
    const char *error);
static void ngx_pylon_meta_on_version(void *data, json_t *result,
    const char *error);


ngx_pylon_meta_t *
ngx_pylon_meta_create(ngx_pylon_helper_t *h)
{
    ngx_pylon_meta_t  *m;

    m = ngx_calloc(sizeof(ngx_pylon_meta_t), h->log);
    if (m == NULL) {
        return NULL;
    }

    m->helper = h;
    m->runtimes = pylon_runtimes_create(NGX_PYLON_META_SLOTS);

    if (m->runtimes == NULL) {
        ngx_free(m);
        return NULL;
    }

    return m;
}


void
ngx_pylon_meta_destroy(ngx_pylon_meta_t *m)
{
    ngx_pylon_meta_load_t    *ld;
    ngx_pylon_meta_waiter_t  *w;

    if (m == NULL) {
        return;
    }

    while (m->loads) {
        ld = m->loads;
        m->loads = ld->next;

        while (ld->waiters) {
            w = ld->waiters;
            ld->waiters = w->next;
            ngx_free(w);
        }

        ld->cache = NULL;           /* a late reply finds it orphaned */
    }

    pylon_runtime_release(m->head);
    pylon_runtimes_destroy(m->runtimes);
    ngx_free(m);
}


pylon_runtime_t *
ngx_pylon_meta_acquire(ngx_pylon_meta_t *m, uint32_t spec)
{
    return pylon_runtimes_acquire(m->runtimes, spec);
}


pylon_runtime_t *
ngx_pylon_meta_acquire_rt(pylon_runtime_t *rt)
{
    return pylon_runtime_acquire(rt);
}


void
ngx_pylon_meta_release(pylon_runtime_t *rt)
{
    pylon_runtime_release(rt);
}


ngx_int_t
ngx_pylon_meta_load(ngx_pylon_meta_t *m, ngx_pylon_session_t *s,
    const char *hash, uint32_t spec, uint32_t tx, ngx_pylon_meta_pt done,
    void *data)
{
    ngx_pylon_meta_load_t    *ld;
    ngx_pylon_meta_waiter_t  *w;

    w = ngx_calloc(sizeof(ngx_pylon_meta_waiter_t), m->helper->log);
    if (w == NULL) {
        return NGX_ERROR;
    }

    w->done = done;
    w->data = data;

    for (ld = m->loads; ld; ld = ld->next) {
        if (ld->spec == spec) {
            w->next = ld->waiters;          /* joins the fetch under way */
            ld->waiters = w;
            return NGX_OK;
        }
    }

    ld = ngx_calloc(sizeof(ngx_pylon_meta_load_t), m->helper->log);
    if (ld == NULL) {
        ngx_free(w);
        return NGX_ERROR;
    }

    ld->cache = m;
    ld->spec = spec;
    ld->tx = tx;
    ld->waiters = w;

    if (ngx_pylon_session_call(s, "state_call",
                               json_pack("[sss]",
                                         "Metadata_metadata_at_version",
                                         "0x0f000000", hash),
                               ngx_pylon_meta_on_metadata, ld)
        != NGX_OK)
    {
        ngx_free(w);
        ngx_free(ld);
        return NGX_ERROR;
    }

    ld->next = m->loads;
    m->loads = ld;

    return NGX_OK;
}


static void
ngx_pylon_meta_on_metadata(void *data, json_t *result, const char *error)
{
    ngx_pylon_meta_load_t  *ld = data;

    size_t                    len;
    uint8_t                  *blob;
    const char               *hex;
    pylon_meta_t             *meta;
    pylon_runtime_t          *rt;
    ngx_pylon_meta_t         *m;
    ngx_pylon_meta_load_t   **lp;
    ngx_pylon_meta_waiter_t  *w, *next;
    char                      err[128];

    m = ld->cache;

    if (m == NULL) {
        ngx_free(ld);                       /* the cache is gone */
        return;
    }

    for (lp = &m->loads; *lp; lp = &(*lp)->next) {
        if (*lp == ld) {
            *lp = ld->next;
            break;
        }
    }

    rt = NULL;
    hex = json_string_value(result);

    if (hex == NULL) {
        ngx_snprintf((u_char *) err, sizeof(err) - 1, "%s%Z",
                     error ? error : "malformed answer");

    } else if (pylon_hex_decode_alloc(&blob, &len, hex, ngx_strlen(hex))
               != 0)
    {
        ngx_cpystrn((u_char *) err, (u_char *) "metadata not hex",
                    sizeof(err));

    } else {
        if (pylon_meta_parse(&meta, blob, len, err, sizeof(err)) == 0) {
            rt = pylon_runtime_create(ld->spec, ld->tx, meta);
            if (rt == NULL) {
                ngx_cpystrn((u_char *) err, (u_char *) "out of memory",
                            sizeof(err));
            }
        }

        free(blob);
    }

    if (rt != NULL) {
        (void) pylon_runtimes_put(m->runtimes, rt);

        ngx_log_error(NGX_LOG_INFO, m->helper->log, 0,
                      "pylon helper: runtime metadata of spec %uD loaded",
                      ld->spec);
    }

    /* every waiter gets its own reference; the creator's goes */

    for (w = ld->waiters; w; w = next) {
        next = w->next;
        w->done(w->data, pylon_runtime_acquire(rt), rt ? NULL : err);
        ngx_free(w);
    }

    pylon_runtime_release(rt);
    ngx_free(ld);
}


ngx_int_t
ngx_pylon_meta_acquire_at(ngx_pylon_meta_t *m, ngx_pylon_session_t *s,
    const char *hash, ngx_pylon_meta_pt done, void *data)
{
    ngx_pylon_meta_at_t  *at;

    at = ngx_calloc(sizeof(ngx_pylon_meta_at_t), m->helper->log);
    if (at == NULL) {
        return NGX_ERROR;
    }

    at->cache = m;
    at->session = s;
    at->done = done;
    at->data = data;
    ngx_cpystrn((u_char *) at->hash, (u_char *) hash, sizeof(at->hash));

    if (ngx_pylon_session_call(s, "state_getRuntimeVersion",
                               json_pack("[s]", at->hash),
                               ngx_pylon_meta_on_version, at)
        != NGX_OK)
    {
        ngx_free(at);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_pylon_meta_on_version(void *data, json_t *result, const char *error)
{
    ngx_pylon_meta_at_t  *at = data;

    json_t           *spec, *tx;
    pylon_runtime_t  *rt;

    spec = json_object_get(result, "specVersion");
    tx = json_object_get(result, "transactionVersion");

    if (!json_is_integer(spec) || json_integer_value(spec) < 0
        || json_integer_value(spec) > (json_int_t) UINT32_MAX
        || (tx != NULL
            && (!json_is_integer(tx) || json_integer_value(tx) < 0
                || json_integer_value(tx) > (json_int_t) UINT32_MAX)))
    {
        at->done(at->data, NULL, error ? error : "malformed runtime version");
        ngx_free(at);
        return;
    }

    rt = ngx_pylon_meta_acquire(at->cache,
                                (uint32_t) json_integer_value(spec));

    if (rt != NULL) {
        at->done(at->data, rt, NULL);
        ngx_free(at);
        return;
    }

    if (ngx_pylon_meta_load(at->cache, at->session, at->hash,
                            (uint32_t) json_integer_value(spec),
                            tx ? (uint32_t) json_integer_value(tx) : 0,
                            at->done, at->data)
        != NGX_OK)
    {
        at->done(at->data, NULL, "not connected");
    }

    ngx_free(at);
}


void
ngx_pylon_meta_set_head(ngx_pylon_meta_t *m, uint64_t number,
    pylon_runtime_t *rt)
{
    if (rt == NULL || number < m->head_number) {
        return;                        /* an older block: not the head */
    }

    m->head_number = number;

    if (m->head == rt) {
        return;
    }

    if (m->head != NULL && m->head->spec_version != rt->spec_version) {
        ngx_log_error(NGX_LOG_NOTICE, m->helper->log, 0,
                      "pylon helper: runtime upgrade at block %uL: spec "
                      "%uD -> %uD", number, m->head->spec_version,
                      rt->spec_version);
    }

    pylon_runtime_release(m->head);
    m->head = pylon_runtime_acquire(rt);
}


pylon_runtime_t *
ngx_pylon_meta_acquire_head(ngx_pylon_meta_t *m)
{
    char         path[NGX_MAX_PATH];
    const char  *dir;

    dir = getenv("PYLON_TEST_HOOK");

    if (dir != NULL && dir[0] != '\0') {
        ngx_snprintf((u_char *) path, sizeof(path) - 1, "%s/nometa%Z", dir);

        if (access(path, F_OK) == 0) {
            return NULL;            /* test: "no runtime metadata yet" */
        }
    }

    return pylon_runtime_acquire(m->head);
}


const pylon_meta_t *
ngx_pylon_meta_head(ngx_pylon_meta_t *m)
{
    return m->head ? m->head->meta : NULL;
}
