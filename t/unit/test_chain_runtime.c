/*
 * test_chain_runtime.c: counted runtimes and their cache (chain/runtime.h).
 *
 * Run under ASan: a runtime used after its last release, or released
 * twice, is a failure of the program, not only of a line.
 */

#include "tap.h"

#include "chain/runtime.h"


static pylon_runtime_t *
rt_new(uint32_t spec, uint32_t tx)
{
    return pylon_runtime_create(spec, tx, pylon_meta_new());
}


/* a new runtime left to the cache alone */
static void
put_new(pylon_runtimes_t *c, uint32_t spec)
{
    pylon_runtime_t  *rt;

    rt = rt_new(spec, 1);
    pylon_runtimes_put(c, rt);
    pylon_runtime_release(rt);
}


static void
test_runtime_counts(void)
{
    pylon_runtime_t  *rt;

    rt = rt_new(218, 1);
    ok(rt != NULL && rt->refs == 1 && rt->meta != NULL,
       "a new runtime has one reference, its creator's");
    is_int(rt->spec_version, 218, "spec version kept");
    is_int(rt->tx_version, 1, "transaction version kept with it");

    ok(pylon_runtime_acquire(rt) == rt && rt->refs == 2,
       "acquire gives the same runtime, one more reference");
    pylon_runtime_release(rt);
    is_int(rt->refs, 1, "release gives it back");
    pylon_runtime_release(rt);                       /* freed here */
    ok(pylon_runtime_acquire(NULL) == NULL, "acquire of NULL is NULL");
    pylon_runtime_release(NULL);
    ok(1, "release of NULL is a no-op");
}


static void
test_cache_lookup(void)
{
    pylon_runtimes_t  *c;
    pylon_runtime_t   *a, *got;

    c = pylon_runtimes_create(2);
    a = rt_new(343, 7);

    ok(pylon_runtimes_acquire(c, 343) == NULL, "empty cache: not found");
    ok(pylon_runtimes_put(c, a) == 0 && a->refs == 2,
       "the cache takes its own reference");
    pylon_runtime_release(a);                        /* only the cache's */

    got = pylon_runtimes_acquire(c, 343);
    ok(got == a && got->refs == 2, "found by spec version, held");
    is_int(got->tx_version, 7, "with its transaction version");
    ok(pylon_runtimes_acquire(c, 318) == NULL, "another spec: not found");
    pylon_runtime_release(got);

    ok(pylon_runtimes_put(c, a) == 0 && a->refs == 1,
       "putting a cached runtime again takes no second reference");

    pylon_runtimes_destroy(c);                       /* frees a */
    ok(1, "destroy releases the cached runtimes");
}


static void
test_cache_evicts_least_recent_but_holders_keep_it(void)
{
    pylon_runtimes_t  *c;
    pylon_runtime_t   *a, *b, *d, *got;

    c = pylon_runtimes_create(2);
    a = rt_new(1, 1);
    b = rt_new(2, 1);
    d = rt_new(3, 1);

    pylon_runtimes_put(c, a);
    pylon_runtimes_put(c, b);

    /* a is used again: b is now the least recent */
    got = pylon_runtimes_acquire(c, 1);
    pylon_runtime_release(got);

    pylon_runtimes_put(c, d);
    is_int(pylon_runtimes_count(c), 2, "full cache keeps its size");
    ok((got = pylon_runtimes_acquire(c, 1)) != NULL,
       "the recently used runtime stays");
    pylon_runtime_release(got);
    ok(pylon_runtimes_acquire(c, 2) == NULL,
       "the least recently used one left the cache");

    /* b's creator still holds it: valid, metadata included */
    is_int(b->refs, 1, "an evicted runtime lives on with its holder");
    ok(b->meta != NULL && b->spec_version == 2,
       "its metadata is still there (ASan would say otherwise)");
    pylon_runtime_release(b);

    /* a held runtime pushed out by many others is still valid */
    got = pylon_runtimes_acquire(c, 3);
    put_new(c, 4);
    pylon_runtime_release(pylon_runtimes_acquire(c, 4));
    put_new(c, 5);
    pylon_runtime_release(pylon_runtimes_acquire(c, 5));
    put_new(c, 6);
    ok(pylon_runtimes_acquire(c, 3) == NULL && got->spec_version == 3
       && got->meta != NULL, "held across evictions: still usable");
    pylon_runtime_release(got);

    pylon_runtime_release(a);
    pylon_runtime_release(d);
    pylon_runtimes_destroy(c);
}


static void
test_cache_replaces_same_spec(void)
{
    pylon_runtimes_t  *c;
    pylon_runtime_t   *a, *a2, *got;

    c = pylon_runtimes_create(4);
    a = rt_new(9, 1);
    a2 = rt_new(9, 2);

    pylon_runtimes_put(c, a);
    pylon_runtimes_put(c, a2);
    is_int(pylon_runtimes_count(c), 1, "one runtime per spec version");
    got = pylon_runtimes_acquire(c, 9);
    ok(got == a2, "the newer one replaced it");
    ok(a->refs == 1, "the replaced one is left to its holder");
    pylon_runtime_release(got);
    pylon_runtime_release(a);
    pylon_runtime_release(a2);
    pylon_runtimes_destroy(c);
}


int
main(void)
{
    test_runtime_counts();
    test_cache_lookup();
    test_cache_evicts_least_recent_but_holders_keep_it();
    test_cache_replaces_same_spec();

    return done_testing();
}
