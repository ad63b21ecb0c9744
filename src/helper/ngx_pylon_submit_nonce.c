/*
 * ngx_pylon_submit_nonce.c: account nonces of the submitter (see
 * ngx_pylon_submit_int.h): system_accountNextIndex for the queue's head,
 * and the nonce used last per account, remembered because the node may
 * not count a transaction it has just accepted into a block being built.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_submit_int.h"


static void ngx_pylon_submit_on_nonce(void *data, json_t *result,
    const char *error);


void
ngx_pylon_submit_fetch_nonce(ngx_pylon_xt_t *xt)
{
    char  ss58[PYLON_ADDRESS_SS58_MAX];

    if (pylon_address_ss58_encode(ss58, sizeof(ss58), xt->kp->pub,
                                  PYLON_ADDRESS_PREFIX_BITTENSOR)
        != 0)
    {
        ngx_pylon_submit_prepare_failed(xt, "ss58", "cannot encode");
        return;
    }

    if (ngx_pylon_session_call(xt->sm->session, "system_accountNextIndex",
                               json_pack("[s]", ss58),
                               ngx_pylon_submit_on_nonce, xt)
        != NGX_OK)
    {
        ngx_pylon_submit_prepare_failed(xt, "system_accountNextIndex",
                                        "not connected to the chain");
    }
}


static void
ngx_pylon_submit_on_nonce(void *data, json_t *result, const char *error)
{
    ngx_pylon_xt_t  *xt = data;

    json_int_t          n;
    ngx_pylon_nonce_t  *nc;

    if (!json_is_integer(result) || json_integer_value(result) < 0
        || json_integer_value(result) > (json_int_t) UINT32_MAX)
    {
        ngx_pylon_submit_prepare_failed(xt, "system_accountNextIndex",
                                        error ? error : "malformed");
        return;
    }

    n = json_integer_value(result);
    nc = ngx_pylon_submit_nonce(xt->sm, xt->kp->pub);

    xt->nonce = (uint32_t) n;
    if (nc != NULL && nc->next > xt->nonce) {
        xt->nonce = nc->next;
    }

    ngx_pylon_submit_send(xt);
}


/* the remembered next nonce of an account (a slot is taken if new) */

ngx_pylon_nonce_t *
ngx_pylon_submit_nonce(ngx_pylon_submitter_t *sm, const u_char *pub)
{
    ngx_uint_t          i;
    ngx_pylon_nonce_t  *nc, *oldest;

    oldest = &sm->nonces[0];

    for (i = 0; i < NGX_PYLON_SUBMIT_NONCES; i++) {
        nc = &sm->nonces[i];

        if (nc->used && ngx_memcmp(nc->pub, pub, 32) == 0) {
            nc->used = ++sm->tick;
            return nc;
        }

        if (nc->used < oldest->used) {
            oldest = nc;
        }
    }

    ngx_memcpy(oldest->pub, pub, 32);
    oldest->next = 0;
    oldest->used = ++sm->tick;

    return oldest;
}
