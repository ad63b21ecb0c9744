/*
 * ngx_pylon_evm_assoc_fresh.c: EVM associations kept fresh.  For the
 * configured subnets (pylon_netuids and the identities'), at every head
 * the refresher reads, the read of ngx_pylon_evm_assoc.c runs (one at a
 * time per subnet) and the body is written to
 * L/evm_associations/<netuid>, which the worker sends when present.
 *
 * The refresher's head round reads get_subnet_state of those subnets at
 * that hash already: when the round ends it lends the bytes
 * (ngx_pylon_refresh_on_states()), and the read starts at the paging
 * with the hotkeys decoded from them.  A kept subnet the round did not
 * read (its read failed, or it was busy here then) falls back to the
 * read's own state_call at the round's block, from the 1 s poll
 * (ngx_pylon_evm_assoc_poll()) while that block is still the head.
 *
 * ngx_pylon_evm_assoc_init() lives here: it fills the kept subnets and
 * registers the "evm_assoc" job (ngx_pylon_evm_assoc_run(), in
 * ngx_pylon_evm_assoc.c).
 *
 * Ownership: this file owns the kept-subnet table (static: one helper
 * process).  A read in flight belongs to ngx_pylon_evm_assoc.c, which
 * calls ngx_pylon_evm_assoc_idle() when it ends.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "helper/ngx_pylon_evm.h"
#include "helper/ngx_pylon_evm_assoc_int.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_runner.h"


#define NGX_PYLON_EVM_ASSOC_MAX   64          /* subnets kept fresh */


static void ngx_pylon_evm_assoc_states(void *data, uint64_t number,
    const char *hash, const ngx_pylon_refresh_state_t *subs, ngx_uint_t n);


static ngx_int_t   ngx_pylon_evm_assoc_netuids[NGX_PYLON_EVM_ASSOC_MAX];
static ngx_uint_t  ngx_pylon_evm_assoc_busy[NGX_PYLON_EVM_ASSOC_MAX];
static ngx_uint_t  ngx_pylon_evm_assoc_n;

/* per kept subnet: the block its last per-head read started at */
static uint64_t    ngx_pylon_evm_assoc_read[NGX_PYLON_EVM_ASSOC_MAX];
static char        ngx_pylon_evm_assoc_read_hash[NGX_PYLON_EVM_ASSOC_MAX][67];

/* the block of the last head round that lent its bytes */
static uint64_t    ngx_pylon_evm_assoc_round;
static char        ngx_pylon_evm_assoc_round_hash[67];


static void
ngx_pylon_evm_assoc_keep(ngx_int_t netuid)
{
    ngx_uint_t  i;

    for (i = 0; i < ngx_pylon_evm_assoc_n; i++) {
        if (ngx_pylon_evm_assoc_netuids[i] == netuid) {
            return;
        }
    }
    if (ngx_pylon_evm_assoc_n < NGX_PYLON_EVM_ASSOC_MAX) {
        ngx_pylon_evm_assoc_netuids[ngx_pylon_evm_assoc_n++] = netuid;
    }
}


ngx_int_t
ngx_pylon_evm_assoc_init(ngx_pylon_helper_t *h)
{
    ngx_uint_t             i;
    ngx_int_t             *n;
    ngx_pylon_identity_t  *id;

    ngx_pylon_evm_assoc_n = 0;
    ngx_pylon_evm_assoc_round = 0;
    ngx_memzero(ngx_pylon_evm_assoc_read, sizeof(ngx_pylon_evm_assoc_read));
    ngx_memzero(ngx_pylon_evm_assoc_busy, sizeof(ngx_pylon_evm_assoc_busy));

    if (h->pmcf->netuids) {
        n = h->pmcf->netuids->elts;
        for (i = 0; i < h->pmcf->netuids->nelts; i++) {
            ngx_pylon_evm_assoc_keep(n[i]);
        }
    }
    if (h->pmcf->identities) {
        id = h->pmcf->identities->elts;
        for (i = 0; i < h->pmcf->identities->nelts; i++) {
            ngx_pylon_evm_assoc_keep(id[i].netuid);
        }
    }

    if (ngx_pylon_evm_assoc_n) {
        ngx_pylon_refresh_on_states(h->refresh, ngx_pylon_evm_assoc_states,
                                    h);
    }

    return ngx_pylon_runner_register("evm_assoc", ngx_pylon_evm_assoc_run);
}


/* a per-head read of netuid ended: the next one may start */

void
ngx_pylon_evm_assoc_idle(ngx_int_t netuid)
{
    ngx_uint_t  i;

    for (i = 0; i < ngx_pylon_evm_assoc_n; i++) {
        if (ngx_pylon_evm_assoc_netuids[i] == netuid) {
            ngx_pylon_evm_assoc_busy[i] = 0;
        }
    }
}


/* kept subnet i not read at (number, hash) yet, nor at a later block */

static ngx_uint_t
ngx_pylon_evm_assoc_due(ngx_uint_t i, uint64_t number, const char *hash)
{
    if (ngx_pylon_evm_assoc_busy[i]) {
        return 0;                             /* one read at a time */
    }

    if (number != ngx_pylon_evm_assoc_read[i]) {
        return number > ngx_pylon_evm_assoc_read[i];
    }

    return ngx_strcmp(hash, ngx_pylon_evm_assoc_read_hash[i]) != 0;
}


static void
ngx_pylon_evm_assoc_begin(ngx_pylon_helper_t *h, ngx_uint_t i,
    uint64_t number, const char *hash, const u_char *state, size_t len)
{
    ngx_pylon_evm_assoc_busy[i] = 1;
    ngx_pylon_evm_assoc_read[i] = number;
    ngx_cpystrn((u_char *) ngx_pylon_evm_assoc_read_hash[i], (u_char *) hash,
                sizeof(ngx_pylon_evm_assoc_read_hash[i]));

    ngx_pylon_evm_assoc_start(h, NULL, ngx_pylon_evm_assoc_netuids[i],
                              number, hash, state, len);
}


/*
 * The refresher's listener: a head round ended at (number, hash).  Each
 * kept subnet due is read from the round's bytes (borrowed for this
 * call), or with its own state_call when the round has none for it.
 */

static void
ngx_pylon_evm_assoc_states(void *data, uint64_t number, const char *hash,
    const ngx_pylon_refresh_state_t *subs, ngx_uint_t n)
{
    ngx_pylon_helper_t  *h = data;

    char        err[200];
    ngx_uint_t  i, k;

    if (ngx_pylon_refresh_meta(h->refresh) == NULL
        || ngx_strlen(hash) >= sizeof(ngx_pylon_evm_assoc_round_hash))
    {
        return;
    }

    if (number < ngx_pylon_evm_assoc_round) {
        return;                     /* a later head's round ended first */
    }

    ngx_pylon_evm_assoc_round = number;
    ngx_cpystrn((u_char *) ngx_pylon_evm_assoc_round_hash, (u_char *) hash,
                sizeof(ngx_pylon_evm_assoc_round_hash));

    if (ngx_pylon_evm_assoc_checked(h, ngx_pylon_refresh_meta(h->refresh),
                                    err, sizeof(err))
        != NGX_OK)
    {
        return;               /* this runtime has no map to keep fresh */
    }

    for (i = 0; i < ngx_pylon_evm_assoc_n; i++) {
        if (!ngx_pylon_evm_assoc_due(i, number, hash)) {
            continue;
        }

        for (k = 0; k < n; k++) {
            if (subs[k].netuid == ngx_pylon_evm_assoc_netuids[i]) {
                break;
            }
        }

        if (k < n && subs[k].state != NULL) {
            ngx_pylon_evm_assoc_begin(h, i, number, hash, subs[k].state,
                                      subs[k].len);
        } else {
            ngx_pylon_evm_assoc_begin(h, i, number, hash, NULL, 0);
        }
    }
}


/*
 * The fallback (every tick): the last head round's block is still the
 * head, and a kept subnet was not read at it (it was busy when the round
 * ended): its own state_call now.  A newer head waits for its round.
 */
void
ngx_pylon_evm_assoc_poll(ngx_pylon_helper_t *h)
{
    char           err[200];
    uint64_t       head;
    ngx_uint_t     i;
    const u_char  *hash;

    if (ngx_pylon_evm_assoc_n == 0 || ngx_pylon_evm_assoc_round == 0
        || ngx_pylon_refresh_meta(h->refresh) == NULL)
    {
        return;                       /* before the first round */
    }

    head = ngx_pylon_follow_head(h->follow, &hash);
    if (head != ngx_pylon_evm_assoc_round || hash == NULL
        || ngx_strcmp(hash, ngx_pylon_evm_assoc_round_hash) != 0)
    {
        return;
    }

    for (i = 0; i < ngx_pylon_evm_assoc_n; i++) {
        if (!ngx_pylon_evm_assoc_due(i, head, (char *) hash)) {
            continue;
        }

        if (ngx_pylon_evm_assoc_checked(h,
                                        ngx_pylon_refresh_meta(h->refresh),
                                        err, sizeof(err))
            != NGX_OK)
        {
            return;           /* this runtime has no map to keep fresh */
        }

        ngx_pylon_evm_assoc_begin(h, i, head, (char *) hash, NULL, 0);
    }
}

