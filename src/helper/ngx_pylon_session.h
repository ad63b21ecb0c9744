/*
 * ngx_pylon_session.h: one WebSocket session with a chain node, in the
 * helper, speaking JSON-RPC 2.0 (src/chain/rpc.h).
 *
 * Calls get increasing ids and a reply callback; subscriptions get their
 * notifications delivered to a callback until the connection drops.  A
 * connection that fails or closes is retried with capped exponential
 * backoff; a call that is not answered in time fails, and the connection
 * is then treated as stuck and replaced.  Messages of many megabytes
 * arrive in fragments and are reassembled before parsing.
 */

#ifndef NGX_PYLON_SESSION_H
#define NGX_PYLON_SESSION_H

#include <jansson.h>

#include "helper/ngx_pylon_helper.h"


/*
 * A call's outcome: result is the borrowed JSON "result" (valid during the
 * callback only), or NULL with error describing why ("1010: Invalid
 * Transaction (...)", "timeout", "connection lost").
 */
typedef void (*ngx_pylon_reply_pt)(void *data, json_t *result,
    const char *error);

typedef void (*ngx_pylon_event_pt)(void *data);


ngx_pylon_session_t *ngx_pylon_session_create(ngx_pylon_helper_t *h,
    ngx_pylon_node_t *node, const char *name, ngx_pylon_event_pt connected,
    ngx_pylon_event_pt disconnected, void *data);

/* starts connecting (and keeps reconnecting) */
void ngx_pylon_session_connect(ngx_pylon_session_t *s);

/*
 * Stopping: shutdown fails pending calls and stops reconnecting; the lws
 * context is destroyed next (its callbacks may still see the session);
 * then free releases the memory.
 */
void ngx_pylon_session_shutdown(ngx_pylon_session_t *s);
void ngx_pylon_session_free(ngx_pylon_session_t *s);

/*
 * Sends a call; takes ownership of params (a JSON array or NULL).  Returns
 * NGX_OK, or NGX_DECLINED when not connected (reply is then not called).
 */
ngx_int_t ngx_pylon_session_call(ngx_pylon_session_t *s, const char *method,
    json_t *params, ngx_pylon_reply_pt reply, void *data);

/*
 * Subscribes: the call's string result is the subscription id; every
 * notification for it is passed to notify.  reply (may be NULL) reports
 * the subscription call's own outcome.
 */
ngx_int_t ngx_pylon_session_subscribe(ngx_pylon_session_t *s,
    const char *method, json_t *params, ngx_pylon_reply_pt notify,
    ngx_pylon_reply_pt reply, void *data);

/* 1 while the WebSocket is established */
ngx_uint_t ngx_pylon_session_is_connected(ngx_pylon_session_t *s);

/* housekeeping, once a second: call timeouts */
void ngx_pylon_session_tick(ngx_pylon_session_t *s);

/* drops an open connection that looks dead (logged with why); it fails
 * the outstanding calls and reconnects with the backoff */
void ngx_pylon_session_drop(ngx_pylon_session_t *s, const char *why);

/* when the open connection was established (ms), 0 when not open */
uint64_t ngx_pylon_session_open_ms(ngx_pylon_session_t *s);

/* the lws protocol callback of "pylon-chain" connections */
int ngx_pylon_session_callback(struct lws *wsi,
    enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif /* NGX_PYLON_SESSION_H */
