/*
 * test_bittensor_revealed.c: revealed (timelocked) commitments, Pylon v2
 * (src/bittensor/revealed.c): the reveal round of bittensor-drand's
 * get_encrypted_commitment, the revealed text of a SCALE String in every
 * compact mode, and a ciphertext that opens with the recorded drand
 * round-1000 signature into the SCALE String of the text.
 */

#include <jansson.h>
#include <sodium.h>

#include "tap.h"
#include "bittensor/revealed.h"
#include "crypto/tle.h"


static int
unhex(unsigned char *out, size_t n, const char *hex)
{
    size_t  len;

    if (hex == NULL
        || sodium_hex2bin(out, n, hex, strlen(hex), NULL, &len, NULL) != 0
        || len != n)
    {
        return -1;
    }

    return 0;
}


static void
text_modes(void)
{
    const uint8_t  *t;
    size_t          n;
    uint8_t         b[20000];

    b[0] = 5 << 2;
    memcpy(b + 1, "hello", 5);
    ok(pylon_revealed_text(b, 6, &t, &n) == 0 && n == 5
       && memcmp(t, "hello", 5) == 0, "one-byte length mode");

    b[0] = (uint8_t) ((70 << 2) | 1);
    b[1] = (uint8_t) ((70 << 2) >> 8);
    memset(b + 2, 'x', 70);
    ok(pylon_revealed_text(b, 72, &t, &n) == 0 && n == 70 && t == b + 2,
       "two-byte length mode");

    b[0] = (uint8_t) ((20000 << 2) | 2);
    b[1] = (uint8_t) (((20000 << 2) | 2) >> 8);
    b[2] = (uint8_t) (((20000 << 2) | 2) >> 16);
    b[3] = 0;
    ok(pylon_revealed_text(b, 19996 + 4, &t, &n) == -1,
       "a length longer than the bytes is refused");

    b[0] = 4 << 2;
    ok(pylon_revealed_text(b, 6, &t, &n) == -1,
       "trailing bytes are refused");
    ok(pylon_revealed_text(b, 0, &t, &n) == -1, "empty input is refused");
}


static void
rounds(void)
{
    /* ((now - 1692803367) + round(blocks * block_time)) // 3 */
    is_int(pylon_revealed_round(1700000000, 100, 12.0), 2399277,
           "100 blocks of 12 s");
    is_int(pylon_revealed_round(1692803367 + 30, 0, 12.0), 10,
           "no delay: the current round");
    is_int(pylon_revealed_round(1692803367 + 1, 9, 0.5), 1,
           "round() half to even: 4.5 s -> 4, (1 + 4) // 3");
    is_int(pylon_revealed_round(1692803367 + 3, 7, 0.5), 2,
           "3.5 s rounds to 4: (3 + 4) // 3");
    is_int(pylon_revealed_round(1692803367, -100, 12.0), 1,
           "a round before the first is 1");
}


int
main(void)
{
    const char     *shared;
    char            path[4096];
    json_t         *root, *pulse;
    json_error_t    err;
    unsigned char   sig[48], m[64];
    size_t          mlen;
    pylon_buf_t     ct;

    if (sodium_init() < 0) {
        return 1;
    }

    text_modes();
    rounds();

    shared = tap_shared();
    snprintf(path, sizeof(path), "%s/fixtures/drand-quicknet.json", shared);
    root = json_load_file(path, 0, &err);
    if (root == NULL) {
        skip_all("drand-quicknet.json not readable");
    }

    pulse = json_array_get(json_object_get(root, "pulses"), 0);

    ok(unhex(sig, 48, json_string_value(json_object_get(pulse, "signature")))
       == 0, "round-1000 signature parses");

    pylon_buf_init(&ct);
    ok(pylon_revealed_encrypt(&ct, (const uint8_t *) "hi there", 8, 1000)
       == 0 && ct.len == 9 + PYLON_TLE_OVERHEAD,
       "ciphertext of the SCALE String: |text| + 1 + 244 bytes");
    ok(pylon_tle_decrypt(m, sizeof(m), &mlen, ct.data, ct.len, sig) == 0
       && mlen == 9 && m[0] == 8 << 2 && memcmp(m + 1, "hi there", 8) == 0,
       "it opens at round 1000 into compact length ++ UTF-8");
    pylon_buf_free(&ct);

    json_decref(root);

    return done_testing();
}
