/*
 * test_crypto_xtsig.c: the signing half of chain.md 6.5.  Alice signs the
 * set_mechanism_weights payload (105 bytes, signed raw) and the 120-uid
 * payload (575 bytes, signed as its BLAKE2b-256) with the deterministic
 * witness bytes 00..1f; both signatures and the small extrinsic's hash
 * must match the published vector.  The payload bytes are assembled here
 * by hand (the extrinsic builder proper lives in src/chain).
 */

#include <sodium.h>

#include "crypto/suri.h"
#include "tap.h"


static size_t
put(unsigned char *p, const char *hex)
{
    size_t  bin;

    sodium_hex2bin(p, 4096, hex, strlen(hex), NULL, &bin, NULL);
    return bin;
}


static size_t
put_u16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char) v;
    p[1] = (unsigned char) (v >> 8);
    return 2;
}


/* extra || additional of the vector, for a given nonce (< 64) */
static size_t
put_extensions(unsigned char *p, unsigned nonce)
{
    size_t  n;

    n = put(p, "2100");                     /* era (4, 6852690) */
    p[n++] = (unsigned char) (nonce << 2);  /* compact nonce */
    n += put(p + n, "0000");                /* compact tip 0, metadata off */
    n += put(p + n, "a9010000" "01000000"   /* spec 425, tx version 1 */
             "2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"
             "db13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"
             "00");
    return n;
}


int
main(void)
{
    char                      err[256];
    unsigned char             payload[1024], xt[512], sig[64], rng[32];
    unsigned char             h[32];
    size_t                    n, call_len, x;
    unsigned                  i;
    pylon_sr25519_keypair_t  *alice;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    for (i = 0; i < 32; i++) {
        rng[i] = (unsigned char) i;
    }

    alice = pylon_sr25519_keypair_new();
    if (pylon_suri_keypair(alice, "//Alice", NULL, err, sizeof(err)) != 0) {
        diag("%s", err);
    }

    /* small payload: signed raw */
    call_len = put(payload, "07770100000c0000010005000cffff008001000000"
                            "000000000000");
    n = call_len + put_extensions(payload + call_len, 5);
    is_int(n, 105, "small payload is 105 bytes");

    pylon_sr25519_sign_with_rng(sig, payload, n, alice, rng);
    is_hex(sig, 64, "84cc4e937bfc4b6d38e7b2ff76ae6daf"
                    "7e5dc40d3140fe278079b1fc97a08d2a"
                    "ff465ef245760c5312e49b7fafd9d627"
                    "f8e6befaf1d2655a17fcc3faf543de86",
           "chain.md 6.5 signature over the raw payload");
    is_int(pylon_sr25519_verify(sig, payload, n, alice->pub), 0,
           "it verifies");

    x = put(xt, "0d028400");
    memcpy(xt + x, alice->pub, 32);
    x += 32;
    xt[x++] = 0x01;
    memcpy(xt + x, sig, 64);
    x += 64;
    x += put(xt + x, "210014" "0000");
    memcpy(xt + x, payload, call_len);
    x += call_len;
    crypto_generichash(h, 32, xt, x, NULL, 0);
    is_hex(h, 32, "28fefdc092edaf893042383d471509010f613388e233c87d9f668c74"
                  "0e0f2a89", "chain.md 6.5 extrinsic hash");

    /* large payload: 120 uids, weights 65535 - i, nonce 6 */
    n = put(payload, "0777" "0100" "00");
    n += put(payload + n, "e101");                 /* compact(120) */
    for (i = 0; i < 120; i++) {
        n += put_u16(payload + n, i);
    }
    n += put(payload + n, "e101");
    for (i = 0; i < 120; i++) {
        n += put_u16(payload + n, 65535 - i);
    }
    n += put(payload + n, "0000000000000000");     /* version_key u64 */
    n += put_extensions(payload + n, 6);
    is_int(n, 575, "large payload is 575 bytes");

    crypto_generichash(h, 32, payload, n, NULL, 0);
    is_hex(h, 32, "7185d0a3dab5d9152a35166a33e2a8e66039b24da6cc15d973ba7f36"
                  "4b9f937c", "blake2b-256 of the large payload");

    pylon_sr25519_sign_with_rng(sig, h, 32, alice, rng);
    is_hex(sig, 64, "145ff044900a189d9e8bc7a9749a9810"
                    "e84713b0be44d43b4980702fc23c9664"
                    "20ed2c07f59defbfc1f32c042e089b4f"
                    "f0eeadd3a3d4685477e669f3f7822a8c",
           "chain.md 6.5 signature over the hashed large payload");

    pylon_sr25519_keypair_free(alice);
    return done_testing();
}
