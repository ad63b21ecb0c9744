/*
 * bench_body.c: the request-body reader against a hostile body.
 *
 * A 1 MB JSON object whose member names all collide in the low 16 bits
 * of unseeded FNV-1a-32 (the duplicate-key check's old hash: every member
 * landed in one probe chain, seconds of work before any token was
 * checked).  Names are chains of 3-byte blocks chosen so that two choices
 * at every stage reach the same low-16-bit state (FNV's low bits depend
 * only on low bits), up to 2^15 names of 45 bytes.  Prints the time of
 * pylon_json_read() over it (members kept and deduplicated, as a login
 * body is read) and over a body of ordinary distinct names of the same
 * size; the requirement is < 20 ms.  Both pass PYLON_JSON_MAX_MEMBERS and
 * are refused part-way; the third figure is the most a body can cost when
 * read in full (as many colliding members as the cap allows).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bittensor/jsonread.h"


#define STAGES  15
#define BODY    (1 << 20)


static uint32_t
fnv_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}


/* two 3-byte blocks a, b with the same low-16 state from s; new state */

static const char  letters[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint32_t
find_pair(uint32_t s, char a[3], char b[3])
{
    static int   seen[65536][2];
    static int   stamp;
    int          x, y, z;
    uint32_t     hx, hy, hz, t;

    stamp++;

    for (x = 0; x < 52; x++) {
        hx = fnv_step(s, letters[x]);
        for (y = 0; y < 52; y++) {
            hy = fnv_step(hx, letters[y]);
            for (z = 0; z < 52; z++) {
                hz = fnv_step(hy, letters[z]);
                t = hz & 0xffff;
                if (seen[t][0] == stamp) {
                    a[0] = letters[seen[t][1] / 2704];
                    a[1] = letters[seen[t][1] / 52 % 52];
                    a[2] = letters[seen[t][1] % 52];
                    b[0] = letters[x];
                    b[1] = letters[y];
                    b[2] = letters[z];
                    return hz;
                }
                seen[t][0] = stamp;
                seen[t][1] = x * 2704 + y * 52 + z;
            }
        }
    }

    fprintf(stderr, "no pair\n");
    exit(1);
}


static size_t
colliding_body(char *out, size_t cap)
{
    char      pair[STAGES][2][3];
    uint32_t  s;
    size_t    len;
    unsigned  i, k, bit;

    s = 2166136261u;
    for (i = 0; i < STAGES; i++) {
        s = find_pair(s, pair[i][0], pair[i][1]);
    }

    len = 0;
    out[len++] = '{';

    for (k = 0; k < (1u << STAGES); k++) {
        if (len + 3 * STAGES + 8 >= cap) {
            break;
        }
        if (k) {
            out[len++] = ',';
        }
        out[len++] = '"';
        for (i = 0; i < STAGES; i++) {
            bit = (k >> i) & 1;
            memcpy(out + len, pair[i][bit], 3);
            len += 3;
        }
        memcpy(out + len, "\":1", 3);
        len += 3;
    }

    out[len++] = '}';
    return len;
}


static size_t
plain_body(char *out, size_t cap)
{
    size_t    len;
    unsigned  k;

    len = 0;
    out[len++] = '{';

    for (k = 0; len + 48 < cap; k++) {
        len += (size_t) sprintf(out + len, "%s\"key%026u\":1", k ? "," : "",
                                k);
    }

    out[len++] = '}';
    return len;
}


static char  refused[PYLON_JSON_ERR_BYTES];


static void
outcome(size_t members)
{
    if (members == 0) {
        printf("  refused: %s\n", refused);
    } else {
        printf("  read: %zu members\n", members);
    }
}


static double
ms_between(struct timespec *a, struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}


/* best of 5: CPU time (what the worker spends), *wall the wall time */

static double
time_read(const char *body, size_t len, size_t *members, double *wall)
{
    char               err[PYLON_JSON_ERR_BYTES];
    int                rc;
    double             best, ms;
    unsigned           run;
    pylon_json_t      *root;
    pylon_json_doc_t  *doc;
    struct timespec    a, b, ca, cb;

    best = 1e9;
    *wall = 1e9;

    for (run = 0; run < 5; run++) {
        clock_gettime(CLOCK_MONOTONIC, &a);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
        rc = pylon_json_read(&doc, &root, err, (const unsigned char *) body,
                             len, 1);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
        clock_gettime(CLOCK_MONOTONIC, &b);

        if (rc == PYLON_JSON_EMALFORMED) {
            /* refused: past PYLON_JSON_MAX_MEMBERS, say, a 400 */
            *members = 0;
            snprintf(refused, sizeof(refused), "%s", err);

        } else if (rc != 0) {
            fprintf(stderr, "read failed: %d\n", rc);
            exit(1);

        } else {
            *members = root->n;
            pylon_json_free(doc);
        }

        ms = ms_between(&ca, &cb);
        if (ms < best) {
            best = ms;
        }
        ms = ms_between(&a, &b);
        if (ms < *wall) {
            *wall = ms;
        }
    }

    return best;
}


int
main(void)
{
    char    *body;
    size_t   len, members;
    double   ms, wall;

    body = malloc(BODY);
    if (body == NULL) {
        return 1;
    }

    pylon_json_seed();

    len = colliding_body(body, BODY);
    ms = time_read(body, len, &members, &wall);
    printf("body reader, 1 MB of FNV-colliding keys (%zu bytes):"
           " %.2f ms CPU, %.2f ms wall (best of 5; requirement < 20 ms)\n",
           len, ms, wall);
    outcome(members);

    len = plain_body(body, BODY);
    ms = time_read(body, len, &members, &wall);
    printf("body reader, 1 MB of ordinary keys (%zu bytes):"
           " %.2f ms CPU, %.2f ms wall (best of 5)\n", len, ms, wall);
    outcome(members);

    /* the largest body read in full: PYLON_JSON_MAX_MEMBERS colliding keys */
    len = colliding_body(body, PYLON_JSON_MAX_MEMBERS * (3 * STAGES + 5) + 10);
    ms = time_read(body, len, &members, &wall);
    printf("body reader, %u FNV-colliding keys, the member cap (%zu bytes):"
           " %.2f ms CPU, %.2f ms wall (best of 5)\n",
           PYLON_JSON_MAX_MEMBERS, len, ms, wall);
    outcome(members);

    free(body);
    return 0;
}
