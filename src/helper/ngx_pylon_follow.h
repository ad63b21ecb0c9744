/*
 * ngx_pylon_follow.h: following the chain's best head.
 *
 * On every (re)connection: read the current head, then subscribe to new
 * heads.  For every head: its hash (chain_getBlockHash) and its on-chain
 * time (Timestamp.Now at that hash), then one cache write of the latest
 * BlockInfo body and the helper's state record.  Later, the per-block
 * subnet refresh hangs off the same head.
 */

#ifndef NGX_PYLON_FOLLOW_H
#define NGX_PYLON_FOLLOW_H

#include "helper/ngx_pylon_helper.h"


/* called after a new best head is in the cache: number and "0x" hash */
typedef void (*ngx_pylon_head_pt)(void *data, uint64_t number,
    const u_char *hash);

/*
 * called when a head shows that blocks from number `from` on may have
 * been replaced (a reorg), before that head is written
 */
typedef void (*ngx_pylon_reorg_pt)(void *data, uint64_t from);

#define NGX_PYLON_MAX_LISTENERS  8

/* the hashes of the last heads kept: how deep a reorg is looked for */
#define NGX_PYLON_FOLLOW_RECENT  64


ngx_pylon_follow_t *ngx_pylon_follow_create(ngx_pylon_helper_t *h);

/* adds a listener for new heads (refresh of subnets, jobs waiting for a
 * block); NGX_ERROR when the table is full */
ngx_int_t ngx_pylon_follow_listen(ngx_pylon_follow_t *f,
    ngx_pylon_head_pt fn, void *data);

/* adds a reorg listener; NGX_ERROR when the table is full */
ngx_int_t ngx_pylon_follow_on_reorg(ngx_pylon_follow_t *f,
    ngx_pylon_reorg_pt fn, void *data);

/*
 * The hash of block number on the chain as last followed (one of the
 * last 64 heads written, and no reorg since), or NULL when not known.
 * Points into f; copy it before the next head.
 */
const u_char *ngx_pylon_follow_hash_at(ngx_pylon_follow_t *f,
    uint64_t number);

/* reorgs seen since start, and the first block the last one may change */
ngx_uint_t ngx_pylon_follow_reorgs(ngx_pylon_follow_t *f, uint64_t *from);

/* the last head written, 0 before the first */
/*
 * Every second: the head watchdog.  A connection that brought no new
 * head for 3 block times (36 s) is dropped and made again, whatever it
 * says about itself (a half-open socket, a node that stopped following).
 */
void ngx_pylon_follow_tick(ngx_pylon_follow_t *f);

uint64_t ngx_pylon_follow_head(ngx_pylon_follow_t *f,
    const u_char **hash);
void ngx_pylon_follow_start(ngx_pylon_follow_t *f, ngx_pylon_session_t *s);
void ngx_pylon_follow_destroy(ngx_pylon_follow_t *f);

/* session events */
void ngx_pylon_follow_connected(void *data);
void ngx_pylon_follow_disconnected(void *data);

#endif /* NGX_PYLON_FOLLOW_H */
