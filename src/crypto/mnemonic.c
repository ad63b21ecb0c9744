/*
 * mnemonic.c: BIP39 English phrases to Substrate mini secrets.
 *
 * The word list is loaded from a file, normalised to "word\n" x 2048 and
 * pinned by the SHA-256 of the published list, so a wrong or corrupted
 * file is refused rather than yielding wrong keys.  Words are stored in
 * fixed 8-byte slots; a phrase word is matched against every slot with
 * a branch-free compare, so the time taken does not reveal the word.
 * Each word gives 11 bits; the last ENT/32 bits are the SHA-256
 * checksum of the entropy.  PBKDF2 is the RFC 8018 loop over
 * crypto_auth_hmacsha512 (which takes keys of any length).
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/mnemonic.h"

#define BIP39_SLOT  8

/* SHA-256 of the published english.txt (bitcoin/bips, bip-0039) */
static const char  bip39_english_sha256[] =
    "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda";


struct pylon_bip39_wordlist_s {
    unsigned char  words[PYLON_BIP39_WORDS][BIP39_SLOT];
};


static void
mnemonic_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  ap;

    if (err == NULL || errlen == 0) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}


pylon_bip39_wordlist_t *
pylon_bip39_wordlist_load(const char *path, char *err, size_t errlen)
{
    FILE                             *f;
    int                               c;
    size_t                            n, len;
    char                              hex[2 * crypto_hash_sha256_BYTES + 1];
    unsigned char                     word[BIP39_SLOT + 1];
    unsigned char                     digest[crypto_hash_sha256_BYTES];
    pylon_bip39_wordlist_t           *wl;
    crypto_hash_sha256_state          sha;

    f = fopen(path, "r");
    if (f == NULL) {
        mnemonic_err(err, errlen, "cannot open BIP39 word list \"%s\": %s",
                     path, strerror(errno));
        return NULL;
    }

    wl = calloc(1, sizeof(pylon_bip39_wordlist_t));
    if (wl == NULL) {
        fclose(f);
        mnemonic_err(err, errlen, "out of memory");
        return NULL;
    }

    crypto_hash_sha256_init(&sha);
    n = 0;
    len = 0;

    for ( ;; ) {
        c = fgetc(f);

        if (c == EOF || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
            if (len > 0) {
                if (n == PYLON_BIP39_WORDS) {
                    n++;
                    break;
                }

                memcpy(wl->words[n], word, len);
                word[len] = '\n';
                crypto_hash_sha256_update(&sha, word, len + 1);
                n++;
                len = 0;
            }

            if (c == EOF) {
                break;
            }

            continue;
        }

        if (c < 'a' || c > 'z' || len == BIP39_SLOT) {
            n = 0;
            break;
        }

        word[len++] = (unsigned char) c;
    }

    if (ferror(f)) {
        mnemonic_err(err, errlen, "cannot read BIP39 word list \"%s\": %s",
                     path, strerror(errno));
        fclose(f);
        free(wl);
        return NULL;
    }

    fclose(f);

    crypto_hash_sha256_final(&sha, digest);
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));

    if (n != PYLON_BIP39_WORDS || strcmp(hex, bip39_english_sha256) != 0) {
        mnemonic_err(err, errlen, "\"%s\" is not the BIP39 English word "
                     "list (2048 words, sha256 %.16s...)", path,
                     bip39_english_sha256);
        free(wl);
        return NULL;
    }

    return wl;
}


void
pylon_bip39_wordlist_free(pylon_bip39_wordlist_t *wl)
{
    free(wl);
}


/* index of the 8-byte slot equal to w, or -1; constant time in w */
static int
mnemonic_lookup(const pylon_bip39_wordlist_t *wl,
    const unsigned char w[BIP39_SLOT])
{
    int       i, found;
    unsigned  diff, j, eq;

    found = -1;

    for (i = 0; i < PYLON_BIP39_WORDS; i++) {
        diff = 0;
        for (j = 0; j < BIP39_SLOT; j++) {
            diff |= wl->words[i][j] ^ w[j];
        }

        /* eq = all ones when diff == 0 */
        eq = ((diff | (0u - diff)) >> 31) - 1u;
        found = (int) (((unsigned) found & ~eq) | ((unsigned) i & eq));
    }

    return found;
}


int
pylon_mnemonic_to_entropy(unsigned char ent[PYLON_BIP39_MAX_ENTROPY],
    size_t *entlen, const char *phrase, const pylon_bip39_wordlist_t *wl,
    char *err, size_t errlen)
{
    int            rc, idx;
    unsigned       c;
    size_t         nwords, len, nbits, entbits, csbits, i, b;
    unsigned char  bits[33], w[BIP39_SLOT];
    unsigned char  hash[crypto_hash_sha256_BYTES];
    const char    *p;

    memset(bits, 0, sizeof(bits));
    nwords = 0;
    nbits = 0;
    rc = -1;
    p = phrase;

    for ( ;; ) {
        while (*p != '\0' && isspace((unsigned char) *p)) {
            p++;
        }

        if (*p == '\0') {
            break;
        }

        nwords++;
        if (nwords > 24) {
            mnemonic_err(err, errlen, "mnemonic has more than 24 words");
            goto done;
        }

        memset(w, 0, sizeof(w));
        len = 0;
        while (*p != '\0' && !isspace((unsigned char) *p)) {
            if (len < BIP39_SLOT) {
                /* branch-free ASCII lower case */
                c = (unsigned char) *p;
                c |= (unsigned) ((unsigned) (c - 'A') < 26) << 5;
                w[len] = (unsigned char) c;
            }
            len++;
            p++;
        }

        idx = len <= BIP39_SLOT ? mnemonic_lookup(wl, w) : -1;
        if (idx < 0) {
            mnemonic_err(err, errlen, "mnemonic word %zu is not in the "
                         "BIP39 English list", nwords);
            goto done;
        }

        for (b = 0; b < 11; b++) {
            bits[nbits / 8] |= (unsigned char)
                               (((idx >> (10 - b)) & 1) << (7 - nbits % 8));
            nbits++;
        }
    }

    if (nwords < 12 || nwords % 3 != 0) {
        mnemonic_err(err, errlen, "mnemonic has %zu words (expected 12, "
                     "15, 18, 21 or 24)", nwords);
        goto done;
    }

    entbits = nbits * 32 / 33;
    csbits = nbits - entbits;

    crypto_hash_sha256(hash, bits, entbits / 8);

    for (i = 0; i < csbits; i++) {
        b = entbits + i;
        if (((bits[b / 8] >> (7 - b % 8)) & 1)
            != ((hash[i / 8] >> (7 - i % 8)) & 1))
        {
            mnemonic_err(err, errlen, "mnemonic checksum does not match "
                         "(a word is wrong or the words are out of order)");
            goto done;
        }
    }

    memcpy(ent, bits, entbits / 8);
    *entlen = entbits / 8;
    rc = 0;

done:

    sodium_memzero(bits, sizeof(bits));
    sodium_memzero(w, sizeof(w));
    sodium_memzero(hash, sizeof(hash));
    return rc;
}


int
pylon_pbkdf2_hmac_sha512(unsigned char *out, size_t outlen,
    const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, unsigned long iterations)
{
    size_t                         blk, i, n;
    unsigned long                  it;
    unsigned char                  ctr[4], u[64], t[64];
    crypto_auth_hmacsha512_state   keyed, st;

    if (iterations == 0) {
        return -1;
    }

    crypto_auth_hmacsha512_init(&keyed, pass, passlen);

    for (blk = 1; outlen > 0; blk++) {
        ctr[0] = (unsigned char) (blk >> 24);
        ctr[1] = (unsigned char) (blk >> 16);
        ctr[2] = (unsigned char) (blk >> 8);
        ctr[3] = (unsigned char) blk;

        st = keyed;
        crypto_auth_hmacsha512_update(&st, salt, saltlen);
        crypto_auth_hmacsha512_update(&st, ctr, 4);
        crypto_auth_hmacsha512_final(&st, u);
        memcpy(t, u, 64);

        for (it = 1; it < iterations; it++) {
            st = keyed;
            crypto_auth_hmacsha512_update(&st, u, 64);
            crypto_auth_hmacsha512_final(&st, u);
            for (i = 0; i < 64; i++) {
                t[i] ^= u[i];
            }
        }

        n = outlen < 64 ? outlen : 64;
        memcpy(out, t, n);
        out += n;
        outlen -= n;
    }

    sodium_memzero(&keyed, sizeof(keyed));
    sodium_memzero(&st, sizeof(st));
    sodium_memzero(u, sizeof(u));
    sodium_memzero(t, sizeof(t));
    return 0;
}


int
pylon_mnemonic_entropy_to_mini(unsigned char mini[PYLON_MNEMONIC_MINI_BYTES],
    const unsigned char *ent, size_t entlen, const char *passphrase)
{
    int             rc;
    size_t          plen;
    unsigned char   seed[64];
    unsigned char  *salt;

    if (sodium_init() < 0) {
        return -1;
    }

    plen = passphrase ? strlen(passphrase) : 0;

    salt = sodium_malloc(8 + plen + 1);
    if (salt == NULL) {
        return -1;
    }

    memcpy(salt, "mnemonic", 8);
    if (plen) {
        memcpy(salt + 8, passphrase, plen);
    }

    rc = pylon_pbkdf2_hmac_sha512(seed, sizeof(seed), ent, entlen, salt,
                                  8 + plen, 2048);
    if (rc == 0) {
        memcpy(mini, seed, PYLON_MNEMONIC_MINI_BYTES);
    }

    sodium_memzero(seed, sizeof(seed));
    sodium_free(salt);   /* sodium_free() wipes */
    return rc;
}


int
pylon_mnemonic_to_mini(unsigned char mini[PYLON_MNEMONIC_MINI_BYTES],
    const char *phrase, const char *passphrase,
    const pylon_bip39_wordlist_t *wl, char *err, size_t errlen)
{
    int            rc;
    size_t         entlen;
    unsigned char  ent[PYLON_BIP39_MAX_ENTROPY];

    if (wl == NULL) {
        mnemonic_err(err, errlen, "a BIP39 word list is needed to read a "
                     "mnemonic (set %s)", PYLON_BIP39_WORDLIST_ENV);
        return -1;
    }

    if (pylon_mnemonic_to_entropy(ent, &entlen, phrase, wl, err, errlen)
        != 0)
    {
        return -1;
    }

    rc = pylon_mnemonic_entropy_to_mini(mini, ent, entlen, passphrase);
    if (rc != 0) {
        mnemonic_err(err, errlen, "out of memory");
    }

    sodium_memzero(ent, sizeof(ent));
    return rc;
}
