/*
 * test_store_gzip.c: gzip copies of cached bodies (store/gzip.h) and the
 * Accept-Encoding negotiation that picks them.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdeflate.h>

#include "tap.h"
#include "store/store.h"
#include "store/gzip.h"
#include "store/batch.h"


static int
accepts(const char *ae)
{
    int  star, q;

    star = -1;
    q = pylon_gzip_accept_q((const u_char *) ae, strlen(ae), &star);

    return pylon_gzip_acceptable(q, star);
}


static void
test_accept(void)
{
    int  star;

    ok(accepts("gzip"), "gzip");
    ok(accepts("gzip, deflate, br"), "gzip in a list");
    ok(accepts("deflate, GZIP"), "coding names are case-insensitive");
    ok(accepts("x-gzip"), "x-gzip is gzip");
    ok(accepts("br;q=1.0, gzip;q=0.8, *;q=0.1"), "weighted list");
    ok(accepts("gzip ; q=0.001"), "the smallest positive q");
    ok(!accepts("gzip;q=0"), "gzip;q=0 refuses");
    ok(!accepts("gzip;q=0.000"), "gzip;q=0.000 refuses");
    ok(!accepts("gzip; Q=0.0"), "Q is q");
    ok(!accepts("identity"), "identity only");
    ok(!accepts(""), "empty header");
    ok(!accepts("gzipx, xgzip"), "a longer token is another coding");
    ok(!accepts("deflate;q=0.5"), "gzip not listed");
    ok(accepts("*"), "* allows gzip");
    ok(accepts("br, *;q=0.5"), "* with a weight allows gzip");
    ok(!accepts("gzip;q=0, *"), "gzip;q=0 wins over *");
    ok(!accepts("*;q=0"), "*;q=0 refuses");
    ok(!accepts("gzip;q=2"), "q above 1 is malformed: refused");
    ok(!accepts("gzip;q=0.5555"), "four decimals are malformed: refused");
    ok(!accepts("gzip;q=abc"), "a non-numeric q is refused");
    ok(accepts("gzip;level=1"), "other parameters are ignored");
    ok(accepts("gzip;q=0, gzip;q=1"), "listed twice: the higher q wins");
    ok(accepts(" , ,gzip"), "empty list elements are skipped");

    star = -1;
    is_int(pylon_gzip_accept_q((const u_char *) "gzip;q=0.25", 11, &star),
           250, "q in thousandths");
    is_int(star, -1, "star untouched when absent");
    is_int(pylon_gzip_accept_q((const u_char *) "*;q=0.5", 7, &star), -1,
           "gzip absent: -1");
    is_int(star, 500, "star's q");

    /* several headers fold: star from one, gzip from another */
    ok(pylon_gzip_acceptable(-1, 1000), "no gzip, star");
    ok(!pylon_gzip_acceptable(0, 1000), "gzip;q=0 and star");
}


static u_char *
inflate_copy(const u_char *gz, size_t gzlen, size_t cap, size_t *len)
{
    u_char                           *out;
    struct libdeflate_decompressor   *d;
    enum libdeflate_result            rc;

    out = malloc(cap + 1);
    d = libdeflate_alloc_decompressor();
    rc = libdeflate_gzip_decompress(d, gz, gzlen, out, cap + 1, len);
    libdeflate_free_decompressor(d);

    if (rc != LIBDEFLATE_SUCCESS) {
        free(out);
        return NULL;
    }

    return out;
}


static void
test_records(const char *dir)
{
    char             err[PYLON_STORE_ERRLEN], etag[32], body[4096];
    u_char          *plain, *gz;
    size_t           i, n, gzlen;
    pylon_gzip_t    *c;
    pylon_store_t   *st;
    pylon_record_t   rec;

    for (i = 0, n = 0; n + 40 < sizeof(body); i++) {
        n += snprintf(body + n, sizeof(body) - n, "{\"uid\":%zu,\"x\":1.5},",
                      i);
    }

    c = pylon_gzip_create(PYLON_GZIP_LEVEL);
    ok(c != NULL, "a compressor");
    gz = pylon_gzip_compress(c, body, n, &gzlen);
    ok(gz != NULL && gzlen < n / 4, "a repetitive body compresses");
    plain = gz ? inflate_copy(gz, gzlen, n, &i) : NULL;
    ok(plain && i == n && memcmp(plain, body, n) == 0,
       "the copy inflates to the body");
    free(plain);
    free(gz);

    ok(pylon_gzip_compress(c, body, PYLON_GZIP_MIN_LEN - 1, &gzlen) == NULL,
       "a short body gets no copy");
    gz = pylon_gzip_compress(c, "0123456789abcdef0123456789abcdef"
                                "fedcba9876543210fedcba9876543210"
                                "a1b2c3d4e5f60718293a4b5c6d7e8f90"
                                "0f1e2d3c4b5a69788796a5b4c3d2e1f0", 128,
                             &gzlen);
    ok(gz == NULL || gzlen < 128, "a copy is never larger than the body");
    free(gz);
    pylon_gzip_destroy(c);

    st = pylon_store_open(dir, 16 << 20, err, sizeof(err));
    if (!ok(st != NULL, "store opens")) {
        diag("%s", err);
        return;
    }

    ok(pylon_store_set_gzip(st, PYLON_GZIP_LEVEL) == 0, "gzip on");

    pylon_store_write_begin(st);
    ok(pylon_store_put(st, "L/neurons/1", 5, 2, body, n) == 0,
       "put a large body");
    pylon_store_put(st, "B/neurons/1/0000000005", 5, 0, body, n);
    pylon_store_put(st, "S/refresh", 5, 0, body, n);
    pylon_store_put(st, "L/block/-", 5, 0, "{\"number\":5}", 12);
    pylon_store_write_commit(st);

    is_int(pylon_store_read(st, "L/neurons/1", &rec), PYLON_STORE_OK,
           "reads back");
    is_int(rec.flags & ~PYLON_RECORD_GZIP, 2, "caller's flags kept");
    ok(rec.flags & PYLON_RECORD_GZIP, "the record says it has a copy");
    ok(rec.len == n && memcmp(rec.body, body, n) == 0,
       "the body is the plain body");
    ok(rec.gz != NULL && rec.gzlen < n, "and a smaller gzip copy");
    plain = rec.gz ? inflate_copy(rec.gz, rec.gzlen, n, &i) : NULL;
    ok(plain && i == n && memcmp(plain, body, n) == 0,
       "the stored copy inflates to the body");
    free(plain);
    is_int(pylon_store_etag_format_gz(etag, sizeof(etag), rec.etag), 21,
           "gzip ETag length");
    ok(etag[0] == '"' && memcmp(etag + 17, "-gz\"", 4) == 0,
       "gzip ETag is the body's with -gz, strong");
    pylon_store_read_end(st);

    pylon_store_read(st, "B/neurons/1/0000000005", &rec);
    ok(rec.gz != NULL, "at-block bodies get a copy too");
    pylon_store_read_end(st);

    pylon_store_read(st, "S/refresh", &rec);
    ok(rec.gz == NULL && rec.len == n, "helper state gets none");
    pylon_store_read_end(st);

    pylon_store_read(st, "L/block/-", &rec);
    ok(rec.gz == NULL && rec.len == 12, "a short body gets none");
    pylon_store_read_end(st);

    /* made outside the transaction */
    gz = pylon_store_gzip(st, "L/neurons/2", body, n, &gzlen);
    ok(gz != NULL, "store_gzip makes the copy put would");
    pylon_store_write_begin(st);
    ok(pylon_store_put_gz(st, "L/neurons/2", 6, 0, body, n, gz, gzlen) == 0,
       "put_gz");
    pylon_store_write_commit(st);
    pylon_store_read(st, "L/neurons/2", &rec);
    ok(rec.gzlen == gzlen && memcmp(rec.gz, gz, gzlen) == 0
       && rec.len == n, "put_gz stores both");
    pylon_store_read_end(st);
    free(gz);

    /* a batch: bodies and copies made before the transaction */
    {
        pylon_batch_t  *b;

        b = pylon_batch_create(st);
        ok(b != NULL, "a batch");
        ok(pylon_batch_add(b, "L/neurons/3", 8, body, n) == 0
           && pylon_batch_add(b, "L/block/-", 8, "{\"number\":8}", 12) == 0
           && pylon_batch_add(b, "L/neurons/3", 9, body, n - 1) == 0,
           "adds outside a transaction");
        is_int(pylon_batch_count(b), 3, "three records");
        ok(pylon_batch_put(b) == -1, "put needs a transaction");
        pylon_store_write_begin(st);
        ok(pylon_batch_put(b) == 0, "put in one transaction");
        pylon_store_write_commit(st);
        pylon_batch_free(b);

        pylon_store_read(st, "L/neurons/3", &rec);
        ok(rec.block == 9 && rec.len == n - 1, "the later add wins");
        plain = rec.gz ? inflate_copy(rec.gz, rec.gzlen, n, &i) : NULL;
        ok(plain && i == n - 1 && memcmp(plain, body, n - 1) == 0,
           "its copy inflates to its body");
        free(plain);
        pylon_store_read_end(st);
        pylon_store_read(st, "L/block/-", &rec);
        ok(rec.block == 8 && rec.gz == NULL, "a short one without copy");
        pylon_store_read_end(st);
        pylon_batch_free(NULL);

        /* a subnet that fails half-rendered: its records are taken back */
        b = pylon_batch_create(st);
        ok(pylon_batch_add(b, "L/neurons/4", 10, body, n) == 0
           && pylon_batch_add(b, "L/neurons/5", 10, body, n) == 0
           && pylon_batch_add(b, "L/state/5", 10, "{}", 2) == 0,
           "three records of two subnets");
        pylon_batch_truncate(b, 1);
        is_int(pylon_batch_count(b), 1, "truncated to the first");
        pylon_batch_truncate(b, 5);
        is_int(pylon_batch_count(b), 1, "truncating to more is nothing");
        pylon_store_write_begin(st);
        ok(pylon_batch_put(b) == 0, "the rest put");
        pylon_store_write_commit(st);
        pylon_batch_free(b);
        ok(pylon_store_read(st, "L/neurons/4", &rec) == 0 && rec.block == 10,
           "the kept one written");
        pylon_store_read_end(st);
        ok(pylon_store_read(st, "L/neurons/5", &rec) != 0,
           "a taken-back one not written");
        pylon_store_read_end(st);
    }

    /* a gzip record is "PYR2": an old reader refuses it, never sends it */
    {
        const void     *raw;
        size_t          rawlen;
        unsigned char   bad[48];

        pylon_store_get_raw(st, "L/neurons/2", &raw, &rawlen);
        ok(rawlen > 4 && memcmp(raw, "PYR2", 4) == 0,
           "a record with a copy is marked PYR2");
        pylon_store_read_end(st);

        memset(bad, 0, sizeof(bad));
        memcpy(bad, "PYR1\x00\x00\x00\x80", 8);   /* PYR1 + GZIP flag */
        pylon_store_write_begin(st);
        pylon_store_put_raw(st, "L/bad/1", bad, sizeof(bad));
        pylon_store_write_commit(st);
        is_int(pylon_store_read(st, "L/bad/1", &rec), PYLON_STORE_ERROR,
               "PYR1 with the GZIP flag is refused");
    }

    ok(pylon_store_set_gzip(st, 0) == 0, "gzip off");
    ok(pylon_store_gzip(st, "L/neurons/2", body, n, &gzlen) == NULL,
       "off: no copy");
    pylon_store_write_begin(st);
    pylon_store_put(st, "L/neurons/1", 7, 0, body, n);
    pylon_store_write_commit(st);
    pylon_store_read(st, "L/neurons/1", &rec);
    ok(rec.gz == NULL && rec.len == n && rec.block == 7,
       "off: a rewrite drops the copy");
    pylon_store_read_end(st);

    pylon_store_close(st);
}


int
main(void)
{
    char  dir[] = "/tmp/pylon-gzip-XXXXXX", cmd[64];

    test_accept();

    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return done_testing();
    }

    test_records(dir);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        diag("cleanup failed");
    }

    return done_testing();
}
