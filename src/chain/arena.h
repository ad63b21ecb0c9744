/*
 * arena.h: a bump allocator for data that lives and dies together (a
 * parsed metadata registry).  Blocks of 64 KB (or larger for big requests)
 * are chained; everything is freed at once by pylon_arena_destroy().
 */

#ifndef PYLON_CHAIN_ARENA_H
#define PYLON_CHAIN_ARENA_H

#include <stddef.h>


typedef struct pylon_arena_s  pylon_arena_t;


/* a new empty arena, or NULL */
pylon_arena_t *pylon_arena_create(void);

/* free every block; NULL is fine */
void pylon_arena_destroy(pylon_arena_t *a);

/* n zeroed bytes aligned to 16, or NULL (n may be 0) */
void *pylon_arena_alloc(pylon_arena_t *a, size_t n);

/* a NUL-terminated copy of len bytes of s, or NULL */
char *pylon_arena_strdup(pylon_arena_t *a, const char *s, size_t len);

#endif /* PYLON_CHAIN_ARENA_H */
