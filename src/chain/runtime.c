/*
 * runtime.c: counted runtimes and their cache (see runtime.h).
 *
 * The cache is a small array scanned linearly (a chain has a handful of
 * runtimes in reach: the head's and those of the historical blocks asked
 * for); each slot holds one reference to its runtime.
 */

#include <stdlib.h>

#include "chain/runtime.h"


struct pylon_runtimes_s {
    size_t              slots;
    uint64_t            clock;
    pylon_runtime_t   **rt;             /* slots entries, NULL: free */
};


pylon_runtime_t *
pylon_runtime_create(uint32_t spec_version, uint32_t tx_version,
    pylon_meta_t *meta)
{
    pylon_runtime_t  *rt;

    rt = calloc(1, sizeof(pylon_runtime_t));
    if (rt == NULL) {
        pylon_meta_free(meta);
        return NULL;
    }

    rt->spec_version = spec_version;
    rt->tx_version = tx_version;
    rt->meta = meta;
    rt->refs = 1;

    return rt;
}


pylon_runtime_t *
pylon_runtime_acquire(pylon_runtime_t *rt)
{
    if (rt != NULL) {
        rt->refs++;
    }

    return rt;
}


void
pylon_runtime_release(pylon_runtime_t *rt)
{
    if (rt == NULL) {
        return;
    }

    if (rt->refs > 1) {
        rt->refs--;
        return;
    }

    pylon_meta_free(rt->meta);
    free(rt);
}


pylon_runtimes_t *
pylon_runtimes_create(size_t slots)
{
    pylon_runtimes_t  *c;

    c = calloc(1, sizeof(pylon_runtimes_t));
    if (c == NULL) {
        return NULL;
    }

    c->rt = calloc(slots ? slots : 1, sizeof(pylon_runtime_t *));
    if (c->rt == NULL) {
        free(c);
        return NULL;
    }

    c->slots = slots ? slots : 1;

    return c;
}


void
pylon_runtimes_destroy(pylon_runtimes_t *c)
{
    size_t  i;

    if (c == NULL) {
        return;
    }

    for (i = 0; i < c->slots; i++) {
        pylon_runtime_release(c->rt[i]);
    }

    free(c->rt);
    free(c);
}


pylon_runtime_t *
pylon_runtimes_acquire(pylon_runtimes_t *c, uint32_t spec_version)
{
    size_t  i;

    for (i = 0; i < c->slots; i++) {
        if (c->rt[i] && c->rt[i]->spec_version == spec_version) {
            c->rt[i]->used = ++c->clock;
            return pylon_runtime_acquire(c->rt[i]);
        }
    }

    return NULL;
}


int
pylon_runtimes_put(pylon_runtimes_t *c, pylon_runtime_t *rt)
{
    size_t  i, slot;

    slot = c->slots;

    for (i = 0; i < c->slots; i++) {
        if (c->rt[i] && c->rt[i]->spec_version == rt->spec_version) {
            slot = i;                            /* replaced */
            break;
        }

        if (c->rt[i] == NULL) {
            if (slot == c->slots || c->rt[slot] != NULL) {
                slot = i;
            }

        } else if (slot == c->slots
                   || (c->rt[slot] != NULL
                       && c->rt[i]->used < c->rt[slot]->used))
        {
            slot = i;                            /* least recently used */
        }
    }

    if (c->rt[slot] == rt) {
        rt->used = ++c->clock;
        return 0;
    }

    /* the cache's reference to what leaves; its other holders keep it */
    pylon_runtime_release(c->rt[slot]);

    c->rt[slot] = pylon_runtime_acquire(rt);
    rt->used = ++c->clock;

    return 0;
}


size_t
pylon_runtimes_count(const pylon_runtimes_t *c)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < c->slots; i++) {
        n += (c->rt[i] != NULL);
    }

    return n;
}
