/*
 * wallet.c: load a bittensor hotkey file into an sr25519 keypair.
 *
 * The file is read whole into sodium_malloc()'d memory, checked for the
 * encrypted formats btwallet writes, parsed in place by keyjson.c, and
 * every secret it holds (secretSeed, privateKey, secretPhrase) is turned
 * into a keypair; all must agree, and the public fields must match.  The
 * buffer, the scratch keypair and any word list are released (wiped)
 * before returning, on every path.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/address.h"
#include "crypto/keyjson.h"
#include "crypto/mnemonic.h"
#include "crypto/wallet.h"


enum {
    WALLET_PHRASE = 0,
    WALLET_SEED,
    WALLET_PRIVATE,
    WALLET_PUBLIC,
    WALLET_ACCOUNT,
    WALLET_SS58,
    WALLET_NFIELDS
};


static void
wallet_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
    va_list  ap;
    int      n;

    if (err == NULL || errlen == 0) {
        return;
    }

    n = snprintf(err, errlen, "key file \"%s\": ", path);
    if (n < 0 || (size_t) n >= errlen) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(err + n, errlen - n, fmt, ap);
    va_end(ap);
}


/* "0x" + 2 * len hex digits (the 0x is optional) into out; -1 otherwise */
static int
wallet_hex(unsigned char *out, size_t len, const char *hex, size_t hexlen)
{
    size_t  bin;

    if (hexlen >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
        hexlen -= 2;
    }

    if (hexlen != 2 * len
        || sodium_hex2bin(out, len, hex, hexlen, NULL, &bin, NULL) != 0
        || bin != len)
    {
        return -1;
    }

    return 0;
}


/* read the whole file into sodium_malloc()'d memory (one spare byte) */
static char *
wallet_read(const char *path, size_t *len, char *err, size_t errlen)
{
    int          fd;
    char        *buf;
    size_t       got;
    ssize_t      n;
    struct stat  st;

    if (sodium_init() < 0) {
        wallet_err(err, errlen, path, "libsodium failed to initialise");
        return NULL;
    }

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);  /* FIFOs */
    if (fd == -1) {
        if (errno == ENOENT) {
            wallet_err(err, errlen, path, "does not exist");
        } else {
            wallet_err(err, errlen, path, "cannot be opened: %s",
                       strerror(errno));
        }
        return NULL;
    }

    if (fstat(fd, &st) != 0) {
        wallet_err(err, errlen, path, "cannot be read: %s", strerror(errno));
        close(fd);
        return NULL;
    }

    if (!S_ISREG(st.st_mode)) {
        wallet_err(err, errlen, path, "is not a regular file");
        close(fd);
        return NULL;
    }

    if (st.st_size == 0) {
        wallet_err(err, errlen, path, "is empty");
        close(fd);
        return NULL;
    }

    if (st.st_size > PYLON_WALLET_FILE_MAX) {
        wallet_err(err, errlen, path, "is too large for a key file "
                   "(%lld bytes)", (long long) st.st_size);
        close(fd);
        return NULL;
    }

    buf = sodium_malloc((size_t) st.st_size + 1);
    if (buf == NULL) {
        wallet_err(err, errlen, path, "out of memory");
        close(fd);
        return NULL;
    }

    got = 0;
    while (got < (size_t) st.st_size) {
        n = read(fd, buf + got, (size_t) st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }

        if (n <= 0) {
            wallet_err(err, errlen, path, "cannot be read: %s",
                       n < 0 ? strerror(errno) : "file shrank");
            close(fd);
            sodium_free(buf);
            return NULL;
        }

        got += (size_t) n;
    }

    close(fd);
    *len = got;
    return buf;
}


/* the reason an encrypted file cannot be used, or NULL */
static const char *
wallet_encrypted(const char *buf, size_t len)
{
    while (len > 0 && (*buf == ' ' || *buf == '\n' || *buf == '\r'
                       || *buf == '\t'))
    {
        buf++;
        len--;
    }

    if (len >= 5 && memcmp(buf, "$NACL", 5) == 0) {
        return "is encrypted (btwallet NaCl); Pylon needs an unencrypted "
               "hotkey file";
    }

    if (len >= 14 && memcmp(buf, "$ANSIBLE_VAULT", 14) == 0) {
        return "is encrypted (ansible vault); Pylon needs an unencrypted "
               "hotkey file";
    }

    if (len >= 6 && memcmp(buf, "gAAAAA", 6) == 0) {
        return "is encrypted (legacy Fernet); Pylon needs an unencrypted "
               "hotkey file";
    }

    return NULL;
}


/* kp := cand when kp is still empty (*have == 0), else require equality */
static int
wallet_agree(pylon_sr25519_keypair_t *kp, const pylon_sr25519_keypair_t *cand,
    int *have)
{
    if (!*have) {
        memcpy(kp, cand, sizeof(pylon_sr25519_keypair_t));
        *have = 1;
        return 0;
    }

    return sodium_memcmp(kp, cand, sizeof(pylon_sr25519_keypair_t));
}


static int
wallet_from_fields(pylon_sr25519_keypair_t *kp, pylon_sr25519_keypair_t *tmp,
    pylon_keyjson_field_t *f, const char *path, const char *wordlist_path,
    char *err, size_t errlen)
{
    int                      have, rc;
    char                     merr[256];
    unsigned char            seed[32], secret[64], pub[32];
    pylon_bip39_wordlist_t  *wl;

    have = 0;
    rc = -1;

    if (f[WALLET_SEED].value != NULL) {
        if (wallet_hex(seed, 32, f[WALLET_SEED].value, f[WALLET_SEED].len)
            != 0 || pylon_sr25519_keypair_from_mini(tmp, seed) != 0)
        {
            wallet_err(err, errlen, path, "secretSeed is not 0x and 64 hex "
                       "digits");
            goto done;
        }

        wallet_agree(kp, tmp, &have);
    }

    if (f[WALLET_PRIVATE].value != NULL) {
        if (wallet_hex(secret, 64, f[WALLET_PRIVATE].value,
                       f[WALLET_PRIVATE].len) != 0)
        {
            wallet_err(err, errlen, path, "privateKey is not 0x and 128 hex "
                       "digits");
            goto done;
        }

        if (pylon_sr25519_keypair_from_secret(tmp, secret) != 0
            && pylon_sr25519_keypair_from_ed25519_secret(tmp, secret) != 0)
        {
            wallet_err(err, errlen, path, "privateKey is not a valid sr25519 "
                       "secret key");
            goto done;
        }

        if (wallet_agree(kp, tmp, &have) != 0) {
            wallet_err(err, errlen, path, "privateKey and secretSeed are "
                       "different keys");
            goto done;
        }
    }

    if (f[WALLET_PHRASE].value != NULL
        && (wordlist_path != NULL || !have))
    {
        if (wordlist_path == NULL) {
            wallet_err(err, errlen, path, "has only a secretPhrase and no "
                       "BIP39 word list was given to read it");
            goto done;
        }

        wl = pylon_bip39_wordlist_load(wordlist_path, merr, sizeof(merr));
        if (wl == NULL) {
            wallet_err(err, errlen, path, "%s", merr);
            goto done;
        }

        rc = pylon_mnemonic_to_mini(seed, f[WALLET_PHRASE].value, NULL, wl,
                                    merr, sizeof(merr));
        pylon_bip39_wordlist_free(wl);

        if (rc != 0 || pylon_sr25519_keypair_from_mini(tmp, seed) != 0) {
            rc = -1;
            wallet_err(err, errlen, path, "secretPhrase: %s", merr);
            goto done;
        }

        rc = -1;
        if (wallet_agree(kp, tmp, &have) != 0) {
            wallet_err(err, errlen, path, "secretPhrase and the other secret "
                       "fields are different keys");
            goto done;
        }
    }

    if (!have) {
        wallet_err(err, errlen, path, "contains no secret key (only public "
                   "fields: is it a *pub.txt or coldkeypub file?)");
        goto done;
    }

    if (f[WALLET_PUBLIC].value != NULL) {
        if (wallet_hex(pub, 32, f[WALLET_PUBLIC].value, f[WALLET_PUBLIC].len)
            != 0 || sodium_memcmp(pub, kp->pub, 32) != 0)
        {
            wallet_err(err, errlen, path, "publicKey does not match the "
                       "secret key");
            goto done;
        }
    }

    if (f[WALLET_ACCOUNT].value != NULL) {
        if (wallet_hex(pub, 32, f[WALLET_ACCOUNT].value,
                       f[WALLET_ACCOUNT].len) != 0
            || sodium_memcmp(pub, kp->pub, 32) != 0)
        {
            wallet_err(err, errlen, path, "accountId does not match the "
                       "secret key");
            goto done;
        }
    }

    if (f[WALLET_SS58].value != NULL) {
        if (pylon_address_ss58_decode(pub, NULL, f[WALLET_SS58].value) != 0
            || sodium_memcmp(pub, kp->pub, 32) != 0)
        {
            wallet_err(err, errlen, path, "ss58Address does not match the "
                       "secret key");
            goto done;
        }
    }

    rc = 0;

done:

    sodium_memzero(seed, sizeof(seed));
    sodium_memzero(secret, sizeof(secret));
    return rc;
}


pylon_sr25519_keypair_t *
pylon_wallet_load_file(const char *path, const char *wordlist_path,
    char *err, size_t errlen)
{
    int                       rc;
    char                     *buf, jerr[128];
    size_t                    len;
    const char               *enc;
    pylon_keyjson_field_t     f[WALLET_NFIELDS];
    pylon_sr25519_keypair_t  *kp, *tmp;

    buf = wallet_read(path, &len, err, errlen);
    if (buf == NULL) {
        return NULL;
    }

    kp = NULL;
    tmp = NULL;
    rc = -1;

    enc = wallet_encrypted(buf, len);
    if (enc != NULL) {
        wallet_err(err, errlen, path, "%s", enc);
        goto done;
    }

    f[WALLET_PHRASE].name = "secretPhrase";
    f[WALLET_SEED].name = "secretSeed";
    f[WALLET_PRIVATE].name = "privateKey";
    f[WALLET_PUBLIC].name = "publicKey";
    f[WALLET_ACCOUNT].name = "accountId";
    f[WALLET_SS58].name = "ss58Address";

    if (pylon_keyjson_parse(f, WALLET_NFIELDS, buf, len, jerr, sizeof(jerr))
        != 0)
    {
        wallet_err(err, errlen, path, "is not a key file: %s", jerr);
        goto done;
    }

    kp = pylon_sr25519_keypair_new();
    tmp = pylon_sr25519_keypair_new();
    if (kp == NULL || tmp == NULL) {
        wallet_err(err, errlen, path, "out of memory");
        goto done;
    }

    rc = wallet_from_fields(kp, tmp, f, path, wordlist_path, err, errlen);

done:

    sodium_memzero(buf, len);
    sodium_free(buf);
    pylon_sr25519_keypair_free(tmp);

    if (rc != 0) {
        pylon_sr25519_keypair_free(kp);
        return NULL;
    }

    return kp;
}


int
pylon_wallet_load_public(unsigned char pub[PYLON_SR25519_PUBLIC_BYTES],
    const char *path, char *err, size_t errlen)
{
    int                    rc, have, i;
    char                  *buf, jerr[128];
    size_t                 len;
    const char            *enc;
    unsigned char          k[32];
    pylon_keyjson_field_t  f[3];

    buf = wallet_read(path, &len, err, errlen);
    if (buf == NULL) {
        return -1;
    }

    rc = -1;

    enc = wallet_encrypted(buf, len);
    if (enc != NULL) {
        wallet_err(err, errlen, path, "%s", enc);
        goto done;
    }

    f[0].name = "publicKey";
    f[1].name = "accountId";
    f[2].name = "ss58Address";

    if (pylon_keyjson_parse(f, 3, buf, len, jerr, sizeof(jerr)) != 0) {
        wallet_err(err, errlen, path, "is not a key file: %s", jerr);
        goto done;
    }

    have = 0;
    for (i = 0; i < 3; i++) {
        if (f[i].value == NULL) {
            continue;
        }

        if ((i < 2 ? wallet_hex(k, 32, f[i].value, f[i].len)
                   : pylon_address_ss58_decode(k, NULL, f[i].value)) != 0)
        {
            wallet_err(err, errlen, path, "%s is malformed", f[i].name);
            goto done;
        }

        if (have && memcmp(k, pub, 32) != 0) {
            wallet_err(err, errlen, path, "%s disagrees with %s", f[i].name,
                       f[0].value != NULL ? f[0].name : f[1].name);
            goto done;
        }

        memcpy(pub, k, 32);
        have = 1;
    }

    if (!have) {
        wallet_err(err, errlen, path, "has no publicKey, accountId or "
                   "ss58Address");
        goto done;
    }

    rc = 0;

done:

    sodium_memzero(buf, len);
    sodium_free(buf);
    return rc;
}


static int
wallet_plain_name(const char *s)
{
    return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0
           && strcmp(s, "..") != 0;
}


pylon_sr25519_keypair_t *
pylon_wallet_load_hotkey(const char *wallet_path, const char *wallet,
    const char *hotkey, const char *wordlist_path, char *err, size_t errlen)
{
    char                     *path;
    size_t                    n;
    pylon_sr25519_keypair_t  *kp;

    if (!wallet_plain_name(wallet) || !wallet_plain_name(hotkey)) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "wallet \"%s\" / hotkey \"%s\": names must "
                     "be plain file names", wallet, hotkey);
        }
        return NULL;
    }

    n = strlen(wallet_path) + strlen(wallet) + strlen(hotkey) + 16;
    path = malloc(n);
    if (path == NULL) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "out of memory");
        }
        return NULL;
    }

    snprintf(path, n, "%s/%s/hotkeys/%s", wallet_path, wallet, hotkey);

    kp = pylon_wallet_load_file(path, wordlist_path, err, errlen);

    free(path);
    return kp;
}
