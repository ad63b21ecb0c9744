/*
 * envelope.c: Litestar's error envelope and msgspec's string escaping.
 *
 * A small growable buffer (pylon_sbuf_t, shared with request.c and timeout.c
 * through request_int.h) and the JSON string writer: '"' and '\\'
 * escaped, \b \t \n \f \r short forms, other bytes below 0x20 as
 * \u00xx (lowercase hex), everything else (UTF-8) passed through, as
 * msgspec's encoder does.  Bytes that are not valid UTF-8 (only possible
 * in the path or query we are given) become U+FFFD, byte by byte.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bittensor/jsonread.h"
#include "bittensor/request.h"
#include "bittensor/request_int.h"


int
pylon_sbuf_put(pylon_sbuf_t *b, const void *s, size_t n)
{
    char    *d;
    size_t   cap;

    if (b->failed) {
        return -1;
    }

    if (b->cap - b->len < n + 1) {
        cap = b->cap ? b->cap : 128;
        while (cap - b->len < n + 1) {
            cap *= 2;
        }
        d = realloc(b->buf, cap);
        if (d == NULL) {
            b->failed = 1;
            return -1;
        }
        b->buf = d;
        b->cap = cap;
    }

    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return 0;
}


int
pylon_sbuf_str(pylon_sbuf_t *b, const char *s)
{
    return pylon_sbuf_put(b, s, strlen(s));
}


/*
 * The sequence at s: *valid and its length, or the length of its
 * "maximal subpart" (Unicode 3.9, what Python's errors="replace" turns
 * into one U+FFFD).
 */
static size_t
utf8_subpart(const unsigned char *s, size_t n, int *valid)
{
    size_t         need, k;
    unsigned char  lo, hi;

    *valid = 0;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
    } else {
        return 1;
    }

    for (k = 1; k < need && k < n; k++) {
        lo = 0x80;
        hi = 0xbf;
        if (k == 1) {
            switch (s[0]) {
            case 0xe0: lo = 0xa0; break;
            case 0xed: hi = 0x9f; break;
            case 0xf0: lo = 0x90; break;
            case 0xf4: hi = 0x8f; break;
            }
        }
        if (s[k] < lo || s[k] > hi) {
            return k;
        }
    }

    *valid = (k == need);
    return k;
}


int
pylon_sbuf_json(pylon_sbuf_t *b, const void *str, size_t n)
{
    static const char      hex[] = "0123456789abcdef";
    static const char      fffd[] = "\xef\xbf\xbd";
    const unsigned char   *s, *run;
    char                   e[6];
    size_t                 i, k;
    int                    valid;
    unsigned char          c;

    s = str;
    run = s;

    for (i = 0; i < n; ) {
        c = s[i];

        if (c >= 0x80) {
            k = utf8_subpart(s + i, n - i, &valid);
            if (valid) {
                i += k;
                continue;
            }
            pylon_sbuf_put(b, run, (size_t) (s + i - run));
            pylon_sbuf_put(b, fffd, 3);
            i += k;
            run = s + i;
            continue;
        }

        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }

        pylon_sbuf_put(b, run, (size_t) (s + i - run));
        e[0] = '\\';
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\t': e[1] = 't'; break;
        case '\n': e[1] = 'n'; break;
        case '\f': e[1] = 'f'; break;
        case '\r': e[1] = 'r'; break;
        default:
            e[1] = 'u';
            e[2] = '0';
            e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 0xf];
            pylon_sbuf_put(b, e, 6);
            i++;
            run = s + i;
            continue;
        }
        pylon_sbuf_put(b, e, 2);
        i++;
        run = s + i;
    }

    pylon_sbuf_put(b, run, (size_t) (s + n - run));
    return b->failed ? -1 : 0;
}


const char *
pylon_http_reason(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}


int
pylon_sbuf_envelope_head(pylon_sbuf_t *b, int status, const char *detail,
    size_t n)
{
    char  num[32];

    if (n == 0) {
        detail = pylon_http_reason(status);
        n = strlen(detail);
    }

    snprintf(num, sizeof(num), "%d", status);
    pylon_sbuf_str(b, "{\"status_code\":");
    pylon_sbuf_str(b, num);
    pylon_sbuf_str(b, ",\"detail\":\"");
    pylon_sbuf_json(b, detail, n);
    pylon_sbuf_str(b, "\"");
    return b->failed ? -1 : 0;
}


char *
pylon_envelope(size_t *len, int status, const char *detail,
    size_t detail_len)
{
    pylon_sbuf_t  b;

    memset(&b, 0, sizeof(b));

    pylon_sbuf_envelope_head(&b, status, detail, detail_len);
    pylon_sbuf_str(&b, "}");

    if (b.failed) {
        free(b.buf);
        return NULL;
    }

    if (len) {
        *len = b.len;
    }
    return b.buf;
}
