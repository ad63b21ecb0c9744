/*
 * crv4.h: commit-reveal v4 weights commits (timelocked to drand quicknet).
 *
 * The committed plaintext is SCALE WeightsTlockPayload { hotkey: Vec<u8>
 * (the 32-byte public key), uids: Vec<u16>, values: Vec<u16>,
 * version_key: u64 }, encrypted with pylon_tle_encrypt() to reveal_round.
 * The chain decrypts it itself once that drand round is on chain and
 * applies the weights; see ../shared/spec/chain.md sections 11.2-11.5.
 */

#ifndef PYLON_CRV4_H
#define PYLON_CRV4_H

#include <stddef.h>
#include <stdint.h>

#define PYLON_CRV4_HOTKEY_BYTES     32
#define PYLON_CRV4_VERSION          4
#define PYLON_CRV4_BLOCK_SECONDS    12
/* largest uid count the encoder accepts (compact lengths up to 2^30) */
#define PYLON_CRV4_MAX_UIDS         65536

/* exact encoded size of a payload with n uids */
size_t pylon_crv4_payload_len(size_t n);

/*
 * SCALE-encode the payload into out (cap bytes); *outlen receives the
 * length.  Returns 0, or -1 when n > PYLON_CRV4_MAX_UIDS or cap is short.
 */
int pylon_crv4_payload_encode(unsigned char *out, size_t cap,
    size_t *outlen, const unsigned char hotkey[PYLON_CRV4_HOTKEY_BYTES],
    const uint16_t *uids, const uint16_t *values, size_t n,
    uint64_t version_key);

/*
 * Decode a payload (the form with hotkey).  uids/values must hold cap
 * entries; *n receives the count.  Returns 0, or -1 for malformed input,
 * unequal vector lengths, more than cap entries or trailing bytes.
 */
int pylon_crv4_payload_decode(unsigned char hotkey[PYLON_CRV4_HOTKEY_BYTES],
    uint16_t *uids, uint16_t *values, size_t cap, size_t *n,
    uint64_t *version_key, const unsigned char *in, size_t len);

/*
 * Epochs.  A reveal round is chosen from the first block of the next
 * epoch (the block its epoch index changes at), which the runtime knows:
 *
 *   dynamic-tempo runtimes (spec 423 on) answer it as
 *   SubnetInfoRuntimeApi_get_next_epoch_start_block (LastEpochBlock +
 *   tempo, or an earlier owner-triggered PendingEpochAt); epochs then
 *   last tempo blocks.
 *
 *   older runtimes have the legacy schedule: epoch index (block + netuid
 *   + 1) / (tempo + 1), epochs of tempo + 1 blocks, the epoch run in the
 *   block where blocks_until_next_epoch is 0.
 */

/*
 * The legacy schedule's next epoch start after block: subtensor's
 * block + blocks_until_next_epoch(netuid, tempo, block) + 1.  tempo 0
 * (the subnet never runs an epoch) gives UINT64_MAX.
 */
uint64_t pylon_crv4_next_epoch_legacy(uint64_t block, uint16_t netuid,
    uint16_t tempo);

/*
 * The first block of the reveal epoch: next_epoch_start + (reveal_period
 * - 1) epoch_len (reveal_period 0 is treated as 1).  epoch_len is tempo
 * (dynamic) or tempo + 1 (legacy).
 */
uint64_t pylon_crv4_first_reveal_block(uint64_t next_epoch_start,
    uint64_t epoch_len, uint64_t reveal_period);

/*
 * The drand round the chain will have stored 3 blocks into the block
 * first_reveal, 12-second blocks from block at unix time now:
 *   max(1, floor((now + (first_reveal + 3 - block) 12 - genesis) / 3))
 */
uint64_t pylon_crv4_round_at(uint64_t block, uint64_t first_reveal,
    int64_t now);

/*
 * reveal_round as bittensor-drand's generate_commit computes it (legacy
 * epochs of tempo + 1 blocks):
 *   E = (block + netuid + 1) / (tempo + 1)
 *   first_reveal = (E + reveal_period) (tempo + 1) - (netuid + 1)
 *   round = max(1, floor((now + (first_reveal + 3 - block) 12 - genesis)
 *           / 3))
 * block is the current best block, now the wall clock (unix seconds);
 * pass the plain netuid, not the mechanism storage index.
 */
uint64_t pylon_crv4_reveal_round(uint64_t block, uint16_t netuid,
    uint16_t tempo, uint64_t reveal_period, int64_t now);

/*
 * The same with the dynamic-tempo runtime's next epoch start
 * (SubnetInfoRuntimeApi_get_next_epoch_start_block):
 *   first_reveal = next_epoch_start + (reveal_period - 1) tempo
 * (reveal_period 0 is treated as 1).
 */
uint64_t pylon_crv4_reveal_round_from_epoch(uint64_t block,
    uint64_t next_epoch_start, uint16_t tempo, uint64_t reveal_period,
    int64_t now);

/*
 * The runtime API's answer, SCALE Option<u64>: 1 with *v (Some), 0
 * (None: tempo 0), -1 malformed.
 */
int pylon_crv4_option_u64(uint64_t *v, const unsigned char *in, size_t len);

/*
 * Encode the payload and timelock it to reveal_round: the bytes for the
 * `commit` argument of commit_timelocked_mechanism_weights.  ct must hold
 * pylon_crv4_payload_len(n) + PYLON_TLE_OVERHEAD bytes.  Returns 0 or -1.
 */
int pylon_crv4_commit(unsigned char *ct, size_t cap, size_t *ctlen,
    const unsigned char hotkey[PYLON_CRV4_HOTKEY_BYTES],
    const uint16_t *uids, const uint16_t *values, size_t n,
    uint64_t version_key, uint64_t reveal_round);

#endif /* PYLON_CRV4_H */
