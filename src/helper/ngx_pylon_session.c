/*
 * ngx_pylon_session.c: a JSON-RPC session over a libwebsockets client
 * connection (see ngx_pylon_session.h).
 *
 * State: CLOSED -> CONNECTING -> OPEN -> (error or close) -> CLOSED, with a
 * reconnect timer of 250 ms doubling up to 10 s; the backoff resets once
 * the node has sent a well-formed message.  Outgoing messages wait in a
 * FIFO until lws says the socket is writable; incoming fragments collect
 * in a buffer (at most NGX_PYLON_RX_MAX) until the final one.
 *
 * A node given by name is resolved off the loop first
 * (ngx_pylon_resolve.h: a thread, polled every NGX_PYLON_RESOLVE_POLL ms
 * while it runs); lws then connects to the numeric address, with the
 * name as Host and TLS server name.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "chain/rpc.h"
#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_stats.h"
#include "helper/ngx_pylon_resolve.h"


#define NGX_PYLON_RX_MAX         (64 * 1024 * 1024)
#define NGX_PYLON_CALL_TIMEOUT   30000        /* ms */
#define NGX_PYLON_BACKOFF_MIN    250          /* ms */
#define NGX_PYLON_BACKOFF_MAX    10000        /* ms */
#define NGX_PYLON_HEALTHY        30000        /* ms open before the backoff
                                                 starts over */
#define NGX_PYLON_PING_IDLE      20           /* s quiet before a ping */
#define NGX_PYLON_PING_HANGUP    45           /* s quiet before hanging up */
#define NGX_PYLON_RESOLVE_POLL   20           /* ms between looks at the
                                                 resolver thread */

#define NGX_PYLON_S_CLOSED       0
#define NGX_PYLON_S_CONNECTING   1
#define NGX_PYLON_S_OPEN         2


typedef struct ngx_pylon_out_s  ngx_pylon_out_t;

struct ngx_pylon_out_s {
    ngx_pylon_out_t      *next;
    size_t                len;
    u_char                data[1];     /* LWS_PRE + len bytes */
};


typedef struct ngx_pylon_call_s  ngx_pylon_call_t;

struct ngx_pylon_call_s {
    ngx_pylon_call_t     *next;
    uint64_t              id;
    uint64_t              deadline;
    ngx_pylon_reply_pt    reply;
    ngx_pylon_reply_pt    notify;      /* set for subscriptions */
    void                 *data;
    double                started;     /* ngx_pylon_stats_clock() */
    char                  method[48];
};


typedef struct ngx_pylon_sub_s  ngx_pylon_sub_t;

struct ngx_pylon_sub_s {
    ngx_pylon_sub_t      *next;
    ngx_pylon_reply_pt    notify;
    void                 *data;
    char                  id[80];
};


struct ngx_pylon_session_s {
    ngx_pylon_helper_t   *helper;
    ngx_log_t            *log;
    const char           *name;
    ngx_pylon_node_t     *node;

    struct lws           *wsi;
    ngx_uint_t            state;
    ngx_uint_t            attempt;
    uint64_t              open_ms;      /* when it was established */
    lws_sorted_usec_list_t  sul_connect;
    lws_sorted_usec_list_t  sul_resolve;

    ngx_pylon_resolve_t  *resolve;      /* a query in flight */
    char                  addr[NGX_PYLON_RESOLVE_ADDRLEN];
    uint64_t              addr_ms;      /* when addr was resolved */

    ngx_pylon_event_pt    connected;
    ngx_pylon_event_pt    disconnected;
    void                 *data;

    uint64_t              next_id;
    ngx_pylon_call_t     *calls;
    ngx_pylon_sub_t      *subs;
    ngx_pylon_out_t      *out;
    ngx_pylon_out_t     **out_last;

    u_char               *rx;
    size_t                rx_len;
    size_t                rx_cap;
    ngx_uint_t            rx_overflow;
    ngx_uint_t            destroying;

    char                  url[512];
    char                  path[512];
    const char           *scheme;
    const char           *address;
    int                   port;
};


static void ngx_pylon_session_reconnect(lws_sorted_usec_list_t *sul);
static void ngx_pylon_session_resolved(lws_sorted_usec_list_t *sul);
static void ngx_pylon_session_lost(ngx_pylon_session_t *s,
    const char *why);
static void ngx_pylon_session_receive(ngx_pylon_session_t *s, u_char *in,
    size_t len, ngx_uint_t final);
static void ngx_pylon_session_dispatch(ngx_pylon_session_t *s);
static int ngx_pylon_session_write(ngx_pylon_session_t *s);
static void ngx_pylon_session_fail_all(ngx_pylon_session_t *s,
    const char *why);


ngx_pylon_session_t *
ngx_pylon_session_create(ngx_pylon_helper_t *h, ngx_pylon_node_t *node,
    const char *name, ngx_pylon_event_pt connected,
    ngx_pylon_event_pt disconnected, void *data)
{
    const char           *path;
    ngx_pylon_session_t  *s;

    s = ngx_calloc(sizeof(ngx_pylon_session_t), h->log);
    if (s == NULL) {
        return NULL;
    }

    s->helper = h;
    s->log = h->log;
    s->name = name;
    s->node = node;
    s->connected = connected;
    s->disconnected = disconnected;
    s->data = data;
    s->next_id = 1;
    s->out_last = &s->out;

    if (node->url.len >= sizeof(s->url)) {
        ngx_log_error(NGX_LOG_EMERG, h->log, 0,
                      "pylon helper: %s node url is too long", name);
        ngx_free(s);
        return NULL;
    }

    ngx_cpystrn((u_char *) s->url, node->url.data, sizeof(s->url));

    if (lws_parse_uri(s->url, &s->scheme, &s->address, &s->port, &path)) {
        ngx_log_error(NGX_LOG_EMERG, h->log, 0,
                      "pylon helper: cannot parse %s node url \"%V\"", name,
                      &node->url);
        ngx_free(s);
        return NULL;
    }

    /* lws_parse_uri() strips the path's leading "/" */
    ngx_snprintf((u_char *) s->path, sizeof(s->path) - 1, "/%s%Z", path);

    return s;
}


void
ngx_pylon_session_connect(ngx_pylon_session_t *s)
{
    struct lws_client_connect_info  i;

    /*
     * WebSocket pings on a quiet link, and a hang-up when not even a pong
     * comes: a half-open socket does not pass for a connection.
     */
    static const lws_retry_bo_t  idle = {
        .secs_since_valid_ping = NGX_PYLON_PING_IDLE,
        .secs_since_valid_hangup = NGX_PYLON_PING_HANGUP,
    };

    const char  *address;

    if (s->state != NGX_PYLON_S_CLOSED) {
        return;
    }

    if (ngx_pylon_resolve_numeric(s->address)) {
        address = s->address;

    } else if (s->addr[0]
               && ngx_pylon_helper_now_ms() - s->addr_ms
                  < NGX_PYLON_RESOLVE_REFRESH)
    {
        address = s->addr;

    } else {
        /* resolve off the loop, connect when the answer is in */

        s->resolve = ngx_pylon_resolve_start(s->address);
        s->state = NGX_PYLON_S_CONNECTING;

        if (s->resolve == NULL) {
            ngx_pylon_session_lost(s, "cannot start name resolution");
            return;
        }

        lws_sul_schedule(s->helper->lws, 0, &s->sul_resolve,
                         ngx_pylon_session_resolved,
                         NGX_PYLON_RESOLVE_POLL * 1000);
        return;
    }

    ngx_memzero(&i, sizeof(i));
    i.context = s->helper->lws;
    i.address = address;
    i.port = s->port;
    i.path = s->path;
    i.host = s->address;
    i.origin = s->address;
    i.local_protocol_name = "pylon-chain";
    i.opaque_user_data = s;
    i.retry_and_idle_policy = &idle;

    if (ngx_strcmp(s->scheme, "wss") == 0) {
        i.ssl_connection = LCCSCF_USE_SSL;
    }

    s->state = NGX_PYLON_S_CONNECTING;

    if (lws_client_connect_via_info(&i) == NULL) {
        /* lws may or may not have called CONNECTION_ERROR already */
        if (s->state == NGX_PYLON_S_CONNECTING) {
            ngx_pylon_session_lost(s, "connect failed");
        }
    }
}


static void
ngx_pylon_session_resolved(lws_sorted_usec_list_t *sul)
{
    ngx_int_t             rc;
    const char           *err;
    ngx_pylon_session_t  *s;
    char                  why[128];

    s = lws_container_of(sul, ngx_pylon_session_t, sul_resolve);

    err = NULL;
    rc = ngx_pylon_resolve_result(s->resolve, s->addr, &err);

    if (rc == NGX_AGAIN) {
        lws_sul_schedule(s->helper->lws, 0, &s->sul_resolve,
                         ngx_pylon_session_resolved,
                         NGX_PYLON_RESOLVE_POLL * 1000);
        return;
    }

    ngx_pylon_resolve_release(s->resolve);
    s->resolve = NULL;

    if (rc != NGX_OK) {
        s->addr[0] = '\0';
        ngx_snprintf((u_char *) why, sizeof(why) - 1, "%s: %s%Z", s->address,
                     err);
        ngx_pylon_session_lost(s, why);
        return;
    }

    s->addr_ms = ngx_pylon_helper_now_ms();

    ngx_log_error(NGX_LOG_INFO, s->log, 0,
                  "pylon helper: %s node %s is %s", s->name, s->address,
                  s->addr);

    s->state = NGX_PYLON_S_CLOSED;
    ngx_pylon_session_connect(s);
}


static void
ngx_pylon_session_reconnect(lws_sorted_usec_list_t *sul)
{
    ngx_pylon_session_t  *s;

    s = lws_container_of(sul, ngx_pylon_session_t, sul_connect);

    ngx_pylon_session_connect(s);
}


/*
 * The connection failed or closed: fail what was waiting, forget the
 * subscriptions, tell the owner, and schedule the next attempt.
 */

static void
ngx_pylon_session_lost(ngx_pylon_session_t *s, const char *why)
{
    ngx_msec_t        delay;
    ngx_uint_t        was_open, level;
    ngx_pylon_out_t  *o;
    ngx_pylon_sub_t  *sub;

    was_open = (s->state == NGX_PYLON_S_OPEN);

    /*
     * The backoff starts over only after a healthy period: a node that
     * closes every connection after a message gets spaced attempts.
     */
    if (was_open
        && ngx_pylon_helper_now_ms() - s->open_ms >= NGX_PYLON_HEALTHY)
    {
        s->attempt = 0;
    }

    s->state = NGX_PYLON_S_CLOSED;
    s->wsi = NULL;
    s->rx_len = 0;
    s->rx_overflow = 0;

    while (s->out) {
        o = s->out;
        s->out = o->next;
        ngx_free(o);
    }

    s->out_last = &s->out;

    while (s->subs) {
        sub = s->subs;
        s->subs = sub->next;
        ngx_free(sub);
    }

    ngx_pylon_session_fail_all(s, "connection lost");

    if (s->destroying) {
        return;
    }

    delay = ngx_min((ngx_msec_t) NGX_PYLON_BACKOFF_MIN << ngx_min(s->attempt,
                                                                  6),
                    (ngx_msec_t) NGX_PYLON_BACKOFF_MAX);
    s->attempt++;

    level = was_open ? NGX_LOG_WARN : NGX_LOG_ERR;

    ngx_log_error(level, s->log, 0,
                  "pylon helper: %s node %V: %s, reconnecting in %M ms",
                  s->name, &s->node->url, why, delay);

    if (was_open && s->disconnected) {
        s->disconnected(s->data);
    }

    lws_sul_schedule(s->helper->lws, 0, &s->sul_connect,
                     ngx_pylon_session_reconnect,
                     (lws_usec_t) delay * 1000);
}


static void
ngx_pylon_session_fail_all(ngx_pylon_session_t *s, const char *why)
{
    ngx_pylon_call_t  *c;

    while (s->calls) {
        c = s->calls;
        s->calls = c->next;

        ngx_pylon_stats_call_done((char *) s->node->name.data, c->method,
                                  s->destroying ? NGX_PYLON_STATUS_CANCELLED
                                                : NGX_PYLON_STATUS_ERROR,
                                  ngx_pylon_stats_clock() - c->started);

        if (c->reply) {
            c->reply(c->data, NULL, why);
        }

        ngx_free(c);
    }
}


void
ngx_pylon_session_shutdown(ngx_pylon_session_t *s)
{
    if (s == NULL) {
        return;
    }

    lws_sul_cancel(&s->sul_connect);
    lws_sul_cancel(&s->sul_resolve);

    ngx_pylon_resolve_release(s->resolve);
    s->resolve = NULL;

    s->destroying = 1;
    ngx_pylon_session_lost(s, "helper exiting");
}


void
ngx_pylon_session_free(ngx_pylon_session_t *s)
{
    if (s == NULL) {
        return;
    }

    ngx_pylon_resolve_release(s->resolve);
    ngx_free(s->rx);
    ngx_free(s);
}


static ngx_int_t
ngx_pylon_session_send(ngx_pylon_session_t *s, const char *method,
    json_t *params, ngx_pylon_reply_pt reply, ngx_pylon_reply_pt notify,
    void *data)
{
    char              *msg;
    size_t             len;
    ngx_pylon_out_t   *o;
    ngx_pylon_call_t  *c;

    if (s->state != NGX_PYLON_S_OPEN) {
        json_decref(params);
        return NGX_DECLINED;
    }

    msg = pylon_rpc_request(s->next_id, method, params);
    if (msg == NULL) {
        return NGX_ERROR;
    }

    len = ngx_strlen(msg);

    o = ngx_alloc(sizeof(ngx_pylon_out_t) + LWS_PRE + len, s->log);
    c = ngx_calloc(sizeof(ngx_pylon_call_t), s->log);

    if (o == NULL || c == NULL) {
        free(msg);
        ngx_free(o);
        ngx_free(c);
        return NGX_ERROR;
    }

    o->next = NULL;
    o->len = len;
    ngx_memcpy(o->data + LWS_PRE, msg, len);
    free(msg);

    *s->out_last = o;
    s->out_last = &o->next;

    c->id = s->next_id++;
    c->deadline = ngx_pylon_helper_now_ms() + NGX_PYLON_CALL_TIMEOUT;
    c->reply = reply;
    c->notify = notify;
    c->data = data;
    ngx_cpystrn((u_char *) c->method, (u_char *) method, sizeof(c->method));
    c->started = ngx_pylon_stats_clock();

    ngx_pylon_stats_call_sent((char *) s->node->name.data, c->method);

    c->next = s->calls;
    s->calls = c;

    lws_callback_on_writable(s->wsi);

    return NGX_OK;
}


ngx_int_t
ngx_pylon_session_call(ngx_pylon_session_t *s, const char *method,
    json_t *params, ngx_pylon_reply_pt reply, void *data)
{
    return ngx_pylon_session_send(s, method, params, reply, NULL, data);
}


ngx_int_t
ngx_pylon_session_subscribe(ngx_pylon_session_t *s, const char *method,
    json_t *params, ngx_pylon_reply_pt notify, ngx_pylon_reply_pt reply,
    void *data)
{
    return ngx_pylon_session_send(s, method, params, reply, notify, data);
}


ngx_uint_t
ngx_pylon_session_is_connected(ngx_pylon_session_t *s)
{
    return s->state == NGX_PYLON_S_OPEN;
}


void
ngx_pylon_session_tick(ngx_pylon_session_t *s)
{
    uint64_t            now;
    ngx_pylon_call_t   *c;

    if (s->state != NGX_PYLON_S_OPEN) {
        return;
    }

    now = ngx_pylon_helper_now_ms();

    for (c = s->calls; c; c = c->next) {
        if (c->deadline <= now) {
            break;
        }
    }

    if (c == NULL) {
        return;
    }

    /* an unanswered call: the node or the link is stuck, start over */

    ngx_log_error(NGX_LOG_ERR, s->log, 0,
                  "pylon helper: %s node did not answer %s in %d ms",
                  s->name, c->method, NGX_PYLON_CALL_TIMEOUT);

    ngx_pylon_session_fail_all(s, "timeout");

    lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}


void
ngx_pylon_session_drop(ngx_pylon_session_t *s, const char *why)
{
    if (s->state != NGX_PYLON_S_OPEN || s->wsi == NULL) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, s->log, 0,
                  "pylon helper: %s node %V: %s, reconnecting", s->name,
                  &s->node->url, why);

    ngx_pylon_session_fail_all(s, "timeout");

    lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}


uint64_t
ngx_pylon_session_open_ms(ngx_pylon_session_t *s)
{
    return s->state == NGX_PYLON_S_OPEN ? s->open_ms : 0;
}


int
ngx_pylon_session_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
    ngx_pylon_session_t  *s;

    s = lws_get_opaque_user_data(wsi);
    if (s == NULL) {
        return 0;
    }

    switch (reason) {

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (s->state != NGX_PYLON_S_CLOSED) {
            ngx_pylon_session_lost(s, in ? (char *) in : "connection error");
        }
        break;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        s->wsi = wsi;
        s->state = NGX_PYLON_S_OPEN;
        s->open_ms = ngx_pylon_helper_now_ms();
        ngx_log_error(NGX_LOG_NOTICE, s->log, 0,
                      "pylon helper: %s node %V connected", s->name,
                      &s->node->url);
        if (s->connected) {
            s->connected(s->data);
        }
        break;

    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return ngx_pylon_session_write(s);

    case LWS_CALLBACK_CLIENT_RECEIVE:
        ngx_pylon_session_receive(s, in, len,
                                  lws_is_final_fragment(wsi)
                                  && lws_remaining_packet_payload(wsi) == 0);
        break;

    case LWS_CALLBACK_CLIENT_CLOSED:
        if (s->state != NGX_PYLON_S_CLOSED) {
            ngx_pylon_session_lost(s, "connection closed");
        }
        break;

    case LWS_CALLBACK_WSI_DESTROY:
        if (s->wsi == wsi || s->state == NGX_PYLON_S_CONNECTING) {
            ngx_pylon_session_lost(s, "connection gone");
        }
        break;

    default:
        break;
    }

    return 0;
}


static int
ngx_pylon_session_write(ngx_pylon_session_t *s)
{
    int               n;
    ngx_pylon_out_t  *o;

    o = s->out;
    if (o == NULL || s->wsi == NULL) {
        return 0;
    }

    n = lws_write(s->wsi, o->data + LWS_PRE, o->len, LWS_WRITE_TEXT);

    if (n < (int) o->len) {
        ngx_log_error(NGX_LOG_ERR, s->log, 0,
                      "pylon helper: %s node: write failed", s->name);
        return -1;
    }

    s->out = o->next;
    if (s->out == NULL) {
        s->out_last = &s->out;
    }

    ngx_free(o);

    if (s->out) {
        lws_callback_on_writable(s->wsi);
    }

    return 0;
}


static void
ngx_pylon_session_receive(ngx_pylon_session_t *s, u_char *in, size_t len,
    ngx_uint_t final)
{
    size_t   cap;
    u_char  *p;

    if (!s->rx_overflow) {

        if (s->rx_len + len > NGX_PYLON_RX_MAX) {
            ngx_log_error(NGX_LOG_ERR, s->log, 0,
                          "pylon helper: %s node sent a message over %d "
                          "bytes, dropped", s->name, NGX_PYLON_RX_MAX);
            s->rx_overflow = 1;

        } else if (s->rx_len + len + 1 > s->rx_cap) {
            cap = ngx_max(s->rx_cap * 2, s->rx_len + len + 1);
            cap = ngx_max(cap, 65536);

            p = ngx_alloc(cap, s->log);
            if (p == NULL) {
                s->rx_overflow = 1;

            } else {
                if (s->rx_len) {
                    ngx_memcpy(p, s->rx, s->rx_len);
                }
                ngx_free(s->rx);
                s->rx = p;
                s->rx_cap = cap;
            }
        }

        if (!s->rx_overflow) {
            ngx_memcpy(s->rx + s->rx_len, in, len);
            s->rx_len += len;
        }
    }

    if (!final) {
        return;
    }

    if (!s->rx_overflow) {
        ngx_pylon_session_dispatch(s);
    }

    s->rx_len = 0;
    s->rx_overflow = 0;

    /* do not keep a multi-megabyte buffer around between big messages */
    if (s->rx_cap > 4 * 1024 * 1024) {
        ngx_free(s->rx);
        s->rx = NULL;
        s->rx_cap = 0;
    }
}


static void
ngx_pylon_session_dispatch(ngx_pylon_session_t *s)
{
    char                  err[128], text[512];
    ngx_pylon_sub_t      *sub;
    ngx_pylon_call_t     *c, **cp;
    pylon_rpc_message_t   m;

    if (pylon_rpc_parse(&m, (char *) s->rx, s->rx_len, err, sizeof(err))
        != 0)
    {
        ngx_log_error(NGX_LOG_WARN, s->log, 0,
                      "pylon helper: %s node sent an invalid message (%s): "
                      "\"%*s\"", s->name, err, ngx_min(s->rx_len, 120),
                      s->rx);
        return;
    }

    if (m.kind == PYLON_RPC_NOTIFICATION) {

        for (sub = s->subs; sub; sub = sub->next) {
            if (ngx_strcmp(sub->id, m.subscription) == 0) {
                sub->notify(sub->data, m.result, NULL);
                break;
            }
        }

        pylon_rpc_message_free(&m);
        return;
    }

    for (cp = &s->calls; *cp; cp = &(*cp)->next) {
        if ((*cp)->id == m.id) {
            break;
        }
    }

    c = *cp;

    if (c == NULL) {
        ngx_log_error(NGX_LOG_WARN, s->log, 0,
                      "pylon helper: %s node answered unknown id %uL",
                      s->name, m.id);
        pylon_rpc_message_free(&m);
        return;
    }

    *cp = c->next;

    ngx_pylon_stats_call_done((char *) s->node->name.data, c->method,
                              m.error ? NGX_PYLON_STATUS_ERROR
                                      : NGX_PYLON_STATUS_SUCCESS,
                              ngx_pylon_stats_clock() - c->started);

    if (m.error) {
        pylon_rpc_error_text(m.error, text, sizeof(text));

        if (c->reply) {
            c->reply(c->data, NULL, text);
        }

    } else if (c->notify && !json_is_string(m.result)) {
        if (c->reply) {
            c->reply(c->data, NULL, "subscription id is not a string");
        }

    } else {

        if (c->notify) {
            sub = ngx_calloc(sizeof(ngx_pylon_sub_t), s->log);
            if (sub) {
                sub->notify = c->notify;
                sub->data = c->data;
                ngx_cpystrn((u_char *) sub->id,
                            (u_char *) json_string_value(m.result),
                            sizeof(sub->id));
                sub->next = s->subs;
                s->subs = sub;
            }
        }

        if (c->reply) {
            c->reply(c->data, m.result, NULL);
        }
    }

    ngx_free(c);
    pylon_rpc_message_free(&m);
}
