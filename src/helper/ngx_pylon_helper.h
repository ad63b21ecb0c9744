/*
 * ngx_pylon_helper.h: the helper process.
 *
 * The master owns it through the pylon_cache path's manager callback: it is
 * spawned after daemonising, respawned when it dies, replaced on reload and
 * stopped on quit, exactly like nginx's cache manager (it *is* the cache
 * manager process, titled "nginx: pylon helper").  It is the only process
 * that talks to the chain and the only writer of chain data in the cache.
 */

#ifndef NGX_PYLON_HELPER_H
#define NGX_PYLON_HELPER_H

#include <libwebsockets.h>

#include "ngx_pylon.h"
#include "store/store.h"


typedef struct ngx_pylon_session_s  ngx_pylon_session_t;
typedef struct ngx_pylon_follow_s   ngx_pylon_follow_t;
typedef struct ngx_pylon_refresh_s  ngx_pylon_refresh_t;
typedef struct ngx_pylon_submitter_s  ngx_pylon_submitter_t;
typedef struct ngx_pylon_meta_s     ngx_pylon_meta_t;


typedef struct {
    ngx_cycle_t             *cycle;
    ngx_log_t               *log;
    ngx_pylon_main_conf_t   *pmcf;

    struct lws_context      *lws;
    struct lws_vhost        *vhost;

    pylon_store_t           *store;

    ngx_pylon_session_t     *chain;      /* pylon_network */
    ngx_pylon_follow_t      *follow;     /* new heads -> cache */
    ngx_pylon_refresh_t     *refresh;    /* subnet data every block */
    ngx_pylon_submitter_t   *submitter;  /* signed extrinsics */
    ngx_pylon_meta_t        *meta;       /* runtimes, counted, shared */

    lws_sorted_usec_list_t   sul_tick;   /* 1 s housekeeping */
    lws_sorted_usec_list_t   sul_paths;  /* other paths' managers */
    ngx_uint_t               ticks;
} ngx_pylon_helper_t;


/* the pylon_cache path's manager: the first call becomes the helper */
ngx_msec_t ngx_pylon_helper_manager(void *data);

/* master_process off: fork an unmanaged helper for debugging */
void ngx_pylon_helper_fork_single(ngx_cycle_t *cycle,
    ngx_pylon_main_conf_t *pmcf);

/* current Unix time in milliseconds (nginx's cached time) */
uint64_t ngx_pylon_helper_now_ms(void);

#endif /* NGX_PYLON_HELPER_H */
