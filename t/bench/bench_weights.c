/*
 * bench_weights.c: the PUT weights path in pure C (-O2 library) - body
 * parse and validation of a 256-hotkey body (SS58-length keys), hotkey ->
 * uid translation, u16 normalisation and the CRv2 commit hash; plus a
 * malformed body (early msgspec error) and the X-Pylon-Timeout header.
 * Prints operations per second and MB/s; no pass/fail.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bittensor/request.h"
#include "bittensor/weights.h"

#define NKEYS  256


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
report(const char *what, long n, double secs, size_t bytes)
{
    printf("%-40s %9.0f ops/s  (%.2f us/op", what, n / secs, secs / n * 1e6);
    if (bytes) {
        printf(", %.0f MB/s", (double) bytes * n / secs / 1e6);
    }
    printf(", n=%ld)\n", n);
}


/* a fake 48-character SS58-looking hotkey */
static void
hotkey(char *out, int i)
{
    snprintf(out, 49, "5%047d", i * 7919);
}


int
main(void)
{
    pylon_request_line_t   line = { "PUT", "/api/v1/identity/sn1/subnet/1/"
                                    "weights", 37, NULL, 0 };
    pylon_body_t           body;
    pylon_uidmap_t        *m;
    char                  *json, *env, key[64];
    size_t                 len, envlen, k, dropped, i;
    uint16_t               uids[NKEYS], vals[NKEYS], salt[8] = { 1 };
    double                 w[NKEYS];
    unsigned char          hk[32] = { 0 }, h[32];
    uint64_t               ms;
    int                    capped;
    long                   n, r;
    double                 t;

    if (sodium_init() < 0) {
        return 1;
    }

    json = malloc(NKEYS * 80 + 32);
    len = (size_t) sprintf(json, "{\"weights\":{");
    for (i = 0; i < NKEYS; i++) {
        hotkey(key, (int) i);
        len += (size_t) sprintf(json + len, "%s\"%s\":%.6f", i ? "," : "", key,
                                (double) (i + 1) / NKEYS);
    }
    len += (size_t) sprintf(json + len, "}}");

    m = pylon_uidmap_create(NKEYS);
    for (i = 0; i < NKEYS; i++) {
        hotkey(key, (int) i);
        pylon_uidmap_put(m, key, strlen(key), (uint16_t) i);
    }

    n = 20000;
    t = now();
    for (r = 0; r < n; r++) {
        if (pylon_body_parse(&body, &env, &envlen, PYLON_BODY_WEIGHTS,
                             (unsigned char *) json, len, &line) != 0)
        {
            return 1;
        }
        pylon_body_free(&body);
    }
    report("parse+validate 256-hotkey weights body", n, now() - t, len);

    pylon_body_parse(&body, &env, &envlen, PYLON_BODY_WEIGHTS,
                     (unsigned char *) json, len, &line);

    n = 20000;
    t = now();
    for (r = 0; r < n; r++) {
        pylon_weights_translate(uids, w, &k, &dropped, body.weights,
                                body.nweights, m);
    }
    report("translate 256 hotkeys to uids", n, now() - t, 0);

    n = 200000;
    t = now();
    for (r = 0; r < n; r++) {
        pylon_weights_normalize(vals, w, k);
    }
    report("normalise 256 weights to u16", n, now() - t, 0);

    n = 100000;
    t = now();
    for (r = 0; r < n; r++) {
        pylon_weights_commit_hash(h, hk, 1, uids, vals, k, salt, 8, 9003000);
    }
    report("CRv2 commit hash, 256 uids", n, now() - t, 0);

    n = 20000;
    t = now();
    for (r = 0; r < n; r++) {
        if (pylon_body_parse(&body, &env, &envlen, PYLON_BODY_WEIGHTS,
                             (unsigned char *) json, len - 2, &line)
            != PYLON_BODY_EJSON)
        {
            return 1;
        }
        free(env);
    }
    report("truncated body (msgspec error at the end)", n, now() - t,
           len);

    n = 1000000;
    t = now();
    for (r = 0; r < n; r++) {
        pylon_timeout_parse(&ms, &capped, &env, &envlen,
                            (const unsigned char *) "60.0", 4, 60, 300);
    }
    report("X-Pylon-Timeout \"60.0\"", n, now() - t, 0);

    pylon_body_free(&body);
    pylon_uidmap_free(m);
    free(json);
    return 0;
}
