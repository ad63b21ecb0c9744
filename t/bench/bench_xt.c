/*
 * bench_xt.c: cost of building signed extrinsics (-O2 library) with the
 * spec-343 metadata: a set_weights call from JSON, and the whole build
 * (call, extensions, payload, sr25519 signature, extrinsic, hash) for a
 * small (3 uids, payload signed raw) and a large (256 uids, payload signed
 * as its hash) weights vector.  Prints operations per second; no
 * pass/fail.  Needs ../shared/fixtures (or $PYLON_SHARED).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "chain/extrinsic.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "crypto/suri.h"


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
report(const char *what, long n, double secs)
{
    printf("%-40s %9.0f ops/s  (%.2f us/op, n=%ld)\n", what, n / secs,
           secs / n * 1e6, n);
}


static pylon_meta_t *
load_meta(void)
{
    char          path[1024], err[128], *text;
    const char   *shared;
    long          n;
    FILE         *f;
    size_t        len;
    uint8_t      *blob;
    pylon_meta_t *m;

    shared = getenv("PYLON_SHARED");
    snprintf(path, sizeof(path), "%s/fixtures/metadata-v15-spec343.txt",
             shared ? shared : "../shared");

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc(n);
    if (text == NULL || fread(text, 1, n, f) != (size_t) n) {
        fclose(f);
        free(text);
        return NULL;
    }
    fclose(f);

    m = NULL;
    if (pylon_hex_decode_text(&blob, &len, text, n) == 0) {
        if (pylon_meta_parse(&m, blob, len, err, sizeof(err)) != 0) {
            m = NULL;
        }
        free(blob);
    }

    free(text);
    return m;
}


static json_t *
weights_args(unsigned n)
{
    unsigned  i;
    json_t   *uids, *w;

    uids = json_array();
    w = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(uids, json_integer(i));
        json_array_append_new(w, json_integer(65535 - i));
    }

    return json_pack("{s:i, s:o, s:o, s:i}", "netuid", 1, "dests", uids,
                     "weights", w, "version_key", 0);
}


static void
bench_sign(const char *what, const pylon_meta_t *m,
    const pylon_sr25519_keypair_t *kp, unsigned nuids, long n)
{
    char               err[256];
    long               i;
    double             t;
    uint8_t            hash[32];
    json_t            *args;
    pylon_buf_t        call, xt;
    pylon_xt_params_t  p;

    memset(&p, 0, sizeof(p));
    p.spec_version = 343;
    p.tx_version = 1;
    p.period = 64;
    p.block = 6852690;

    args = weights_args(nuids);
    pylon_buf_init(&call);
    pylon_buf_init(&xt);

    t = now();
    for (i = 0; i < n; i++) {
        call.len = 0;
        xt.len = 0;
        p.nonce = (uint32_t) i;
        if (pylon_xt_call(&call, m, "SubtensorModule", "set_weights", args,
                          err, sizeof(err)) != 0
            || pylon_xt_sign(&xt, hash, m, call.data, call.len, &p, kp, NULL,
                             err, sizeof(err)) != 0)
        {
            printf("%s: %s\n", what, err);
            break;
        }
    }
    report(what, n, now() - t);

    json_decref(args);
    pylon_buf_free(&call);
    pylon_buf_free(&xt);
}


int
main(void)
{
    char                      err[256];
    long                      i, n;
    double                    t;
    json_t                   *args;
    pylon_buf_t               call;
    pylon_meta_t             *m;
    pylon_sr25519_keypair_t  *kp;

    if (sodium_init() < 0) {
        return 1;
    }

    m = load_meta();
    if (m == NULL) {
        printf("bench_xt: skipped, ../shared/fixtures not found\n");
        return 0;
    }

    kp = pylon_sr25519_keypair_new();
    pylon_suri_keypair(kp, "//Alice", NULL, err, sizeof(err));

    args = weights_args(256);
    pylon_buf_init(&call);
    n = 20000;
    t = now();
    for (i = 0; i < n; i++) {
        call.len = 0;
        pylon_xt_call(&call, m, "SubtensorModule", "set_weights", args, err,
                      sizeof(err));
    }
    report("set_weights call from JSON (256 uids)", n, now() - t);
    json_decref(args);
    pylon_buf_free(&call);

    bench_sign("signed set_weights, 3 uids (raw)", m, kp, 3, 5000);
    bench_sign("signed set_weights, 256 uids (hashed)", m, kp, 256, 5000);

    pylon_sr25519_keypair_free(kp);
    pylon_meta_free(m);
    return 0;
}
