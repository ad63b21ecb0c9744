/*
 * ngx_pylon_refresh_v2_pages.c: paged reads of a v2 round (see
 * ngx_pylon_refresh_v2_int.h): state_getKeysPaged(RevealedCommitments
 * prefix) -> state_queryStorageAt -> next page.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_v2_int.h"


/* the page after start (NULL: the first); pending already counts it */

void
ngx_pylon_v2_page(ngx_pylon_v2_sub_t *sub, const char *start)
{
    ngx_pylon_v2_t  *rd;

    rd = sub->rd;

    (void) ngx_pylon_v2_call(rd, sub, "get_all_revealed_commitments",
                             NGX_PYLON_V2_REVEALED, "state_getKeysPaged",
                             start ? json_pack("[siss]", sub->prefix,
                                               NGX_PYLON_V2_PAGE, start,
                                               rd->hash)
                                   : json_pack("[sins]", sub->prefix,
                                               NGX_PYLON_V2_PAGE, rd->hash));

    rd->pending--;
}


void
ngx_pylon_v2_keys(ngx_pylon_v2_call_t *c, json_t *result)
{
    if (json_array_size(result) == 0 || c->sub->revealed_failed) {
        c->sub->revealed_ok = !c->sub->revealed_failed;
        return;
    }

    (void) ngx_pylon_v2_call(c->rd, c->sub, c->op, NGX_PYLON_V2_VALUES,
                             "state_queryStorageAt",
                             json_pack("[Os]", result, c->rd->hash));
}


void
ngx_pylon_v2_values(ngx_pylon_v2_call_t *c, json_t *result)
{
    size_t               i, n;
    json_t              *changes, *ch, *k, *v;
    const char          *last;
    pylon_subnet_kv_t   *kv;
    ngx_pylon_v2_sub_t  *sub;

    sub = c->sub;
    changes = json_object_get(json_array_get(result, 0), "changes");

    if (!json_is_array(changes)) {
        sub->revealed_failed = 1;
        ngx_pylon_v2_fail(c->rd, 502, c->op, "malformed answer");
        return;
    }

    n = json_array_size(changes);

    if (sub->n + n > sub->cap) {
        kv = realloc(sub->kv, (sub->n + n) * sizeof(pylon_subnet_kv_t));
        if (kv == NULL) {
            sub->revealed_failed = 1;
            ngx_pylon_v2_fail(c->rd, 500, c->op, "no memory");
            return;
        }
        sub->kv = kv;
        sub->cap = sub->n + n;
    }

    last = NULL;

    json_array_foreach(changes, i, ch) {
        k = json_array_get(ch, 0);
        v = json_array_get(ch, 1);

        kv = &sub->kv[sub->n];
        ngx_memzero(kv, sizeof(pylon_subnet_kv_t));

        if (ngx_pylon_hex_bytes(k, (u_char **) &kv->key, &kv->keylen)
            != NGX_OK)
        {
            sub->revealed_failed = 1;
            ngx_pylon_v2_fail(c->rd, 502, c->op, "bad key");
            return;
        }

        sub->n++;
        last = json_string_value(k);

        if (!json_is_null(v)
            && ngx_pylon_hex_bytes(v, (u_char **) &kv->val, &kv->vallen)
               != NGX_OK)
        {
            sub->revealed_failed = 1;
            ngx_pylon_v2_fail(c->rd, 502, c->op, "bad value");
            return;
        }
    }

    if (n == NGX_PYLON_V2_PAGE && last != NULL) {
        c->rd->pending++;
        ngx_pylon_v2_page(sub, last);
        return;
    }

    sub->revealed_ok = !sub->revealed_failed;
}
