/*
 * test_bittensor_timeout.c: X-Pylon-Timeout as Pylon's
 * RequestTimeoutMiddleware reads it (spec 5.1), and Python's float repr
 * and float() grammar it relies on.
 */

#include <math.h>

#include "tap.h"
#include "bittensor/request.h"


static char *
tmo(const char *v, uint64_t *ms, int *capped)
{
    char    *env;
    size_t   n;
    int      rc;

    *ms = 0;
    rc = pylon_timeout_parse(ms, capped, &env, &n,
                             (const unsigned char *) v, v ? strlen(v) : 0,
                             60.0, 300.0);
    if (rc == PYLON_TIMEOUT_OK) {
        return strdup("OK");
    }
    return env ? env : strdup("(null)");
}


#define OK_MS(v, want, name)                                                \
    do {                                                                    \
        uint64_t  ms_; int cap_; char *e_ = tmo(v, &ms_, &cap_);            \
        is_str(e_, "OK", name);                                             \
        is_int(ms_, want, name " (ms)");                                    \
        free(e_);                                                           \
    } while (0)

#define BAD(v, want, name)                                                  \
    do {                                                                    \
        uint64_t  ms_; int cap_; char *e_ = tmo(v, &ms_, &cap_);            \
        is_str(e_, "{\"status_code\":400,\"detail\":\"" want "\"}", name);  \
        free(e_);                                                           \
    } while (0)


static void
repr_is(double v, const char *want)
{
    char  buf[40];

    pylon_float_repr(buf, v);
    is_str(buf, want, "repr(%s)", want);
}


int
main(void)
{
    uint64_t  ms;
    int       capped;
    char     *e;
    double    v;

    repr_is(-5.0, "-5.0");
    repr_is(0.0, "0.0");
    repr_is(-0.0, "-0.0");
    repr_is(-1e-05, "-1e-05");
    repr_is(-0.0001, "-0.0001");
    repr_is(-1e16, "-1e+16");
    repr_is(-1.5e16, "-1.5e+16");
    repr_is(-123456789012345678.0, "-1.2345678901234568e+17");
    repr_is(-9999999999999998.0, "-9999999999999998.0");
    repr_is(-0.1, "-0.1");
    repr_is(-2.5e-300, "-2.5e-300");
    repr_is(-INFINITY, "-inf");
    repr_is(NAN, "nan");
    repr_is(-123.456, "-123.456");
    repr_is(-1e22, "-1e+22");
    repr_is(-5e-324, "-5e-324");

    ok(pylon_py_float(&v, " +1_0.5e1_0 ", 12) == 0 && v == 10.5e10,
       "float(): sign, underscores, exponent, spaces");
    ok(pylon_py_float(&v, "1__0", 4) != 0, "float(): double underscore");
    ok(pylon_py_float(&v, "1_.5", 4) != 0, "float(): underscore before .");
    ok(pylon_py_float(&v, "_1", 2) != 0, "float(): leading underscore");
    ok(pylon_py_float(&v, ".5", 2) == 0 && v == 0.5, "float(): .5");
    ok(pylon_py_float(&v, "5.", 2) == 0 && v == 5.0, "float(): 5.");
    ok(pylon_py_float(&v, ".", 1) != 0, "float(): lone point");
    ok(pylon_py_float(&v, "InFiNiTy", 8) == 0 && isinf(v), "float(): inf");
    ok(pylon_py_float(&v, "0x10", 4) != 0, "float(): no hex");
    ok(pylon_py_float(&v, "1e", 2) != 0, "float(): bare exponent");
    ok(pylon_py_float(&v, "", 0) != 0, "float(): empty");

    e = tmo(NULL, &ms, &capped);
    is_str(e, "OK", "absent: default");
    is_int(ms, 60000, "absent: 60 s default");
    free(e);

    OK_MS("60.0", 60000, "client default \"60.0\"");
    OK_MS(" 1e2 ", 100000, "1e2 with spaces");
    OK_MS("+5", 5000, "+5");
    OK_MS("1_0", 10000, "1_0");
    OK_MS("0.0001", 1, "sub-millisecond rounds up");
    OK_MS("1000", 300000, "above max: capped");
    OK_MS("inf", 300000, "inf: capped");

    free(tmo("1000", &ms, &capped));
    is_int(capped, 1, "capped flag set");
    free(tmo("5", &ms, &capped));
    is_int(capped, 0, "capped flag clear");

    BAD("abc", "Invalid X-Pylon-Timeout header value: abc", "garbage");
    BAD("", "Invalid X-Pylon-Timeout header value: ", "empty value");
    BAD("nan", "Invalid X-Pylon-Timeout header value: nan",
        "nan rejected (Pylon lets it through)");
    BAD("1 0", "Invalid X-Pylon-Timeout header value: 1 0", "inner space");
    BAD("-5", "X-Pylon-Timeout header value must be positive, got -5.0",
        "negative");
    BAD("0", "X-Pylon-Timeout header value must be positive, got 0.0",
        "zero");
    BAD("-0", "X-Pylon-Timeout header value must be positive, got -0.0",
        "minus zero");
    BAD("-1e-5", "X-Pylon-Timeout header value must be positive, got -1e-05",
        "repr with exponent");
    BAD("-inf", "X-Pylon-Timeout header value must be positive, got -inf",
        "-inf");
    BAD("\"\\\xff", "Invalid X-Pylon-Timeout header value: \\\"\\\\\xef\xbf"
        "\xbd", "raw value escaped, invalid utf-8 replaced");

    return done_testing();
}
