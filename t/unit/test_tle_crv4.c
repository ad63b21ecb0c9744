/*
 * test_tle_crv4.c: the CRv4 WeightsTlockPayload encoding, its decoder's
 * rejects, the reveal-round arithmetic of bittensor-drand's
 * generate_commit, and a full commit opened with a drand signature.
 */

#include <sodium.h>

#include "tap.h"

#include "bittensor/crv4.h"
#include "crypto/tle.h"


/* //Alice sr25519 public key */
static const char  alice_hex[] =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

static const char  sig1000_hex[] =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125"
    "e342b73a8dd2bacbe47e4b6b63ed5e39";


static void
unhex(unsigned char *out, size_t len, const char *hex)
{
    if (sodium_hex2bin(out, len, hex, strlen(hex), NULL, NULL, NULL) != 0) {
        exit(1);
    }
}


static void
test_payload(const unsigned char hk[32])
{
    static const uint16_t  uids[3] = { 0, 1, 5 };
    static const uint16_t  vals[3] = { 65535, 32768, 1 };
    unsigned char          buf[2048], hk2[32];
    uint16_t               u2[300], v2[300], bu[256], bv[256];
    uint64_t               ver;
    size_t                 len, n, i;
    char                   want[512];

    ok(pylon_crv4_payload_encode(buf, sizeof(buf), &len, hk, uids, vals, 3,
                                 9003000) == 0, "encode 3 uids");
    is_int(len, pylon_crv4_payload_len(3), "length as predicted");
    snprintf(want, sizeof(want), "80%s0c000001000500" "0cffff00800100"
             "f85f890000000000", alice_hex);
    is_hex(buf, len, want, "WeightsTlockPayload SCALE bytes");

    ok(pylon_crv4_payload_decode(hk2, u2, v2, 300, &n, &ver, buf, len) == 0
       && n == 3 && ver == 9003000 && memcmp(hk2, hk, 32) == 0
       && u2[2] == 5 && v2[0] == 65535 && v2[1] == 32768,
       "decode round-trips");

    ok(pylon_crv4_payload_decode(hk2, u2, v2, 300, &n, &ver, buf, len - 1)
       == -1, "truncated payload rejected");
    buf[len] = 0;
    ok(pylon_crv4_payload_decode(hk2, u2, v2, 300, &n, &ver, buf, len + 1)
       == -1, "trailing byte rejected");
    ok(pylon_crv4_payload_decode(hk2, u2, v2, 2, &n, &ver, buf, len) == -1,
       "more entries than the caller's capacity rejected");
    buf[33 + 7] = 0x08;        /* values vector claims 2 entries */
    ok(pylon_crv4_payload_decode(hk2, u2, v2, 300, &n, &ver, buf, len)
       == -1, "unequal uid/value counts rejected");
    buf[0] = 0x01;
    buf[1] = 0x00;
    ok(pylon_crv4_payload_decode(hk2, u2, v2, 300, &n, &ver, buf, len)
       == -1, "non-canonical compact length rejected");

    for (i = 0; i < 256; i++) {
        bu[i] = (uint16_t) i;
        bv[i] = (uint16_t) (i * 257);
    }
    ok(pylon_crv4_payload_encode(buf, sizeof(buf), &len, hk, bu, bv, 256, 1)
       == 0, "encode 256 uids");
    is_int(len, 1 + 32 + 2 * (2 + 512) + 8, "256-uid payload is 1069 bytes");
    ok(buf[33] == 0x01 && buf[34] == 0x04, "two-byte compact length 256");
    ok(pylon_crv4_payload_decode(hk2, u2, v2, 300, &n, &ver, buf, len) == 0
       && n == 256 && u2[255] == 255 && v2[255] == 65535,
       "256-uid payload decodes");

    ok(pylon_crv4_payload_encode(buf, len - 1, &len, hk, bu, bv, 256, 1)
       == -1, "encode refuses a short buffer");
    ok(pylon_crv4_payload_encode(buf, 0, &len, hk, NULL, NULL, 0, 0) == -1
       && pylon_crv4_payload_len(0) == 43,
       "empty payload needs 43 bytes");
}


static void
test_reveal_round(void)
{
    /* generate_commit by hand: E = 1002 / 361 = 2, first = 1081,
       target 1084, 84 blocks ahead = 1008 s, (now + 1008 - genesis) / 3 */
    is_int(pylon_crv4_reveal_round(1000, 1, 360, 1, 1700000000), 2399213,
           "reveal round, tempo 360, period 1");
    /* E = 68526, first = 6852898, 211 blocks ahead */
    is_int(pylon_crv4_reveal_round(6852690, 1, 99, 3, 1763000000), 23399721,
           "reveal round, tempo 99, period 3");
    is_int(pylon_crv4_reveal_round(10, 0, 10, 0, 1692803000), 1,
           "reveal round before genesis clamps to 1");
    /* first = 6852700 + 360, 373 blocks ahead */
    is_int(pylon_crv4_reveal_round_from_epoch(6852690, 6852700, 360, 2,
                                              1763000000), 23400369,
           "reveal round from the next epoch start");
    ok(pylon_crv4_reveal_round_from_epoch(100, 200, 360, 0, 1763000000)
       == pylon_crv4_reveal_round_from_epoch(100, 200, 360, 1, 1763000000),
       "period 0 behaves as 1");
}


static void
test_commit(const unsigned char hk[32])
{
    uint16_t       uids[256], vals[256], u2[256], v2[256];
    unsigned char  sig[48], ct[1400], pt[1400], hk2[32];
    uint64_t       ver;
    size_t         ctlen, ptlen, n, i;

    for (i = 0; i < 256; i++) {
        uids[i] = (uint16_t) i;
        vals[i] = (uint16_t) (65535 - i);
    }
    unhex(sig, 48, sig1000_hex);

    ok(pylon_crv4_commit(ct, sizeof(ct), &ctlen, hk, uids, vals, 256,
                         9003000, 1000) == 0, "commit 256 uids to round 1000");
    is_int(ctlen, 1069 + PYLON_TLE_OVERHEAD, "commit is payload + 244");
    ok(pylon_tle_decrypt(pt, sizeof(pt), &ptlen, ct, ctlen, sig) == 0,
       "round-1000 signature opens the commit");
    ok(pylon_crv4_payload_decode(hk2, u2, v2, 256, &n, &ver, pt, ptlen) == 0
       && n == 256 && ver == 9003000 && memcmp(hk2, hk, 32) == 0
       && memcmp(u2, uids, sizeof(uids)) == 0
       && memcmp(v2, vals, sizeof(vals)) == 0,
       "and yields the weights");
    ok(pylon_crv4_commit(ct, 1069 + 243, &ctlen, hk, uids, vals, 256,
                         9003000, 1000) == -1, "commit refuses a short buffer");
}


int
main(void)
{
    unsigned char  hk[32];

    if (sodium_init() < 0) {
        return 1;
    }

    unhex(hk, 32, alice_hex);
    test_payload(hk);
    test_reveal_round();
    test_commit(hk);

    return done_testing();
}
