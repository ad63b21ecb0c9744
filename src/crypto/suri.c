/*
 * suri.c: parse a secret URI, make the root keypair from its phrase or hex
 * seed, then apply each hard junction in order.
 *
 * The development phrase is kept as its 16 bytes of BIP39 entropy, so
 * "//Alice" works without a word list (the unit test checks the entropy
 * against the phrase).  Phrase and password are copied into
 * sodium_malloc()'d memory while in use and wiped after.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "crypto/suri.h"


/* BIP39 entropy of PYLON_SURI_DEV_PHRASE */
static const unsigned char  suri_dev_entropy[16] = {
    0x1a, 0x48, 0x6a, 0x5f, 0xbe, 0x53, 0x63, 0x99,
    0x84, 0xcb, 0x64, 0xb0, 0x70, 0x75, 0x5f, 0x7b
};


static void
suri_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list  ap;

    if (err == NULL || errlen == 0) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}


void
pylon_suri_chain_code(unsigned char cc[PYLON_SR25519_CHAIN_CODE_BYTES],
    const char *junction, size_t len)
{
    size_t              i, n;
    uint64_t            v, digit;
    unsigned char       enc[2];
    int                 numeric;
    const unsigned char *src;

    memset(cc, 0, PYLON_SR25519_CHAIN_CODE_BYTES);

    numeric = len > 0;
    v = 0;
    for (i = 0; i < len && numeric; i++) {
        if (junction[i] < '0' || junction[i] > '9') {
            numeric = 0;
            break;
        }

        digit = (uint64_t) (junction[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) {
            numeric = 0;        /* does not fit u64: a string junction */
            break;
        }

        v = v * 10 + digit;
    }

    if (numeric) {
        for (i = 0; i < 8; i++) {
            cc[i] = (unsigned char) (v >> (8 * i));
        }
        return;
    }

    /* SCALE string: compact length then bytes */
    if (len < 64) {
        enc[0] = (unsigned char) (len << 2);
        n = 1;
    } else {
        enc[0] = (unsigned char) (((len << 2) | 1) & 0xff);
        enc[1] = (unsigned char) (len >> 6);
        n = 2;
    }

    if (n + len <= PYLON_SR25519_CHAIN_CODE_BYTES) {
        memcpy(cc, enc, n);
        memcpy(cc + n, junction, len);
        return;
    }

    /* longer than 32 bytes: BLAKE2b-256 of the encoding */
    {
        crypto_generichash_state  st;

        src = (const unsigned char *) junction;
        crypto_generichash_init(&st, NULL, 0, PYLON_SR25519_CHAIN_CODE_BYTES);
        crypto_generichash_update(&st, enc, n);
        crypto_generichash_update(&st, src, len);
        crypto_generichash_final(&st, cc, PYLON_SR25519_CHAIN_CODE_BYTES);
    }
}


int
pylon_suri_needs_wordlist(const char *suri)
{
    size_t  n;

    n = strcspn(suri, "/");
    if (n == 0) {
        return 0;
    }

    /* any 0x phrase is read as a hex seed (and refused if malformed) */
    return !(suri[0] == '0' && (suri[1] == 'x' || suri[1] == 'X'));
}


/* root keypair from phrase[0..plen) (may be empty) and password */
static int
suri_root(pylon_sr25519_keypair_t *kp, const char *phrase, size_t plen,
    const char *password, const pylon_bip39_wordlist_t *wl, char *err,
    size_t errlen)
{
    int             rc;
    char           *copy;
    size_t          bin;
    unsigned char   mini[32];

    rc = -1;

    if (plen == 0) {
        if (pylon_mnemonic_entropy_to_mini(mini, suri_dev_entropy,
                                           sizeof(suri_dev_entropy),
                                           password) != 0)
        {
            suri_err(err, errlen, "out of memory");
            return -1;
        }

        rc = pylon_sr25519_keypair_from_mini(kp, mini);
        sodium_memzero(mini, sizeof(mini));
        return rc;
    }

    if (phrase[0] == '0' && (phrase[1] == 'x' || phrase[1] == 'X')) {
        if (password != NULL) {
            suri_err(err, errlen, "a ///password cannot be used with a hex "
                     "seed");
            return -1;
        }

        if (plen != 66
            || sodium_hex2bin(mini, sizeof(mini), phrase + 2, 64, NULL, &bin,
                              NULL) != 0
            || bin != sizeof(mini))
        {
            suri_err(err, errlen, "hex seed must be 0x and 64 hex digits "
                     "(a 32-byte mini secret)");
            sodium_memzero(mini, sizeof(mini));
            return -1;
        }

        rc = pylon_sr25519_keypair_from_mini(kp, mini);
        sodium_memzero(mini, sizeof(mini));
        return rc;
    }

    copy = sodium_malloc(plen + 1);
    if (copy == NULL) {
        suri_err(err, errlen, "out of memory");
        return -1;
    }

    memcpy(copy, phrase, plen);
    copy[plen] = '\0';

    if (pylon_mnemonic_to_mini(mini, copy, password, wl, err, errlen) == 0) {
        rc = pylon_sr25519_keypair_from_mini(kp, mini);
    }

    sodium_memzero(mini, sizeof(mini));
    sodium_free(copy);
    return rc;
}


int
pylon_suri_keypair(pylon_sr25519_keypair_t *kp, const char *suri,
    const pylon_bip39_wordlist_t *wl, char *err, size_t errlen)
{
    int            rc;
    char          *password;
    size_t         len, plen, end, i, j;
    const char    *pw;
    unsigned char  cc[PYLON_SR25519_CHAIN_CODE_BYTES];

    if (sodium_init() < 0) {
        suri_err(err, errlen, "libsodium failed to initialise");
        return -1;
    }

    len = strlen(suri);

    pw = strstr(suri, "///");
    end = pw ? (size_t) (pw - suri) : len;

    password = NULL;
    if (pw != NULL) {
        password = sodium_malloc(len - end - 3 + 1);
        if (password == NULL) {
            suri_err(err, errlen, "out of memory");
            return -1;
        }

        memcpy(password, pw + 3, len - end - 3 + 1);
    }

    plen = strcspn(suri, "/");
    if (plen > end) {
        plen = end;
    }

    /* validate the path before any expensive key work */
    rc = -1;
    for (i = plen; i < end; i = j) {
        if (i + 1 < end && suri[i + 1] == '/') {
            j = i + 2;
        } else {
            suri_err(err, errlen, "soft derivation (\"/junction\") is not "
                     "supported; use hard junctions (\"//junction\")");
            goto done;
        }

        while (j < end && suri[j] != '/') {
            j++;
        }

        if (j == i + 2) {
            suri_err(err, errlen, "empty junction in derivation path");
            goto done;
        }

        if (j - i - 2 > PYLON_SURI_JUNCTION_MAX) {
            suri_err(err, errlen, "junction longer than %d bytes",
                     PYLON_SURI_JUNCTION_MAX);
            goto done;
        }
    }

    if (suri_root(kp, suri, plen, password, wl, err, errlen) != 0) {
        goto done;
    }

    for (i = plen; i < end; i = j) {
        j = i + 2;
        while (j < end && suri[j] != '/') {
            j++;
        }

        pylon_suri_chain_code(cc, suri + i + 2, j - i - 2);

        if (pylon_sr25519_derive_hard(kp, kp, cc, NULL) != 0) {
            suri_err(err, errlen, "hard derivation failed");
            sodium_memzero(kp, sizeof(pylon_sr25519_keypair_t));
            goto done;
        }
    }

    rc = 0;

done:

    if (password != NULL) {
        sodium_free(password);
    }

    sodium_memzero(cc, sizeof(cc));
    return rc;
}
