/*
 * ngx_pylon_refresh_pages.c: paged storage reads of a round (see
 * ngx_pylon_refresh_int.h): state_getKeysPaged([prefix, 1000, start,
 * hash]) -> state_queryStorageAt([keys, hash]) -> next page, for
 * CommitmentOf and NeuronCertificates.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"


static void ngx_pylon_page_keys(void *data, json_t *result,
    const char *error);
static void ngx_pylon_page_values(void *data, json_t *result,
    const char *error);


/* the page after start (NULL: the first); pending already counts it */

void
ngx_pylon_page_next(ngx_pylon_page_t *pg, const char *start)
{
    ngx_pylon_round_t  *rd;

    rd = pg->sub->round;

    if (rd->failed || pg->sub->failed) {
        ngx_pylon_round_step(rd);
        return;
    }

    if (ngx_pylon_round_call(rd, "state_getKeysPaged",
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
        ngx_pylon_sub_fail(pg->sub, "state_getKeysPaged",
                           error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    if (json_array_size(result) == 0 || rd->failed
        || pg->sub->failed) {
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
        ngx_pylon_sub_fail(pg->sub, "state_queryStorageAt",
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
            ngx_pylon_sub_fail(pg->sub, "state_queryStorageAt", "bad key");
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
            ngx_pylon_sub_fail(pg->sub, "state_queryStorageAt",
                               "bad value");
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
