/*
 * ngx_pylon_cachecheck.c: the pylon_cache directory against nginx's
 * `user` (see the header).  The permission logic is pure C in
 * store/access.c; here are only nginx's side of it: which user, which
 * log line, which answer.
 */

#include <grp.h>
#include <pwd.h>

#include "ngx_pylon.h"
#include "http/ngx_pylon_http.h"
#include "http/ngx_pylon_cachecheck.h"
#include "store/access.h"


#define NGX_PYLON_MAX_GROUPS  256


ngx_int_t
ngx_pylon_cachecheck_init_module(ngx_cycle_t *cycle)
{
    int                     ngids;
    uid_t                   uid;
    char                    err[PYLON_ACCESS_ERRLEN];
    gid_t                   gids[NGX_PYLON_MAX_GROUPS];
    const char             *user;
    struct passwd          *pw;
    ngx_core_conf_t        *ccf;
    ngx_pylon_main_conf_t  *pmcf;

    if (cycle->conf_ctx == NULL
        || cycle->conf_ctx[ngx_http_module.index] == NULL)
    {
        return NGX_OK;
    }

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_pylon_module);
    if (pmcf == NULL || pmcf->cache_dir.len == 0) {
        return NGX_OK;
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (geteuid() == 0 && ccf->user != (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        /* workers switch to ccf->user with initgroups(): the same groups */
        uid = ccf->user;
        user = ccf->username;
        ngids = NGX_PYLON_MAX_GROUPS;

        if (getgrouplist(ccf->username, ccf->group, gids, &ngids) < 0) {
            ngids = 1;
            gids[0] = ccf->group;
        }

    } else {
        uid = PYLON_ACCESS_SELF;
        pw = getpwuid(geteuid());
        user = pw ? pw->pw_name : "(this user)";
        ngids = 0;
    }

    if (pylon_access_check((char *) pmcf->cache_dir.data, uid, gids, ngids,
                           err, sizeof(err))
        == 0)
    {
        return NGX_OK;
    }

    if (ngx_test_config || cycle->old_cycle == NULL
        || cycle->old_cycle->conf_ctx == NULL)
    {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "pylon_cache directory \"%V\" cannot be used by user "
                      "\"%s\": %s", &pmcf->cache_dir, user, err);
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_ERR, cycle->log, 0,
                  "pylon_cache directory \"%V\" cannot be used by user "
                  "\"%s\": %s; requests will answer 503 until it can",
                  &pmcf->cache_dir, user, err);

    return NGX_OK;
}


ngx_int_t
ngx_pylon_cachecheck_self(ngx_log_t *log, ngx_uint_t level, const char *who,
    ngx_str_t *dir)
{
    char            err[PYLON_ACCESS_ERRLEN];
    struct passwd  *pw;

    if (pylon_access_check((char *) dir->data, PYLON_ACCESS_SELF, NULL, 0,
                           err, sizeof(err))
        == 0)
    {
        return NGX_OK;
    }

    pw = getpwuid(geteuid());

    ngx_log_error(level, log, 0,
                  "%s: cache unavailable: pylon_cache directory \"%V\" "
                  "cannot be used by user \"%s\": %s", who, dir,
                  pw ? pw->pw_name : "?", err);

    return NGX_ERROR;
}


ngx_int_t
ngx_pylon_send_cache_unavailable(ngx_http_request_t *r)
{
    return ngx_pylon_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                "Cache unavailable: the pylon_cache "
                                "directory cannot be opened (see the "
                                "error log)");
}
