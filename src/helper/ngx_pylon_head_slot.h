/*
 * ngx_pylon_head_slot.h: one head round in flight, plus the latest
 * pending head (issue 12).  Shared by the subnet refresh
 * (ngx_pylon_refresh.c) and the v2 refresh (ngx_pylon_refresh_v2.c).
 *
 *   offer(head)   the same (number, hash) as the last head offered:
 *                 nothing new; else nothing in flight: start its round
 *                 now; else it becomes the pending head, in place of the
 *                 one pending before (a newer head, or another head at
 *                 the same height: the node's fork choice)
 *   start(round)  the round just created is the one in flight
 *   end(round)    a round ended: if it was the one in flight, none is
 *   next(head)    nothing in flight and a head pending: it is taken out
 *                 (the caller starts its round)
 *
 * What counts as a newer head (older numbers, seq order, whether a round
 * may write) stays with the callers; the slot only schedules.
 *
 * Ownership: the slot copies the heads' numbers, hashes and seqs into
 * itself and allocates nothing; a zeroed slot is empty and needs no
 * cleanup.  The in-flight round is the caller's pointer, only compared,
 * never dereferenced nor freed: the caller creates and frees its rounds
 * and calls end() before freeing the one in flight.  Head number 0
 * means "none", as before.
 *
 * Plain C (no nginx types), so that t/unit/test_head_slot.c links it
 * without nginx.
 */

#ifndef _NGX_PYLON_HEAD_SLOT_H_INCLUDED_
#define _NGX_PYLON_HEAD_SLOT_H_INCLUDED_


#include <stdint.h>


#define NGX_PYLON_HEAD_HASH_LEN  67       /* "0x", 64 hex digits, NUL */


/* what ngx_pylon_head_slot_offer() did with a head */
#define NGX_PYLON_HEAD_SAME      0        /* the last head again: dropped */
#define NGX_PYLON_HEAD_START     1        /* none in flight: start it */
#define NGX_PYLON_HEAD_PENDING   2        /* waits for the round in flight */
#define NGX_PYLON_HEAD_REPLACED  3        /* waits, and replaced the head
                                             that was pending (its round
                                             never starts) */


typedef struct {
    uint64_t                number;       /* 0: none */
    uint64_t                seq;          /* the caller's head order */
    char                    hash[NGX_PYLON_HEAD_HASH_LEN];
} ngx_pylon_pending_head_t;


typedef struct {
    const void             *inflight;     /* the caller's round; NULL:
                                             none */
    ngx_pylon_pending_head_t  pending;    /* number 0: none */
    ngx_pylon_pending_head_t  last;       /* the last head offered (seq
                                             unused) */
} ngx_pylon_head_slot_t;


/* hash is copied (truncated to NGX_PYLON_HEAD_HASH_LEN - 1 bytes) */
int ngx_pylon_head_slot_offer(ngx_pylon_head_slot_t *slot, uint64_t number,
    const char *hash, uint64_t seq);
void ngx_pylon_head_slot_start(ngx_pylon_head_slot_t *slot,
    const void *round);

/* 1: round was the one in flight (none is now), 0: another round */
int ngx_pylon_head_slot_end(ngx_pylon_head_slot_t *slot, const void *round);

/* 1: the pending head copied to *head and taken out of the slot; 0: none
 * pending, or a round in flight */
int ngx_pylon_head_slot_next(ngx_pylon_head_slot_t *slot,
    ngx_pylon_pending_head_t *head);


#endif /* _NGX_PYLON_HEAD_SLOT_H_INCLUDED_ */
