/*
 * abi_decode.c: Solidity ABI bytes → JSON text.
 *
 * dec_value() decodes the encoding of one type starting at p, with end
 * the end of the whole input: a dynamic value's tail may lie anywhere
 * after the start of the sequence that holds its head, as Solidity's own
 * decoder allows.  Sequences (tuples, T[k], T[]) read each head at
 * base + i * head and, for dynamic members, follow the offset relative
 * to base.  Every read is preceded by a length check against end;
 * lengths and offsets are compared by division, never multiplied first,
 * so a 2^255 length cannot overflow into a small one.
 */

#include <stdio.h>
#include <string.h>

#include "chain/json_text.h"
#include "evm/abi_codec.h"
#include "evm/eip55.h"
#include "evm/u256.h"


typedef struct {
    pylon_buf_t  *out;
    unsigned      flags;
    int           top;        /* the next value is the outermost one */
    long          budget;     /* values left before giving up */
    const char   *why;
} pylon_abi_dec_t;


static int pylon_abi_dec_value(pylon_abi_dec_t *d, const pylon_abi_type_t *t,
    const uint8_t *p, const uint8_t *end);


static int
pylon_abi_dec_fail(pylon_abi_dec_t *d, const char *why)
{
    if (d->why == NULL) {
        d->why = why;
    }
    return -1;
}


/* a word that must be a small non-negative count or offset */
static int
pylon_abi_dec_size(const uint8_t w[32], size_t *v)
{
    uint64_t  u;

    if (!pylon_u256_to_u64(w, &u) || u > (uint64_t) SIZE_MAX / 2) {
        return -1;
    }
    *v = (size_t) u;
    return 0;
}


static int
pylon_abi_put_hex(pylon_buf_t *b, const uint8_t *p, size_t n)
{
    static const char  digits[] = "0123456789abcdef";
    size_t             i;
    uint8_t           *w;

    w = pylon_buf_reserve(b, 2 * n + 4);
    if (w == NULL) {
        return -1;
    }
    *w++ = '"';
    *w++ = '0';
    *w++ = 'x';
    for (i = 0; i < n; i++) {
        *w++ = (uint8_t) digits[p[i] >> 4];
        *w++ = (uint8_t) digits[p[i] & 0x0f];
    }
    *w++ = '"';
    b->len += 2 * n + 4;
    return 0;
}


int
pylon_abi_decode_word_json(pylon_buf_t *out, const pylon_abi_type_t *t,
    const uint8_t w[32])
{
    size_t   n, i;
    char     dec[PYLON_U256_DEC_BYTES];
    char     addr[PYLON_EIP55_TEXT_BYTES];

    switch (t->kind) {
    case PYLON_ABI_UINT:
    case PYLON_ABI_INT:
        if (!pylon_u256_fits(w, t->size, t->kind == PYLON_ABI_INT)) {
            return -1;
        }
        n = pylon_u256_to_dec(dec, w, t->kind == PYLON_ABI_INT);
        return pylon_buf_put(out, dec, n);

    case PYLON_ABI_ADDRESS:
        if (!pylon_u256_fits(w, 160, 0)) {
            return -1;
        }
        pylon_eip55_encode(addr, w + 12);
        if (pylon_buf_put(out, "\"", 1) != 0
            || pylon_buf_put(out, addr, 42) != 0)
        {
            return -1;
        }
        return pylon_buf_put(out, "\"", 1);

    case PYLON_ABI_BOOL:
        if (!pylon_u256_fits(w, 8, 0) || w[31] > 1) {
            return -1;
        }
        return w[31] ? pylon_buf_put(out, "true", 4)
                     : pylon_buf_put(out, "false", 5);

    case PYLON_ABI_FBYTES:
        for (i = t->size; i < 32; i++) {
            if (w[i]) {
                return -1;
            }
        }
        return pylon_abi_put_hex(out, w, t->size);

    default:
        return -1;
    }
}


/* bytes or string: a length word, then the contents padded to 32 */
static int
pylon_abi_dec_bytes(pylon_abi_dec_t *d, const pylon_abi_type_t *t,
    const uint8_t *p, const uint8_t *end)
{
    size_t          n, padded, i;
    const uint8_t  *s;

    if (end - p < 32 || pylon_abi_dec_size(p, &n) != 0) {
        return pylon_abi_dec_fail(d, "bytes length out of range");
    }
    s = p + 32;
    padded = (n + 31) / 32 * 32;
    if (padded < n || (size_t) (end - s) < padded) {
        return pylon_abi_dec_fail(d, "bytes run past the end of the data");
    }
    for (i = n; i < padded; i++) {
        if (s[i]) {
            return pylon_abi_dec_fail(d, "non-zero padding after bytes");
        }
    }

    if (t->kind == PYLON_ABI_BYTES) {
        return pylon_abi_put_hex(d->out, s, n);
    }
    if (!pylon_utf8_valid(s, n)) {
        return pylon_abi_dec_fail(d, "string is not valid UTF-8");
    }
    return pylon_json_put_string(d->out, s, n);
}


/*
 * n members at base, member i of type types ? types[i] : elem, heads
 * back to back; JSON array, or object when names are given.
 */
static int
pylon_abi_dec_seq(pylon_abi_dec_t *d, const pylon_abi_type_t *elem,
    pylon_abi_type_t *const *types, const char *const *names, size_t n,
    const uint8_t *base, const uint8_t *end)
{
    size_t                   i, off;
    const uint8_t           *h;
    const pylon_abi_type_t  *t;

    if (pylon_buf_put(d->out, names ? "{" : "[", 1) != 0) {
        return -1;
    }

    h = base;
    for (i = 0; i < n; i++) {
        t = types ? types[i] : elem;

        if (i && pylon_buf_put(d->out, ",", 1) != 0) {
            return -1;
        }
        if (names) {
            if (pylon_json_put_string(d->out, names[i], strlen(names[i])) != 0
                || pylon_buf_put(d->out, ":", 1) != 0)
            {
                return -1;
            }
        }

        if ((size_t) (end - h) < t->head) {
            return pylon_abi_dec_fail(d, "data too short");
        }
        if (t->dynamic) {
            if (pylon_abi_dec_size(h, &off) != 0
                || off > (size_t) (end - base))
            {
                return pylon_abi_dec_fail(d, "offset out of range");
            }
            if (pylon_abi_dec_value(d, t, base + off, end) != 0) {
                return -1;
            }
        } else if (pylon_abi_dec_value(d, t, h, end) != 0) {
            return -1;
        }
        h += t->head;
    }

    return pylon_buf_put(d->out, names ? "}" : "]", 1);
}


static int
pylon_abi_dec_value(pylon_abi_dec_t *d, const pylon_abi_type_t *t,
    const uint8_t *p, const uint8_t *end)
{
    int       top;
    size_t    n, i;
    unsigned  named;

    top = d->top;
    d->top = 0;
    if (--d->budget < 0) {
        return pylon_abi_dec_fail(d, "encoding expands too far");
    }

    switch (t->kind) {
    case PYLON_ABI_UINT:
    case PYLON_ABI_INT:
    case PYLON_ABI_ADDRESS:
    case PYLON_ABI_BOOL:
    case PYLON_ABI_FBYTES:
        if (end - p < 32) {
            return pylon_abi_dec_fail(d, "data too short");
        }
        if (pylon_abi_decode_word_json(d->out, t, p) != 0) {
            return pylon_abi_dec_fail(d, "invalid padding of a value");
        }
        return 0;

    case PYLON_ABI_BYTES:
    case PYLON_ABI_STRING:
        return pylon_abi_dec_bytes(d, t, p, end);

    case PYLON_ABI_ARRAY:
        if (end - p < 32 || pylon_abi_dec_size(p, &n) != 0) {
            return pylon_abi_dec_fail(d, "array length out of range");
        }
        p += 32;
        if (n > (size_t) (end - p) / t->elem->head) {
            return pylon_abi_dec_fail(d, "array runs past the end of the data");
        }
        if ((long) n > d->budget) {
            return pylon_abi_dec_fail(d, "encoding expands too far");
        }
        return pylon_abi_dec_seq(d, t->elem, NULL, NULL, n, p, end);

    case PYLON_ABI_FARRAY:
        return pylon_abi_dec_seq(d, t->elem, NULL, NULL, t->size, p, end);

    case PYLON_ABI_TUPLE:
        named = 0;
        if (d->flags & PYLON_ABI_TUPLE_OBJECTS) {
            named = 1;
            for (i = 0; i < t->size; i++) {
                if (t->names[i][0] == '\0') {
                    named = 0;
                }
            }
        }
        if (top && (d->flags & PYLON_ABI_TOP_OBJECT)) {
            named = 1;
        }
        return pylon_abi_dec_seq(d, NULL, t->fields,
                                 named ? t->names : NULL, t->size, p, end);
    }

    return pylon_abi_dec_fail(d, "unknown type");
}


int
pylon_abi_decode_json(pylon_buf_t *out, const pylon_abi_type_t *t,
    const uint8_t *data, size_t len, unsigned flags, char *err,
    size_t errlen)
{
    pylon_abi_dec_t  d;
    static const uint8_t  none[1];

    d.out = out;
    d.flags = flags;
    d.top = 1;
    /* a canonical encoding spends at least 32 bytes per value */
    d.budget = (long) (len / 16) + 256;
    d.why = NULL;

    if (data == NULL) {
        data = none;
        len = 0;
    }

    if (pylon_abi_dec_value(&d, t, data, data + len) != 0) {
        if (err && errlen) {
            snprintf(err, errlen, "%s", d.why ? d.why : "out of memory");
        }
        return -1;
    }
    if (out->err) {
        if (err && errlen) {
            snprintf(err, errlen, "out of memory");
        }
        return -1;
    }
    return 0;
}
