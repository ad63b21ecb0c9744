/*
 * scale.c: the SCALE cursor and encoders (see scale.h).
 *
 * Readers compare the bytes they need with end - pos before reading and
 * only move pos on success.  Encoders grow the buffer geometrically.
 */

#include <stdlib.h>
#include <string.h>

#include "chain/scale.h"


void
pylon_scale_init(pylon_scale_cur_t *c, const uint8_t *buf, size_t len)
{
    c->pos = buf;
    c->end = buf + len;
}


size_t
pylon_scale_remaining(const pylon_scale_cur_t *c)
{
    return (size_t) (c->end - c->pos);
}


int
pylon_scale_uint(pylon_u128_t *out, size_t n, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;
    size_t        i;

    if (n > 16 || pylon_scale_remaining(c) < n) {
        return -1;
    }

    v = 0;
    for (i = n; i > 0; i--) {
        v = (v << 8) | c->pos[i - 1];
    }

    c->pos += n;
    *out = v;

    return 0;
}


int
pylon_scale_int(pylon_i128_t *out, size_t n, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;

    if (n == 0 || pylon_scale_uint(&v, n, c) != 0) {
        return -1;
    }

    if (n < 16 && (v >> (8 * n - 1)) & 1) {
        v |= ~(pylon_u128_t) 0 << (8 * n);
    }

    *out = (pylon_i128_t) v;

    return 0;
}


int
pylon_scale_u8(uint8_t *out, pylon_scale_cur_t *c)
{
    if (c->pos >= c->end) {
        return -1;
    }

    *out = *c->pos++;

    return 0;
}


int
pylon_scale_u16(uint16_t *out, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;

    if (pylon_scale_uint(&v, 2, c) != 0) {
        return -1;
    }

    *out = (uint16_t) v;

    return 0;
}


int
pylon_scale_u32(uint32_t *out, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;

    if (pylon_scale_uint(&v, 4, c) != 0) {
        return -1;
    }

    *out = (uint32_t) v;

    return 0;
}


int
pylon_scale_u64(uint64_t *out, pylon_scale_cur_t *c)
{
    pylon_u128_t  v;

    if (pylon_scale_uint(&v, 8, c) != 0) {
        return -1;
    }

    *out = (uint64_t) v;

    return 0;
}


int
pylon_scale_u128(pylon_u128_t *out, pylon_scale_cur_t *c)
{
    return pylon_scale_uint(out, 16, c);
}


int
pylon_scale_bool(int *out, pylon_scale_cur_t *c)
{
    if (c->pos >= c->end || *c->pos > 1) {
        return -1;
    }

    *out = *c->pos++;

    return 0;
}


int
pylon_scale_compact(pylon_u128_t *out, pylon_scale_cur_t *c)
{
    pylon_scale_cur_t  save;
    pylon_u128_t       v;
    uint8_t            b0;
    size_t             n;

    if (c->pos >= c->end) {
        return -1;
    }

    b0 = *c->pos;

    switch (b0 & 3) {

    case 0:
        c->pos++;
        *out = b0 >> 2;
        return 0;

    case 1:
        if (pylon_scale_uint(&v, 2, c) != 0) {
            return -1;
        }
        *out = v >> 2;
        return 0;

    case 2:
        if (pylon_scale_uint(&v, 4, c) != 0) {
            return -1;
        }
        *out = v >> 2;
        return 0;

    default:
        n = (size_t) (b0 >> 2) + 4;
        if (n > 16) {
            return -1;
        }

        save = *c;
        c->pos++;

        if (pylon_scale_uint(&v, n, c) != 0) {
            *c = save;
            return -1;
        }

        *out = v;
        return 0;
    }
}


int
pylon_scale_compact_u64(uint64_t *out, pylon_scale_cur_t *c)
{
    pylon_scale_cur_t  save;
    pylon_u128_t       v;

    save = *c;

    if (pylon_scale_compact(&v, c) != 0) {
        return -1;
    }

    if (v > UINT64_MAX) {
        *c = save;
        return -1;
    }

    *out = (uint64_t) v;

    return 0;
}


int
pylon_scale_compact_u32(uint32_t *out, pylon_scale_cur_t *c)
{
    pylon_scale_cur_t  save;
    pylon_u128_t       v;

    save = *c;

    if (pylon_scale_compact(&v, c) != 0) {
        return -1;
    }

    if (v > UINT32_MAX) {
        *c = save;
        return -1;
    }

    *out = (uint32_t) v;

    return 0;
}


int
pylon_scale_len(size_t *n, size_t min_item_bytes, pylon_scale_cur_t *c)
{
    pylon_scale_cur_t  save;
    pylon_u128_t       v;

    save = *c;

    if (pylon_scale_compact(&v, c) != 0) {
        return -1;
    }

    if (min_item_bytes == 0) {
        min_item_bytes = 1;
    }

    if (v > pylon_scale_remaining(c) / min_item_bytes) {
        *c = save;
        return -1;
    }

    *n = (size_t) v;

    return 0;
}


int
pylon_scale_bytes(const uint8_t **p, size_t n, pylon_scale_cur_t *c)
{
    if (pylon_scale_remaining(c) < n) {
        return -1;
    }

    *p = c->pos;
    c->pos += n;

    return 0;
}


int
pylon_scale_skip(size_t n, pylon_scale_cur_t *c)
{
    if (pylon_scale_remaining(c) < n) {
        return -1;
    }

    c->pos += n;

    return 0;
}


int
pylon_scale_vec_u8(const uint8_t **p, size_t *len, pylon_scale_cur_t *c)
{
    size_t  n;

    if (pylon_scale_len(&n, 1, c) != 0) {
        return -1;
    }

    *p = c->pos;
    *len = n;
    c->pos += n;

    return 0;
}


int
pylon_scale_tag01(int *out, pylon_scale_cur_t *c)
{
    return pylon_scale_bool(out, c);
}


int
pylon_scale_option_bool(int *out, pylon_scale_cur_t *c)
{
    if (c->pos >= c->end || *c->pos > 2) {
        return -1;
    }

    /* 0 None, 1 Some(true), 2 Some(false) (parity-scale-codec) */
    switch (*c->pos++) {
    case 0:
        *out = -1;
        break;
    case 1:
        *out = 1;
        break;
    default:
        *out = 0;
        break;
    }

    return 0;
}


int
pylon_scale_bitseq(const uint8_t **p, size_t *nbytes, uint64_t *nbits,
    size_t store_bytes, pylon_scale_cur_t *c)
{
    pylon_scale_cur_t  save;
    pylon_u128_t       bits;
    pylon_u128_t       words;

    if (store_bytes != 1 && store_bytes != 2 && store_bytes != 4
        && store_bytes != 8)
    {
        return -1;
    }

    save = *c;

    if (pylon_scale_compact(&bits, c) != 0) {
        return -1;
    }

    words = (bits + 8 * store_bytes - 1) / (8 * store_bytes);

    if (bits > UINT64_MAX
        || words > pylon_scale_remaining(c) / store_bytes)
    {
        *c = save;
        return -1;
    }

    *p = c->pos;
    *nbytes = (size_t) words * store_bytes;
    *nbits = (uint64_t) bits;
    c->pos += *nbytes;

    return 0;
}


void
pylon_buf_init(pylon_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = 0;
}


void
pylon_buf_free(pylon_buf_t *b)
{
    free(b->data);
    pylon_buf_init(b);
}


uint8_t *
pylon_buf_grow(pylon_buf_t *b, size_t n)
{
    uint8_t  *d;
    size_t    cap;

    if (b->err) {
        return NULL;
    }

    if (n > SIZE_MAX - b->len) {
        b->err = 1;
        return NULL;
    }

    if (b->len + n > b->cap) {
        cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) {
            if (cap > SIZE_MAX / 2) {
                cap = b->len + n;
                break;
            }
            cap *= 2;
        }

        d = realloc(b->data, cap);
        if (d == NULL) {
            b->err = 1;
            return NULL;
        }

        b->data = d;
        b->cap = cap;
    }

    return b->data + b->len;
}


int
pylon_buf_put(pylon_buf_t *b, const void *p, size_t n)
{
    uint8_t  *d;

    d = pylon_buf_reserve(b, n);
    if (d == NULL) {
        return -1;
    }

    if (n) {
        memcpy(d, p, n);
        b->len += n;
    }

    return 0;
}


static int
pylon_scale_put_le(pylon_buf_t *b, pylon_u128_t v, size_t n)
{
    uint8_t  tmp[16];
    size_t   i;

    for (i = 0; i < n; i++) {
        tmp[i] = (uint8_t) (v >> (8 * i));
    }

    return pylon_buf_put(b, tmp, n);
}


int
pylon_scale_put_u8(pylon_buf_t *b, uint8_t v)
{
    return pylon_buf_put(b, &v, 1);
}


int
pylon_scale_put_u16(pylon_buf_t *b, uint16_t v)
{
    return pylon_scale_put_le(b, v, 2);
}


int
pylon_scale_put_u32(pylon_buf_t *b, uint32_t v)
{
    return pylon_scale_put_le(b, v, 4);
}


int
pylon_scale_put_u64(pylon_buf_t *b, uint64_t v)
{
    return pylon_scale_put_le(b, v, 8);
}


int
pylon_scale_put_u128(pylon_buf_t *b, pylon_u128_t v)
{
    return pylon_scale_put_le(b, v, 16);
}


size_t
pylon_scale_compact_encode(uint8_t *out, pylon_u128_t v)
{
    size_t  n, i;

    if (v < 64) {
        out[0] = (uint8_t) (v << 2);
        return 1;
    }

    if (v < 16384) {
        out[0] = (uint8_t) ((v << 2) | 1);
        out[1] = (uint8_t) (v >> 6);
        return 2;
    }

    if (v < (1u << 30)) {
        v = (v << 2) | 2;
        for (i = 0; i < 4; i++) {
            out[i] = (uint8_t) (v >> (8 * i));
        }
        return 4;
    }

    n = 4;
    while (n < 16 && (v >> (8 * n)) != 0) {
        n++;
    }

    out[0] = (uint8_t) (((n - 4) << 2) | 3);
    for (i = 0; i < n; i++) {
        out[1 + i] = (uint8_t) (v >> (8 * i));
    }

    return n + 1;
}


int
pylon_scale_put_compact(pylon_buf_t *b, pylon_u128_t v)
{
    uint8_t  tmp[PYLON_SCALE_COMPACT_MAX_BYTES];

    return pylon_buf_put(b, tmp, pylon_scale_compact_encode(tmp, v));
}


int
pylon_scale_put_vec_u8(pylon_buf_t *b, const void *p, size_t n)
{
    if (pylon_scale_put_compact(b, n) != 0) {
        return -1;
    }

    return pylon_buf_put(b, p, n);
}
