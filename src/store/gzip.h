/*
 * gzip.h: the gzip copies of cached bodies, and who may have them.
 *
 * The helper compresses a body once when it writes the record (libdeflate,
 * gzip format); workers send that copy to clients whose Accept-Encoding
 * allows gzip, so nginx's gzip filter never compresses the same bytes per
 * request.  Pure C, no nginx headers.
 */

#ifndef PYLON_STORE_GZIP_H
#define PYLON_STORE_GZIP_H

#include <stddef.h>
#include <sys/types.h>

/* bodies shorter than this are stored without a gzip copy */
#define PYLON_GZIP_MIN_LEN     128

/*
 * libdeflate level of the copies: t/bench/bench_gzip_level on a mainnet
 * subnet's bodies (517 KB) gives level 1: 85.0 KB in 0.94 ms, level 4:
 * 81.9 KB in 1.49 ms, level 6: 75.9 KB in 1.91 ms, level 9: 74.3 KB in
 * 14 ms.  Level 1 halves the helper's gzip CPU per head for 12 % more
 * bytes per answer (still 16 % of the plain body).
 */
#define PYLON_GZIP_LEVEL       1


typedef struct pylon_gzip_s  pylon_gzip_t;


/* A compressor at level (1..12); NULL when out of memory. */
pylon_gzip_t *pylon_gzip_create(int level);

/* Frees a compressor (NULL is fine). */
void pylon_gzip_destroy(pylon_gzip_t *gz);

/*
 * Compresses len bytes of in into a new buffer the caller releases with
 * free(); *outlen gets its length.  Returns NULL when the copy would not
 * be smaller than the body, when len is below PYLON_GZIP_MIN_LEN, or on
 * error: the body is then stored alone.
 */
u_char *pylon_gzip_compress(pylon_gzip_t *gz, const void *in, size_t len,
    size_t *outlen);

/*
 * One Accept-Encoding header value (RFC 9110 §12.5.3): the q-value of
 * gzip (or x-gzip) in thousandths when listed, -1 when not; *star gets the
 * q-value of "*" the same way (not touched when absent, so the caller can
 * fold several headers).  A malformed weight counts as q=0.
 */
int pylon_gzip_accept_q(const u_char *s, size_t n, int *star);

/*
 * Folds the result of pylon_gzip_accept_q over every Accept-Encoding
 * header: 1 when gzip is acceptable (listed with q > 0, or not listed and
 * "*" with q > 0), else 0.
 */
int pylon_gzip_acceptable(int gzip_q, int star_q);

#endif /* PYLON_STORE_GZIP_H */
