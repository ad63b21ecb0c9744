/*
 * keyjson.c: recursive-descent-free parser for { "k": "v", ... }.
 *
 * A cursor walks the buffer; strings are unescaped into the same buffer
 * (the decoded text is never longer than the escaped text, so the write
 * position trails the read position) and NUL-terminated where their
 * closing quote was.  Only what key files contain is accepted; anything
 * else is an error with the byte offset.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crypto/keyjson.h"


typedef struct {
    char        *buf;
    size_t       len;
    size_t       pos;
    char        *err;
    size_t       errlen;
} keyjson_t;


static int
keyjson_fail(keyjson_t *j, const char *what)
{
    if (j->err != NULL && j->errlen > 0) {
        snprintf(j->err, j->errlen, "invalid JSON at byte %zu: %s", j->pos,
                 what);
    }

    return -1;
}


static void
keyjson_ws(keyjson_t *j)
{
    while (j->pos < j->len
           && (j->buf[j->pos] == ' ' || j->buf[j->pos] == '\t'
               || j->buf[j->pos] == '\n' || j->buf[j->pos] == '\r'))
    {
        j->pos++;
    }
}


static int
keyjson_hex4(keyjson_t *j, unsigned *cp)
{
    size_t    i;
    unsigned  c, v;

    if (j->len - j->pos < 4) {
        return keyjson_fail(j, "short \\u escape");
    }

    v = 0;
    for (i = 0; i < 4; i++) {
        c = (unsigned char) j->buf[j->pos + i];
        if (c >= '0' && c <= '9') {
            v = v * 16 + (c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v = v * 16 + (c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v = v * 16 + (c - 'A' + 10);
        } else {
            return keyjson_fail(j, "bad \\u escape");
        }
    }

    j->pos += 4;
    *cp = v;
    return 0;
}


/* string at j->pos (the opening quote); decoded in place into *out */
static int
keyjson_string(keyjson_t *j, char **out, size_t *outlen)
{
    char      *w, *start;
    unsigned   c, cp;

    if (j->pos >= j->len || j->buf[j->pos] != '"') {
        return keyjson_fail(j, "expected a string");
    }

    j->pos++;
    start = j->buf + j->pos;
    w = start;

    for ( ;; ) {
        if (j->pos >= j->len) {
            return keyjson_fail(j, "unterminated string");
        }

        c = (unsigned char) j->buf[j->pos++];

        if (c == '"') {
            break;
        }

        if (c < 0x20) {
            return keyjson_fail(j, "control character in string");
        }

        if (c != '\\') {
            *w++ = (char) c;
            continue;
        }

        if (j->pos >= j->len) {
            return keyjson_fail(j, "unterminated escape");
        }

        c = (unsigned char) j->buf[j->pos++];

        switch (c) {
        case '"':
        case '\\':
        case '/':
            *w++ = (char) c;
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'u':
            if (keyjson_hex4(j, &cp) != 0) {
                return -1;
            }
            if (cp == 0 || cp > 0x7f) {
                return keyjson_fail(j, "\\u escape outside ASCII");
            }
            *w++ = (char) cp;
            break;
        default:
            return keyjson_fail(j, "unknown escape");
        }
    }

    *outlen = (size_t) (w - start);
    *w = '\0';          /* w < j->buf + j->pos: the closing quote or before */
    *out = start;
    return 0;
}


/* a bare literal or number of another member: skipped */
static int
keyjson_skip_scalar(keyjson_t *j)
{
    size_t  start;
    char    c;

    start = j->pos;
    while (j->pos < j->len) {
        c = j->buf[j->pos];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
            || c == '-' || c == '+' || c == '.' || c == 'E')
        {
            j->pos++;
            continue;
        }
        break;
    }

    if (j->pos == start) {
        return keyjson_fail(j, "expected a string, number, true, false or "
                            "null");
    }

    return 0;
}


int
pylon_keyjson_parse(pylon_keyjson_field_t *fields, size_t n, char *buf,
    size_t len, char *err, size_t errlen)
{
    size_t                  i, klen, vlen;
    char                   *key, *val;
    keyjson_t               j;
    pylon_keyjson_field_t  *f;

    j.buf = buf;
    j.len = len;
    j.pos = 0;
    j.err = err;
    j.errlen = errlen;

    buf[len] = '\0';

    for (i = 0; i < n; i++) {
        fields[i].value = NULL;
        fields[i].len = 0;
    }

    keyjson_ws(&j);
    if (j.pos >= len || buf[j.pos] != '{') {
        return keyjson_fail(&j, "expected '{'");
    }
    j.pos++;
    keyjson_ws(&j);

    if (j.pos < len && buf[j.pos] == '}') {
        j.pos++;
        goto end;
    }

    for ( ;; ) {
        keyjson_ws(&j);
        if (keyjson_string(&j, &key, &klen) != 0) {
            return -1;
        }

        keyjson_ws(&j);
        if (j.pos >= len || buf[j.pos] != ':') {
            return keyjson_fail(&j, "expected ':'");
        }
        j.pos++;
        keyjson_ws(&j);

        f = NULL;
        for (i = 0; i < n; i++) {
            if (strlen(fields[i].name) == klen
                && memcmp(fields[i].name, key, klen) == 0)
            {
                f = &fields[i];
                break;
            }
        }

        if (j.pos < len && buf[j.pos] == '"') {
            if (keyjson_string(&j, &val, &vlen) != 0) {
                return -1;
            }

            if (f != NULL) {
                if (f->value != NULL || memchr(val, '\0', vlen) != NULL) {
                    return keyjson_fail(&j, "duplicate or malformed member");
                }
                f->value = val;
                f->len = vlen;
            }

        } else if (j.pos < len && (buf[j.pos] == '{' || buf[j.pos] == '[')) {
            return keyjson_fail(&j, "nested objects and arrays are not "
                                "expected in a key file");

        } else {
            i = j.pos;
            if (keyjson_skip_scalar(&j) != 0) {
                return -1;
            }

            if (f != NULL
                && (j.pos - i != 4 || memcmp(buf + i, "null", 4) != 0))
            {
                return keyjson_fail(&j, "a key field must be a string or "
                                    "null");
            }
        }

        keyjson_ws(&j);
        if (j.pos < len && buf[j.pos] == ',') {
            j.pos++;
            continue;
        }

        if (j.pos < len && buf[j.pos] == '}') {
            j.pos++;
            break;
        }

        return keyjson_fail(&j, "expected ',' or '}'");
    }

end:

    keyjson_ws(&j);
    if (j.pos != len) {
        return keyjson_fail(&j, "trailing data after the object");
    }

    return 0;
}
