/*
 * test_bittensor_crv4.c: the epoch arithmetic behind a CRv4 reveal round
 * (src/bittensor/crv4.c), checked against subtensor's own numbers.
 *
 * Legacy schedule: blocks_until_next_epoch(netuid, tempo, block) as
 * subtensor's tests assert it (pallets/subtensor/src/tests/emission.rs of
 * the spec-218 era: (1, 10, 5) -> 3, (2, 20, 15) -> 2, ...); the next
 * epoch starts one block after that.
 *
 * Dynamic tempo (spec 423 on): get_next_epoch_start_block as its tests
 * assert it (tests/tempo_control.rs: LastEpochBlock 100, tempo 50 -> 150;
 * PendingEpochAt 120 -> 120; PendingEpochAt 200 -> 150), and as the
 * upgrade seeds it (migrations/migrate_dynamic_tempo.rs: LastEpochBlock
 * is set so that the first new epoch fires where the legacy one would,
 * block + blocks_until_next_epoch).  The reveal round from that answer
 * is worked out by hand below.
 */

#include <stdint.h>

#include "tap.h"
#include "bittensor/crv4.h"


#define NOW      1700000000LL
#define GENESIS  1692803367LL


/* (netuid, tempo, block) -> blocks_until_next_epoch, from emission.rs */
static const struct {
    uint16_t  netuid, tempo;
    uint64_t  block, until;
} legacy[] = {
    { 1, 10, 5, 3 }, { 2, 20, 15, 2 }, { 3, 30, 25, 1 },
    { 1, 10, 9, 10 }, { 2, 20, 21, 17 },
    { 1, 10, 5, 3 }, { 2, 10, 5, 2 }, { 3, 10, 5, 1 },
};


static void
legacy_next_epoch(void)
{
    size_t    i;
    uint64_t  next;

    for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
        next = pylon_crv4_next_epoch_legacy(legacy[i].block,
                                            legacy[i].netuid,
                                            legacy[i].tempo);
        is_int(next, legacy[i].block + legacy[i].until + 1,
               "legacy next epoch start (netuid %u, tempo %u, block %u)",
               legacy[i].netuid, legacy[i].tempo,
               (unsigned) legacy[i].block);

        /* the epoch index (block + netuid + 1) / (tempo + 1) steps there */
        is_int((next + legacy[i].netuid + 1) / (legacy[i].tempo + 1),
               (legacy[i].block + legacy[i].netuid + 1)
               / (legacy[i].tempo + 1) + 1, "  its epoch index is the next");
    }

    ok(pylon_crv4_next_epoch_legacy(100, 1, 0) == UINT64_MAX,
       "tempo 0: no next epoch");
}


/* the legacy formula is generate_commit's, on any input */

static void
legacy_round_is_generate_commit(void)
{
    int       bad;
    uint16_t  netuid, tempo;
    uint64_t  i, block, period, x;

    bad = 0;
    x = 88172645463325252ULL;

    for (i = 0; i < 2000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        block = x % 10000000;
        netuid = (uint16_t) (x >> 24);
        tempo = (uint16_t) ((x >> 40) % 2000 + 1);
        period = (x >> 56) % 5 + 1;

        if (pylon_crv4_reveal_round(block, netuid, tempo, period, NOW)
            != pylon_crv4_round_at(block,
                   pylon_crv4_first_reveal_block(
                       pylon_crv4_next_epoch_legacy(block, netuid, tempo),
                       (uint64_t) tempo + 1, period),
                   NOW))
        {
            bad++;
        }
    }

    is_int(bad, 0, "legacy reveal round = round at the first block of "
           "epoch E + period (2000 random cases)");
}


/* reveal rounds from get_next_epoch_start_block's answers */

static void
dynamic_round(void)
{
    /*
     * tempo_control.rs: LastEpochBlock 100, tempo 50 -> 150.  At block
     * 120, reveal period 1: first reveal block 150, target 153, 33
     * blocks of 12 s ahead: (NOW + 396 - GENESIS) / 3 = 2399009.67.
     */
    is_int(pylon_crv4_reveal_round_from_epoch(120, 150, 50, 1, NOW),
           2399009, "next epoch 150 (LastEpochBlock 100 + tempo 50), "
           "period 1");
    is_int(pylon_crv4_reveal_round_from_epoch(120, 150, 50, 1, NOW),
           (NOW + (153 - 120) * 12 - GENESIS) / 3, "  = by the formula");

    /* reveal period 3: two more epochs of tempo (not tempo + 1) blocks */
    is_int(pylon_crv4_first_reveal_block(150, 50, 3), 250,
           "period 3: first reveal block 150 + 2 * 50");
    is_int(pylon_crv4_reveal_round_from_epoch(120, 150, 50, 3, NOW),
           2399409, "  its round");

    /* PendingEpochAt 120 < 150: the owner's epoch is next (block 110) */
    is_int(pylon_crv4_reveal_round_from_epoch(110, 120, 50, 2, NOW),
           2399129, "next epoch 120 (PendingEpochAt), period 2: first "
           "reveal 170");

    /* PendingEpochAt 200 > 150: ignored, same as without it */
    is_int(pylon_crv4_reveal_round_from_epoch(120, 150, 50, 1, NOW),
           pylon_crv4_round_at(120, 150, NOW), "PendingEpochAt 200: 150");

    /* period 0 counts as 1 */
    is_int(pylon_crv4_reveal_round_from_epoch(120, 150, 50, 0, NOW),
           pylon_crv4_reveal_round_from_epoch(120, 150, 50, 1, NOW),
           "period 0 is period 1");

    /* before genesis the round is 1 */
    is_int(pylon_crv4_round_at(10, 20, GENESIS - 1000), 1,
           "a time before drand genesis: round 1");
}


/*
 * At the upgrade block the runtime seeds LastEpochBlock so that its next
 * epoch fires where the legacy epoch would run: block + blocks_until,
 * one block before the legacy formula's epoch start (the legacy index
 * steps the block after the epoch ran).  The two reveal rounds are 12 s
 * = 4 drand rounds apart, and drift a block further every epoch after.
 */

static void
dynamic_vs_legacy_at_the_upgrade(void)
{
    size_t    i;
    uint64_t  b, dyn_next;
    uint16_t  n, t;

    for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
        b = legacy[i].block;
        n = legacy[i].netuid;
        t = legacy[i].tempo;
        dyn_next = b + legacy[i].until;        /* migrate_dynamic_tempo */

        is_int(pylon_crv4_next_epoch_legacy(b, n, t), dyn_next + 1,
               "upgrade (netuid %u, tempo %u, block %u): runtime next "
               "epoch %u is one before the legacy one", n, t, (unsigned) b,
               (unsigned) dyn_next);
        is_int(pylon_crv4_reveal_round(b, n, t, 1, NOW)
               - pylon_crv4_reveal_round_from_epoch(b, dyn_next, t, 1, NOW),
               4, "  period 1: the legacy round is 4 rounds later");
        is_int(pylon_crv4_reveal_round(b, n, t, 2, NOW)
               - pylon_crv4_reveal_round_from_epoch(b, dyn_next, t, 2, NOW),
               8, "  period 2: 8 rounds later (epochs 1 block shorter)");
    }
}


static void
option_u64(void)
{
    uint64_t             v;
    const unsigned char  some[9] = { 1, 0x96, 0, 0, 0, 0, 0, 0, 0 };
    const unsigned char  big[9] = { 1, 1, 2, 3, 4, 5, 6, 7, 8 };
    const unsigned char  none[1] = { 0 };
    const unsigned char  bad[2] = { 2, 0 };

    ok(pylon_crv4_option_u64(&v, some, 9) == 1 && v == 150,
       "Some(150) as the runtime encodes it");
    ok(pylon_crv4_option_u64(&v, big, 9) == 1
       && v == 0x0807060504030201ULL, "little-endian u64");
    ok(pylon_crv4_option_u64(&v, none, 1) == 0, "None (tempo 0)");
    ok(pylon_crv4_option_u64(&v, bad, 2) == -1, "a bad tag is refused");
    ok(pylon_crv4_option_u64(&v, some, 8) == -1, "a short Some is refused");
    ok(pylon_crv4_option_u64(&v, none, 0) == -1, "empty is refused");
}


int
main(void)
{
    legacy_next_epoch();
    legacy_round_is_generate_commit();
    dynamic_round();
    dynamic_vs_legacy_at_the_upgrade();
    option_u64();

    return done_testing();
}
