/*
 * ngx_pylon_wait.c: handing work to the helper and waiting for it without
 * blocking the worker.
 *
 * The job record goes into the LMDB queue (store/jobs.h), then a datagram
 * with its id rings <cache>/helper.sock.  A waiting request parks an event
 * on a timer; the helper rings <cache>/w-<pid>.sock when the job ends and
 * the wake handler posts the event at once; otherwise the timer polls the
 * record every 250 ms (doorbells are best effort) until the deadline,
 * which answers 504.  Pending timers keep an exiting worker alive until
 * its requests are answered, so reloads drain.
 */

#include <sys/un.h>

#include "http/ngx_pylon_http.h"
#include "store/jobs.h"


#define NGX_PYLON_POLL   250


typedef struct {
    ngx_http_request_t      *request;
    ngx_event_t              ev;
    ngx_queue_t              queue;
    ngx_msec_t               deadline;
    ngx_pylon_job_done_pt    done;
    char                     id[PYLON_JOB_ID_LEN + 1];
} ngx_pylon_wait_t;


static void ngx_pylon_wait_check(ngx_event_t *ev);
static void ngx_pylon_wait_cleanup(void *data);
static void ngx_pylon_wake_handler(ngx_event_t *ev);


static ngx_connection_t  *ngx_pylon_wake;
static ngx_queue_t        ngx_pylon_waiters;
static u_char             ngx_pylon_wake_path[sizeof(((struct sockaddr_un *)
                                                      0)->sun_path)];
static u_char             ngx_pylon_bell_path[sizeof(((struct sockaddr_un *)
                                                      0)->sun_path)];
static time_t             ngx_pylon_full_logged;


ngx_int_t
ngx_pylon_wait_init(ngx_cycle_t *cycle, ngx_pylon_main_conf_t *pmcf)
{
    int                  fd;
    struct sockaddr_un   sa;
    ngx_connection_t    *c;

    ngx_queue_init(&ngx_pylon_waiters);

    if (pmcf->cache_dir.len + sizeof("/w-4294967295.sock")
        > sizeof(sa.sun_path))
    {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "pylon: cache path \"%V\" is too long for a socket",
                      &pmcf->cache_dir);
        return NGX_OK;
    }

    ngx_snprintf(ngx_pylon_bell_path, sizeof(ngx_pylon_bell_path),
                 "%V/helper.sock%Z", &pmcf->cache_dir);
    ngx_snprintf(ngx_pylon_wake_path, sizeof(ngx_pylon_wake_path),
                 "%V/w-%P.sock%Z", &pmcf->cache_dir, ngx_pid);

    fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0);
    if (fd == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_socket_errno,
                      "pylon: socket() failed");
        return NGX_OK;
    }

    ngx_memzero(&sa, sizeof(sa));
    sa.sun_family = AF_UNIX;
    ngx_cpystrn((u_char *) sa.sun_path, ngx_pylon_wake_path,
                sizeof(sa.sun_path));
    (void) unlink(sa.sun_path);

    if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_socket_errno,
                      "pylon: bind(\"%s\") failed", sa.sun_path);
        close(fd);
        ngx_pylon_wake_path[0] = '\0';
        return NGX_OK;
    }

    c = ngx_get_connection(fd, cycle->log);
    if (c == NULL) {
        close(fd);
        return NGX_ERROR;
    }

    c->read->handler = ngx_pylon_wake_handler;
    c->read->log = cycle->log;
    ngx_pylon_wake = c;

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


void
ngx_pylon_wait_exit(ngx_cycle_t *cycle)
{
    if (ngx_pylon_wake) {
        /* else "open socket left in connection" on a graceful exit */
        ngx_close_connection(ngx_pylon_wake);
        ngx_pylon_wake = NULL;
    }

    if (ngx_pylon_wake_path[0]) {
        (void) unlink((char *) ngx_pylon_wake_path);
        ngx_pylon_wake_path[0] = '\0';
    }
}


ngx_int_t
ngx_pylon_job_submit(ngx_http_request_t *r, char *id, const char *kind,
    const char *key, ngx_uint_t mode, json_t *params, ngx_uint_t *joined)
{
    int                  rc, j;
    struct sockaddr_un   sa;
    pylon_store_t       *st;

    st = ngx_pylon_worker_store();
    if (st == NULL) {
        return NGX_ERROR;
    }

    rc = pylon_job_submit(st, id, kind, key, (int) mode, params,
                          ngx_pylon_wake_path[0]
                          ? (char *) ngx_pylon_wake_path : NULL, &j);

    if (rc == PYLON_JOB_EBUSY) {
        return NGX_BUSY;
    }

    if (rc == PYLON_JOB_EFULL) {
        /* one line a second per worker, not one per refused request */
        if (ngx_time() != ngx_pylon_full_logged) {
            ngx_pylon_full_logged = ngx_time();
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "pylon: cannot queue a %s job: %s; answering 503 "
                          "(pylon_cache jobs_size sets the budget)", kind,
                          pylon_store_error(pylon_store_jobs(st)));
        }

        return NGX_DECLINED;
    }

    if (rc != 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pylon: cannot queue a %s job: %s", kind,
                      pylon_store_error(st));
        return NGX_ERROR;
    }

    if (joined) {
        *joined = j;
    }

    /* ring after the commit: the helper always finds the record */

    if (ngx_pylon_wake) {
        ngx_memzero(&sa, sizeof(sa));
        sa.sun_family = AF_UNIX;
        ngx_cpystrn((u_char *) sa.sun_path, ngx_pylon_bell_path,
                    sizeof(sa.sun_path));

        (void) sendto(ngx_pylon_wake->fd, id, PYLON_JOB_ID_LEN, MSG_DONTWAIT,
                      (struct sockaddr *) &sa, sizeof(sa));
    }

    return NGX_OK;
}


ngx_int_t
ngx_pylon_job_wait(ngx_http_request_t *r, const char *id, ngx_msec_t timeout,
    ngx_pylon_job_done_pt done)
{
    ngx_pylon_wait_t    *w;
    ngx_pool_cleanup_t  *cln;

    w = ngx_pcalloc(r->pool, sizeof(ngx_pylon_wait_t));
    if (w == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    w->request = r;
    w->done = done;
    w->deadline = ngx_current_msec + timeout;
    ngx_memcpy(w->id, id, PYLON_JOB_ID_LEN + 1);

    w->ev.handler = ngx_pylon_wait_check;
    w->ev.data = w;
    w->ev.log = r->connection->log;

    cln->handler = ngx_pylon_wait_cleanup;
    cln->data = w;

    ngx_queue_insert_tail(&ngx_pylon_waiters, &w->queue);

    ngx_add_timer(&w->ev, ngx_min(timeout, NGX_PYLON_POLL));

    /* a client that goes away ends the wait at once (pool cleanup) */
    r->read_event_handler = ngx_http_test_reading;

    r->main->count++;

    return NGX_DONE;
}


ngx_int_t
ngx_pylon_job_join_wait(ngx_http_request_t *r, const char *kind,
    const char *key, json_t *params, ngx_msec_t timeout,
    ngx_pylon_job_done_pt done)
{
    char       id[PYLON_JOB_ID_LEN + 1];
    ngx_int_t  rc;

    rc = ngx_pylon_job_submit(r, id, kind, key, PYLON_JOB_JOIN, params,
                              NULL);
    json_decref(params);

    if (rc != NGX_OK) {
        return ngx_pylon_job_refused(r, rc);
    }

    return ngx_pylon_job_wait(r, id, timeout, done);
}


ngx_int_t
ngx_pylon_job_refused(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc == NGX_BUSY) {
        return ngx_pylon_send_retry(r, NGX_PYLON_RETRY_AFTER,
                                    "Too many requests are waiting for the "
                                    "chain; retry later.");
    }

    if (rc == NGX_DECLINED) {
        return ngx_pylon_send_retry(r, NGX_PYLON_RETRY_AFTER,
                                    "The job queue is full; retry later.");
    }

    return ngx_pylon_send_status(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
}


static void
ngx_pylon_wait_cleanup(void *data)
{
    ngx_pylon_wait_t  *w = data;

    if (w->ev.timer_set) {
        ngx_del_timer(&w->ev);
    }

    if (w->ev.posted) {
        ngx_delete_posted_event(&w->ev);
    }

    if (w->queue.next) {
        ngx_queue_remove(&w->queue);
        w->queue.next = NULL;
    }
}


static void
ngx_pylon_wait_check(ngx_event_t *ev)
{
    ngx_pylon_wait_t  *w = ev->data;

    json_t              *job;
    ngx_int_t            rc;
    const char          *state;
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = w->request;
    c = r->connection;

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    job = pylon_job_get(ngx_pylon_worker_store(), w->id);
    state = json_string_value(json_object_get(job, "state"));

    if (state != NULL && pylon_job_finished(state)) {
        ngx_pylon_wait_cleanup(w);
        rc = w->done(r, job);
        json_decref(job);
        ngx_http_finalize_request(r, rc);
        ngx_http_run_posted_requests(c);
        return;
    }

    json_decref(job);

    if ((ngx_msec_int_t) (w->deadline - ngx_current_msec) <= 0) {
        ngx_pylon_wait_cleanup(w);
        rc = ngx_pylon_send_error(r, NGX_HTTP_GATEWAY_TIME_OUT,
                                  "Request timed out");
        ngx_http_finalize_request(r, rc);
        ngx_http_run_posted_requests(c);
        return;
    }

    ngx_add_timer(ev, ngx_min(NGX_PYLON_POLL,
                              (ngx_msec_t) (w->deadline - ngx_current_msec)));
}


static void
ngx_pylon_wake_handler(ngx_event_t *ev)
{
    u_char             buf[PYLON_JOB_ID_LEN + 1];
    ssize_t            n;
    ngx_queue_t       *q;
    ngx_connection_t  *c;
    ngx_pylon_wait_t  *w;

    c = ev->data;

    for ( ;; ) {
        n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n <= 0) {
            break;
        }

        if (n != PYLON_JOB_ID_LEN) {
            continue;
        }

        for (q = ngx_queue_head(&ngx_pylon_waiters);
             q != ngx_queue_sentinel(&ngx_pylon_waiters);
             q = ngx_queue_next(q))
        {
            w = ngx_queue_data(q, ngx_pylon_wait_t, queue);

            if (ngx_strncmp(w->id, buf, PYLON_JOB_ID_LEN) == 0
                && !w->ev.posted)
            {
                ngx_post_event(&w->ev, &ngx_posted_events);
            }
        }
    }

    if (ngx_handle_read_event(ev, 0) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, ev->log, 0,
                      "pylon: cannot watch the wake socket");
    }
}
