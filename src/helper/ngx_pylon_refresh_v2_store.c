/*
 * ngx_pylon_refresh_v2_store.c: rendering and storing a finished v2 round
 * (see ngx_pylon_refresh_v2_int.h).  The drand round, alpha prices and
 * revealed commitments are rendered first, with their gzip copies, into a
 * batch (store/batch.h), if a head round is still the followed chain's;
 * then one short write transaction deletes the revealed items that may
 * have gone and puts the batch.  A part that was not read, or whose value
 * does not decode, is not rendered: its previous bodies stay.
 *
 * Buffers: ngx_pylon_v2_write() creates the batch and frees it; the
 * renderers add copies to it and free every JSON value and text they
 * make themselves.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_v2_int.h"
#include "helper/ngx_pylon_follow.h"
#include "store/batch.h"


static uint64_t     ngx_pylon_v2_written;


static ngx_int_t ngx_pylon_v2_render(ngx_pylon_v2_t *rd,
    pylon_batch_t *batch);
static ngx_uint_t ngx_pylon_v2_current(ngx_pylon_v2_t *rd);
static ngx_int_t ngx_pylon_v2_add(ngx_pylon_v2_t *rd, pylon_batch_t *batch,
    const char *route, ngx_int_t netuid, const char *item, json_t *body);
static ngx_int_t ngx_pylon_v2_render_prices(ngx_pylon_v2_t *rd,
    pylon_batch_t *batch, const pylon_meta_t *m, json_t *block);
static ngx_int_t ngx_pylon_v2_render_revealed(ngx_pylon_v2_t *rd,
    pylon_batch_t *batch, ngx_pylon_v2_sub_t *sub, const pylon_meta_t *m,
    json_t *block);


/*
 * Renders the round into a batch, then writes it in one transaction
 * with the deletes; NGX_ERROR (out of memory, or the cache failed):
 * nothing of the round is written.
 */

ngx_int_t
ngx_pylon_v2_write(ngx_pylon_v2_t *rd)
{
    char              prefix[PYLON_KEY_MAX];
    size_t            j;
    const char       *why;
    ngx_int_t         rc;
    ngx_uint_t        i;
    pylon_batch_t    *batch;
    pylon_store_t    *st;
    pylon_keylist_t   old;

    st = rd->h->store;
    ngx_memzero(&old, sizeof(old));
    batch = NULL;
    rc = NGX_OK;
    why = "not rendered (out of memory)";

    /*
     * A head round writes only while it is the follower's choice and not
     * older than the last one written; a fetch round writes its own
     * records anyway (the next head replaces them).  Checked before
     * rendering: rendering and writing run without a return to the event
     * loop in between, so the answer holds until the commit, and a
     * dropped round is not rendered for nothing.
     */

    if (rd->latest && rd->done == NULL && !ngx_pylon_v2_current(rd)) {
        goto done;
    }

    batch = pylon_batch_create(st);
    rc = batch ? ngx_pylon_v2_render(rd, batch) : NGX_ERROR;

    if (rc != NGX_OK) {
        goto done;
    }

    why = NULL;                        /* from here: the cache's error */

    /* latest revealed items that may have gone: deleted, then put */

    for (i = 0; rd->latest && i < rd->nsubs; i++) {
        if (!rd->subs[i].revealed_ok) {
            continue;
        }

        pylon_key_latest_item(prefix, sizeof(prefix),
                              PYLON_ROUTE_REVEALED_ONE,
                              (int) rd->subs[i].netuid, "");

        if (pylon_store_scan(st, prefix, pylon_keylist_add, &old) < 0) {
            rc = NGX_ERROR;
            goto done;
        }
    }

    /* one short transaction: the deletes, then the batch */

    if (pylon_store_write_begin(st) != 0) {
        rc = NGX_ERROR;
        goto done;
    }

    for (j = 0; j < old.n; j++) {
        if (pylon_store_del(st, old.keys[j]) != 0) {
            rc = NGX_ERROR;
            break;
        }
    }

    if (rc == NGX_OK && pylon_batch_put(batch) != 0) {
        rc = NGX_ERROR;
    }

    if (rc != NGX_OK) {
        pylon_store_write_abort(st);
        goto done;
    }

    if (pylon_store_write_commit(st) != 0) {
        rc = NGX_ERROR;
        goto done;
    }

    if (rd->latest && rd->done == NULL) {
        ngx_pylon_v2_written = rd->number;
    }

done:

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, rd->h->log, 0,
                      "pylon helper: v2 data of block %uL not written: %s",
                      rd->number, why ? why : pylon_store_error(st));
    }

    pylon_batch_free(batch);
    pylon_keylist_free(&old);

    return rc;
}


/*
 * Every body of the round, added to batch (the caller's); no
 * transaction.  A value that does not decode fails the round's answer
 * (ngx_pylon_v2_fail) and is skipped; NGX_ERROR only for out of memory.
 */

static ngx_int_t
ngx_pylon_v2_render(ngx_pylon_v2_t *rd, pylon_batch_t *batch)
{
    char                 err[128];
    json_t              *block, *v;
    ngx_int_t            rc;
    ngx_uint_t           i;
    const pylon_meta_t  *m;
    ngx_pylon_v2_sub_t  *sub;

    m = rd->rt->meta;             /* the round's runtime, not the head's */

    block = json_pack("{sIss}", "number", (json_int_t) rd->number,
                      "hash", rd->hash);
    if (block == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_OK;

    if (rd->drand_ok) {
        v = pylon_storage_value_decode(m, "Drand", "LastStoredRound",
                                       rd->drand, rd->drand_len, err,
                                       sizeof(err));
        if (json_is_integer(v)) {
            rc = ngx_pylon_v2_add(rd, batch, PYLON_ROUTE_DRAND,
                                  PYLON_NETUID_NONE, NULL,
                                  json_pack("{sO}", "last_stored_round", v));
        } else if (rd->status == 0) {
            ngx_pylon_v2_fail(rd, 502, "get_drand_last_stored_round", err);
        }
        json_decref(v);
    }

    if (rc == NGX_OK && rd->prices_ok) {
        rc = ngx_pylon_v2_render_prices(rd, batch, m, block);
    }

    for (i = 0; rc == NGX_OK && i < rd->nsubs; i++) {
        sub = &rd->subs[i];

        if (sub->price_ok) {
            v = pylon_runtime_api_decode(m, "SwapRuntimeApi",
                                         "current_alpha_price", sub->price,
                                         sub->price_len, err, sizeof(err));
            if (json_is_integer(v)) {
                rc = ngx_pylon_v2_add(rd, batch, PYLON_ROUTE_PRICE,
                                      sub->netuid, NULL,
                                      json_pack("{sOsIs{sO}}",
                                      "block", block,
                                      "netuid", (json_int_t) sub->netuid,
                                      "price", "value", v));
            } else if (rd->status == 0) {
                ngx_pylon_v2_fail(rd, 502, "get_alpha_price", err);
            }
            json_decref(v);
        }

        if (rc == NGX_OK && sub->revealed_ok) {
            rc = ngx_pylon_v2_render_revealed(rd, batch, sub, m, block);
        }
    }

    json_decref(block);

    return rc;
}


/*
 * Is the head round rd still the chain as followed: its hash the one
 * kept for its number (a reorg since, or a fork choice at the same
 * height, makes it an orphan) and its number not below the last head
 * round written?  Dropped rounds are logged; the newer head's round,
 * pending or in flight, writes in their place.
 */

static ngx_uint_t
ngx_pylon_v2_current(ngx_pylon_v2_t *rd)
{
    const u_char  *canon;

    if (rd->number < ngx_pylon_v2_written) {
        ngx_log_debug2(NGX_LOG_DEBUG_CORE, rd->h->log, 0,
                       "pylon helper: v2 data of block %uL dropped: block "
                       "%uL is written", rd->number, ngx_pylon_v2_written);
        return 0;
    }

    canon = ngx_pylon_follow_hash_at(rd->h->follow, rd->number);

    if (canon == NULL || ngx_strcmp(canon, rd->hash) != 0) {
        ngx_log_error(NGX_LOG_INFO, rd->h->log, 0,
                      "pylon helper: v2 data of block %uL (%s) dropped: not "
                      "the followed chain's (%s)", rd->number, rd->hash,
                      canon ? (const char *) canon : "unknown");
        return 0;
    }

    return 1;
}


/*
 * Adds body (a new reference, consumed; NULL: out of memory) to batch at
 * the round's key of route: batch keeps a copy of the text, which is
 * freed here.
 */

static ngx_int_t
ngx_pylon_v2_add(ngx_pylon_v2_t *rd, pylon_batch_t *batch, const char *route,
    ngx_int_t netuid, const char *item, json_t *body)
{
    int     rc;
    char   *text, key[PYLON_KEY_MAX];
    size_t  n;

    if (body == NULL) {
        return NGX_ERROR;
    }

    text = json_dumps(body, JSON_COMPACT|JSON_PRESERVE_ORDER);
    json_decref(body);

    if (text == NULL) {
        return NGX_ERROR;
    }

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

    rc = (n == 0) ? -1 : pylon_batch_add(batch, key, rd->number, text,
                                         ngx_strlen(text));
    free(text);

    return rc == 0 ? NGX_OK : NGX_ERROR;
}


/*
 * Vec<{netuid, price}> (a struct, or a tuple on runtimes that declare
 * one) -> {"block": B, "prices": {"<netuid>": {"value": rao}}}; each
 * subnet's own price too, so that a price of any subnet is one read.
 */

static ngx_int_t
ngx_pylon_v2_render_prices(ngx_pylon_v2_t *rd, pylon_batch_t *batch,
    const pylon_meta_t *m, json_t *block)
{
    char        nu[16], err[128];
    size_t      i;
    json_t     *list, *e, *netuid, *price, *prices;
    ngx_int_t   rc;

    list = pylon_runtime_api_decode(m, "SwapRuntimeApi",
                                    "current_alpha_price_all", rd->prices,
                                    rd->prices_len, err, sizeof(err));
    if (!json_is_array(list)) {
        json_decref(list);
        if (rd->status == 0) {
            ngx_pylon_v2_fail(rd, 502, "get_alpha_prices", err);
        }
        return NGX_OK;
    }

    prices = json_object();
    rc = prices ? NGX_OK : NGX_ERROR;

    json_array_foreach(list, i, e) {
        if (rc != NGX_OK) {
            break;
        }

        if (json_is_array(e)) {
            netuid = json_array_get(e, 0);
            price = json_array_get(e, 1);

        } else {
            netuid = json_object_get(e, "netuid");
            price = json_object_get(e, "price");
        }

        if (!json_is_integer(netuid) || !json_is_integer(price)) {
            continue;
        }

        ngx_snprintf((u_char *) nu, sizeof(nu), "%L%Z",
                     (int64_t) json_integer_value(netuid));

        if (json_object_set_new(prices, nu, json_pack("{sO}", "value", price))
            != 0)
        {
            rc = NGX_ERROR;
            break;
        }

        rc = ngx_pylon_v2_add(rd, batch, PYLON_ROUTE_PRICE,
                              (ngx_int_t) json_integer_value(netuid), NULL,
                              json_pack("{sOsOs{sO}}", "block", block,
                                        "netuid", netuid,
                                        "price", "value", price));
    }

    if (rc == NGX_OK) {
        rc = ngx_pylon_v2_add(rd, batch, PYLON_ROUTE_PRICES,
                              PYLON_NETUID_NONE, NULL,
                              json_pack("{sOsO}", "block", block,
                                        "prices", prices));
    }

    json_decref(prices);
    json_decref(list);

    return rc;
}


/* one stored item: [bytes, reveal block] -> RevealedCommitment */

static json_t *
ngx_pylon_v2_revealed_one(json_t *e, const char *hotkey)
{
    size_t          blen, tlen;
    json_t         *bytes, *when, *out;
    u_char         *b;
    const uint8_t  *text;

    if (json_is_array(e)) {
        bytes = json_array_get(e, 0);
        when = json_array_get(e, 1);

    } else {
        return NULL;
    }

    if (!json_is_integer(when)
        || ngx_pylon_hex_bytes(bytes, &b, &blen) != NGX_OK)
    {
        return NULL;
    }

    out = NULL;

    if (pylon_revealed_text(b, blen, &text, &tlen) == 0) {
        out = json_pack("{sOsss:s%}", "reveal_block_number", when,
                        "hotkey", hotkey, "commitment", (char *) text, tlen);
    }

    ngx_free(b);

    return out;       /* NULL too for text that is not UTF-8 */
}


static ngx_int_t
ngx_pylon_v2_render_revealed(ngx_pylon_v2_t *rd, pylon_batch_t *batch,
    ngx_pylon_v2_sub_t *sub, const pylon_meta_t *m, json_t *block)
{
    char                hotkey[PYLON_SS58_MAX_CHARS + 1], err[128];
    size_t              i, j;
    json_t             *all, *list, *v, *e, *one;
    ngx_int_t           rc;
    pylon_subnet_kv_t  *kv;

    all = json_object();
    if (all == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_OK;

    for (i = 0; rc == NGX_OK && i < sub->n; i++) {
        kv = &sub->kv[i];

        if (kv->val == NULL || kv->keylen < 32
            || pylon_ss58_encode(hotkey, sizeof(hotkey),
                                 kv->key + kv->keylen - 32,
                                 NGX_PYLON_SS58_PREFIX) < 0)
        {
            continue;
        }

        v = pylon_storage_value_decode(m, "Commitments",
                                       "RevealedCommitments", kv->val,
                                       kv->vallen, err, sizeof(err));
        list = json_array();

        json_array_foreach(v, j, e) {
            one = ngx_pylon_v2_revealed_one(e, hotkey);
            if (one) {
                json_array_append_new(list, one);
            }
        }

        json_decref(v);

        if (list == NULL) {
            rc = NGX_ERROR;
            break;
        }

        if (json_array_size(list)) {
            rc = ngx_pylon_v2_add(rd, batch, PYLON_ROUTE_REVEALED_ONE,
                                  sub->netuid, hotkey,
                                  json_pack("{sOsO}", "commitments", list,
                                            "block", block));
        }

        json_object_set_new(all, hotkey, list);
    }

    if (rc == NGX_OK) {
        rc = ngx_pylon_v2_add(rd, batch, PYLON_ROUTE_REVEALED, sub->netuid,
                              NULL, json_pack("{sOsO}", "block", block,
                                              "commitments", all));
    }

    json_decref(all);

    return rc;
}
