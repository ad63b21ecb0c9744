/*
 * test_crypto_keccak.c: Keccak-f[1600] checked by building SHA3-256 and
 * SHAKE128 on it and comparing with FIPS 202 answers and with OpenSSL's
 * independent implementation over many lengths (every padding case).
 */

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/keccak.h"
#include "tap.h"


/* sponge: rate bytes, domain suffix, output outlen (<= rate) */
static void
sponge(unsigned char *out, size_t outlen, const unsigned char *msg,
    size_t len, size_t rate, unsigned char suffix)
{
    unsigned char  st[PYLON_KECCAK_STATE_BYTES];
    size_t         i;

    memset(st, 0, sizeof(st));

    while (len >= rate) {
        for (i = 0; i < rate; i++) {
            st[i] ^= msg[i];
        }
        pylon_keccak_f1600(st);
        msg += rate;
        len -= rate;
    }

    for (i = 0; i < len; i++) {
        st[i] ^= msg[i];
    }
    st[len] ^= suffix;
    st[rate - 1] ^= 0x80;
    pylon_keccak_f1600(st);

    memcpy(out, st, outlen);
}


static int
openssl_digest(const EVP_MD *md, unsigned char *out, size_t outlen,
    const unsigned char *msg, size_t len)
{
    EVP_MD_CTX  *ctx;
    int          rc;
    unsigned     n;

    ctx = EVP_MD_CTX_new();
    rc = EVP_DigestInit_ex(ctx, md, NULL) == 1
         && EVP_DigestUpdate(ctx, msg, len) == 1;

    if (rc) {
        if (EVP_MD_flags(md) & EVP_MD_FLAG_XOF) {
            rc = EVP_DigestFinalXOF(ctx, out, outlen) == 1;
        } else {
            rc = EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == outlen;
        }
    }

    EVP_MD_CTX_free(ctx);
    return rc;
}


int
main(void)
{
    unsigned char  msg[700], a[64], b[64], zero[200], st[200];
    size_t         len;
    int            bad_sha3, bad_shake;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    sponge(a, 32, (const unsigned char *) "", 0, 136, 0x06);
    is_hex(a, 32, "a7ffc6f8bf1ed76651c14756a061d662"
                  "f580ff4de43b49fa82d80a4b80f8434a",
           "sha3-256 of the empty string (FIPS 202 example)");

    sponge(a, 32, (const unsigned char *) "abc", 3, 136, 0x06);
    is_hex(a, 32, "3a985da74fe225b2045c172d6bd390bd"
                  "855f086e3e9d525b46bfe24511431532",
           "sha3-256 of abc (FIPS 202 example)");

    sponge(a, 32, (const unsigned char *) "", 0, 168, 0x1f);
    is_hex(a, 32, "7f9c2ba4e88f827d616045507605853e"
                  "d73b8093f6efbc88eb1a6eacfa66ef26",
           "shake128 of the empty string, 32 bytes");

    memset(zero, 0, sizeof(zero));
    memset(st, 0, sizeof(st));
    pylon_keccak_f1600(st);
    is_hex(st, 8, "e7dde140798f25f1",
           "keccak-f[1600] of the zero state: first lane (KeccakKAT)");
    ok(memcmp(st, zero, sizeof(st)) != 0, "permutation changes zero state");

    bad_sha3 = 0;
    bad_shake = 0;
    randombytes_buf(msg, sizeof(msg));

    for (len = 0; len <= sizeof(msg); len++) {
        sponge(a, 32, msg, len, 136, 0x06);
        if (!openssl_digest(EVP_sha3_256(), b, 32, msg, len)
            || memcmp(a, b, 32) != 0)
        {
            bad_sha3++;
        }

        sponge(a, 64, msg, len, 168, 0x1f);
        if (!openssl_digest(EVP_shake128(), b, 64, msg, len)
            || memcmp(a, b, 64) != 0)
        {
            bad_shake++;
        }
    }

    is_int(bad_sha3, 0, "sha3-256 on keccak matches openssl, lengths 0..700");
    is_int(bad_shake, 0, "shake128 on keccak matches openssl, lengths 0..700");

    return done_testing();
}
