/*
 * test_bls_drand.c: drand quicknet beacon verification against the
 * recorded pulses of ../shared/fixtures/drand-quicknet.json (subtensor's
 * drand pallet tests): the valid round-1000 pulse verifies, the invalid
 * one and tampered variants do not, and the recorded group key and the
 * library's built-in key agree.
 */

#include <jansson.h>
#include <sodium.h>

#include "tap.h"

#include "crypto/drand.h"


static int
unhex(unsigned char *out, size_t cap, const char *hex)
{
    size_t  n;

    if (sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, NULL) != 0
        || n != cap)
    {
        return -1;
    }
    return 0;
}


int
main(void)
{
    const char     *shared;
    char            path[4096];
    json_t         *root, *info, *pulse, *bad;
    json_error_t    err;
    unsigned char   sig[48], pk[96], rnd[32], h[32];
    uint64_t        round;

    if (sodium_init() < 0) {
        return 1;
    }

    shared = tap_shared();
    snprintf(path, sizeof(path), "%s/fixtures/drand-quicknet.json", shared);
    root = json_load_file(path, 0, &err);
    if (root == NULL) {
        skip_all("drand-quicknet.json not readable");
    }

    info = json_object_get(root, "info");
    pulse = json_array_get(json_object_get(root, "pulses"), 0);
    bad = json_array_get(json_object_get(root, "invalid_pulses"), 0);

    ok(unhex(pk, 96, json_string_value(json_object_get(info, "public_key")))
       == 0, "fixture public key parses");
    ok(memcmp(pk, pylon_drand_quicknet_pk, 96) == 0,
       "built-in quicknet key equals the recorded chain info");
    {
        pylon_g2  k1, k2;

        ok(pylon_g2_decompress(&k1, pylon_drand_quicknet_pk) == 0
           && !pylon_g2_is_identity(&k1),
           "built-in key passes every check, subgroup included");
        ok(pylon_g2_decompress_trusted(&k2, pylon_drand_quicknet_pk) == 0
           && pylon_g2_eq(&k1, &k2), "trusted decoding gives the same point");
    }
    is_int(json_integer_value(json_object_get(info, "genesis_time")),
           PYLON_DRAND_QUICKNET_GENESIS, "genesis time");
    is_int(json_integer_value(json_object_get(info, "period")),
           PYLON_DRAND_QUICKNET_PERIOD, "period");

    round = (uint64_t) json_integer_value(json_object_get(pulse, "round"));
    ok(unhex(sig, 48, json_string_value(json_object_get(pulse, "signature")))
       == 0, "valid pulse signature parses");
    ok(unhex(rnd, 32,
             json_string_value(json_object_get(pulse, "randomness"))) == 0,
       "randomness parses");
    crypto_hash_sha256(h, sig, 48);
    ok(memcmp(h, rnd, 32) == 0, "randomness is sha256(signature)");

    ok(pylon_drand_quicknet_verify(sig, round) == 0,
       "round %llu valid pulse verifies", (unsigned long long) round);
    ok(pylon_drand_verify(sig, round, pk) == 0,
       "verifies against the fixture key too");
    ok(pylon_drand_quicknet_verify(sig, round + 1) == -1,
       "same signature does not verify for round + 1");

    sig[47] ^= 1;
    ok(pylon_drand_quicknet_verify(sig, round) == -1,
       "flipped bit in the signature is rejected");
    sig[47] ^= 1;
    sig[0] ^= 0x20;
    ok(pylon_drand_quicknet_verify(sig, round) == -1,
       "flipped sign flag (the negated signature) is rejected");
    sig[0] ^= 0x20;

    round = (uint64_t) json_integer_value(json_object_get(bad, "round"));
    ok(unhex(sig, 48, json_string_value(json_object_get(bad, "signature")))
       == 0, "invalid pulse signature parses");
    ok(pylon_drand_quicknet_verify(sig, round) == -1,
       "round %llu invalid pulse does not verify",
       (unsigned long long) round);

    memset(sig, 0, sizeof(sig));
    sig[0] = 0xc0;
    ok(pylon_drand_quicknet_verify(sig, round) == -1,
       "the identity is not a signature");

    json_decref(root);
    return done_testing();
}
