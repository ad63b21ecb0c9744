/*
 * test_crypto_address.c: SS58 encode/decode of the key layer against the
 * chain.md 8.7 / 9 vectors (Alice, Bob, the Pylon test hotkey) and
 * malformed addresses.
 */

#include <sodium.h>

#include "crypto/address.h"
#include "tap.h"


static void
check(const char *pubhex, const char *addr, const char *name)
{
    char           out[PYLON_ADDRESS_SS58_MAX];
    unsigned char  pub[32], back[32];
    unsigned       prefix;

    sodium_hex2bin(pub, 32, pubhex, 64, NULL, NULL, NULL);
    pylon_address_ss58_encode(out, sizeof(out), pub, 42);
    is_str(out, addr, "%s encodes", name);

    memset(back, 0, sizeof(back));
    prefix = 0;
    ok(pylon_address_ss58_decode(back, &prefix, addr) == 0
       && memcmp(back, pub, 32) == 0 && prefix == 42, "%s decodes", name);
}


int
main(void)
{
    char           out[PYLON_ADDRESS_SS58_MAX], bad[64];
    unsigned char  pub[32];
    unsigned       prefix;
    size_t         i;
    int            fails;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    check("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
          "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "Alice");
    check("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48",
          "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "Bob");
    check("3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033",
          "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1",
          "Pylon test hotkey");
    check("66c01e2e0e6fed2723626c7e652ff5ff97caebf89ddebd71e644f1e38c865959",
          "5EPRp4wsFSCvFSYMqcwD5wwBgE2M2xoSJSZbbLzZpbPrDkZx",
          "Pylon test coldkey");

    memset(pub, 0, sizeof(pub));
    is_int(pylon_address_ss58_encode(out, sizeof(out), pub, 0), 0,
           "prefix 0, zero key encodes");
    ok(out[0] == '1', "leading zero byte becomes '1'");
    ok(pylon_address_ss58_decode(pub, &prefix, out) == 0 && prefix == 0,
       "prefix 0, zero key decodes back");

    is_int(pylon_address_ss58_encode(out, sizeof(out), pub, 64), -1,
           "two-byte prefixes are refused");
    is_int(pylon_address_ss58_encode(out, 10, pub, 42), -1,
           "small output buffer is refused");

    is_int(pylon_address_ss58_decode(pub, NULL,
               "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"), -1,
           "changed last character fails the checksum");
    is_int(pylon_address_ss58_decode(pub, NULL,
               "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ"), -1,
           "short address refused");
    is_int(pylon_address_ss58_decode(pub, NULL,
               "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQYY"), -1,
           "long address refused");
    is_int(pylon_address_ss58_decode(pub, NULL,
               "0GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), -1,
           "character outside the alphabet refused");
    is_int(pylon_address_ss58_decode(pub, NULL, ""), -1, "empty refused");

    fails = 0;
    strcpy(bad, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    for (i = 0; i < strlen(bad); i++) {
        char  c = bad[i];

        bad[i] = c == 'a' ? 'b' : 'a';
        if (pylon_address_ss58_decode(pub, NULL, bad) == 0) {
            fails++;
        }
        bad[i] = c;
    }
    is_int(fails, 0, "every single-character change is detected");

    return done_testing();
}
