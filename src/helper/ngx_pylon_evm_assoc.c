/*
 * ngx_pylon_evm_assoc.c: the read of one subnet's EVM associations at a
 * block: the "evm_assoc" job, the body of
 * GET .../subnet/{netuid}/block/latest/evm_associations (§3.3.4) read at
 * the current head on demand, and the same read at a head round's block
 * for the per-head refresh (ngx_pylon_evm_assoc_fresh.c):
 *
 *   state_call SubnetInfoRuntimeApi_get_subnet_state(netuid) -> hotkeys
 *   (a per-head read given the round's lent bytes decodes them instead)
 *   state_getKeysPaged(AssociatedEvmAddress prefix of netuid, 1000, …)
 *   -> state_queryStorageAt(keys) -> next page
 *   -> bittensor/evm_assoc.h renders, with the map's layout checked
 *      against the head's metadata first.
 *
 * A job ends 200 with the body, 503 before the first head or metadata,
 * 501 when the head's runtime has no such map, 500 when the subnet state
 * is missing or the layout is not the expected one.  A per-head read
 * writes its 200 body to L/evm_associations/<netuid>, or logs why not,
 * and marks its subnet idle (ngx_pylon_evm_assoc_idle()).
 *
 * Ownership: ngx_pylon_evm_assoc_start() allocates the read
 * (ngx_pylon_evm_assoc_t), which owns its hotkeys and entries arrays;
 * ngx_pylon_evm_assoc_end() frees them and it, on every path.  Lent
 * state bytes are borrowed for the start call only.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "bittensor/evm_assoc.h"
#include "chain/hex.h"
#include "chain/runtime_api.h"
#include "chain/ss58.h"
#include "chain/storage.h"
#include "chain/value.h"
#include "helper/ngx_pylon_evm_assoc_int.h"
#include "helper/ngx_pylon_follow.h"
#include "helper/ngx_pylon_meta.h"
#include "helper/ngx_pylon_refresh.h"
#include "helper/ngx_pylon_runner.h"
#include "helper/ngx_pylon_session.h"
#include "store/keys.h"


#define NGX_PYLON_EVM_ASSOC_PAGE  1000


typedef struct {
    ngx_pylon_helper_t   *helper;
    ngx_pylon_job_t      *job;         /* NULL: a per-head refresh */
    ngx_int_t             netuid;
    uint64_t              block;
    char                  hash[67];
    char                  prefix[256];
    json_t               *hotkeys;     /* array of SS58 strings */
    json_t               *entries;     /* array of [key hex, value hex] */
} ngx_pylon_evm_assoc_t;


static void ngx_pylon_evm_assoc_from_state(ngx_pylon_evm_assoc_t *a,
    const uint8_t *bytes, size_t len);
static void ngx_pylon_evm_assoc_state(void *data, json_t *result,
    const char *error);
static void ngx_pylon_evm_assoc_page(ngx_pylon_evm_assoc_t *a,
    const char *start);
static void ngx_pylon_evm_assoc_keys(void *data, json_t *result,
    const char *error);
static void ngx_pylon_evm_assoc_values(void *data, json_t *result,
    const char *error);
static void ngx_pylon_evm_assoc_render(ngx_pylon_evm_assoc_t *a);
/* status 200: text is the body; else detail goes out in the envelope
 * and text (may be NULL) is the reason for logs */
static void ngx_pylon_evm_assoc_end(ngx_pylon_evm_assoc_t *a,
    ngx_uint_t status, const char *detail, const char *text);


/*
 * The map's layout checked once per runtime (spec version): an upgrade is
 * checked again, and a runtime without the map (spec 218) logs one line,
 * not one per subnet and head.  m is the head's metadata.  NGX_OK when
 * the layout is the expected one; otherwise err says why.
 */

ngx_int_t
ngx_pylon_evm_assoc_checked(ngx_pylon_helper_t *h, const pylon_meta_t *m,
    char *err, size_t errlen)
{
    uint32_t          spec;
    pylon_runtime_t  *rt;

    static uint32_t   checked;
    static ngx_int_t  rc;
    static char       why[200];

    rt = ngx_pylon_meta_acquire_head(h->meta);
    spec = (rt && rt->meta == m) ? rt->spec_version : 0;
    ngx_pylon_meta_release(rt);

    if (spec == 0) {
        return pylon_evm_assoc_layout(m, err, errlen) == 0 ? NGX_OK
                                                            : NGX_ERROR;
    }

    if (spec != checked) {
        checked = spec;
        rc = NGX_OK;

        if (pylon_evm_assoc_layout(m, why, sizeof(why)) != 0) {
            rc = NGX_ERROR;
            ngx_log_error(NGX_LOG_NOTICE, h->log, 0,
                          "pylon helper: evm associations not served by "
                          "runtime %uD: %s", spec, why);
        }
    }

    if (rc != NGX_OK) {
        ngx_cpystrn((u_char *) err, (u_char *) why, errlen);
    }

    return rc;
}


void
ngx_pylon_evm_assoc_run(ngx_pylon_helper_t *h, ngx_pylon_job_t *job)
{
    json_t  *netuid;

    netuid = json_object_get(job->params, "netuid");
    if (!json_is_integer(netuid) || json_integer_value(netuid) < 0
        || json_integer_value(netuid) > 65535)
    {
        ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                             "bad params");
        return;
    }

    ngx_pylon_evm_assoc_start(h, job,
                              (ngx_int_t) json_integer_value(netuid),
                              0, NULL, NULL, 0);
}


void
ngx_pylon_evm_assoc_start(ngx_pylon_helper_t *h, ngx_pylon_job_t *job,
    ngx_int_t netuid, uint64_t number, const char *at, const u_char *state,
    size_t len)
{
    char                    err[200], nu[16], detail[400];
    uint8_t                 part[2];
    pylon_buf_t             key;
    pylon_bytes_t           parts;
    const u_char           *hash;
    const pylon_meta_t     *m;
    ngx_pylon_evm_assoc_t  *a;

    a = ngx_calloc(sizeof(ngx_pylon_evm_assoc_t), h->log);
    if (a == NULL) {
        if (job) {
            ngx_pylon_job_finish(h, job, PYLON_JOB_FAILED, 500, NULL,
                                 "no memory");
        } else {
            ngx_pylon_evm_assoc_idle(netuid);
        }
        return;
    }

    a->helper = h;
    a->job = job;
    a->netuid = netuid;

    if (job) {
        a->block = ngx_pylon_follow_head(h->follow, &hash);
    } else {
        a->block = number;
        hash = (const u_char *) at;
    }
    m = ngx_pylon_refresh_meta(h->refresh);

    if (a->block == 0 || hash == NULL || m == NULL) {
        ngx_pylon_evm_assoc_end(a, 503, "Service Unavailable", NULL);
        return;
    }
    ngx_cpystrn((u_char *) a->hash, (u_char *) hash, sizeof(a->hash));

    if (ngx_pylon_evm_assoc_checked(h, m, err, sizeof(err)) != NGX_OK) {
        if (ngx_strstr(err, "not in metadata")) {
            ngx_snprintf((u_char *) detail, sizeof(detail) - 1,
                         "The runtime at block %uL has no %s (%s): EVM "
                         "associations came with a later runtime "
                         "upgrade.%Z", a->block,
                         "SubtensorModule.AssociatedEvmAddress", err);
            ngx_pylon_evm_assoc_end(a, 501, detail, NULL);
            return;
        }

        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error", NULL);
        return;
    }

    part[0] = (uint8_t) (a->netuid & 0xff);
    part[1] = (uint8_t) (a->netuid >> 8);
    parts.data = part;
    parts.len = 2;
    pylon_buf_init(&key);
    if (pylon_storage_key(&key, m, "SubtensorModule", "AssociatedEvmAddress",
                          &parts, 1, err, sizeof(err)) != 0
        || pylon_hex_encode(a->prefix, sizeof(a->prefix), key.data, key.len)
           < 0)
    {
        pylon_buf_free(&key);
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error", NULL);
        return;
    }
    pylon_buf_free(&key);

    a->entries = json_array();

    if (job == NULL && state != NULL) {
        ngx_pylon_evm_assoc_from_state(a, state, len);     /* no call */
        return;
    }

    ngx_snprintf((u_char *) nu, sizeof(nu), "0x%02xi%02xi%Z",
                 a->netuid & 0xff, (a->netuid >> 8) & 0xff);

    if (ngx_pylon_session_call(h->chain, "state_call",
                               json_pack("[sss]",
                                   "SubnetInfoRuntimeApi_get_subnet_state",
                                   nu, a->hash),
                               ngx_pylon_evm_assoc_state, a)
        != NGX_OK)
    {
        ngx_pylon_evm_assoc_end(a, 503, "Service Unavailable", NULL);
    }
}


/*
 * The hotkeys of Option<SubnetState> as SS58 strings (the registry's
 * prefix, as the tree decoder writes AccountId32) read straight from the
 * bytes, or NULL when the result is not that shape (None, a legacy
 * Vec<u8>, malformed): the caller then takes the decoder's tree.
 * Returns a new jansson array the caller owns.
 */

static json_t *
ngx_pylon_evm_assoc_hotkeys(const pylon_meta_t *m, const uint8_t *res,
    size_t len)
{
    int                rc;
    char               ss58[PYLON_SS58_MAX_CHARS];
    size_t             n;
    json_t            *hk;
    pylon_val_t        v, inner, col, e;
    const uint8_t     *p;
    pylon_val_iter_t   it;

    if (pylon_runtime_api_value(&v, m, "SubnetInfoRuntimeApi",
                                "get_subnet_state", res, len, NULL, 0)
        != 0
        || v.m != m)
    {
        return NULL;
    }

    rc = pylon_val_option(&inner, &v);
    if (rc == 0) {
        return NULL;
    }

    if (rc < 0) {
        inner = v;
    }

    if (pylon_val_field(&col, &inner, "hotkeys") != 0
        || pylon_val_iter(&it, &col) != 0
        || m->types[it.elem].special != PYLON_SPECIAL_ACCOUNT_ID)
    {
        return NULL;
    }

    hk = json_array();
    if (hk == NULL) {
        return NULL;
    }

    while ((rc = pylon_val_next(&it, &e)) == 1) {
        if (pylon_val_bytes(&p, &n, &e) != 0 || n != 32
            || pylon_ss58_encode(ss58, sizeof(ss58), p, m->ss58_prefix) <= 0
            || json_array_append_new(hk, json_string(ss58)) != 0)
        {
            rc = -1;
            break;
        }
    }

    if (rc != 0) {
        json_decref(hk);
        return NULL;
    }

    return hk;
}


static void
ngx_pylon_evm_assoc_state(void *data, json_t *result, const char *error)
{
    ngx_pylon_evm_assoc_t  *a = data;

    size_t    len;
    uint8_t  *bytes;

    if (ngx_pylon_refresh_meta(a->helper->refresh) == NULL
        || !json_is_string(result)
        || pylon_hex_decode_alloc(&bytes, &len, json_string_value(result),
                                  json_string_length(result)) != 0)
    {
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error", error);
        return;
    }

    ngx_pylon_evm_assoc_from_state(a, bytes, len);
    free(bytes);
}


/*
 * The hotkeys from get_subnet_state's bytes (borrowed: not kept past the
 * call), then the paging; or the read ends 500.
 */

static void
ngx_pylon_evm_assoc_from_state(ngx_pylon_evm_assoc_t *a,
    const uint8_t *bytes, size_t len)
{
    char                 err[200], ss58[64];
    size_t               i, klen;
    json_t              *state, *hk, *k;
    uint8_t              pub[32];
    const pylon_meta_t  *m;

    m = ngx_pylon_refresh_meta(a->helper->refresh);

    /* the hotkeys column alone, no tree; odd shapes take the tree below */

    a->hotkeys = ngx_pylon_evm_assoc_hotkeys(m, bytes, len);
    if (a->hotkeys != NULL) {
        ngx_pylon_evm_assoc_page(a, NULL);
        return;
    }

    state = pylon_runtime_api_decode(m, "SubnetInfoRuntimeApi",
                                     "get_subnet_state", bytes, len, err,
                                     sizeof(err));

    hk = json_object_get(state, "hotkeys");
    if (!json_is_array(hk)) {
        json_decref(state);
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error",
                                "subnet state missing");
        return;
    }

    a->hotkeys = json_array();
    for (i = 0; i < json_array_size(hk); i++) {
        k = json_array_get(hk, i);
        if (json_is_string(k) && json_string_value(k)[0] == '0'
            && pylon_hex_decode(pub, 32, &klen, json_string_value(k),
                                json_string_length(k)) == 0
            && klen == 32
            && pylon_ss58_encode(ss58, sizeof(ss58), pub, 42) > 0)
        {
            json_array_append_new(a->hotkeys, json_string(ss58));
        } else if (json_is_string(k)) {
            json_array_append(a->hotkeys, k);
        } else {
            json_array_append_new(a->hotkeys, json_string(""));
        }
    }
    json_decref(state);

    ngx_pylon_evm_assoc_page(a, NULL);
}


static void
ngx_pylon_evm_assoc_page(ngx_pylon_evm_assoc_t *a, const char *start)
{
    json_t  *params;

    params = start ? json_pack("[siss]", a->prefix,
                               NGX_PYLON_EVM_ASSOC_PAGE, start, a->hash)
                   : json_pack("[sins]", a->prefix,
                               NGX_PYLON_EVM_ASSOC_PAGE, a->hash);

    if (ngx_pylon_session_call(a->helper->chain, "state_getKeysPaged",
                               params, ngx_pylon_evm_assoc_keys, a)
        != NGX_OK)
    {
        ngx_pylon_evm_assoc_end(a, 503, "Service Unavailable",
                                "chain not connected");
    }
}


static void
ngx_pylon_evm_assoc_keys(void *data, json_t *result, const char *error)
{
    ngx_pylon_evm_assoc_t  *a = data;

    if (!json_is_array(result)) {
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error", error);
        return;
    }

    if (json_array_size(result) == 0) {
        ngx_pylon_evm_assoc_render(a);
        return;
    }

    if (ngx_pylon_session_call(a->helper->chain, "state_queryStorageAt",
                               json_pack("[Os]", result, a->hash),
                               ngx_pylon_evm_assoc_values, a)
        != NGX_OK)
    {
        ngx_pylon_evm_assoc_end(a, 503, "Service Unavailable",
                                "chain not connected");
    }
}


static void
ngx_pylon_evm_assoc_values(void *data, json_t *result, const char *error)
{
    ngx_pylon_evm_assoc_t  *a = data;

    char         last[256];
    size_t       i, n;
    json_t      *changes, *c;

    changes = json_object_get(json_array_get(result, 0), "changes");
    if (!json_is_array(changes)) {
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error", error);
        return;
    }

    n = json_array_size(changes);
    last[0] = '\0';
    for (i = 0; i < n; i++) {
        c = json_array_get(changes, i);
        json_array_append(a->entries, c);
        if (json_is_string(json_array_get(c, 0))) {
            ngx_cpystrn((u_char *) last,
                        (u_char *) json_string_value(json_array_get(c, 0)),
                        sizeof(last));
        }
    }

    if (n == NGX_PYLON_EVM_ASSOC_PAGE && last[0]) {
        ngx_pylon_evm_assoc_page(a, last);
        return;
    }

    ngx_pylon_evm_assoc_render(a);
}


static void
ngx_pylon_evm_assoc_render(ngx_pylon_evm_assoc_t *a)
{
    int                  rc;
    char                 err[200];
    size_t               i, n, nh;
    json_t              *e, *kj, *vj;
    pylon_buf_t          out;
    const char         **hotkeys;
    pylon_subnet_kv_t   *kv;
    const pylon_meta_t  *m;

    m = ngx_pylon_refresh_meta(a->helper->refresh);
    n = json_array_size(a->entries);
    nh = json_array_size(a->hotkeys);

    kv = ngx_calloc((n + 1) * sizeof(*kv), a->helper->log);
    hotkeys = ngx_calloc((nh + 1) * sizeof(*hotkeys), a->helper->log);
    if (m == NULL || kv == NULL || hotkeys == NULL) {
        ngx_free(kv);
        ngx_free(hotkeys);
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error", NULL);
        return;
    }

    for (i = 0; i < nh; i++) {
        hotkeys[i] = json_string_value(json_array_get(a->hotkeys, i));
    }

    rc = 0;
    for (i = 0; i < n && rc == 0; i++) {
        e = json_array_get(a->entries, i);
        kj = json_array_get(e, 0);
        vj = json_array_get(e, 1);
        if (!json_is_string(kj)
            || pylon_hex_decode_alloc((uint8_t **) &kv[i].key, &kv[i].keylen,
                                      json_string_value(kj),
                                      json_string_length(kj)) != 0)
        {
            rc = -1;
            break;
        }
        if (json_is_string(vj)
            && pylon_hex_decode_alloc((uint8_t **) &kv[i].val, &kv[i].vallen,
                                      json_string_value(vj),
                                      json_string_length(vj)) != 0)
        {
            rc = -1;
        }
    }

    pylon_buf_init(&out);
    if (rc == 0) {
        rc = pylon_evm_assoc_render(&out, m, (int) a->netuid, a->block,
                                    a->hash, hotkeys, nh, kv, n, err,
                                    sizeof(err));
    }
    if (rc == 0) {
        rc = pylon_buf_put(&out, "", 1);          /* the NUL */
    }

    for (i = 0; i < n; i++) {
        free((void *) kv[i].key);
        free((void *) kv[i].val);
    }
    ngx_free(kv);
    ngx_free(hotkeys);

    if (rc != 0) {
        pylon_buf_free(&out);
        ngx_pylon_evm_assoc_end(a, 500, "Internal Server Error",
                                "undecodable AssociatedEvmAddress entry");
        return;
    }

    ngx_pylon_evm_assoc_end(a, 200, NULL, (char *) out.data);
    pylon_buf_free(&out);
}


static void
ngx_pylon_evm_assoc_end(ngx_pylon_evm_assoc_t *a, ngx_uint_t status,
    const char *detail, const char *text)
{
    char         *env = NULL, key[PYLON_KEY_MAX];
    json_t       *j;
    pylon_store_t  *st;

    if (a->job == NULL) {
        /* a per-head refresh: write the body, or only log */
        ngx_pylon_evm_assoc_idle(a->netuid);

        st = a->helper->store;
        if (status == 200
            && pylon_key_latest(key, sizeof(key), "evm_associations",
                                (int) a->netuid) > 0)
        {
            if (pylon_store_write_begin(st) != 0
                || pylon_store_put(st, key, a->block, 0, text,
                                   ngx_strlen(text)) != 0
                || pylon_store_write_commit(st) != 0)
            {
                ngx_log_error(NGX_LOG_ERR, a->helper->log, 0,
                              "pylon helper: evm associations write "
                              "failed: %s", pylon_store_error(st));
                pylon_store_write_abort(st);
            }
        } else if (status != 200) {
            ngx_log_error(NGX_LOG_INFO, a->helper->log, 0,
                          "pylon helper: evm associations of subnet %i "
                          "not refreshed: %ui %s", a->netuid, status,
                          text ? text : "");
        }

        json_decref(a->hotkeys);
        json_decref(a->entries);
        ngx_free(a);
        return;
    }

    if (status == 200) {
        ngx_pylon_job_finish(a->helper, a->job, PYLON_JOB_DONE, 200, text,
                             NULL);
    } else {
        j = json_pack("{sIss}", "status_code", (json_int_t) status,
                      "detail", detail);
        env = j ? json_dumps(j, JSON_COMPACT|JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        ngx_log_error(NGX_LOG_INFO, a->helper->log, 0,
                      "pylon helper: evm associations of subnet %i failed: "
                      "%ui %s", a->netuid, status, text ? text : "");
        ngx_pylon_job_finish(a->helper, a->job, PYLON_JOB_FAILED, status,
                             env, text);
        free(env);
    }

    json_decref(a->hotkeys);
    json_decref(a->entries);
    ngx_free(a);
}
