/*
 * ngx_pylon_evm.c: the EVM nodes and the "evm_logs" job (see
 * ngx_pylon_evm.h).
 *
 *   run:    params {address, from, to, abi} -> eth_blockNumber (main)
 *   head:   cutoff = max(0, head - pylon_evm_archive_cutoff);
 *           to <= cutoff: archive; from > cutoff: main; else both,
 *           archive [from, cutoff] and main [cutoff + 1, to] at once
 *   logs:   each eth_getLogs answer is kept until all are in
 *   end:    any error -> 502 {"detail": the node's message}; more logs
 *           than pylon_evm_limits logs= -> 400; else the 200 body with
 *           archive logs first, each decoded (src/evm/evm_log.h)
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "chain/arena.h"
#include "chain/scale.h"
#include "evm/abi_event.h"
#include "evm/evm_log.h"
#include "helper/ngx_pylon_evm.h"
#include "helper/ngx_pylon_evm_int.h"
#include "helper/ngx_pylon_runner.h"
#include "helper/ngx_pylon_session.h"
#include "helper/ngx_pylon_stats.h"


#define NGX_PYLON_EVM_ARCHIVE  0
#define NGX_PYLON_EVM_MAIN     1


typedef struct {
    ngx_pylon_session_t   *session;
    ngx_pylon_node_t       node;       /* url redacted after create */
    char                   label[NGX_PYLON_EVM_URL_LABEL];
} ngx_pylon_evm_node_t;


typedef struct ngx_pylon_evm_req_s  ngx_pylon_evm_req_t;

typedef struct {
    ngx_pylon_evm_req_t   *req;
    ngx_uint_t             which;      /* NGX_PYLON_EVM_ARCHIVE or _MAIN */
    double                 t0;
} ngx_pylon_evm_call_t;


struct ngx_pylon_evm_req_s {
    ngx_pylon_helper_t    *helper;
    ngx_pylon_job_t       *job;
    char                   address[43];
    int64_t                from;
    int64_t                to;
    double                 t0;
    ngx_uint_t             pending;
    json_t                *logs[2];    /* eth_getLogs results, owned */
    char                   error[512];
    ngx_pylon_evm_call_t   calls[2];
};


static void ngx_pylon_evm_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job);
static void ngx_pylon_evm_head(void *data, json_t *result,
    const char *error);
static void ngx_pylon_evm_get_logs(ngx_pylon_evm_req_t *q, ngx_uint_t which,
    int64_t from, int64_t to);
static void ngx_pylon_evm_logs_reply(void *data, json_t *result,
    const char *error);
static void ngx_pylon_evm_finish(ngx_pylon_evm_req_t *q);
static void ngx_pylon_evm_end(ngx_pylon_evm_req_t *q, ngx_uint_t status,
    const char *detail);
static void ngx_pylon_evm_event(void *data);


static ngx_pylon_evm_node_t  ngx_pylon_evm_nodes[2];
static ngx_uint_t            ngx_pylon_evm_on;
static ngx_pylon_helper_t   *ngx_pylon_evm_helper;


/* scheme://host[:port] of a node's URL, for logs and the metric label */
static void
ngx_pylon_evm_redact(char *out, size_t size, ngx_str_t *url)
{
    u_char  *p, *last, *host;
    size_t   n;

    p = url->data;
    last = p + url->len;
    for (host = p; host + 3 <= last; host++) {
        if (host[0] == ':' && host[1] == '/' && host[2] == '/') {
            break;
        }
    }
    host = (host + 3 <= last) ? host + 3 : p;

    for (p = host; p < last && *p != '/' && *p != '?' && *p != '#'; p++) {
        /* void */
    }

    n = ngx_min((size_t) (p - url->data), size - 1);
    ngx_memcpy(out, url->data, n);
    out[n] = '\0';

    for (p = (u_char *) out; *p; p++) {
        if (*p == '"' || *p == '\\' || *p < ' ') {
            *p = '_';
        }
    }
}


static ngx_int_t
ngx_pylon_evm_node_create(ngx_pylon_helper_t *h, ngx_pylon_evm_node_t *n,
    ngx_pylon_node_t *conf, const char *name)
{
    n->node = *conf;
    ngx_pylon_evm_redact(n->label, sizeof(n->label), &conf->url);

    n->session = ngx_pylon_session_create(h, &n->node, name,
                                          ngx_pylon_evm_event,
                                          ngx_pylon_evm_event, NULL);
    if (n->session == NULL) {
        return NGX_ERROR;
    }

    /* the session copied the URL; from now on it logs the redacted one */
    n->node.url.data = (u_char *) n->label;
    n->node.url.len = ngx_strlen(n->label);
    n->node.name = n->node.url;

    return NGX_OK;
}


ngx_int_t
ngx_pylon_evm_init(ngx_pylon_helper_t *h)
{
    ngx_pylon_main_conf_t  *pmcf = h->pmcf;

    ngx_pylon_evm_helper = h;

    if (pmcf->evm_network.url.len && pmcf->evm_archive.url.len) {
        if (ngx_pylon_evm_node_create(h,
                                      &ngx_pylon_evm_nodes[NGX_PYLON_EVM_MAIN],
                                      &pmcf->evm_network, "evm")
            != NGX_OK
            || ngx_pylon_evm_node_create(h,
                                &ngx_pylon_evm_nodes[NGX_PYLON_EVM_ARCHIVE],
                                &pmcf->evm_archive, "evm archive")
            != NGX_OK)
        {
            return NGX_ERROR;
        }
        ngx_pylon_evm_on = 1;
    }

    if (ngx_pylon_evm_assoc_init(h) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_pylon_runner_register("evm_logs", ngx_pylon_evm_run);
}


void
ngx_pylon_evm_connect(void)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pylon_evm_on && i < 2; i++) {
        ngx_pylon_session_connect(ngx_pylon_evm_nodes[i].session);
    }
}


void
ngx_pylon_evm_tick(void)
{
    ngx_uint_t  i;

    if (ngx_pylon_evm_helper) {
        ngx_pylon_evm_assoc_poll(ngx_pylon_evm_helper);
    }

    for (i = 0; ngx_pylon_evm_on && i < 2; i++) {
        ngx_pylon_session_tick(ngx_pylon_evm_nodes[i].session);
    }
}


void
ngx_pylon_evm_shutdown(void)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pylon_evm_on && i < 2; i++) {
        ngx_pylon_session_shutdown(ngx_pylon_evm_nodes[i].session);
    }
}


void
ngx_pylon_evm_free(void)
{
    ngx_uint_t  i;

    for (i = 0; ngx_pylon_evm_on && i < 2; i++) {
        ngx_pylon_session_free(ngx_pylon_evm_nodes[i].session);
        ngx_pylon_evm_nodes[i].session = NULL;
    }
    ngx_pylon_evm_on = 0;
}


static void
ngx_pylon_evm_event(void *data)
{
    /* EVM sessions need no follow-up on (re)connection */
}


static void
ngx_pylon_evm_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    json_t               *addr, *from, *to;
    ngx_pylon_evm_req_t  *q;

    q = ngx_calloc(sizeof(ngx_pylon_evm_req_t), h->log);
    if (q == NULL) {
        ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                             "no memory");
        return;
    }

    q->helper = h;
    q->job = job;
    q->t0 = ngx_pylon_stats_clock();

    addr = json_object_get(job->params, "address");
    from = json_object_get(job->params, "from");
    to = json_object_get(job->params, "to");

    if (!json_is_string(addr) || json_string_length(addr) != 42
        || !json_is_integer(from) || !json_is_integer(to)
        || !json_is_array(json_object_get(job->params, "abi")))
    {
        ngx_pylon_evm_end(q, 500, "Internal Server Error");
        return;
    }

    ngx_cpystrn((u_char *) q->address, (u_char *) json_string_value(addr),
                sizeof(q->address));
    q->from = json_integer_value(from);
    q->to = json_integer_value(to);

    if (!ngx_pylon_evm_on) {
        ngx_pylon_evm_end(q, 503, "EVM RPC is not configured "
                                  "(pylon_evm_network)");
        return;
    }

    if (ngx_pylon_session_call(ngx_pylon_evm_nodes[NGX_PYLON_EVM_MAIN]
                                   .session,
                               "eth_blockNumber", json_array(),
                               ngx_pylon_evm_head, q)
        != NGX_OK)
    {
        ngx_pylon_evm_stats_operation("get_current_block", "error",
                                 ngx_pylon_evm_nodes[NGX_PYLON_EVM_MAIN].label,
                                 0);
        ngx_pylon_evm_end(q, 502, "EVM node is not connected");
    }
}


static void
ngx_pylon_evm_head(void *data, json_t *result, const char *error)
{
    ngx_pylon_evm_req_t  *q = data;

    uint64_t    head, cutoff, c;
    ngx_uint_t  reason;

    c = q->helper->pmcf->evm_archive_cutoff;

    if (result == NULL || pylon_evm_quantity(result, &head) != 0) {
        ngx_pylon_evm_stats_operation("get_current_block", "error",
                                 ngx_pylon_evm_nodes[NGX_PYLON_EVM_MAIN].label,
                                 ngx_pylon_stats_clock() - q->t0);
        ngx_pylon_evm_end(q, 502, error ? error
                                        : "malformed eth_blockNumber answer");
        return;
    }

    ngx_pylon_evm_stats_operation("get_current_block", "success",
                                 ngx_pylon_evm_nodes[NGX_PYLON_EVM_MAIN].label,
                                 ngx_pylon_stats_clock() - q->t0);

    cutoff = head > c ? head - c : 0;

    if (q->from > q->to) {
        /* an empty range: no node to ask */
        q->pending = 0;
        ngx_pylon_evm_finish(q);
        return;
    }

    if ((uint64_t) q->to <= cutoff) {
        reason = NGX_PYLON_EVM_ROUTE_ARCHIVE;
    } else if ((uint64_t) q->from > cutoff) {
        reason = NGX_PYLON_EVM_ROUTE_MAIN;
    } else {
        reason = NGX_PYLON_EVM_ROUTE_SPLIT;
    }

    ngx_pylon_evm_stats_routing(reason);

    q->pending = (reason == NGX_PYLON_EVM_ROUTE_SPLIT) ? 2 : 1;

    switch (reason) {
    case NGX_PYLON_EVM_ROUTE_ARCHIVE:
        ngx_pylon_evm_get_logs(q, NGX_PYLON_EVM_ARCHIVE, q->from, q->to);
        break;
    case NGX_PYLON_EVM_ROUTE_MAIN:
        ngx_pylon_evm_get_logs(q, NGX_PYLON_EVM_MAIN, q->from, q->to);
        break;
    default:
        ngx_pylon_evm_get_logs(q, NGX_PYLON_EVM_ARCHIVE, q->from,
                               (int64_t) cutoff);
        if (q->pending) {
            ngx_pylon_evm_get_logs(q, NGX_PYLON_EVM_MAIN,
                                   (int64_t) cutoff + 1, q->to);
        }
    }
}


static void
ngx_pylon_evm_get_logs(ngx_pylon_evm_req_t *q, ngx_uint_t which,
    int64_t from, int64_t to)
{
    char                   f[32], t[32];
    json_t                *params;
    ngx_pylon_evm_call_t  *c;

    c = &q->calls[which];
    c->req = q;
    c->which = which;
    c->t0 = ngx_pylon_stats_clock();

    ngx_sprintf((u_char *) f, "0x%xL%Z", (uint64_t) from);
    ngx_sprintf((u_char *) t, "0x%xL%Z", (uint64_t) to);

    params = json_pack("[{s:s, s:s, s:s}]", "address", q->address,
                       "fromBlock", f, "toBlock", t);

    if (params == NULL
        || ngx_pylon_session_call(ngx_pylon_evm_nodes[which].session,
                                  "eth_getLogs", params,
                                  ngx_pylon_evm_logs_reply, c)
           != NGX_OK)
    {
        ngx_pylon_evm_logs_reply(c, NULL, "EVM node is not connected");
    }
}


static void
ngx_pylon_evm_logs_reply(void *data, json_t *result, const char *error)
{
    ngx_pylon_evm_call_t  *c = data;

    ngx_pylon_evm_req_t  *q = c->req;

    if (result != NULL && json_is_array(result)) {
        q->logs[c->which] = json_incref(result);
        ngx_pylon_evm_stats_operation("get_logs", "success",
                                      ngx_pylon_evm_nodes[c->which].label,
                                      ngx_pylon_stats_clock() - c->t0);
    } else {
        ngx_pylon_evm_stats_operation("get_logs", "error",
                                      ngx_pylon_evm_nodes[c->which].label,
                                      ngx_pylon_stats_clock() - c->t0);
        if (q->error[0] == '\0') {
            ngx_cpystrn((u_char *) q->error,
                        (u_char *) (error ? error
                                          : "malformed eth_getLogs answer"),
                        sizeof(q->error));
        }
    }

    if (--q->pending == 0) {
        ngx_pylon_evm_finish(q);
    }
}


static void
ngx_pylon_evm_finish(ngx_pylon_evm_req_t *q)
{
    int                 comma;
    char                err[200];
    u_char             *p, detail[256], tail[64];
    size_t              total, count, nevents;
    ngx_uint_t          i, max;
    pylon_buf_t         out;
    pylon_arena_t      *arena;
    pylon_abi_event_t  *events;

    if (q->error[0]) {
        ngx_pylon_evm_end(q, 502, q->error);
        return;
    }

    max = q->helper->pmcf->evm_max_logs;
    total = json_array_size(q->logs[0]) + json_array_size(q->logs[1]);

    if (total > max) {
        p = ngx_snprintf(detail, sizeof(detail) - 1,
                         "Too many logs: %uz in blocks %L..%L (the limit is "
                         "%ui, pylon_evm_limits logs=); ask for a smaller "
                         "block range", total, q->from, q->to, max);
        *p = '\0';
        ngx_pylon_evm_end(q, 400, (char *) detail);
        return;
    }

    arena = pylon_arena_create();
    if (arena == NULL
        || pylon_abi_events_from_json(arena,
                                      json_object_get(q->job->params, "abi"),
                                      &events, &nevents, err, sizeof(err))
           != 0)
    {
        pylon_arena_destroy(arena);
        ngx_pylon_evm_end(q, 500, "Internal Server Error");
        return;
    }

    pylon_buf_init(&out);
    pylon_buf_put(&out, "{\"logs\":[", 9);
    comma = 0;

    for (i = 0; i < 2; i++) {
        if (q->logs[i] != NULL
            && pylon_evm_logs_render(&out, events, nevents, q->logs[i],
                                     &comma, &count) != 0)
        {
            break;
        }
    }

    p = ngx_sprintf(tail, "],\"from_block\":%L,\"to_block\":%L}%Z", q->from,
                    q->to);
    pylon_buf_put(&out, tail, (size_t) (p - tail));   /* with the NUL */
    pylon_arena_destroy(arena);

    if (out.err) {
        pylon_buf_free(&out);
        ngx_pylon_evm_end(q, 500, "Internal Server Error");
        return;
    }

    ngx_pylon_job_finish(q->helper, q->job, PYLON_JOB_DONE, 200,
                         (char *) out.data, NULL);
    pylon_buf_free(&out);

    for (i = 0; i < 2; i++) {
        json_decref(q->logs[i]);
    }
    ngx_free(q);
}


static void
ngx_pylon_evm_end(ngx_pylon_evm_req_t *q, ngx_uint_t status,
    const char *detail)
{
    char        *body;
    json_t      *env;
    ngx_uint_t   i;

    env = json_pack("{sIss}", "status_code", (json_int_t) status,
                    "detail", detail);
    body = env ? json_dumps(env, JSON_COMPACT|JSON_PRESERVE_ORDER) : NULL;
    json_decref(env);

    ngx_log_error(NGX_LOG_INFO, q->helper->log, 0,
                  "pylon helper: evm logs of %s %L..%L failed: %ui %s",
                  q->address, q->from, q->to, status, detail);

    ngx_pylon_job_finish(q->helper, q->job, PYLON_JOB_FAILED, status, body,
                         detail);
    free(body);

    for (i = 0; i < 2; i++) {
        json_decref(q->logs[i]);
    }
    ngx_free(q);
}
