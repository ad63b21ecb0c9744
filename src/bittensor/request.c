/*
 * request.c: the four Pylon request bodies, validated as pydantic 2
 * validates LoginBody, SetWeightsBody, SetCommitmentBody and
 * GenerateCertificateKeypairRequest inside Litestar 2.19.
 *
 * The body is read by jsonread.c (msgspec's grammar); the root must be an
 * object ("Input should be a valid dictionary or instance of <Model>",
 * an error without a key); then each field follows its model: messages
 * and keys are pydantic's, collected in order, and rendered into
 * Litestar's ValidationException envelope.  Litestar adds
 * "source":"query" to an error whose key is also a query parameter name
 * and "source":"body" to the empty-body error (key "data", message
 * "'data'": the KeyError text Litestar's _collect_errors stringifies).
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bittensor/jsonread.h"
#include "bittensor/request.h"
#include "bittensor/request_int.h"


typedef struct {
    pylon_sbuf_t                 extra;     /* the items, comma-joined */
    size_t                       nerr;
    const pylon_request_line_t  *line;
} verr_t;


static const char *model_names[] = {
    "LoginBody",
    "SetWeightsBody",
    "SetCommitmentBody",
    "GenerateCertificateKeypairRequest",
    "SetRevealedCommitmentBody"
};


/* percent-decode (and '+' -> ' ') a query name into b */
static void
query_unquote(pylon_sbuf_t *b, const char *s, size_t n)
{
    size_t         i;
    unsigned char  c;
    int            hi, lo;

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < n) {
            hi = (s[i + 1] >= '0' && s[i + 1] <= '9') ? s[i + 1] - '0'
                 : ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'f')
                   ? (s[i + 1] | 0x20) - 'a' + 10 : -1;
            lo = (s[i + 2] >= '0' && s[i + 2] <= '9') ? s[i + 2] - '0'
                 : ((s[i + 2] | 0x20) >= 'a' && (s[i + 2] | 0x20) <= 'f')
                   ? (s[i + 2] | 0x20) - 'a' + 10 : -1;
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char) (hi * 16 + lo);
                i += 2;
            }
        }
        pylon_sbuf_put(b, &c, 1);
    }
}


/* is key the name of a query parameter (parse_qsl, '&'-separated)? */
static int
query_has_name(const pylon_request_line_t *line, const char *key,
    size_t keylen)
{
    const char    *q, *end, *amp, *eq;
    pylon_sbuf_t   name;
    int            found;

    if (line == NULL || line->query == NULL) {
        return 0;
    }

    q = line->query;
    end = q + line->query_len;
    found = 0;

    while (q < end && !found) {
        amp = memchr(q, '&', (size_t) (end - q));
        if (amp == NULL) {
            amp = end;
        }

        if (amp > q) {
            eq = memchr(q, '=', (size_t) (amp - q));
            if (eq == NULL) {
                eq = amp;
            }

            memset(&name, 0, sizeof(name));
            pylon_sbuf_put(&name, "", 0);
            query_unquote(&name, q, (size_t) (eq - q));
            found = (!name.failed && name.len == keylen
                     && memcmp(name.buf, key, keylen) == 0);
            free(name.buf);
        }

        q = amp + 1;
    }

    return found;
}


/* one item of "extra"; key NULL for an error at the model's root */
static void
verr_add(verr_t *v, const char *msg, const char *key1, const char *key2,
    size_t key2len)
{
    pylon_sbuf_t  key;

    memset(&key, 0, sizeof(key));

    if (v->nerr++) {
        pylon_sbuf_str(&v->extra, ",");
    }

    pylon_sbuf_str(&v->extra, "{\"message\":\"");
    pylon_sbuf_json(&v->extra, msg, strlen(msg));
    pylon_sbuf_str(&v->extra, "\"");

    if (key1 != NULL) {
        pylon_sbuf_str(&key, key1);
        if (key2 != NULL) {
            pylon_sbuf_str(&key, ".");
            pylon_sbuf_put(&key, key2, key2len);
        }

        if (!key.failed) {
            pylon_sbuf_str(&v->extra, ",\"key\":\"");
            pylon_sbuf_json(&v->extra, key.buf, key.len);
            pylon_sbuf_str(&v->extra, "\"");

            if (query_has_name(v->line, key.buf, key.len)) {
                pylon_sbuf_str(&v->extra, ",\"source\":\"query\"");
            }
        } else {
            v->extra.failed = 1;
        }
        free(key.buf);
    }

    pylon_sbuf_str(&v->extra, "}");
}


/* "Validation failed for PUT /path?query" with the items */
static char *
verr_envelope(verr_t *v, size_t *len, const pylon_request_line_t *line)
{
    pylon_sbuf_t   d, b;
    const char    *method;

    memset(&d, 0, sizeof(d));
    memset(&b, 0, sizeof(b));

    method = (line && line->method) ? line->method : "";

    pylon_sbuf_str(&d, "Validation failed for ");
    pylon_sbuf_str(&d, method);
    pylon_sbuf_str(&d, " ");
    if (line && line->path) {
        /* urlunsplit (Python 3.13): an empty netloc keeps "//" paths */
        if (line->path_len >= 2 && line->path[0] == '/'
            && line->path[1] == '/')
        {
            pylon_sbuf_str(&d, "//");
        }
        pylon_sbuf_put(&d, line->path, line->path_len);
    }
    if (line && line->query && line->query_len) {
        pylon_sbuf_str(&d, "?");
        pylon_sbuf_put(&d, line->query, line->query_len);
    }

    if (!d.failed) {
        pylon_sbuf_envelope_head(&b, 400, d.buf, d.len);
    } else {
        b.failed = 1;
    }
    pylon_sbuf_str(&b, ",\"extra\":[");
    pylon_sbuf_put(&b, v->extra.buf ? v->extra.buf : "", v->extra.len);
    pylon_sbuf_str(&b, "]}");

    free(d.buf);
    if (v->extra.failed || b.failed) {
        free(b.buf);
        return NULL;
    }

    *len = b.len;
    return b.buf;
}


static void
body_reset(pylon_body_t *out, pylon_body_kind_t kind)
{
    memset(out, 0, sizeof(*out));
    out->kind = kind;
}


static int
check_login(pylon_body_t *out, verr_t *v, const pylon_json_t *root)
{
    pylon_json_t  *t;

    t = pylon_json_get(root, "token", 5);
    if (t == NULL) {
        verr_add(v, "Field required", "token", NULL, 0);
        return 0;
    }
    if (t->type != PYLON_JSON_STRING) {
        verr_add(v, "Input should be a valid string", "token", NULL, 0);
        return 0;
    }

    out->token = malloc(t->len + 1);
    if (out->token == NULL) {
        return -1;
    }
    memcpy(out->token, t->str, t->len + 1);
    out->token_len = t->len;
    return 0;
}


static int
weight_value(double *w, const pylon_json_t *m, const char **msg)
{
    switch (m->type) {
    case PYLON_JSON_INT:
        if (isinf(m->num)) {
            /* an int beyond float range: float(int) overflows */
            *msg = "Input should be a valid number";
            return -1;
        }
        *w = m->num;
        break;
    case PYLON_JSON_FLOAT:
        *w = m->num;
        break;
    case PYLON_JSON_TRUE:
        *w = 1.0;
        break;
    case PYLON_JSON_FALSE:
        *w = 0.0;
        break;
    case PYLON_JSON_STRING:
        if (pylon_pydantic_float(w, m->str, m->len) != 0) {
            *msg = "Input should be a valid number, unable to parse string "
                   "as a number";
            return -1;
        }
        break;
    default:
        *msg = "Input should be a valid number";
        return -1;
    }

    /* ours, not Pylon's: the chain cannot take these (design.md) */
    if (isnan(*w) || isinf(*w)) {
        *msg = "Input should be a finite number";
        return -1;
    }
    if (*w < 0) {
        *msg = "Input should be greater than or equal to 0";
        return -1;
    }

    return 0;
}


static int
check_weights(pylon_body_t *out, verr_t *v, const pylon_json_t *root)
{
    pylon_json_t  *w, *m;
    const char    *msg;
    double         val;
    size_t         i, strbytes, errs;
    char          *p;

    w = pylon_json_get(root, "weights", 7);
    if (w == NULL) {
        verr_add(v, "Field required", "weights", NULL, 0);
        return 0;
    }
    if (w->type != PYLON_JSON_OBJECT) {
        verr_add(v, "Input should be a valid dictionary", "weights", NULL, 0);
        return 0;
    }

    errs = v->nerr;
    strbytes = 0;
    for (m = w->child; m != NULL; m = m->next) {
        if (weight_value(&val, m, &msg) != 0) {
            verr_add(v, msg, "weights", m->key, m->keylen);
        }
        strbytes += m->keylen + 1;
    }
    if (v->nerr != errs) {
        return 0;
    }

    /* the model's after-validator: first problem only */
    if (w->n == 0) {
        verr_add(v, "Value error, No weights provided", "weights", NULL, 0);
        return 0;
    }
    for (m = w->child; m != NULL; m = m->next) {
        if (m->keylen == 0) {
            verr_add(v, "Value error, Invalid hotkey: '' must be a non-empty "
                     "string", "weights", NULL, 0);
            return 0;
        }
    }

    /* one block: the array, then the hotkey strings */
    out->mem = malloc(w->n * sizeof(pylon_weight_t) + strbytes);
    if (out->mem == NULL) {
        return -1;
    }
    out->weights = out->mem;
    p = (char *) (out->weights + w->n);

    i = 0;
    for (m = w->child; m != NULL; m = m->next) {
        (void) weight_value(&val, m, &msg);
        memcpy(p, m->key, m->keylen + 1);
        out->weights[i].hotkey = p;
        out->weights[i].hotkey_len = m->keylen;
        out->weights[i].weight = val;
        p += m->keylen + 1;
        i++;
    }
    out->nweights = i;
    return 0;
}


static int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}


static int
py_isspace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
           || c == '\f';
}


static int
check_commitment(pylon_body_t *out, verr_t *v, const pylon_json_t *root)
{
    pylon_json_t         *c;
    const unsigned char  *s, *end;
    unsigned char        *d;
    size_t                n;
    int                   hi, lo;

    c = pylon_json_get(root, "commitment", 10);
    if (c == NULL) {
        verr_add(v, "Field required", "commitment", NULL, 0);
        return 0;
    }
    if (c->type != PYLON_JSON_STRING) {
        verr_add(v, "Value error, commitment must be bytes or hex string",
                 "commitment", NULL, 0);
        return 0;
    }

    s = (const unsigned char *) c->str;
    end = s + c->len;
    if (c->len >= 2 && s[0] == '0' && s[1] == 'x') {
        s += 2;
    }

    d = malloc((size_t) (end - s) / 2 + 1);
    if (d == NULL) {
        return -1;
    }

    /* bytes.fromhex: whitespace only between pairs */
    n = 0;
    while (s < end) {
        if (py_isspace(*s)) {
            s++;
            continue;
        }
        hi = hexval(*s++);
        lo = (s < end) ? hexval(*s++) : -1;
        if (hi < 0 || lo < 0) {
            free(d);
            verr_add(v, "Value error, passed commitment data is not a valid "
                     "hex string.", "commitment", NULL, 0);
            return 0;
        }
        d[n++] = (unsigned char) (hi * 16 + lo);
    }

    if (n == 0) {
        free(d);
        verr_add(v, "Data should have at least 1 byte", "commitment", NULL,
                 0);
        return 0;
    }

    if (n > PYLON_COMMITMENT_MAX_BYTES) {
        /* ours: the chain's RawN variants stop at Raw128 */
        free(d);
        verr_add(v, "Data should have at most 128 bytes", "commitment",
                 NULL, 0);
        return 0;
    }

    out->commitment = d;
    out->commitment_len = n;
    return 0;
}


static int
check_certificate(pylon_body_t *out, verr_t *v, const pylon_json_t *root)
{
    pylon_json_t  *a;
    int            one;

    out->algorithm = 1;

    a = pylon_json_get(root, "algorithm", 9);
    if (a == NULL) {
        return 0;
    }

    /* `v != CertificateAlgorithm.ED25519` on the raw value */
    one = (a->type == PYLON_JSON_TRUE)
          || ((a->type == PYLON_JSON_INT || a->type == PYLON_JSON_FLOAT)
              && a->num == 1.0);
    if (!one) {
        verr_add(v, "Value error, Currently, only algorithm equals 1 is "
                 "supported which is EdDSA using Ed25519 curve", "algorithm",
                 NULL, 0);
    }

    return 0;
}


/*
 * SetRevealedCommitmentBody: commitment str (strict), blocks_until_reveal
 * int (an integral float is accepted as pydantic's lax mode does); other
 * keys (the old block_time) are ignored.
 */
static int
check_revealed(pylon_body_t *out, verr_t *v, const pylon_json_t *root)
{
    pylon_json_t  *c, *b;

    c = pylon_json_get(root, "commitment", 10);
    b = pylon_json_get(root, "blocks_until_reveal", 19);

    if (c == NULL) {
        verr_add(v, "Field required", "commitment", NULL, 0);

    } else if (c->type != PYLON_JSON_STRING) {
        verr_add(v, "Input should be a valid string", "commitment", NULL, 0);

    } else {
        out->commitment = malloc(c->len + 1);
        if (out->commitment == NULL) {
            return -1;
        }
        memcpy(out->commitment, c->str, c->len + 1);
        out->commitment_len = c->len;
    }

    if (b == NULL) {
        verr_add(v, "Field required", "blocks_until_reveal", NULL, 0);

    } else if (b->type == PYLON_JSON_INT && b->num > -9.2e18
               && b->num < 9.2e18)
    {
        out->blocks_until_reveal = strtoll(b->str, NULL, 10);

    } else if (b->type == PYLON_JSON_FLOAT && b->num == (double) (int64_t)
               b->num && b->num > -9.2e18 && b->num < 9.2e18)
    {
        out->blocks_until_reveal = (int64_t) b->num;

    } else if (b->type == PYLON_JSON_FLOAT) {
        verr_add(v, "Input should be a valid integer, got a number with a "
                 "fractional part", "blocks_until_reveal", NULL, 0);

    } else {
        verr_add(v, "Input should be a valid integer", "blocks_until_reveal",
                 NULL, 0);
    }

    return 0;
}


int
pylon_body_parse(pylon_body_t *out, char **env, size_t *envlen,
    pylon_body_kind_t kind, const unsigned char *body, size_t len,
    const pylon_request_line_t *line)
{
    pylon_json_doc_t  *doc;
    pylon_json_t      *root;
    verr_t             v;
    char               err[PYLON_JSON_ERR_BYTES];
    int                rc;

    body_reset(out, kind);
    *env = NULL;
    *envlen = 0;

    memset(&v, 0, sizeof(v));
    v.line = line;
    doc = NULL;

    if (len == 0) {
        /* Litestar: data is Empty, the signature model misses "data" */
        if (v.nerr++ == 0) {
            pylon_sbuf_str(&v.extra, "{\"message\":\"'data'\",\"key\":\"data\","
                     "\"source\":\"body\"}");
        }
        goto invalid;
    }

    rc = pylon_json_read(&doc, &root, err, body, len,
                         kind == PYLON_BODY_WEIGHTS ? 2 : 1);
    if (rc == PYLON_JSON_ENOMEM) {
        return PYLON_BODY_ENOMEM;
    }
    if (rc != 0) {
        *env = pylon_envelope(envlen, 400, err, strlen(err));
        return *env ? PYLON_BODY_EJSON : PYLON_BODY_ENOMEM;
    }

    if (root->type != PYLON_JSON_OBJECT) {
        char  msg[96];

        snprintf(msg, sizeof(msg), "Input should be a valid dictionary or "
                 "instance of %s", model_names[kind]);
        verr_add(&v, msg, NULL, NULL, 0);
        goto invalid;
    }

    switch (kind) {
    case PYLON_BODY_LOGIN:
        rc = check_login(out, &v, root);
        break;
    case PYLON_BODY_WEIGHTS:
        rc = check_weights(out, &v, root);
        break;
    case PYLON_BODY_COMMITMENT:
        rc = check_commitment(out, &v, root);
        break;
    case PYLON_BODY_REVEALED:
        rc = check_revealed(out, &v, root);
        break;
    default:
        rc = check_certificate(out, &v, root);
        break;
    }

    if (rc != 0) {
        goto nomem;
    }

    if (v.nerr == 0) {
        pylon_json_free(doc);
        free(v.extra.buf);
        return PYLON_BODY_OK;
    }

invalid:
    pylon_body_free(out);
    out->kind = kind;
    pylon_json_free(doc);
    *env = verr_envelope(&v, envlen, line);
    free(v.extra.buf);
    return *env ? PYLON_BODY_EINVALID : PYLON_BODY_ENOMEM;

nomem:
    pylon_body_free(out);
    pylon_json_free(doc);
    free(v.extra.buf);
    return PYLON_BODY_ENOMEM;
}


void
pylon_body_free(pylon_body_t *b)
{
    if (b->token != NULL) {
        sodium_memzero(b->token, b->token_len);
        free(b->token);
    }
    free(b->mem);
    free(b->commitment);

    b->token = NULL;
    b->token_len = 0;
    b->mem = NULL;
    b->weights = NULL;
    b->nweights = 0;
    b->commitment = NULL;
    b->commitment_len = 0;
}
