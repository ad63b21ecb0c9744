/*
 * ngx_pylon_refresh.c: rounds of subnet reads -> one cache write (see
 * ngx_pylon_refresh.h).
 *
 *   round: state_getRuntimeVersion([hash]) -> metadata of that spec
 *          (cached; else Metadata_metadata_at_version(15) at hash)
 *   per subnet, in parallel:
 *          state_call get_neurons_lite, state_call get_subnet_state,
 *          for CommitmentOf and NeuronCertificates:
 *              state_getKeysPaged([prefix, 1000, start, hash])
 *              -> state_queryStorageAt([keys, hash]) -> next page
 *   when nothing is pending: render every subnet's bodies and their gzip
 *   copies into a batch (store/batch.h), then write them all in one short
 *   transaction (item keys of the subnet that are gone are deleted).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_refresh_v2.h"
#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/runtime_api.h"
#include "chain/xdecode.h"
#include "store/batch.h"
#include "helper/ngx_pylon_subnets.h"


#define NGX_PYLON_PAGE          1000
#define NGX_PYLON_HYPER_EVERY   5           /* blocks between reads */
#define NGX_PYLON_META_SLOTS    8


typedef struct ngx_pylon_round_s  ngx_pylon_round_t;
typedef struct ngx_pylon_sub_s    ngx_pylon_sub_t;


typedef struct {
    ngx_int_t               netuid;
    uint64_t                expires_ms;      /* 0: for good */
    uint64_t                block;           /* last written */
    uint64_t                written_ms;
    ngx_msec_t              duration;        /* of that round */
    uint64_t                hyper_block;     /* hyperparameters read at */
    ngx_uint_t              all;             /* by pylon_netuids all */
} ngx_pylon_tracked_t;


typedef struct {
    uint32_t                spec;
    pylon_meta_t           *meta;          /* NULL while being fetched */
    ngx_uint_t              refs;
    uint64_t                used_ms;
    ngx_pylon_round_t      *waiters;       /* rounds waiting for meta */
} ngx_pylon_meta_slot_t;


struct ngx_pylon_refresh_s {
    ngx_pylon_helper_t     *helper;
    ngx_pylon_session_t    *chain;
    ngx_pylon_tracked_t     tracked[NGX_PYLON_TRACK_MAX];
    ngx_uint_t              ntracked;
    ngx_pylon_meta_slot_t   metas[NGX_PYLON_META_SLOTS];
    uint32_t                spec;            /* last runtime version seen */
    uint64_t                written;         /* newest latest round */
    uint64_t                started;         /* newest head refreshed */
    char                    started_hash[67];
    ngx_uint_t              rounds;
    ngx_uint_t              failures;
    ngx_uint_t              calls;
};


typedef struct {
    ngx_pylon_sub_t        *sub;
    ngx_uint_t              which;           /* 0 commitments, 1 certs */
    char                    prefix[72];
    pylon_subnet_kv_t      *kv;
    size_t                  n;
    size_t                  cap;
} ngx_pylon_page_t;


struct ngx_pylon_sub_s {
    ngx_pylon_round_t      *round;
    ngx_int_t               netuid;
    u_char                 *neurons;
    size_t                  neurons_len;
    u_char                 *state;
    size_t                  state_len;
    u_char                 *hyper;          /* NULL: not available */
    size_t                  hyper_len;
    ngx_pylon_page_t        page[2];
};


struct ngx_pylon_round_s {
    ngx_pylon_refresh_t    *refresh;
    ngx_pylon_session_t    *session;
    uint64_t                number;
    char                    hash[67];
    ngx_uint_t              latest;
    ngx_pylon_meta_slot_t  *slot;
    pylon_meta_t           *own_meta;        /* when not cached */
    ngx_pylon_sub_t        *subs;
    ngx_uint_t              nsubs;
    ngx_uint_t              pending;
    ngx_uint_t              failed;
    ngx_uint_t              unknown;
    char                    error[256];
    ngx_msec_t              started;
    ngx_pylon_round_pt      done;
    void                   *data;
    ngx_pylon_round_t      *next_waiter;
    ngx_uint_t              extrinsics;      /* read the block's body */
    json_t                 *xts;             /* its extrinsics (hex) */
    ngx_uint_t              guessed;         /* slot taken before version */
    ngx_uint_t              reading;         /* subnet calls are out */
};


typedef struct {
    ngx_pylon_round_t      *round;
    ngx_int_t               netuid;
    pylon_batch_t          *batch;      /* NULL: put in the open txn */
} ngx_pylon_put_ctx_t;


typedef struct {
    ngx_pylon_helper_t     *helper;
    const char             *method;
    ngx_msec_t              started;
    ngx_pylon_reply_pt      reply;
    void                   *data;
} ngx_pylon_timed_t;


static ngx_pylon_round_t *ngx_pylon_round_create(ngx_pylon_refresh_t *r,
    ngx_pylon_session_t *s, uint64_t number, const char *hash,
    ngx_uint_t latest, ngx_int_t *netuids, ngx_uint_t n);
static void ngx_pylon_round_start(ngx_pylon_round_t *rd);
static void ngx_pylon_round_version(void *data, json_t *result,
    const char *error);
static void ngx_pylon_round_metadata(void *data, json_t *result,
    const char *error);
static void ngx_pylon_round_subnets(ngx_pylon_round_t *rd);
static ngx_uint_t ngx_pylon_round_wants_hyper(ngx_pylon_round_t *rd,
    ngx_int_t netuid);
static ngx_int_t ngx_pylon_round_call(ngx_pylon_round_t *rd,
    const char *method, json_t *params, ngx_pylon_reply_pt reply,
    void *data);
static void ngx_pylon_timed_reply(void *data, json_t *result,
    const char *error);
static void ngx_pylon_round_fail(ngx_pylon_round_t *rd, const char *what,
    const char *error);
static void ngx_pylon_round_step(ngx_pylon_round_t *rd);
static void ngx_pylon_round_write(ngx_pylon_round_t *rd);
static void ngx_pylon_round_free(ngx_pylon_round_t *rd);
static void ngx_pylon_round_block(void *data, json_t *result,
    const char *error);
static ngx_int_t ngx_pylon_round_write_xts(ngx_pylon_round_t *rd);
static void ngx_pylon_sub_neurons(void *data, json_t *result,
    const char *error);
static void ngx_pylon_sub_state(void *data, json_t *result,
    const char *error);
static void ngx_pylon_sub_hyper(void *data, json_t *result,
    const char *error);
static ngx_int_t ngx_pylon_sub_put_hyper(ngx_pylon_round_t *rd,
    ngx_pylon_sub_t *sub, const pylon_meta_t *m, pylon_batch_t *batch);
static void ngx_pylon_page_next(ngx_pylon_page_t *pg, const char *start);
static void ngx_pylon_page_keys(void *data, json_t *result,
    const char *error);
static void ngx_pylon_page_values(void *data, json_t *result,
    const char *error);
static int ngx_pylon_round_put(void *data, const char *route,
    const char *item, const uint8_t *body, size_t len);
static void ngx_pylon_refresh_expire(ngx_pylon_refresh_t *r);
static ngx_uint_t ngx_pylon_refresh_tracked(ngx_pylon_refresh_t *r,
    ngx_int_t netuid);
static void ngx_pylon_refresh_drop(ngx_pylon_refresh_t *r,
    ngx_int_t netuid);
static ngx_int_t ngx_pylon_refresh_put_state(ngx_pylon_refresh_t *r);
static ngx_int_t ngx_pylon_hex_bytes(json_t *v, u_char **out, size_t *len);
static ngx_uint_t ngx_pylon_is_unknown_block(const char *error);


static const char  *ngx_pylon_routes[] = {
    PYLON_ROUTE_NEURONS, PYLON_ROUTE_VALIDATORS, PYLON_ROUTE_COMMITMENTS,
    PYLON_ROUTE_COMMITS_FULL, PYLON_ROUTE_CERTIFICATES, PYLON_ROUTE_HYPERPARAMS,
    PYLON_ROUTE_PRICE, PYLON_ROUTE_REVEALED,
    NULL
};


ngx_pylon_refresh_t *
ngx_pylon_refresh_create(ngx_pylon_helper_t *h, ngx_pylon_session_t *chain)
{
    ngx_int_t              *nu;
    ngx_uint_t              i, j;
    ngx_pylon_refresh_t    *r;
    ngx_pylon_identity_t   *id;
    ngx_pylon_main_conf_t  *pmcf;

    r = ngx_calloc(sizeof(ngx_pylon_refresh_t), h->log);
    if (r == NULL) {
        return NULL;
    }

    r->helper = h;
    r->chain = chain;

    pmcf = h->pmcf;

    if (pmcf->identities) {
        id = pmcf->identities->elts;
        for (i = 0; i < pmcf->identities->nelts; i++) {
            for (j = 0; j < r->ntracked; j++) {
                if (r->tracked[j].netuid == id[i].netuid) {
                    break;
                }
            }
            if (j == r->ntracked && r->ntracked < NGX_PYLON_TRACK_MAX) {
                r->tracked[r->ntracked++].netuid = id[i].netuid;
            }
        }
    }

    if (pmcf->netuids) {
        nu = pmcf->netuids->elts;
        for (i = 0; i < pmcf->netuids->nelts; i++) {
            for (j = 0; j < r->ntracked; j++) {
                if (r->tracked[j].netuid == nu[i]) {
                    break;
                }
            }
            if (j == r->ntracked && r->ntracked < NGX_PYLON_TRACK_MAX) {
                r->tracked[r->ntracked++].netuid = nu[i];
            }
        }
    }

    return r;
}


void
ngx_pylon_refresh_destroy(ngx_pylon_refresh_t *r)
{
    ngx_uint_t  i;

    if (r == NULL) {
        return;
    }

    for (i = 0; i < NGX_PYLON_META_SLOTS; i++) {
        pylon_meta_free(r->metas[i].meta);
    }

    ngx_free(r);
}


void
ngx_pylon_refresh_observe(ngx_pylon_helper_t *h, const char *op,
    ngx_msec_t ms, ngx_uint_t ok)
{
    ngx_log_debug3(NGX_LOG_DEBUG_CORE, h->log, 0,
                   "pylon refresh: %s %M ms %s", op, ms, ok ? "ok" : "failed");

    /* chain calls are counted by the session; a whole round is ours */

    if (ngx_strcmp(op, "round") == 0) {
        ngx_pylon_stats_operation("refresh_subnets",
                                  ok ? NGX_PYLON_STATUS_SUCCESS
                                     : NGX_PYLON_STATUS_ERROR,
                                  (char *) h->pmcf->network.name.data, -1,
                                  NULL, ms / 1000.0);
    }
}


void
ngx_pylon_refresh_head(void *data, uint64_t number, const u_char *hash)
{
    ngx_pylon_refresh_t  *r = data;

    ngx_int_t           netuids[NGX_PYLON_TRACK_MAX];
    ngx_uint_t          i;
    ngx_pylon_round_t  *rd;

    ngx_pylon_refresh_expire(r);

    if (r->helper->pmcf->netuids_all) {
        ngx_pylon_subnets_head(r, r->chain, number, (const char *) hash);
    }

    for (i = 0; i < r->ntracked; i++) {
        netuids[i] = r->tracked[i].netuid;
    }

    /* drand, prices, revealed commitments (ngx_pylon_refresh_v2.c) */
    ngx_pylon_refresh_v2_head(r, r->helper, r->chain, number, hash, netuids,
                              r->ntracked);

    if (r->ntracked == 0) {
        return;
    }

    /* the same head again (a reconnection's catch-up): nothing new */

    if (number == r->started
        && ngx_strcmp(r->started_hash, (const char *) hash) == 0)
    {
        return;
    }

    r->started = number;
    ngx_cpystrn((u_char *) r->started_hash, (u_char *) hash,
                sizeof(r->started_hash));

    for (i = 0; i < r->ntracked; i++) {
        netuids[i] = r->tracked[i].netuid;
    }

    rd = ngx_pylon_round_create(r, r->chain, number, (const char *) hash, 1,
                                netuids, r->ntracked);
    if (rd == NULL) {
        return;
    }

    ngx_pylon_round_start(rd);
}


ngx_int_t
ngx_pylon_refresh_track(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    uint64_t     now;
    ngx_int_t    drop;
    ngx_uint_t   i, nauto, oldest;

    nauto = 0;

    for (i = 0; i < r->ntracked; i++) {
        if (r->tracked[i].netuid == netuid) {
            return NGX_OK;
        }
        if (r->tracked[i].expires_ms) {
            nauto++;
        }
    }

    ngx_pylon_refresh_expire(r);

    if (nauto >= NGX_PYLON_AUTO_MAX) {

        /* full: the oldest auto-tracked subnet makes room */

        oldest = NGX_PYLON_TRACK_MAX;

        for (i = 0; i < r->ntracked; i++) {
            if (r->tracked[i].expires_ms
                && (oldest == NGX_PYLON_TRACK_MAX
                    || r->tracked[i].expires_ms
                       < r->tracked[oldest].expires_ms))
            {
                oldest = i;
            }
        }

        if (oldest != NGX_PYLON_TRACK_MAX) {
            drop = r->tracked[oldest].netuid;
            r->tracked[oldest] = r->tracked[--r->ntracked];
            ngx_pylon_refresh_drop(r, drop);
        }
    }

    if (r->ntracked == NGX_PYLON_TRACK_MAX) {
        return NGX_DECLINED;
    }

    now = ngx_pylon_helper_now_ms();

    ngx_memzero(&r->tracked[r->ntracked], sizeof(ngx_pylon_tracked_t));
    r->tracked[r->ntracked].netuid = netuid;
    r->tracked[r->ntracked].expires_ms = now + NGX_PYLON_AUTO_TTL;
    r->ntracked++;

    ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                  "pylon helper: tracking subnet %i on demand", netuid);

    return NGX_OK;
}


void
ngx_pylon_refresh_sync_all(ngx_pylon_refresh_t *r, const ngx_int_t *netuids,
    ngx_uint_t n)
{
    ngx_int_t    netuid;
    ngx_uint_t   i, k;

    /* dissolved: tracked for the chain's sake only, and gone */

    for (i = 0; i < r->ntracked; /* void */) {
        for (k = 0; k < n && netuids[k] != r->tracked[i].netuid; k++) {
            /* void */
        }

        if (!r->tracked[i].all || k < n) {
            i++;
            continue;
        }

        netuid = r->tracked[i].netuid;
        r->tracked[i] = r->tracked[--r->ntracked];

        ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                      "pylon helper: subnet %i is gone from the chain",
                      netuid);

        ngx_pylon_refresh_drop(r, netuid);
    }

    /* new: tracked for good (an on-demand one becomes permanent) */

    for (k = 0; k < n; k++) {
        for (i = 0; i < r->ntracked; i++) {
            if (r->tracked[i].netuid == netuids[k]) {
                if (r->tracked[i].expires_ms) {
                    r->tracked[i].expires_ms = 0;
                    r->tracked[i].all = 1;
                }
                break;
            }
        }

        if (i < r->ntracked || r->ntracked == NGX_PYLON_TRACK_MAX) {
            continue;
        }

        ngx_memzero(&r->tracked[i], sizeof(ngx_pylon_tracked_t));
        r->tracked[i].netuid = netuids[k];
        r->tracked[i].all = 1;
        r->ntracked++;

        ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                      "pylon helper: tracking subnet %i (pylon_netuids all)",
                      netuids[k]);
    }
}


ngx_int_t
ngx_pylon_refresh_one(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    ngx_int_t netuid, uint64_t number, const char *hash, ngx_uint_t latest,
    ngx_pylon_round_pt done, void *data)
{
    ngx_pylon_round_t  *rd;

    rd = ngx_pylon_round_create(r, s, number, hash, latest, &netuid, 1);
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->done = done;
    rd->data = data;

    ngx_pylon_round_start(rd);

    return NGX_OK;
}


ngx_int_t
ngx_pylon_refresh_block(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    uint64_t number, const char *hash, ngx_pylon_round_pt done, void *data)
{
    ngx_pylon_round_t  *rd;

    rd = ngx_pylon_round_create(r, s, number, hash, 0, NULL, 0);
    if (rd == NULL) {
        return NGX_ERROR;
    }

    rd->extrinsics = 1;
    rd->done = done;
    rd->data = data;

    ngx_pylon_round_start(rd);

    return NGX_OK;
}


static ngx_pylon_round_t *
ngx_pylon_round_create(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    uint64_t number, const char *hash, ngx_uint_t latest, ngx_int_t *netuids,
    ngx_uint_t n)
{
    ngx_uint_t          i, k;
    ngx_pylon_round_t  *rd;

    rd = ngx_calloc(sizeof(ngx_pylon_round_t), r->helper->log);
    if (rd == NULL) {
        return NULL;
    }

    rd->subs = ngx_calloc((n ? n : 1) * sizeof(ngx_pylon_sub_t),
                          r->helper->log);
    if (rd->subs == NULL) {
        ngx_free(rd);
        return NULL;
    }

    rd->refresh = r;
    rd->session = s;
    rd->number = number;
    ngx_cpystrn((u_char *) rd->hash, (u_char *) hash, sizeof(rd->hash));
    rd->latest = latest;
    rd->nsubs = n;
    rd->started = ngx_current_msec;

    for (i = 0; i < n; i++) {
        rd->subs[i].round = rd;
        rd->subs[i].netuid = netuids[i];
        for (k = 0; k < 2; k++) {
            rd->subs[i].page[k].sub = &rd->subs[i];
            rd->subs[i].page[k].which = k;
        }
    }

    r->rounds++;

    return rd;
}


/*
 * A latest round does not wait for the runtime version: with the metadata
 * of the last spec seen at hand, the subnet calls go out together with
 * state_getRuntimeVersion, and the version only confirms the guess (or,
 * after a runtime upgrade, swaps the metadata the bodies are decoded
 * with: the reads themselves are raw bytes at the block's hash).
 */

static void
ngx_pylon_round_start(ngx_pylon_round_t *rd)
{
    ngx_uint_t              i;
    ngx_pylon_refresh_t    *r;
    ngx_pylon_meta_slot_t  *slot;

    r = rd->refresh;

    if (ngx_pylon_round_call(rd, "state_getRuntimeVersion",
                             json_pack("[s]", rd->hash),
                             ngx_pylon_round_version, rd)
        != NGX_OK)
    {
        rd->pending = 1;
        ngx_pylon_round_fail(rd, "state_getRuntimeVersion", "not connected");
        ngx_pylon_round_step(rd);
        return;
    }

    if (!rd->latest || rd->extrinsics || r->spec == 0) {
        return;
    }

    for (i = 0; i < NGX_PYLON_META_SLOTS; i++) {
        slot = &r->metas[i];

        if (slot->spec == r->spec && slot->meta != NULL) {
            slot->refs++;
            slot->used_ms = ngx_pylon_helper_now_ms();
            rd->slot = slot;
            rd->guessed = 1;
            ngx_pylon_round_subnets(rd);
            return;
        }
    }
}


static void
ngx_pylon_round_version(void *data, json_t *result, const char *error)
{
    ngx_pylon_round_t  *rd = data;

    uint32_t                spec;
    uint64_t                now, oldest;
    ngx_uint_t              i;
    json_t                 *v;
    ngx_pylon_refresh_t    *r;
    ngx_pylon_meta_slot_t  *slot;

    r = rd->refresh;

    v = result ? json_object_get(result, "specVersion") : NULL;

    if (!json_is_integer(v)) {
        ngx_pylon_round_fail(rd, "state_getRuntimeVersion",
                             error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    spec = (uint32_t) json_integer_value(v);
    now = ngx_pylon_helper_now_ms();

    if (rd->latest) {
        r->spec = spec;
    }

    if (rd->guessed) {
        rd->guessed = 0;

        if (rd->slot->spec == spec) {
            ngx_pylon_round_step(rd);          /* the guess was right */
            return;
        }

        /* a runtime upgrade: decode with the metadata of this spec */
        rd->slot->refs--;
        rd->slot = NULL;
    }

    for (i = 0; i < NGX_PYLON_META_SLOTS; i++) {
        slot = &r->metas[i];

        if (slot->spec != spec || (slot->meta == NULL && slot->refs == 0)) {
            continue;
        }

        slot->refs++;
        slot->used_ms = now;
        rd->slot = slot;

        if (slot->meta) {
            ngx_pylon_round_subnets(rd);

        } else {
            /* another round is fetching it: wait (the version call's
             * count is kept until then) */
            rd->next_waiter = slot->waiters;
            slot->waiters = rd;
            return;
        }

        ngx_pylon_round_step(rd);
        return;
    }

    /* a free or least recently used unreferenced slot, if any */

    slot = NULL;
    oldest = (uint64_t) -1;

    for (i = 0; i < NGX_PYLON_META_SLOTS; i++) {
        if (r->metas[i].refs == 0 && r->metas[i].used_ms < oldest) {
            slot = &r->metas[i];
            oldest = slot->used_ms;
        }
    }

    if (slot) {
        pylon_meta_free(slot->meta);
        slot->meta = NULL;
        slot->spec = spec;
        slot->refs = 1;
        slot->used_ms = now;
        rd->slot = slot;
    }

    if (ngx_pylon_round_call(rd, "state_call",
                             json_pack("[sss]", "Metadata_metadata_at_version",
                                       "0x0f000000", rd->hash),
                             ngx_pylon_round_metadata, rd)
        != NGX_OK)
    {
        ngx_pylon_round_fail(rd, "metadata", "not connected");
    }

    ngx_pylon_round_step(rd);
}


static void
ngx_pylon_round_metadata(void *data, json_t *result, const char *error)
{
    ngx_pylon_round_t  *rd = data;

    size_t              len;
    u_char             *blob;
    pylon_meta_t       *m;
    ngx_pylon_round_t  *w, *next;
    char                err[128];

    m = NULL;

    if (result == NULL || ngx_pylon_hex_bytes(result, &blob, &len) != NGX_OK)
    {
        ngx_snprintf((u_char *) err, sizeof(err) - 1, "%s%Z",
                     error ? error : "malformed answer");

    } else {
        if (pylon_meta_parse(&m, blob, len, err, sizeof(err)) != 0) {
            m = NULL;
        }
        ngx_free(blob);
    }

    if (rd->slot) {
        rd->slot->meta = m;
        w = rd->slot->waiters;
        rd->slot->waiters = NULL;

    } else {
        rd->own_meta = m;
        w = NULL;
    }

    /* this round and those waiting for the same metadata go on */

    for ( /* void */ ; w; w = next) {
        next = w->next_waiter;
        if (m == NULL) {
            ngx_pylon_round_fail(w, "metadata", err);
        } else {
            ngx_pylon_round_subnets(w);
        }
        ngx_pylon_round_step(w);
    }

    if (m == NULL) {
        ngx_pylon_round_fail(rd, "metadata", err);
    } else {
        ngx_pylon_round_subnets(rd);
    }

    ngx_pylon_round_step(rd);
}


static void
ngx_pylon_round_subnets(ngx_pylon_round_t *rd)
{
    u_char               nu[16];
    ngx_uint_t           i, k;
    pylon_meta_t        *m;
    ngx_pylon_sub_t     *sub;

    static const char  *items[2][2] = {
        { "Commitments", "CommitmentOf" },
        { "SubtensorModule", "NeuronCertificates" }
    };

    if (rd->reading) {
        return;                      /* sent already, on a guessed spec */
    }

    rd->reading = 1;

    m = rd->slot ? rd->slot->meta : rd->own_meta;

    if (rd->extrinsics
        && ngx_pylon_round_call(rd, "chain_getBlock",
                                json_pack("[s]", rd->hash),
                                ngx_pylon_round_block, rd)
           != NGX_OK)
    {
        ngx_pylon_round_fail(rd, "chain_getBlock", "not connected");
        return;
    }

    for (i = 0; i < rd->nsubs && !rd->failed; i++) {
        sub = &rd->subs[i];

        ngx_snprintf(nu, sizeof(nu), "0x%02xi%02xi%Z",
                     sub->netuid & 0xff, (sub->netuid >> 8) & 0xff);

        if (ngx_pylon_round_call(rd, "state_call",
                                 json_pack("[sss]",
                                       "NeuronInfoRuntimeApi_get_neurons_lite",
                                       (char *) nu, rd->hash),
                                 ngx_pylon_sub_neurons, sub) != NGX_OK
            || ngx_pylon_round_call(rd, "state_call",
                                 json_pack("[sss]",
                                     "SubnetInfoRuntimeApi_get_subnet_state",
                                     (char *) nu, rd->hash),
                                 ngx_pylon_sub_state, sub) != NGX_OK
            || (ngx_pylon_round_wants_hyper(rd, sub->netuid)
                && ngx_pylon_round_call(rd, "state_call",
                                 json_pack("[sss]",
                               "SubnetInfoRuntimeApi_get_subnet_hyperparams",
                                     (char *) nu, rd->hash),
                                 ngx_pylon_sub_hyper, sub) != NGX_OK))
        {
            ngx_pylon_round_fail(rd, "state_call", "not connected");
            return;
        }

        for (k = 0; k < 2; k++) {
            if (pylon_subnet_prefix(sub->page[k].prefix,
                                    sizeof(sub->page[k].prefix), m,
                                    items[k][0], items[k][1],
                                    (uint16_t) sub->netuid)
                != 0)
            {
                /* this runtime does not have the item: nothing to read */
                sub->page[k].prefix[0] = '\0';
                continue;
            }

            rd->pending++;
            ngx_pylon_page_next(&sub->page[k], NULL);
        }
    }
}


/*
 * Hyperparameters change rarely and cost a runtime call: the latest ones
 * are read every NGX_PYLON_HYPER_EVERY blocks per subnet (and at once
 * for a subnet just tracked), never for historical blocks.
 */

static ngx_uint_t
ngx_pylon_round_wants_hyper(ngx_pylon_round_t *rd, ngx_int_t netuid)
{
    ngx_uint_t            i;
    ngx_pylon_tracked_t  *t;

    if (!rd->latest) {
        return 0;
    }

    for (i = 0; i < rd->refresh->ntracked; i++) {
        t = &rd->refresh->tracked[i];

        if (t->netuid != netuid) {
            continue;
        }

        if (t->hyper_block && rd->number >= t->hyper_block
            && rd->number - t->hyper_block < NGX_PYLON_HYPER_EVERY)
        {
            return 0;
        }

        t->hyper_block = rd->number;
        return 1;
    }

    return 1;
}


/* every call is timed for the metrics hook on its way back */

static ngx_int_t
ngx_pylon_round_call(ngx_pylon_round_t *rd, const char *method,
    json_t *params, ngx_pylon_reply_pt reply, void *data)
{
    ngx_pylon_timed_t  *t;

    t = ngx_alloc(sizeof(ngx_pylon_timed_t), rd->refresh->helper->log);
    if (t == NULL) {
        json_decref(params);
        return NGX_DECLINED;
    }

    t->helper = rd->refresh->helper;
    t->method = method;                  /* always a string literal */
    t->started = ngx_current_msec;
    t->reply = reply;
    t->data = data;

    rd->refresh->calls++;

    if (ngx_pylon_session_call(rd->session, method, params,
                               ngx_pylon_timed_reply, t)
        != NGX_OK)
    {
        ngx_free(t);
        return NGX_DECLINED;
    }

    rd->pending++;

    return NGX_OK;
}


static void
ngx_pylon_timed_reply(void *data, json_t *result, const char *error)
{
    ngx_pylon_timed_t  *t = data;

    ngx_pylon_timed_t  c;

    c = *t;
    ngx_free(t);

    ngx_time_update();
    ngx_pylon_refresh_observe(c.helper, c.method,
                              ngx_current_msec - c.started, result != NULL);

    c.reply(c.data, result, error);
}


static void
ngx_pylon_round_fail(ngx_pylon_round_t *rd, const char *what,
    const char *error)
{
    if (rd->failed) {
        return;
    }

    rd->failed = 1;
    rd->unknown = ngx_pylon_is_unknown_block(error);
    ngx_snprintf((u_char *) rd->error, sizeof(rd->error) - 1, "%s: %s%Z",
                 what, error);
}


/* one pending operation ended: the last one writes and frees */

static void
ngx_pylon_round_step(ngx_pylon_round_t *rd)
{
    ngx_msec_t            ms;
    ngx_pylon_refresh_t  *r;

    if (--rd->pending) {
        return;
    }

    r = rd->refresh;

    if (!rd->failed) {
        ngx_pylon_round_write(rd);
    }

    ms = ngx_current_msec - rd->started;

    if (rd->failed) {
        r->failures++;
        ngx_log_error(NGX_LOG_WARN, r->helper->log, 0,
                      "pylon helper: subnet data at block %uL not read: %s",
                      rd->number, rd->error);
    }

    ngx_pylon_refresh_observe(r->helper, "round", ms, !rd->failed);

    if (rd->done) {
        rd->done(rd->data, rd->failed ? rd->error : NULL, rd->unknown);
    }

    ngx_pylon_round_free(rd);
}


static void
ngx_pylon_round_write(ngx_pylon_round_t *rd)
{
    size_t                 i, k, j;
    uint64_t               now;
    ngx_uint_t             s;
    pylon_store_t         *st;
    ngx_pylon_sub_t       *sub;
    ngx_pylon_refresh_t   *r;
    ngx_pylon_put_ctx_t    ctx;
    pylon_keylist_t    old;
    pylon_subnet_input_t   in;
    char                   prefix[PYLON_KEY_MAX], err[256];

    r = rd->refresh;
    st = r->helper->store;

    if (rd->latest && rd->number < r->written) {
        return;                               /* a newer block is written */
    }

    ngx_memzero(&old, sizeof(old));
    ctx.batch = NULL;

    /* latest items that may have gone: delete them all, then put */

    if (rd->latest) {
        for (s = 0; s < rd->nsubs; s++) {
            for (k = 0; k < 3; k++) {
                pylon_key_latest_item(prefix, sizeof(prefix),
                                      k == 2 ? PYLON_ROUTE_COMMIT_FULL
                                      : k ? PYLON_ROUTE_CERTIFICATE
                                        : PYLON_ROUTE_COMMITMENT,
                                      (int) rd->subs[s].netuid, "");
                if (pylon_store_scan(st, prefix, pylon_keylist_add, &old)
                    < 0)
                {
                    ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
                    goto done;
                }
            }
        }
    }

    /* render every body and its gzip copy before the write txn */

    ctx.round = rd;
    ctx.batch = pylon_batch_create(st);

    if (ctx.batch == NULL) {
        ngx_pylon_round_fail(rd, "cache", "out of memory");
        goto done;
    }

    for (s = 0; s < rd->nsubs; s++) {
        sub = &rd->subs[s];

        if (rd->latest && !ngx_pylon_refresh_tracked(r, sub->netuid)) {
            continue;                    /* dropped while being read */
        }

        ngx_memzero(&in, sizeof(in));
        in.meta = rd->slot ? rd->slot->meta : rd->own_meta;
        in.block = rd->number;
        in.hash = rd->hash;
        in.neurons = sub->neurons;
        in.neurons_len = sub->neurons_len;
        in.state = sub->state;
        in.state_len = sub->state_len;
        in.commitments = sub->page[0].kv;
        in.ncommitments = sub->page[0].n;
        in.certificates = sub->page[1].kv;
        in.ncertificates = sub->page[1].n;

        ctx.netuid = sub->netuid;

        if (pylon_subnet_render(&in, ngx_pylon_round_put, &ctx, err,
                                sizeof(err))
            != 0
            || ngx_pylon_sub_put_hyper(rd, sub, in.meta, ctx.batch)
               != NGX_OK)
        {
            ngx_pylon_round_fail(rd, "render", err);
            goto done;
        }
    }

    /* one short transaction: deletes, extrinsics, the batch, the state */

    if (pylon_store_write_begin(st) != 0) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        goto done;
    }

    for (j = 0; j < old.n; j++) {
        if (pylon_store_del(st, old.keys[j]) != 0) {
            ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
            pylon_store_write_abort(st);
            goto done;
        }
    }

    if (rd->extrinsics && ngx_pylon_round_write_xts(rd) != NGX_OK) {
        pylon_store_write_abort(st);
        goto done;
    }

    if (pylon_batch_put(ctx.batch) != 0) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        pylon_store_write_abort(st);
        goto done;
    }

    if (rd->latest) {
        now = ngx_pylon_helper_now_ms();

        for (s = 0; s < rd->nsubs; s++) {
            for (i = 0; i < r->ntracked; i++) {
                if (r->tracked[i].netuid == rd->subs[s].netuid) {
                    r->tracked[i].block = rd->number;
                    r->tracked[i].written_ms = now;
                    r->tracked[i].duration = ngx_current_msec - rd->started;
                }
            }
        }
    }

    if (rd->latest && ngx_pylon_refresh_put_state(r) != NGX_OK) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        pylon_store_write_abort(st);
        goto done;
    }

    if (pylon_store_write_commit(st) != 0) {
        ngx_pylon_round_fail(rd, "cache", pylon_store_error(st));
        goto done;
    }

    if (rd->latest) {
        r->written = rd->number;
    }

done:

    pylon_batch_free(ctx.batch);

    pylon_keylist_free(&old);
}


static int
ngx_pylon_round_put(void *data, const char *route, const char *item,
    const uint8_t *body, size_t len)
{
    ngx_pylon_put_ctx_t  *ctx = data;

    size_t              n;
    ngx_int_t           netuid;
    ngx_pylon_round_t  *rd;
    char                key[PYLON_KEY_MAX];

    rd = ctx->round;
    netuid = ctx->netuid;

    if (rd->latest) {
        n = item ? pylon_key_latest_item(key, sizeof(key), route,
                                         (int) netuid, item)
                 : pylon_key_latest(key, sizeof(key), route, (int) netuid);
    } else {
        n = item ? pylon_key_at_block_item(key, sizeof(key), route,
                                           (int) netuid, rd->number, item)
                 : pylon_key_at_block(key, sizeof(key), route, (int) netuid,
                                      rd->number);
    }

    if (n == 0) {
        return -1;
    }

    if (ctx->batch) {
        return pylon_batch_add(ctx->batch, key, rd->number, body, len);
    }

    return pylon_store_put(rd->refresh->helper->store, key, rd->number, 0,
                           body, len);
}



static void
ngx_pylon_round_free(ngx_pylon_round_t *rd)
{
    size_t            j;
    ngx_uint_t        i, k;
    ngx_pylon_sub_t  *sub;

    for (i = 0; i < rd->nsubs; i++) {
        sub = &rd->subs[i];
        ngx_free(sub->neurons);
        ngx_free(sub->state);
        ngx_free(sub->hyper);
        for (k = 0; k < 2; k++) {
            for (j = 0; j < sub->page[k].n; j++) {
                ngx_free((void *) sub->page[k].kv[j].key);
                ngx_free((void *) sub->page[k].kv[j].val);
            }
            ngx_free(sub->page[k].kv);
        }
    }

    if (rd->slot) {
        rd->slot->refs--;
        if (rd->slot->meta == NULL) {
            rd->slot->used_ms = 0;            /* metadata never came */
        }
    }

    pylon_meta_free(rd->own_meta);
    json_decref(rd->xts);
    ngx_free(rd->subs);
    ngx_free(rd);
}


static void
ngx_pylon_round_block(void *data, json_t *result, const char *error)
{
    ngx_pylon_round_t  *rd = data;

    json_t  *xts;

    if (result != NULL && json_is_null(result)) {
        ngx_pylon_round_fail(rd, "chain_getBlock", "unknown block");
        ngx_pylon_round_step(rd);
        return;
    }

    xts = json_object_get(json_object_get(result, "block"), "extrinsics");

    if (!json_is_array(xts)) {
        ngx_pylon_round_fail(rd, "chain_getBlock",
                             error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    rd->xts = json_incref(xts);

    ngx_pylon_round_step(rd);
}


/*
 * Every extrinsic of the block as Pylon's Extrinsic: the position first,
 * then what the decoder gives (hash, length, address, call), in one
 * transaction with the rest of the round.
 */

static ngx_int_t
ngx_pylon_round_write_xts(ngx_pylon_round_t *rd)
{
    size_t         i, len;
    json_t        *x, *d, *out;
    u_char        *bytes, item[24];
    char          *body;
    int            rc;
    pylon_meta_t  *m;
    char           key[PYLON_KEY_MAX], err[128];

    m = rd->slot ? rd->slot->meta : rd->own_meta;

    json_array_foreach(rd->xts, i, x) {

        if (ngx_pylon_hex_bytes(x, &bytes, &len) != NGX_OK) {
            ngx_pylon_round_fail(rd, "extrinsic", "not hex");
            return NGX_ERROR;
        }

        d = pylon_extrinsic_decode(m, bytes, len, err, sizeof(err));
        ngx_free(bytes);

        if (d == NULL) {
            ngx_log_error(NGX_LOG_WARN, rd->refresh->helper->log, 0,
                          "pylon helper: extrinsic %uL-%uz not decoded: %s",
                          rd->number, i, err);
            continue;
        }

        out = json_pack("{sIsIsOsOsOsO}",
                        "block_number", (json_int_t) rd->number,
                        "extrinsic_index", (json_int_t) i,
                        "extrinsic_hash", json_object_get(d, "extrinsic_hash"),
                        "extrinsic_length",
                        json_object_get(d, "extrinsic_length"),
                        "address", json_object_get(d, "address"),
                        "call", json_object_get(d, "call"));
        json_decref(d);

        body = out ? json_dumps(out, JSON_COMPACT|JSON_PRESERVE_ORDER)
                   : NULL;
        json_decref(out);

        if (body == NULL) {
            ngx_pylon_round_fail(rd, "extrinsic", "incomplete decoding");
            return NGX_ERROR;
        }

        ngx_sprintf(item, "%uz%Z", i);
        pylon_key_at_block_item(key, sizeof(key), PYLON_ROUTE_EXTRINSIC,
                                PYLON_NETUID_NONE, rd->number, (char *) item);

        rc = pylon_store_put(rd->refresh->helper->store, key, rd->number, 0,
                             body, ngx_strlen(body));
        free(body);

        if (rc != 0) {
            ngx_pylon_round_fail(rd, "cache",
                                 pylon_store_error(rd->refresh->helper->store));
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static void
ngx_pylon_sub_neurons(void *data, json_t *result, const char *error)
{
    ngx_pylon_sub_t  *sub = data;

    if (result == NULL
        || ngx_pylon_hex_bytes(result, &sub->neurons, &sub->neurons_len)
           != NGX_OK)
    {
        ngx_pylon_round_fail(sub->round, "get_neurons_lite",
                             error ? error : "malformed answer");
    }

    ngx_pylon_round_step(sub->round);
}


static void
ngx_pylon_sub_state(void *data, json_t *result, const char *error)
{
    ngx_pylon_sub_t  *sub = data;

    if (result == NULL
        || ngx_pylon_hex_bytes(result, &sub->state, &sub->state_len)
           != NGX_OK)
    {
        ngx_pylon_round_fail(sub->round, "get_subnet_state",
                             error ? error : "malformed answer");
    }

    ngx_pylon_round_step(sub->round);
}


/* hyperparameters are for the writes: a failure here fails nothing */

static void
ngx_pylon_sub_hyper(void *data, json_t *result, const char *error)
{
    ngx_pylon_sub_t  *sub = data;

    if (result == NULL
        || ngx_pylon_hex_bytes(result, &sub->hyper, &sub->hyper_len)
           != NGX_OK)
    {
        sub->hyper = NULL;
        ngx_log_debug2(NGX_LOG_DEBUG_CORE, sub->round->refresh->helper->log,
                       0, "pylon refresh: no hyperparameters of %i: %s",
                       sub->netuid, error ? error : "malformed");
    }

    ngx_pylon_round_step(sub->round);
}


/* L/hyperparams/<netuid>: the decoded Option<SubnetHyperparams> (JSON) */

static ngx_int_t
ngx_pylon_sub_put_hyper(ngx_pylon_round_t *rd, ngx_pylon_sub_t *sub,
    const pylon_meta_t *m, pylon_batch_t *batch)
{
    int                  rc;
    char                *body, err[128];
    json_t              *j;
    ngx_pylon_put_ctx_t  ctx;

    if (sub->hyper == NULL) {
        return NGX_OK;
    }

    j = pylon_runtime_api_decode(m, "SubnetInfoRuntimeApi",
                                 "get_subnet_hyperparams", sub->hyper,
                                 sub->hyper_len, err, sizeof(err));
    if (j == NULL) {
        ngx_log_error(NGX_LOG_WARN, rd->refresh->helper->log, 0,
                      "pylon helper: hyperparameters of subnet %i not "
                      "decoded: %s", sub->netuid, err);
        return NGX_OK;
    }

    body = json_dumps(j, JSON_COMPACT|JSON_PRESERVE_ORDER|JSON_ENCODE_ANY);
    json_decref(j);

    if (body == NULL) {
        return NGX_ERROR;
    }

    ctx.round = rd;
    ctx.netuid = sub->netuid;
    ctx.batch = batch;

    rc = ngx_pylon_round_put(&ctx, PYLON_ROUTE_HYPERPARAMS, NULL,
                             (uint8_t *) body, ngx_strlen(body));
    free(body);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}


/* the page after start (NULL: the first); pending already counts it */

static void
ngx_pylon_page_next(ngx_pylon_page_t *pg, const char *start)
{
    ngx_pylon_round_t  *rd;

    rd = pg->sub->round;

    if (rd->failed
        || ngx_pylon_round_call(rd, "state_getKeysPaged",
                                start ? json_pack("[siss]", pg->prefix,
                                                  NGX_PYLON_PAGE, start,
                                                  rd->hash)
                                      : json_pack("[sins]", pg->prefix,
                                                  NGX_PYLON_PAGE, rd->hash),
                                ngx_pylon_page_keys, pg)
           != NGX_OK)
    {
        ngx_pylon_round_fail(rd, "state_getKeysPaged", "not connected");
        ngx_pylon_round_step(rd);
        return;
    }

    /* the call holds its own count; the page's own ends here */
    rd->pending--;
}


static void
ngx_pylon_page_keys(void *data, json_t *result, const char *error)
{
    ngx_pylon_page_t  *pg = data;

    ngx_pylon_round_t  *rd;

    rd = pg->sub->round;

    if (result == NULL || !json_is_array(result)) {
        ngx_pylon_round_fail(rd, "state_getKeysPaged",
                             error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    if (json_array_size(result) == 0 || rd->failed) {
        ngx_pylon_round_step(rd);
        return;
    }

    /* the values of this page; the full-page check happens there */

    if (ngx_pylon_round_call(rd, "state_queryStorageAt",
                             json_pack("[Os]", result, rd->hash),
                             ngx_pylon_page_values, pg)
        != NGX_OK)
    {
        ngx_pylon_round_fail(rd, "state_queryStorageAt", "not connected");
    }

    ngx_pylon_round_step(rd);
}


static void
ngx_pylon_page_values(void *data, json_t *result, const char *error)
{
    ngx_pylon_page_t  *pg = data;

    size_t               i, n;
    json_t              *changes, *c, *k, *v;
    pylon_subnet_kv_t   *kv;
    ngx_pylon_round_t   *rd;
    char                *last;

    rd = pg->sub->round;

    changes = json_object_get(json_array_get(result, 0), "changes");

    if (result == NULL || !json_is_array(changes)) {
        ngx_pylon_round_fail(rd, "state_queryStorageAt",
                             error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    n = json_array_size(changes);

    if (pg->n + n > pg->cap) {
        kv = realloc(pg->kv, (pg->n + n) * sizeof(pylon_subnet_kv_t));
        if (kv == NULL) {
            ngx_pylon_round_fail(rd, "state_queryStorageAt", "no memory");
            ngx_pylon_round_step(rd);
            return;
        }
        pg->kv = kv;
        pg->cap = pg->n + n;
    }

    last = NULL;

    json_array_foreach(changes, i, c) {
        k = json_array_get(c, 0);
        v = json_array_get(c, 1);

        kv = &pg->kv[pg->n];
        ngx_memzero(kv, sizeof(pylon_subnet_kv_t));

        if (ngx_pylon_hex_bytes(k, (u_char **) &kv->key, &kv->keylen)
            != NGX_OK)
        {
            ngx_pylon_round_fail(rd, "state_queryStorageAt", "bad key");
            ngx_pylon_round_step(rd);
            return;
        }

        pg->n++;
        last = (char *) json_string_value(k);

        if (json_is_null(v)) {
            continue;
        }

        if (ngx_pylon_hex_bytes(v, (u_char **) &kv->val, &kv->vallen)
            != NGX_OK)
        {
            ngx_pylon_round_fail(rd, "state_queryStorageAt", "bad value");
            ngx_pylon_round_step(rd);
            return;
        }
    }

    if (n == NGX_PYLON_PAGE && last != NULL) {
        rd->pending++;
        ngx_pylon_page_next(pg, last);
    }

    ngx_pylon_round_step(rd);
}


static ngx_uint_t
ngx_pylon_refresh_tracked(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    ngx_uint_t  i;

    for (i = 0; i < r->ntracked; i++) {
        if (r->tracked[i].netuid == netuid) {
            return 1;
        }
    }

    return 0;
}


/* drop auto-tracked subnets past their time, with their latest records */

static void
ngx_pylon_refresh_expire(ngx_pylon_refresh_t *r)
{
    uint64_t    now;
    ngx_int_t   netuid;
    ngx_uint_t  i;

    now = ngx_pylon_helper_now_ms();

    for (i = 0; i < r->ntracked; /* void */) {
        if (r->tracked[i].expires_ms == 0 || r->tracked[i].expires_ms > now)
        {
            i++;
            continue;
        }

        netuid = r->tracked[i].netuid;
        r->tracked[i] = r->tracked[--r->ntracked];

        ngx_log_error(NGX_LOG_INFO, r->helper->log, 0,
                      "pylon helper: subnet %i no longer tracked", netuid);

        ngx_pylon_refresh_drop(r, netuid);
    }
}


static void
ngx_pylon_refresh_drop(ngx_pylon_refresh_t *r, ngx_int_t netuid)
{
    size_t                j;
    ngx_uint_t            i;
    pylon_store_t        *st;
    pylon_keylist_t   l;
    char                  key[PYLON_KEY_MAX];

    st = r->helper->store;
    ngx_memzero(&l, sizeof(l));

    for (i = 0; ngx_pylon_routes[i]; i++) {
        pylon_key_latest(key, sizeof(key), ngx_pylon_routes[i], (int) netuid);
        (void) pylon_keylist_add(&l, key, ngx_strlen(key), NULL, 0);
    }

    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_COMMITMENT,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);
    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_CERTIFICATE,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);
    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_COMMIT_FULL,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);
    pylon_key_latest_item(key, sizeof(key), PYLON_ROUTE_REVEALED_ONE,
                          (int) netuid, "");
    (void) pylon_store_scan(st, key, pylon_keylist_add, &l);

    if (pylon_store_write_begin(st) == 0) {
        for (j = 0; j < l.n; j++) {
            (void) pylon_store_del(st, l.keys[j]);
        }
        if (pylon_store_write_commit(st) != 0) {
            ngx_log_error(NGX_LOG_ERR, r->helper->log, 0,
                          "pylon helper: cache write failed: %s",
                          pylon_store_error(st));
        }
    }

    pylon_keylist_free(&l);
}


/* S/refresh: tracked subnets and their last refresh, for /metrics */

static ngx_int_t
ngx_pylon_refresh_put_state(ngx_pylon_refresh_t *r)
{
    u_char      body[8192], *p, *end;
    ngx_uint_t  i;

    p = body;
    end = body + sizeof(body);

    p = ngx_slprintf(p, end, "{\"rounds\":%ui,\"failures\":%ui,"
                     "\"calls\":%ui,\"subnets\":[",
                     r->rounds, r->failures, r->calls);

    for (i = 0; i < r->ntracked; i++) {
        p = ngx_slprintf(p, end, "%s{\"netuid\":%i,\"auto\":%s,"
                         "\"block\":%uL,\"written_ms\":%uL,"
                         "\"duration_ms\":%M}",
                         i ? "," : "", r->tracked[i].netuid,
                         r->tracked[i].expires_ms ? "true" : "false",
                         r->tracked[i].block, r->tracked[i].written_ms,
                         r->tracked[i].duration);
    }

    p = ngx_slprintf(p, end, "]}");

    if (pylon_store_put(r->helper->store, "S/refresh", r->written, 0, body,
                        p - body)
        != 0)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a "0x.." JSON string -> malloc'ed bytes (ngx_free) */

static ngx_int_t
ngx_pylon_hex_bytes(json_t *v, u_char **out, size_t *len)
{
    uint8_t  *b;

    if (!json_is_string(v)
        || pylon_hex_decode_alloc(&b, len, json_string_value(v),
                                  json_string_length(v))
           != 0)
    {
        return NGX_ERROR;
    }

    *out = b;

    return NGX_OK;
}


static ngx_uint_t
ngx_pylon_is_unknown_block(const char *error)
{
    if (error == NULL) {
        return 0;
    }

    /* JSON-RPC -32601 "Method not found" is the node, not the block */
    if (ngx_strcasestrn((u_char *) error, "method not found",
                        sizeof("method not found") - 2) != NULL)
    {
        return 0;
    }

    /* the node says "State already discarded for BlockId::Hash(..)" */
    return ngx_strcasestrn((u_char *) error, "discarded",
                           sizeof("discarded") - 2) != NULL
           || ngx_strcasestrn((u_char *) error, "unknown block",
                              sizeof("unknown block") - 2) != NULL
           || ngx_strcasestrn((u_char *) error, "not found",
                              sizeof("not found") - 2) != NULL;
}


const pylon_meta_t *
ngx_pylon_refresh_meta(ngx_pylon_refresh_t *r)
{
    ngx_uint_t              i;
    ngx_pylon_meta_slot_t  *newest;

    newest = NULL;

    for (i = 0; i < NGX_PYLON_META_SLOTS; i++) {
        if (r->metas[i].meta
            && (newest == NULL || r->metas[i].used_ms > newest->used_ms))
        {
            newest = &r->metas[i];
        }
    }

    return newest ? newest->meta : NULL;
}
