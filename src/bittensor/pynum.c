/*
 * pynum.c: numbers written as strings, read the way pydantic 2 (its Rust
 * core) reads them in lax mode - float and int fields given a JSON string
 * or an environment value.
 *
 * Both trim Unicode whitespace (Rust's char::is_whitespace), refuse a
 * leading or trailing '_' and "__", and drop the other underscores -
 * except that a float with underscores is not trimmed (" 1_0" fails).
 * Floats then follow Rust's f64 grammar (inf/infinity/nan in any case,
 * "5." and ".5" allowed); ints take an optional sign, digits, and an
 * optional '.' followed only by zeros ("1.00" is 1, "1.5" is refused).
 */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bittensor/request_int.h"


static int
rust_space(const unsigned char *s, size_t n, size_t *w)
{
    /* char::is_whitespace: ASCII \t\n\v\f\r and space, U+0085, U+00A0,
     * U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 */
    if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) {
        *w = 1;
        return 1;
    }
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0)) {
        *w = 2;
        return 1;
    }
    if (n >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) {
        *w = 3;
        return 1;
    }
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80
        && ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9
            || s[2] == 0xaf))
    {
        *w = 3;
        return 1;
    }
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) {
        *w = 3;
        return 1;
    }
    if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) {
        *w = 3;
        return 1;
    }
    return 0;
}


/* is s[0..n) a str of trailing Rust whitespace?  (for trimming) */
static size_t
rust_trim_end(const unsigned char *s, size_t n)
{
    size_t  i, w, last;

    /* scan forward: remember the end of the last non-space char */
    last = 0;
    i = 0;
    while (i < n) {
        if (rust_space(s + i, n - i, &w)) {
            i += w;
        } else {
            i++;
            while (i < n && (s[i] & 0xc0) == 0x80) {
                i++;
            }
            last = i;
        }
    }
    return last;
}


static int
ascii_ieq(const char *a, const char *b, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if ((a[i] | 0x20) != b[i]) {
            return 0;
        }
    }
    return 1;
}


/*
 * pydantic-core's float from str: trim Unicode whitespace; no leading or
 * trailing '_' and no "__", other underscores dropped; then Rust's f64
 * grammar: [+-] (inf|infinity|nan | digits[.digits] | .digits)
 * [(e|E)[+-]digits].  Returns 0 with *v, -1 when unparsable.
 */
int
pylon_pydantic_float(double *v, const char *str, size_t len)
{
    const unsigned char  *s;
    char                  buf[400], *c;
    size_t                i, w, n, k, digits;
    int                   neg;

    s = (const unsigned char *) str;

    /* pydantic-core parses the trimmed text first; only when that fails
     * does it drop underscores - from the untrimmed text, so " 1_0" fails */
    if (memchr(s, '_', len) == NULL) {
        while (len > 0 && rust_space(s, len, &w)) {
            s += w;
            len -= w;
        }
        len = rust_trim_end(s, len);
    }

    if (len == 0 || s[0] == '_' || s[len - 1] == '_') {
        return -1;
    }

    c = (len < sizeof(buf)) ? buf : malloc(len + 1);
    if (c == NULL) {
        return -1;
    }

    n = 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '_') {
            if (s[i + 1] == '_') {
                goto bad;
            }
            continue;
        }
        c[n++] = (char) s[i];
    }
    c[n] = '\0';

    i = 0;
    neg = 0;
    if (c[0] == '+' || c[0] == '-') {
        neg = (c[0] == '-');
        i = 1;
    }

    k = n - i;
    if ((k == 3 && ascii_ieq(c + i, "inf", 3))
        || (k == 8 && ascii_ieq(c + i, "infinity", 8)))
    {
        *v = neg ? -INFINITY : INFINITY;
        goto good;
    }
    if (k == 3 && ascii_ieq(c + i, "nan", 3)) {
        *v = NAN;
        goto good;
    }

    digits = 0;
    while (i < n && c[i] >= '0' && c[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && c[i] == '.') {
        i++;
        while (i < n && c[i] >= '0' && c[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        goto bad;
    }
    if (i < n && (c[i] == 'e' || c[i] == 'E')) {
        i++;
        if (i < n && (c[i] == '+' || c[i] == '-')) {
            i++;
        }
        digits = 0;
        while (i < n && c[i] >= '0' && c[i] <= '9') {
            i++;
            digits++;
        }
        if (digits == 0) {
            goto bad;
        }
    }
    if (i != n) {
        goto bad;
    }

    *v = strtod(c, NULL);

good:
    if (c != buf) {
        free(c);
    }
    return 0;

bad:
    if (c != buf) {
        free(c);
    }
    return -1;
}


int
pylon_pydantic_int(long long *v, const char *str, size_t len)
{
    const unsigned char  *s;
    char                  buf[64];
    size_t                i, w, n;
    int                   dot;

    s = (const unsigned char *) str;
    while (len > 0 && rust_space(s, len, &w)) {
        s += w;
        len -= w;
    }
    len = rust_trim_end(s, len);

    if (len == 0 || s[0] == '_' || s[len - 1] == '_' || len >= sizeof(buf)) {
        return -1;
    }

    n = 0;
    dot = 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '_') {
            if (s[i + 1] == '_' || dot) {
                return -1;
            }
            continue;
        }
        if (s[i] == '.') {
            dot = 1;
        }
        buf[n++] = (char) s[i];
    }
    buf[n] = '\0';

    i = (buf[0] == '+' || buf[0] == '-') ? 1 : 0;
    if (buf[i] < '0' || buf[i] > '9') {
        return -1;
    }
    while (buf[i] >= '0' && buf[i] <= '9') {
        i++;
    }
    if (buf[i] == '.') {
        buf[i++] = '\0';
        if (buf[i] == '\0') {
            return -1;
        }
        while (buf[i] == '0') {
            i++;
        }
    }
    if (buf[i] != '\0') {
        return -1;
    }

    errno = 0;
    *v = strtoll(buf, NULL, 10);
    if (errno == ERANGE) {
        return -1;
    }
    return 0;
}
