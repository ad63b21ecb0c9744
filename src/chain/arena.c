/*
 * arena.c: chained bump-allocation blocks (see arena.h).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain/arena.h"


#define PYLON_ARENA_BLOCK  (64 * 1024)


typedef struct pylon_arena_block_s  pylon_arena_block_t;

struct pylon_arena_block_s {
    pylon_arena_block_t  *next;
    size_t                size;
    size_t                used;
    _Alignas(16) unsigned char  data[];
};

struct pylon_arena_s {
    pylon_arena_block_t  *head;
};


pylon_arena_t *
pylon_arena_create(void)
{
    return calloc(1, sizeof(pylon_arena_t));
}


void
pylon_arena_destroy(pylon_arena_t *a)
{
    pylon_arena_block_t  *b, *next;

    if (a == NULL) {
        return;
    }

    for (b = a->head; b; b = next) {
        next = b->next;
        free(b);
    }

    free(a);
}


void *
pylon_arena_alloc(pylon_arena_t *a, size_t n)
{
    pylon_arena_block_t  *b;
    size_t                size;
    void                 *p;

    if (n > SIZE_MAX / 2) {
        return NULL;
    }

    n = (n + 15) & ~(size_t) 15;
    b = a->head;

    if (b == NULL || b->size - b->used < n) {
        size = n > PYLON_ARENA_BLOCK ? n : PYLON_ARENA_BLOCK;

        b = malloc(sizeof(pylon_arena_block_t) + size);
        if (b == NULL) {
            return NULL;
        }

        b->size = size;
        b->used = 0;

        if (a->head && n > PYLON_ARENA_BLOCK) {
            /* keep filling the current block; park the big one behind */
            b->next = a->head->next;
            a->head->next = b;

        } else {
            b->next = a->head;
            a->head = b;
        }
    }

    p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);

    return p;
}


char *
pylon_arena_strdup(pylon_arena_t *a, const char *s, size_t len)
{
    char  *p;

    if (len == SIZE_MAX) {
        return NULL;
    }

    p = pylon_arena_alloc(a, len + 1);
    if (p == NULL) {
        return NULL;
    }

    memcpy(p, s, len);
    p[len] = '\0';

    return p;
}
