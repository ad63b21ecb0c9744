/*
 * ngx_pylon_refresh_meta.c: the refresher's metadata cache (see
 * ngx_pylon_refresh_int.h): a round's state_getRuntimeVersion reply picks
 * a cached metadata slot for that spec version, or fetches
 * Metadata_metadata_at_version(15) at the round's hash; rounds waiting for
 * a slot being fetched are queued on it.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"


static void ngx_pylon_round_metadata(void *data, json_t *result,
    const char *error);


void
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
