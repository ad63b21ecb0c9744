/*
 * ngx_pylon_refresh_meta.c: a round's runtime (see
 * ngx_pylon_refresh_int.h): the state_getRuntimeVersion reply names the
 * spec and transaction version of the round's block; the round takes a
 * reference to that runtime from the helper's shared cache
 * (ngx_pylon_meta.h), or has its metadata fetched at the round's hash
 * (a fetch under way for the same spec is joined).  A latest round makes
 * its runtime the head's.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_refresh_int.h"


static void ngx_pylon_round_runtime(void *data, pylon_runtime_t *rt,
    const char *error);


void
ngx_pylon_round_version(void *data, json_t *result, const char *error)
{
    ngx_pylon_round_t  *rd = data;

    uint32_t              spec, tx;
    json_t               *v, *t;
    ngx_pylon_meta_t     *m;
    ngx_pylon_refresh_t  *r;

    r = rd->refresh;
    m = r->helper->meta;

    v = result ? json_object_get(result, "specVersion") : NULL;
    t = result ? json_object_get(result, "transactionVersion") : NULL;

    if (!json_is_integer(v)) {
        ngx_pylon_round_fail(rd, "state_getRuntimeVersion",
                             error ? error : "malformed answer");
        ngx_pylon_round_step(rd);
        return;
    }

    spec = (uint32_t) json_integer_value(v);
    tx = json_is_integer(t) ? (uint32_t) json_integer_value(t) : 0;

    if (rd->latest) {
        r->spec = spec;
    }

    if (rd->guessed) {
        rd->guessed = 0;

        if (rd->rt->spec_version == spec) {
            if (rd->latest) {
                ngx_pylon_meta_set_head(m, rd->number, rd->rt);
            }

            ngx_pylon_round_step(rd);          /* the guess was right */
            return;
        }

        /* a runtime upgrade: decode with the runtime of this spec */
        ngx_pylon_meta_release(rd->rt);
        rd->rt = NULL;
    }

    rd->rt = ngx_pylon_meta_acquire(m, spec);

    if (rd->rt != NULL) {
        if (rd->latest) {
            ngx_pylon_meta_set_head(m, rd->number, rd->rt);
        }

        ngx_pylon_round_subnets(rd);
        ngx_pylon_round_step(rd);
        return;
    }

    /* not cached: fetched (the version call's count is kept until then) */

    if (ngx_pylon_meta_load(m, rd->session, rd->hash, spec, tx,
                            ngx_pylon_round_runtime, rd)
        != NGX_OK)
    {
        ngx_pylon_round_fail(rd, "metadata", "not connected");
        ngx_pylon_round_step(rd);
    }
}


static void
ngx_pylon_round_runtime(void *data, pylon_runtime_t *rt, const char *error)
{
    ngx_pylon_round_t  *rd = data;

    if (rt == NULL) {
        ngx_pylon_round_fail(rd, "metadata", error);
        ngx_pylon_round_step(rd);
        return;
    }

    rd->rt = rt;                               /* the reference is ours */

    if (rd->latest) {
        ngx_pylon_meta_set_head(rd->refresh->helper->meta, rd->number, rt);
    }

    ngx_pylon_round_subnets(rd);
    ngx_pylon_round_step(rd);
}


const pylon_meta_t *
ngx_pylon_refresh_meta(ngx_pylon_refresh_t *r)
{
    return ngx_pylon_meta_head(r->helper->meta);
}
