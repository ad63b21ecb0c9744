/*
 * hex.c: lowercase hex encoding and a strict decoder (see hex.h).
 *
 * The decoder looks every character up in a 256-entry table, so a bad
 * digit anywhere fails the whole string; nothing is read past hexlen.
 */

#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"


static const char  pylon_hex_digits[] = "0123456789abcdef";


static int
pylon_hex_nibble(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


long
pylon_hex_encode(char *out, size_t outlen, const uint8_t *in, size_t len)
{
    size_t  i;
    char   *p;

    if (len > (SIZE_MAX - 3) / 2 || outlen < PYLON_HEX_ENCODED_BYTES(len)) {
        return -1;
    }

    p = out;
    *p++ = '0';
    *p++ = 'x';

    for (i = 0; i < len; i++) {
        *p++ = pylon_hex_digits[in[i] >> 4];
        *p++ = pylon_hex_digits[in[i] & 0xf];
    }

    *p = '\0';

    return (long) (p - out);
}


int
pylon_hex_decode(uint8_t *out, size_t outmax, size_t *outlen,
    const char *hex, size_t hexlen)
{
    size_t  i, n;
    int     hi, lo;

    if (hexlen >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
        hexlen -= 2;
    }

    if (hexlen % 2 != 0) {
        return -1;
    }

    n = hexlen / 2;
    if (n > outmax) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        hi = pylon_hex_nibble((unsigned char) hex[2 * i]);
        lo = pylon_hex_nibble((unsigned char) hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }

        out[i] = (uint8_t) (hi << 4 | lo);
    }

    *outlen = n;

    return 0;
}


int
pylon_hex_decode_alloc(uint8_t **out, size_t *outlen, const char *hex,
    size_t hexlen)
{
    uint8_t  *buf;
    size_t    cap;

    cap = hexlen / 2 + 1;

    buf = malloc(cap);
    if (buf == NULL) {
        return -1;
    }

    if (pylon_hex_decode(buf, cap, outlen, hex, hexlen) != 0) {
        free(buf);
        return -1;
    }

    *out = buf;

    return 0;
}


int
pylon_hex_decode_text(uint8_t **out, size_t *outlen, const char *text,
    size_t len)
{
    while (len && (text[0] == ' ' || text[0] == '\t' || text[0] == '\n'
                   || text[0] == '\r'))
    {
        text++;
        len--;
    }

    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'
                   || text[len - 1] == '\n' || text[len - 1] == '\r'))
    {
        len--;
    }

    if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
        text++;
        len -= 2;
    }

    return pylon_hex_decode_alloc(out, outlen, text, len);
}
