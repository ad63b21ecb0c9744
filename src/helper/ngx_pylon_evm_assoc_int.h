/*
 * ngx_pylon_evm_assoc_int.h: what the EVM associations' two files share
 * inside the helper; other callers use ngx_pylon_evm.h.
 *
 *   ngx_pylon_evm_assoc.c        the read of one subnet at a block: the
 *                                "evm_assoc" job, and each per-head read
 *   ngx_pylon_evm_assoc_fresh.c  the kept subnets: which, and when each
 *                                is read (head rounds, the 1 s poll)
 */

#ifndef NGX_PYLON_EVM_ASSOC_INT_H
#define NGX_PYLON_EVM_ASSOC_INT_H

#include <ngx_config.h>
#include <ngx_core.h>

#include "chain/metadata.h"
#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_runner.h"


/* the "evm_assoc" job's run handler (ngx_pylon_runner_register) */
void ngx_pylon_evm_assoc_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job);

/*
 * Starts a read of netuid.  job NULL: a per-head refresh at (number,
 * hash), from the lent get_subnet_state bytes when state is not NULL
 * (borrowed: used before the call returns), else from a state_call.
 * A job reads at the follower's head (number, hash, state unused).
 */
void ngx_pylon_evm_assoc_start(ngx_pylon_helper_t *h,
    ngx_pylon_job_t *job, ngx_int_t netuid, uint64_t number,
    const char *hash, const u_char *state, size_t len);

/* NGX_OK when m's AssociatedEvmAddress layout is the expected one, else
 * err says why (noted in the log once per runtime) */
ngx_int_t ngx_pylon_evm_assoc_checked(ngx_pylon_helper_t *h,
    const pylon_meta_t *m, char *err, size_t errlen);

/* a per-head read of netuid ended (ngx_pylon_evm_assoc_fresh.c) */
void ngx_pylon_evm_assoc_idle(ngx_int_t netuid);

#endif /* NGX_PYLON_EVM_ASSOC_INT_H */
