/*
 * weights.c: hotkey -> uid translation, turbobt's u16 normalisation,
 * Pylon's epoch and retry arithmetic, and the CRv2 commit hash.
 *
 * The uid table is an open-addressing hash (FNV-1a) of copied hotkeys.
 * Normalisation computes (w / max) * 65535 in double exactly as Python
 * evaluates `w / max * 65535` and rounds with nearbyint(), which is
 * round-half-to-even in the default rounding mode like Python's round().
 */

#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bittensor/weights.h"


typedef struct {
    char      *key;
    size_t     len;
    uint16_t   uid;
} slot_t;

struct pylon_uidmap_s {
    slot_t  *slots;
    size_t   cap;      /* power of two */
    size_t   count;
};


static uint64_t
fnv1a(const char *s, size_t n)
{
    uint64_t  h;
    size_t    i;

    h = 14695981039346656037ULL;
    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
    }
    return h;
}


pylon_uidmap_t *
pylon_uidmap_create(size_t n)
{
    pylon_uidmap_t  *m;
    size_t           cap;

    cap = 16;
    while (cap < n * 2 && cap < ((size_t) 1 << 40)) {
        cap *= 2;
    }

    m = calloc(1, sizeof(pylon_uidmap_t));
    if (m == NULL) {
        return NULL;
    }

    m->slots = calloc(cap, sizeof(slot_t));
    if (m->slots == NULL) {
        free(m);
        return NULL;
    }
    m->cap = cap;
    return m;
}


static slot_t *
uidmap_find(slot_t *slots, size_t cap, const char *key, size_t len)
{
    size_t  i;

    for (i = fnv1a(key, len) & (cap - 1); slots[i].key != NULL;
         i = (i + 1) & (cap - 1))
    {
        if (slots[i].len == len && memcmp(slots[i].key, key, len) == 0) {
            break;
        }
    }
    return &slots[i];
}


static int
uidmap_grow(pylon_uidmap_t *m)
{
    slot_t  *ns, *s;
    size_t   i, cap;

    cap = m->cap * 2;
    ns = calloc(cap, sizeof(slot_t));
    if (ns == NULL) {
        return -1;
    }

    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].key != NULL) {
            s = uidmap_find(ns, cap, m->slots[i].key, m->slots[i].len);
            *s = m->slots[i];
        }
    }

    free(m->slots);
    m->slots = ns;
    m->cap = cap;
    return 0;
}


int
pylon_uidmap_put(pylon_uidmap_t *m, const char *hotkey, size_t len,
    uint16_t uid)
{
    slot_t  *s;

    if ((m->count + 1) * 2 > m->cap && uidmap_grow(m) != 0) {
        return -1;
    }

    s = uidmap_find(m->slots, m->cap, hotkey, len);
    if (s->key == NULL) {
        s->key = malloc(len + 1);
        if (s->key == NULL) {
            return -1;
        }
        memcpy(s->key, hotkey, len);
        s->key[len] = '\0';
        s->len = len;
        m->count++;
    }
    s->uid = uid;
    return 0;
}


int
pylon_uidmap_get(const pylon_uidmap_t *m, const char *hotkey, size_t len,
    uint16_t *uid)
{
    slot_t  *s;

    s = uidmap_find(m->slots, m->cap, hotkey, len);
    if (s->key == NULL) {
        return -1;
    }
    *uid = s->uid;
    return 0;
}


size_t
pylon_uidmap_count(const pylon_uidmap_t *m)
{
    return m->count;
}


void
pylon_uidmap_free(pylon_uidmap_t *m)
{
    size_t  i;

    if (m == NULL) {
        return;
    }
    for (i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
    }
    free(m->slots);
    free(m);
}


int
pylon_weights_translate(uint16_t *uids, double *values, size_t *out,
    size_t *dropped, const pylon_weight_t *w, size_t n,
    const pylon_uidmap_t *m)
{
    int32_t   *pos;
    uint16_t  *key;
    size_t     i, j, k, miss, cap;
    uint16_t   uid;

    *out = 0;
    *dropped = 0;

    if (n > PYLON_WEIGHTS_MAX_UIDS) {
        return -1;
    }

    /* where each uid already sits in the output (a dict keyed by uid) */
    cap = 16;
    while (cap < n * 2) {
        cap *= 2;
    }
    pos = malloc(cap * (sizeof(int32_t) + sizeof(uint16_t)));
    if (pos == NULL) {
        return -1;
    }
    key = (uint16_t *) (pos + cap);
    memset(pos, 0xff, cap * sizeof(int32_t));

    k = 0;
    miss = 0;
    for (i = 0; i < n; i++) {
        if (pylon_uidmap_get(m, w[i].hotkey, w[i].hotkey_len, &uid) != 0) {
            miss++;
            continue;
        }

        for (j = (uid * 40503u) & (cap - 1); pos[j] >= 0 && key[j] != uid;
             j = (j + 1) & (cap - 1))
        {
            /* probe */
        }

        if (pos[j] >= 0) {
            values[pos[j]] = w[i].weight;
            continue;
        }
        key[j] = uid;
        pos[j] = (int32_t) k;
        uids[k] = uid;
        values[k] = w[i].weight;
        k++;
    }

    free(pos);
    *out = k;
    *dropped = miss;
    return 0;
}


int
pylon_weights_normalize(uint16_t *out, const double *w, size_t n)
{
    double  mx, x;
    size_t  i;

    mx = 0.0;
    for (i = 0; i < n; i++) {
        if (isnan(w[i]) || isinf(w[i]) || w[i] < 0) {
            return -1;
        }
        if (w[i] > mx) {
            mx = w[i];
        }
    }

    if (fegetround() != FE_TONEAREST) {
        fesetround(FE_TONEAREST);
    }

    for (i = 0; i < n; i++) {
        if (mx == 0.0) {
            out[i] = 0;
            continue;
        }
        x = nearbyint(w[i] / mx * 65535.0);
        out[i] = (uint16_t) (x > 65535.0 ? 65535.0 : x);
    }

    return 0;
}


int
pylon_weights_plan(pylon_weights_plan_t *p, const pylon_weight_t *w,
    size_t n, const pylon_uidmap_t *m)
{
    double  *vals;
    size_t   k, dropped;

    memset(p, 0, sizeof(*p));

    if (n > PYLON_WEIGHTS_MAX_UIDS) {
        return -1;
    }

    vals = malloc((n ? n : 1) * sizeof(double));
    p->uids = malloc((n ? n : 1) * sizeof(uint16_t));
    p->values = malloc((n ? n : 1) * sizeof(uint16_t));
    if (vals == NULL || p->uids == NULL || p->values == NULL) {
        goto failed;
    }

    if (pylon_weights_translate(p->uids, vals, &k, &dropped, w, n, m) != 0
        || pylon_weights_normalize(p->values, vals, k) != 0)
    {
        goto failed;
    }

    free(vals);
    p->n = k;
    p->dropped = dropped;
    return 0;

failed:
    free(vals);
    pylon_weights_plan_free(p);
    return -1;
}


void
pylon_weights_plan_free(pylon_weights_plan_t *p)
{
    free(p->uids);
    free(p->values);
    memset(p, 0, sizeof(*p));
}


uint64_t
pylon_weights_version_key(uint64_t configured, uint64_t chain)
{
    return configured > chain ? configured : chain;
}


uint16_t
pylon_weights_netuid_index(uint16_t netuid, uint8_t mecid)
{
    return (uint16_t) ((uint32_t) mecid * 4096u + netuid);
}


int
pylon_weights_epoch(int64_t *start, uint64_t *end, uint64_t block,
    uint16_t netuid, uint32_t tempo)
{
    uint64_t  interval, next;

    if (tempo == 0) {
        return -1;
    }

    interval = (uint64_t) tempo + 1;
    next = block + tempo - (block + netuid + 1) % interval;

    if (next == block) {
        *start = (int64_t) next;
        *end = next + interval;
    } else {
        *start = (int64_t) next - (int64_t) interval;
        *end = next;
    }

    return 0;
}


int
pylon_weights_window(uint64_t *open, uint64_t *close, uint64_t head,
    uint16_t netuid, uint32_t tempo, uint64_t offset, uint64_t buffer,
    uint64_t cycle)
{
    int64_t   start;
    uint64_t  k, b, end;

    if (tempo == 0 || cycle == 0) {
        return -1;
    }

    for (k = 0; k <= cycle; k++) {
        b = head + k * ((uint64_t) tempo + 1);

        (void) pylon_weights_epoch(&start, &end, b, netuid, tempo);

        if ((end / ((uint64_t) tempo + 1)) % cycle != 0
            || end < buffer || end - buffer < head)
        {
            continue;
        }

        *open = (start > 0 ? (uint64_t) start : 0) + offset;
        *close = end - buffer;

        if (*open > *close) {
            continue;                  /* offset past the buffer */
        }

        return 0;
    }

    return -1;
}


int
pylon_weights_reveal_window(uint64_t *first, uint64_t *last,
    uint64_t commit_block, uint16_t netuid, uint32_t tempo,
    uint64_t reveal_period)
{
    uint64_t  len, e, f;

    if (tempo == 0) {
        return -1;
    }

    len = (uint64_t) tempo + 1;
    e = (commit_block + netuid + 1) / len + reveal_period;
    f = e * len;

    /* saturating, as the runtime's */
    *first = f > (uint64_t) netuid + 1 ? f - (netuid + 1) : 0;
    *last = *first + tempo;

    return 0;
}


int
pylon_weights_tempo_ended(uint64_t head, uint64_t epoch_end)
{
    return head > epoch_end;
}


double
pylon_retry_wait(unsigned attempt, double delay)
{
    double  w;

    w = ldexp(1.0, attempt ? (int) attempt - 1 : 0);
    if (w > 10.0 * delay) {
        w = 10.0 * delay;
    }
    if (w < delay) {
        w = delay;
    }
    return w < 0 ? 0 : w;
}


unsigned
pylon_retry_total(unsigned retries)
{
    return retries + 1;
}


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


static unsigned char *
put_vec_u16(unsigned char *p, const uint16_t *v, size_t n)
{
    size_t  i;

    p = put_compact(p, n);
    for (i = 0; i < n; i++) {
        *p++ = (unsigned char) v[i];
        *p++ = (unsigned char) (v[i] >> 8);
    }
    return p;
}


size_t
pylon_weights_commit_preimage_len(size_t n, size_t nsalt)
{
    return PYLON_WEIGHTS_ACCOUNT_BYTES + 2
           + 2 * (compact_len(n) + 2 * n)
           + compact_len(nsalt) + 2 * nsalt + 8;
}


int
pylon_weights_commit_preimage(unsigned char *buf, size_t cap, size_t *len,
    const unsigned char hotkey[PYLON_WEIGHTS_ACCOUNT_BYTES],
    uint16_t netuid_index, const uint16_t *uids, const uint16_t *values,
    size_t n, const uint16_t *salt, size_t nsalt, uint64_t version_key)
{
    unsigned char  *p;
    size_t          need;
    int             i;

    if (n > PYLON_WEIGHTS_MAX_UIDS || nsalt > PYLON_WEIGHTS_MAX_UIDS) {
        return -1;
    }

    need = pylon_weights_commit_preimage_len(n, nsalt);
    if (cap < need) {
        return -1;
    }

    p = buf;
    memcpy(p, hotkey, PYLON_WEIGHTS_ACCOUNT_BYTES);
    p += PYLON_WEIGHTS_ACCOUNT_BYTES;
    *p++ = (unsigned char) netuid_index;
    *p++ = (unsigned char) (netuid_index >> 8);
    p = put_vec_u16(p, uids, n);
    p = put_vec_u16(p, values, n);
    p = put_vec_u16(p, salt, nsalt);
    for (i = 0; i < 8; i++) {
        *p++ = (unsigned char) (version_key >> (8 * i));
    }

    *len = (size_t) (p - buf);
    return 0;
}


int
pylon_weights_commit_hash(unsigned char out[PYLON_WEIGHTS_HASH_BYTES],
    const unsigned char hotkey[PYLON_WEIGHTS_ACCOUNT_BYTES],
    uint16_t netuid_index, const uint16_t *uids, const uint16_t *values,
    size_t n, const uint16_t *salt, size_t nsalt, uint64_t version_key)
{
    unsigned char  *buf;
    size_t          cap, len;
    int             rc;

    if (n > PYLON_WEIGHTS_MAX_UIDS || nsalt > PYLON_WEIGHTS_MAX_UIDS) {
        return -1;
    }

    cap = pylon_weights_commit_preimage_len(n, nsalt);
    buf = malloc(cap);
    if (buf == NULL) {
        return -1;
    }

    rc = pylon_weights_commit_preimage(buf, cap, &len, hotkey, netuid_index,
                                       uids, values, n, salt, nsalt,
                                       version_key);
    if (rc == 0) {
        rc = crypto_generichash(out, PYLON_WEIGHTS_HASH_BYTES, buf, len,
                                NULL, 0);
    }

    free(buf);
    return rc == 0 ? 0 : -1;
}
