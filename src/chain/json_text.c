/*
 * json_text.c: JSON string escaping, integers, UTF-8 validation (see
 * json_text.h).
 */

#include <string.h>

#include "chain/json_text.h"


int
pylon_json_put_string(pylon_buf_t *b, const void *p, size_t n)
{
    static const char     hex[] = "0123456789abcdef";
    const unsigned char  *s;
    uint8_t              *d;
    size_t                i;
    unsigned char         ch;

    s = p;

    /* worst case: every byte becomes \u00XX */
    if (n > (SIZE_MAX - 2) / 6) {
        b->err = 1;
        return -1;
    }

    d = pylon_buf_reserve(b, 6 * n + 2);
    if (d == NULL) {
        return -1;
    }

    *d++ = '"';

    for (i = 0; i < n; i++) {
        ch = s[i];

        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            *d++ = ch;
            continue;
        }

        *d++ = '\\';

        switch (ch) {
        case '"':
        case '\\':
            *d++ = ch;
            break;
        case '\b':
            *d++ = 'b';
            break;
        case '\f':
            *d++ = 'f';
            break;
        case '\n':
            *d++ = 'n';
            break;
        case '\r':
            *d++ = 'r';
            break;
        case '\t':
            *d++ = 't';
            break;
        default:
            *d++ = 'u';
            *d++ = '0';
            *d++ = '0';
            *d++ = hex[ch >> 4];
            *d++ = hex[ch & 0xf];
            break;
        }
    }

    *d++ = '"';
    b->len = (size_t) (d - b->data);

    return 0;
}


size_t
pylon_json_u64(uint8_t *d, uint64_t u)
{
    static const char  pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "34353637383940414243444546474849505152535455565758596061626364656667"
        "6869707172737475767778798081828384858687888990919293949596979899";

    uint8_t   tmp[20], *p;
    size_t    n;
    unsigned  r;

    if (u < 10) {
        d[0] = (uint8_t) ('0' + u);
        return 1;
    }

    p = tmp + sizeof(tmp);

    while (u >= 100) {
        r = (unsigned) (u % 100);
        u /= 100;
        *--p = (uint8_t) pairs[2 * r + 1];
        *--p = (uint8_t) pairs[2 * r];
    }

    if (u >= 10) {
        *--p = (uint8_t) pairs[2 * u + 1];
        *--p = (uint8_t) pairs[2 * u];
    } else {
        *--p = (uint8_t) ('0' + u);
    }

    n = (size_t) (tmp + sizeof(tmp) - p);
    memcpy(d, p, n);

    return n;
}


int
pylon_json_put_int(pylon_buf_t *b, int64_t v)
{
    uint8_t  *d;
    size_t    n;

    d = pylon_buf_reserve(b, 21);
    if (d == NULL) {
        return -1;
    }

    n = 0;
    if (v < 0) {
        d[n++] = '-';
    }

    n += pylon_json_u64(d + n, v < 0 ? (uint64_t) 0 - (uint64_t) v
                                     : (uint64_t) v);
    b->len += n;

    return 0;
}


int
pylon_utf8_valid(const uint8_t *p, size_t n)
{
    size_t    i, k, need;
    uint32_t  cp;

    for (i = 0; i < n; ) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }

        if ((p[i] & 0xe0) == 0xc0) {
            need = 1;
            cp = p[i] & 0x1f;
        } else if ((p[i] & 0xf0) == 0xe0) {
            need = 2;
            cp = p[i] & 0x0f;
        } else if ((p[i] & 0xf8) == 0xf0) {
            need = 3;
            cp = p[i] & 0x07;
        } else {
            return 0;
        }

        if (n - i <= need) {
            return 0;
        }

        for (k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }

        if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800)
            || (need == 3 && cp < 0x10000) || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff))
        {
            return 0;
        }

        i += need + 1;
    }

    return 1;
}
