/*
 * seal.c: secretbox sealing of short secrets (see seal.h).
 */

#include <string.h>

#include <sodium.h>

#include "crypto/seal.h"


size_t
pylon_seal_hex_len(size_t len)
{
    return 2 * (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES
                + len) + 1;
}


int
pylon_seal(char *out, const unsigned char key[PYLON_SEAL_KEY_BYTES],
    const unsigned char *m, size_t len)
{
    size_t          n;
    unsigned char  *buf;

    if (sodium_init() < 0) {
        return -1;
    }

    n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;

    buf = sodium_malloc(n);
    if (buf == NULL) {
        return -1;
    }

    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, m, len, buf,
                          key);

    sodium_bin2hex(out, 2 * n + 1, buf, n);
    sodium_free(buf);

    return 0;
}


int
pylon_unseal(unsigned char *m, size_t cap, size_t *len,
    const unsigned char key[PYLON_SEAL_KEY_BYTES], const char *hex)
{
    int             rc;
    size_t          n, hlen;
    unsigned char  *buf;

    hlen = strlen(hex);

    if (hlen % 2 || hlen / 2 < crypto_secretbox_NONCEBYTES
                                + crypto_secretbox_MACBYTES)
    {
        return -1;
    }

    n = hlen / 2;

    if (n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES + 1 > cap)
    {
        return -1;
    }

    buf = sodium_malloc(n);
    if (buf == NULL) {
        return -1;
    }

    if (sodium_hex2bin(buf, n, hex, hlen, NULL, NULL, NULL) != 0) {
        sodium_free(buf);
        return -1;
    }

    rc = crypto_secretbox_open_easy(m, buf + crypto_secretbox_NONCEBYTES,
                                    n - crypto_secretbox_NONCEBYTES, buf,
                                    key);
    sodium_free(buf);

    if (rc != 0) {
        return -1;
    }

    *len = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    m[*len] = '\0';

    return 0;
}
