/*
 * ngx_pylon_subnets.h: `pylon_netuids all`: the tracked set follows the
 * subnets that exist on the chain.
 *
 * On the first head and every NGX_PYLON_SUBNETS_EVERY blocks after, the
 * keys of SubtensorModule.NetworksAdded are read at the head; new subnets
 * are tracked from the next head on, dissolved ones dropped (their latest
 * records deleted).
 */

#ifndef NGX_PYLON_SUBNETS_H
#define NGX_PYLON_SUBNETS_H

#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_session.h"


#define NGX_PYLON_SUBNETS_EVERY  10          /* blocks between reads */


/* the refresh's head hook: reads the subnet list when it is time */
void ngx_pylon_subnets_head(ngx_pylon_refresh_t *r, ngx_pylon_session_t *s,
    uint64_t number, const char *hash);

/*
 * Parses state_getKeysPaged's answer for NetworksAdded (hex keys ending
 * in the u16 netuid, little-endian) into netuids (at most max); returns
 * how many, or -1 when the answer is malformed.  Exposed for tests.
 */
ngx_int_t ngx_pylon_subnets_parse(json_t *keys, ngx_int_t *netuids,
    ngx_uint_t max);

#endif /* NGX_PYLON_SUBNETS_H */
