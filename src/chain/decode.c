/*
 * decode.c: the recursive registry-driven decoder (see decode.h).
 *
 * One function per type kind, all sharing a small context (registry,
 * depth, first error).  Sequences check their element count against the
 * bytes left before looping, so a forged length cannot make the decoder
 * spin or allocate beyond what the input could hold.
 */

#include <stdio.h>
#include <string.h>

#include "chain/decode.h"
#include "chain/hex.h"
#include "chain/ss58.h"


typedef struct {
    const pylon_meta_t  *m;
    unsigned             depth;
    const char          *err;
    int                  skip;       /* 1: measure only, build no JSON */
} pylon_dc_t;


static json_t *pylon_dc_value(pylon_dc_t *dc, uint32_t type,
    pylon_scale_cur_t *c);


/* a non-NULL placeholder returned while skipping (never dereferenced) */
static json_t  pylon_dc_placeholder;

#define pylon_dc_skipped  (&pylon_dc_placeholder)


static json_t *
pylon_dc_fail(pylon_dc_t *dc, const char *msg)
{
    if (dc->err == NULL) {
        dc->err = msg;
    }

    return NULL;
}


static const size_t  pylon_prim_bytes[PYLON_PRIM_COUNT] = {
    1, 4, 0, 1, 2, 4, 8, 16, 32, 1, 2, 4, 8, 16, 32
};


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


int
pylon_utf8_valid(const uint8_t *p, size_t n)
{
    size_t    i, k, need;
    uint32_t  cp;

    for (i = 0; i < n; ) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }

        if ((p[i] & 0xe0) == 0xc0) {
            need = 1;
            cp = p[i] & 0x1f;
        } else if ((p[i] & 0xf0) == 0xe0) {
            need = 2;
            cp = p[i] & 0x0f;
        } else if ((p[i] & 0xf8) == 0xf0) {
            need = 3;
            cp = p[i] & 0x07;
        } else {
            return 0;
        }

        if (n - i <= need) {
            return 0;
        }

        for (k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }

        if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800)
            || (need == 3 && cp < 0x10000) || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return 0;
        }

        i += need + 1;
    }

    return 1;
}


static json_t *
pylon_dc_hex(const uint8_t *p, size_t n)
{
    json_t  *j;
    char     small[256], *buf;

    buf = PYLON_HEX_ENCODED_BYTES(n) <= sizeof(small)
          ? small : malloc(PYLON_HEX_ENCODED_BYTES(n));
    if (buf == NULL) {
        return NULL;
    }

    pylon_hex_encode(buf, PYLON_HEX_ENCODED_BYTES(n), p, n);
    j = json_stringn_nocheck(buf, 2 * n + 2);

    if (buf != small) {
        free(buf);
    }

    return j;
}


/* an unsigned value of n LE bytes: integer if <= INT64_MAX, else decimal */
static json_t *
pylon_dc_unsigned(const uint8_t *le, size_t n)
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
        return json_integer((json_int_t) v);
    }

big:

    pylon_decimal_from_le(dec, le, n);

    return json_string_nocheck(dec);
}


static json_t *
pylon_dc_signed(const uint8_t *le, size_t n)
{
    uint8_t   mag[32];
    char      dec[82];
    size_t    i;
    unsigned  carry;
    int64_t   v;

    if (n <= 8) {
        v = 0;
        for (i = n; i > 0; i--) {
            v = (int64_t) ((uint64_t) v << 8) | le[i - 1];
        }
        if (n < 8 && (le[n - 1] & 0x80)) {
            v -= (int64_t) 1 << (8 * n);
        }
        return json_integer(v);
    }

    if (!(le[n - 1] & 0x80)) {
        return pylon_dc_unsigned(le, n);
    }

    /* negative: magnitude = two's complement, then "-" + decimal */
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

    if (i == n && !(mag[7] & 0x80)) {
        v = 0;
        for (i = 8; i > 0; i--) {
            v = (int64_t) ((uint64_t) v << 8) | mag[i - 1];
        }
        return json_integer(-v);
    }

    dec[0] = '-';
    pylon_decimal_from_le(dec + 1, mag, n);

    return json_string_nocheck(dec);
}


static json_t *
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
        return dc->skip ? pylon_dc_skipped : json_boolean(b);

    case PYLON_PRIM_STR:
        if (pylon_scale_vec_u8(&p, &n, c) != 0) {
            return pylon_dc_fail(dc, "truncated string");
        }
        if (dc->skip) {
            return pylon_dc_skipped;
        }
        if (!pylon_utf8_valid(p, n) || memchr(p, '\0', n) != NULL) {
            return pylon_dc_hex(p, n);
        }
        return json_stringn_nocheck((const char *) p, n);

    case PYLON_PRIM_CHAR:
        if (pylon_scale_u32(&cp, c) != 0) {
            return pylon_dc_fail(dc, "truncated char");
        }
        if (dc->skip) {
            return pylon_dc_skipped;
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
        return json_stringn_nocheck(utf8, n);

    default:
        n = pylon_prim_bytes[t->prim];
        if (pylon_scale_bytes(&p, n, c) != 0) {
            return pylon_dc_fail(dc, "truncated integer");
        }
        if (dc->skip) {
            return pylon_dc_skipped;
        }
        return t->prim >= PYLON_PRIM_I8 ? pylon_dc_signed(p, n)
                                        : pylon_dc_unsigned(p, n);
    }
}


static json_t *
pylon_dc_compact(pylon_dc_t *dc, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;
    uint8_t       le[16];
    size_t        i;

    if (pylon_scale_compact(&v, c) != 0) {
        return pylon_dc_fail(dc, "bad compact");
    }

    if (dc->skip) {
        return pylon_dc_skipped;
    }

    if (v <= INT64_MAX) {
        return json_integer((json_int_t) v);
    }

    for (i = 0; i < 16; i++) {
        le[i] = (uint8_t) (v >> (8 * i));
    }

    return pylon_dc_unsigned(le, 16);
}


/* build an array of n values of one type (arrays and sequences) */
static json_t *
pylon_dc_items(pylon_dc_t *dc, uint32_t elem, size_t n,
    pylon_scale_cur_t *c)
{
    json_t  *arr, *v;
    size_t   i;

    arr = dc->skip ? pylon_dc_skipped : json_array();
    if (arr == NULL) {
        return pylon_dc_fail(dc, "out of memory");
    }

    for (i = 0; i < n; i++) {
        v = pylon_dc_value(dc, elem, c);
        if (v == NULL) {
            goto failed;
        }

        if (!dc->skip && json_array_append_new(arr, v) != 0) {
            pylon_dc_fail(dc, "out of memory");
            goto failed;
        }
    }

    return arr;

failed:

    if (!dc->skip) {
        json_decref(arr);
    }

    return NULL;
}


static json_t *
pylon_dc_fields(pylon_dc_t *dc, const pylon_meta_field_t *f, uint32_t n,
    int named, pylon_scale_cur_t *c)
{
    json_t    *out, *v;
    uint32_t   i;

    if (n == 0) {
        return dc->skip ? pylon_dc_skipped : json_null();
    }

    if (n == 1 && f[0].name == NULL) {
        return pylon_dc_value(dc, f[0].type, c);
    }

    if (dc->skip) {
        out = pylon_dc_skipped;
    } else {
        out = named ? json_object() : json_array();
        if (out == NULL) {
            return pylon_dc_fail(dc, "out of memory");
        }
    }

    for (i = 0; i < n; i++) {
        v = pylon_dc_value(dc, f[i].type, c);
        if (v == NULL) {
            goto failed;
        }

        if (dc->skip) {
            continue;
        }

        if ((named ? json_object_set_new(out, f[i].name, v)
                   : json_array_append_new(out, v)) != 0)
        {
            pylon_dc_fail(dc, "bad field name or out of memory");
            goto failed;
        }
    }

    return out;

failed:

    if (!dc->skip) {
        json_decref(out);
    }

    return NULL;
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


static json_t *
pylon_dc_variant(pylon_dc_t *dc, const pylon_meta_type_t *t,
    pylon_scale_cur_t *c)
{
    const pylon_meta_variant_t  *v;
    json_t                      *val, *obj;
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
            return dc->skip ? pylon_dc_skipped : json_null();
        }
        return pylon_dc_fields(dc, v->fields, v->nfields, 0, c);
    }

    if (v->nfields == 0) {
        return dc->skip ? pylon_dc_skipped : json_string(v->name);
    }

    val = pylon_dc_fields(dc, v->fields, v->nfields,
                          pylon_dc_all_named(v->fields, v->nfields), c);
    if (val == NULL || dc->skip) {
        return val;
    }

    obj = json_object();
    if (obj == NULL || json_object_set_new(obj, v->name, val) != 0) {
        json_decref(obj);
        return pylon_dc_fail(dc, "bad variant name or out of memory");
    }

    return obj;
}


static json_t *
pylon_dc_value(pylon_dc_t *dc, uint32_t type, pylon_scale_cur_t *c)
{
    const pylon_meta_type_t  *t, *st;
    const uint8_t            *p;
    json_t                   *r;
    uint64_t                  nbits;
    size_t                    n;
    char                      ss58[PYLON_SS58_MAX_CHARS];

    if (type >= dc->m->ntypes) {
        return pylon_dc_fail(dc, "type id out of range");
    }

    if (++dc->depth > PYLON_DECODE_MAX_DEPTH) {
        dc->depth--;
        return pylon_dc_fail(dc, "nesting too deep");
    }

    t = &dc->m->types[type];
    r = NULL;

    switch (t->kind) {

    case PYLON_TYPE_PRIMITIVE:
        r = pylon_dc_primitive(dc, t, c);
        break;

    case PYLON_TYPE_COMPACT:
        r = pylon_dc_compact(dc, c);
        break;

    case PYLON_TYPE_COMPOSITE:
        if (t->special == PYLON_SPECIAL_ACCOUNT_ID) {
            if (pylon_scale_bytes(&p, 32, c) != 0) {
                r = pylon_dc_fail(dc, "truncated account id");
                break;
            }
            if (dc->skip) {
                r = pylon_dc_skipped;
                break;
            }
            if (pylon_ss58_encode(ss58, sizeof(ss58), p,
                                  dc->m->ss58_prefix) < 0)
            {
                r = pylon_dc_fail(dc, "bad ss58 prefix");
                break;
            }
            r = json_string_nocheck(ss58);
            break;
        }

        r = pylon_dc_fields(dc, t->u.composite.fields, t->u.composite.n,
                            t->named, c);
        break;

    case PYLON_TYPE_VARIANT:
        r = pylon_dc_variant(dc, t, c);
        break;

    case PYLON_TYPE_SEQUENCE:
        if (t->special == PYLON_SPECIAL_BYTES) {
            if (pylon_scale_vec_u8(&p, &n, c) != 0) {
                r = pylon_dc_fail(dc, "truncated bytes");
                break;
            }
            r = dc->skip ? pylon_dc_skipped : pylon_dc_hex(p, n);
            break;
        }

        /* every element takes at least one byte, except zero-sized ones */
        if (pylon_scale_len(&n, 1, c) != 0) {
            r = pylon_dc_fail(dc, "sequence length exceeds input");
            break;
        }

        r = pylon_dc_items(dc, t->u.elem.type, n, c);
        break;

    case PYLON_TYPE_ARRAY:
        if (t->special == PYLON_SPECIAL_BYTES) {
            if (pylon_scale_bytes(&p, t->u.array.len, c) != 0) {
                r = pylon_dc_fail(dc, "truncated byte array");
                break;
            }
            r = dc->skip ? pylon_dc_skipped : pylon_dc_hex(p, t->u.array.len);
            break;
        }

        if (t->u.array.len > pylon_scale_remaining(c)
            && t->u.array.len > 1024)
        {
            r = pylon_dc_fail(dc, "array length exceeds input");
            break;
        }

        r = pylon_dc_items(dc, t->u.array.type, t->u.array.len, c);
        break;

    case PYLON_TYPE_TUPLE:
        {
            json_t    *arr, *v;
            uint32_t   i;

            arr = dc->skip ? pylon_dc_skipped : json_array();
            if (arr == NULL) {
                r = pylon_dc_fail(dc, "out of memory");
                break;
            }

            for (i = 0; i < t->u.tuple.n; i++) {
                v = pylon_dc_value(dc, t->u.tuple.types[i], c);
                if (v == NULL || (!dc->skip
                                  && json_array_append_new(arr, v) != 0))
                {
                    if (!dc->skip) {
                        json_decref(arr);
                    }
                    arr = pylon_dc_fail(dc, "tuple element");
                    break;
                }
            }

            r = arr;
        }
        break;

    case PYLON_TYPE_BITSEQ:
        st = &dc->m->types[t->u.bitseq.store];
        if (st->kind != PYLON_TYPE_PRIMITIVE
            || st->prim < PYLON_PRIM_U8 || st->prim > PYLON_PRIM_U64)
        {
            r = pylon_dc_fail(dc, "bad bit sequence store type");
            break;
        }

        if (pylon_scale_bitseq(&p, &n, &nbits, pylon_prim_bytes[st->prim],
                               c) != 0)
        {
            r = pylon_dc_fail(dc, "truncated bit sequence");
            break;
        }

        r = dc->skip ? pylon_dc_skipped : pylon_dc_hex(p, n);
        break;

    default:
        r = pylon_dc_fail(dc, "unknown type kind");
        break;
    }

    dc->depth--;

    if (r == NULL) {
        pylon_dc_fail(dc, "out of memory");
    }

    return r;
}


json_t *
pylon_decode(const pylon_meta_t *m, uint32_t type, pylon_scale_cur_t *c,
    char *err, size_t errlen)
{
    pylon_dc_t   dc;
    json_t      *j;

    dc.m = m;
    dc.depth = 0;
    dc.err = NULL;
    dc.skip = 0;

    j = pylon_dc_value(&dc, type, c);

    if (j == NULL && err && errlen) {
        snprintf(err, errlen, "decode: %s", dc.err ? dc.err : "failed");
    }

    return j;
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
pylon_decode_skip(const pylon_meta_t *m, uint32_t type, pylon_scale_cur_t *c)
{
    pylon_dc_t  dc;

    dc.m = m;
    dc.depth = 0;
    dc.err = NULL;
    dc.skip = 1;

    return pylon_dc_value(&dc, type, c) != NULL ? 0 : -1;
}
