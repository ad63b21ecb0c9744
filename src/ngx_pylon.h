/*
 * ngx_pylon.h: what the module's layers share: the configuration structs
 * filled by the directives in ngx_pylon_module.c, and the module itself.
 *
 * Configuration is read by the master at config time; after fork the
 * workers (src/http) serve from the LMDB cache and the helper
 * (src/helper) follows the chain and writes the cache.
 */

#ifndef NGX_PYLON_H
#define NGX_PYLON_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_str_t        url;          /* ws:// or wss://, NUL-terminated */
    ngx_str_t        ca;           /* CA file for wss://, "" = system CAs */
    ngx_str_t        name;         /* as configured ("finney", a URL), NUL-
                                      terminated: the metrics' uri label */
} ngx_pylon_node_t;


/* a named identity: a wallet hotkey that writes for one subnet */
typedef struct {
    ngx_str_t        name;
    ngx_str_t        wallet;
    ngx_str_t        hotkey;
    ngx_int_t        netuid;
    ngx_str_t        token;        /* empty: the identity is open */
    void            *keypair;      /* pylon_sr25519_keypair_t, helper only */
    u_char           pub[32];
    u_char           ss58[64];     /* the hotkey's address, NUL-terminated */
    u_char          *conf_file;
    ngx_uint_t       line;
} ngx_pylon_identity_t;


typedef struct {
    ngx_uint_t       attempts;
    ngx_msec_t       delay;
} ngx_pylon_retry_t;


typedef struct {
    ngx_str_t        cache_dir;    /* absolute, NUL-terminated */
    size_t           cache_max_size;
    size_t           cache_jobs_size;  /* map of <cache>/jobs.mdb */
    ngx_path_t      *cache_path;   /* owns the helper via path->manager */

    ngx_pylon_node_t network;
    ngx_pylon_node_t archive;

    ngx_uint_t       archive_cutoff;

    ngx_str_t        wallet_path;
    ngx_array_t     *identities;   /* ngx_pylon_identity_t */
    ngx_str_t        open_token;   /* empty: open access is open */
    ngx_array_t     *netuids;      /* ngx_int_t, kept fresh every block */
    ngx_flag_t       netuids_all;  /* pylon_netuids all */

    ngx_pylon_retry_t  weights_retry;
    ngx_pylon_retry_t  commitment_retry;

    ngx_uint_t       recent_soft;  /* recent neurons limits, blocks */
    ngx_uint_t       recent_hard;
    ngx_uint_t       recent_lead;

    ngx_msec_t       timeout;      /* X-Pylon-Timeout default and cap */
    ngx_msec_t       timeout_max;

    u_char           session_key[32];  /* per cycle: rotates on reload */

    void            *env;          /* pylon_env_t of pylon_env_file */
    u_char          *env_file;
    ngx_uint_t       env_line;

    /* EVM JSON-RPC (POST .../evm/contracts/{a}/logs), ngx_pylon_evm_conf.c */
    ngx_pylon_node_t evm_network;        /* url "" = EVM routes off */
    ngx_pylon_node_t evm_archive;
    ngx_uint_t       evm_archive_cutoff;
    ngx_uint_t       evm_max_range;      /* blocks per request */
    size_t           evm_max_abi;        /* request body bytes */
    ngx_uint_t       evm_max_logs;       /* logs per answer */

    ngx_str_t        metrics_token;      /* "" = /metrics not configured */
    ngx_flag_t       metrics_token_set;
    ngx_shm_zone_t  *metrics_zone;       /* request metrics, all workers */

    /* Pylon v2 settings (spec/pylon-v2.md §8) */
    ngx_msec_t       block_duration;   /* pylon_block_duration, 12s */
    ngx_flag_t       weights_window;   /* pylon_weights_window: 1 = on */
    ngx_uint_t       window_offset;    /* blocks after an epoch's start */
    ngx_uint_t       window_buffer;    /* blocks before an epoch's end */
    ngx_uint_t       window_cycle;     /* every cycle-th epoch; 0: off */

    ngx_flag_t       gzip;         /* pylon_gzip: store and send copies */
    ngx_int_t        storage_every;    /* pylon_storage_every: blocks
                                          between a head round's paged
                                          reads of commitments and
                                          certificates; 1 = every head */

    ngx_flag_t       enabled;      /* some location has pylon_subnet on */
    ngx_str_t        conf_file;    /* where pylon_subnet was first seen */
    ngx_uint_t       conf_line;
} ngx_pylon_main_conf_t;


typedef struct {
    ngx_flag_t       subnet;
} ngx_pylon_loc_conf_t;


extern ngx_module_t  ngx_pylon_module;


/* the identity named name, or NULL */
ngx_pylon_identity_t *ngx_pylon_identity_find(ngx_pylon_main_conf_t *pmcf,
    ngx_str_t *name);

/* a node URL or alias (finney, archive, test, local) into node->url */
ngx_int_t ngx_pylon_parse_node(ngx_conf_t *cf, ngx_str_t *value,
    ngx_pylon_node_t *node);


#endif /* NGX_PYLON_H */
