/*
 * pyfloat.c: Python repr() of a double (see pyfloat.h).
 *
 * The shortest round-trip digits are found by printing with %.*e at
 * increasing precision until strtod gives the same double back (at most
 * 17 digits); the digits and the exponent are then laid out by Python's
 * rule: decimal point position decpt = exponent + 1; scientific when
 * decpt <= -4 or decpt > 16, fixed otherwise, always with a ".0" when
 * the fixed form has no fraction.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bittensor/pyfloat.h"


size_t
pylon_pyfloat_format(char *out, double d)
{
    int     prec, exp, ndig, decpt, i;
    char    buf[40], digits[20], *p, *e;
    size_t  n;

    if (isnan(d) || isinf(d)) {
        memcpy(out, "null", 5);
        return 4;
    }

    n = 0;

    if (signbit(d)) {
        out[n++] = '-';
        d = -d;
    }

    if (d == 0) {
        memcpy(out + n, "0.0", 4);
        return n + 3;
    }

    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d) {
            break;
        }
    }

    /* buf is "D[.DDD]e[+-]XX" */

    ndig = 0;
    for (p = buf; *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            digits[ndig++] = *p;
        }
    }

    exp = (int) strtol(p + 1, &e, 10);

    while (ndig > 1 && digits[ndig - 1] == '0') {
        ndig--;
    }

    decpt = exp + 1;

    if (decpt <= -4 || decpt > 16) {
        out[n++] = digits[0];
        if (ndig > 1) {
            out[n++] = '.';
            memcpy(out + n, digits + 1, ndig - 1);
            n += ndig - 1;
        }
        n += snprintf(out + n, PYLON_PYFLOAT_MAX_CHARS - n, "e%c%02d",
                      exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return n;
    }

    if (decpt <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (i = 0; i < -decpt; i++) {
            out[n++] = '0';
        }
        memcpy(out + n, digits, ndig);
        n += ndig;

    } else {
        for (i = 0; i < decpt; i++) {
            out[n++] = i < ndig ? digits[i] : '0';
        }
        out[n++] = '.';
        if (ndig > decpt) {
            memcpy(out + n, digits + decpt, ndig - decpt);
            n += ndig - decpt;
        } else {
            out[n++] = '0';
        }
    }

    out[n] = '\0';

    return n;
}
