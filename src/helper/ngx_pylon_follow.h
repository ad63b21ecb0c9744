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


ngx_pylon_follow_t *ngx_pylon_follow_create(ngx_pylon_helper_t *h);
void ngx_pylon_follow_start(ngx_pylon_follow_t *f, ngx_pylon_session_t *s);
void ngx_pylon_follow_destroy(ngx_pylon_follow_t *f);

/* session events */
void ngx_pylon_follow_connected(void *data);
void ngx_pylon_follow_disconnected(void *data);

#endif /* NGX_PYLON_FOLLOW_H */
