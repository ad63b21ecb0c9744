/*
 * test_chain_ss58.c: SS58 addresses, base58 and the storage hashers,
 * against the published vectors of chain.md §8.7 and §9.
 */

#include "tap.h"

#include "chain/hasher.h"
#include "chain/hex.h"
#include "chain/ss58.h"


static const char  *alice_hex =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
static const char  *alice_ss58 =
    "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
static const char  *bob_hex =
    "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";
static const char  *bob_ss58 =
    "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";


static void
test_ss58(void)
{
    uint8_t   alice[32], bob[32], pub[32];
    char      addr[PYLON_SS58_MAX_CHARS], bad[64];
    size_t    n;
    uint16_t  prefix;

    pylon_hex_decode(alice, 32, &n, alice_hex, 64);
    pylon_hex_decode(bob, 32, &n, bob_hex, 64);

    ok(pylon_ss58_encode(addr, sizeof(addr), alice, 42) == 48,
       "ss58 encodes alice in 48 chars");
    is_str(addr, alice_ss58, "ss58 alice address");

    pylon_ss58_encode(addr, sizeof(addr), bob, PYLON_SS58_PREFIX);
    is_str(addr, bob_ss58, "ss58 bob address");

    ok(pylon_ss58_decode(pub, &prefix, alice_ss58, strlen(alice_ss58)) == 0
       && prefix == 42, "ss58 decodes alice, prefix 42");
    is_hex(pub, 32, alice_hex, "ss58 decode gives alice's key");

    strcpy(bad, alice_ss58);
    bad[47] = bad[47] == 'Y' ? 'Z' : 'Y';
    ok(pylon_ss58_decode(pub, NULL, bad, strlen(bad)) == -1,
       "ss58 rejects a changed last character (checksum)");

    strcpy(bad, alice_ss58);
    bad[10] = '0';
    ok(pylon_ss58_decode(pub, NULL, bad, strlen(bad)) == -1,
       "ss58 rejects '0' (not base58)");

    ok(pylon_ss58_decode(pub, NULL, alice_ss58, 40) == -1,
       "ss58 rejects a truncated address");
    ok(pylon_ss58_decode(pub, NULL, "", 0) == -1, "ss58 rejects empty");

    ok(pylon_ss58_encode(addr, sizeof(addr), alice, 0) > 0
       && pylon_ss58_decode(pub, &prefix, addr, strlen(addr)) == 0
       && prefix == 0 && addr[0] == '1', "ss58 prefix 0 (polkadot) "
       "round-trips, starts with 1");

    ok(pylon_ss58_encode(addr, sizeof(addr), alice, 1284) > 0
       && pylon_ss58_decode(pub, &prefix, addr, strlen(addr)) == 0
       && prefix == 1284 && memcmp(pub, alice, 32) == 0,
       "ss58 two-byte prefix 1284 round-trips");

    ok(pylon_ss58_encode(addr, sizeof(addr), alice, 46) == -1,
       "ss58 reserved prefix 46 refused");
    ok(pylon_ss58_encode(addr, 20, alice, 42) == -1,
       "ss58 refuses a small output buffer");
}


static void
test_base58(void)
{
    uint8_t  in[4] = { 0, 0, 1, 2 }, out[8];
    char     s[16];
    size_t   n;

    ok(pylon_base58_encode(s, sizeof(s), in, 4) == 4 && strcmp(s, "115T") == 0,
       "base58 keeps leading zeros as 1");
    ok(pylon_base58_decode(out, sizeof(out), &n, "115T", 4) == 0 && n == 4
       && memcmp(out, in, 4) == 0, "base58 decode round-trips");
    ok(pylon_base58_decode(out, 2, &n, "115T", 4) == -1,
       "base58 decode refuses small output");
}


static void
test_hashers(void)
{
    uint8_t      h[32], alice[32];
    pylon_buf_t  b;
    size_t       n;
    int          follows;

    pylon_twox128(h, "System", 6);
    is_hex(h, 16, "26aa394eea5630e07c48ae0c9558cef7", "twox128(System)");
    pylon_twox128(h, "Account", 7);
    is_hex(h, 16, "b99d880ec681799c0cf30e8886371da9", "twox128(Account)");

    pylon_hex_decode(alice, 32, &n, alice_hex, 64);

    /* System.Account(Alice) = twox128 ++ twox128 ++ blake2_128concat */
    pylon_buf_init(&b);
    pylon_hasher_put(&b, PYLON_HASHER_TWOX128, "System", 6);
    pylon_hasher_put(&b, PYLON_HASHER_TWOX128, "Account", 7);
    pylon_hasher_put(&b, PYLON_HASHER_BLAKE2_128_CONCAT, alice, 32);
    is_hex(b.data, b.len, "26aa394eea5630e07c48ae0c9558cef7"
           "b99d880ec681799c0cf30e8886371da9"
           "de1e86a9a8c739864cf3cc5ec2bea59f"
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
           "storage key System.Account(Alice)");
    pylon_buf_free(&b);

    pylon_hasher_put(&b, PYLON_HASHER_TWOX128, "Timestamp", 9);
    pylon_hasher_put(&b, PYLON_HASHER_TWOX128, "Now", 3);
    is_hex(b.data, b.len, "f0c365c3cf59d671eb72da0e7a4113c4"
           "9f1f0515f462cdcf84e0f1d6045dfcbb", "storage key Timestamp.Now");
    pylon_buf_free(&b);

    /* Commitments.CommitmentOf(1, Alice): Identity, Twox64Concat */
    pylon_hasher_put(&b, PYLON_HASHER_TWOX128, "Commitments", 11);
    pylon_hasher_put(&b, PYLON_HASHER_TWOX128, "CommitmentOf", 12);
    pylon_hasher_put(&b, PYLON_HASHER_IDENTITY, "\x01\x00", 2);
    pylon_hasher_put(&b, PYLON_HASHER_TWOX64_CONCAT, alice, 32);
    is_hex(b.data, b.len, "ca407206ec1ab726b2636c4b145ac287"
           "419a60ae8b01e6dcaebd7317e43c69bf" "0100" "518366b5b1bc7c99"
           "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
           "storage key Commitments.CommitmentOf(1, Alice)");
    pylon_buf_free(&b);

    pylon_blake2_256(h, "", 0);
    is_hex(h, 32, "0e5751c026e543b2e8ab2eb06099daa1"
           "d1e5df47778f7787faab45cdf12fe3a8", "blake2_256 of empty");

    pylon_twox64(h, "", 0);
    is_hex(h, 8, "99e9d85137db46ef", "twox64 of empty (XXH64 seed 0 LE)");

    pylon_twox256(h, "System", 6);
    is_hex(h, 16, "26aa394eea5630e07c48ae0c9558cef7",
           "twox256 starts with twox128");

    is_int(pylon_hasher_prefix_bytes(PYLON_HASHER_BLAKE2_128_CONCAT, &follows),
           16, "blake2_128concat prefix is 16 bytes");
    ok(follows == 1, "blake2_128concat keeps the key");
    is_int(pylon_hasher_prefix_bytes(PYLON_HASHER_TWOX128, &follows), 16,
           "twox128 is 16 bytes");
    ok(follows == 0, "twox128 loses the key");
    is_int(pylon_hasher_prefix_bytes(7, &follows), -1, "hasher 7 unknown");
    ok(pylon_hasher_put(&b, 7, "x", 1) == -1, "hasher_put rejects hasher 7");
    is_str(pylon_hasher_name(PYLON_HASHER_TWOX64_CONCAT), "Twox64Concat",
           "hasher names as in metadata");
}


int
main(void)
{
    test_ss58();
    test_base58();
    test_hashers();

    return done_testing();
}
