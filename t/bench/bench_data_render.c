/*
 * bench_data_render.c: decoding and rendering one big subnet (make bench).
 *
 * The recorded finney block 6852690 (subnet 1, 1024 neurons, spec 343,
 * $PYLON_SHARED/fixtures) goes through pylon_subnet_render() -- every
 * body Pylon serves for it, from the raw runtime-API answers -- and the
 * best and median of the runs are printed, with the bytes produced.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/metadata.h"


#define RUNS  50


static size_t  produced;


static double
now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


static int
count(void *data, const char *route, const char *item, const uint8_t *body,
    size_t len)
{
    produced += len;

    return 0;
}


static uint8_t *
call_result(json_t *calls, const char *method, size_t *len)
{
    const char  *key, *hex;
    json_t      *resp;
    uint8_t     *out;

    json_object_foreach(calls, key, resp) {
        if (strstr(key, method) == NULL) {
            continue;
        }

        hex = json_string_value(json_object_get(resp, "result"));
        if (hex == NULL
            || pylon_hex_decode_alloc(&out, len, hex, strlen(hex)) != 0)
        {
            return NULL;
        }

        return out;
    }

    return NULL;
}


static int
cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}


int
main(void)
{
    int                    i;
    char                   path[1024], err[256], *text;
    size_t                 len, n;
    double                 t[RUNS], t0;
    uint8_t               *blob;
    json_t                *rec, *calls;
    json_error_t           je;
    pylon_meta_t          *m;
    const char            *shared;
    pylon_subnet_input_t   in;
    FILE                  *f;

    shared = getenv("PYLON_SHARED");
    if (shared == NULL) {
        shared = "../shared";
    }

    snprintf(path, sizeof(path), "%s/fixtures/metadata-v15-spec343.txt",
             shared);
    f = fopen(path, "r");
    if (f == NULL) {
        printf("bench_data_render: skipped, %s not found\n", path);
        return 0;
    }
    fseek(f, 0, SEEK_END);
    len = (size_t) ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc(len + 1);
    if (text == NULL || fread(text, 1, len, f) != len) {
        return 1;
    }
    fclose(f);
    text[len] = '\0';

    if (pylon_hex_decode_text(&blob, &n, text, len) != 0
        || pylon_meta_parse(&m, blob, n, err, sizeof(err)) != 0)
    {
        printf("bench_data_render: metadata: %s\n", err);
        return 1;
    }
    free(text);
    free(blob);

    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             shared);
    rec = json_load_file(path, 0, &je);
    calls = json_object_get(json_object_get(rec, "metagraph"), "state_call");

    memset(&in, 0, sizeof(in));
    in.meta = m;
    in.block = 6852690;
    in.hash = "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e5"
              "7329ef9d0";
    in.neurons = call_result(calls, "get_neurons_lite", &in.neurons_len);
    in.state = call_result(calls, "get_subnet_state", &in.state_len);

    if (in.neurons == NULL || in.state == NULL) {
        printf("bench_data_render: recording without the subnet calls\n");
        return 1;
    }

    for (i = 0; i < RUNS; i++) {
        produced = 0;
        t0 = now_ms();
        if (pylon_subnet_render(&in, count, NULL, err, sizeof(err)) != 0) {
            printf("bench_data_render: %s\n", err);
            return 1;
        }
        t[i] = now_ms() - t0;
    }

    qsort(t, RUNS, sizeof(double), cmp);

    printf("subnet render, 1024 neurons (neurons_lite %zu B + subnet_state "
           "%zu B -> %zu B of bodies): best %.2f ms, median %.2f ms\n",
           in.neurons_len, in.state_len, produced, t[0], t[RUNS / 2]);

    free((void *) in.neurons);
    free((void *) in.state);
    json_decref(rec);
    pylon_meta_free(m);

    return 0;
}
