/*
 * test_head_slot.c: one head round in flight plus the latest pending
 * head (src/helper/ngx_pylon_head_slot.c, plain C, linked directly by
 * its own Makefile rule).
 */

#include <string.h>

#include "tap.h"
#include "helper/ngx_pylon_head_slot.h"


#define H1   "0x11111111111111111111111111111111" \
             "11111111111111111111111111111111"
#define H2   "0x22222222222222222222222222222222" \
             "22222222222222222222222222222222"
#define H2B  "0x2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b" \
             "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b"
#define H3   "0x33333333333333333333333333333333" \
             "33333333333333333333333333333333"


int
main(void)
{
    int                       round_a, round_b, other;
    char                      longer[100];
    ngx_pylon_head_slot_t     slot;
    ngx_pylon_pending_head_t  next;

    memset(&slot, 0, sizeof(slot));

    /* empty slot */

    ok(!ngx_pylon_head_slot_next(&slot, &next), "empty slot: nothing next");
    is_int(ngx_pylon_head_slot_end(&slot, &round_a), 0,
           "empty slot: no round is in flight");

    /* a head with nothing in flight starts now and is not kept */

    is_int(ngx_pylon_head_slot_offer(&slot, 1, H1, 1), NGX_PYLON_HEAD_START,
           "first head: start now");
    is_int(slot.pending.number, 0, "a started head is not pending");
    is_int(slot.last.number, 1, "the last head offered is remembered");
    is_str(slot.last.hash, H1, "with its hash");

    is_int(ngx_pylon_head_slot_offer(&slot, 1, H1, 2), NGX_PYLON_HEAD_SAME,
           "the same head again (catch-up): nothing new");

    /* the caller could not create the round: nothing in flight */

    is_int(ngx_pylon_head_slot_offer(&slot, 2, H2, 3), NGX_PYLON_HEAD_START,
           "a round that never started leaves the slot free");

    /* one in flight: heads wait, the latest replaces the pending one */

    ngx_pylon_head_slot_start(&slot, &round_a);
    ok(slot.inflight == &round_a, "start marks the round in flight");

    is_int(ngx_pylon_head_slot_offer(&slot, 2, H2, 4), NGX_PYLON_HEAD_SAME,
           "the head in flight again: nothing new");
    is_int(ngx_pylon_head_slot_offer(&slot, 3, H3, 5),
           NGX_PYLON_HEAD_PENDING, "head during a round: pending");
    is_int(ngx_pylon_head_slot_offer(&slot, 2, H2B, 6),
           NGX_PYLON_HEAD_REPLACED,
           "an older or same-height fork head replaces the pending one "
           "(order is the caller's)");
    is_int(slot.pending.number, 2, "pending number is the latest head's");
    is_str(slot.pending.hash, H2B, "pending hash is the latest head's");
    is_int(slot.pending.seq, 6, "pending seq is the latest head's");

    ok(!ngx_pylon_head_slot_next(&slot, &next),
       "nothing next while a round is in flight");

    /* another round (a one-off) ending does not free the slot */

    is_int(ngx_pylon_head_slot_end(&slot, &other), 0,
           "another round's end: not the one in flight");
    ok(slot.inflight == &round_a, "the round in flight stays");
    ok(!ngx_pylon_head_slot_next(&slot, &next), "and nothing is next");

    /* the round in flight ends: the pending head is taken once */

    is_int(ngx_pylon_head_slot_end(&slot, &round_a), 1,
           "the round in flight ended");
    ok(slot.inflight == NULL, "nothing in flight");
    ok(ngx_pylon_head_slot_next(&slot, &next), "the pending head is next");
    is_int(next.number, 2, "next number");
    is_str(next.hash, H2B, "next hash");
    is_int(next.seq, 6, "next seq");
    ok(!ngx_pylon_head_slot_next(&slot, &next), "taken only once");
    is_int(slot.pending.number, 0, "no head pending");

    /* a head offered between end and next starts at once, the pending one
     * stays for the round after it */

    ngx_pylon_head_slot_start(&slot, &round_b);
    is_int(ngx_pylon_head_slot_offer(&slot, 3, H3, 7),
           NGX_PYLON_HEAD_PENDING, "pending again");
    is_int(ngx_pylon_head_slot_end(&slot, &round_b), 1, "round b ended");
    is_int(ngx_pylon_head_slot_offer(&slot, 4, H1, 8), NGX_PYLON_HEAD_START,
           "a head while nothing is in flight starts now");
    ngx_pylon_head_slot_start(&slot, &round_a);
    ok(!ngx_pylon_head_slot_next(&slot, &next),
       "the pending head waits for that round");
    is_int(slot.pending.number, 3, "and is still pending");
    is_int(ngx_pylon_head_slot_end(&slot, &round_a), 1, "round a ended");
    ok(ngx_pylon_head_slot_next(&slot, &next) && next.number == 3,
       "then the pending head is next");

    /* hashes are copied, bounded */

    memset(longer, 'f', sizeof(longer) - 1);
    longer[0] = '0';
    longer[1] = 'x';
    longer[sizeof(longer) - 1] = '\0';

    ngx_pylon_head_slot_start(&slot, &round_b);
    is_int(ngx_pylon_head_slot_offer(&slot, 9, longer, 9),
           NGX_PYLON_HEAD_PENDING, "an overlong hash is kept pending");
    longer[5] = '0';
    is_int(strlen(slot.pending.hash), NGX_PYLON_HEAD_HASH_LEN - 1,
           "truncated to the slot's size");
    ok(slot.pending.hash[5] == 'f', "a copy, not the caller's buffer");

    return done_testing();
}
