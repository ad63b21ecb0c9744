/*
 * pyfloat.c: Python repr() of a double (see pyfloat.h).
 *
 * The shortest digit string that reads back to the same double is found
 * exactly, the free-format way (Steele & White, Burger & Dybvig): with
 * v = f * 2^e, the integers r/s = v / 10^k and m-/s, m+/s (half the gaps
 * to the neighbouring doubles) are kept as small bignums; each step takes
 * one digit d = floor(10 r / s) and stops as soon as the digits so far,
 * or them with the last one raised, fall inside the rounding interval
 * (inclusive when f is even: strtod rounds halfway to even).  When both
 * do, the nearer to v wins, a tie to the even digit, as CPython's dtoa
 * (mode 0) does.  No libc formatting, no strtod; bignums stay a few words
 * long for ordinary magnitudes.
 *
 * The digits and the decimal point position decpt are then laid out by
 * Python's rule: scientific when decpt <= -4 or decpt > 16, fixed
 * otherwise, always with a ".0" when the fixed form has no fraction.
 */

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bittensor/pyfloat.h"


/* 2^1077 * 10 fits with room: 40 limbs of 32 bits */
#define PYLON_BIG_LIMBS  40


typedef struct {
    int       n;                    /* limbs in use, no leading zeros */
    uint32_t  d[PYLON_BIG_LIMBS];
} pylon_big_t;


static void
pylon_big_set(pylon_big_t *a, uint64_t v)
{
    a->n = 0;

    while (v) {
        a->d[a->n++] = (uint32_t) v;
        v >>= 32;
    }
}


static void
pylon_big_mul_small(pylon_big_t *a, uint32_t m)
{
    int       i;
    uint64_t  carry;

    carry = 0;

    for (i = 0; i < a->n; i++) {
        carry += (uint64_t) a->d[i] * m;
        a->d[i] = (uint32_t) carry;
        carry >>= 32;
    }

    if (carry) {
        a->d[a->n++] = (uint32_t) carry;
    }
}


static void
pylon_big_shl(pylon_big_t *a, int bits)
{
    int  i, limbs, sh;

    if (a->n == 0) {
        return;
    }

    limbs = bits / 32;
    sh = bits % 32;

    if (sh) {
        a->d[a->n] = 0;
        for (i = a->n; i > 0; i--) {
            a->d[i] = (a->d[i] << sh) | (a->d[i - 1] >> (32 - sh));
        }
        a->d[0] <<= sh;
        if (a->d[a->n]) {
            a->n++;
        }
    }

    if (limbs) {
        memmove(a->d + limbs, a->d, a->n * sizeof(uint32_t));
        memset(a->d, 0, limbs * sizeof(uint32_t));
        a->n += limbs;
    }
}


static const uint32_t  pylon_pow10[] = { 1, 10, 100, 1000, 10000, 100000,
                                         1000000, 10000000, 100000000 };


static void
pylon_big_mul_pow10(pylon_big_t *a, int k)
{
    for ( /* void */ ; k >= 9; k -= 9) {
        pylon_big_mul_small(a, 1000000000u);
    }

    if (k) {
        pylon_big_mul_small(a, pylon_pow10[k]);
    }
}


static int
pylon_big_cmp(const pylon_big_t *a, const pylon_big_t *b)
{
    int  i;

    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }

    for (i = a->n - 1; i >= 0; i--) {
        if (a->d[i] != b->d[i]) {
            return a->d[i] < b->d[i] ? -1 : 1;
        }
    }

    return 0;
}


/* a + b compared with c, without a temporary */

static int
pylon_big_add_cmp(const pylon_big_t *a, const pylon_big_t *b,
    const pylon_big_t *c)
{
    int       i, n;
    uint32_t  sum[PYLON_BIG_LIMBS + 1];
    uint64_t  carry;

    n = a->n > b->n ? a->n : b->n;
    carry = 0;

    for (i = 0; i < n; i++) {
        carry += (uint64_t) (i < a->n ? a->d[i] : 0)
                 + (i < b->n ? b->d[i] : 0);
        sum[i] = (uint32_t) carry;
        carry >>= 32;
    }

    if (carry) {
        sum[n++] = (uint32_t) carry;
    }

    while (n > 0 && sum[n - 1] == 0) {
        n--;
    }

    if (n != c->n) {
        return n < c->n ? -1 : 1;
    }

    for (i = n - 1; i >= 0; i--) {
        if (sum[i] != c->d[i]) {
            return sum[i] < c->d[i] ? -1 : 1;
        }
    }

    return 0;
}


/* a -= b, with a >= b */

static void
pylon_big_sub(pylon_big_t *a, const pylon_big_t *b)
{
    int      i;
    int64_t  borrow;

    borrow = 0;

    for (i = 0; i < a->n; i++) {
        borrow += (int64_t) a->d[i] - (i < b->n ? b->d[i] : 0);
        a->d[i] = (uint32_t) borrow;
        borrow = borrow < 0 ? -1 : 0;
    }

    while (a->n > 0 && a->d[a->n - 1] == 0) {
        a->n--;
    }
}


/* the shortest digits of v > 0 (finite) into digits; returns their count */

static int
pylon_pyfloat_digits(double v, char *digits, int *decpt)
{
    int          e, k, n, lo, hi, even, unequal, tc1, tc2, c;
    uint32_t     dig;
    uint64_t     bits, f;
    pylon_big_t  r, s, mp, mm;

    memcpy(&bits, &v, sizeof(bits));

    f = bits & ((1ULL << 52) - 1);
    e = (int) ((bits >> 52) & 0x7ff);

    if (e == 0) {
        e = -1074;                  /* subnormal */
    } else {
        f |= 1ULL << 52;
        e -= 1075;
    }

    even = (f & 1) == 0;
    unequal = f == (1ULL << 52) && e > -1074;   /* gap below is half */

    /* r/s = v, mp/s and mm/s the half gaps above and below: all * 2 */

    pylon_big_set(&r, f);

    if (e >= 0) {
        pylon_big_set(&mp, 1);
        pylon_big_shl(&mp, e);
        pylon_big_set(&mm, 1);
        pylon_big_shl(&mm, e);

        if (unequal) {
            pylon_big_shl(&mp, 1);
            pylon_big_shl(&r, e + 2);
            pylon_big_set(&s, 4);

        } else {
            pylon_big_shl(&r, e + 1);
            pylon_big_set(&s, 2);
        }

    } else {
        pylon_big_set(&mp, 1);
        pylon_big_set(&mm, 1);

        if (unequal) {
            pylon_big_set(&mp, 2);
            pylon_big_shl(&r, 2);
            pylon_big_set(&s, 1);
            pylon_big_shl(&s, 2 - e);

        } else {
            pylon_big_shl(&r, 1);
            pylon_big_set(&s, 1);
            pylon_big_shl(&s, 1 - e);
        }
    }

    /* k: never above ceil(log10 v), at most one below */

    n = 64 - __builtin_clzll(f);
    k = (int) ceil((e + n - 1) * 0.30102999566398114 - 1e-10);

    if (k >= 0) {
        pylon_big_mul_pow10(&s, k);

    } else {
        pylon_big_mul_pow10(&r, -k);
        pylon_big_mul_pow10(&mp, -k);
        pylon_big_mul_pow10(&mm, -k);
    }

    /* fix k up: the high end of the interval must lie below 10^k */

    for ( ;; ) {
        c = pylon_big_add_cmp(&r, &mp, &s);
        if (even ? c < 0 : c <= 0) {
            break;
        }
        pylon_big_mul_small(&s, 10);
        k++;
    }

    *decpt = k;

    for (n = 0; n < 18; /* void */) {
        pylon_big_mul_small(&r, 10);
        pylon_big_mul_small(&mp, 10);
        pylon_big_mul_small(&mm, 10);

        for (dig = 0; pylon_big_cmp(&r, &s) >= 0; dig++) {
            pylon_big_sub(&r, &s);
        }

        c = pylon_big_cmp(&r, &mm);
        tc1 = even ? c <= 0 : c < 0;
        c = pylon_big_add_cmp(&r, &mp, &s);
        tc2 = even ? c >= 0 : c > 0;

        if (!tc1 && !tc2) {
            digits[n++] = (char) ('0' + dig);
            continue;
        }

        if (tc1 && tc2) {
            /* both ends reachable: the nearer to v, a tie to even */
            c = pylon_big_add_cmp(&r, &r, &s);
            lo = c < 0 || (c == 0 && (dig & 1) == 0);
            hi = !lo;

        } else {
            lo = tc1;
            hi = tc2;
        }

        digits[n++] = (char) ('0' + dig + (hi && !lo ? 1 : 0));
        break;
    }

    /* a raised 9 carries: 0.x9 -> 0.(x+1) */
    while (n > 1 && digits[n - 1] > '9') {
        n--;
        digits[n - 1]++;
    }

    if (digits[0] > '9') {
        digits[0] = '1';
        (*decpt)++;
    }

    while (n > 1 && digits[n - 1] == '0') {
        n--;
    }

    return n;
}


size_t
pylon_pyfloat_format(char *out, double d)
{
    int     ndig, decpt, exp, i;
    char    digits[20];
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

    ndig = pylon_pyfloat_digits(d, digits, &decpt);
    exp = decpt - 1;

    if (decpt <= -4 || decpt > 16) {
        out[n++] = digits[0];
        if (ndig > 1) {
            out[n++] = '.';
            memcpy(out + n, digits + 1, ndig - 1);
            n += ndig - 1;
        }

        out[n++] = 'e';
        out[n++] = exp < 0 ? '-' : '+';
        exp = exp < 0 ? -exp : exp;

        if (exp >= 100) {
            out[n++] = (char) ('0' + exp / 100);
        }
        out[n++] = (char) ('0' + exp / 10 % 10);
        out[n++] = (char) ('0' + exp % 10);
        out[n] = '\0';

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
