/*
 * timeout.c: the X-Pylon-Timeout header, parsed as Pylon's
 * RequestTimeoutMiddleware parses it - Python float() of the decoded
 * value, 400 for garbage or a value <= 0 (the number printed with
 * Python's float repr), capped at the configured maximum.
 *
 * pylon_float_repr() finds the shortest "%.*e" that reads back as the
 * same double (what Python's repr does, David Gay's shortest mode) and
 * lays it out as repr does: positional for exponents -4..15, else
 * "d.ddde+XX".
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bittensor/request.h"
#include "bittensor/request_int.h"


size_t
pylon_float_repr(char *buf, double v)
{
    char    e[40], digits[24], *p;
    int     prec, exp, nd, i, o;

    if (isnan(v)) {
        return (size_t) sprintf(buf, "nan");
    }
    if (isinf(v)) {
        return (size_t) sprintf(buf, v < 0 ? "-inf" : "inf");
    }

    for (prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec, v);
        if (strtod(e, NULL) == v) {
            break;
        }
    }

    /* e = "-d.ddde+XX": collect the digits and the exponent */
    p = e;
    o = 0;
    if (*p == '-') {
        buf[o++] = '-';
        p++;
    }

    nd = 0;
    for ( ; *p != 'e'; p++) {
        if (*p != '.') {
            digits[nd++] = *p;
        }
    }
    exp = atoi(p + 1);

    while (nd > 1 && digits[nd - 1] == '0') {
        nd--;
    }

    if (exp < -4 || exp >= 16) {
        buf[o++] = digits[0];
        if (nd > 1) {
            buf[o++] = '.';
            for (i = 1; i < nd; i++) {
                buf[o++] = digits[i];
            }
        }
        o += sprintf(buf + o, "e%c%02d", exp < 0 ? '-' : '+',
                     exp < 0 ? -exp : exp);
        return (size_t) o;
    }

    if (exp < 0) {
        buf[o++] = '0';
        buf[o++] = '.';
        for (i = 0; i < -exp - 1; i++) {
            buf[o++] = '0';
        }
        for (i = 0; i < nd; i++) {
            buf[o++] = digits[i];
        }
        buf[o] = '\0';
        return (size_t) o;
    }

    for (i = 0; i <= exp; i++) {
        buf[o++] = (i < nd) ? digits[i] : '0';
    }
    buf[o++] = '.';
    if (nd > exp + 1) {
        for (i = exp + 1; i < nd; i++) {
            buf[o++] = digits[i];
        }
    } else {
        buf[o++] = '0';
    }
    buf[o] = '\0';
    return (size_t) o;
}


static int
py_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
           || c == '\f';
}


static int
py_digit(char c)
{
    return c >= '0' && c <= '9';
}


static int
ieq(const char *a, size_t n, const char *lower)
{
    size_t  i;

    if (strlen(lower) != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if ((a[i] | 0x20) != lower[i]) {
            return 0;
        }
    }
    return 1;
}


/* digits with single '_' between digits; appends the digits to out */
static const char *
py_digits(const char *s, const char *end, char *out, size_t *o)
{
    if (s >= end || !py_digit(*s)) {
        return NULL;
    }

    while (s < end) {
        if (py_digit(*s)) {
            out[(*o)++] = *s++;
        } else if (*s == '_' && s + 1 < end && py_digit(s[1])) {
            s++;
        } else {
            break;
        }
    }
    return s;
}


int
pylon_py_float(double *v, const char *s, size_t len)
{
    const char  *end, *q;
    char        *c;
    size_t       o;
    int          neg, rc;

    end = s + len;
    while (s < end && py_space(*s)) {
        s++;
    }
    while (end > s && py_space(end[-1])) {
        end--;
    }

    neg = 0;
    if (s < end && (*s == '+' || *s == '-')) {
        neg = (*s == '-');
        s++;
    }

    if (ieq(s, (size_t) (end - s), "inf")
        || ieq(s, (size_t) (end - s), "infinity"))
    {
        *v = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (ieq(s, (size_t) (end - s), "nan")) {
        *v = neg ? -NAN : NAN;
        return 0;
    }

    c = malloc((size_t) (end - s) + 3);
    if (c == NULL) {
        return -1;
    }

    o = 0;
    c[o++] = neg ? '-' : '+';
    rc = -1;

    /* digits [. [digits]] | . digits */
    q = py_digits(s, end, c, &o);
    if (q != NULL) {
        s = q;
        if (s < end && *s == '.') {
            c[o++] = *s++;
            if (s < end && py_digit(*s)) {
                s = py_digits(s, end, c, &o);
            }
        }
    } else if (s < end && *s == '.') {
        c[o++] = *s++;
        s = py_digits(s, end, c, &o);
        if (s == NULL) {
            goto done;
        }
    } else {
        goto done;
    }

    if (s < end && (*s == 'e' || *s == 'E')) {
        c[o++] = *s++;
        if (s < end && (*s == '+' || *s == '-')) {
            c[o++] = *s++;
        }
        s = py_digits(s, end, c, &o);
        if (s == NULL) {
            goto done;
        }
    }

    if (s != end) {
        goto done;
    }

    c[o] = '\0';
    *v = strtod(c, NULL);
    rc = 0;

done:
    free(c);
    return rc;
}


int
pylon_timeout_parse(uint64_t *ms, int *capped, char **env, size_t *envlen,
    const unsigned char *value, size_t len, double default_s, double max_s)
{
    pylon_sbuf_t   d;
    double         t;
    char           num[40];

    *env = NULL;
    *envlen = 0;
    *capped = 0;

    if (value == NULL) {
        t = default_s;
        goto done;
    }

    memset(&d, 0, sizeof(d));

    if (memchr(value, '\0', len) != NULL
        || pylon_py_float(&t, (const char *) value, len) != 0
        || isnan(t))
    {
        /* Pylon lets "nan" through (every comparison is false); not us */
        pylon_sbuf_str(&d, "Invalid X-Pylon-Timeout header value: ");
        pylon_sbuf_put(&d, value, len);

    } else if (t <= 0) {
        pylon_sbuf_str(&d, "X-Pylon-Timeout header value must be positive, "
                       "got ");
        pylon_float_repr(num, t);
        pylon_sbuf_str(&d, num);

    } else {
        if (t > max_s) {
            t = max_s;
            *capped = 1;
        }
        goto done;
    }

    if (d.failed) {
        free(d.buf);
        return PYLON_TIMEOUT_ENOMEM;
    }

    *env = pylon_envelope(envlen, 400, d.buf, d.len);
    free(d.buf);
    return *env ? PYLON_TIMEOUT_EINVALID : PYLON_TIMEOUT_ENOMEM;

done:
    t = ceil(t * 1000.0);
    *ms = (t >= 18446744073709551615.0) ? UINT64_MAX : (uint64_t) t;
    return PYLON_TIMEOUT_OK;
}
