/*
 * ngx_pylon_refresh_v2_int.h: private to the v2 refresher's files
 * (ngx_pylon_refresh_v2*.c); other callers use ngx_pylon_refresh_v2.h.
 *
 *   round:  state_getStorage(Drand.LastStoredRound, hash)
 *           state_call SwapRuntimeApi_current_alpha_price_all
 *           per subnet: state_call SwapRuntimeApi_current_alpha_price,
 *               state_getKeysPaged(RevealedCommitments prefix) ->
 *               state_queryStorageAt -> next page
 *   when nothing is pending: render into a batch, then write it in one
 *   short transaction (ngx_pylon_refresh_v2_store.c).
 *
 * Buffers: a round and everything it read are ngx_alloc()ed in
 * ngx_pylon_refresh_v2.c and freed by ngx_pylon_v2_free() after the done
 * callback.  The functions below are shared between those files; they
 * are not part of the v2 refresher's interface.
 */

#ifndef _NGX_PYLON_REFRESH_V2_INT_H_INCLUDED_
#define _NGX_PYLON_REFRESH_V2_INT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_refresh_v2.h"
#include "helper/ngx_pylon_stats.h"
#include "bittensor/revealed.h"
#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/runtime_api.h"
#include "chain/ss58.h"
#include "chain/storage.h"


#define NGX_PYLON_V2_PAGE      1000
#define NGX_PYLON_V2_SUBS      NGX_PYLON_TRACK_MAX
#define NGX_PYLON_SS58_PREFIX  42
#define NGX_PYLON_V2_VALUES    0x100        /* a page's values (internal) */


typedef struct ngx_pylon_v2_s  ngx_pylon_v2_t;

typedef struct {
    ngx_pylon_v2_t         *rd;
    ngx_int_t               netuid;
    u_char                 *price;
    size_t                  price_len;
    ngx_uint_t              price_ok;
    char                    prefix[72];
    pylon_subnet_kv_t      *kv;
    size_t                  n;
    size_t                  cap;
    ngx_uint_t              revealed_ok;
    ngx_uint_t              revealed_failed;
} ngx_pylon_v2_sub_t;


struct ngx_pylon_v2_s {
    ngx_pylon_refresh_t    *refresh;
    ngx_pylon_helper_t     *h;
    ngx_pylon_session_t    *session;
    const char             *uri;
    uint64_t                number;
    char                    hash[67];
    pylon_runtime_t        *rt;             /* a reference: released */
    ngx_uint_t              latest;
    ngx_uint_t              what;
    ngx_pylon_v2_sub_t      subs[NGX_PYLON_V2_SUBS];
    ngx_uint_t              nsubs;
    ngx_uint_t              pending;
    u_char                 *drand;
    size_t                  drand_len;
    ngx_uint_t              drand_ok;
    u_char                 *prices;
    size_t                  prices_len;
    ngx_uint_t              prices_ok;
    ngx_uint_t              status;          /* first failure, 0: none */
    ngx_uint_t              unknown;
    char                    detail[512];
    ngx_pylon_v2_done_pt    done;
    void                   *data;
};


typedef struct {
    ngx_pylon_v2_t         *rd;
    ngx_pylon_v2_sub_t     *sub;
    const char             *op;
    ngx_uint_t              part;
    double                  started;
} ngx_pylon_v2_call_t;


/* ngx_pylon_refresh_v2.c */
ngx_int_t ngx_pylon_v2_call(ngx_pylon_v2_t *rd,
    ngx_pylon_v2_sub_t *sub, const char *op, ngx_uint_t part,
    const char *method, json_t *params);
void ngx_pylon_v2_fail(ngx_pylon_v2_t *rd, ngx_uint_t status,
    const char *op, const char *error);

/* ngx_pylon_refresh_v2_pages.c */
void ngx_pylon_v2_page(ngx_pylon_v2_sub_t *sub, const char *start);
void ngx_pylon_v2_keys(ngx_pylon_v2_call_t *c, json_t *result);
void ngx_pylon_v2_values(ngx_pylon_v2_call_t *c, json_t *result);

/* ngx_pylon_refresh_v2_store.c */
ngx_int_t ngx_pylon_v2_write(ngx_pylon_v2_t *rd);


#endif /* _NGX_PYLON_REFRESH_V2_INT_H_INCLUDED_ */
