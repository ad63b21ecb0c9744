/*
 * ngx_pylon_worker.c: the cache as a worker sees it.  Each worker opens the
 * LMDB environment after fork (never the master, whose children would
 * inherit it) and keeps it for its lifetime.  Workers read chain data and
 * never write it; the only records they write are job records (J/, and
 * the K/ and P/ indexes of store/jobs.h), one small write transaction per
 * job they hand to the helper (ngx_pylon_wait.c), in the jobs environment
 * (<cache>/jobs.mdb), never the chain data's.  At most
 * NGX_PYLON_FETCH_MAX fetch jobs are unfinished at once: beyond it a
 * request gets 503 with Retry-After rather than another job.
 */

#include "http/ngx_pylon_http.h"
#include "bittensor/jsonread.h"
#include "store/jobs.h"
#include "http/ngx_pylon_cachecheck.h"


#define NGX_PYLON_FETCH_MAX  256


static pylon_store_t  *ngx_pylon_store;


ngx_int_t
ngx_pylon_http_init_worker(ngx_cycle_t *cycle, ngx_pylon_main_conf_t *pmcf)
{
    char  err[PYLON_STORE_ERRLEN];

    /* this worker's key for hashing body member names */
    pylon_json_seed();

    pylon_job_limit("fetch", NGX_PYLON_FETCH_MAX);

    if (ngx_pylon_cachecheck_self(cycle->log, NGX_LOG_ALERT, "pylon",
                                  &pmcf->cache_dir)
        != NGX_OK)
    {
        return NGX_OK;            /* requests answer 503 */
    }

    ngx_pylon_store = pylon_store_open((char *) pmcf->cache_dir.data,
                                       pmcf->cache_max_size, err,
                                       sizeof(err));
    if (ngx_pylon_store == NULL) {
        /* answer 503 rather than kill the worker */
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "pylon: %s", err);
        return NGX_OK;
    }

    if (pylon_store_open_jobs(ngx_pylon_store, (char *) pmcf->cache_dir.data,
                              pmcf->cache_jobs_size, err, sizeof(err))
        != 0)
    {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "pylon: %s", err);
        pylon_store_close(ngx_pylon_store);
        ngx_pylon_store = NULL;
        return NGX_OK;
    }

    return ngx_pylon_wait_init(cycle, pmcf);
}


void
ngx_pylon_http_exit_worker(ngx_cycle_t *cycle)
{
    ngx_pylon_wait_exit(cycle);

    pylon_store_close(ngx_pylon_store);
    ngx_pylon_store = NULL;
}


pylon_store_t *
ngx_pylon_worker_store(void)
{
    return ngx_pylon_store;
}
