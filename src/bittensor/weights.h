/*
 * weights.h: the maths between a PUT weights body and the chain call
 * (../shared/spec/chain.md section 10, pylon-api.md section 5.2).
 *
 *   hotkey -> uid     a table filled from the head block's neurons;
 *                     unknown hotkeys are dropped and counted (Pylon
 *                     logs them), the rest keep the request's order
 *   normalise         turbobt: max-normalise, round(w / max * 65535)
 *                     half-to-even (Python round), all zero stays zero
 *   version key       max(configured, hyperparams.weights_version)
 *   epoch             subtensor's blocks_until_next_epoch with Pylon's
 *                     configured tempo; a job stops once head > end
 *   retry wait        tenacity wait_exponential(min=D, max=10 D)
 *   CRv2 commit hash  blake2b-256 of SCALE(AccountId32, u16 netuid_index,
 *                     Vec<u16> uids, Vec<u16> values, Vec<u16> salt,
 *                     u64 version_key)
 */

#ifndef PYLON_WEIGHTS_H
#define PYLON_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "bittensor/request.h"

#define PYLON_WEIGHTS_VERSION_KEY    9003000ULL   /* turbobt 1.0.0 */
#define PYLON_WEIGHTS_HASH_BYTES     32
#define PYLON_WEIGHTS_ACCOUNT_BYTES  32
#define PYLON_WEIGHTS_U16_MAX        65535
/* compact lengths up to 2^30 - 1; far above any subnet size */
#define PYLON_WEIGHTS_MAX_UIDS       65536

typedef struct pylon_uidmap_s  pylon_uidmap_t;

/* an empty hotkey -> uid table sized for about n hotkeys; NULL on ENOMEM */
pylon_uidmap_t *pylon_uidmap_create(size_t n);

/*
 * Map hotkey (len bytes, copied) to uid.  A hotkey given twice keeps the
 * last uid, as Pylon's {n.hotkey: n.uid for n in neurons}.  0 or -1.
 */
int pylon_uidmap_put(pylon_uidmap_t *m, const char *hotkey, size_t len,
    uint16_t uid);

/* 0 with *uid when hotkey is in the table, else -1 */
int pylon_uidmap_get(const pylon_uidmap_t *m, const char *hotkey,
    size_t len, uint16_t *uid);

/* number of distinct hotkeys held */
size_t pylon_uidmap_count(const pylon_uidmap_t *m);

void pylon_uidmap_free(pylon_uidmap_t *m);

/*
 * Translate parsed weights (request.h) to uids.  uids/values hold n
 * entries; *out receives how many were written (request order; a uid met
 * twice keeps its first place and its last weight, as a Python dict),
 * *dropped how many hotkeys were unknown.  0, or -1 when n exceeds
 * PYLON_WEIGHTS_MAX_UIDS or memory runs out.
 */
int pylon_weights_translate(uint16_t *uids, double *values, size_t *out,
    size_t *dropped, const pylon_weight_t *w, size_t n,
    const pylon_uidmap_t *m);

/*
 * turbobt's SubnetWeights normalisation: out[i] = round(w[i] / max *
 * 65535) with round-half-to-even (nearbyint in FE_TONEAREST); every
 * entry is kept, zeros included; all zero (or n == 0) gives zeros.
 * Returns 0, or -1 when a weight is negative, NaN or infinite (turbobt
 * fails to encode those).
 */
int pylon_weights_normalize(uint16_t *out, const double *w, size_t n);

/* what a set_weights / commit call carries, from a parsed body */
typedef struct {
    uint16_t  *uids;       /* n entries, request order */
    uint16_t  *values;     /* n entries, normalised u16 */
    size_t     n;
    size_t     dropped;    /* hotkeys not registered (Pylon logs them) */
} pylon_weights_plan_t;

/*
 * translate + normalise in one step (malloc()ed arrays, release with
 * pylon_weights_plan_free).  Every hotkey unknown gives n == 0 (Pylon
 * then submits empty vectors).  0, or -1 on a bad weight or ENOMEM.
 */
int pylon_weights_plan(pylon_weights_plan_t *p, const pylon_weight_t *w,
    size_t n, const pylon_uidmap_t *m);

void pylon_weights_plan_free(pylon_weights_plan_t *p);

/* the version key to send: max(configured, chain's weights_version) */
uint64_t pylon_weights_version_key(uint64_t configured, uint64_t chain);

/* storage index of a subnet mechanism: mecid * 4096 + netuid */
uint16_t pylon_weights_netuid_index(uint16_t netuid, uint8_t mecid);

/*
 * The epoch containing block (Pylon's get_epoch_containing_block with
 * the configured tempo, > 0): interval = tempo + 1, next = block + tempo
 * - (block + netuid + 1) mod interval; [block, block + interval] when
 * next == block, else [next - interval, next] (start may be negative
 * near genesis, as in Python; only end is used).  Returns 0, or -1 for
 * tempo 0.
 */
int pylon_weights_epoch(int64_t *start, uint64_t *end, uint64_t block,
    uint16_t netuid, uint32_t tempo);

/*
 * pylon_weights_window (Pylon v0's commit window, issue 13): the first
 * window [epoch start + offset, epoch end - buffer] not yet passed at
 * head, of an epoch whose index (end / (tempo + 1)) is a multiple of
 * cycle; epochs as pylon_weights_epoch.  Returns 0 with *open and
 * *close, or -1 (tempo or cycle 0, or no window in the next cycle + 1
 * epochs: buffer too large).
 */
int pylon_weights_window(uint64_t *open, uint64_t *close, uint64_t head,
    uint16_t netuid, uint32_t tempo, uint64_t offset, uint64_t buffer,
    uint64_t cycle);

/*
 * The CRv2 reveal window of a commit included in commit_block, under the
 * legacy schedule (subtensor's get_reveal_blocks, runtimes before the
 * dynamic tempo): the epoch commit_epoch + reveal_period, epoch index
 * (block + netuid + 1) / (tempo + 1):
 *   first = (commit_epoch + reveal_period) (tempo + 1) - (netuid + 1)
 *   last  = first + tempo
 * Returns 0, or -1 for tempo 0 (the subnet runs no epochs).
 */
int pylon_weights_reveal_window(uint64_t *first, uint64_t *last,
    uint64_t commit_block, uint16_t netuid, uint32_t tempo,
    uint64_t reveal_period);

/* 1 once the head is past the epoch end (the job stops for good) */
int pylon_weights_tempo_ended(uint64_t head, uint64_t epoch_end);

/*
 * Seconds to sleep after failed attempt number `attempt` (1-based):
 * clamp(2^(attempt-1), delay, 10 delay), tenacity's wait_exponential.
 */
double pylon_retry_wait(unsigned attempt, double delay);

/*
 * Total attempts Pylon makes for `retries` configured extra attempts
 * (PYLON_WEIGHTS_RETRY_ATTEMPTS / PYLON_COMMITMENT_RETRY_ATTEMPTS).
 */
unsigned pylon_retry_total(unsigned retries);

/* SCALE size of the commit preimage for n uids/values and nsalt salt */
size_t pylon_weights_commit_preimage_len(size_t n, size_t nsalt);

/*
 * The CRv2 commit preimage into buf (cap bytes), *len its size.  0, or
 * -1 when cap is short or a vector exceeds PYLON_WEIGHTS_MAX_UIDS.
 */
int pylon_weights_commit_preimage(unsigned char *buf, size_t cap,
    size_t *len, const unsigned char hotkey[PYLON_WEIGHTS_ACCOUNT_BYTES],
    uint16_t netuid_index, const uint16_t *uids, const uint16_t *values,
    size_t n, const uint16_t *salt, size_t nsalt, uint64_t version_key);

/* blake2b-256 of that preimage (libsodium crypto_generichash).  0 or -1 */
int pylon_weights_commit_hash(unsigned char out[PYLON_WEIGHTS_HASH_BYTES],
    const unsigned char hotkey[PYLON_WEIGHTS_ACCOUNT_BYTES],
    uint16_t netuid_index, const uint16_t *uids, const uint16_t *values,
    size_t n, const uint16_t *salt, size_t nsalt, uint64_t version_key);

#endif /* PYLON_WEIGHTS_H */
