/*
 * strobe.h: STROBE-128 (v1.0.2), only the operations Merlin transcripts use:
 * meta-AD, AD, PRF and KEY, each optionally continuing the previous
 * operation ("more").  Security level 128 gives rate 166 bytes.
 *
 * A pylon_strobe_t is plain memory; when it has absorbed secrets the caller
 * wipes it with sodium_memzero() (pylon_strobe_wipe() does exactly that).
 */

#ifndef PYLON_CRYPTO_STROBE_H
#define PYLON_CRYPTO_STROBE_H

#include <stddef.h>

#include "crypto/keccak.h"

#define PYLON_STROBE_R  166

#define PYLON_STROBE_FLAG_I  0x01
#define PYLON_STROBE_FLAG_A  0x02
#define PYLON_STROBE_FLAG_C  0x04
#define PYLON_STROBE_FLAG_T  0x08
#define PYLON_STROBE_FLAG_M  0x10
#define PYLON_STROBE_FLAG_K  0x20


typedef struct {
    unsigned char  state[PYLON_KECCAK_STATE_BYTES];
    unsigned char  pos;
    unsigned char  pos_begin;
    unsigned char  cur_flags;
} pylon_strobe_t;


/* Initialise s for protocol label (STROBEv1.0.2 domain, then meta-AD). */
void pylon_strobe_init(pylon_strobe_t *s, const void *label, size_t len);

/* meta-AD: absorb framing data (flags M|A). more = continue last op. */
void pylon_strobe_meta_ad(pylon_strobe_t *s, const void *data, size_t len,
    int more);

/* AD: absorb associated data (flag A). */
void pylon_strobe_ad(pylon_strobe_t *s, const void *data, size_t len,
    int more);

/* PRF: squeeze len pseudo-random bytes into out (flags I|A|C). */
void pylon_strobe_prf(pylon_strobe_t *s, void *out, size_t len, int more);

/* KEY: overwrite the state with key material (flags A|C). */
void pylon_strobe_key(pylon_strobe_t *s, const void *key, size_t len,
    int more);

/* Wipe s (sodium_memzero). */
void pylon_strobe_wipe(pylon_strobe_t *s);

#endif /* PYLON_CRYPTO_STROBE_H */
