/*
 * ngx_pylon_follow.c: new heads -> the latest block in the cache (see
 * ngx_pylon_follow.h).
 *
 * Every head starts a small chain of calls carried by a head context:
 *   the block hash: BLAKE2b-256 of the header (chain/header.h), once the
 *   node's chain_getBlockHash has agreed with it for the first head of a
 *   connection (a node whose hashes are not header hashes, as the test
 *   nodes, keeps being asked) -> the listeners start on that head at once
 *   -> state_getStorage([Timestamp.Now, hash]), off their critical path
 *   -> write L/block/- (and S/helper) in one transaction.
 * Heads may overtake each other; they are ordered by arrival (the node
 * sends them in its fork choice's order): a result for a head that came
 * before the one written last, or for a lower number, is dropped, so an
 * orphaned head at the same height never overwrites the fork choice.
 *
 * Reorgs: the hashes of the last NGX_PYLON_FOLLOW_RECENT heads written
 * are kept.  A head shows a reorg when its number has a different hash
 * there, when its parent is not the hash kept below it, or when it skips
 * heights and the node's hash at the last head written is not the kept
 * one.  In the last two cases the node is asked (chain_getBlockHash)
 * before the head is taken, down from there while its hashes differ from
 * the kept ones: the reorg is from the lowest number that differs (the
 * head's own number for a fork at its height; NGX_PYLON_FOLLOW_RECENT
 * blocks further back when the node cannot say).  From there the kept
 * hashes are forgotten and the reorg listeners are told (historical
 * bodies dropped, the submitter's inclusion scan rewound).  Anything
 * malformed from the node is logged and skipped.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_follow.h"
#include "chain/header.h"


#define NGX_PYLON_FOLLOW_WATCHDOG  (3 * 12 * 1000)   /* ms: 3 block times */


/* twox128("Timestamp") ++ twox128("Now") */
#define NGX_PYLON_KEY_TIMESTAMP_NOW                                          \
    "0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb"


struct ngx_pylon_follow_s {
    ngx_pylon_helper_t    *helper;
    ngx_pylon_session_t   *session;
    ngx_uint_t             generation;   /* bumps on every reconnection */
    uint64_t               head;         /* newest head with a hash */
    u_char                 head_hash[67];
    uint64_t               head_ms;      /* when it was known */
    uint64_t               written;      /* last L/block written */
    ngx_uint_t             heads;        /* heads seen since start */
    ngx_uint_t             trust_gen;    /* connection the trust is for */
    ngx_int_t              trust;        /* 1 header hashes are the node's,
                                            -1 they are not, 0 unknown */
    uint64_t               seq;          /* of the last head arrived */
    uint64_t               written_seq;  /* of the head written last */
    ngx_uint_t             reorgs;
    uint64_t               reorg_from;   /* of the last one */

    struct {
        uint64_t           number;
        u_char             hash[67];
    }                      recent[NGX_PYLON_FOLLOW_RECENT];

    struct {
        ngx_pylon_head_pt  fn;
        void              *data;
    }                      listeners[NGX_PYLON_MAX_LISTENERS];
    ngx_uint_t             nlisteners;

    struct {
        ngx_pylon_reorg_pt  fn;
        void               *data;
    }                      reorg_listeners[NGX_PYLON_MAX_LISTENERS];
    ngx_uint_t             nreorg_listeners;
};


typedef struct {
    ngx_pylon_follow_t    *follow;
    ngx_uint_t             generation;
    uint64_t               number;
    uint64_t               seq;          /* arrival order */
    u_char                 hash[67];
    char                   local[67];    /* from the header; "" if none */
    u_char                 parent[67];   /* "" when not given */
    uint64_t               ancestor;     /* number asked about, skipped
                                            heights (0: none) */
    uint64_t               differs;      /* lowest number found replaced */
    ngx_uint_t             checked;      /* the heights skipped are */
} ngx_pylon_head_t;


static void ngx_pylon_follow_header(void *data, json_t *result,
    const char *error);
static void ngx_pylon_follow_hash(void *data, json_t *result,
    const char *error);
static void ngx_pylon_follow_hashed(ngx_pylon_head_t *hd);
static void ngx_pylon_follow_timestamp(void *data, json_t *result,
    const char *error);
static ngx_int_t ngx_pylon_follow_put_state(ngx_pylon_follow_t *f);
static void ngx_pylon_follow_write_state(ngx_pylon_follow_t *f);
static ngx_int_t ngx_pylon_hex_u64(const char *s, uint64_t *v);
static ngx_int_t ngx_pylon_le_u64(const char *s, uint64_t *v);
static ngx_int_t ngx_pylon_is_hash(const char *s);
static void ngx_pylon_follow_check_reorg(ngx_pylon_follow_t *f,
    ngx_pylon_head_t *hd);
static ngx_int_t ngx_pylon_follow_check_ancestry(ngx_pylon_follow_t *f,
    ngx_pylon_head_t *hd);
static void ngx_pylon_follow_ancestor(void *data, json_t *result,
    const char *error);
static void ngx_pylon_follow_reorg(ngx_pylon_follow_t *f, uint64_t number,
    const u_char *hash, uint64_t from);


ngx_pylon_follow_t *
ngx_pylon_follow_create(ngx_pylon_helper_t *h)
{
    ngx_pylon_follow_t  *f;

    f = ngx_calloc(sizeof(ngx_pylon_follow_t), h->log);
    if (f == NULL) {
        return NULL;
    }

    f->helper = h;

    return f;
}


void
ngx_pylon_follow_start(ngx_pylon_follow_t *f, ngx_pylon_session_t *s)
{
    f->session = s;
    ngx_pylon_follow_write_state(f);
}


ngx_int_t
ngx_pylon_follow_listen(ngx_pylon_follow_t *f, ngx_pylon_head_pt fn,
    void *data)
{
    if (f->nlisteners == NGX_PYLON_MAX_LISTENERS) {
        return NGX_ERROR;
    }

    f->listeners[f->nlisteners].fn = fn;
    f->listeners[f->nlisteners].data = data;
    f->nlisteners++;

    return NGX_OK;
}


ngx_int_t
ngx_pylon_follow_on_reorg(ngx_pylon_follow_t *f, ngx_pylon_reorg_pt fn,
    void *data)
{
    if (f->nreorg_listeners == NGX_PYLON_MAX_LISTENERS) {
        return NGX_ERROR;
    }

    f->reorg_listeners[f->nreorg_listeners].fn = fn;
    f->reorg_listeners[f->nreorg_listeners].data = data;
    f->nreorg_listeners++;

    return NGX_OK;
}


const u_char *
ngx_pylon_follow_hash_at(ngx_pylon_follow_t *f, uint64_t number)
{
    ngx_uint_t  i;

    i = number % NGX_PYLON_FOLLOW_RECENT;

    if (f->recent[i].number != number || f->recent[i].hash[0] == '\0') {
        return NULL;
    }

    return f->recent[i].hash;
}


ngx_uint_t
ngx_pylon_follow_reorgs(ngx_pylon_follow_t *f, uint64_t *from)
{
    if (from) {
        *from = f->reorg_from;
    }

    return f->reorgs;
}


uint64_t
ngx_pylon_follow_head(ngx_pylon_follow_t *f, const u_char **hash)
{
    if (hash) {
        *hash = f->head_hash;
    }

    return f->head;
}


void
ngx_pylon_follow_destroy(ngx_pylon_follow_t *f)
{
    ngx_free(f);
}


void
ngx_pylon_follow_tick(ngx_pylon_follow_t *f)
{
    uint64_t  open, since;

    if (f->session == NULL) {
        return;
    }

    open = ngx_pylon_session_open_ms(f->session);
    if (open == 0) {
        return;
    }

    since = ngx_max(open, f->head_ms);

    if (ngx_pylon_helper_now_ms() - since >= NGX_PYLON_FOLLOW_WATCHDOG) {
        ngx_pylon_session_drop(f->session, "no new head for 3 block times");
    }
}


void
ngx_pylon_follow_connected(void *data)
{
    ngx_pylon_follow_t  *f = data;

    f->generation++;

    /* catch up at once, then follow */

    (void) ngx_pylon_session_call(f->session, "chain_getHeader", NULL,
                                  ngx_pylon_follow_header, f);

    (void) ngx_pylon_session_subscribe(f->session, "chain_subscribeNewHeads",
                                       NULL, ngx_pylon_follow_header, NULL,
                                       f);

    ngx_pylon_follow_write_state(f);
}


void
ngx_pylon_follow_disconnected(void *data)
{
    ngx_pylon_follow_t  *f = data;

    f->generation++;
    ngx_pylon_follow_write_state(f);
}


/* a header, from chain_getHeader or a new-heads notification */

static void
ngx_pylon_follow_header(void *data, json_t *result, const char *error)
{
    ngx_pylon_follow_t  *f = data;

    uint64_t           number;
    json_t            *n, *parent;
    ngx_pylon_head_t  *hd;

    if (result == NULL) {
        ngx_log_error(NGX_LOG_ERR, f->helper->log, 0,
                      "pylon helper: chain_getHeader failed: %s", error);
        return;
    }

    n = json_object_get(result, "number");

    if (!json_is_string(n)
        || ngx_pylon_hex_u64(json_string_value(n), &number) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, f->helper->log, 0,
                      "pylon helper: head without a valid number ignored");
        return;
    }

    f->heads++;

    hd = ngx_calloc(sizeof(ngx_pylon_head_t), f->helper->log);
    if (hd == NULL) {
        return;
    }

    hd->follow = f;
    hd->generation = f->generation;
    hd->number = number;
    hd->seq = ++f->seq;

    parent = json_object_get(result, "parentHash");

    if (json_is_string(parent) && ngx_pylon_is_hash(json_string_value(parent)))
    {
        ngx_memcpy(hd->parent, json_string_value(parent), 66);
        hd->parent[66] = '\0';
    }

    if (pylon_header_hash(hd->local, result) != 0) {
        hd->local[0] = '\0';
    }

    if (f->trust_gen != f->generation) {
        f->trust_gen = f->generation;
        f->trust = 0;
    }

    if (f->trust > 0 && hd->local[0] != '\0') {
        ngx_memcpy(hd->hash, hd->local, sizeof(hd->hash));
        ngx_pylon_follow_hashed(hd);
        return;
    }

    if (ngx_pylon_session_call(f->session, "chain_getBlockHash",
                               json_pack("[I]", (json_int_t) number),
                               ngx_pylon_follow_hash, hd)
        != NGX_OK)
    {
        ngx_free(hd);
    }
}


static void
ngx_pylon_follow_hash(void *data, json_t *result, const char *error)
{
    ngx_pylon_head_t  *hd = data;

    ngx_pylon_follow_t  *f;

    f = hd->follow;

    if (result == NULL || !json_is_string(result)
        || !ngx_pylon_is_hash(json_string_value(result)))
    {
        ngx_log_error(NGX_LOG_WARN, f->helper->log, 0,
                      "pylon helper: no hash for block %uL: %s", hd->number,
                      error ? error : "malformed answer");
        ngx_free(hd);
        return;
    }

    ngx_memcpy(hd->hash, json_string_value(result), 66);
    hd->hash[66] = '\0';

    if (f->trust == 0 && f->trust_gen == hd->generation
        && hd->local[0] != '\0')
    {
        f->trust = ngx_strcmp(hd->local, hd->hash) == 0 ? 1 : -1;

        ngx_log_error(NGX_LOG_INFO, f->helper->log, 0,
                      "pylon helper: block hashes %s from headers",
                      f->trust > 0 ? "taken" : "not taken (the node's "
                      "differ)");
    }

    ngx_pylon_follow_hashed(hd);
}


/* the head's hash is known: the listeners start, the timestamp is asked */

static void
ngx_pylon_follow_hashed(ngx_pylon_head_t *hd)
{
    ngx_uint_t           i;
    ngx_pylon_follow_t  *f;

    f = hd->follow;

    if (hd->number < f->head || hd->seq < f->written_seq) {
        /* a newer head is known meanwhile (or came after this one) */
        ngx_free(hd);
        return;
    }

    if (!hd->checked && ngx_pylon_follow_check_ancestry(f, hd) == NGX_AGAIN) {
        return;                         /* goes on in follow_ancestor */
    }

    ngx_pylon_follow_check_reorg(f, hd);

    f->head = hd->number;
    f->written_seq = hd->seq;
    ngx_memcpy(f->head_hash, hd->hash, sizeof(hd->hash));
    f->head_ms = ngx_pylon_helper_now_ms();

    i = hd->number % NGX_PYLON_FOLLOW_RECENT;
    f->recent[i].number = hd->number;
    ngx_memcpy(f->recent[i].hash, hd->hash, sizeof(hd->hash));

    for (i = 0; i < f->nlisteners; i++) {
        f->listeners[i].fn(f->listeners[i].data, f->head, f->head_hash);
    }

    if (ngx_pylon_session_call(f->session, "state_getStorage",
                               json_pack("[ss]", NGX_PYLON_KEY_TIMESTAMP_NOW,
                                         (char *) hd->hash),
                               ngx_pylon_follow_timestamp, hd)
        != NGX_OK)
    {
        ngx_free(hd);
    }
}


static void
ngx_pylon_follow_timestamp(void *data, json_t *result, const char *error)
{
    ngx_pylon_head_t  *hd = data;

    u_char               body[160], *p;
    uint64_t             ms;
    pylon_store_t       *st;
    ngx_pylon_follow_t  *f;
    char                 key[PYLON_KEY_MAX];

    f = hd->follow;
    st = f->helper->store;

    if (result != NULL && json_is_null(result)) {
        /* the genesis block has no Timestamp.Now */
        ms = 0;

    } else if (result == NULL || !json_is_string(result)
               || ngx_pylon_le_u64(json_string_value(result), &ms) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, f->helper->log, 0,
                      "pylon helper: no timestamp for block %uL: %s",
                      hd->number, error ? error : "malformed answer");
        ngx_free(hd);
        return;
    }

    if (hd->number < f->written || hd->number < f->head
        || hd->seq < f->written_seq)
    {
        /* a newer head was written, or is known, meanwhile */
        ngx_free(hd);
        return;
    }

    ngx_pylon_follow_check_reorg(f, hd);

    p = ngx_snprintf(body, sizeof(body),
                     "{\"number\":%uL,\"hash\":\"%s\",\"timestamp\":%uL}",
                     hd->number, hd->hash, ms / 1000);

    pylon_key_latest(key, sizeof(key), PYLON_ROUTE_BLOCK, PYLON_NETUID_NONE);

    f->written = hd->number;

    ngx_free(hd);

    /* the block and the state record in one transaction */

    if (pylon_store_write_begin(st) != 0
        || pylon_store_put(st, key, f->written, 0, body, p - body) != 0
        || ngx_pylon_follow_put_state(f) != NGX_OK
        || pylon_store_write_commit(st) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, f->helper->log, 0,
                      "pylon helper: cache write failed: %s",
                      pylon_store_error(st));
        pylon_store_write_abort(st);
        return;
    }
}


/* S/helper: what the helper knows, for /metrics and tests */

static ngx_int_t
ngx_pylon_follow_put_state(ngx_pylon_follow_t *f)
{
    u_char          body[512], *p;
    pylon_store_t  *st;

    st = f->helper->store;

    p = ngx_snprintf(body, sizeof(body),
                     "{\"pid\":%P,\"connected\":%s,\"head\":%uL,"
                     "\"head_hash\":\"%s\",\"head_ms\":%uL,\"heads\":%ui,"
                     "\"reorgs\":%ui,\"network\":\"%V\"}",
                     ngx_pid,
                     f->session && ngx_pylon_session_is_connected(f->session)
                     ? "true" : "false",
                     f->head, f->head_hash, f->head_ms, f->heads,
                     f->reorgs, &f->helper->pmcf->network.url);

    if (pylon_store_put(st, PYLON_KEY_HELPER, f->head, 0, body, p - body)
        != 0)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_pylon_follow_write_state(ngx_pylon_follow_t *f)
{
    pylon_store_t  *st;

    st = f->helper->store;

    if (pylon_store_write_begin(st) != 0
        || ngx_pylon_follow_put_state(f) != NGX_OK
        || pylon_store_write_commit(st) != 0)
    {
        ngx_log_error(NGX_LOG_ERR, f->helper->log, 0,
                      "pylon helper: cache write failed: %s",
                      pylon_store_error(st));
        pylon_store_write_abort(st);
    }
}


/*
 * Before hd is written: does it replace blocks we wrote?  Its own number
 * with another hash, or a parent other than the hash kept below it.
 */

static void
ngx_pylon_follow_check_reorg(ngx_pylon_follow_t *f, ngx_pylon_head_t *hd)
{
    uint64_t       from;
    const u_char  *same, *below;

    same = ngx_pylon_follow_hash_at(f, hd->number);
    below = hd->number ? ngx_pylon_follow_hash_at(f, hd->number - 1) : NULL;

    if (same && ngx_strcmp(same, hd->hash) == 0) {
        return;                                  /* the same head again */
    }

    if (below && hd->parent[0] && ngx_strcmp(below, hd->parent) == 0) {
        if (same == NULL) {
            return;                              /* simply the next block */
        }

        from = hd->number;                       /* a fork at this height */

    } else if (same == NULL && (below == NULL || hd->parent[0] == '\0')) {
        return;                /* nothing to compare with (a gap, no parent) */

    } else {
        /* the parent changed too, or cannot be checked: how deep the
         * change goes is not known */
        from = hd->number > NGX_PYLON_FOLLOW_RECENT
               ? hd->number - NGX_PYLON_FOLLOW_RECENT : 0;
    }

    ngx_pylon_follow_reorg(f, hd->number, hd->hash, from);
}


/*
 * Does hd leave the chain followed, and from where?  Asked of the node
 * (chain_getBlockHash) when the kept hashes cannot say: hd skipped
 * heights (the last head written is compared), or its parent is not the
 * hash kept below it (the blocks below are compared, down to the fork
 * point).  NGX_AGAIN: hd goes on in ngx_pylon_follow_ancestor, which owns
 * it meanwhile (or it was freed: not connected, nothing is written
 * then); NGX_OK: nothing to ask.
 */

static ngx_int_t
ngx_pylon_follow_check_ancestry(ngx_pylon_follow_t *f, ngx_pylon_head_t *hd)
{
    const u_char  *below;

    if (hd->ancestor == 0) {
        below = hd->number ? ngx_pylon_follow_hash_at(f, hd->number - 1)
                           : NULL;

        if (f->head && hd->number > f->head + 1
            && ngx_pylon_follow_hash_at(f, f->head) != NULL)
        {
            hd->ancestor = f->head;                 /* heights skipped */

        } else if (below && hd->parent[0] && hd->number > 1
                   && ngx_strcmp(below, hd->parent) != 0)
        {
            hd->ancestor = hd->number - 1;          /* another parent */

        } else {
            return NGX_OK;
        }
    }

    if (ngx_pylon_session_call(f->session, "chain_getBlockHash",
                               json_pack("[I]", (json_int_t) hd->ancestor),
                               ngx_pylon_follow_ancestor, hd)
        != NGX_OK)
    {
        ngx_free(hd);
    }

    return NGX_AGAIN;
}


/*
 * The node's hash at hd->ancestor (never 0: that means "not asked"),
 * below hd: the kept one (no reorg, or one from the number above), or
 * another (ask one lower, while kept).  Not knowing (an error, nothing
 * kept lower) is taken as a reorg of unknown depth: a block that may be
 * an orphan's is never trusted.
 */

static void
ngx_pylon_follow_ancestor(void *data, json_t *result, const char *error)
{
    ngx_pylon_head_t  *hd = data;

    uint64_t             from;
    const char          *s;
    const u_char        *kept;
    ngx_pylon_follow_t  *f;

    f = hd->follow;
    s = json_string_value(result);
    kept = ngx_pylon_follow_hash_at(f, hd->ancestor);

    if (s == NULL || !ngx_pylon_is_hash(s)) {
        ngx_log_error(NGX_LOG_WARN, f->helper->log, 0,
                      "pylon helper: no hash for block %uL below head %uL: "
                      "%s", hd->ancestor, hd->number,
                      error ? error : "malformed answer");
        from = hd->differs ? hd->differs : hd->ancestor;
        goto unknown;
    }

    if (kept == NULL) {
        /* forgotten meanwhile: another head's reorg told it */
        if (hd->differs) {
            ngx_pylon_follow_reorg(f, hd->number, hd->hash, hd->differs);
        }

        goto done;
    }

    if (ngx_strcmp(kept, s) == 0) {
        if (hd->differs) {
            ngx_pylon_follow_reorg(f, hd->number, hd->hash, hd->differs);
        }

        goto done;
    }

    hd->differs = hd->ancestor;

    if (hd->ancestor > 1
        && hd->number - (hd->ancestor - 1) < NGX_PYLON_FOLLOW_RECENT
        && ngx_pylon_follow_hash_at(f, hd->ancestor - 1) != NULL)
    {
        hd->ancestor--;
        (void) ngx_pylon_follow_check_ancestry(f, hd);
        return;
    }

    from = hd->differs;

unknown:

    from = from > NGX_PYLON_FOLLOW_RECENT ? from - NGX_PYLON_FOLLOW_RECENT : 0;
    ngx_pylon_follow_reorg(f, hd->number, hd->hash, from);

done:

    hd->checked = 1;
    ngx_pylon_follow_hashed(hd);
}


/* blocks from `from` on may have been replaced: forget, tell listeners */

static void
ngx_pylon_follow_reorg(ngx_pylon_follow_t *f, uint64_t number,
    const u_char *hash, uint64_t from)
{
    uint64_t    k;
    ngx_uint_t  i;

    f->reorgs++;
    f->reorg_from = from;

    ngx_log_error(NGX_LOG_NOTICE, f->helper->log, 0,
                  "pylon helper: reorg: block %uL is now %s, blocks from %uL "
                  "may have changed", number, hash, from);

    for (k = from; k <= f->head; k++) {
        i = k % NGX_PYLON_FOLLOW_RECENT;
        if (f->recent[i].number == k) {
            f->recent[i].hash[0] = '\0';
        }
    }

    for (i = 0; i < f->nreorg_listeners; i++) {
        f->reorg_listeners[i].fn(f->reorg_listeners[i].data, from);
    }
}


/* "0x1a2b" -> 0x1a2b */

static ngx_int_t
ngx_pylon_hex_u64(const char *s, uint64_t *v)
{
    ngx_int_t  d, n;

    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        return NGX_ERROR;
    }

    *v = 0;

    for (s += 2, n = 0; *s; s++, n++) {
        d = ngx_hextoi((u_char *) s, 1);
        if (d == NGX_ERROR || n == 16) {
            return NGX_ERROR;
        }
        *v = (*v << 4) | (uint64_t) d;
    }

    return n ? NGX_OK : NGX_ERROR;
}


/* SCALE u64: "0x" + 8 little-endian bytes */

static ngx_int_t
ngx_pylon_le_u64(const char *s, uint64_t *v)
{
    ngx_int_t  i, b;

    if (ngx_strlen(s) != 18 || s[0] != '0' || s[1] != 'x') {
        return NGX_ERROR;
    }

    *v = 0;

    for (i = 7; i >= 0; i--) {
        b = ngx_hextoi((u_char *) s + 2 + 2 * i, 2);
        if (b == NGX_ERROR) {
            return NGX_ERROR;
        }
        *v = (*v << 8) | (uint64_t) b;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_pylon_is_hash(const char *s)
{
    ngx_int_t  i;

    if (ngx_strlen(s) != 66 || s[0] != '0' || s[1] != 'x') {
        return 0;
    }

    for (i = 2; i < 66; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return 0;
        }
    }

    return 1;
}
