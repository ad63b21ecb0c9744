/*
 * ngx_pylon_refresh.h: subnet data fresh every block.
 *
 * A "round" reads a set of subnets at one block hash over one session and
 * writes their Pylon bodies (bittensor/subnet.h) in one LMDB transaction:
 * the runtime version at that hash, its metadata (cached per spec
 * version), then per subnet get_neurons_lite, get_subnet_state and the
 * paged CommitmentOf / NeuronCertificates entries, all asynchronous.
 * Every new head starts a round over the tracked subnets that writes the
 * latest keys (L/...); a fetch job starts a round for one subnet that
 * writes latest or historical (B/...) keys.  A latest round older than
 * what the cache holds is dropped.
 *
 * Tracked subnets: the identities' subnets and pylon_netuids (for good),
 * plus subnets asked for by clients (auto-tracked, at most
 * NGX_PYLON_AUTO_MAX, dropped 10 minutes after their last use, or when
 * a newer one needs the room (the least recently used goes), with their
 * L/ records deleted so that the next request misses again).  A use is
 * a fetch, or a "use" job: workers that serve a subnet's latest body
 * from the cache send one per subnet at most every
 * NGX_PYLON_USE_EVERY seconds (src/http/ngx_pylon_subnet.c).
 */

#ifndef NGX_PYLON_REFRESH_H
#define NGX_PYLON_REFRESH_H

#include <jansson.h>

#include "helper/ngx_pylon_helper.h"
#include "chain/metadata.h"


#define NGX_PYLON_TRACK_MAX     256
#define NGX_PYLON_AUTO_MAX      16
#define NGX_PYLON_AUTO_TTL      (600 * 1000)     /* ms */





/*
 * A round's outcome: error NULL when written, else why it failed; when
 * the chain answered "unknown block" / "state discarded", unknown is 1.
 */
typedef void (*ngx_pylon_round_pt)(void *data, const char *error,
    ngx_uint_t unknown);


/*
 * The hand-off of a head round's subnet state to the EVM associations'
 * per-head refresh (ngx_pylon_evm_assoc_fresh.c), so that it does not
 * read SubnetInfoRuntimeApi_get_subnet_state again at the same hash.
 *
 * When a head round ends (written, failed, or dropped for a later head),
 * before its buffers are freed, the listener gets the round's block
 * (number, "0x.." hash) and one entry per subnet of the round: state/len
 * are the raw SCALE bytes of get_subnet_state at that hash, or NULL/0
 * when that read failed or never went out.
 *
 * Ownership: hash, subs and every state are BORROWED from the round and
 * valid only during the call; the listener copies (or decodes) what it
 * keeps.  It runs outside any write transaction and must not start or end
 * refresh rounds.  One listener; a later registration replaces it.
 */
typedef struct {
    ngx_int_t               netuid;
    const u_char           *state;          /* borrowed; NULL: not read */
    size_t                  len;
} ngx_pylon_refresh_state_t;

typedef void (*ngx_pylon_refresh_states_pt)(void *data, uint64_t number,
    const char *hash, const ngx_pylon_refresh_state_t *subs, ngx_uint_t n);

void ngx_pylon_refresh_on_states(ngx_pylon_refresh_t *r,
    ngx_pylon_refresh_states_pt handler, void *data);


/* creates the refresher; tracks the configured subnets */
ngx_pylon_refresh_t *ngx_pylon_refresh_create(ngx_pylon_helper_t *h,
    ngx_pylon_session_t *chain);

/* frees it (pending rounds are abandoned: their replies must not come) */
void ngx_pylon_refresh_destroy(ngx_pylon_refresh_t *r);

/* the follow listener: a round over the tracked subnets at this head */
void ngx_pylon_refresh_head(void *data, uint64_t number, const u_char *hash);

/*
 * Adds netuid to the tracked set as an auto-tracked subnet (a no-op when
 * it is tracked already; the oldest auto-tracked subnet is dropped when
 * the auto set is full).  NGX_OK, or NGX_DECLINED when the whole table is
 * taken by configured subnets.
 */
ngx_int_t ngx_pylon_refresh_track(ngx_pylon_refresh_t *r, ngx_int_t netuid);

/*
 * A client used netuid: an auto-tracked subnet's 10 minutes start over.
 * 1 when netuid is tracked (auto or for good), else 0 (nothing done).
 */
ngx_uint_t ngx_pylon_refresh_use(ngx_pylon_refresh_t *r, ngx_int_t netuid);

/* NGX_PYLON_AUTO_TTL, or PYLON_AUTO_TTL_MS from the environment (tests) */
uint64_t ngx_pylon_refresh_auto_ttl(void);

/*
 * `pylon_netuids all`: makes the subnets tracked for the chain's sake
 * exactly netuids (new ones tracked for good, gone ones dropped with
 * their latest records); configured and identity subnets stay.
 */
void ngx_pylon_refresh_sync_all(ngx_pylon_refresh_t *r,
    const ngx_int_t *netuids, ngx_uint_t n);

/*
 * Starts a round for one subnet at (number, hash) on session s: latest 1
 * writes L/ keys, 0 writes B/ keys.  done is called exactly once, unless
 * NGX_ERROR is returned (nothing started).
 */
ngx_int_t ngx_pylon_refresh_one(ngx_pylon_refresh_t *r,
    ngx_pylon_session_t *s, ngx_int_t netuid, uint64_t number,
    const char *hash, ngx_uint_t latest, ngx_pylon_round_pt done,
    void *data);

/*
 * Starts a round that reads block (number, hash) on session s and stores
 * each of its extrinsics, decoded with that block's runtime metadata, as
 * B/extrinsic/-/<block>/<index> (Pylon's Extrinsic JSON).  done as above.
 */
ngx_int_t ngx_pylon_refresh_block(ngx_pylon_refresh_t *r,
    ngx_pylon_session_t *s, uint64_t number, const char *hash,
    ngx_pylon_round_pt done, void *data);

/*
 * The metadata of the head's runtime (ngx_pylon_meta_head()), or NULL
 * before the first round: borrowed, valid until the caller returns to the
 * event loop.  A historical round does not change it.  Keep a reference
 * (ngx_pylon_meta_acquire_head()) to use it longer.
 */
const pylon_meta_t *ngx_pylon_refresh_meta(ngx_pylon_refresh_t *r);

/*
 * Metrics hook: called after every chain call and every round with an
 * operation name ("state_call", "round", ...), its duration and outcome.
 * It only logs at debug level for now; the metrics code takes it over.
 */
void ngx_pylon_refresh_observe(ngx_pylon_helper_t *h, const char *op,
    ngx_msec_t ms, ngx_uint_t ok);

/*
 * A JSON-RPC "0x.." string result -> malloc()ed bytes in *out (the caller
 * frees them with ngx_free); NGX_ERROR when v is not valid hex.
 */
ngx_int_t ngx_pylon_hex_bytes(json_t *v, u_char **out, size_t *len);

#endif /* NGX_PYLON_REFRESH_H */
