/*
 * test_crypto_mnemonic.c: PBKDF2-HMAC-SHA512 (known answer and OpenSSL as
 * an independent oracle), BIP39 word list loading, Substrate mnemonics
 * and SURIs against chain.md 8.7 (dev phrase, //Alice, //Bob, ///password,
 * the Pylon test hotkey), and every malformed input giving an error.
 */

#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include "crypto/suri.h"
#include "tap.h"


static const char  *shared;
static char         wlpath[4096];


static pylon_bip39_wordlist_t *
load_wordlist(void)
{
    char                     err[256];
    pylon_bip39_wordlist_t  *wl;

    wl = pylon_bip39_wordlist_load(wlpath, err, sizeof(err));
    if (wl == NULL) {
        diag("%s", err);
    }

    return wl;
}


static int
suri_pub_is(const char *suri, const pylon_bip39_wordlist_t *wl,
    const char *hex, const char *name)
{
    char                      err[256];
    pylon_sr25519_keypair_t  *kp;
    int                       rc;

    kp = pylon_sr25519_keypair_new();
    if (pylon_suri_keypair(kp, suri, wl, err, sizeof(err)) != 0) {
        diag("%s: %s", suri, err);
        memset(kp->pub, 0, 32);
    }

    rc = is_hex(kp->pub, 32, hex, name);
    pylon_sr25519_keypair_free(kp);
    return rc;
}


static int
suri_fails(const char *suri, const pylon_bip39_wordlist_t *wl,
    const char *want, const char *name)
{
    char                      err[256];
    pylon_sr25519_keypair_t  *kp;
    int                       rc;

    err[0] = '\0';
    kp = pylon_sr25519_keypair_new();
    rc = pylon_suri_keypair(kp, suri, wl, err, sizeof(err));
    pylon_sr25519_keypair_free(kp);

    if (!ok(rc == -1 && strstr(err, want) != NULL, "%s", name)) {
        diag("rc %d, err \"%s\", expected it to contain \"%s\"", rc, err,
             want);
        return 0;
    }

    return 1;
}


static void
test_pbkdf2(void)
{
    unsigned char  a[150], b[150], pass[40], salt[40];
    size_t         len;
    int            bad;

    pylon_pbkdf2_hmac_sha512(a, 64, (const unsigned char *) "password", 8,
                             (const unsigned char *) "salt", 4, 1);
    is_hex(a, 64, "867f70cf1ade02cff3752599a3a53dc4"
                  "af34c7a669815ae5d513554e1c8cf252"
                  "c02d470a285a0501bad999bfe943c08f"
                  "050235d7d68b1da55e63f73b60a57fce",
           "pbkdf2-hmac-sha512 password/salt/1 known answer");

    bad = 0;
    for (len = 1; len <= sizeof(a); len += 7) {
        randombytes_buf(pass, sizeof(pass));
        randombytes_buf(salt, sizeof(salt));
        pylon_pbkdf2_hmac_sha512(a, len, pass, len % 40, salt, len % 37,
                                 1 + len % 5);
        if (PKCS5_PBKDF2_HMAC((const char *) pass, len % 40, salt, len % 37,
                              1 + len % 5, EVP_sha512(), len, b) != 1
            || memcmp(a, b, len) != 0)
        {
            bad++;
        }
    }
    is_int(bad, 0, "pbkdf2 matches openssl for many key/salt/out lengths");

    is_int(pylon_pbkdf2_hmac_sha512(a, 64, pass, 1, salt, 1, 0), -1,
           "pbkdf2 refuses zero iterations");
}


static void
test_wordlist_errors(void)
{
    char                     err[512], tmp[] = "/tmp/pylon-bip39-XXXXXX";
    int                      fd;
    FILE                    *f;
    char                    *list;
    size_t                   len;
    pylon_bip39_wordlist_t  *wl;

    wl = pylon_bip39_wordlist_load("/nonexistent/bip39.txt", err,
                                   sizeof(err));
    ok(wl == NULL && strstr(err, "/nonexistent/bip39.txt") != NULL
       && strstr(err, "No such file") != NULL,
       "missing word list: error names the file");

    list = tap_slurp(wlpath, &len);
    fd = mkstemp(tmp);
    f = fdopen(fd, "w");
    list[len - 2] ^= 1;      /* "zoo" -> "zon" */
    fwrite(list, 1, len, f);
    fclose(f);

    wl = pylon_bip39_wordlist_load(tmp, err, sizeof(err));
    ok(wl == NULL && strstr(err, "not the BIP39 English word list") != NULL,
       "altered word list is refused");

    f = fopen(tmp, "w");
    fwrite(list, 1, len / 2, f);
    fclose(f);
    wl = pylon_bip39_wordlist_load(tmp, err, sizeof(err));
    ok(wl == NULL, "truncated word list is refused");

    /* CRLF line ends are fine */
    list[len - 2] ^= 1;
    f = fopen(tmp, "w");
    {
        size_t  i;

        for (i = 0; i < len; i++) {
            if (list[i] == '\n') {
                fputc('\r', f);
            }
            fputc(list[i], f);
        }
    }
    fclose(f);
    wl = pylon_bip39_wordlist_load(tmp, err, sizeof(err));
    ok(wl != NULL, "word list with CRLF line ends loads");
    pylon_bip39_wordlist_free(wl);

    unlink(tmp);
    free(list);
}


static void
test_mnemonics(const pylon_bip39_wordlist_t *wl)
{
    char           err[256];
    unsigned char  mini[32], ent[32];
    size_t         entlen;

    is_int(pylon_mnemonic_to_entropy(ent, &entlen, PYLON_SURI_DEV_PHRASE, wl,
                                     err, sizeof(err)), 0,
           "dev phrase decodes");
    is_int(entlen, 16, "12 words give 16 bytes of entropy");
    is_hex(ent, 16, "1a486a5fbe53639984cb64b070755f7b",
           "dev phrase entropy (built into suri.c)");

    pylon_mnemonic_to_mini(mini, PYLON_SURI_DEV_PHRASE, NULL, wl, err,
                           sizeof(err));
    is_hex(mini, 32, "fac7959dbfe72f052e5a0c3c8d6530f2"
                     "02b02fd8f9f5ca3580ec8deb7797479e",
           "dev phrase mini secret");

    pylon_mnemonic_to_mini(mini, "raccoon then despair rug dirt risk "
                           "warrior absorb arm ball fly oval", "", wl, err,
                           sizeof(err));
    is_hex(mini, 32, "e885cc433b25304f7f85db75e8eb89a8"
                     "5f622b0c577766cad9f1da874b03afed",
           "pylon test hotkey phrase -> secretSeed");

    pylon_mnemonic_to_mini(mini, "  RACCOON then\tdespair rug dirt risk "
                           "warrior absorb arm ball fly   oval\n", "", wl,
                           err, sizeof(err));
    is_hex(mini, 32, "e885cc433b25304f7f85db75e8eb89a8"
                     "5f622b0c577766cad9f1da874b03afed",
           "extra whitespace and upper case are tolerated");

    is_int(pylon_mnemonic_to_mini(mini, "raccoon then despair rug dirt risk "
                                  "warrior absorb arm ball fly fly", "", wl,
                                  err, sizeof(err)), -1,
           "wrong last word fails the checksum");
    ok(strstr(err, "checksum") != NULL, "checksum error says so: %s", err);
    ok(strstr(err, "fly") == NULL, "error does not echo secret words");

    is_int(pylon_mnemonic_to_mini(mini, "raccoon then despair rug dirt risk "
                                  "warrior absorb arm ball fly ovalx", "",
                                  wl, err, sizeof(err)), -1,
           "unknown word refused");
    ok(strstr(err, "word 12 ") != NULL, "error names word position: %s",
       err);

    is_int(pylon_mnemonic_to_mini(mini, "raccoon then despair rug dirt risk "
                                  "warrior absorb arm ball fly", "", wl,
                                  err, sizeof(err)), -1,
           "11 words refused");
    is_int(pylon_mnemonic_to_mini(mini, "abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon abandon "
                                  "abandon abandon abandon abandon abandon "
                                  "art", "", wl, err, sizeof(err)), -1,
           "25 words refused");
    is_int(pylon_mnemonic_to_mini(mini, "", "", wl, err, sizeof(err)), -1,
           "empty phrase refused");
    is_int(pylon_mnemonic_to_mini(mini, "abandonabandon abandon", "", wl,
                                  err, sizeof(err)), -1,
           "overlong word refused");

    /* BIP39 vector: 24 words, all-zero entropy */
    is_int(pylon_mnemonic_to_entropy(ent, &entlen, "abandon abandon abandon "
                                     "abandon abandon abandon abandon "
                                     "abandon abandon abandon abandon "
                                     "abandon abandon abandon abandon "
                                     "abandon abandon abandon abandon "
                                     "abandon abandon abandon abandon art",
                                     wl, err, sizeof(err)), 0,
           "24-word BIP39 vector decodes");
    is_int(entlen, 32, "24 words give 32 bytes of entropy");

    is_int(pylon_mnemonic_to_mini(mini, PYLON_SURI_DEV_PHRASE, NULL, NULL,
                                  err, sizeof(err)), -1,
           "mnemonic without a word list is an error");
}


static void
test_suris(const pylon_bip39_wordlist_t *wl)
{
    unsigned char  cc[32];

    suri_pub_is("//Alice", NULL,
                "d43593c715fdd31c61141abd04a99fd6"
                "822c8558854ccde39a5684e7a56da27d",
                "//Alice without a word list");
    suri_pub_is("//Bob", NULL,
                "8eaf04151687736326c9fea17e25fc52"
                "87613693c912909cb226aa4794f26a48", "//Bob");
    suri_pub_is("", NULL,
                "46ebddef8cd9bb167dc30878d7113b7e"
                "168e6f0646beffd77d69d39bad76b47a",
                "empty SURI is the dev phrase");
    suri_pub_is("///password", NULL,
                "b69355deefa7a8f33e9297f5af22e680"
                "f03597a99d4f4b1c44be47e7a2275802",
                "///password on the dev phrase");
    suri_pub_is("0xe5be9a5092b81bca64be81d212e7f2f9"
                "eba183bb7a90954f7b76361f6edb5c0a", NULL,
                "d43593c715fdd31c61141abd04a99fd6"
                "822c8558854ccde39a5684e7a56da27d",
                "hex mini secret of Alice");

    if (wl != NULL) {
        suri_pub_is(PYLON_SURI_DEV_PHRASE "//Alice", wl,
                    "d43593c715fdd31c61141abd04a99fd6"
                    "822c8558854ccde39a5684e7a56da27d",
                    "explicit dev phrase//Alice");
        suri_pub_is(PYLON_SURI_DEV_PHRASE "///password", wl,
                    "b69355deefa7a8f33e9297f5af22e680"
                    "f03597a99d4f4b1c44be47e7a2275802",
                    "dev phrase///password (chain.md 8.7)");
        suri_pub_is("raccoon then despair rug dirt risk warrior absorb arm "
                    "ball fly oval", wl,
                    "3221ea5ffa4420873080d43722892acc"
                    "0ad85acbdf847a002412a3f26a12f033",
                    "pylon test hotkey phrase -> public key");
    }

    suri_fails("//Alice/soft", NULL, "soft derivation",
               "soft junction refused with a clear error");
    suri_fails("/soft", NULL, "soft derivation", "leading soft junction");
    suri_fails("//Alice//", NULL, "empty junction", "empty junction refused");
    suri_fails("0x1234", NULL, "64 hex digits", "short hex seed refused");
    suri_fails("0xzz5be9a5092b81bca64be81d212e7f2f9"
               "eba183bb7a90954f7b76361f6edb5c0a", NULL, "hex",
               "non-hex seed refused");
    suri_fails("0xe5be9a5092b81bca64be81d212e7f2f9"
               "eba183bb7a90954f7b76361f6edb5c0a///pw", NULL, "password",
               "password with hex seed refused");
    suri_fails("raccoon then despair//x", NULL, "word list",
               "phrase without a word list refused");
    if (wl != NULL) {
        suri_fails("raccoon then despair//x", wl, "3 words",
                   "short phrase refused");
    }

    ok(pylon_suri_needs_wordlist("abc def//x"), "phrase needs a word list");
    ok(!pylon_suri_needs_wordlist("//Alice///pw"), "//Alice does not");
    ok(!pylon_suri_needs_wordlist("0xe5be9a5092b81bca64be81d212e7f2f9"
                                  "eba183bb7a90954f7b76361f6edb5c0a//x"),
       "hex seed does not");

    pylon_suri_chain_code(cc, "Alice", 5);
    is_hex(cc, 32, "14416c6963650000000000000000000000000000000000000000000000"
                   "000000", "chain code of Alice (SCALE string)");
    pylon_suri_chain_code(cc, "42", 2);
    is_hex(cc, 32, "2a00000000000000000000000000000000000000000000000000000000"
                   "000000", "chain code of 42 (u64 LE)");
    pylon_suri_chain_code(cc, "18446744073709551616", 20);
    is_hex(cc, 32, "50313834343637343430373337303935353136313600000000000000"
                   "00000000", "2^64 does not fit u64: string junction");
    {
        unsigned char  want[32], enc[34];

        memset(enc, 'a', sizeof(enc));
        enc[0] = 33 << 2;
        crypto_generichash(want, 32, enc, 34, NULL, 0);
        pylon_suri_chain_code(cc, (const char *) enc + 1, 33);
        ok(memcmp(cc, want, 32) == 0,
           "junction longer than 32 bytes is blake2b-256 hashed");
    }
}


int
main(void)
{
    pylon_bip39_wordlist_t  *wl;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    test_pbkdf2();

    shared = getenv("PYLON_SHARED") ? getenv("PYLON_SHARED") : "../shared";
    snprintf(wlpath, sizeof(wlpath), "%s/fixtures/bip39-english.txt",
             shared);

    wl = NULL;
    if (access(wlpath, R_OK) == 0) {
        wl = load_wordlist();
        ok(wl != NULL, "BIP39 English list loads from ../shared");
        test_wordlist_errors();
        test_mnemonics(wl);
    } else {
        diag("%s absent: mnemonic vectors skipped", wlpath);
    }

    test_suris(wl);

    /* random SURIs built from the characters that matter: no crash */
    {
        static const char         alphabet[] = "//0xAlice 12f";
        char                      suri[40], err[256];
        size_t                    i, j, len;
        pylon_sr25519_keypair_t  *kp;

        kp = pylon_sr25519_keypair_new();
        for (i = 0; i < 3000; i++) {
            len = randombytes_uniform(sizeof(suri));
            for (j = 0; j < len; j++) {
                suri[j] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
            }
            suri[len] = '\0';
            pylon_suri_keypair(kp, suri, wl, err, sizeof(err));
        }
        pylon_sr25519_keypair_free(kp);
        ok(1, "3000 random SURIs handled without a memory error");
    }

    pylon_bip39_wordlist_free(wl);
    return done_testing();
}
