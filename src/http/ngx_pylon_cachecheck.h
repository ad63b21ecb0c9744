/*
 * ngx_pylon_cachecheck.h: is the pylon_cache directory usable by nginx's
 * `user`?  Checked by the master at `nginx -t` and start (init module),
 * by the helper before it opens the cache, and by each worker; workers
 * that cannot open it answer 503 "cache unavailable" in the envelope.
 */

#ifndef NGX_PYLON_CACHECHECK_H
#define NGX_PYLON_CACHECHECK_H

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

/*
 * init_module hook: logs [emerg] naming the directory and the user and
 * fails `nginx -t` and a first start; on a reload (which cannot be
 * refused here) it logs [error] and lets workers answer 503.
 */
ngx_int_t ngx_pylon_cachecheck_init_module(ngx_cycle_t *cycle);

/*
 * The calling process (helper, worker) checks with its own credentials:
 * NGX_OK, or NGX_ERROR after logging at `level` why, with `who` ("pylon
 * helper", "pylon") leading the line.
 */
ngx_int_t ngx_pylon_cachecheck_self(ngx_log_t *log, ngx_uint_t level,
    const char *who, ngx_str_t *dir);

/* 503 {"status_code":503,"detail":"Cache unavailable: ..."} */
ngx_int_t ngx_pylon_send_cache_unavailable(ngx_http_request_t *r);

#endif /* NGX_PYLON_CACHECHECK_H */
