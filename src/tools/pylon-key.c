/*
 * pylon-key: sr25519 keys from the command line, for tests and humans.
 *
 *     pylon-key inspect SURI|MNEMONIC|WALLET_HOTKEY_FILE
 *         prints the public key (hex) and its SS58 address (prefix 42)
 *     pylon-key sign SURI HEX
 *         prints the signature (0x + 128 hex digits) of the bytes HEX
 *     pylon-key verify PUB SIG HEX
 *         exits 0 only when SIG is a valid signature of HEX under PUB
 *         (PUB is 0x + 64 hex digits or an SS58 address)
 *
 * An argument that names an existing file is read as a bittensor hotkey
 * file (unless it starts with "//" and is not a regular file, so "//" is
 * a SURI, not the root directory); anything else is a secret URI
 * ("//Alice", "<phrase>//hard///pw", "0x<mini secret>").  Mnemonics
 * need the BIP39 English word list:
 * $PYLON_BIP39_WORDLIST, else $PYLON_SHARED/fixtures/bip39-english.txt.
 * Exit codes: 0 success, 1 invalid signature, 2 usage or input error.
 * Secrets given as arguments are visible to other local users (ps);
 * prefer wallet files outside tests.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/address.h"
#include "crypto/mnemonic.h"
#include "crypto/suri.h"
#include "crypto/wallet.h"


static char  key_wordlist_buf[4096];


static int
key_usage(void)
{
    fprintf(stderr,
            "usage: pylon-key inspect SURI|MNEMONIC|WALLET_HOTKEY_FILE\n"
            "       pylon-key sign SURI|WALLET_HOTKEY_FILE HEX\n"
            "       pylon-key verify PUBHEX|SS58 SIGHEX HEX\n");
    return 2;
}


/* path of the BIP39 word list, or NULL when none is configured */
static const char *
key_wordlist_path(void)
{
    const char  *p;

    p = getenv(PYLON_BIP39_WORDLIST_ENV);
    if (p != NULL && p[0] != '\0') {
        return p;
    }

    p = getenv("PYLON_SHARED");
    if (p != NULL && p[0] != '\0') {
        snprintf(key_wordlist_buf, sizeof(key_wordlist_buf),
                 "%s/fixtures/bip39-english.txt", p);
        if (access(key_wordlist_buf, R_OK) == 0) {
            return key_wordlist_buf;
        }
    }

    return NULL;
}


/* hex (optionally 0x-prefixed) into a malloc()'d buffer; NULL if invalid */
static unsigned char *
key_unhex(const char *hex, size_t *len)
{
    size_t          n, bin;
    unsigned char  *out;

    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
    }

    n = strlen(hex);
    if (n % 2 != 0) {
        return NULL;
    }

    out = malloc(n / 2 + 1);
    if (out == NULL) {
        return NULL;
    }

    if (sodium_hex2bin(out, n / 2 + 1, hex, n, NULL, &bin, NULL) != 0
        || bin != n / 2)
    {
        free(out);
        return NULL;
    }

    *len = bin;
    return out;
}


static pylon_sr25519_keypair_t *
key_load(const char *arg)
{
    char                      err[PYLON_WALLET_ERR_MAX];
    struct stat               st;
    const char               *wlpath;
    pylon_bip39_wordlist_t   *wl;
    pylon_sr25519_keypair_t  *kp;

    wlpath = key_wordlist_path();

    if (stat(arg, &st) == 0
        && (S_ISREG(st.st_mode) || !(arg[0] == '/' && arg[1] == '/')))
    {
        kp = pylon_wallet_load_file(arg, wlpath, err, sizeof(err));
        if (kp == NULL) {
            fprintf(stderr, "pylon-key: %s\n", err);
        }
        return kp;
    }

    wl = NULL;
    if (pylon_suri_needs_wordlist(arg)) {
        if (wlpath == NULL) {
            fprintf(stderr, "pylon-key: a mnemonic needs the BIP39 English "
                    "word list: set %s (or PYLON_SHARED)\n",
                    PYLON_BIP39_WORDLIST_ENV);
            return NULL;
        }

        wl = pylon_bip39_wordlist_load(wlpath, err, sizeof(err));
        if (wl == NULL) {
            fprintf(stderr, "pylon-key: %s\n", err);
            return NULL;
        }
    }

    kp = pylon_sr25519_keypair_new();
    if (kp == NULL) {
        fprintf(stderr, "pylon-key: out of memory\n");
        pylon_bip39_wordlist_free(wl);
        return NULL;
    }

    if (pylon_suri_keypair(kp, arg, wl, err, sizeof(err)) != 0) {
        fprintf(stderr, "pylon-key: %s\n", err);
        pylon_sr25519_keypair_free(kp);
        kp = NULL;
    }

    pylon_bip39_wordlist_free(wl);
    return kp;
}


static int
key_inspect(const char *arg)
{
    char                      hex[65], ss58[PYLON_ADDRESS_SS58_MAX];
    pylon_sr25519_keypair_t  *kp;

    kp = key_load(arg);
    if (kp == NULL) {
        return 2;
    }

    sodium_bin2hex(hex, sizeof(hex), kp->pub, 32);
    pylon_address_ss58_encode(ss58, sizeof(ss58), kp->pub,
                              PYLON_ADDRESS_PREFIX_BITTENSOR);
    pylon_sr25519_keypair_free(kp);

    printf("Public key (hex):  0x%s\n", hex);
    printf("SS58 Address:      %s\n", ss58);
    return 0;
}


static int
key_sign(const char *arg, const char *msghex)
{
    int                       rc;
    char                      hex[129];
    size_t                    len;
    unsigned char             sig[PYLON_SR25519_SIGNATURE_BYTES];
    unsigned char            *msg;
    pylon_sr25519_keypair_t  *kp;

    msg = key_unhex(msghex, &len);
    if (msg == NULL) {
        fprintf(stderr, "pylon-key: message is not hex\n");
        return 2;
    }

    kp = key_load(arg);
    if (kp == NULL) {
        free(msg);
        return 2;
    }

    rc = pylon_sr25519_sign(sig, msg, len, kp);
    pylon_sr25519_keypair_free(kp);
    free(msg);

    if (rc != 0) {
        fprintf(stderr, "pylon-key: signing failed\n");
        return 2;
    }

    sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
    printf("0x%s\n", hex);
    return 0;
}


static int
key_verify(const char *pubarg, const char *sighex, const char *msghex)
{
    int             rc;
    size_t          publen, siglen, len;
    unsigned char   pub[32];
    unsigned char  *p, *sig, *msg;

    p = key_unhex(pubarg, &publen);
    if (p != NULL && publen == 32) {
        memcpy(pub, p, 32);
    } else if (pylon_address_ss58_decode(pub, NULL, pubarg) != 0) {
        fprintf(stderr, "pylon-key: public key is neither 32 bytes of hex "
                "nor an SS58 address\n");
        free(p);
        return 2;
    }
    free(p);

    sig = key_unhex(sighex, &siglen);
    if (sig == NULL || siglen != PYLON_SR25519_SIGNATURE_BYTES) {
        fprintf(stderr, "pylon-key: signature is not 64 bytes of hex\n");
        free(sig);
        return 2;
    }

    msg = key_unhex(msghex, &len);
    if (msg == NULL) {
        fprintf(stderr, "pylon-key: message is not hex\n");
        free(sig);
        return 2;
    }

    rc = pylon_sr25519_verify(sig, msg, len, pub);

    free(sig);
    free(msg);

    if (rc != 0) {
        fprintf(stderr, "pylon-key: invalid signature\n");
        return 1;
    }

    return 0;
}


int
main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "pylon-key: libsodium failed to initialise\n");
        return 2;
    }

    if (argc == 3 && strcmp(argv[1], "inspect") == 0) {
        return key_inspect(argv[2]);
    }

    if (argc == 4 && strcmp(argv[1], "sign") == 0) {
        return key_sign(argv[2], argv[3]);
    }

    if (argc == 5 && strcmp(argv[1], "verify") == 0) {
        return key_verify(argv[2], argv[3], argv[4]);
    }

    return key_usage();
}
