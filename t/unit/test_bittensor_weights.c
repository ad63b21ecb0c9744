/*
 * test_bittensor_weights.c: weights maths against chain.md section 10 and
 * 11.1 (the CRv2 commit-hash vectors) and pylon-api.md section 5.2.
 * Normalisation vectors were derived with Python's
 * round(w / max(ws) * 65535); (1/6) * 65535 is exactly 10922.5 in double,
 * where half-to-even (10922) and half-away (10923) differ.
 */

#include <math.h>
#include <sodium.h>

#include "tap.h"
#include "bittensor/weights.h"

static const char  *alice_hex =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";


static void
norm_is(const double *w, size_t n, const uint16_t *want, const char *name)
{
    uint16_t  out[16];
    size_t    i;
    int       same;

    same = (pylon_weights_normalize(out, w, n) == 0);
    for (i = 0; same && i < n; i++) {
        if (out[i] != want[i]) {
            diag("index %zu: got %u want %u", i, out[i], want[i]);
            same = 0;
        }
    }
    ok(same, "%s", name);
}


static void
test_normalize(void)
{
    uint16_t  out[4];

    {
        double    w[] = { 0.1, 0.2, 0.3, 0.7, 1.3 };
        uint16_t  e[] = { 5041, 10082, 15123, 35288, 65535 };
        norm_is(w, 5, e, "normalize: max-normalised, rounded");
    }
    {
        double    w[] = { 0.5, 0.25, 0.125, 1e-9, 0.0 };
        uint16_t  e[] = { 65535, 32768, 16384, 0, 0 };
        norm_is(w, 5, e, "normalize: zeros kept, tiny rounds to 0");
    }
    {
        double    w[] = { 1, 6 };
        uint16_t  e[] = { 10922, 65535 };
        norm_is(w, 2, e, "normalize: 10922.5 rounds half to even");
    }
    {
        double    w[] = { 3, 10 };
        uint16_t  e[] = { 19660, 65535 };
        norm_is(w, 2, e, "normalize: 19660.5 rounds half to even");
    }
    {
        double    w[] = { 1, 2 };
        uint16_t  e[] = { 32768, 65535 };
        norm_is(w, 2, e, "normalize: 32767.5 rounds half to even (up)");
    }
    {
        double    w[] = { 0, 0, 0 };
        uint16_t  e[] = { 0, 0, 0 };
        norm_is(w, 3, e, "normalize: all zero stays zero");
    }
    {
        double    w[] = { 5e300, 1e300 };
        uint16_t  e[] = { 65535, 13107 };
        norm_is(w, 2, e, "normalize: huge weights");
    }
    {
        double  w[] = { 1, -1 };
        ok(pylon_weights_normalize(out, w, 2) == -1, "normalize: negative");
    }
    {
        double  w[] = { NAN };
        ok(pylon_weights_normalize(out, w, 1) == -1, "normalize: nan");
    }
    {
        double  w[] = { INFINITY, 1 };
        ok(pylon_weights_normalize(out, w, 2) == -1, "normalize: inf");
    }
}


static void
test_translate(void)
{
    pylon_uidmap_t  *m;
    pylon_weight_t   w[5];
    uint16_t         uids[5], uid;
    double           vals[5];
    size_t           n, dropped;

    m = pylon_uidmap_create(2);
    ok(m != NULL, "uidmap: created");

    ok(pylon_uidmap_put(m, "5Alice", 6, 0) == 0, "uidmap: put");
    pylon_uidmap_put(m, "5Bob", 4, 7);
    pylon_uidmap_put(m, "5Carol", 6, 3);
    pylon_uidmap_put(m, "5Bob", 4, 9);
    is_int(pylon_uidmap_count(m), 3, "uidmap: a repeated hotkey counted once");
    ok(pylon_uidmap_get(m, "5Bob", 4, &uid) == 0 && uid == 9,
       "uidmap: repeated hotkey keeps the last uid");
    ok(pylon_uidmap_get(m, "5Bo", 3, &uid) == -1, "uidmap: prefix misses");

    {
        char  key[32];
        int   i, good;

        for (i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "hk%d", i);
            pylon_uidmap_put(m, key, strlen(key), (uint16_t) (i + 100));
        }
        good = 1;
        for (i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "hk%d", i);
            if (pylon_uidmap_get(m, key, strlen(key), &uid) != 0
                || uid != i + 100)
            {
                good = 0;
            }
        }
        ok(good, "uidmap: 1000 hotkeys survive growth");
    }

    w[0].hotkey = "5Carol"; w[0].hotkey_len = 6; w[0].weight = 0.5;
    w[1].hotkey = "5Nobody"; w[1].hotkey_len = 7; w[1].weight = 1.0;
    w[2].hotkey = "5Alice"; w[2].hotkey_len = 6; w[2].weight = 0.25;
    w[3].hotkey = "5Eve"; w[3].hotkey_len = 4; w[3].weight = 1.0;
    w[4].hotkey = "5Bob"; w[4].hotkey_len = 4; w[4].weight = 2.0;

    ok(pylon_weights_translate(uids, vals, &n, &dropped, w, 5, m) == 0,
       "translate: ok");
    is_int(n, 3, "translate: known hotkeys kept");
    is_int(dropped, 2, "translate: unknown hotkeys counted");
    ok(uids[0] == 3 && uids[1] == 0 && uids[2] == 9,
       "translate: request order");
    ok(vals[0] == 0.5 && vals[1] == 0.25 && vals[2] == 2.0,
       "translate: weights follow");

    pylon_uidmap_put(m, "5Alias", 6, 3);
    w[1].hotkey = "5Alias"; w[1].hotkey_len = 6; w[1].weight = 0.75;
    pylon_weights_translate(uids, vals, &n, &dropped, w, 5, m);
    ok(n == 3 && uids[0] == 3 && vals[0] == 0.75,
       "translate: a uid met twice keeps first place, last weight");

    ok(pylon_weights_translate(uids, vals, &n, &dropped, w, 0, m) == 0
       && n == 0 && dropped == 0, "translate: nothing in, nothing out");

    {
        pylon_weights_plan_t  plan;

        ok(pylon_weights_plan(&plan, w, 5, m) == 0, "plan: built");
        ok(plan.n == 3 && plan.dropped == 1 && plan.uids[0] == 3
           && plan.uids[1] == 0 && plan.uids[2] == 9,
           "plan: uids in request order, unknown dropped");
        /* 0.75, 0.25, 2.0 over max 2.0: 24576.25, 8191.875, 65535 */
        ok(plan.values[0] == 24576 && plan.values[1] == 8192
           && plan.values[2] == 65535, "plan: normalised");
        pylon_weights_plan_free(&plan);

        w[2].weight = -1;
        ok(pylon_weights_plan(&plan, w, 5, m) == -1 && plan.uids == NULL,
           "plan: a negative weight refused, nothing to free");
        w[2].weight = 0.25;

        ok(pylon_weights_plan(&plan, w + 1, 1, m) == 0 && plan.n == 1,
           "plan: one weight");
        pylon_weights_plan_free(&plan);
    }

    pylon_uidmap_free(m);
}


static void
test_epoch(void)
{
    int64_t   s;
    uint64_t  e;

    /* expectations from Pylon's get_epoch_containing_block in Python */
    pylon_weights_epoch(&s, &e, 1000, 1, 360);
    ok(s == 719 && e == 1080, "epoch: block 1000 netuid 1");
    pylon_weights_epoch(&s, &e, 719, 1, 360);
    ok(s == 719 && e == 1080, "epoch: next == block starts an epoch");
    pylon_weights_epoch(&s, &e, 4920351, 1, 360);
    ok(s == 4920066 && e == 4920427, "epoch: a finney-sized block");
    pylon_weights_epoch(&s, &e, 0, 0, 360);
    ok(s == -2 && e == 359, "epoch: genesis, negative start as Python");
    pylon_weights_epoch(&s, &e, 360, 0, 360);
    ok(s == 359 && e == 720, "epoch: netuid 0");
    pylon_weights_epoch(&s, &e, 100, 5, 10);
    ok(s == 92 && e == 103, "epoch: tempo 10");
    pylon_weights_epoch(&s, &e, 4920351, 277, 99);
    ok(s == 4920321 && e == 4920421, "epoch: netuid 277 tempo 99");
    ok(pylon_weights_epoch(&s, &e, 1, 1, 0) == -1, "epoch: tempo 0 refused");

    ok(!pylon_weights_tempo_ended(1080, 1080), "tempo: head == end runs");
    ok(pylon_weights_tempo_ended(1081, 1080), "tempo: head > end stops");
}


static void
test_retry_and_version(void)
{
    double  want1[] = { 1, 2, 4, 8, 10, 10, 10 };
    double  want3[] = { 3, 3, 4, 8, 16, 30, 30 };
    int     i, good;

    good = 1;
    for (i = 0; i < 7; i++) {
        good &= (pylon_retry_wait(i + 1, 1) == want1[i]);
        good &= (pylon_retry_wait(i + 1, 3) == want3[i]);
    }
    ok(good, "retry: tenacity wait_exponential(min=D, max=10D)");
    ok(pylon_retry_wait(5, 0) == 0, "retry: delay 0 never waits");
    is_int(pylon_retry_total(200), 201, "retry: 200 extra attempts = 201");

    ok(pylon_weights_version_key(PYLON_WEIGHTS_VERSION_KEY, 0) == 9003000,
       "version: configured when the chain asks 0");
    ok(pylon_weights_version_key(9003000, 10002000) == 10002000,
       "version: chain's weights_version when larger");
    is_int(pylon_weights_netuid_index(1, 1), 4097, "netuid index 4097");
    is_int(pylon_weights_netuid_index(277, 0), 277, "netuid index mecid 0");
}


static void
test_commit_hash(void)
{
    unsigned char  alice[32], h[32], pre[128];
    uint16_t       uids[] = { 0, 1, 5 }, vals[] = { 65535, 32768, 1 };
    uint16_t       salt[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    size_t         len;

    sodium_hex2bin(alice, 32, alice_hex, 64, NULL, NULL, NULL);

    ok(pylon_weights_commit_preimage(pre, sizeof(pre), &len, alice, 1, uids,
                                     vals, 3, salt, 8, 0) == 0,
       "commit: preimage");
    is_int(len, pylon_weights_commit_preimage_len(3, 8), "commit: length");
    is_hex(pre, len,
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
           "0100" "0c000001000500" "0cffff00800100"
           "2001000200030004000500060007000800" "0000000000000000",
           "commit: preimage as chain.md 11.1 (its text drops the salt's "
           "last 00; the hash below is the check)");

    pylon_weights_commit_hash(h, alice, 1, uids, vals, 3, salt, 8, 0);
    is_hex(h, 32,
           "0fb6714ea8c3cb929f0d11ecb7073dae9b07a85c7ea4d4341d7408b47a5a81e5",
           "commit: hash vector (netuid index 1)");

    pylon_weights_commit_hash(h, alice, pylon_weights_netuid_index(1, 1),
                              uids, vals, 3, salt, 8, 0);
    is_hex(h, 32,
           "c2b305bea44c1b732cec5095b6510d612ea1ea31d87f418be5890b6539b4da62",
           "commit: hash vector (mecid 1, index 4097)");

    ok(pylon_weights_commit_preimage(pre, 10, &len, alice, 1, uids, vals, 3,
                                     salt, 8, 0) == -1,
       "commit: short buffer refused");

    {
        static uint16_t  big[100];
        unsigned char    *p;
        size_t           cap;

        cap = pylon_weights_commit_preimage_len(100, 0);
        p = malloc(cap);
        pylon_weights_commit_preimage(p, cap, &len, alice, 1, big, big, 100,
                                      NULL, 0, 9003000);
        is_hex(p + 34, 2, "9101", "commit: 100 uids take a 2-byte compact");
        is_hex(p + len - 8, 8, "f85f890000000000",
               "commit: version key u64 little-endian");
        free(p);
    }
}


int
main(void)
{
    if (sodium_init() < 0) {
        skip_all("libsodium unavailable");
    }

    test_normalize();
    test_translate();
    test_epoch();
    test_retry_and_version();
    test_commit_hash();

    return done_testing();
}
