/*
 * ngx_pylon_resolve.h: host names resolved off the event loop.
 *
 * Debian 12's libwebsockets is built without LWS_WITH_SYS_ASYNC_DNS, so
 * lws would call getaddrinfo() inside lws_client_connect_via_info() and
 * block the helper's loop (heads, jobs, the master's channel) for as
 * long as the resolver takes.  Instead a session asks a short-lived
 * thread for the address (getaddrinfo in the thread; the first IPv4
 * answer, else the first, as a numeric string) and connects to that,
 * keeping the name for the Host header and TLS (SNI, certificate check).
 * The session reuses a resolved address for NGX_PYLON_RESOLVE_REFRESH
 * and resolves again after that (a node that moved is found within a
 * minute, and a reconnect loop does not make a thread per attempt).
 *
 * Ownership: ngx_pylon_resolve_start() allocates the query (malloc),
 * shared by the caller and the thread; each drops its reference (the
 * caller with ngx_pylon_resolve_release(), even while the thread runs)
 * and the last one frees it.
 */

#ifndef NGX_PYLON_RESOLVE_H
#define NGX_PYLON_RESOLVE_H

#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_PYLON_RESOLVE_REFRESH  60000          /* ms an address is used */
#define NGX_PYLON_RESOLVE_ADDRLEN  64


typedef struct ngx_pylon_resolve_s  ngx_pylon_resolve_t;


/* 1 when host is a numeric IPv4 or IPv6 address (nothing to resolve) */
ngx_uint_t ngx_pylon_resolve_numeric(const char *host);

/* starts resolving host in a thread; NULL when it cannot be started */
ngx_pylon_resolve_t *ngx_pylon_resolve_start(const char *host);

/*
 * NGX_AGAIN while the thread runs; NGX_OK with the numeric address in
 * addr (NUL-terminated, at most NGX_PYLON_RESOLVE_ADDRLEN bytes); or
 * NGX_ERROR with why it failed in err (a static string).
 */
ngx_int_t ngx_pylon_resolve_result(ngx_pylon_resolve_t *r, char *addr,
    const char **err);

/* drops the caller's reference (the thread may still be running) */
void ngx_pylon_resolve_release(ngx_pylon_resolve_t *r);

#endif /* NGX_PYLON_RESOLVE_H */
