/*
 * jsonread.c: msgspec's JSON grammar, error texts and error positions.
 *
 * A recursive-descent reader over the raw bytes.  Every branch mirrors a
 * branch of msgspec/_core.c (json_decode_*, parse_number_inline,
 * json_has_trailing_characters), including where the reported byte
 * offset points: literals and escapes are consumed before they are
 * checked, so "trux" fails at byte 4 and a trailing "x" one past itself.
 * Numbers with a fraction or exponent that round to infinity fail with
 * "Number out of range" plus msgspec's path suffix (" - at `$[...]`").
 * Kept nodes, decoded strings and lexemes live in a chunked arena.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bittensor/jsonread.h"


#define ARENA_CHUNK  8192

typedef struct chunk_s  chunk_t;

struct chunk_s {
    chunk_t  *next;
    size_t    used, cap;
    /* followed by data, aligned */
    max_align_t  data[];
};

struct pylon_json_doc_s {
    chunk_t  *chunks;
};

typedef struct {
    const unsigned char  *start, *p, *end;
    char                 *err;
    pylon_json_doc_t     *doc;
    unsigned              keep;
    unsigned              arrays;
    unsigned              depth;
    long                  path[PYLON_JSON_MAX_DEPTH + 1];
    unsigned              npath;
    unsigned char        *scratch;
    size_t                slen, scap;
    const unsigned char  *bad_utf8;     /* first invalid byte of a string */
} rd_t;

#define PATH_ELLIPSIS  (-1L)

#define RD_ERR     PYLON_JSON_EMALFORMED
#define RD_NOMEM   PYLON_JSON_ENOMEM


static void *
arena_alloc(pylon_json_doc_t *doc, size_t n)
{
    chunk_t  *c;
    size_t    cap;
    void     *r;

    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

    c = doc->chunks;
    if (c == NULL || c->cap - c->used < n) {
        /* chunks double up to 64 times the first: few mallocs per body */
        cap = c ? 2 * c->cap : ARENA_CHUNK;
        cap = cap < 64 * ARENA_CHUNK ? cap : 64 * ARENA_CHUNK;
        cap = n > cap ? n : cap;
        c = malloc(sizeof(chunk_t) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->next = doc->chunks;
        c->used = 0;
        c->cap = cap;
        doc->chunks = c;
    }

    r = (unsigned char *) c->data + c->used;
    c->used += n;
    return r;
}


static char *
arena_strdup(pylon_json_doc_t *doc, const void *s, size_t len)
{
    char  *d;

    d = arena_alloc(doc, len + 1);
    if (d == NULL) {
        return NULL;
    }
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}


void
pylon_json_free(pylon_json_doc_t *doc)
{
    chunk_t  *c, *n;

    if (doc == NULL) {
        return;
    }

    for (c = doc->chunks; c != NULL; c = n) {
        n = c->next;
        free(c);
    }
    free(doc);
}


static int
rd_fail(rd_t *rd, const char *msg)
{
    snprintf(rd->err, PYLON_JSON_ERR_BYTES, "JSON is malformed: %s (byte %zu)",
             msg, (size_t) (rd->p - rd->start));
    return RD_ERR;
}


static int
rd_truncated(rd_t *rd)
{
    snprintf(rd->err, PYLON_JSON_ERR_BYTES, "Input data was truncated");
    return RD_ERR;
}


/* msgspec's path suffix: "" at the top, else " - at `$[...][0]`" */
static int
rd_out_of_range(rd_t *rd)
{
    size_t    off;
    unsigned  i;
    int       n;
    char     *e;

    e = rd->err;
    off = (size_t) snprintf(e, PYLON_JSON_ERR_BYTES, "Number out of range");
    if (rd->npath == 0) {
        return RD_ERR;
    }

    off += snprintf(e + off, PYLON_JSON_ERR_BYTES - off, " - at `$");
    for (i = 0; i < rd->npath && off < PYLON_JSON_ERR_BYTES - 8; i++) {
        if (rd->path[i] == PATH_ELLIPSIS) {
            n = snprintf(e + off, PYLON_JSON_ERR_BYTES - off, "[...]");
        } else {
            n = snprintf(e + off, PYLON_JSON_ERR_BYTES - off, "[%ld]",
                         rd->path[i]);
        }
        off += (size_t) n;
    }

    if (off < PYLON_JSON_ERR_BYTES - 1) {
        e[off++] = '`';
        e[off] = '\0';
    }

    return RD_ERR;
}


/* json_peek_skip_ws: whitespace, then a byte, or "truncated" */
static int
rd_peek(rd_t *rd, unsigned char *c)
{
    while (rd->p < rd->end) {
        if (*rd->p != ' ' && *rd->p != '\n' && *rd->p != '\r'
            && *rd->p != '\t')
        {
            *c = *rd->p;
            return 0;
        }
        rd->p++;
    }

    return rd_truncated(rd);
}


size_t
pylon_utf8_valid_prefix(const unsigned char *s, size_t len)
{
    size_t    i, k, need;
    uint32_t  cp, min;

    i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }

        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            need = 1; cp = s[i] & 0x1f; min = 0x80;
        } else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            need = 2; cp = s[i] & 0x0f; min = 0x800;
        } else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
            need = 3; cp = s[i] & 0x07; min = 0x10000;
        } else {
            return i;
        }

        if (len - i <= need) {
            return i;
        }

        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return i;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return i;
        }

        i += need + 1;
    }

    return len;
}


static int
scratch_put(rd_t *rd, const void *s, size_t n)
{
    unsigned char  *b;
    size_t          cap;

    if (rd->scap - rd->slen < n) {
        cap = rd->scap ? rd->scap : 256;
        while (cap - rd->slen < n) {
            cap *= 2;
        }
        b = realloc(rd->scratch, cap);
        if (b == NULL) {
            return RD_NOMEM;
        }
        rd->scratch = b;
        rd->scap = cap;
    }

    memcpy(rd->scratch + rd->slen, s, n);
    rd->slen += n;
    return 0;
}


/* a raw run of string bytes: copy it, remember a first bad UTF-8 byte */
static int
rd_flush(rd_t *rd, const unsigned char *seg, int nonascii)
{
    size_t  n, ok;

    n = (size_t) (rd->p - seg);
    if (nonascii && rd->bad_utf8 == NULL) {
        ok = pylon_utf8_valid_prefix(seg, n);
        if (ok < n) {
            rd->bad_utf8 = seg + ok;
        }
    }

    return scratch_put(rd, seg, n);
}


/* json_read_codepoint: four hex digits, each consumed before checking */
static int
rd_codepoint(rd_t *rd, unsigned *cp)
{
    unsigned  i, c, v;

    if (rd->end - rd->p < 4) {
        return rd_truncated(rd);
    }

    v = 0;
    for (i = 0; i < 4; i++) {
        c = *rd->p++;
        if (c >= '0' && c <= '9') {
            c -= '0';
        } else if (c >= 'a' && c <= 'f') {
            c = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            c = c - 'A' + 10;
        } else {
            return rd_fail(rd, "invalid character in unicode escape");
        }
        v = (v << 4) + c;
    }

    *cp = v;
    return 0;
}


static int
rd_unicode_escape(rd_t *rd)
{
    unsigned char  u[4];
    unsigned       cp, cp2;
    size_t         n;
    int            rc;

    rc = rd_codepoint(rd, &cp);
    if (rc != 0) {
        return rc;
    }

    if (cp >= 0xdc00 && cp <= 0xdfff) {
        return rd_fail(rd, "invalid utf-16 surrogate pair");
    }

    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (rd->end - rd->p < 6) {
            return rd_truncated(rd);
        }
        if (rd->p[0] != '\\' || rd->p[1] != 'u') {
            return rd_fail(rd,
                           "unexpected end of escaped utf-16 surrogate pair");
        }
        rd->p += 2;

        rc = rd_codepoint(rd, &cp2);
        if (rc != 0) {
            return rc;
        }
        if (cp2 < 0xdc00 || cp2 > 0xdfff) {
            return rd_fail(rd, "invalid utf-16 surrogate pair");
        }
        cp = 0x10000 + (((cp - 0xd800) << 10) | (cp2 - 0xdc00));
    }

    if (cp < 0x80) {
        u[0] = (unsigned char) cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = 0xc0 | (cp >> 6);
        u[1] = 0x80 | (cp & 0x3f);
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = 0xe0 | (cp >> 12);
        u[1] = 0x80 | ((cp >> 6) & 0x3f);
        u[2] = 0x80 | (cp & 0x3f);
        n = 3;
    } else {
        u[0] = 0xf0 | (cp >> 18);
        u[1] = 0x80 | ((cp >> 12) & 0x3f);
        u[2] = 0x80 | ((cp >> 6) & 0x3f);
        u[3] = 0x80 | (cp & 0x3f);
        n = 4;
    }

    return scratch_put(rd, u, n);
}


/* a string at rd->p ('"'); the decoded bytes end up in rd->scratch */
static int
rd_string(rd_t *rd)
{
    const unsigned char  *seg;
    unsigned char         c, e, high;
    int                   rc;

    rd->p++;
    seg = rd->p;
    rd->slen = 0;
    rd->bad_utf8 = NULL;
    high = 0;

    for ( ;; ) {
        if (rd->p == rd->end) {
            return rd_truncated(rd);
        }

        c = *rd->p;

        if (c == '"') {
            rc = rd_flush(rd, seg, high & 0x80);
            if (rc != 0) {
                return rc;
            }
            rd->p++;
            break;
        }

        if (c == '\\') {
            rc = rd_flush(rd, seg, high & 0x80);
            high = 0;
            if (rc != 0) {
                return rc;
            }
            rd->p++;
            if (rd->p == rd->end) {
                return rd_truncated(rd);
            }
            e = *rd->p++;

            switch (e) {
            case 'n': c = '\n'; break;
            case '"': c = '"'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': c = 0; break;
            default:
                return rd_fail(rd, "invalid escape character in string");
            }

            rc = (e == 'u') ? rd_unicode_escape(rd) : scratch_put(rd, &c, 1);
            if (rc != 0) {
                return rc;
            }
            seg = rd->p;
            continue;
        }

        if (c < 0x20) {
            return rd_fail(rd, "invalid character");
        }

        high |= c;
        rd->p++;
    }

    if (rd->bad_utf8 != NULL) {
        /* Python: UnicodeDecodeError (a 500 in Pylon); ours: a 400 */
        rd->p = rd->bad_utf8;
        return rd_fail(rd, "invalid utf-8");
    }

    return 0;
}


static int
rd_literal(rd_t *rd, const char *rest, size_t n)
{
    rd->p++;
    if ((size_t) (rd->end - rd->p) < n) {
        return rd_truncated(rd);
    }
    rd->p += n;
    if (memcmp(rd->p - n, rest, n) != 0) {
        return rd_fail(rd, "invalid character");
    }
    return 0;
}


static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}


static int
rd_number(rd_t *rd, pylon_json_t *node)
{
    const unsigned char  *s, *istart, *f;
    char                  buf[64], *copy;
    size_t                n;
    double                v;
    int                   is_float;

    s = rd->p;
    is_float = 0;

    if (*rd->p == '-') {
        rd->p++;
        if (rd->p == rd->end) {
            return rd_fail(rd, "invalid number");
        }
    }

    istart = rd->p;

    if (*rd->p == '0') {
        rd->p++;
        if (rd->p != rd->end && is_digit(*rd->p)) {
            return rd_fail(rd, "invalid number");
        }
    } else {
        while (rd->p != rd->end && is_digit(*rd->p)) {
            rd->p++;
        }
        if (rd->p == istart) {
            return rd_fail(rd, "invalid character");
        }
    }

    if (rd->p != rd->end && *rd->p == '.') {
        is_float = 1;
        rd->p++;
        f = rd->p;
        while (rd->p != rd->end && is_digit(*rd->p)) {
            rd->p++;
        }
        if (rd->p == f) {
            return rd_fail(rd, "invalid number");
        }
    }

    if (rd->p != rd->end && (*rd->p == 'e' || *rd->p == 'E')) {
        is_float = 1;
        rd->p++;
        if (rd->p == rd->end) {
            return rd_fail(rd, "invalid number");
        }
        if (*rd->p == '+' || *rd->p == '-') {
            rd->p++;
        }
        f = rd->p;
        while (rd->p != rd->end && is_digit(*rd->p)) {
            rd->p++;
        }
        if (rd->p == f) {
            return rd_fail(rd, "invalid number");
        }
    }

    if (node == NULL && !is_float) {
        return 0;
    }

    /* the lexeme, NUL-terminated, for strtod (C locale: '.' point) */
    n = (size_t) (rd->p - s);
    if (node != NULL) {
        copy = arena_strdup(rd->doc, s, n);
        if (copy == NULL) {
            return RD_NOMEM;
        }
    } else if (n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        copy = buf;
    } else {
        rd->slen = 0;
        if (scratch_put(rd, s, n) != 0 || scratch_put(rd, "", 1) != 0) {
            return RD_NOMEM;
        }
        copy = (char *) rd->scratch;
    }

    v = strtod(copy, NULL);

    if (is_float && isinf(v)) {
        return rd_out_of_range(rd);
    }

    if (node != NULL) {
        node->type = is_float ? PYLON_JSON_FLOAT : PYLON_JSON_INT;
        node->str = copy;
        node->len = n;
        node->num = v;
    }

    return 0;
}


/*
 * Member names are hashed with SipHash (libsodium's crypto_shorthash)
 * under a key drawn once per process: a body cannot be built whose keys
 * all land in one probe chain (an unseeded hash let 1 MB of colliding
 * keys hold a worker for seconds, before any token was checked).
 */

static unsigned char  key_seed[crypto_shorthash_KEYBYTES];
static int            key_seeded;


void
pylon_json_seed(void)
{
    if (!key_seeded) {
        if (sodium_init() < 0) {
            abort();
        }
        randombytes_buf(key_seed, sizeof(key_seed));
        key_seeded = 1;
    }
}


static uint64_t
key_hash(const char *s, size_t n)
{
    unsigned char  out[crypto_shorthash_BYTES];
    uint64_t       h;

    pylon_json_seed();

    crypto_shorthash(out, (const unsigned char *) s, n, key_seed);
    memcpy(&h, out, sizeof(h));

    return h;
}


/*
 * Python dict semantics over the collected members: a repeated key keeps
 * the position of its first occurrence and the value of its last.
 */
static int
rd_dedupe(pylon_json_t *obj, pylon_json_t **m, size_t n)
{
    pylon_json_t  **slots, *a;
    size_t          cap, i, j, k;
    uint64_t        h;

    obj->child = NULL;
    obj->n = 0;

    cap = 16;
    while (cap < n * 2) {
        cap *= 2;
    }

    slots = calloc(cap, sizeof(pylon_json_t *));
    if (slots == NULL) {
        return RD_NOMEM;
    }

    k = 0;
    for (i = 0; i < n; i++) {
        h = key_hash(m[i]->key, m[i]->keylen);
        for (j = h & (cap - 1); slots[j] != NULL; j = (j + 1) & (cap - 1)) {
            a = slots[j];
            if (a->keylen == m[i]->keylen
                && memcmp(a->key, m[i]->key, a->keylen) == 0)
            {
                break;
            }
        }

        if (slots[j] == NULL) {
            slots[j] = m[i];
            m[k++] = m[i];
            continue;
        }

        /* overwrite the value in place, keep the first position */
        a = slots[j];
        a->type = m[i]->type;
        a->str = m[i]->str;
        a->len = m[i]->len;
        a->num = m[i]->num;
        a->n = m[i]->n;
        a->child = m[i]->child;
    }

    free(slots);

    for (i = 0; i < k; i++) {
        m[i]->next = (i + 1 < k) ? m[i + 1] : NULL;
    }
    obj->child = k ? m[0] : NULL;
    obj->n = k;
    return 0;
}


static int rd_value(rd_t *rd, pylon_json_t *node, unsigned level);


static int
rd_enter(rd_t *rd)
{
    rd->p++;
    if (rd->depth >= PYLON_JSON_MAX_DEPTH) {
        return rd_fail(rd, "nesting too deep");
    }
    rd->depth++;
    return 0;
}


static int
rd_array(rd_t *rd, pylon_json_t *node, unsigned level)
{
    pylon_json_t   *el, **tail;
    unsigned char   c;
    size_t          count;
    int             first, rc, kept;

    rc = rd_enter(rd);
    if (rc != 0) {
        return rc;
    }

    kept = (node != NULL && rd->arrays && level < rd->keep);
    tail = (node != NULL) ? &node->child : NULL;
    if (tail != NULL) {
        *tail = NULL;
    }
    first = 1;
    count = 0;
    rd->path[rd->npath++] = 0;

    for ( ;; ) {
        rc = rd_peek(rd, &c);
        if (rc != 0) {
            return rc;
        }

        if (c == ']') {
            rd->p++;
            break;
        } else if (c == ',' && !first) {
            rd->p++;
            rc = rd_peek(rd, &c);
            if (rc != 0) {
                return rc;
            }
        } else if (first) {
            first = 0;
        } else {
            return rd_fail(rd, "expected ',' or ']'");
        }

        if (c == ']') {
            return rd_fail(rd, "trailing comma in array");
        }

        el = NULL;
        if (kept) {
            el = arena_alloc(rd->doc, sizeof(pylon_json_t));
            if (el == NULL) {
                return RD_NOMEM;
            }
            memset(el, 0, sizeof(pylon_json_t));
            *tail = el;
            tail = &el->next;
        }

        rd->path[rd->npath - 1] = (long) count;
        rc = rd_value(rd, el, level + 1);
        if (rc != 0) {
            return rc;
        }
        count++;
    }

    rd->npath--;
    rd->depth--;

    if (node != NULL) {
        node->type = PYLON_JSON_ARRAY;
        node->n = count;
    }

    return 0;
}


static int
rd_object(rd_t *rd, pylon_json_t *node, unsigned level)
{
    pylon_json_t   **m, **nm, *mem;
    unsigned char    c;
    size_t           count, cap;
    int              first, rc, kept;

    rc = rd_enter(rd);
    if (rc != 0) {
        return rc;
    }

    kept = (node != NULL && level < rd->keep);
    m = NULL;
    cap = 0;
    first = 1;
    count = 0;
    rd->path[rd->npath++] = PATH_ELLIPSIS;

    for ( ;; ) {
        rc = rd_peek(rd, &c);
        if (rc != 0) {
            goto done;
        }

        if (c == '}') {
            rd->p++;
            break;
        } else if (c == ',' && !first) {
            rd->p++;
            rc = rd_peek(rd, &c);
            if (rc != 0) {
                goto done;
            }
        } else if (first) {
            first = 0;
        } else {
            rc = rd_fail(rd, "expected ',' or '}'");
            goto done;
        }

        if (c == '}') {
            rc = rd_fail(rd, "trailing comma in object");
            goto done;
        }
        if (c != '"') {
            rc = rd_fail(rd, "object keys must be strings");
            goto done;
        }
        if (count == PYLON_JSON_MAX_MEMBERS) {
            rc = rd_fail(rd, "too many object members");
            goto done;
        }

        rc = rd_string(rd);
        if (rc != 0) {
            goto done;
        }

        mem = NULL;
        if (kept) {
            mem = arena_alloc(rd->doc, sizeof(pylon_json_t));
            if (mem == NULL) {
                rc = RD_NOMEM;
                goto done;
            }
            memset(mem, 0, sizeof(pylon_json_t));
            mem->key = arena_strdup(rd->doc, rd->scratch, rd->slen);
            mem->keylen = rd->slen;
            if (mem->key == NULL) {
                rc = RD_NOMEM;
                goto done;
            }
        }

        rc = rd_peek(rd, &c);
        if (rc != 0) {
            goto done;
        }
        if (c != ':') {
            rc = rd_fail(rd, "expected ':'");
            goto done;
        }
        rd->p++;

        rc = rd_value(rd, mem, level + 1);
        if (rc != 0) {
            goto done;
        }

        if (kept) {
            if (count == cap) {
                cap = cap ? cap * 2 : 16;
                nm = realloc(m, cap * sizeof(pylon_json_t *));
                if (nm == NULL) {
                    rc = RD_NOMEM;
                    goto done;
                }
                m = nm;
            }
            m[count] = mem;
        }
        count++;
    }

    rd->npath--;
    rd->depth--;

    if (node != NULL) {
        node->type = PYLON_JSON_OBJECT;
        node->n = count;
        node->child = NULL;
        if (kept) {
            rc = rd_dedupe(node, m, count);
        }
    }

done:
    free(m);
    return rc;
}


static int
rd_value(rd_t *rd, pylon_json_t *node, unsigned level)
{
    unsigned char  c;
    int            rc;

    rc = rd_peek(rd, &c);
    if (rc != 0) {
        return rc;
    }

    switch (c) {
    case 'n':
        rc = rd_literal(rd, "ull", 3);
        if (rc == 0 && node) {
            node->type = PYLON_JSON_NULL;
        }
        return rc;

    case 't':
        rc = rd_literal(rd, "rue", 3);
        if (rc == 0 && node) {
            node->type = PYLON_JSON_TRUE;
        }
        return rc;

    case 'f':
        rc = rd_literal(rd, "alse", 4);
        if (rc == 0 && node) {
            node->type = PYLON_JSON_FALSE;
        }
        return rc;

    case '[':
        return rd_array(rd, node, level);

    case '{':
        return rd_object(rd, node, level);

    case '"':
        rc = rd_string(rd);
        if (rc == 0 && node) {
            node->type = PYLON_JSON_STRING;
            node->len = rd->slen;
            node->str = arena_strdup(rd->doc, rd->scratch, rd->slen);
            if (node->str == NULL) {
                return RD_NOMEM;
            }
        }
        return rc;

    default:
        return rd_number(rd, node);
    }
}


int
pylon_json_read(pylon_json_doc_t **doc, pylon_json_t **root,
    char err[PYLON_JSON_ERR_BYTES], const unsigned char *in, size_t len,
    unsigned keep)
{
    rd_t           *rd;
    pylon_json_t   *node;
    int             rc;

    *doc = NULL;
    *root = NULL;
    err[0] = '\0';

    /* the path stack makes the state large: keep it off the stack */
    rd = calloc(1, sizeof(rd_t));
    if (rd == NULL) {
        return RD_NOMEM;
    }

    rd->doc = calloc(1, sizeof(pylon_json_doc_t));
    if (rd->doc == NULL) {
        free(rd);
        return RD_NOMEM;
    }

    /* never NULL: empty strings are copied from it too */
    rd->scratch = malloc(256);
    if (rd->scratch == NULL) {
        free(rd->doc);
        free(rd);
        return RD_NOMEM;
    }
    rd->scap = 256;

    rd->start = in;
    rd->p = in;
    rd->end = in + len;
    rd->err = err;
    rd->keep = keep & 0xff;
    rd->arrays = (keep & PYLON_JSON_KEEP_ARRAYS) != 0;

    node = arena_alloc(rd->doc, sizeof(pylon_json_t));
    if (node == NULL) {
        rc = RD_NOMEM;
        goto failed;
    }
    memset(node, 0, sizeof(pylon_json_t));

    rc = rd_value(rd, node, 0);
    if (rc != 0) {
        goto failed;
    }

    /* json_has_trailing_characters: the byte is consumed, then reported */
    while (rd->p != rd->end) {
        unsigned char c = *rd->p++;
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            rc = rd_fail(rd, "trailing characters");
            goto failed;
        }
    }

    *doc = rd->doc;
    *root = node;
    free(rd->scratch);
    free(rd);
    return 0;

failed:
    if (rc == RD_NOMEM) {
        snprintf(err, PYLON_JSON_ERR_BYTES, "out of memory");
    }
    pylon_json_free(rd->doc);
    free(rd->scratch);
    free(rd);
    return rc;
}


pylon_json_t *
pylon_json_get(const pylon_json_t *obj, const char *key, size_t len)
{
    pylon_json_t  *m;

    if (obj == NULL || obj->type != PYLON_JSON_OBJECT) {
        return NULL;
    }

    for (m = obj->child; m != NULL; m = m->next) {
        if (m->keylen == len && memcmp(m->key, key, len) == 0) {
            return m;
        }
    }

    return NULL;
}
