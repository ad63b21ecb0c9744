/*
 * test_seal.c: sealing short secrets between the helper and workers.
 */

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "crypto/seal.h"


int
main(void)
{
    char            *hex, *other;
    size_t           len;
    unsigned char    key[32], key2[32], m[128];
    const char      *msg = "{\"algorithm\":1,\"private_key\":\"ab\"}";

    memset(key, 7, sizeof(key));
    memset(key2, 8, sizeof(key2));

    hex = malloc(pylon_seal_hex_len(strlen(msg)));
    other = malloc(pylon_seal_hex_len(strlen(msg)));

    ok(pylon_seal(hex, key, (const unsigned char *) msg, strlen(msg)) == 0,
       "seal");
    is_int(strlen(hex) + 1, pylon_seal_hex_len(strlen(msg)),
           "sealed text has the announced length");
    ok(strstr(hex, "algorithm") == NULL, "sealed text hides the message");

    ok(pylon_unseal(m, sizeof(m), &len, key, hex) == 0, "unseal");
    is_str((char *) m, msg, "round trip");
    is_int(len, strlen(msg), "plaintext length");

    pylon_seal(other, key, (const unsigned char *) msg, strlen(msg));
    ok(strcmp(hex, other) != 0, "a fresh nonce every time");

    ok(pylon_unseal(m, sizeof(m), &len, key2, hex) == -1,
       "another key cannot open it");

    hex[40] = hex[40] == '0' ? '1' : '0';
    ok(pylon_unseal(m, sizeof(m), &len, key, hex) == -1,
       "a flipped digit is refused");

    ok(pylon_unseal(m, sizeof(m), &len, key, "zz") == -1,
       "garbage is refused");
    ok(pylon_unseal(m, 4, &len, key, other) == -1,
       "too small a buffer is refused");

    free(hex);
    free(other);

    return done_testing();
}
