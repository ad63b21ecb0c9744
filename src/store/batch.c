/*
 * batch.c: records made ready before the write transaction (see batch.h).
 *
 * Each entry owns one malloc()ed block holding its key and body, plus the
 * gzip copy pylon_store_gzip() returned; put copies them into the map.
 */

#include <stdlib.h>
#include <string.h>

#include "store/batch.h"


typedef struct {
    char       *key;         /* NUL-terminated, then the body */
    u_char     *body;
    size_t      len;
    u_char     *gz;          /* NULL: no copy */
    size_t      gzlen;
    uint64_t    block;
} pylon_batch_rec_t;


struct pylon_batch_s {
    pylon_store_t      *st;
    pylon_batch_rec_t  *recs;
    size_t              n;
    size_t              cap;
};


pylon_batch_t *
pylon_batch_create(pylon_store_t *st)
{
    pylon_batch_t  *b;

    b = calloc(1, sizeof(pylon_batch_t));
    if (b == NULL) {
        return NULL;
    }

    b->st = st;

    return b;
}


int
pylon_batch_add(pylon_batch_t *b, const char *key, uint64_t block,
    const void *body, size_t len)
{
    size_t              klen, cap;
    pylon_batch_rec_t  *rec, *recs;

    if (b->n == b->cap) {
        cap = b->cap ? b->cap * 2 : 16;
        recs = realloc(b->recs, cap * sizeof(pylon_batch_rec_t));
        if (recs == NULL) {
            return -1;
        }
        b->recs = recs;
        b->cap = cap;
    }

    rec = &b->recs[b->n];
    klen = strlen(key);

    rec->key = malloc(klen + 1 + len);
    if (rec->key == NULL) {
        return -1;
    }

    memcpy(rec->key, key, klen + 1);
    rec->body = (u_char *) rec->key + klen + 1;
    if (len) {
        memcpy(rec->body, body, len);
    }

    rec->len = len;
    rec->block = block;
    rec->gzlen = 0;
    rec->gz = pylon_store_gzip(b->st, key, body, len, &rec->gzlen);

    b->n++;

    return 0;
}


int
pylon_batch_put(pylon_batch_t *b)
{
    size_t              i;
    pylon_batch_rec_t  *rec;

    for (i = 0; i < b->n; i++) {
        rec = &b->recs[i];

        if (pylon_store_put_gz(b->st, rec->key, rec->block, 0, rec->body,
                               rec->len, rec->gz, rec->gzlen)
            != 0)
        {
            return -1;
        }
    }

    return 0;
}


size_t
pylon_batch_count(const pylon_batch_t *b)
{
    return b->n;
}


void
pylon_batch_truncate(pylon_batch_t *b, size_t n)
{
    while (b->n > n) {
        b->n--;
        free(b->recs[b->n].key);
        free(b->recs[b->n].gz);
    }
}


void
pylon_batch_free(pylon_batch_t *b)
{
    size_t  i;

    if (b == NULL) {
        return;
    }

    for (i = 0; i < b->n; i++) {
        free(b->recs[i].key);
        free(b->recs[i].gz);
    }

    free(b->recs);
    free(b);
}
