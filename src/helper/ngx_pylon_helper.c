/*
 * ngx_pylon_helper.c: the helper process's life.
 *
 *   manager callback (first call never returns)
 *     -> title, die with the master, take the single-instance lock
 *        (waiting out a previous helper on reload, killing a stuck one)
 *     -> open the cache, create the lws context, adopt nginx's channel
 *     -> start the chain session and the head follower
 *     -> loop: lws_service(), ngx_time_update(), reopen logs, until the
 *        master says quit/terminate over the channel
 *     -> clean up and exit(0); a kill -9 is fine too: the kernel drops the
 *        lock and LMDB recovers.
 *
 * The helper never returns to nginx's event loop, so it reads the master's
 * channel itself and calls the managers of other paths (proxy_cache) that
 * nginx put in the same process.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_channel.h>

#include <malloc.h>
#include <sys/file.h>
#include <sys/prctl.h>

#include "helper/ngx_pylon_helper.h"
#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_runner.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_fetch.h"
#include "helper/ngx_pylon_evm.h"
#include "helper/ngx_pylon_history.h"
#include "helper/ngx_pylon_submit.h"
#include "helper/ngx_pylon_writer.h"
#include "crypto/sr25519.h"
#include "helper/ngx_pylon_stats.h"
#include "store/gzip.h"
#include "http/ngx_pylon_cachecheck.h"


#define NGX_PYLON_LOCK_PATIENCE   5000     /* ms before killing a holder */
#define NGX_PYLON_TICK            LWS_US_PER_SEC


static void ngx_pylon_helper_main(ngx_cycle_t *cycle,
    ngx_pylon_main_conf_t *pmcf);
static int ngx_pylon_helper_lock(ngx_cycle_t *cycle,
    ngx_pylon_main_conf_t *pmcf);
static void ngx_pylon_helper_kill_stuck(ngx_cycle_t *cycle, int fd);
static void ngx_pylon_helper_keys(ngx_pylon_main_conf_t *pmcf);
static void ngx_pylon_helper_channel(ngx_log_t *log);
static int ngx_pylon_helper_raw(struct lws *wsi,
    enum lws_callback_reasons reason, void *user, void *in, size_t len);
static void ngx_pylon_helper_tick(lws_sorted_usec_list_t *sul);
static void ngx_pylon_helper_paths(lws_sorted_usec_list_t *sul);
static void ngx_pylon_helper_lws_log(int level, const char *line);
static void ngx_pylon_helper_malloc(ngx_log_t *log);


static ngx_pylon_helper_t  ngx_pylon_helper;


static const struct lws_protocols  ngx_pylon_helper_protocols[] = {
    { "pylon-chain", ngx_pylon_session_callback, 0, 65536, 0, NULL, 0 },
    { "pylon-raw", ngx_pylon_helper_raw, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 }
};


/*
 * Every head, the helper allocates and frees tens of megabytes in blocks of
 * 100 kB to a few MB (replies, decoded bytes, bodies, gzip copies, LMDB's
 * dirty pages).  With glibc's defaults those are mmap()ed, or trimmed off
 * the heap's top when freed, so the next head faults every page in again
 * (bench_refresh: a fifth of the helper's CPU in page faults and the
 * copies that take them).  Keep them on the heap and keep some of the
 * heap: when the free top passes the trim threshold, all but the top pad
 * goes back, so at most that much free memory stays resident.
 */
#define NGX_PYLON_HELPER_MMAP_MIN   (32 * 1024 * 1024)
#define NGX_PYLON_HELPER_TRIM_MIN   (32 * 1024 * 1024)
#define NGX_PYLON_HELPER_TOP_PAD    (16 * 1024 * 1024)

static void
ngx_pylon_helper_malloc(ngx_log_t *log)
{
    if (mallopt(M_MMAP_THRESHOLD, NGX_PYLON_HELPER_MMAP_MIN) != 1
        || mallopt(M_TRIM_THRESHOLD, NGX_PYLON_HELPER_TRIM_MIN) != 1
        || mallopt(M_TOP_PAD, NGX_PYLON_HELPER_TOP_PAD) != 1)
    {
        /* ASan's allocator refuses them: harmless, only slower */
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "pylon helper: mallopt() refused the thresholds");
    }
}


ngx_msec_t
ngx_pylon_helper_manager(void *data)
{
    ngx_pylon_helper_main((ngx_cycle_t *) ngx_cycle, data);

    return 3600 * 1000;                      /* not reached */
}


uint64_t
ngx_pylon_helper_now_ms(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (uint64_t) tp->sec * 1000 + tp->msec;
}


void
ngx_pylon_helper_fork_single(ngx_cycle_t *cycle, ngx_pylon_main_conf_t *pmcf)
{
    int               sv[2];
    ngx_pid_t         pid;
    ngx_uint_t        i;
    ngx_listening_t  *ls;

    /* a socketpair stands in for the channel: EOF when nginx exits */

    if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, sv) == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                      "pylon: socketpair() for the helper failed");
        return;
    }

    pid = fork();

    if (pid == -1) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                      "pylon: fork() of the helper failed");
        close(sv[0]);
        close(sv[1]);
        return;
    }

    if (pid == 0) {
        close(sv[0]);
        (void) ngx_nonblocking(sv[1]);

        ngx_parent = ngx_pid;
        ngx_pid = ngx_getpid();
        ngx_process = NGX_PROCESS_HELPER;
        ngx_channel = sv[1];

        /*
         * Not ngx_close_listening_sockets(): the epoll instance is shared
         * with the parent after fork, and EPOLL_CTL_DEL would silently
         * stop the parent from accepting.  Plain close() is safe.
         */

        ls = cycle->listening.elts;
        for (i = 0; i < cycle->listening.nelts; i++) {
            close(ls[i].fd);
        }

        ngx_pylon_helper_main(cycle, pmcf);     /* never returns */
    }

    close(sv[1]);                 /* the parent keeps sv[0] until it exits */

    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "pylon: master_process off, forked unmanaged helper %P",
                  pid);
}


static void
ngx_pylon_helper_main(ngx_cycle_t *cycle, ngx_pylon_main_conf_t *pmcf)
{
    int                                lockfd;
    char                               err[PYLON_STORE_ERRLEN];
    lws_sock_file_fd_type              fd;
    struct lws_context_creation_info   info;
    ngx_pylon_helper_t                *h;

    h = &ngx_pylon_helper;
    h->cycle = cycle;
    h->log = cycle->log;
    h->pmcf = pmcf;

    ngx_setproctitle("pylon helper");

    ngx_pylon_helper_malloc(cycle->log);

    /* never outlive the master, even if the channel's EOF were missed */
    (void) prctl(PR_SET_PDEATHSIG, SIGTERM);

    /*
     * before any key is loaded: a worker (same uid) must not read this
     * process's memory through /proc/<pid>/mem or ptrace; no core dumps
     */
    if (prctl(PR_SET_DUMPABLE, 0) != 0) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                      "pylon helper: prctl(PR_SET_DUMPABLE) failed");
    }

    if (ngx_pylon_cachecheck_self(cycle->log, NGX_LOG_EMERG, "pylon helper",
                                  &pmcf->cache_dir)
        != NGX_OK)
    {
        exit(2);                  /* fatal: nginx does not respawn it */
    }

    lockfd = ngx_pylon_helper_lock(cycle, pmcf);

    ngx_pylon_helper_keys(pmcf);

    h->store = pylon_store_open((char *) pmcf->cache_dir.data,
                                pmcf->cache_max_size, err, sizeof(err));
    if (h->store == NULL
        || pylon_store_open_jobs(h->store, (char *) pmcf->cache_dir.data,
                                 pmcf->cache_jobs_size, err, sizeof(err))
           != 0)
    {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0, "pylon helper: %s", err);
        exit(2);
    }

    /* pylon_gzip: every cached body gets its gzip copy once, here */
    if (pmcf->gzip
        && pylon_store_set_gzip(h->store, PYLON_GZIP_LEVEL) != 0)
    {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0, "pylon helper: %s",
                      pylon_store_error(h->store));
    }

    lws_set_log_level(LLL_ERR|LLL_WARN, ngx_pylon_helper_lws_log);

    ngx_memzero(&info, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = ngx_pylon_helper_protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.gid = -1;
    info.uid = -1;
    info.fd_limit_per_thread = 256;

    if (pmcf->network.ca.len) {
        info.client_ssl_ca_filepath = (char *) pmcf->network.ca.data;
    }

    h->lws = lws_create_context(&info);
    if (h->lws == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "pylon helper: lws_create_context() failed");
        exit(2);
    }

    h->vhost = lws_get_vhost_by_name(h->lws, "default");

    fd.filefd = ngx_channel;
    if (lws_adopt_descriptor_vhost(h->vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
                                   "pylon-raw", NULL) == NULL)
    {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "pylon helper: cannot watch the master's channel");
        exit(2);
    }

    h->follow = ngx_pylon_follow_create(h);
    h->chain = ngx_pylon_session_create(h, &pmcf->network, "chain",
                                        ngx_pylon_follow_connected,
                                        ngx_pylon_follow_disconnected,
                                        h->follow);
    if (h->follow == NULL || h->chain == NULL) {
        exit(2);
    }

    ngx_pylon_follow_start(h->follow, h->chain);

    /* subnet data every block, and cache misses on demand */

    h->meta = ngx_pylon_meta_create(h);
    if (h->meta == NULL) {
        exit(2);
    }

    h->refresh = ngx_pylon_refresh_create(h, h->chain);
    if (h->refresh == NULL
        || ngx_pylon_follow_listen(h->follow, ngx_pylon_refresh_head,
                                   h->refresh) != NGX_OK
        || ngx_pylon_fetch_init(h, h->refresh) != NGX_OK
        || ngx_pylon_evm_init(h) != NGX_OK
        || ngx_pylon_history_init(h) != NGX_OK)
    {
        exit(2);
    }

    /* writes: signed extrinsics and the jobs that make them */

    h->submitter = ngx_pylon_submitter_create(h, h->chain, h->follow);
    if (h->submitter == NULL
        || ngx_pylon_writer_init(h, h->submitter, h->refresh) != NGX_OK)
    {
        exit(2);
    }

    if (ngx_pylon_runner_init(h) != NGX_OK) {
        exit(2);
    }

    ngx_pylon_session_connect(h->chain);
    ngx_pylon_fetch_connect();
    ngx_pylon_evm_connect();

    lws_sul_schedule(h->lws, 0, &h->sul_tick, ngx_pylon_helper_tick,
                     NGX_PYLON_TICK);
    lws_sul_schedule(h->lws, 0, &h->sul_paths, ngx_pylon_helper_paths, 1);

    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "pylon helper: started, following %s",
                  pmcf->network.url.data);

    while (!ngx_quit && !ngx_terminate) {

        if (ngx_reopen) {
            ngx_reopen = 0;
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "pylon helper: reopening logs");
            ngx_reopen_files(cycle, -1);
        }

        /* blocks in poll() until an fd, the next timer or a signal */
        if (lws_service(h->lws, 0) < 0) {
            break;
        }

        ngx_time_update();
    }

    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "pylon helper: exiting (%s)",
                  ngx_terminate ? "terminate" : "quit");

    lws_sul_cancel(&h->sul_tick);
    lws_sul_cancel(&h->sul_paths);
    ngx_pylon_runner_done(h);
    ngx_pylon_writer_done(h);
    ngx_pylon_submitter_stop(h->submitter);   /* jobs go to the next helper */
    ngx_pylon_session_shutdown(h->chain);
    ngx_pylon_fetch_shutdown();
    ngx_pylon_evm_shutdown();
    ngx_pylon_submitter_destroy(h->submitter);
    lws_context_destroy(h->lws);
    ngx_pylon_session_free(h->chain);
    ngx_pylon_fetch_free();
    ngx_pylon_evm_free();
    ngx_pylon_refresh_destroy(h->refresh);
    ngx_pylon_meta_destroy(h->meta);         /* after every session */
    ngx_pylon_history_done();
    ngx_pylon_follow_destroy(h->follow);
    pylon_store_close(h->store);

    close(lockfd);                            /* releases the flock */

    exit(0);
}


/*
 * Single-instance lock.  On reload the master starts the new helper about
 * 100 ms before it tells the old one to quit: wait for the lock, reading
 * the channel so that a quit during the wait still works, and kill a
 * holder that is still there after NGX_PYLON_LOCK_PATIENCE (it is stuck).
 * The holder's pid is kept in the lock file.
 */

static int
ngx_pylon_helper_lock(ngx_cycle_t *cycle, ngx_pylon_main_conf_t *pmcf)
{
    int            fd;
    u_char         path[NGX_MAX_PATH], pid[NGX_INT64_LEN + 2], *p;
    ngx_msec_t     waited;
    struct pollfd  pfd;

    ngx_snprintf(path, sizeof(path), "%V/helper.lock%Z", &pmcf->cache_dir);

    fd = open((char *) path, O_RDWR|O_CREAT|O_CLOEXEC, 0600);
    if (fd == -1) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "pylon helper: open(\"%s\") failed", path);
        exit(2);
    }

    waited = 0;

    while (flock(fd, LOCK_EX|LOCK_NB) == -1) {

        if (ngx_errno != NGX_EAGAIN && ngx_errno != NGX_EINTR) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "pylon helper: flock(\"%s\") failed", path);
            exit(2);
        }

        if (waited == 0) {
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "pylon helper: previous helper still holds the "
                          "lock, waiting");
        }

        pfd.fd = ngx_channel;
        pfd.events = POLLIN;

        if (poll(&pfd, 1, 100) > 0) {
            ngx_pylon_helper_channel(cycle->log);
        }

        if (ngx_quit || ngx_terminate) {
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "pylon helper: exiting before taking the lock");
            exit(0);
        }

        waited += 100;

        if (waited % NGX_PYLON_LOCK_PATIENCE == 0) {
            ngx_pylon_helper_kill_stuck(cycle, fd);
        }
    }

    if (waited) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "pylon helper: lock taken after %M ms", waited);
    }

    p = ngx_sprintf(pid, "%P\n", ngx_pid);

    if (ftruncate(fd, 0) == -1
        || pwrite(fd, pid, p - pid, 0) != p - pid)
    {
        ngx_log_error(NGX_LOG_WARN, cycle->log, ngx_errno,
                      "pylon helper: cannot record pid in \"%s\"", path);
    }

    return fd;
}


static void
ngx_pylon_helper_kill_stuck(ngx_cycle_t *cycle, int fd)
{
    int        cfd;
    ssize_t    n;
    ngx_pid_t  pid;
    u_char     buf[NGX_INT64_LEN + 2], cmd[64], path[64];

    n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0) {
        return;
    }

    while (n && (buf[n - 1] == '\n')) {
        n--;
    }

    pid = ngx_atoi(buf, n);
    if (pid == NGX_ERROR || pid <= 0 || pid == ngx_pid) {
        return;
    }

    /* make sure the pid is still a pylon helper, not a recycled pid */

    ngx_snprintf(path, sizeof(path), "/proc/%P/cmdline%Z", pid);

    cfd = open((char *) path, O_RDONLY|O_CLOEXEC);
    if (cfd == -1) {
        return;
    }

    n = read(cfd, cmd, sizeof(cmd) - 1);
    close(cfd);

    if (n <= 0) {
        return;
    }

    cmd[n] = '\0';

    if (ngx_strstr(cmd, "pylon helper") == NULL) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                  "pylon helper: previous helper %P is stuck, killing it",
                  pid);

    if (kill(pid, SIGKILL) == -1) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, ngx_errno,
                      "pylon helper: kill(%P) failed", pid);
    }
}


/* memory locks are not inherited across fork(): lock the hotkeys again */

static void
ngx_pylon_helper_keys(ngx_pylon_main_conf_t *pmcf)
{
    ngx_uint_t             i;
    ngx_pylon_identity_t  *id;

    if (pmcf->identities == NULL) {
        return;
    }

    id = pmcf->identities->elts;

    for (i = 0; i < pmcf->identities->nelts; i++) {
        if (id[i].keypair) {
            pylon_sr25519_keypair_lock(id[i].keypair);
        }
    }
}


/* the master's commands, as nginx's own ngx_channel_handler reads them */

static void
ngx_pylon_helper_channel(ngx_log_t *log)
{
    ngx_int_t      n;
    ngx_channel_t  ch;

    for ( ;; ) {

        n = ngx_read_channel(ngx_channel, &ch, sizeof(ngx_channel_t), log);

        if (n == NGX_AGAIN) {
            return;
        }

        if (n == NGX_ERROR) {
            /* the master is gone: do not outlive it */
            ngx_terminate = 1;
            return;
        }

        switch (ch.command) {

        case NGX_CMD_QUIT:
            ngx_quit = 1;
            break;

        case NGX_CMD_TERMINATE:
            ngx_terminate = 1;
            break;

        case NGX_CMD_REOPEN:
            ngx_reopen = 1;
            break;

        case NGX_CMD_OPEN_CHANNEL:
            ngx_processes[ch.slot].pid = ch.pid;
            ngx_processes[ch.slot].channel[0] = ch.fd;
            break;

        case NGX_CMD_CLOSE_CHANNEL:
            if (ngx_processes[ch.slot].channel[0] != -1) {
                (void) close(ngx_processes[ch.slot].channel[0]);
            }
            ngx_processes[ch.slot].channel[0] = -1;
            break;
        }
    }
}


static int
ngx_pylon_helper_raw(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
    switch (reason) {

    case LWS_CALLBACK_RAW_RX_FILE:
        if (lws_get_socket_fd(wsi) == ngx_channel) {
            ngx_pylon_helper_channel(ngx_pylon_helper.log);

        } else if (lws_get_socket_fd(wsi) == ngx_pylon_runner_fd()) {
            ngx_pylon_runner_doorbell(&ngx_pylon_helper,
                                      lws_get_socket_fd(wsi));
        }
        break;

    case LWS_CALLBACK_RAW_CLOSE_FILE:
        if (lws_get_socket_fd(wsi) == ngx_channel) {
            ngx_terminate = 1;
        }
        break;

    default:
        break;
    }

    return 0;
}


/* once a second: request timeouts, stale LMDB readers */

static void
ngx_pylon_helper_tick(lws_sorted_usec_list_t *sul)
{
    int                  dead;
    ngx_pylon_helper_t  *h;

    h = &ngx_pylon_helper;
    h->ticks++;

    ngx_time_update();

    ngx_pylon_session_tick(h->chain);
    ngx_pylon_evm_tick();
    ngx_pylon_fetch_tick();
    ngx_pylon_follow_tick(h->follow);

    /* the statistics record doubles as the helper's heartbeat */
    (void) ngx_pylon_stats_flush(h);

    if (h->ticks % 10 == 0) {
        dead = pylon_store_reader_check(h->store);
        if (dead > 0) {
            ngx_log_error(NGX_LOG_NOTICE, h->log, 0,
                          "pylon helper: cleared %d stale cache readers",
                          dead);
        }
    }

    lws_sul_schedule(h->lws, 0, &h->sul_tick, ngx_pylon_helper_tick,
                     NGX_PYLON_TICK);
}


/*
 * nginx runs every path manager in this process, one after the other, and
 * ours never returns: keep calling the others (proxy_cache_path's) at the
 * delays they ask for.
 */

static void
ngx_pylon_helper_paths(lws_sorted_usec_list_t *sul)
{
    ngx_msec_t           next, n;
    ngx_uint_t           i;
    ngx_path_t         **path;
    ngx_pylon_helper_t  *h;

    h = &ngx_pylon_helper;
    next = 60 * 1000;

    path = h->cycle->paths.elts;

    for (i = 0; i < h->cycle->paths.nelts; i++) {

        if (path[i]->manager == NULL
            || path[i]->manager == ngx_pylon_helper_manager)
        {
            continue;
        }

        n = path[i]->manager(path[i]->data);
        next = ngx_min(next, n);
        ngx_time_update();
    }

    lws_sul_schedule(h->lws, 0, &h->sul_paths, ngx_pylon_helper_paths,
                     (lws_usec_t) ngx_max(next, 1) * 1000);
}


static void
ngx_pylon_helper_lws_log(int level, const char *line)
{
    size_t      len;
    ngx_uint_t  lvl;

    len = ngx_strlen(line);

    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        len--;
    }

    lvl = (level == LLL_ERR) ? NGX_LOG_ERR : NGX_LOG_WARN;

    ngx_log_error(lvl, ngx_pylon_helper.log, 0, "pylon helper: lws: %*s",
                  len, line);
}
