/*
 * test_bittensor_window.c: pylon_weights_window, the commit window of
 * pylon_weights_window offset=B buffer=B cycle=N (Pylon v0): the first
 * [epoch start + offset, epoch end - buffer] not yet passed, in an epoch
 * whose index is a multiple of cycle.  Expected values from Pylon's epoch
 * formula worked by hand (tempo 360: interval 361).
 */

#include "tap.h"
#include "bittensor/weights.h"


static void
window_is(uint64_t head, uint16_t netuid, uint32_t tempo, uint64_t offset,
    uint64_t buffer, uint64_t cycle, uint64_t want_open, uint64_t want_close,
    const char *name)
{
    uint64_t  open, close;

    ok(pylon_weights_window(&open, &close, head, netuid, tempo, offset,
                            buffer, cycle) == 0
       && open == want_open && close == want_close, name);
}


int
main(void)
{
    uint64_t  open, close;

    /* block 1000, netuid 1: epoch [719, 1080] (index 2), then [1080, 1441]
     * (index 3, a multiple of 3): window [1080 + 180, 1441 - 10] */
    window_is(1000, 1, 360, 180, 10, 3, 1260, 1431,
              "the next epoch of the cycle, default offset and buffer");
    window_is(1300, 1, 360, 180, 10, 3, 1260, 1431,
              "inside the window: the same window");
    window_is(1432, 1, 360, 180, 10, 3, 2343, 2514,
              "past its end: three epochs later");
    window_is(5000, 7, 99, 20, 5, 1, 5011, 5086, "cycle 1: every epoch");
    window_is(10, 0, 360, 180, 10, 3, 180, 349,
              "near genesis: epoch 0 counts");

    ok(pylon_weights_window(&open, &close, 1000, 1, 360, 300, 100, 3) == -1,
       "offset past the buffer: no window");
    ok(pylon_weights_window(&open, &close, 1000, 1, 360, 180, 10, 0) == -1,
       "cycle 0 is refused");
    ok(pylon_weights_window(&open, &close, 1000, 1, 0, 180, 10, 3) == -1,
       "tempo 0 is refused");

    return done_testing();
}
