/*
 * history.c: the index of historical groups (see history.h).
 *
 * Groups live in a chained hash table keyed by (netuid, block) and on a
 * doubly linked list in use order (the sentinel's next is the least
 * recently used).  Sizes are measured by scanning the group's prefix under
 * every route that has B/ keys, so the writers need not report them; the
 * route table starts with the known routes and learns any other found at
 * load time.
 */

#include <stdlib.h>
#include <string.h>

#include "store/history.h"
#include "store/keys_v2.h"


#define PYLON_HISTORY_ROUTES  32


typedef struct pylon_group_s  pylon_group_t;

struct pylon_group_s {
    int              netuid;           /* -1: chain-wide ("-") */
    uint64_t         block;
    size_t           bytes;
    pylon_group_t   *hnext;            /* hash chain */
    pylon_group_t   *prev;             /* use order */
    pylon_group_t   *next;
};


struct pylon_history_s {
    pylon_store_t   *st;
    pylon_group_t  **buckets;
    size_t           nbuckets;
    size_t           n;
    size_t           bytes;
    size_t           evicted;
    pylon_group_t    lru;              /* sentinel */
    char            *routes[PYLON_HISTORY_ROUTES];
    size_t           nroutes;
};


typedef struct {
    size_t           keys;
    size_t           bytes;
} pylon_history_count_t;


static const char  *pylon_history_known[] = {
    PYLON_ROUTE_NEURONS, PYLON_ROUTE_VALIDATORS, PYLON_ROUTE_COMMITMENTS,
    PYLON_ROUTE_COMMITS_FULL, PYLON_ROUTE_COMMITMENT,
    PYLON_ROUTE_COMMIT_FULL, PYLON_ROUTE_CERTIFICATES,
    PYLON_ROUTE_CERTIFICATE, PYLON_ROUTE_EXTRINSIC, PYLON_ROUTE_HYPERPARAMS,
    PYLON_ROUTE_DRAND, PYLON_ROUTE_PRICES, PYLON_ROUTE_PRICE,
    PYLON_ROUTE_REVEALED, PYLON_ROUTE_REVEALED_ONE, NULL
};


static size_t
pylon_history_hash(int netuid, uint64_t block, size_t nbuckets)
{
    uint64_t  h;

    h = (block * 0x9e3779b97f4a7c15ULL) ^ (uint64_t) (netuid + 1);
    h ^= h >> 29;

    return (size_t) (h % nbuckets);
}


static pylon_group_t *
pylon_history_find(pylon_history_t *hi, int netuid, uint64_t block)
{
    pylon_group_t  *g;

    g = hi->buckets[pylon_history_hash(netuid, block, hi->nbuckets)];

    for ( /* void */ ; g; g = g->hnext) {
        if (g->netuid == netuid && g->block == block) {
            return g;
        }
    }

    return NULL;
}


static int
pylon_history_grow(pylon_history_t *hi)
{
    size_t           i, n, b;
    pylon_group_t  **nb, *g, *next;

    n = hi->nbuckets * 2;

    nb = calloc(n, sizeof(pylon_group_t *));
    if (nb == NULL) {
        return -1;
    }

    for (i = 0; i < hi->nbuckets; i++) {
        for (g = hi->buckets[i]; g; g = next) {
            next = g->hnext;
            b = pylon_history_hash(g->netuid, g->block, n);
            g->hnext = nb[b];
            nb[b] = g;
        }
    }

    free(hi->buckets);
    hi->buckets = nb;
    hi->nbuckets = n;

    return 0;
}


static void
pylon_history_unlink(pylon_group_t *g)
{
    g->prev->next = g->next;
    g->next->prev = g->prev;
}


static void
pylon_history_append(pylon_history_t *hi, pylon_group_t *g)
{
    g->prev = hi->lru.prev;
    g->next = &hi->lru;
    hi->lru.prev->next = g;
    hi->lru.prev = g;
}


/* a new group (no bytes yet), the most recently used; NULL: no memory */

static pylon_group_t *
pylon_history_add(pylon_history_t *hi, int netuid, uint64_t block)
{
    size_t          b;
    pylon_group_t  *g;

    if (hi->n >= hi->nbuckets && pylon_history_grow(hi) != 0) {
        return NULL;
    }

    g = calloc(1, sizeof(pylon_group_t));
    if (g == NULL) {
        return NULL;
    }

    g->netuid = netuid;
    g->block = block;

    b = pylon_history_hash(netuid, block, hi->nbuckets);
    g->hnext = hi->buckets[b];
    hi->buckets[b] = g;
    hi->n++;

    pylon_history_append(hi, g);

    return g;
}


static void
pylon_history_remove(pylon_history_t *hi, pylon_group_t *g)
{
    pylon_group_t  **pp;

    pp = &hi->buckets[pylon_history_hash(g->netuid, g->block, hi->nbuckets)];

    while (*pp != g) {
        pp = &(*pp)->hnext;
    }

    *pp = g->hnext;
    pylon_history_unlink(g);
    hi->n--;
    hi->bytes -= g->bytes;
    free(g);
}


pylon_history_t *
pylon_history_create(pylon_store_t *st)
{
    size_t            i;
    pylon_history_t  *hi;

    hi = calloc(1, sizeof(pylon_history_t));
    if (hi == NULL) {
        return NULL;
    }

    hi->st = st;
    hi->nbuckets = 1024;
    hi->buckets = calloc(hi->nbuckets, sizeof(pylon_group_t *));
    hi->lru.prev = &hi->lru;
    hi->lru.next = &hi->lru;

    for (i = 0; pylon_history_known[i]; i++) {
        hi->routes[i] = strdup(pylon_history_known[i]);
        if (hi->routes[i] == NULL) {
            break;
        }
        hi->nroutes++;
    }

    if (hi->buckets == NULL || pylon_history_known[i] != NULL) {
        pylon_history_free(hi);
        return NULL;
    }

    return hi;
}


void
pylon_history_free(pylon_history_t *hi)
{
    size_t          i;
    pylon_group_t  *g, *next;

    if (hi == NULL) {
        return;
    }

    for (g = hi->lru.next; g && g != &hi->lru; g = next) {
        next = g->next;
        free(g);
    }

    for (i = 0; i < hi->nroutes; i++) {
        free(hi->routes[i]);
    }

    free(hi->buckets);
    free(hi);
}


size_t
pylon_history_bytes(pylon_history_t *hi)
{
    return hi->bytes;
}


size_t
pylon_history_groups(pylon_history_t *hi)
{
    return hi->n;
}


size_t
pylon_history_evicted(pylon_history_t *hi)
{
    return hi->evicted;
}


/* "B/<route>/<netuid|->/<block10>[/item]": its parts, or -1 */

static int
pylon_history_parse(const char *key, size_t klen, const char **route,
    size_t *rlen, int *netuid, uint64_t *block)
{
    long         v;
    const char  *p, *end, *s;

    end = key + klen;

    if (klen < 2 || key[0] != 'B' || key[1] != '/') {
        return -1;
    }

    *route = key + 2;
    s = memchr(*route, '/', end - *route);
    if (s == NULL) {
        return -1;
    }
    *rlen = s - *route;

    p = s + 1;
    s = memchr(p, '/', end - p);
    if (s == NULL || s == p) {
        return -1;
    }

    if (s - p == 1 && *p == '-') {
        *netuid = -1;

    } else {
        for (v = 0; p < s; p++) {
            if (*p < '0' || *p > '9' || v > 65535) {
                return -1;
            }
            v = v * 10 + (*p - '0');
        }
        if (v > 65535) {
            return -1;
        }
        *netuid = (int) v;
    }

    p = s + 1;

    if (end - p < 10 || (end - p > 10 && p[10] != '/')) {
        return -1;
    }

    *block = 0;

    for (s = p; s < p + 10; s++) {
        if (*s < '0' || *s > '9') {
            return -1;
        }
        *block = *block * 10 + (uint64_t) (*s - '0');
    }

    return 0;
}


static int
pylon_history_learn(pylon_history_t *hi, const char *route, size_t rlen)
{
    size_t  i;
    char   *r;

    for (i = 0; i < hi->nroutes; i++) {
        if (strlen(hi->routes[i]) == rlen
            && memcmp(hi->routes[i], route, rlen) == 0)
        {
            return 0;
        }
    }

    if (hi->nroutes == PYLON_HISTORY_ROUTES) {
        return -1;
    }

    r = strndup(route, rlen);
    if (r == NULL) {
        return -1;
    }

    hi->routes[hi->nroutes++] = r;

    return 0;
}


/* load: a scan callback; memory only (the cursor is open) */

static int
pylon_history_load_key(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    pylon_history_t *hi = data;

    int             netuid;
    size_t          rlen;
    uint64_t        block;
    const char     *route;
    pylon_group_t  *g;

    (void) val;

    if (pylon_history_parse(key, klen, &route, &rlen, &netuid, &block) != 0)
    {
        return 0;
    }

    if (pylon_history_learn(hi, route, rlen) != 0) {
        return 1;
    }

    g = pylon_history_find(hi, netuid, block);
    if (g == NULL) {
        g = pylon_history_add(hi, netuid, block);
        if (g == NULL) {
            return 1;
        }
    }

    g->bytes += klen + vlen;
    hi->bytes += klen + vlen;

    return 0;
}


static int
pylon_history_by_block(const void *a, const void *b)
{
    const pylon_group_t  *x = *(pylon_group_t * const *) a;
    const pylon_group_t  *y = *(pylon_group_t * const *) b;

    if (x->block != y->block) {
        return x->block < y->block ? -1 : 1;
    }

    return x->netuid < y->netuid ? -1 : x->netuid > y->netuid;
}


int
pylon_history_load(pylon_history_t *hi)
{
    size_t           i, n;
    pylon_group_t  **all, *g;

    if (pylon_store_scan(hi->st, "B/", pylon_history_load_key, hi) < 0) {
        return -1;
    }

    /* oldest block first in line */

    if (hi->n == 0) {
        return 0;
    }

    all = malloc(hi->n * sizeof(pylon_group_t *));
    if (all == NULL) {
        return -1;
    }

    for (n = 0, g = hi->lru.next; g != &hi->lru; g = g->next) {
        all[n++] = g;
    }

    qsort(all, n, sizeof(pylon_group_t *), pylon_history_by_block);

    hi->lru.prev = &hi->lru;
    hi->lru.next = &hi->lru;

    for (i = 0; i < n; i++) {
        pylon_history_append(hi, all[i]);
    }

    free(all);

    return 0;
}


static int
pylon_history_count_key(void *data, const char *key, size_t klen,
    const void *val, size_t vlen)
{
    pylon_history_count_t  *c = data;

    (void) key;
    (void) val;

    c->keys++;
    c->bytes += klen + vlen;

    return 0;
}


/* runs fn over every key of the group, route by route; 0 or -1 */

static int
pylon_history_each(pylon_history_t *hi, int netuid, uint64_t block,
    int (*fn)(void *data, const char *key, size_t klen, const void *val,
    size_t vlen), void *data)
{
    size_t  i;
    char    prefix[PYLON_KEY_MAX];

    for (i = 0; i < hi->nroutes; i++) {
        if (pylon_key_at_block(prefix, sizeof(prefix), hi->routes[i],
                               netuid, block) == 0
            || pylon_store_scan(hi->st, prefix, fn, data) < 0)
        {
            return -1;
        }
    }

    return 0;
}


int
pylon_history_touch(pylon_history_t *hi, int netuid, uint64_t block)
{
    pylon_group_t          *g;
    pylon_history_count_t   c;

    memset(&c, 0, sizeof(c));

    if (pylon_history_each(hi, netuid, block, pylon_history_count_key, &c)
        != 0)
    {
        return -1;
    }

    g = pylon_history_find(hi, netuid, block);

    if (c.keys == 0) {
        if (g) {
            pylon_history_remove(hi, g);
        }
        return 0;
    }

    if (g == NULL) {
        g = pylon_history_add(hi, netuid, block);
        if (g == NULL) {
            return -1;
        }

    } else {
        pylon_history_unlink(g);
        pylon_history_append(hi, g);
    }

    hi->bytes -= g->bytes;
    g->bytes = c.bytes;
    hi->bytes += c.bytes;

    return 0;
}


/* deletes the group's keys from the store, then forgets it; 0 or -1 */

static int
pylon_history_delete(pylon_history_t *hi, pylon_group_t *g)
{
    size_t           j;
    pylon_keylist_t  l;

    memset(&l, 0, sizeof(l));

    if (pylon_history_each(hi, g->netuid, g->block, pylon_keylist_add, &l)
        != 0
        || pylon_store_write_begin(hi->st) != 0)
    {
        pylon_keylist_free(&l);
        return -1;
    }

    for (j = 0; j < l.n; j++) {
        if (pylon_store_del(hi->st, l.keys[j]) != 0) {
            pylon_store_write_abort(hi->st);
            pylon_keylist_free(&l);
            return -1;
        }
    }

    pylon_keylist_free(&l);

    if (pylon_store_write_commit(hi->st) != 0) {
        return -1;
    }

    pylon_history_remove(hi, g);
    hi->evicted++;

    return 0;
}


long
pylon_history_evict(pylon_history_t *hi, size_t high, size_t low)
{
    long  n;

    if (hi->bytes <= high) {
        return 0;
    }

    for (n = 0; hi->lru.next != &hi->lru && hi->bytes > low; n++) {
        if (pylon_history_delete(hi, hi->lru.next) != 0) {
            return -1;
        }
    }

    return n;
}


int
pylon_history_drop(pylon_history_t *hi, int netuid, uint64_t block)
{
    pylon_group_t  *g;

    if (pylon_history_touch(hi, netuid, block) != 0) {
        return -1;
    }

    g = pylon_history_find(hi, netuid, block);

    return g ? pylon_history_delete(hi, g) : 0;
}


long
pylon_history_drop_from(pylon_history_t *hi, uint64_t from)
{
    long            n;
    pylon_group_t  *g, *next;

    n = 0;

    for (g = hi->lru.next; g != &hi->lru; g = next) {
        next = g->next;

        if (g->block < from) {
            continue;
        }

        if (pylon_history_delete(hi, g) != 0) {
            return -1;
        }

        n++;
    }

    return n;
}
