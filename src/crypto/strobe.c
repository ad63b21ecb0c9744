/*
 * strobe.c: the STROBE-128 subset Merlin needs, over Keccak-f[1600].
 *
 * The duplex state keeps a cursor pos into the rate (166 bytes).  Every
 * operation starts with begin_op(), which absorbs the previous op's start
 * position and the new flags; ops with the C (cipher) or K flag permute
 * first so their output depends on everything absorbed so far.  When the
 * cursor reaches the rate, run_f() pads (pos_begin, 0x04 domain bit, 0x80
 * at the rate end) and permutes.  Absorb XORs bytes in, KEY overwrites
 * them, PRF reads them out and zeroes them (the STROBE "squeeze").
 */

#include <string.h>

#include <sodium.h>

#include "crypto/strobe.h"


static void
strobe_run_f(pylon_strobe_t *s)
{
    s->state[s->pos] ^= s->pos_begin;
    s->state[s->pos + 1] ^= 0x04;
    s->state[PYLON_STROBE_R + 1] ^= 0x80;
    pylon_keccak_f1600(s->state);
    s->pos = 0;
    s->pos_begin = 0;
}


static void
strobe_absorb(pylon_strobe_t *s, const unsigned char *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        s->state[s->pos++] ^= p[i];
        if (s->pos == PYLON_STROBE_R) {
            strobe_run_f(s);
        }
    }
}


static void
strobe_overwrite(pylon_strobe_t *s, const unsigned char *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        s->state[s->pos++] = p[i];
        if (s->pos == PYLON_STROBE_R) {
            strobe_run_f(s);
        }
    }
}


static void
strobe_squeeze(pylon_strobe_t *s, unsigned char *out, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        out[i] = s->state[s->pos];
        s->state[s->pos++] = 0;
        if (s->pos == PYLON_STROBE_R) {
            strobe_run_f(s);
        }
    }
}


static void
strobe_begin_op(pylon_strobe_t *s, unsigned char flags, int more)
{
    unsigned char  hdr[2];

    if (more) {
        return;
    }

    hdr[0] = s->pos_begin;
    hdr[1] = flags;
    s->pos_begin = s->pos + 1;
    s->cur_flags = flags;

    strobe_absorb(s, hdr, 2);

    if ((flags & (PYLON_STROBE_FLAG_C | PYLON_STROBE_FLAG_K)) && s->pos != 0) {
        strobe_run_f(s);
    }
}


void
pylon_strobe_init(pylon_strobe_t *s, const void *label, size_t len)
{
    static const unsigned char  domain[18] = {
        1, PYLON_STROBE_R + 2, 1, 0, 1, 96,
        'S', 'T', 'R', 'O', 'B', 'E', 'v', '1', '.', '0', '.', '2'
    };

    memset(s, 0, sizeof(pylon_strobe_t));
    memcpy(s->state, domain, sizeof(domain));
    pylon_keccak_f1600(s->state);

    pylon_strobe_meta_ad(s, label, len, 0);
}


void
pylon_strobe_meta_ad(pylon_strobe_t *s, const void *data, size_t len,
    int more)
{
    strobe_begin_op(s, PYLON_STROBE_FLAG_M | PYLON_STROBE_FLAG_A, more);
    strobe_absorb(s, data, len);
}


void
pylon_strobe_ad(pylon_strobe_t *s, const void *data, size_t len, int more)
{
    strobe_begin_op(s, PYLON_STROBE_FLAG_A, more);
    strobe_absorb(s, data, len);
}


void
pylon_strobe_prf(pylon_strobe_t *s, void *out, size_t len, int more)
{
    strobe_begin_op(s, PYLON_STROBE_FLAG_I | PYLON_STROBE_FLAG_A
                       | PYLON_STROBE_FLAG_C, more);
    strobe_squeeze(s, out, len);
}


void
pylon_strobe_key(pylon_strobe_t *s, const void *key, size_t len, int more)
{
    strobe_begin_op(s, PYLON_STROBE_FLAG_A | PYLON_STROBE_FLAG_C, more);
    strobe_overwrite(s, key, len);
}


void
pylon_strobe_wipe(pylon_strobe_t *s)
{
    sodium_memzero(s, sizeof(pylon_strobe_t));
}
