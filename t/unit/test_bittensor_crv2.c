/*
 * test_bittensor_crv2.c: the CRv2 reveal window (src/bittensor/weights.c,
 * pylon_weights_reveal_window) against subtensor's own numbers: its
 * test_get_reveal_blocks (pallets/subtensor/src/tests/weights.rs of the
 * spec-218 era) commits at block 0 on netuid 1 with tempo 5 and reveal
 * period 1 and asserts get_reveal_blocks = (4, 9); RevealTooEarly at
 * block 3, accepted at block 4.  The other cases follow its comment's
 * arithmetic (commit_epoch = (block + 2) / 6).
 */

#include <stdint.h>

#include "tap.h"
#include "bittensor/weights.h"


int
main(void)
{
    uint64_t  first, last;

    ok(pylon_weights_reveal_window(&first, &last, 0, 1, 5, 1) == 0
       && first == 4 && last == 9,
       "subtensor test_get_reveal_blocks: commit at 0 -> [4, 9]");
    ok(first > 3, "  block 3 is too early (RevealTooEarly there)");

    ok(pylon_weights_reveal_window(&first, &last, 3, 1, 5, 1) == 0
       && first == 4 && last == 9, "commit at 3 (same epoch 0) -> [4, 9]");
    ok(pylon_weights_reveal_window(&first, &last, 4, 1, 5, 1) == 0
       && first == 10 && last == 15, "commit at 4 (epoch 1) -> [10, 15]");
    ok(pylon_weights_reveal_window(&first, &last, 0, 1, 5, 2) == 0
       && first == 10 && last == 15, "reveal period 2 -> [10, 15]");
    ok(pylon_weights_reveal_window(&first, &last, 100, 0, 360, 1) == 0
       && first == 360 && last == 720, "netuid 0, tempo 360 -> [360, 720]");
    ok(pylon_weights_reveal_window(&first, &last, 100, 1, 0, 1) == -1,
       "tempo 0: no window");

    return done_testing();
}
