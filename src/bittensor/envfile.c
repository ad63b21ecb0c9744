/*
 * envfile.c: python-dotenv's statement grammar and pydantic-settings'
 * reading of Pylon's settings and identities.
 *
 * dotenv_each() walks the text the way python-dotenv's parse_binding()
 * walks it with its regular expressions (skip whitespace and blank lines,
 * optional `export`, a key, optional `= value`, optional comment, end of
 * line), then resolves ${VAR} / ${VAR:-default} against the bindings
 * resolved so far and then the environment.  A quoted value closes at the
 * first quote not preceded by a backslash or, failing that, at the last
 * quote in the text: what the regex '((?:\\'|[^'])*)' settles on.
 * pylon_env_parse() collects the bindings (keys lower-cased, last wins)
 * and converts each PYLON_* setting with pydantic's lax rules (pynum.c).
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bittensor/envfile.h"
#include "bittensor/jsonread.h"
#include "bittensor/request_int.h"


typedef struct {
    char      *key;
    size_t     klen;
    char      *orig;       /* the key as written (lower-cased bindings) */
    char      *value;
    size_t     vlen;
    unsigned   line;
} binding_t;

typedef struct {
    binding_t  *b;
    size_t      n, cap;
} bindings_t;

typedef struct {
    const char  *s, *end, *p;
    unsigned     line;
} dv_t;


static void
bindings_free(bindings_t *v)
{
    size_t  i;

    for (i = 0; i < v->n; i++) {
        free(v->b[i].key);
        free(v->b[i].orig);
        if (v->b[i].value) {
            sodium_memzero(v->b[i].value, v->b[i].vlen);
        }
        free(v->b[i].value);
    }
    free(v->b);
    memset(v, 0, sizeof(*v));
}


static int
bindings_add(bindings_t *v, const char *k, size_t kl, const char *val,
    size_t vl, unsigned line, int lower)
{
    binding_t  *nb;
    size_t      i;

    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 32;
        nb = realloc(v->b, v->cap * sizeof(binding_t));
        if (nb == NULL) {
            return -1;
        }
        v->b = nb;
    }

    nb = &v->b[v->n];
    nb->key = malloc(kl + 1);
    nb->value = malloc(vl + 1);
    nb->orig = lower ? strndup(k, kl) : NULL;
    if (nb->key == NULL || nb->value == NULL || (lower && nb->orig == NULL)) {
        free(nb->key);
        free(nb->value);
        free(nb->orig);
        return -1;
    }
    memcpy(nb->key, k, kl);
    nb->key[kl] = '\0';
    if (lower) {
        for (i = 0; i < kl; i++) {
            nb->key[i] = (char) tolower((unsigned char) nb->key[i]);
        }
    }
    memcpy(nb->value, val, vl);
    nb->value[vl] = '\0';
    nb->klen = kl;
    nb->vlen = vl;
    nb->line = line;
    v->n++;
    return 0;
}


/* the last binding named key (exact bytes), or NULL */
static binding_t *
bindings_find(bindings_t *v, const char *key, size_t klen)
{
    size_t  i;

    for (i = v->n; i-- > 0; ) {
        if (v->b[i].klen == klen && memcmp(v->b[i].key, key, klen) == 0) {
            return &v->b[i];
        }
    }
    return NULL;
}


/* [^\S\r\n]: whitespace other than line breaks (ASCII) */
static int
hws(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f'
           || (c >= 0x1c && c <= 0x1f);
}


static int
ws(char c)
{
    return hws(c) || c == '\n' || c == '\r';
}


static void
dv_advance(dv_t *d, const char *to)
{
    while (d->p < to) {
        if (*d->p == '\r') {
            d->line++;
            if (d->p + 1 < to && d->p[1] == '\n') {
                d->p++;
            }
        } else if (*d->p == '\n') {
            d->line++;
        }
        d->p++;
    }
}


/* where a quoted value opened at q (the quote) closes, or NULL */
static const char *
quote_close(const char *q, const char *end)
{
    const char  *p, *last;

    last = NULL;
    for (p = q + 1; p < end; p++) {
        if (*p != *q) {
            continue;
        }
        if (p[-1] != '\\' || p == q + 1) {
            return p;
        }
        last = p;
    }
    return last;
}


/* decode dotenv's escapes in [s, e) into b */
static void
unescape(pylon_sbuf_t *b, const char *s, const char *e, int dq)
{
    char  c;

    while (s < e) {
        if (*s == '\\' && s + 1 < e) {
            c = s[1];
            if (c == '\\' || c == '\'') {
                pylon_sbuf_put(b, &c, 1);
                s += 2;
                continue;
            }
            if (dq) {
                switch (c) {
                case '"': break;
                case 'a': c = '\a'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'n': c = '\n'; break;
                case 'r': c = '\r'; break;
                case 't': c = '\t'; break;
                case 'v': c = '\v'; break;
                default: c = 0; break;
                }
                if (c != 0) {
                    pylon_sbuf_put(b, &c, 1);
                    s += 2;
                    continue;
                }
            }
        }
        pylon_sbuf_put(b, s, 1);
        s++;
    }
}


/* ${NAME} and ${NAME:-default} against earlier bindings, then getenv */
static int
interpolate(pylon_sbuf_t *out, const char *v, size_t n, bindings_t *done)
{
    const char  *p, *end, *close, *name, *colon, *dflt;
    size_t       nlen, dlen;
    binding_t   *b;
    char        *nz, *ev;

    p = v;
    end = v + n;

    while (p < end) {
        if (p + 1 < end && p[0] == '$' && p[1] == '{') {
            close = memchr(p + 2, '}', (size_t) (end - p - 2));
            if (close != NULL) {
                name = p + 2;
                colon = memchr(name, ':', (size_t) (close - name));
                dflt = NULL;
                dlen = 0;
                if (colon != NULL && colon + 1 < close && colon[1] == '-') {
                    nlen = (size_t) (colon - name);
                    dflt = colon + 2;
                    dlen = (size_t) (close - dflt);
                } else if (colon != NULL) {
                    /* [^\}:]* stops at ':' not followed by '-': no match */
                    pylon_sbuf_put(out, p, 1);
                    p++;
                    continue;
                } else {
                    nlen = (size_t) (close - name);
                }

                b = bindings_find(done, name, nlen);
                if (b != NULL) {
                    pylon_sbuf_put(out, b->value, b->vlen);
                } else {
                    nz = strndup(name, nlen);
                    ev = (nz != NULL) ? getenv(nz) : NULL;
                    free(nz);
                    if (ev != NULL) {
                        pylon_sbuf_str(out, ev);
                    } else if (dflt != NULL) {
                        pylon_sbuf_put(out, dflt, dlen);
                    }
                }
                p = close + 1;
                continue;
            }
        }
        pylon_sbuf_put(out, p, 1);
        p++;
    }

    return out->failed ? -1 : 0;
}


static int
dv_error(char *err, const char *name, unsigned line, const char *msg)
{
    snprintf(err, PYLON_ENV_ERR_BYTES, "%s:%u: %s", name, line, msg);
    return -1;
}


int
pylon_dotenv_each(const char *text, size_t len, const char *name,
    char err[PYLON_ENV_ERR_BYTES],
    int (*fn)(void *ctx, const char *key, size_t klen, const char *value,
              size_t vlen, unsigned line),
    void *ctx)
{
    dv_t           d;
    bindings_t     done;
    pylon_sbuf_t   raw, val;
    const char    *k, *ke, *q, *t, *cut;
    unsigned       line;
    int            has_value, rc;
    size_t         ok, i;

    ok = pylon_utf8_valid_prefix((const unsigned char *) text, len);
    if (ok < len) {
        d.s = text;
        d.p = text;
        d.line = 1;
        dv_advance(&d, text + ok);
        return dv_error(err, name, d.line, "not valid UTF-8");
    }

    memset(&done, 0, sizeof(done));
    d.s = text;
    d.p = text;
    d.end = text + len;
    d.line = 1;
    rc = 0;

    while (d.p < d.end) {
        /* _multiline_whitespace */
        t = d.p;
        while (t < d.end && ws(*t)) {
            t++;
        }
        dv_advance(&d, t);
        if (d.p == d.end) {
            break;
        }
        line = d.line;

        /* _export */
        if (d.end - d.p > 6 && memcmp(d.p, "export", 6) == 0
            && hws(d.p[6]))
        {
            t = d.p + 6;
            while (t < d.end && hws(*t)) {
                t++;
            }
            d.p = t;
        }

        /* parse_key */
        k = NULL;
        ke = NULL;
        if (d.p < d.end && *d.p == '#') {
            /* a comment line: no key */
        } else if (d.p < d.end && *d.p == '\'') {
            t = memchr(d.p + 1, '\'', (size_t) (d.end - d.p - 1));
            if (t == NULL || t == d.p + 1) {
                goto bad;
            }
            k = d.p + 1;
            ke = t;
            dv_advance(&d, t + 1);
        } else {
            t = d.p;
            while (t < d.end && *t != '=' && *t != '#' && !ws(*t)) {
                t++;
            }
            if (t == d.p) {
                goto bad;
            }
            k = d.p;
            ke = t;
            d.p = t;
        }

        /* _whitespace, then '=' and parse_value */
        while (d.p < d.end && hws(*d.p)) {
            d.p++;
        }

        has_value = 0;
        memset(&raw, 0, sizeof(raw));
        pylon_sbuf_put(&raw, "", 0);

        if (d.p < d.end && *d.p == '=') {
            has_value = 1;
            d.p++;
            while (d.p < d.end && hws(*d.p)) {
                d.p++;
            }

            if (d.p < d.end && (*d.p == '\'' || *d.p == '"')) {
                q = quote_close(d.p, d.end);
                if (q == NULL) {
                    free(raw.buf);
                    goto bad;
                }
                unescape(&raw, d.p + 1, q, *d.p == '"');
                dv_advance(&d, q + 1);

            } else if (d.p < d.end && *d.p != '\n' && *d.p != '\r') {
                t = d.p;
                while (t < d.end && *t != '\n' && *t != '\r') {
                    t++;
                }
                /* re.sub(r"\s+#.*", "", part).rstrip() */
                cut = t;
                for (q = d.p; q < t; q++) {
                    if (ws(*q)) {
                        const char *r = q;
                        while (r < t && ws(*r)) {
                            r++;
                        }
                        if (r < t && *r == '#') {
                            cut = q;
                            break;
                        }
                        q = r - 1;
                    }
                }
                while (cut > d.p && ws(cut[-1])) {
                    cut--;
                }
                pylon_sbuf_put(&raw, d.p, (size_t) (cut - d.p));
                d.p = t;
            }
        }

        /* _comment, then _end_of_line */
        t = d.p;
        while (t < d.end && hws(*t)) {
            t++;
        }
        if (t < d.end && *t == '#') {
            while (t < d.end && *t != '\n' && *t != '\r') {
                t++;
            }
        }
        d.p = t;
        if (d.p < d.end && *d.p != '\n' && *d.p != '\r') {
            free(raw.buf);
            goto bad;
        }
        if (d.p < d.end) {
            dv_advance(&d, d.p + ((d.p[0] == '\r' && d.p + 1 < d.end
                                   && d.p[1] == '\n') ? 2 : 1));
        }

        if (k == NULL || !has_value) {
            free(raw.buf);
            continue;
        }

        memset(&val, 0, sizeof(val));
        pylon_sbuf_put(&val, "", 0);
        if (raw.failed || interpolate(&val, raw.buf, raw.len, &done) != 0
            || bindings_add(&done, k, (size_t) (ke - k), val.buf, val.len,
                            line, 0) != 0)
        {
            free(raw.buf);
            free(val.buf);
            bindings_free(&done);
            return dv_error(err, name, line, "out of memory");
        }
        free(raw.buf);
        sodium_memzero(val.buf, val.len);
        free(val.buf);
        continue;

    bad:
        bindings_free(&done);
        return dv_error(err, name, line, "python-dotenv cannot parse this "
                        "statement (Pylon would skip it with a warning)");
    }

    for (i = 0; i < done.n && rc == 0; i++) {
        rc = fn(ctx, done.b[i].key, done.b[i].klen, done.b[i].value,
                done.b[i].vlen, done.b[i].line);
    }

    bindings_free(&done);
    return rc;
}


/* --- settings --------------------------------------------------------- */

typedef struct {
    bindings_t   *v;
    const char   *name;      /* file name for messages */
    char         *err;
} ctx_t;


/*
 * pydantic-settings reads dotenv_values() - one entry per exact key, at
 * its first position with its last value - and lower-cases the keys in
 * that order, so "pylon_tempo" written after the first "PYLON_TEMPO"
 * wins even over a later "PYLON_TEMPO".
 */
static int
collect(void *c, const char *key, size_t klen, const char *value,
    size_t vlen, unsigned line)
{
    bindings_t  *v = c;
    binding_t   *b;
    char        *nv;
    size_t       i;

    for (i = 0; i < v->n; i++) {
        b = &v->b[i];
        if (b->klen == klen && memcmp(b->orig, key, klen) == 0) {
            nv = malloc(vlen + 1);
            if (nv == NULL) {
                return -1;
            }
            memcpy(nv, value, vlen);
            nv[vlen] = '\0';
            sodium_memzero(b->value, b->vlen);
            free(b->value);
            b->value = nv;
            b->vlen = vlen;
            b->line = line;
            return 0;
        }
    }

    return bindings_add(v, key, klen, value, vlen, line, 1);
}


static binding_t *
lookup(bindings_t *v, const char *upper)
{
    char    low[256];
    size_t  i, n;

    n = strlen(upper);
    if (n >= sizeof(low)) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        low[i] = (char) tolower((unsigned char) upper[i]);
    }
    return bindings_find(v, low, n);
}


static int
set_error(ctx_t *c, binding_t *b, const char *var, const char *fmt, ...)
{
    char     msg[160];
    va_list  ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    if (b != NULL) {
        snprintf(c->err, PYLON_ENV_ERR_BYTES, "%s:%u: %s: %s", c->name,
                 b->line, var, msg);
    } else {
        snprintf(c->err, PYLON_ENV_ERR_BYTES, "%s: %s: %s", c->name, var,
                 msg);
    }
    return -1;
}


static int
get_str(ctx_t *c, char **out, const char *var, const char *dflt)
{
    binding_t  *b;

    b = lookup(c->v, var);
    *out = strdup(b ? b->value : dflt);
    return *out ? 0 : set_error(c, b, var, "out of memory");
}


static int
get_long(ctx_t *c, long *out, const char *var, long dflt, long lo, long hi)
{
    binding_t  *b;
    long long   v;

    b = lookup(c->v, var);
    if (b == NULL) {
        *out = dflt;
        return 0;
    }
    if (pylon_pydantic_int(&v, b->value, b->vlen) != 0) {
        return set_error(c, b, var, "Input should be a valid integer, "
                         "unable to parse string as an integer");
    }
    if (v < lo || v > hi) {
        return set_error(c, b, var, "must be between %ld and %ld", lo, hi);
    }
    *out = (long) v;
    return 0;
}


static int
get_double(ctx_t *c, double *out, const char *var, double dflt)
{
    binding_t  *b;
    double      v;

    b = lookup(c->v, var);
    if (b == NULL) {
        *out = dflt;
        return 0;
    }
    if (pylon_pydantic_float(&v, b->value, b->vlen) != 0) {
        return set_error(c, b, var, "Input should be a valid number, "
                         "unable to parse string as a number");
    }
    if (!(v > 0) || v > 1e9) {
        return set_error(c, b, var, "must be a positive number of seconds");
    }
    *out = v;
    return 0;
}


/* a JSON list; *root NULL when the variable is absent */
static int
get_list(ctx_t *c, pylon_json_doc_t **doc, pylon_json_t **root,
    binding_t **bp, const char *var)
{
    char        jerr[PYLON_JSON_ERR_BYTES];
    binding_t  *b;
    int         rc;

    *doc = NULL;
    *root = NULL;
    b = lookup(c->v, var);
    *bp = b;
    if (b == NULL) {
        return 0;
    }

    rc = pylon_json_read(doc, root, jerr, (const unsigned char *) b->value,
                         b->vlen, 1 | PYLON_JSON_KEEP_ARRAYS);
    if (rc != 0) {
        return set_error(c, b, var, "a JSON list is expected (%s)", jerr);
    }
    if ((*root)->type != PYLON_JSON_ARRAY) {
        pylon_json_free(*doc);
        *doc = NULL;
        return set_error(c, b, var, "Input should be a valid list");
    }
    return 0;
}


static int
get_netuids(ctx_t *c, pylon_env_t *env)
{
    pylon_json_doc_t  *doc;
    pylon_json_t      *root, *e;
    binding_t         *b;
    long long          v;
    size_t             i;

    if (get_list(c, &doc, &root, &b, "PYLON_RECENT_OBJECTS_NETUIDS") != 0) {
        return -1;
    }
    if (root == NULL) {
        return 0;
    }

    env->netuids = calloc(root->n ? root->n : 1, sizeof(long));
    if (env->netuids == NULL) {
        pylon_json_free(doc);
        return set_error(c, b, "PYLON_RECENT_OBJECTS_NETUIDS", "out of memory");
    }

    i = 0;
    for (e = root->child; e != NULL; e = e->next, i++) {
        if (e->type == PYLON_JSON_INT || e->type == PYLON_JSON_FLOAT) {
            if (e->num != (double) (long long) e->num) {
                goto bad;
            }
            v = (long long) e->num;
        } else if (e->type == PYLON_JSON_TRUE || e->type == PYLON_JSON_FALSE) {
            v = (e->type == PYLON_JSON_TRUE);
        } else if (e->type == PYLON_JSON_STRING) {
            if (pylon_pydantic_int(&v, e->str, e->len) != 0) {
                goto bad;
            }
        } else {
            goto bad;
        }
        if (v < 0 || v > 65535) {
            pylon_json_free(doc);
            return set_error(c, b, "PYLON_RECENT_OBJECTS_NETUIDS", "item %zu: "
                             "a netuid is between 0 and 65535", i);
        }
        env->netuids[env->nnetuids++] = (long) v;
    }

    pylon_json_free(doc);
    return 0;

bad:
    pylon_json_free(doc);
    return set_error(c, b, "PYLON_RECENT_OBJECTS_NETUIDS", "item %zu: Input "
                     "should be a valid integer", i);
}


static int
get_identity(ctx_t *c, pylon_env_identity_t *id, const char *name,
    size_t nlen)
{
    static const char  *fields[] = { "WALLET_NAME", "HOTKEY_NAME", "NETUID",
                                     "TOKEN" };
    char                var[160];
    binding_t          *b;
    long long           v;
    size_t              i, f;
    char              **dst;

    id->name = strndup(name, nlen);
    if (id->name == NULL) {
        return set_error(c, NULL, "PYLON_IDENTITIES", "out of memory");
    }

    for (f = 0; f < 4; f++) {
        if (nlen + 32 > sizeof(var)) {
            return set_error(c, NULL, "PYLON_IDENTITIES", "name too long");
        }
        memcpy(var, "PYLON_ID_", 9);
        for (i = 0; i < nlen; i++) {
            var[9 + i] = (char) toupper((unsigned char) name[i]);
        }
        var[9 + nlen] = '_';
        strcpy(var + 10 + nlen, fields[f]);

        b = lookup(c->v, var);
        if (b == NULL) {
            return set_error(c, NULL, var, "Field required (identity \"%s\")",
                             id->name);
        }

        if (f == 2) {
            if (pylon_pydantic_int(&v, b->value, b->vlen) != 0) {
                return set_error(c, b, var, "Input should be a valid integer, "
                                 "unable to parse string as an integer");
            }
            if (v < 0 || v > 65535) {
                return set_error(c, b, var, "a netuid is between 0 and 65535");
            }
            id->netuid = (long) v;
            continue;
        }

        dst = (f == 0) ? &id->wallet_name : (f == 1) ? &id->hotkey_name
              : &id->token;
        *dst = strdup(b->value);
        if (*dst == NULL) {
            return set_error(c, b, var, "out of memory");
        }
    }

    return 0;
}


static int
get_identities(ctx_t *c, pylon_env_t *env, bindings_t *idv)
{
    pylon_json_doc_t  *doc;
    pylon_json_t      *root, *e;
    binding_t         *b;
    bindings_t        *keep;
    size_t             i, j;

    if (get_list(c, &doc, &root, &b, "PYLON_IDENTITIES") != 0) {
        return -1;
    }
    if (root == NULL) {
        return 0;
    }

    env->identities = calloc(root->n ? root->n : 1,
                             sizeof(pylon_env_identity_t));
    if (env->identities == NULL) {
        pylon_json_free(doc);
        return set_error(c, b, "PYLON_IDENTITIES", "out of memory");
    }

    keep = c->v;
    i = 0;
    for (e = root->child; e != NULL; e = e->next, i++) {
        if (e->type != PYLON_JSON_STRING) {
            pylon_json_free(doc);
            return set_error(c, b, "PYLON_IDENTITIES", "item %zu: Input "
                             "should be a valid string", i);
        }

        /* names repeat into one identity, as Pylon's dict of them */
        for (j = 0; j < env->nidentities; j++) {
            if (strlen(env->identities[j].name) == e->len
                && memcmp(env->identities[j].name, e->str, e->len) == 0)
            {
                break;
            }
        }
        if (j < env->nidentities) {
            continue;
        }

        c->v = idv;
        if (get_identity(c, &env->identities[env->nidentities], e->str,
                         e->len) != 0)
        {
            env->nidentities++;
            c->v = keep;
            pylon_json_free(doc);
            return -1;
        }
        env->nidentities++;
        c->v = keep;
    }

    pylon_json_free(doc);
    return 0;
}


static int
is_set(ctx_t *c, const char *var)
{
    return lookup(c->v, var) != NULL;
}


/* Pylon v2's new settings; PYLON_TEMPO is gone (tempo is the chain's) */
static int
get_v2(ctx_t *c, pylon_env_t *env)
{
    int         rc;
    binding_t  *b;

    b = lookup(c->v, "PYLON_TEMPO");
    env->tempo_line = b ? (b->line ? b->line : 1) : 0;

    env->network_set = is_set(c, "PYLON_BITTENSOR_NETWORK");
    env->archive_network_set = is_set(c, "PYLON_BITTENSOR_ARCHIVE_NETWORK");
    env->window_set = is_set(c, "PYLON_COMMIT_CYCLE_LENGTH")
                      || is_set(c, "PYLON_COMMIT_WINDOW_START_OFFSET")
                      || is_set(c, "PYLON_COMMIT_WINDOW_END_BUFFER");

    rc = get_double(c, &env->block_duration, "PYLON_BLOCK_DURATION_SECONDS",
                    12.0);
    rc = rc ? rc : get_long(c, &env->window_cycle,
                            "PYLON_COMMIT_CYCLE_LENGTH", 3, 1, 1000000L);
    rc = rc ? rc : get_long(c, &env->window_offset,
                            "PYLON_COMMIT_WINDOW_START_OFFSET", 180, 0,
                            1000000L);
    rc = rc ? rc : get_long(c, &env->window_buffer,
                            "PYLON_COMMIT_WINDOW_END_BUFFER", 10, 0,
                            1000000L);
    return rc;
}


int
pylon_env_parse(pylon_env_t *env, char err[PYLON_ENV_ERR_BYTES],
    const char *text, size_t len, const char *name,
    const char *idtext, size_t idlen, const char *idname)
{
    bindings_t  v, idv;
    ctx_t       c;
    int         rc;

    memset(env, 0, sizeof(*env));
    memset(&v, 0, sizeof(v));
    memset(&idv, 0, sizeof(idv));
    err[0] = '\0';

    if (pylon_dotenv_each(text, len, name, err, collect, &v) != 0) {
        if (err[0] == '\0') {
            snprintf(err, PYLON_ENV_ERR_BYTES, "%s: out of memory", name);
        }
        bindings_free(&v);
        return -1;
    }
    if (pylon_dotenv_each(idtext, idlen, idname, err, collect, &idv) != 0) {
        if (err[0] == '\0') {
            snprintf(err, PYLON_ENV_ERR_BYTES, "%s: out of memory", idname);
        }
        bindings_free(&v);
        bindings_free(&idv);
        return -1;
    }

    c.v = &v;
    c.name = name;
    c.err = err;

    rc = get_str(&c, &env->network, "PYLON_BITTENSOR_NETWORK", "finney");
    rc = rc ? rc : get_str(&c, &env->archive_network,
                           "PYLON_BITTENSOR_ARCHIVE_NETWORK", "archive");
    rc = rc ? rc : get_long(&c, &env->archive_cutoff,
                            "PYLON_BITTENSOR_ARCHIVE_BLOCKS_CUTOFF", 300, 0,
                            1000000000L);
    rc = rc ? rc : get_str(&c, &env->wallet_path,
                           "PYLON_BITTENSOR_WALLET_PATH",
                           "/root/.bittensor/wallets");
    rc = rc ? rc : get_str(&c, &env->open_access_token,
                           "PYLON_OPEN_ACCESS_TOKEN", "");
    rc = rc ? rc : get_str(&c, &env->metrics_token, "PYLON_METRICS_TOKEN", "");
    rc = rc ? rc : get_v2(&c, env);
    rc = rc ? rc : get_long(&c, &env->weights_retry_attempts,
                            "PYLON_WEIGHTS_RETRY_ATTEMPTS", 200, 0, 1000000L);
    rc = rc ? rc : get_long(&c, &env->weights_retry_delay,
                            "PYLON_WEIGHTS_RETRY_DELAY_SECONDS", 1, 0, 86400);
    rc = rc ? rc : get_long(&c, &env->commitment_retry_attempts,
                            "PYLON_COMMITMENT_RETRY_ATTEMPTS", 10, 0,
                            1000000L);
    rc = rc ? rc : get_long(&c, &env->commitment_retry_delay,
                            "PYLON_COMMITMENT_RETRY_DELAY_SECONDS", 1, 0,
                            86400);
    rc = rc ? rc : get_double(&c, &env->default_timeout,
                              "PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS", 60.0);
    rc = rc ? rc : get_double(&c, &env->max_timeout,
                              "PYLON_MAX_REQUEST_TIMEOUT_SECONDS", 300.0);
    rc = rc ? rc : get_long(&c, &env->recent_soft,
                            "PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS", 100, 0,
                            1000000L);
    rc = rc ? rc : get_long(&c, &env->recent_hard,
                            "PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS", 150, 0,
                            1000000L);
    rc = rc ? rc : get_long(&c, &env->recent_lead,
                            "PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS", 10, 0,
                            1000000L);

    /* EVM nodes: a pair, both explicit or neither (Pylon 2.3.0) */
    rc = rc ? rc : get_str(&c, &env->evm_rpc_url, "PYLON_EVM_RPC_URL", "");
    rc = rc ? rc : get_str(&c, &env->evm_archive_rpc_url,
                           "PYLON_EVM_ARCHIVE_RPC_URL", "");
    rc = rc ? rc : get_long(&c, &env->evm_archive_cutoff,
                            "PYLON_EVM_ARCHIVE_BLOCKS_CUTOFF", 300, 0,
                            1000000000L);
    if (rc == 0 && (lookup(&v, "PYLON_EVM_RPC_URL") == NULL)
                   != (lookup(&v, "PYLON_EVM_ARCHIVE_RPC_URL") == NULL))
    {
        int main = lookup(&v, "PYLON_EVM_RPC_URL") != NULL;

        snprintf(err, PYLON_ENV_ERR_BYTES, "%s: PYLON_%s was overridden but "
                 "PYLON_%s was left at its default. Set both explicitly (you "
                 "may repeat the default value, but it must be explicit).",
                 name, main ? "EVM_RPC_URL" : "EVM_ARCHIVE_RPC_URL",
                 main ? "EVM_ARCHIVE_RPC_URL" : "EVM_RPC_URL");
        rc = -1;
    }

    if (rc == 0 && env->recent_soft > env->recent_hard) {
        rc = set_error(&c, lookup(&v, "PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS"),
                       "PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS",
                       "Value error, hard_limit_blocks must be greater than "
                       "soft_limit_blocks.");
    }

    rc = rc ? rc : get_netuids(&c, env);

    if (rc == 0) {
        c.name = idname;
        rc = get_identities(&c, env, &idv);
    }

    bindings_free(&v);
    bindings_free(&idv);

    if (rc != 0) {
        pylon_env_free(env);
        return -1;
    }
    return 0;
}


static char *
slurp(const char *path, size_t *len, char *err)
{
    FILE   *f;
    char   *buf, *nb;
    size_t  cap, n, r;

    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, PYLON_ENV_ERR_BYTES, "%s: %s", path, strerror(errno));
        return NULL;
    }

    cap = 4096;
    n = 0;
    buf = malloc(cap);
    while (buf != NULL) {
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) {
            break;
        }
        cap *= 2;
        nb = realloc(buf, cap);
        if (nb == NULL) {
            free(buf);
        }
        buf = nb;
    }

    if (buf == NULL || ferror(f)) {
        snprintf(err, PYLON_ENV_ERR_BYTES, "%s: read failed", path);
        free(buf);
        fclose(f);
        return NULL;
    }

    fclose(f);
    *len = n;
    return buf;
}


int
pylon_env_load(pylon_env_t *env, char err[PYLON_ENV_ERR_BYTES],
    const char *path, const char *id_path)
{
    char    *text, *idtext;
    size_t   len, idlen;
    int      rc;

    memset(env, 0, sizeof(*env));

    text = slurp(path, &len, err);
    if (text == NULL) {
        return -1;
    }

    if (id_path == NULL || strcmp(id_path, path) == 0) {
        rc = pylon_env_parse(env, err, text, len, path, text, len, path);
    } else {
        idtext = slurp(id_path, &idlen, err);
        if (idtext == NULL) {
            sodium_memzero(text, len);
            free(text);
            return -1;
        }
        rc = pylon_env_parse(env, err, text, len, path, idtext, idlen,
                             id_path);
        sodium_memzero(idtext, idlen);
        free(idtext);
    }

    sodium_memzero(text, len);
    free(text);
    return rc;
}


static void
wipe_free(char *s)
{
    if (s != NULL) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}


void
pylon_env_free(pylon_env_t *env)
{
    size_t  i;

    free(env->network);
    free(env->archive_network);
    free(env->wallet_path);
    free(env->evm_rpc_url);
    free(env->evm_archive_rpc_url);
    wipe_free(env->open_access_token);
    wipe_free(env->metrics_token);

    for (i = 0; i < env->nidentities; i++) {
        free(env->identities[i].name);
        free(env->identities[i].wallet_name);
        free(env->identities[i].hotkey_name);
        wipe_free(env->identities[i].token);
    }
    free(env->identities);
    free(env->netuids);

    memset(env, 0, sizeof(*env));
}
