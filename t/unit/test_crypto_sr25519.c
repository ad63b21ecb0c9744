/*
 * test_crypto_sr25519.c: sr25519 keys, signatures and hard derivation
 * against the vectors of chain.md 8.7 (schnorrkel, polkadot-js wasm-crypto
 * and @scure/sr25519 values), plus the properties a signature scheme must
 * have: any change to message, key or signature fails verification.
 */

#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/sr25519.h"
#include "tap.h"


static void
unhex(unsigned char *out, size_t len, const char *hex)
{
    size_t  bin;

    if (sodium_hex2bin(out, len, hex, strlen(hex), NULL, &bin, NULL) != 0
        || bin != len)
    {
        diag("bad hex in test: %s", hex);
        exit(2);
    }
}


static int
hex_prefix_suffix(const unsigned char *b, size_t len, const char *pre,
    const char *suf)
{
    char  h[2 * 64 + 1];

    sodium_bin2hex(h, sizeof(h), b, len);
    return strncmp(h, pre, strlen(pre)) == 0
           && strcmp(h + strlen(h) - strlen(suf), suf) == 0;
}


int
main(void)
{
    static const char  known_msg[] = "I hereby verify that I control "
                                     "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehX"
                                     "CPcNoHGKutQY";
    static const char  det_msg[] = "curves signs on ristretto255";

    int                       i, bad;
    unsigned char             mini[32], secret[64], sig[64], sig2[64];
    unsigned char             pub[32], cc[32], rng[32], msg[100];
    pylon_sr25519_keypair_t  *kp, *alice, *kp2;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    kp = pylon_sr25519_keypair_new();
    alice = pylon_sr25519_keypair_new();
    kp2 = pylon_sr25519_keypair_new();
    ok(kp != NULL && alice != NULL && kp2 != NULL,
       "keypairs allocate in sodium_malloc memory");

    /* dev phrase mini secret -> public key, ed25519-form secret */
    unhex(mini, 32, "fac7959dbfe72f052e5a0c3c8d6530f2"
                    "02b02fd8f9f5ca3580ec8deb7797479e");
    is_int(pylon_sr25519_keypair_from_mini(kp, mini), 0, "dev mini expands");
    is_hex(kp->pub, 32, "46ebddef8cd9bb167dc30878d7113b7e"
                        "168e6f0646beffd77d69d39bad76b47a",
           "dev phrase public key");
    pylon_sr25519_secret_export_ed25519(secret, kp);
    is_hex(secret, 64, "28b0ae221c6bb06856b287f60d7ea0d9"
                       "8552ea5a16db16956849aa371db3eb51"
                       "fd190cce74df356432b410bd64682309"
                       "d6dedb27c76845daf388557cbac3ca34",
           "dev phrase ed25519-form secret");

    /* //Alice from the dev key */
    memset(cc, 0, sizeof(cc));
    memcpy(cc, "\x14" "Alice", 6);
    is_int(pylon_sr25519_derive_hard(alice, kp, cc, NULL), 0,
           "hard derive //Alice");
    is_hex(alice->pub, 32, "d43593c715fdd31c61141abd04a99fd6"
                           "822c8558854ccde39a5684e7a56da27d",
           "//Alice public key");
    pylon_sr25519_secret_export(secret, alice);
    is_hex(secret, 64, "33a6f3093f158a7109f679410bef1a0c"
                       "54168145e0cecb4df006c1c2fffb1f09"
                       "925a225d97aa00682d6a59b95b18780c"
                       "10d7032336e88f3442b42361f4a66011",
           "//Alice canonical secret");

    unhex(mini, 32, "e5be9a5092b81bca64be81d212e7f2f9"
                    "eba183bb7a90954f7b76361f6edb5c0a");
    pylon_sr25519_keypair_from_mini(kp2, mini);
    ok(memcmp(kp2->pub, alice->pub, 32) == 0
       && memcmp(kp2->key, alice->key, 32) == 0,
       "//Alice mini secret expands to the same keypair");

    /* canonical and ed25519-form secrets round-trip */
    pylon_sr25519_secret_export(secret, alice);
    is_int(pylon_sr25519_keypair_from_secret(kp2, secret), 0,
           "canonical secret loads");
    ok(memcmp(kp2->pub, alice->pub, 32) == 0, "canonical secret -> same pub");
    is_int(pylon_sr25519_keypair_from_ed25519_secret(kp2, secret), -1,
           "canonical secret refused as ed25519 form (not a multiple of 8)");
    pylon_sr25519_secret_export_ed25519(secret, alice);
    is_int(pylon_sr25519_keypair_from_secret(kp2, secret), -1,
           "ed25519-form secret refused as canonical (>= l)");
    is_int(pylon_sr25519_keypair_from_ed25519_secret(kp2, secret), 0,
           "ed25519-form secret loads");
    ok(memcmp(kp2->pub, alice->pub, 32) == 0, "ed25519 form -> same pub");
    memset(secret, 0, 32);
    is_int(pylon_sr25519_keypair_from_secret(kp2, secret), -1,
           "zero scalar refused");

    /* polkadot-js wasm-crypto: ascii mini secret */
    memcpy(mini, "12345678901234567890123456789012", 32);
    pylon_sr25519_keypair_from_mini(kp2, mini);
    is_hex(kp2->pub, 32, "741c08a06f41c596608f6774259bd904"
                         "3304adfa5d3eea62760bd9be97634d63",
           "ascii mini secret public key (polkadot-js wasm-crypto)");

    /* known signature by Alice */
    unhex(sig, 64, "b83881d3bd7302981ee1c504fe5b7b39"
                   "4682927131fc0846fd616bb40fa14d02"
                   "640fd2aca785b4cb57904765c2e4e75f"
                   "59a7dd30154c209964369912091f6981");
    is_int(pylon_sr25519_verify(sig, known_msg, strlen(known_msg),
                                alice->pub), 0,
           "known polkadot-js signature by Alice verifies");
    is_int(pylon_sr25519_verify(sig, known_msg, strlen(known_msg) - 1,
                                alice->pub), -1,
           "known signature fails for a shortened message");
    sig[63] &= 0x7f;
    is_int(pylon_sr25519_verify(sig, known_msg, strlen(known_msg),
                                alice->pub), -1,
           "signature without the schnorrkel marker bit is refused");
    sig[63] |= 0x80;
    sig[5] ^= 0x10;
    is_int(pylon_sr25519_verify(sig, known_msg, strlen(known_msg),
                                alice->pub), -1,
           "signature with a flipped R bit is refused");
    sig[5] ^= 0x10;
    is_int(pylon_sr25519_verify(sig, known_msg, strlen(known_msg), kp->pub),
           -1, "known signature fails under another public key");

    /* s >= l must be refused even if it would verify modulo l */
    memcpy(sig2, sig, 64);
    {
        /* l = 2^252 + 27742317777372353535851937790883648493 */
        static const unsigned char  l[32] = {
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
            0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10
        };

        sig2[63] &= 0x7f;
        sodium_add(sig2 + 32, l, 32);
        if (sig2[63] & 0x80) {
            diag("s + l overflowed bit 255; skipping non-canonical check");
        } else {
            sig2[63] |= 0x80;
        }
        is_int(pylon_sr25519_verify(sig2, known_msg, strlen(known_msg),
                                    alice->pub), -1,
               "signature with s + l (non-canonical) is refused");
    }

    /* deterministic signature (@scure/sr25519 vector) */
    unhex(mini, 32, "9d61b19deffd5a60ba844af492ec2cc4"
                    "4449c5697b326919703bac031cae7f60");
    pylon_sr25519_keypair_from_mini(kp2, mini);
    is_hex(kp2->pub, 32, "44a996beb1eef7bdcab976ab6d2ca261"
                         "04834164ecf28fb375600576fcc6eb0f",
           "scure vector public key");
    for (i = 0; i < 32; i++) {
        rng[i] = (unsigned char) i;
    }
    is_int(pylon_sr25519_sign_with_rng(sig, det_msg, strlen(det_msg), kp2,
                                       rng), 0, "deterministic sign");
    is_hex(sig, 64, "30659dac94680407f781dd189dd7c236"
                    "6b2a300c1753b6ab50dde85a702c9976"
                    "dbc1b39a008bd8608b8fdd7e20d34cb0"
                    "4a69a6047f2f887c6ac75ec4e191fd8c",
           "deterministic signature matches @scure/sr25519 vector");
    is_int(pylon_sr25519_verify(sig, det_msg, strlen(det_msg), kp2->pub), 0,
           "deterministic signature verifies");

    /* hard derivation of the scure key */
    memset(cc, 0, sizeof(cc));
    unhex(cc, 10, "2472697374726574746f");
    pylon_sr25519_derive_hard(kp2, kp2, cc, NULL);
    pylon_sr25519_secret_export_ed25519(secret, kp2);
    ok(hex_prefix_suffix(secret, 64, "288b28420963a503", "ae39b3"),
       "hard derive of the scure key (ed25519-form secret 288b...ae39b3)");

    /* random signatures: fresh randomness, verify, tamper */
    bad = 0;
    for (i = 0; i < 200; i++) {
        randombytes_buf(msg, sizeof(msg));
        if (pylon_sr25519_sign(sig, msg, i % 100, alice) != 0
            || pylon_sr25519_verify(sig, msg, i % 100, alice->pub) != 0)
        {
            bad++;
        }

        memcpy(sig2, sig, 64);
        sig2[i % 64] ^= (unsigned char) (1 << (i % 8));
        if (pylon_sr25519_verify(sig2, msg, i % 100, alice->pub) == 0) {
            bad++;
        }

        if (i % 100 > 0) {
            msg[i % (i % 100)] ^= 1;
            if (pylon_sr25519_verify(sig, msg, i % 100, alice->pub) == 0) {
                bad++;
            }
        }
    }
    is_int(bad, 0, "200 random messages: sign/verify, tampering detected");

    pylon_sr25519_sign(sig, "x", 1, alice);
    pylon_sr25519_sign(sig2, "x", 1, alice);
    ok(memcmp(sig, sig2, 64) != 0, "production signatures are randomised");

    memset(pub, 0xff, sizeof(pub));
    is_int(pylon_sr25519_verify(sig, "x", 1, pub), -1,
           "invalid public key encoding is refused");
    memset(pub, 0, sizeof(pub));
    is_int(pylon_sr25519_verify(sig, "x", 1, pub), -1,
           "identity public key is refused");

    /* after fork() the child that keeps the key locks it again */
    {
        pid_t  pid;
        int    status;

        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            _exit(pylon_sr25519_keypair_lock(alice) == 0
                  && pylon_sr25519_sign(sig, "x", 1, alice) == 0
                  && pylon_sr25519_verify(sig, "x", 1, alice->pub) == 0
                  ? 0 : 1);
        }
        ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)
           && WEXITSTATUS(status) == 0,
           "a forked child relocks the keypair and still signs");
    }
    ok(alice->pub[0] == 0xd4, "relocking in a child leaves the parent's key");

    pylon_sr25519_keypair_free(kp);
    pylon_sr25519_keypair_free(alice);
    pylon_sr25519_keypair_free(kp2);
    pylon_sr25519_keypair_free(NULL);

    return done_testing();
}
