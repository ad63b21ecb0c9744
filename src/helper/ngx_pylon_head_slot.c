/*
 * ngx_pylon_head_slot.c: one head round in flight plus the latest
 * pending head (see ngx_pylon_head_slot.h).  Plain C, nothing allocated.
 */

#include <string.h>

#include "helper/ngx_pylon_head_slot.h"


static void ngx_pylon_head_slot_copy(ngx_pylon_pending_head_t *to,
    uint64_t number, const char *hash, uint64_t seq);


int
ngx_pylon_head_slot_offer(ngx_pylon_head_slot_t *slot, uint64_t number,
    const char *hash, uint64_t seq)
{
    int  rc;

    /* the same head again (a reconnection's catch-up): nothing new */

    if (number == slot->last.number
        && strcmp(slot->last.hash, hash) == 0)
    {
        return NGX_PYLON_HEAD_SAME;
    }

    ngx_pylon_head_slot_copy(&slot->last, number, hash, 0);

    if (slot->inflight == NULL) {
        return NGX_PYLON_HEAD_START;
    }

    /* one head round at a time: this head waits, in place of the one
     * that waited before */

    rc = slot->pending.number ? NGX_PYLON_HEAD_REPLACED
                              : NGX_PYLON_HEAD_PENDING;

    ngx_pylon_head_slot_copy(&slot->pending, number, hash, seq);

    return rc;
}


void
ngx_pylon_head_slot_start(ngx_pylon_head_slot_t *slot, const void *round)
{
    slot->inflight = round;
}


int
ngx_pylon_head_slot_end(ngx_pylon_head_slot_t *slot, const void *round)
{
    if (round == NULL || slot->inflight != round) {
        return 0;
    }

    slot->inflight = NULL;

    return 1;
}


int
ngx_pylon_head_slot_next(ngx_pylon_head_slot_t *slot,
    ngx_pylon_pending_head_t *head)
{
    if (slot->inflight != NULL || slot->pending.number == 0) {
        return 0;
    }

    *head = slot->pending;
    slot->pending.number = 0;

    return 1;
}


static void
ngx_pylon_head_slot_copy(ngx_pylon_pending_head_t *to, uint64_t number,
    const char *hash, uint64_t seq)
{
    size_t  len;

    len = strnlen(hash, NGX_PYLON_HEAD_HASH_LEN - 1);

    memcpy(to->hash, hash, len);
    to->hash[len] = '\0';
    to->number = number;
    to->seq = seq;
}
