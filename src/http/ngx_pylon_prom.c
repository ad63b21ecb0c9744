/*
 * ngx_pylon_prom.c: GET /metrics, Prometheus text format 0.0.4.
 *
 * Authorisation is Pylon v2's guard (spec/pylon-v2.md §9), in its order:
 * no token configured 403; no, an empty or a malformed Authorization
 * header 401 (ngx_pylon_bearer_parse); a token that differs (compared in
 * constant time) 403.
 *
 * The body is the request metrics of the shared zone, the helper's own
 * families (the S/metrics record, which the helper writes once a second
 * already in exposition format), and gauges from the helper's state
 * record S/helper: up (S/metrics fresh), connected, head block and head
 * age.
 */

#include "http/ngx_pylon_metrics.h"


#define NGX_PYLON_HELPER_FRESH   5000        /* ms: S/metrics heartbeat */
#define NGX_PYLON_STALE_MAX      256         /* the helper tracks <= 256 */


static ngx_int_t ngx_pylon_metrics_auth(ngx_http_request_t *r,
    ngx_pylon_main_conf_t *pmcf, const char **detail);
static u_char *ngx_pylon_metrics_stale(u_char *p, u_char *last,
    pylon_store_t *st);
static u_char *ngx_pylon_metrics_helper(ngx_http_request_t *r, u_char *p,
    u_char *last, pylon_store_t *st, uint64_t written_ms);


static ngx_str_t  ngx_pylon_prom_type =
    ngx_string(NGX_PYLON_METRICS_CONTENT_TYPE);


/* pylon_metrics_token TOKEN | file=PATH */

char *
ngx_pylon_metrics_token(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_pylon_main_conf_t *pmcf = conf;

    u_char           *p, *last;
    ssize_t           n;
    ngx_str_t        *value, name;
    ngx_file_t        file;
    ngx_file_info_t   fi;

    if (pmcf->metrics_token_set) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len < 5 || ngx_strncmp(value[1].data, "file=", 5) != 0) {
        pmcf->metrics_token = value[1];
        pmcf->metrics_token_set = 1;
        return NGX_CONF_OK;
    }

    name.data = value[1].data + 5;
    name.len = value[1].len - 5;

    if (name.len == 0
        || ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.name = name;
    file.log = cf->log;

    file.fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot open the token file \"%V\" of \"%V\"",
                           &name, &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 4096)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the token file \"%V\" of \"%V\" is not a "
                           "readable file of at most 4096 bytes",
                           &name, &cmd->name);
        (void) ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, ngx_file_size(&fi) + 1);
    if (p == NULL) {
        (void) ngx_close_file(file.fd);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_file(&file, p, ngx_file_size(&fi), 0);
    (void) ngx_close_file(file.fd);

    if (n != (ssize_t) ngx_file_size(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot read the token file \"%V\" of \"%V\"",
                           &name, &cmd->name);
        return NGX_CONF_ERROR;
    }

    last = p + n;

    while (p < last && (*p == ' ' || (*p >= '\t' && *p <= '\r'))) {
        p++;
    }

    while (last > p && (last[-1] == ' '
                        || (last[-1] >= '\t' && last[-1] <= '\r')))
    {
        last--;
    }

    if (p == last) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "the token file \"%V\" of \"%V\" is empty",
                           &name, &cmd->name);
        return NGX_CONF_ERROR;
    }

    pmcf->metrics_token.data = p;
    pmcf->metrics_token.len = last - p;
    pmcf->metrics_token_set = 1;

    return NGX_CONF_OK;
}


/*
 * Pylon v2's metrics guard (spec/pylon-v2.md §9): no token configured is
 * 403, a missing or malformed header 401, another token 403.  NGX_OK, or
 * the status to answer with its detail.
 */

static ngx_int_t
ngx_pylon_metrics_auth(ngx_http_request_t *r, ngx_pylon_main_conf_t *pmcf,
    const char **detail)
{
    ngx_str_t  token;

    if (pmcf->metrics_token.len == 0) {
        *detail = "Metrics endpoint is not configured";
        return NGX_HTTP_FORBIDDEN;
    }

    if (ngx_pylon_bearer_parse(r, &token, detail) != NGX_OK) {
        return NGX_HTTP_UNAUTHORIZED;
    }

    if (!ngx_pylon_token_equal(&token, &pmcf->metrics_token)) {
        *detail = "Invalid authorization token";
        return NGX_HTTP_FORBIDDEN;
    }

    return NGX_OK;
}


ngx_int_t
ngx_pylon_metrics_handler(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    u_char                 *helper, *body, *p, *last;
    size_t                  size, hlen;
    uint64_t                written_ms;
    ngx_int_t               rc;
    const char             *detail;
    pylon_store_t          *st;
    pylon_record_t          rec;
    ngx_pylon_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_pylon_module);

    rc = ngx_pylon_metrics_auth(r, pmcf, &detail);
    if (rc != NGX_OK) {
        return ngx_pylon_send_error(r, rc, detail);
    }

    st = ngx_pylon_worker_store();

    /* the helper's families, copied out at once */

    helper = NULL;
    hlen = 0;
    written_ms = 0;

    if (st && pylon_store_read(st, PYLON_KEY_METRICS, &rec)
              == PYLON_STORE_OK)
    {
        helper = ngx_pnalloc(r->pool, rec.len + 1);
        if (helper == NULL) {
            pylon_store_read_end(st);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(helper, rec.body, rec.len);
        hlen = rec.len;
        written_ms = rec.written_ms;
        pylon_store_read_end(st);
    }

    size = ngx_pylon_metrics_render_size() + hlen + 4096
           + NGX_PYLON_STALE_MAX * 48;

    body = ngx_pnalloc(r->pool, size);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    last = body + size;

    p = ngx_pylon_metrics_render(body, last, r->pool);
    if (p == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "pylon: metrics did not fit in %uz bytes", size);
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    if (hlen) {
        p = ngx_cpymem(p, helper, hlen);

        if (p[-1] != '\n') {
            *p++ = '\n';
        }
    }

    p = ngx_pylon_metrics_helper(r, p, last, st, written_ms);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_pylon_send_typed(r, NGX_HTTP_OK, &ngx_pylon_prom_type, body,
                                p - body);
}


/*
 * pylon_subnet_stale{netuid}: 1 when the last refresh round at the head
 * did not refresh that tracked subnet (its bodies are from an older
 * block), from S/refresh; at most NGX_PYLON_STALE_MAX subnets.
 */

static u_char *
ngx_pylon_metrics_stale(u_char *p, u_char *last, pylon_store_t *st)
{
    size_t           i;
    json_t          *js, *subs, *s, *netuid;
    json_error_t     err;
    pylon_record_t   rec;

    if (st == NULL
        || pylon_store_read(st, "S/refresh", &rec) != PYLON_STORE_OK)
    {
        return p;
    }

    js = json_loadb((const char *) rec.body, rec.len, 0, &err);
    pylon_store_read_end(st);

    subs = js ? json_object_get(js, "subnets") : NULL;

    if (json_is_array(subs) && json_array_size(subs)
        && (size_t) (last - p) > 256)
    {
        p = ngx_sprintf(p, "# HELP pylon_subnet_stale Whether the last "
                           "refresh at the head failed for this tracked "
                           "subnet (its data is older)\n"
                           "# TYPE pylon_subnet_stale gauge\n");

        json_array_foreach(subs, i, s) {
            netuid = json_object_get(s, "netuid");

            if (i == NGX_PYLON_STALE_MAX || !json_is_integer(netuid)
                || (size_t) (last - p) < 1024)
            {
                break;
            }

            p = ngx_sprintf(p, "pylon_subnet_stale{netuid=\"%L\"} %d.0\n",
                            (int64_t) json_integer_value(netuid),
                            json_is_true(json_object_get(s, "stale")));
        }
    }

    json_decref(js);

    return p;
}


/* gauges from S/helper, and whether the helper's heartbeat is fresh */

static u_char *
ngx_pylon_metrics_helper(ngx_http_request_t *r, u_char *p, u_char *last,
    pylon_store_t *st, uint64_t written_ms)
{
    json_t          *js, *v;
    uint64_t         now_ms, head, head_ms, age_ms;
    ngx_uint_t       up, connected;
    ngx_time_t      *tp;
    json_error_t     err;
    pylon_record_t   rec;

    tp = ngx_timeofday();
    now_ms = (uint64_t) tp->sec * 1000 + tp->msec;

    up = (written_ms && now_ms < written_ms + NGX_PYLON_HELPER_FRESH);
    connected = 0;
    head = 0;
    head_ms = 0;

    if (st && pylon_store_read(st, PYLON_KEY_HELPER, &rec) == PYLON_STORE_OK)
    {
        js = json_loadb((const char *) rec.body, rec.len, 0, &err);
        pylon_store_read_end(st);

        if (js) {
            v = json_object_get(js, "connected");
            connected = json_is_true(v);

            v = json_object_get(js, "head");
            if (json_is_integer(v) && json_integer_value(v) > 0) {
                head = json_integer_value(v);
            }

            v = json_object_get(js, "head_ms");
            if (json_is_integer(v) && json_integer_value(v) > 0) {
                head_ms = json_integer_value(v);
            }

            json_decref(js);
        }
    }

    if ((size_t) (last - p) < 1024) {
        return NULL;
    }

    p = ngx_pylon_metrics_stale(p, last, st);

    p = ngx_sprintf(p, "# HELP pylon_helper_up Whether the helper process "
                       "wrote its statistics in the last %d seconds\n"
                       "# TYPE pylon_helper_up gauge\n"
                       "pylon_helper_up %ui.0\n"
                       "# HELP pylon_helper_connected Whether the helper "
                       "is connected to the chain node\n"
                       "# TYPE pylon_helper_connected gauge\n"
                       "pylon_helper_connected %ui.0\n",
                    NGX_PYLON_HELPER_FRESH / 1000, up, up && connected);

    if (head == 0) {
        return p;
    }

    age_ms = (now_ms > head_ms) ? now_ms - head_ms : 0;

    p = ngx_sprintf(p, "# HELP pylon_head_block The latest best block the "
                       "helper wrote to the cache\n"
                       "# TYPE pylon_head_block gauge\n"
                       "pylon_head_block %uL.0\n"
                       "# HELP pylon_head_age_seconds Seconds since the "
                       "helper wrote the latest block\n"
                       "# TYPE pylon_head_age_seconds gauge\n"
                       "pylon_head_age_seconds %uL.%03uL\n",
                    head, age_ms / 1000, age_ms % 1000);

    return p;
}
