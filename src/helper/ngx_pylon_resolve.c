/*
 * ngx_pylon_resolve.c: getaddrinfo() in a detached thread (see
 * ngx_pylon_resolve.h).  The thread touches only its query, under the
 * query's mutex; signals stay blocked in it so that nginx's handlers run
 * on the helper's own thread.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <pthread.h>
#include <netdb.h>
#include <arpa/inet.h>

#include "helper/ngx_pylon_resolve.h"


struct ngx_pylon_resolve_s {
    pthread_mutex_t   mutex;
    ngx_uint_t        refs;
    ngx_int_t         rc;                 /* NGX_AGAIN, NGX_OK, NGX_ERROR */
    const char       *err;
    char              addr[NGX_PYLON_RESOLVE_ADDRLEN];
    char              host[256];
};


static void *ngx_pylon_resolve_thread(void *data);
static void ngx_pylon_resolve_unref(ngx_pylon_resolve_t *r);


ngx_uint_t
ngx_pylon_resolve_numeric(const char *host)
{
    u_char  buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, buf) == 1
           || inet_pton(AF_INET6, host, buf) == 1;
}


ngx_pylon_resolve_t *
ngx_pylon_resolve_start(const char *host)
{
    sigset_t              all, old;
    pthread_t             tid;
    pthread_attr_t        attr;
    ngx_pylon_resolve_t  *r;
    int                   rc;

    if (ngx_strlen(host) >= sizeof(r->host)) {
        return NULL;
    }

    r = calloc(1, sizeof(ngx_pylon_resolve_t));
    if (r == NULL) {
        return NULL;
    }

    if (pthread_mutex_init(&r->mutex, NULL) != 0) {
        free(r);
        return NULL;
    }

    r->refs = 2;                             /* the caller and the thread */
    r->rc = NGX_AGAIN;
    ngx_cpystrn((u_char *) r->host, (u_char *) host, sizeof(r->host));

    if (pthread_attr_init(&attr) != 0) {
        pthread_mutex_destroy(&r->mutex);
        free(r);
        return NULL;
    }

    (void) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);

    sigfillset(&all);
    (void) pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&tid, &attr, ngx_pylon_resolve_thread, r);
    (void) pthread_sigmask(SIG_SETMASK, &old, NULL);

    pthread_attr_destroy(&attr);

    if (rc != 0) {
        pthread_mutex_destroy(&r->mutex);
        free(r);
        return NULL;
    }

    return r;
}


ngx_int_t
ngx_pylon_resolve_result(ngx_pylon_resolve_t *r, char *addr,
    const char **err)
{
    ngx_int_t  rc;

    pthread_mutex_lock(&r->mutex);

    rc = r->rc;

    if (rc == NGX_OK) {
        ngx_memcpy(addr, r->addr, sizeof(r->addr));

    } else if (rc == NGX_ERROR) {
        *err = r->err;
    }

    pthread_mutex_unlock(&r->mutex);

    return rc;
}


void
ngx_pylon_resolve_release(ngx_pylon_resolve_t *r)
{
    if (r) {
        ngx_pylon_resolve_unref(r);
    }
}


static void
ngx_pylon_resolve_unref(ngx_pylon_resolve_t *r)
{
    ngx_uint_t  last;

    pthread_mutex_lock(&r->mutex);
    last = (--r->refs == 0);
    pthread_mutex_unlock(&r->mutex);

    if (last) {
        pthread_mutex_destroy(&r->mutex);
        free(r);
    }
}


static void *
ngx_pylon_resolve_thread(void *data)
{
    ngx_pylon_resolve_t *r = data;

    int               rc;
    const void       *a;
    const char       *err;
    struct addrinfo   hints, *res, *ai;
    char              addr[NGX_PYLON_RESOLVE_ADDRLEN];

    ngx_memzero(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    res = NULL;
    err = NULL;
    addr[0] = '\0';

    /* r->host is written before the thread starts and never after */
    rc = getaddrinfo(r->host, NULL, &hints, &res);

    if (rc != 0 || res == NULL) {
        err = rc == EAI_NONAME ? "unknown host"
              : rc == EAI_AGAIN ? "name resolution failed for now"
              : "name resolution failed";

    } else {
        /* IPv4 first when there is one: hosts often have an AAAA record
         * and no IPv6 route */
        for (ai = res; ai; ai = ai->ai_next) {
            if (ai->ai_family == AF_INET) {
                break;
            }
        }

        if (ai == NULL) {
            ai = res;
        }

        a = ai->ai_family == AF_INET6
            ? (const void *) &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr
            : (const void *) &((struct sockaddr_in *) ai->ai_addr)->sin_addr;

        if (inet_ntop(ai->ai_family, a, addr, sizeof(addr)) == NULL) {
            err = "unusable address";
        }
    }

    if (res) {
        freeaddrinfo(res);
    }

    pthread_mutex_lock(&r->mutex);

    if (err) {
        r->rc = NGX_ERROR;
        r->err = err;

    } else {
        r->rc = NGX_OK;
        ngx_memcpy(r->addr, addr, sizeof(addr));
    }

    pthread_mutex_unlock(&r->mutex);

    ngx_pylon_resolve_unref(r);

    return NULL;
}
