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


/*
 * A digit's value, or 0x80 for anything else: a whole string is checked by
 * OR-ing the entries and testing 0x80 once at the end, so the loops have
 * no branch per character (replies carry megabytes of hex per head).
 */
#define XX  0x80

static const uint8_t  pylon_hex_value[256] = {
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, XX, XX, XX, XX, XX, XX,
    XX, 10, 11, 12, 13, 14, 15, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, 10, 11, 12, 13, 14, 15, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
};

#undef XX


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
    size_t    i, n;
    unsigned  hi, lo, bad;

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

    bad = 0;

    for (i = 0; i < n; i++) {
        hi = pylon_hex_value[(unsigned char) hex[2 * i]];
        lo = pylon_hex_value[(unsigned char) hex[2 * i + 1]];
        bad |= hi | lo;
        out[i] = (uint8_t) (hi << 4 | lo);
    }

    if (bad & 0x80) {
        return -1;
    }

    *outlen = n;

    return 0;
}


int
pylon_hex_is_digits(const char *hex, size_t len)
{
    size_t    i;
    unsigned  bad;

    bad = 0;

    for (i = 0; i < len; i++) {
        bad |= pylon_hex_value[(unsigned char) hex[i]];
    }

    return !(bad & 0x80);
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
