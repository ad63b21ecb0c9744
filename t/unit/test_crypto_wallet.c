/*
 * test_crypto_wallet.c: bittensor hotkey files.  The Pylon test wallet
 * (../shared/fixtures/wallet) loads to the right key; every way a file
 * can be wrong (missing, unreadable, not a file, empty, encrypted,
 * malformed, public-only, inconsistent) is an error naming the file; and
 * truncated or mutated files never crash (ASan build).
 */

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/wallet.h"
#include "tap.h"

#define PUB_HEX   "3221ea5ffa4420873080d43722892acc" \
                  "0ad85acbdf847a002412a3f26a12f033"
#define PHRASE    "raccoon then despair rug dirt risk warrior absorb arm " \
                  "ball fly oval"
#define SEED      "0xe885cc433b25304f7f85db75e8eb89a8" \
                  "5f622b0c577766cad9f1da874b03afed"
#define PRIV      "0x8113b42d9faff136762d4e42ba392716" \
                  "270901486f29df6f9dc37ecd861e1a0e" \
                  "9f25029d60d5c5374d34e0d94a351197" \
                  "617ae5a12da7b204036d226ab834e28c"
#define SS58      "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1"


static char  tmpdir[] = "/tmp/pylon-wallet-XXXXXX";
static char  tmpfile_path[4200];
static char  wordlist[4096];


static void
write_file(const char *content, size_t len)
{
    FILE  *f;

    f = fopen(tmpfile_path, "wb");
    fwrite(content, 1, len, f);
    fclose(f);
}


/* loads content; returns 1 and checks the error mentions want (if error) */
static void
fails_with(const char *content, const char *want, const char *wl,
    const char *name)
{
    char                      err[PYLON_WALLET_ERR_MAX];
    pylon_sr25519_keypair_t  *kp;

    write_file(content, strlen(content));
    err[0] = '\0';
    kp = pylon_wallet_load_file(tmpfile_path, wl, err, sizeof(err));

    if (!ok(kp == NULL && strstr(err, want) != NULL
            && strstr(err, tmpfile_path) != NULL, "%s", name))
    {
        diag("error: \"%s\", expected to contain \"%s\" and the path", err,
             want);
    }

    if (strstr(err, "e885cc43") || strstr(err, "8113b42d")
        || strstr(err, "raccoon"))
    {
        ok(0, "%s: error leaks secret material", name);
    }

    pylon_sr25519_keypair_free(kp);
}


static void
loads(const char *content, const char *wl, const char *name)
{
    char                      err[PYLON_WALLET_ERR_MAX];
    pylon_sr25519_keypair_t  *kp;

    write_file(content, strlen(content));
    kp = pylon_wallet_load_file(tmpfile_path, wl, err, sizeof(err));
    if (kp == NULL) {
        diag("%s", err);
        ok(0, "%s", name);
        return;
    }

    is_hex(kp->pub, 32, PUB_HEX, name);
    pylon_sr25519_keypair_free(kp);
}


int
main(void)
{
    const char               *shared;
    char                      err[PYLON_WALLET_ERR_MAX], wpath[4096];
    char                      buf[8192];
    char                     *fixture, *mut;
    size_t                    flen, i;
    int                       crashes_none, accepted;
    unsigned char             msg[32], sig[64];
    pylon_sr25519_keypair_t  *kp;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    shared = tap_shared();
    snprintf(wpath, sizeof(wpath), "%s/fixtures/wallet", shared);
    snprintf(wordlist, sizeof(wordlist), "%s/fixtures/bip39-english.txt",
             shared);

    if (mkdtemp(tmpdir) == NULL) {
        skip_all("cannot create a temporary directory");
    }
    snprintf(tmpfile_path, sizeof(tmpfile_path), "%s/hotkey", tmpdir);

    /* the fixture wallet */
    kp = pylon_wallet_load_hotkey(wpath, "pylon", "pylon", NULL, err,
                                  sizeof(err));
    ok(kp != NULL, "fixture hotkey pylon/pylon loads");
    if (kp == NULL) {
        diag("%s", err);
        return done_testing();
    }
    is_hex(kp->pub, 32, PUB_HEX, "fixture hotkey public key");
    randombytes_buf(msg, sizeof(msg));
    pylon_sr25519_sign(sig, msg, sizeof(msg), kp);
    is_int(pylon_sr25519_verify(sig, msg, sizeof(msg), kp->pub), 0,
           "fixture hotkey signs verifiable signatures");
    pylon_sr25519_keypair_free(kp);

    kp = pylon_wallet_load_hotkey(wpath, "pylon", "pylon", wordlist, err,
                                  sizeof(err));
    ok(kp != NULL, "fixture loads with its secretPhrase cross-checked");
    pylon_sr25519_keypair_free(kp);

    kp = pylon_wallet_load_hotkey(wpath, "pylon", "missing", NULL, err,
                                  sizeof(err));
    ok(kp == NULL && strstr(err, "does not exist")
       && strstr(err, "pylon/hotkeys/missing"),
       "missing hotkey: error names the file (%s)", err);

    kp = pylon_wallet_load_hotkey(wpath, "nowallet", "pylon", NULL, err,
                                  sizeof(err));
    ok(kp == NULL && strstr(err, "nowallet/hotkeys/pylon"),
       "missing wallet: error names the file");

    kp = pylon_wallet_load_hotkey(wpath, "pylon", "pylonpub.txt", NULL, err,
                                  sizeof(err));
    ok(kp == NULL && strstr(err, "no secret key"),
       "public-only file is refused: %s", err);

    kp = pylon_wallet_load_hotkey(wpath, "..", "pylon", NULL, err,
                                  sizeof(err));
    ok(kp == NULL && strstr(err, "plain file names"), "'..' wallet refused");
    kp = pylon_wallet_load_hotkey(wpath, "pylon", "a/b", NULL, err,
                                  sizeof(err));
    ok(kp == NULL && strstr(err, "plain file names"), "hotkey with / refused");

    /* public key files */
    {
        unsigned char  pub[32];

        snprintf(buf, sizeof(buf), "%s/pylon/coldkeypub.txt", wpath);
        is_int(pylon_wallet_load_public(pub, buf, err, sizeof(err)), 0,
               "coldkeypub.txt loads");
        is_hex(pub, 32, "66c01e2e0e6fed2723626c7e652ff5ff"
                        "97caebf89ddebd71e644f1e38c865959",
               "coldkey public key");
        snprintf(buf, sizeof(buf), "%s/pylon/hotkeys/pylon", wpath);
        is_int(pylon_wallet_load_public(pub, buf, err, sizeof(err)), 0,
               "public key of a full hotkey file");
        is_hex(pub, 32, PUB_HEX, "hotkey public key");

        write_file("{\"publicKey\":\"0x" PUB_HEX "\",\"ss58Address\":"
                   "\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"}",
                   strlen("{\"publicKey\":\"0x" PUB_HEX "\",\"ss58Address"
                          "\":\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHG"
                          "KutQY\"}"));
        ok(pylon_wallet_load_public(pub, tmpfile_path, err, sizeof(err))
           == -1 && strstr(err, "ss58Address disagrees"),
           "inconsistent public file refused: %s", err);
        write_file("{\"secretSeed\":\"" SEED "\"}",
                   strlen("{\"secretSeed\":\"" SEED "\"}"));
        ok(pylon_wallet_load_public(pub, tmpfile_path, err, sizeof(err))
           == -1 && strstr(err, "has no publicKey"),
           "file without public fields refused: %s", err);
        write_file("{\"accountId\":\"0x12\"}", 20);
        ok(pylon_wallet_load_public(pub, tmpfile_path, err, sizeof(err))
           == -1 && strstr(err, "accountId is malformed"),
           "malformed accountId refused");
        ok(pylon_wallet_load_public(pub, "/nonexistent/coldkeypub.txt", err,
                                    sizeof(err)) == -1
           && strstr(err, "/nonexistent/coldkeypub.txt"),
           "missing public file names the file");
    }

    /* unreadable and not-a-file */
    kp = pylon_wallet_load_file(tmpdir, NULL, err, sizeof(err));
    ok(kp == NULL && strstr(err, "not a regular file"),
       "directory refused: %s", err);
    kp = pylon_wallet_load_file("/etc/hostname/x", NULL, err, sizeof(err));
    ok(kp == NULL && strstr(err, "cannot be opened")
       && strstr(err, "/etc/hostname/x"), "unopenable path: %s", err);

    {
        char  fifo[4300];

        snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
        mkfifo(fifo, 0600);
        kp = pylon_wallet_load_file(fifo, NULL, err, sizeof(err));
        ok(kp == NULL && strstr(err, "not a regular file"),
           "a FIFO is refused without blocking: %s", err);
        unlink(fifo);
    }

    if (geteuid() != 0) {
        write_file("{}", 2);
        chmod(tmpfile_path, 0);
        kp = pylon_wallet_load_file(tmpfile_path, NULL, err, sizeof(err));
        ok(kp == NULL && strstr(err, "Permission denied"),
           "unreadable file: %s", err);
        chmod(tmpfile_path, 0600);
    } else {
        diag("running as root: permission-denied case not testable");
    }

    /* each secret alone, in both secret forms */
    loads("{\"secretSeed\":\"" SEED "\"}", NULL, "secretSeed alone");
    loads("{\"privateKey\":\"" PRIV "\"}", NULL,
          "canonical privateKey alone");
    loads("{\"secretPhrase\":\"" PHRASE "\"}", wordlist,
          "secretPhrase alone, with the word list");
    loads("\n { \"privateKey\" : \"" PRIV "\" , \"publicKey\":\"0x" PUB_HEX
          "\",\n\"ss58Address\":\"" SS58 "\", \"accountId\": \"0x" PUB_HEX
          "\", \"extra\": 12, \"other\": null, \"flag\": true } \n", NULL,
          "whitespace, extra members, all public fields");
    loads("{\"secretSeed\":\"\\u0030x\\u0065885cc433b25304f7f85db75e8eb89a8"
          "5f622b0c577766cad9f1da874b03afed\", \"publicKey\":null}", NULL,
          "escaped characters and null public field");

    kp = pylon_sr25519_keypair_new();
    {
        unsigned char  seed[32], sec[64];
        char           hex[129];

        sodium_hex2bin(seed, 32, SEED + 2, 64, NULL, NULL, NULL);
        pylon_sr25519_keypair_from_mini(kp, seed);
        pylon_sr25519_secret_export_ed25519(sec, kp);
        sodium_bin2hex(hex, sizeof(hex), sec, 64);
        snprintf(buf, sizeof(buf), "{\"privateKey\":\"0x%s\",\"publicKey\":"
                 "\"0x" PUB_HEX "\"}", hex);
        loads(buf, NULL, "ed25519-form privateKey (polkadot-js) accepted");
    }
    pylon_sr25519_keypair_free(kp);

    /* errors */
    fails_with("", "is empty", NULL, "empty file");
    fails_with("$NACL\x01\x02\x03 boxed", "encrypted (btwallet NaCl)", NULL,
               "$NACL encrypted file refused");
    fails_with("gAAAAABlegacyfernet", "legacy Fernet", NULL,
               "Fernet encrypted file refused");
    fails_with("$ANSIBLE_VAULT;1.1;AES256\n3132", "ansible vault", NULL,
               "ansible vault file refused");
    fails_with("{\"secretSeed\":\"" SEED "\"", "invalid JSON", NULL,
               "unterminated object");
    fails_with("{\"secretSeed\":\"" SEED "\"} x", "trailing data", NULL,
               "trailing garbage");
    fails_with("{\"secretSeed\":[\"" SEED "\"]}", "nested", NULL,
               "array value");
    fails_with("{\"secretSeed\":12}", "string or null", NULL,
               "numeric secret field");
    fails_with("{\"secretSeed\":\"" SEED "\",\"secretSeed\":\"" SEED "\"}",
               "duplicate", NULL, "duplicate member");
    fails_with("{\"secretSeed\":\"0xe885\"}", "secretSeed is not", NULL,
               "short secretSeed");
    fails_with("{\"secretSeed\":\"0xz885cc433b25304f7f85db75e8eb89a8"
               "5f622b0c577766cad9f1da874b03afed\"}", "secretSeed is not",
               NULL, "non-hex secretSeed");
    fails_with("{\"privateKey\":\"0x8113\"}", "privateKey is not 0x", NULL,
               "short privateKey");
    fails_with("{\"privateKey\":\"0xffffffffffffffffffffffffffffffff"
               "ffffffffffffffffffffffffffffffff"
               "9f25029d60d5c5374d34e0d94a351197"
               "617ae5a12da7b204036d226ab834e28c\"}",
               "not a valid sr25519", NULL, "out-of-range privateKey");
    fails_with("{\"publicKey\":\"0x" PUB_HEX "\",\"ss58Address\":\"" SS58
               "\"}", "no secret key", NULL, "public fields only");
    fails_with("{\"secretPhrase\":\"" PHRASE "\"}", "no BIP39 word list",
               NULL, "phrase only without a word list");
    fails_with("{\"secretPhrase\":\"raccoon then despair rug dirt risk "
               "warrior absorb arm ball fly fly\"}", "checksum", wordlist,
               "phrase with a bad checksum");
    fails_with("{\"secretSeed\":\"" SEED "\",\"publicKey\":\"0x"
               "4221ea5ffa4420873080d43722892acc"
               "0ad85acbdf847a002412a3f26a12f033\"}",
               "publicKey does not match", NULL, "inconsistent publicKey");
    fails_with("{\"secretSeed\":\"" SEED "\",\"accountId\":\"0x"
               "d43593c715fdd31c61141abd04a99fd6"
               "822c8558854ccde39a5684e7a56da27d\"}",
               "accountId does not match", NULL, "inconsistent accountId");
    fails_with("{\"secretSeed\":\"" SEED "\",\"ss58Address\":"
               "\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"}",
               "ss58Address does not match", NULL, "inconsistent ss58");
    fails_with("{\"secretSeed\":\"" SEED "\",\"privateKey\":\"0x"
               "33a6f3093f158a7109f679410bef1a0c"
               "54168145e0cecb4df006c1c2fffb1f09"
               "925a225d97aa00682d6a59b95b18780c"
               "10d7032336e88f3442b42361f4a66011\"}",
               "different keys", NULL, "secretSeed and privateKey disagree");
    fails_with("{\"secretSeed\":\"0xe5be9a5092b81bca64be81d212e7f2f9"
               "eba183bb7a90954f7b76361f6edb5c0a\",\"secretPhrase\":\""
               PHRASE "\"}", "different keys", wordlist,
               "secretPhrase and secretSeed disagree");

    /* truncations and mutations of the real file must never crash */
    snprintf(buf, sizeof(buf), "%s/pylon/hotkeys/pylon", wpath);
    fixture = tap_slurp(buf, &flen);
    ok(fixture != NULL, "fixture file read");
    crashes_none = 1;
    accepted = 0;
    for (i = 0; fixture != NULL && i < flen; i++) {
        write_file(fixture, i);
        kp = pylon_wallet_load_file(tmpfile_path, NULL, err, sizeof(err));
        if (kp != NULL) {
            accepted++;
        }
        pylon_sr25519_keypair_free(kp);
    }
    is_int(accepted, 0, "no proper prefix of the fixture is accepted");

    mut = malloc(flen + 1);
    accepted = 0;
    for (i = 0; fixture != NULL && i < 3000; i++) {
        memcpy(mut, fixture, flen);
        mut[randombytes_uniform(flen)] = (char) randombytes_uniform(256);
        mut[randombytes_uniform(flen)] = (char) randombytes_uniform(256);
        write_file(mut, flen);
        kp = pylon_wallet_load_file(tmpfile_path, NULL, err, sizeof(err));
        if (kp != NULL) {
            if (sodium_memcmp(kp->pub, "\x32\x21\xea\x5f", 4) != 0) {
                crashes_none = 0;
            }
            accepted++;
        }
        pylon_sr25519_keypair_free(kp);
    }
    ok(crashes_none, "3000 mutated files: any accepted one has the right "
       "key (%d accepted)", accepted);

    free(mut);
    free(fixture);
    unlink(tmpfile_path);
    rmdir(tmpdir);

    return done_testing();
}
