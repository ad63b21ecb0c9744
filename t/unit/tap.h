/*
 * tap.h: a tiny Test Anything Protocol producer for the C unit tests.
 *
 * Each t/unit/test_*.c is one program; `make unit` runs them all under
 * prove.  Tests are many and small, each named for the behaviour it pins:
 *
 *     ok(pylon_ss58_decode(...) == 0, "ss58 decodes alice");
 *     is_int(n, 42, "compact u32 four-byte mode");
 *     is_str(json, "{\"a\":1}", "renders composite");
 *     is_hex(buf, len, "0x01ff", "twox128 of System");
 *     return done_testing();
 *
 * A test that needs ../shared calls tap_shared() which returns the path,
 * or skips the whole program with a clear reason when it is absent.
 */

#ifndef PYLON_TAP_H
#define PYLON_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int  tap_n, tap_failed;


static void
tap_vline(int pass, const char *fmt, va_list ap)
{
    tap_n++;
    if (!pass) {
        tap_failed++;
    }
    printf("%sok %d - ", pass ? "" : "not ", tap_n);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
}


static inline int
ok(int pass, const char *fmt, ...)
{
    va_list  ap;

    va_start(ap, fmt);
    tap_vline(pass, fmt, ap);
    va_end(ap);
    return pass;
}


static inline void
diag(const char *fmt, ...)
{
    va_list  ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}


#define is_int(got, want, ...)                                              \
    do {                                                                    \
        long long  g_ = (long long) (got), w_ = (long long) (want);         \
        if (!ok(g_ == w_, __VA_ARGS__)) {                                   \
            diag("     got: %lld", g_);                                     \
            diag("expected: %lld", w_);                                     \
        }                                                                   \
    } while (0)


#define is_str(got, want, ...)                                              \
    do {                                                                    \
        const char  *g_ = (got), *w_ = (want);                              \
        if (!ok(g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0,            \
                __VA_ARGS__))                                               \
        {                                                                   \
            diag("     got: %s", g_ ? g_ : "(null)");                       \
            diag("expected: %s", w_ ? w_ : "(null)");                       \
        }                                                                   \
    } while (0)


/* compare bytes with a "0x..." (or bare) lowercase hex string */
static inline int
is_hex(const void *got, size_t len, const char *want, const char *name)
{
    static const char    digits[] = "0123456789abcdef";
    const unsigned char  *p = got;
    char                 *h;
    size_t                i;
    int                   pass;

    if (want[0] == '0' && want[1] == 'x') {
        want += 2;
    }

    h = malloc(len * 2 + 1);
    for (i = 0; i < len; i++) {
        h[2 * i] = digits[p[i] >> 4];
        h[2 * i + 1] = digits[p[i] & 0xf];
    }
    h[len * 2] = '\0';

    pass = ok(strcmp(h, want) == 0, "%s", name);
    if (!pass) {
        diag("     got: %s", h);
        diag("expected: %s", want);
    }

    free(h);
    return pass;
}


static inline void
skip_all(const char *reason)
{
    printf("1..0 # SKIP %s\n", reason);
    exit(0);
}


/* path of ../shared (or $PYLON_SHARED); skips the program when absent */
static inline const char *
tap_shared(void)
{
    const char   *p;
    struct stat   st;

    p = getenv("PYLON_SHARED");
    if (p == NULL) {
        p = "../shared";
    }

    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        skip_all("../shared not found (set PYLON_SHARED): reference data "
                 "unavailable");
    }

    return p;
}


/* read a whole file; NULL on error; *len receives its size */
static inline char *
tap_slurp(const char *path, size_t *len)
{
    FILE   *f;
    char   *buf;
    long    n;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        free(buf);
        fclose(f);
        return NULL;
    }

    buf[n] = '\0';
    fclose(f);

    if (len) {
        *len = n;
    }

    return buf;
}


static inline int
done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif /* PYLON_TAP_H */
