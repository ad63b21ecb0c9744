/*
 * test_store_history.c: the index of historical groups (store/history.h)
 * tracks every group, however many, so eviction bounds the B/ bytes that
 * are really in the map (the old fixed table of 4096 forgot the rest and
 * left their keys for good), and a reorg drops the groups above a block.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "store/history.h"


#define GROUPS  5000          /* past the old limit of 4096 */
#define XTS     100


typedef struct {
    size_t    keys;
    size_t    bytes;
    uint64_t  max_block;
    uint64_t  min_block;
} sum_t;


static int
sum_key(void *data, const char *key, size_t klen, const void *val,
    size_t vlen)
{
    sum_t       *s = data;
    uint64_t     b;
    const char  *p;

    (void) val;

    s->keys++;
    s->bytes += klen + vlen;

    /* the block: the 10 digits after the third '/' */
    p = strchr(key + 2, '/');
    p = p ? strchr(p + 1, '/') : NULL;
    if (p) {
        b = strtoull(p + 1, NULL, 10);
        if (b > s->max_block) {
            s->max_block = b;
        }
        if (b < s->min_block) {
            s->min_block = b;
        }
    }

    return 0;
}


static sum_t
sum(pylon_store_t *st, const char *prefix)
{
    sum_t  s;

    memset(&s, 0, sizeof(s));
    s.min_block = (uint64_t) -1;
    (void) pylon_store_scan(st, prefix, sum_key, &s);

    return s;
}


static int
fill(pylon_store_t *st)
{
    int      rc;
    char     key[PYLON_KEY_MAX], body[200];
    uint64_t b;

    memset(body, 'x', sizeof(body));
    rc = pylon_store_write_begin(st);

    for (b = 0; rc == 0 && b < GROUPS; b++) {
        pylon_key_at_block(key, sizeof(key), PYLON_ROUTE_NEURONS, 1, b);
        rc = pylon_store_put(st, key, b, 0, body, sizeof(body));
        pylon_key_at_block_item(key, sizeof(key), PYLON_ROUTE_COMMITMENT, 1,
                                b, "5Hotkey");
        rc |= pylon_store_put(st, key, b, 0, body, 50);
    }

    for (b = 0; rc == 0 && b < XTS; b++) {
        pylon_key_at_block_item(key, sizeof(key), PYLON_ROUTE_EXTRINSIC,
                                PYLON_NETUID_NONE, b * 10, "0");
        rc = pylon_store_put(st, key, b * 10, 0, body, 80);
    }

    rc |= pylon_store_put(st, "L/neurons/1", GROUPS, 0, body, sizeof(body));

    if (rc != 0) {
        pylon_store_write_abort(st);
        return -1;
    }

    return pylon_store_write_commit(st);
}


int
main(void)
{
    long              n;
    char              dir[] = "/tmp/pylon-history-XXXXXX", cmd[64];
    char              err[PYLON_STORE_ERRLEN], key[PYLON_KEY_MAX];
    sum_t             s, s2;
    size_t            before;
    pylon_store_t    *st;
    pylon_record_t    rec;
    pylon_history_t  *hi;

    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return done_testing();
    }

    st = pylon_store_open(dir, 64 << 20, err, sizeof(err));
    if (!ok(st != NULL, "store opens")) {
        diag("%s", err);
        return done_testing();
    }

    ok(fill(st) == 0, "%d subnet groups and %d extrinsic groups written",
       GROUPS, XTS);

    hi = pylon_history_create(st);
    ok(hi != NULL, "index created");
    ok(pylon_history_load(hi) == 0, "index loaded from the store");

    s = sum(st, "B/");
    is_int((int) pylon_history_groups(hi), GROUPS + XTS,
           "every group is indexed, past 4096");
    is_int((int) pylon_history_bytes(hi), (int) s.bytes,
           "the index holds every B/ byte in the store");

    /* evict down to a quarter: what remains in the store is bounded */

    n = pylon_history_evict(hi, s.bytes / 2, s.bytes / 4);
    ok(n > 0, "eviction deleted %ld groups", n);

    s2 = sum(st, "B/");
    ok(s2.bytes <= s.bytes / 4, "B/ bytes in the store (%zu) under the low "
       "mark (%zu)", s2.bytes, s.bytes / 4);
    is_int((int) pylon_history_bytes(hi), (int) s2.bytes,
           "the index agrees with the store after eviction");
    is_int((int) sum(st, "B/neurons/1/").max_block, GROUPS - 1,
           "the newest block stays");
    ok(sum(st, "B/neurons/1/").min_block > 0, "the oldest block went");
    ok(pylon_store_read(st, "L/neurons/1", &rec) == PYLON_STORE_OK,
       "latest records are never evicted");
    pylon_store_read_end(st);

    ok(pylon_history_evict(hi, s.bytes / 2, s.bytes / 4) == 0,
       "under the high mark nothing more goes");

    /* a new group, then a group fetched again */

    before = pylon_history_bytes(hi);
    pylon_key_at_block(key, sizeof(key), PYLON_ROUTE_VALIDATORS, 7, 9000);
    ok(pylon_store_write_begin(st) == 0
       && pylon_store_put(st, key, 9000, 0, "{}", 2) == 0
       && pylon_store_write_commit(st) == 0, "a new group written");
    ok(pylon_history_touch(hi, 7, 9000) == 0, "touched");
    is_int((int) (pylon_history_bytes(hi) - before),
           (int) sum(st, "B/validators/7/").bytes,
           "its bytes are counted");
    ok(pylon_history_touch(hi, 7, 9000) == 0
       && pylon_history_bytes(hi) - before == sum(st, "B/validators/7/").bytes,
       "touching again does not count it twice");
    ok(pylon_history_touch(hi, 8, 1) == 0
       && pylon_history_bytes(hi) - before == sum(st, "B/validators/7/").bytes,
       "touching a group with no keys adds nothing");

    /* one group read from an orphaned fork: only it goes */

    before = pylon_history_groups(hi);
    ok(pylon_history_drop(hi, 1, 4000) == 0, "group 4000 dropped");
    is_int((int) sum(st, "B/neurons/1/0000004000").keys, 0,
           "its keys are gone");
    is_int((int) (before - pylon_history_groups(hi)), 1,
           "the other groups stay");

    /* a reorg at block 4990: nothing at or above it is left */

    n = pylon_history_drop_from(hi, 4990);
    ok(n == 11, "drop from 4990 deleted %ld groups (4990..4999 and 9000)", n);
    s2 = sum(st, "B/");
    ok(s2.max_block < 4990, "no B/ key at or above 4990 (max %llu)",
       (unsigned long long) s2.max_block);
    is_int((int) pylon_history_bytes(hi), (int) s2.bytes,
           "the index agrees with the store after the drop");

    pylon_history_free(hi);

    /* a fresh index over what is left sees the same */

    hi = pylon_history_create(st);
    ok(hi && pylon_history_load(hi) == 0
       && pylon_history_bytes(hi) == s2.bytes, "a reload counts the same");
    pylon_history_free(hi);

    pylon_store_close(st);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        diag("cleanup failed");
    }

    return done_testing();
}
