/*
 * scale.h: SCALE (Substrate's codec) primitives over a bounds-checked
 * cursor, and the matching encoders into a growable buffer.
 *
 * A pylon_scale_cur_t walks a caller-owned byte range.  Every reader
 * checks the bytes it needs before touching them and returns 0 or -1; on
 * -1 the cursor is left where it was, so nothing is ever read past the
 * end.  Lengths read from the input (Vec, String, bit sequences) are
 * checked against the bytes that remain before anyone allocates from them.
 *
 *     pylon_scale_cur_t  c;
 *     uint64_t           v;
 *
 *     pylon_scale_init(&c, bytes, len);
 *     if (pylon_scale_compact_u64(&v, &c) != 0) { ... truncated ... }
 *
 * Encoders append to a pylon_buf_t; an allocation failure is sticky
 * (buf->err) so a run of appends is checked once at the end.
 */

#ifndef PYLON_CHAIN_SCALE_H
#define PYLON_CHAIN_SCALE_H

#include <stddef.h>
#include <stdint.h>


typedef unsigned __int128  pylon_u128_t;
typedef __int128           pylon_i128_t;


typedef struct {
    const uint8_t  *pos;       /* next unread byte */
    const uint8_t  *end;       /* one past the last byte */
} pylon_scale_cur_t;


typedef struct {
    uint8_t        *data;      /* malloc'ed; owned by the buffer */
    size_t          len;
    size_t          cap;
    int             err;       /* set when an append could not allocate */
} pylon_buf_t;


/* bytes of a compact-encoded u128 at most (prefix byte + 16) */
#define PYLON_SCALE_COMPACT_MAX_BYTES  17


/* point c at len bytes of buf (not copied; must outlive the cursor) */
void pylon_scale_init(pylon_scale_cur_t *c, const uint8_t *buf, size_t len);

/* bytes not yet read */
size_t pylon_scale_remaining(const pylon_scale_cur_t *c);

/* fixed-width little-endian integers; 0, or -1 if too few bytes remain */
int pylon_scale_u8(uint8_t *out, pylon_scale_cur_t *c);
int pylon_scale_u16(uint16_t *out, pylon_scale_cur_t *c);
int pylon_scale_u32(uint32_t *out, pylon_scale_cur_t *c);
int pylon_scale_u64(uint64_t *out, pylon_scale_cur_t *c);
int pylon_scale_u128(pylon_u128_t *out, pylon_scale_cur_t *c);

/* read n (<= 16) bytes as a little-endian unsigned integer */
int pylon_scale_uint(pylon_u128_t *out, size_t n, pylon_scale_cur_t *c);

/* read n (<= 16) bytes as a little-endian two's complement integer */
int pylon_scale_int(pylon_i128_t *out, size_t n, pylon_scale_cur_t *c);

/* bool: one byte 0 or 1; any other value is an error (-1) */
int pylon_scale_bool(int *out, pylon_scale_cur_t *c);

/*
 * Compact<uN>, all four modes.  Like polkadot-js, a value in a longer mode
 * than needed is accepted; the big-integer mode rejects more than 16 value
 * bytes.  The _u64/_u32 forms fail (-1) when the value exceeds their width.
 */
int pylon_scale_compact(pylon_u128_t *out, pylon_scale_cur_t *c);
int pylon_scale_compact_u64(uint64_t *out, pylon_scale_cur_t *c);
int pylon_scale_compact_u32(uint32_t *out, pylon_scale_cur_t *c);

/*
 * The compact length of a Vec/String/Bytes, checked so that n items of at
 * least min_item_bytes each (0 counts as 1) fit in what remains.  Use it
 * before allocating n items.  Returns 0 or -1 (cursor unchanged).
 */
int pylon_scale_len(size_t *n, size_t min_item_bytes, pylon_scale_cur_t *c);

/* take n raw bytes: *p points into the cursor's buffer */
int pylon_scale_bytes(const uint8_t **p, size_t n, pylon_scale_cur_t *c);

/* skip n bytes */
int pylon_scale_skip(size_t n, pylon_scale_cur_t *c);

/* Vec<u8>/String: compact length then bytes; *p points into the buffer */
int pylon_scale_vec_u8(const uint8_t **p, size_t *len, pylon_scale_cur_t *c);

/*
 * Option/Result tag: one byte, 0 or 1 (None/Some, Ok/Err).  Other values
 * are -1.  pylon_scale_option_bool reads parity-scale-codec's one-byte
 * OptionBool (0 None, 1 true, 2 false; *out = -1, 1, 0).  A plain
 * Option<bool> in the metadata uses the generic two-byte form, as both
 * parity-scale-codec and polkadot-js encode it.
 */
int pylon_scale_tag01(int *out, pylon_scale_cur_t *c);
int pylon_scale_option_bool(int *out, pylon_scale_cur_t *c);

/*
 * BitVec<store, order>: compact bit count, then enough store-sized words
 * (store_bytes 1, 2, 4 or 8) to hold the bits; *p and *nbytes give
 * the raw words.  Returns 0 or -1.
 */
int pylon_scale_bitseq(const uint8_t **p, size_t *nbytes, uint64_t *nbits,
    size_t store_bytes, pylon_scale_cur_t *c);


/* an empty buffer (no allocation until the first append) */
void pylon_buf_init(pylon_buf_t *b);

/* free the buffer's memory and reset it to empty */
void pylon_buf_free(pylon_buf_t *b);

/* append raw bytes; on allocation failure b->err is set and -1 returned */
int pylon_buf_put(pylon_buf_t *b, const void *p, size_t n);

/*
 * Make room for n more bytes and return where they go (b->data + b->len);
 * the caller writes at most n bytes and adds what it wrote to b->len.
 * NULL (b->err set) on allocation failure.  (pylon_buf_grow is its
 * out-of-line slow path.)
 */
uint8_t *pylon_buf_grow(pylon_buf_t *b, size_t n);

static inline uint8_t *
pylon_buf_reserve(pylon_buf_t *b, size_t n)
{
    if (b->err == 0 && n <= b->cap - b->len) {
        return b->data + b->len;
    }

    return pylon_buf_grow(b, n);
}

/* SCALE encoders appending to b; each returns 0 or -1 (b->err set) */
int pylon_scale_put_u8(pylon_buf_t *b, uint8_t v);
int pylon_scale_put_u16(pylon_buf_t *b, uint16_t v);
int pylon_scale_put_u32(pylon_buf_t *b, uint32_t v);
int pylon_scale_put_u64(pylon_buf_t *b, uint64_t v);
int pylon_scale_put_u128(pylon_buf_t *b, pylon_u128_t v);
int pylon_scale_put_compact(pylon_buf_t *b, pylon_u128_t v);

/* compact length + bytes (Vec<u8>, String) */
int pylon_scale_put_vec_u8(pylon_buf_t *b, const void *p, size_t n);

/*
 * Encode v as Compact into out (at least PYLON_SCALE_COMPACT_MAX_BYTES);
 * returns the number of bytes written.
 */
size_t pylon_scale_compact_encode(uint8_t *out, pylon_u128_t v);

#endif /* PYLON_CHAIN_SCALE_H */
