/*
 * decode.c: the recursive registry-driven decoder (see decode.h).
 *
 * One traversal of the type registry emits a stream of JSON events
 * (scalar, open object/array, key, close) into one of three sinks:
 *   TREE  builds a jansson value (a stack of open containers),
 *   TEXT  writes compact JSON text into a pylon_buf_t (the fast path:
 *         no allocation per value, output identical to json_dumps with
 *         JSON_COMPACT),
 *   SKIP  only moves the cursor.
 * Sequences check their element count against the bytes left before
 * looping, so a forged length cannot make the decoder spin or allocate
 * beyond what the input could hold.  AccountIds are rendered through a
 * small direct-mapped SS58 cache per call (coldkeys repeat a lot).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/decode.h"
#include "chain/hex.h"
#include "chain/json_text.h"
#include "chain/ss58.h"


enum {
    PYLON_DC_SKIP = 0,
    PYLON_DC_TREE,
    PYLON_DC_TEXT
};


#define PYLON_DC_LEVELS     (PYLON_DECODE_MAX_DEPTH + 2)
#define PYLON_SS58_CACHE    1024


typedef struct {
    uint8_t       key[32];
    uint8_t       used;
    uint8_t       len;
    char          ss58[PYLON_SS58_MAX_CHARS];
} pylon_ss58_slot_t;


typedef struct {
    const pylon_meta_t  *m;
    const char          *err;
    unsigned             depth;       /* type nesting (recursion guard) */
    int                  mode;

    /* container stack shared by TREE and TEXT */
    unsigned             level;
    uint8_t              is_obj[PYLON_DC_LEVELS];
    uint8_t              first[PYLON_DC_LEVELS];

    /* TREE */
    json_t              *stack[PYLON_DC_LEVELS];
    json_t              *root;
    const char          *key;

    /* TEXT */
    pylon_buf_t         *buf;

    pylon_ss58_slot_t   *cache;
    unsigned             accounts;    /* seen so far (cache after 16) */
} pylon_dc_t;


static int pylon_dc_value(pylon_dc_t *dc, uint32_t type,
    pylon_scale_cur_t *c);


static const size_t  pylon_prim_bytes[PYLON_PRIM_COUNT] = {
    1, 4, 0, 1, 2, 4, 8, 16, 32, 1, 2, 4, 8, 16, 32
};


static int
pylon_dc_fail(pylon_dc_t *dc, const char *msg)
{
    if (dc->err == NULL) {
        dc->err = msg;
    }

    return -1;
}


/* --- sinks ------------------------------------------------------------- */


/* TREE: attach a new value to the open container (or make it the root) */
static int
pylon_dc_attach(pylon_dc_t *dc, json_t *v)
{
    json_t  *top;

    if (v == NULL) {
        return pylon_dc_fail(dc, "out of memory");
    }

    if (dc->level == 0) {
        if (dc->root != NULL) {
            json_decref(v);
            return pylon_dc_fail(dc, "two root values");
        }
        dc->root = v;
        return 0;
    }

    top = dc->stack[dc->level - 1];

    if (dc->is_obj[dc->level - 1]) {
        if (json_object_set_new_nocheck(top, dc->key, v) != 0) {
            return pylon_dc_fail(dc, "out of memory");
        }

    } else if (json_array_append_new(top, v) != 0) {
        return pylon_dc_fail(dc, "out of memory");
    }

    return 0;
}


/* TEXT: the comma before a value inside an array */
static int
pylon_dc_sep(pylon_dc_t *dc)
{
    unsigned  l;

    if (dc->level == 0) {
        return 0;
    }

    l = dc->level - 1;

    if (dc->is_obj[l]) {
        return 0;
    }

    if (dc->first[l]) {
        dc->first[l] = 0;
        return 0;
    }

    return pylon_buf_put(dc->buf, ",", 1);
}


static int
pylon_dc_raw(pylon_dc_t *dc, const char *text, size_t n)
{
    if (pylon_dc_sep(dc) != 0 || pylon_buf_put(dc->buf, text, n) != 0) {
        return pylon_dc_fail(dc, "out of memory");
    }

    return 0;
}


static int
pylon_dc_null(pylon_dc_t *dc)
{
    switch (dc->mode) {
    case PYLON_DC_TREE:
        return pylon_dc_attach(dc, json_null());
    case PYLON_DC_TEXT:
        return pylon_dc_raw(dc, "null", 4);
    default:
        return 0;
    }
}


static int
pylon_dc_bool(pylon_dc_t *dc, int b)
{
    switch (dc->mode) {
    case PYLON_DC_TREE:
        return pylon_dc_attach(dc, json_boolean(b));
    case PYLON_DC_TEXT:
        return b ? pylon_dc_raw(dc, "true", 4) : pylon_dc_raw(dc, "false", 5);
    default:
        return 0;
    }
}


static int
pylon_dc_int(pylon_dc_t *dc, int64_t v)
{
    switch (dc->mode) {
    case PYLON_DC_TREE:
        return pylon_dc_attach(dc, json_integer(v));
    case PYLON_DC_TEXT:
        if (pylon_dc_sep(dc) != 0 || pylon_json_put_int(dc->buf, v) != 0) {
            return pylon_dc_fail(dc, "out of memory");
        }
        return 0;
    default:
        return 0;
    }
}


/* a string of valid UTF-8 without NUL */
static int
pylon_dc_string(pylon_dc_t *dc, const char *s, size_t n)
{
    switch (dc->mode) {
    case PYLON_DC_TREE:
        return pylon_dc_attach(dc, json_stringn_nocheck(s, n));
    case PYLON_DC_TEXT:
        if (pylon_dc_sep(dc) != 0
            || pylon_json_put_string(dc->buf, s, n) != 0)
        {
            return pylon_dc_fail(dc, "out of memory");
        }
        return 0;
    default:
        return 0;
    }
}


static int
pylon_dc_open(pylon_dc_t *dc, int obj)
{
    json_t  *v;

    if (dc->level >= PYLON_DC_LEVELS) {
        return pylon_dc_fail(dc, "nesting too deep");
    }

    switch (dc->mode) {

    case PYLON_DC_TREE:
        v = obj ? json_object() : json_array();

        /* the parent owns v from here on (or it is freed on failure) */
        if (pylon_dc_attach(dc, v) != 0) {
            return -1;
        }

        dc->stack[dc->level] = v;
        break;

    case PYLON_DC_TEXT:
        if (pylon_dc_raw(dc, obj ? "{" : "[", 1) != 0) {
            return -1;
        }
        break;

    default:
        return 0;
    }

    dc->is_obj[dc->level] = (uint8_t) obj;
    dc->first[dc->level] = 1;
    dc->level++;

    return 0;
}


static int
pylon_dc_close(pylon_dc_t *dc)
{
    if (dc->mode == PYLON_DC_SKIP) {
        return 0;
    }

    dc->level--;

    if (dc->mode == PYLON_DC_TEXT
        && pylon_buf_put(dc->buf, dc->is_obj[dc->level] ? "}" : "]", 1) != 0)
    {
        return pylon_dc_fail(dc, "out of memory");
    }

    return 0;
}


/* an object key (metadata names are valid UTF-8, checked when parsed) */
static int
pylon_dc_key(pylon_dc_t *dc, const char *k)
{
    unsigned  l;

    switch (dc->mode) {

    case PYLON_DC_TREE:
        dc->key = k;
        return 0;

    case PYLON_DC_TEXT:
        l = dc->level - 1;

        if (!dc->first[l] && pylon_buf_put(dc->buf, ",", 1) != 0) {
            return pylon_dc_fail(dc, "out of memory");
        }

        dc->first[l] = 0;

        if (pylon_json_put_string(dc->buf, k, strlen(k)) != 0
            || pylon_buf_put(dc->buf, ":", 1) != 0)
        {
            return pylon_dc_fail(dc, "out of memory");
        }
        return 0;

    default:
        return 0;
    }
}


/* --- values ------------------------------------------------------------ */


size_t
pylon_decimal_from_le(char *out, const uint8_t *le, size_t n)
{
    uint8_t   num[32];
    char      rev[80];
    size_t    len, i, top;
    unsigned  rem;

    if (n > 32) {
        n = 32;
    }

    /* big-endian copy, then repeated division by 10 */
    for (i = 0; i < n; i++) {
        num[i] = le[n - 1 - i];
    }

    top = 0;
    while (top < n && num[top] == 0) {
        top++;
    }

    len = 0;

    while (top < n) {
        rem = 0;
        for (i = top; i < n; i++) {
            rem = (rem << 8) | num[i];
            num[i] = (uint8_t) (rem / 10);
            rem %= 10;
        }

        rev[len++] = (char) ('0' + rem);

        while (top < n && num[top] == 0) {
            top++;
        }
    }

    if (len == 0) {
        rev[len++] = '0';
    }

    for (i = 0; i < len; i++) {
        out[i] = rev[len - 1 - i];
    }

    out[len] = '\0';

    return len;
}


static int
pylon_dc_hex(pylon_dc_t *dc, const uint8_t *p, size_t n)
{
    char   small[258], *buf;
    int    rc;

    if (dc->mode == PYLON_DC_SKIP) {
        return 0;
    }

    if (dc->mode == PYLON_DC_TEXT) {
        uint8_t  *d;

        if (pylon_dc_sep(dc) != 0) {
            return pylon_dc_fail(dc, "out of memory");
        }

        d = pylon_buf_reserve(dc->buf, PYLON_HEX_ENCODED_BYTES(n) + 1);
        if (d == NULL) {
            return pylon_dc_fail(dc, "out of memory");
        }

        d[0] = '"';
        pylon_hex_encode((char *) d + 1, PYLON_HEX_ENCODED_BYTES(n), p, n);
        d[2 * n + 3] = '"';
        dc->buf->len += 2 * n + 4;

        return 0;
    }

    buf = PYLON_HEX_ENCODED_BYTES(n) <= sizeof(small)
          ? small : malloc(PYLON_HEX_ENCODED_BYTES(n));
    if (buf == NULL) {
        return pylon_dc_fail(dc, "out of memory");
    }

    pylon_hex_encode(buf, PYLON_HEX_ENCODED_BYTES(n), p, n);
    rc = pylon_dc_string(dc, buf, 2 * n + 2);

    if (buf != small) {
        free(buf);
    }

    return rc;
}


/* an unsigned value of n LE bytes: integer if <= INT64_MAX, else decimal */
static int
pylon_dc_unsigned(pylon_dc_t *dc, const uint8_t *le, size_t n)
{
    uint64_t  v;
    size_t    i;
    char      dec[80];

    for (i = 8; i < n; i++) {
        if (le[i] != 0) {
            goto big;
        }
    }

    v = 0;
    for (i = n < 8 ? n : 8; i > 0; i--) {
        v = (v << 8) | le[i - 1];
    }

    if (v <= INT64_MAX) {
        return pylon_dc_int(dc, (int64_t) v);
    }

big:

    return pylon_dc_string(dc, dec, pylon_decimal_from_le(dec, le, n));
}


static int
pylon_dc_signed(pylon_dc_t *dc, const uint8_t *le, size_t n)
{
    uint8_t   mag[32];
    char      dec[82];
    size_t    i;
    unsigned  carry;
    uint64_t  v;

    if (n <= 8) {
        v = 0;
        for (i = n; i > 0; i--) {
            v = (v << 8) | le[i - 1];
        }
        if (n < 8 && (le[n - 1] & 0x80)) {
            v |= ~(uint64_t) 0 << (8 * n);
        }
        return pylon_dc_int(dc, (int64_t) v);
    }

    if (!(le[n - 1] & 0x80)) {
        return pylon_dc_unsigned(dc, le, n);
    }

    /* negative: magnitude = two's complement */
    carry = 1;
    for (i = 0; i < n; i++) {
        carry += (uint8_t) ~le[i];
        mag[i] = (uint8_t) carry;
        carry >>= 8;
    }

    for (i = 8; i < n; i++) {
        if (mag[i] != 0) {
            break;
        }
    }

    if (i == n && (mag[7] & 0x80) == 0) {
        v = 0;
        for (i = 8; i > 0; i--) {
            v = (v << 8) | mag[i - 1];
        }
        return pylon_dc_int(dc, -(int64_t) v);
    }

    dec[0] = '-';

    return pylon_dc_string(dc, dec, 1 + pylon_decimal_from_le(dec + 1, mag, n));
}


static int
pylon_dc_primitive(pylon_dc_t *dc, const pylon_meta_type_t *t,
    pylon_scale_cur_t *c)
{
    const uint8_t  *p;
    size_t          n;
    uint32_t        cp;
    int             b;
    char            utf8[4];

    switch (t->prim) {

    case PYLON_PRIM_BOOL:
        if (pylon_scale_bool(&b, c) != 0) {
            return pylon_dc_fail(dc, "bad bool");
        }
        return pylon_dc_bool(dc, b);

    case PYLON_PRIM_STR:
        if (pylon_scale_vec_u8(&p, &n, c) != 0) {
            return pylon_dc_fail(dc, "truncated string");
        }
        if (dc->mode == PYLON_DC_SKIP) {
            return 0;
        }
        if (!pylon_utf8_valid(p, n) || memchr(p, '\0', n) != NULL) {
            return pylon_dc_hex(dc, p, n);
        }
        return pylon_dc_string(dc, (const char *) p, n);

    case PYLON_PRIM_CHAR:
        if (pylon_scale_u32(&cp, c) != 0) {
            return pylon_dc_fail(dc, "truncated char");
        }
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return pylon_dc_fail(dc, "bad char");
        }
        if (cp < 0x80) {
            utf8[0] = (char) cp;
            n = 1;
        } else if (cp < 0x800) {
            utf8[0] = (char) (0xc0 | cp >> 6);
            utf8[1] = (char) (0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            utf8[0] = (char) (0xe0 | cp >> 12);
            utf8[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
            utf8[2] = (char) (0x80 | (cp & 0x3f));
            n = 3;
        } else {
            utf8[0] = (char) (0xf0 | cp >> 18);
            utf8[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
            utf8[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
            utf8[3] = (char) (0x80 | (cp & 0x3f));
            n = 4;
        }
        return pylon_dc_string(dc, utf8, n);

    default:
        n = pylon_prim_bytes[t->prim];
        if (pylon_scale_bytes(&p, n, c) != 0) {
            return pylon_dc_fail(dc, "truncated integer");
        }
        if (dc->mode == PYLON_DC_SKIP) {
            return 0;
        }
        return t->prim >= PYLON_PRIM_I8 ? pylon_dc_signed(dc, p, n)
                                        : pylon_dc_unsigned(dc, p, n);
    }
}


/*
 * SKIP: step over n compact integers, each from its first byte alone (the
 * same inputs pylon_scale_compact accepts: a big-integer form of at most
 * 16 bytes), in one loop over local pointers (vectors of compacts are most
 * of a subnet's state; a call per item was 9% of the helper's CPU).
 * Returns 0, or -1 when truncated or too wide (c not advanced).
 */
static int
pylon_dc_skip_compacts(pylon_scale_cur_t *c, size_t n)
{
    size_t          i, w;
    uint8_t         b0;
    const uint8_t  *p, *end;

    static const uint8_t  width[4] = { 1, 2, 4, 0 };

    p = c->pos;
    end = c->end;

    for (i = 0; i < n; i++) {
        if (p >= end) {
            return -1;
        }

        b0 = *p;
        w = width[b0 & 3];

        if (w == 0) {
            if ((b0 >> 2) + 4 > 16) {
                return -1;
            }
            w = (size_t) (b0 >> 2) + 5;
        }

        if ((size_t) (end - p) < w) {
            return -1;
        }

        p += w;
    }

    c->pos = p;

    return 0;
}


/* SKIP: one compact integer */
static int
pylon_dc_skip_compact(pylon_scale_cur_t *c)
{
    return pylon_dc_skip_compacts(c, 1);
}


/*
 * SKIP fast path for sequences of compacts or of fixed-width integers:
 * no per-item dispatch.  Returns 0, -1 on malformed input, or 1 when the
 * element type is not one of these.
 */
static int
pylon_dc_skip_items(pylon_dc_t *dc, const pylon_meta_type_t *t, size_t n,
    pylon_scale_cur_t *c)
{
    size_t  width;

    if (t->kind == PYLON_TYPE_COMPACT) {
        return pylon_dc_skip_compacts(c, n) == 0
               ? 0 : pylon_dc_fail(dc, "bad compact");
    }

    if (t->kind != PYLON_TYPE_PRIMITIVE || t->prim < PYLON_PRIM_U8) {
        return 1;
    }

    width = pylon_prim_bytes[t->prim];

    if (width == 0 || n > (size_t) (c->end - c->pos) / width) {
        return pylon_dc_fail(dc, "truncated integer");
    }

    c->pos += n * width;

    return 0;
}


static int
pylon_dc_compact(pylon_dc_t *dc, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;
    uint8_t       le[16];
    size_t        i;

    if (dc->mode == PYLON_DC_SKIP) {
        return pylon_dc_skip_compact(c) == 0 ? 0
                                             : pylon_dc_fail(dc, "bad compact");
    }

    if (pylon_scale_compact(&v, c) != 0) {
        return pylon_dc_fail(dc, "bad compact");
    }

    if (v <= INT64_MAX) {
        return pylon_dc_int(dc, (int64_t) v);
    }

    for (i = 0; i < 16; i++) {
        le[i] = (uint8_t) (v >> (8 * i));
    }

    return pylon_dc_unsigned(dc, le, 16);
}


static int
pylon_dc_account(pylon_dc_t *dc, pylon_scale_cur_t *c)
{
    pylon_ss58_slot_t  *s, tmp;
    const uint8_t      *p;
    uint32_t            h;
    int                 n;

    if (pylon_scale_bytes(&p, 32, c) != 0) {
        return pylon_dc_fail(dc, "truncated account id");
    }

    if (dc->mode == PYLON_DC_SKIP) {
        return 0;
    }

    /* small values (a storage key, an event) do without the cache */
    if (dc->cache == NULL && ++dc->accounts > 16) {
        dc->cache = calloc(PYLON_SS58_CACHE, sizeof(pylon_ss58_slot_t));
    }

    if (dc->cache != NULL) {
        h = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16;
        s = &dc->cache[(h ^ p[31] << 3) % PYLON_SS58_CACHE];

        if (s->used && memcmp(s->key, p, 32) == 0) {
            return pylon_dc_string(dc, s->ss58, s->len);
        }

    } else {
        s = &tmp;
    }

    n = pylon_ss58_encode(s->ss58, sizeof(s->ss58), p, dc->m->ss58_prefix);
    if (n < 0) {
        return pylon_dc_fail(dc, "bad ss58 prefix");
    }

    memcpy(s->key, p, 32);
    s->len = (uint8_t) n;
    s->used = 1;

    return pylon_dc_string(dc, s->ss58, (size_t) n);
}


static int
pylon_dc_fields(pylon_dc_t *dc, const pylon_meta_field_t *f, uint32_t n,
    int named, pylon_scale_cur_t *c)
{
    uint32_t  i;

    if (n == 0) {
        return pylon_dc_null(dc);
    }

    if (n == 1 && f[0].name == NULL) {
        return pylon_dc_value(dc, f[0].type, c);
    }

    if (pylon_dc_open(dc, named) != 0) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if ((named && pylon_dc_key(dc, f[i].name) != 0)
            || pylon_dc_value(dc, f[i].type, c) != 0)
        {
            return -1;
        }
    }

    return pylon_dc_close(dc);
}


static int
pylon_dc_all_named(const pylon_meta_field_t *f, uint32_t n)
{
    uint32_t  i;

    for (i = 0; i < n; i++) {
        if (f[i].name == NULL) {
            return 0;
        }
    }

    return n > 0;
}


static int
pylon_dc_variant(pylon_dc_t *dc, const pylon_meta_type_t *t,
    pylon_scale_cur_t *c)
{
    const pylon_meta_variant_t  *v;
    uint8_t                      idx;

    if (pylon_scale_u8(&idx, c) != 0) {
        return pylon_dc_fail(dc, "truncated variant");
    }

    v = pylon_meta_variant_by_index(t, idx);
    if (v == NULL) {
        return pylon_dc_fail(dc, "unknown variant index");
    }

    if (t->special == PYLON_SPECIAL_OPTION) {
        if (v->nfields == 0) {
            return pylon_dc_null(dc);
        }
        return pylon_dc_fields(dc, v->fields, v->nfields, 0, c);
    }

    if (v->nfields == 0) {
        return pylon_dc_string(dc, v->name, strlen(v->name));
    }

    if (pylon_dc_open(dc, 1) != 0 || pylon_dc_key(dc, v->name) != 0
        || pylon_dc_fields(dc, v->fields, v->nfields,
                           pylon_dc_all_named(v->fields, v->nfields), c) != 0)
    {
        return -1;
    }

    return pylon_dc_close(dc);
}


/*
 * TEXT fast path for Vec<Compact<uN>> and Vec/arrays of unsigned integers
 * up to u64 (most of SubnetState): one loop, no per-item dispatch.  Falls
 * back (returns 1) on values above INT64_MAX so they render as strings.
 */
static int
pylon_dc_int_items(pylon_dc_t *dc, const pylon_meta_type_t *t, size_t n,
    pylon_scale_cur_t *c)
{
    pylon_scale_cur_t   save;
    pylon_u128_t        v;
    pylon_buf_t        *b;
    uint8_t            *d;
    size_t              i, width, start;

    if (t->kind == PYLON_TYPE_COMPACT) {
        width = 0;

    } else if (t->kind == PYLON_TYPE_PRIMITIVE && t->prim >= PYLON_PRIM_U8
               && t->prim <= PYLON_PRIM_U64)
    {
        width = pylon_prim_bytes[t->prim];

    } else {
        return 1;
    }

    b = dc->buf;
    save = *c;
    start = b->len;

    for (i = 0; i < n; i++) {
        if ((width ? pylon_scale_uint(&v, width, c)
                   : pylon_scale_compact(&v, c)) != 0)
        {
            return pylon_dc_fail(dc, "truncated integer");
        }

        if (v > INT64_MAX) {
            *c = save;
            b->len = start;
            return 1;
        }

        d = pylon_buf_reserve(b, 21);
        if (d == NULL) {
            return pylon_dc_fail(dc, "out of memory");
        }

        if (i) {
            *d++ = ',';
            b->len++;
        }

        b->len += pylon_json_u64(d, (uint64_t) v);
    }

    return 0;
}


static int
pylon_dc_items(pylon_dc_t *dc, uint32_t elem, size_t n, pylon_scale_cur_t *c)
{
    size_t  i;
    int     rc;

    if (pylon_dc_open(dc, 0) != 0) {
        return -1;
    }

    if (dc->mode == PYLON_DC_SKIP && elem < dc->m->ntypes) {
        rc = pylon_dc_skip_items(dc, &dc->m->types[elem], n, c);
        if (rc <= 0) {
            return rc == 0 ? pylon_dc_close(dc) : -1;
        }
    }

    if (dc->mode == PYLON_DC_TEXT && elem < dc->m->ntypes) {
        rc = pylon_dc_int_items(dc, &dc->m->types[elem], n, c);
        if (rc <= 0) {
            return rc == 0 ? pylon_dc_close(dc) : -1;
        }
    }

    for (i = 0; i < n; i++) {
        if (pylon_dc_value(dc, elem, c) != 0) {
            return -1;
        }
    }

    return pylon_dc_close(dc);
}


static int
pylon_dc_kind(pylon_dc_t *dc, const pylon_meta_type_t *t,
    pylon_scale_cur_t *c)
{
    const pylon_meta_type_t  *st;
    const uint8_t            *p;
    uint64_t                  nbits;
    uint32_t                  i;
    size_t                    n;

    switch (t->kind) {

    case PYLON_TYPE_PRIMITIVE:
        return pylon_dc_primitive(dc, t, c);

    case PYLON_TYPE_COMPACT:
        return pylon_dc_compact(dc, c);

    case PYLON_TYPE_COMPOSITE:
        if (t->special == PYLON_SPECIAL_ACCOUNT_ID) {
            return pylon_dc_account(dc, c);
        }
        return pylon_dc_fields(dc, t->u.composite.fields, t->u.composite.n,
                               t->named, c);

    case PYLON_TYPE_VARIANT:
        return pylon_dc_variant(dc, t, c);

    case PYLON_TYPE_SEQUENCE:
        if (t->special == PYLON_SPECIAL_BYTES) {
            if (pylon_scale_vec_u8(&p, &n, c) != 0) {
                return pylon_dc_fail(dc, "truncated bytes");
            }
            return pylon_dc_hex(dc, p, n);
        }

        /* every element is taken to use at least one byte */
        if (pylon_scale_len(&n, 1, c) != 0) {
            return pylon_dc_fail(dc, "sequence length exceeds input");
        }

        return pylon_dc_items(dc, t->u.elem.type, n, c);

    case PYLON_TYPE_ARRAY:
        if (t->special == PYLON_SPECIAL_BYTES) {
            if (pylon_scale_bytes(&p, t->u.array.len, c) != 0) {
                return pylon_dc_fail(dc, "truncated byte array");
            }
            return pylon_dc_hex(dc, p, t->u.array.len);
        }

        if (t->u.array.len > pylon_scale_remaining(c)
            && t->u.array.len > 1024)
        {
            return pylon_dc_fail(dc, "array length exceeds input");
        }

        return pylon_dc_items(dc, t->u.array.type, t->u.array.len, c);

    case PYLON_TYPE_TUPLE:
        if (pylon_dc_open(dc, 0) != 0) {
            return -1;
        }

        for (i = 0; i < t->u.tuple.n; i++) {
            if (pylon_dc_value(dc, t->u.tuple.types[i], c) != 0) {
                return -1;
            }
        }

        return pylon_dc_close(dc);

    case PYLON_TYPE_BITSEQ:
        st = &dc->m->types[t->u.bitseq.store];
        if (st->kind != PYLON_TYPE_PRIMITIVE
            || st->prim < PYLON_PRIM_U8 || st->prim > PYLON_PRIM_U64)
        {
            return pylon_dc_fail(dc, "bad bit sequence store type");
        }

        if (pylon_scale_bitseq(&p, &n, &nbits, pylon_prim_bytes[st->prim],
                               c) != 0)
        {
            return pylon_dc_fail(dc, "truncated bit sequence");
        }

        return pylon_dc_hex(dc, p, n);

    default:
        return pylon_dc_fail(dc, "unknown type kind");
    }
}


static int
pylon_dc_value(pylon_dc_t *dc, uint32_t type, pylon_scale_cur_t *c)
{
    int  rc;

    if (type >= dc->m->ntypes) {
        return pylon_dc_fail(dc, "type id out of range");
    }

    if (dc->depth >= PYLON_DECODE_MAX_DEPTH) {
        return pylon_dc_fail(dc, "nesting too deep");
    }

    dc->depth++;
    rc = pylon_dc_kind(dc, &dc->m->types[type], c);
    dc->depth--;

    return rc;
}


/* --- entry points ------------------------------------------------------ */


static void
pylon_dc_init(pylon_dc_t *dc, const pylon_meta_t *m, int mode)
{
    dc->m = m;
    dc->err = NULL;
    dc->depth = 0;
    dc->mode = mode;
    dc->level = 0;
    dc->root = NULL;
    dc->key = NULL;
    dc->buf = NULL;
    dc->cache = NULL;
    dc->accounts = 0;
}


static void
pylon_dc_error(pylon_dc_t *dc, char *err, size_t errlen)
{
    if (err && errlen) {
        snprintf(err, errlen, "decode: %s", dc->err ? dc->err : "failed");
    }
}


json_t *
pylon_decode(const pylon_meta_t *m, uint32_t type, pylon_scale_cur_t *c,
    char *err, size_t errlen)
{
    pylon_dc_t  dc;
    int         rc;

    pylon_dc_init(&dc, m, PYLON_DC_TREE);

    rc = pylon_dc_value(&dc, type, c);
    free(dc.cache);

    if (rc != 0) {
        pylon_dc_error(&dc, err, errlen);
        json_decref(dc.root);
        return NULL;
    }

    return dc.root;
}


json_t *
pylon_decode_all(const pylon_meta_t *m, uint32_t type, const uint8_t *buf,
    size_t len, char *err, size_t errlen)
{
    pylon_scale_cur_t   c;
    json_t             *j;

    pylon_scale_init(&c, buf, len);

    j = pylon_decode(m, type, &c, err, errlen);
    if (j == NULL) {
        return NULL;
    }

    if (pylon_scale_remaining(&c) != 0) {
        if (err && errlen) {
            snprintf(err, errlen, "decode: %zu trailing bytes",
                     pylon_scale_remaining(&c));
        }
        json_decref(j);
        return NULL;
    }

    return j;
}


int
pylon_decode_text(pylon_buf_t *out, const pylon_meta_t *m, uint32_t type,
    pylon_scale_cur_t *c, char *err, size_t errlen)
{
    pylon_dc_t  dc;
    size_t      start;
    int         rc;

    pylon_dc_init(&dc, m, PYLON_DC_TEXT);
    dc.buf = out;
    start = out->len;

    rc = pylon_dc_value(&dc, type, c);
    free(dc.cache);

    if (rc != 0 || out->err) {
        if (out->err) {
            pylon_dc_fail(&dc, "out of memory");
        }
        pylon_dc_error(&dc, err, errlen);
        out->len = start;
        return -1;
    }

    return 0;
}


int
pylon_decode_all_text(pylon_buf_t *out, const pylon_meta_t *m,
    uint32_t type, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    pylon_scale_cur_t  c;
    size_t             start;

    pylon_scale_init(&c, buf, len);
    start = out->len;

    if (pylon_decode_text(out, m, type, &c, err, errlen) != 0) {
        return -1;
    }

    if (pylon_scale_remaining(&c) != 0) {
        if (err && errlen) {
            snprintf(err, errlen, "decode: %zu trailing bytes",
                     pylon_scale_remaining(&c));
        }
        out->len = start;
        return -1;
    }

    return 0;
}


int
pylon_decode_skip(const pylon_meta_t *m, uint32_t type, pylon_scale_cur_t *c)
{
    pylon_dc_t  dc;

    pylon_dc_init(&dc, m, PYLON_DC_SKIP);

    return pylon_dc_value(&dc, type, c);
}
