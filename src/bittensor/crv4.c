/*
 * crv4.c: the CRv4 weights payload (SCALE) and its reveal round.
 *
 * SCALE here is only what WeightsTlockPayload needs: compact lengths
 * (1, 2 or 4 byte modes), u16 and u64 little-endian.  The reveal round
 * follows bittensor-drand's generate_commit with 12-second blocks and the
 * quicknet genesis/period, in signed 64-bit arithmetic with floor
 * division as Python computes it.
 */

#include <stdlib.h>
#include <string.h>

#include "bittensor/crv4.h"
#include "crypto/drand.h"
#include "crypto/tle.h"


static size_t
compact_len(size_t n)
{
    return n < 64 ? 1 : n < 16384 ? 2 : 4;
}


static unsigned char *
put_compact(unsigned char *p, size_t n)
{
    uint32_t  v;

    if (n < 64) {
        *p++ = (unsigned char) (n << 2);
        return p;
    }

    if (n < 16384) {
        v = (uint32_t) (n << 2) | 1;
        *p++ = (unsigned char) v;
        *p++ = (unsigned char) (v >> 8);
        return p;
    }

    v = (uint32_t) (n << 2) | 2;
    *p++ = (unsigned char) v;
    *p++ = (unsigned char) (v >> 8);
    *p++ = (unsigned char) (v >> 16);
    *p++ = (unsigned char) (v >> 24);
    return p;
}


/* read a compact length (modes 0-2); NULL when malformed or truncated */
static const unsigned char *
get_compact(const unsigned char *p, const unsigned char *end, size_t *n)
{
    uint32_t  v;

    if (p >= end) {
        return NULL;
    }

    switch (p[0] & 3) {

    case 0:
        *n = p[0] >> 2;
        return p + 1;

    case 1:
        if (end - p < 2) {
            return NULL;
        }
        v = (uint32_t) p[0] | (uint32_t) p[1] << 8;
        *n = v >> 2;
        /* canonical: must not fit the one-byte mode */
        return *n < 64 ? NULL : p + 2;

    case 2:
        if (end - p < 4) {
            return NULL;
        }
        v = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
            | (uint32_t) p[3] << 24;
        *n = v >> 2;
        return *n < 16384 ? NULL : p + 4;

    default:
        return NULL;
    }
}


size_t
pylon_crv4_payload_len(size_t n)
{
    return 1 + PYLON_CRV4_HOTKEY_BYTES + 2 * (compact_len(n) + 2 * n) + 8;
}


int
pylon_crv4_payload_encode(unsigned char *out, size_t cap,
    size_t *outlen, const unsigned char hotkey[PYLON_CRV4_HOTKEY_BYTES],
    const uint16_t *uids, const uint16_t *values, size_t n,
    uint64_t version_key)
{
    unsigned char  *p;
    size_t          i;
    int             k;

    if (n > PYLON_CRV4_MAX_UIDS || cap < pylon_crv4_payload_len(n)) {
        return -1;
    }

    p = put_compact(out, PYLON_CRV4_HOTKEY_BYTES);
    memcpy(p, hotkey, PYLON_CRV4_HOTKEY_BYTES);
    p += PYLON_CRV4_HOTKEY_BYTES;

    p = put_compact(p, n);
    for (i = 0; i < n; i++) {
        *p++ = (unsigned char) uids[i];
        *p++ = (unsigned char) (uids[i] >> 8);
    }

    p = put_compact(p, n);
    for (i = 0; i < n; i++) {
        *p++ = (unsigned char) values[i];
        *p++ = (unsigned char) (values[i] >> 8);
    }

    for (k = 0; k < 8; k++) {
        *p++ = (unsigned char) (version_key >> (8 * k));
    }

    *outlen = (size_t) (p - out);
    return 0;
}


static const unsigned char *
get_u16_vec(const unsigned char *p, const unsigned char *end, uint16_t *v,
    size_t cap, size_t *n)
{
    size_t  i;

    p = get_compact(p, end, n);
    if (p == NULL || *n > cap || (size_t) (end - p) / 2 < *n) {
        return NULL;
    }

    for (i = 0; i < *n; i++) {
        v[i] = (uint16_t) (p[0] | p[1] << 8);
        p += 2;
    }

    return p;
}


int
pylon_crv4_payload_decode(unsigned char hotkey[PYLON_CRV4_HOTKEY_BYTES],
    uint16_t *uids, uint16_t *values, size_t cap, size_t *n,
    uint64_t *version_key, const unsigned char *in, size_t len)
{
    const unsigned char  *p, *end;
    size_t                hl, nu, nv;
    int                   k;

    p = in;
    end = in + len;

    p = get_compact(p, end, &hl);
    if (p == NULL || hl != PYLON_CRV4_HOTKEY_BYTES
        || (size_t) (end - p) < hl)
    {
        return -1;
    }
    memcpy(hotkey, p, hl);
    p += hl;

    p = get_u16_vec(p, end, uids, cap, &nu);
    if (p == NULL) {
        return -1;
    }
    p = get_u16_vec(p, end, values, cap, &nv);
    if (p == NULL || nu != nv || end - p != 8) {
        return -1;
    }

    *version_key = 0;
    for (k = 0; k < 8; k++) {
        *version_key |= (uint64_t) p[k] << (8 * k);
    }

    *n = nu;
    return 0;
}


static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t  q;

    q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) {
        q--;
    }
    return q;
}


static uint64_t
round_for_block(uint64_t block, int64_t first_reveal, int64_t now)
{
    int64_t  target, t;

    target = first_reveal + 3;
    t = now + (target - (int64_t) block) * PYLON_CRV4_BLOCK_SECONDS
        - PYLON_DRAND_QUICKNET_GENESIS;
    t = floor_div(t, PYLON_DRAND_QUICKNET_PERIOD);

    return t < 1 ? 1 : (uint64_t) t;
}


uint64_t
pylon_crv4_round_at(uint64_t block, uint64_t first_reveal, int64_t now)
{
    return round_for_block(block, (int64_t) first_reveal, now);
}


uint64_t
pylon_crv4_next_epoch_legacy(uint64_t block, uint16_t netuid, uint16_t tempo)
{
    uint64_t  len, until;

    if (tempo == 0) {
        return UINT64_MAX;
    }

    len = (uint64_t) tempo + 1;
    until = tempo - (block + netuid + 1) % len;

    return block + until + 1;
}


uint64_t
pylon_crv4_first_reveal_block(uint64_t next_epoch_start, uint64_t epoch_len,
    uint64_t reveal_period)
{
    if (reveal_period == 0) {
        reveal_period = 1;
    }

    return next_epoch_start + (reveal_period - 1) * epoch_len;
}


uint64_t
pylon_crv4_reveal_round(uint64_t block, uint16_t netuid, uint16_t tempo,
    uint64_t reveal_period, int64_t now)
{
    int64_t  e, first, len;

    /* as generate_commit: also for reveal_period 0 (its own epoch) */
    len = (int64_t) tempo + 1;
    e = ((int64_t) block + netuid + 1) / len;
    first = (e + (int64_t) reveal_period) * len - (netuid + 1);

    return round_for_block(block, first, now);
}


uint64_t
pylon_crv4_reveal_round_from_epoch(uint64_t block,
    uint64_t next_epoch_start, uint16_t tempo, uint64_t reveal_period,
    int64_t now)
{
    return pylon_crv4_round_at(block,
               pylon_crv4_first_reveal_block(next_epoch_start, tempo,
                                             reveal_period),
               now);
}


int
pylon_crv4_option_u64(uint64_t *v, const unsigned char *in, size_t len)
{
    int  k;

    if (len == 1 && in[0] == 0) {
        return 0;
    }

    if (len != 9 || in[0] != 1) {
        return -1;
    }

    *v = 0;
    for (k = 0; k < 8; k++) {
        *v |= (uint64_t) in[1 + k] << (8 * k);
    }

    return 1;
}


int
pylon_crv4_commit(unsigned char *ct, size_t cap, size_t *ctlen,
    const unsigned char hotkey[PYLON_CRV4_HOTKEY_BYTES],
    const uint16_t *uids, const uint16_t *values, size_t n,
    uint64_t version_key, uint64_t reveal_round)
{
    unsigned char  *pt;
    size_t          len, ptlen;
    int             rc;

    if (n > PYLON_CRV4_MAX_UIDS) {
        return -1;
    }

    len = pylon_crv4_payload_len(n);
    if (cap < len + PYLON_TLE_OVERHEAD) {
        return -1;
    }

    pt = malloc(len);
    if (pt == NULL) {
        return -1;
    }

    rc = -1;
    if (pylon_crv4_payload_encode(pt, len, &ptlen, hotkey, uids, values, n,
                                  version_key) == 0)
    {
        rc = pylon_tle_encrypt(ct, cap, ctlen, pt, ptlen, reveal_round);
    }

    free(pt);
    return rc;
}
