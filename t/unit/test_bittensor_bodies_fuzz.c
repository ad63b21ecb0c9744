/*
 * test_bittensor_bodies_fuzz.c: random, mutated and truncated bodies for
 * every body kind.  Under ASan each must end as a parsed body or a 400
 * envelope that is valid JSON (checked with jansson, an independent
 * parser) with the right shape; and the reader's verdict on syntax must
 * agree with jansson's wherever their rules coincide.
 */

#include <jansson.h>

#include "tap.h"
#include "bittensor/jsonread.h"
#include "bittensor/request.h"


static uint64_t  rng = 0x9e3779b97f4a7c15ULL;


static uint32_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t) (rng >> 11);
}


static const char  *atoms[] = {
    "0", "1", "-1", "0.5", "1e3", "-2.5E-3", "true", "false", "null",
    "\"\"", "\"hk\"", "\"0x0a1b\"", "\"\\u00e9\\n\"", "\"\\ud83d\\ude00\"",
    "\"1e-2\"", "\"nan\"", "123456789012"
};

static const char  *keys[] = {
    "weights", "token", "commitment", "algorithm", "5F", "", "a\\\"b",
    "\\u0000"
};


static void
gen(char *b, size_t cap, size_t *n, int depth)
{
    int     k, i, c;
    size_t  l;

#define PUT(s)                                                              \
    do {                                                                    \
        const char *s_ = (s);                                               \
        l = strlen(s_);                                                     \
        if (*n + l < cap) { memcpy(b + *n, s_, l); *n += l; }               \
    } while (0)

    k = depth > 3 ? 0 : (int) (rnd() % 4);
    if (k <= 1) {
        PUT(atoms[rnd() % (sizeof(atoms) / sizeof(atoms[0]))]);
        return;
    }

    c = (int) (rnd() % 5);
    PUT(k == 2 ? "[" : "{");
    for (i = 0; i < c; i++) {
        if (i) {
            PUT(rnd() % 4 ? "," : " , ");
        }
        if (k == 3) {
            PUT("\"");
            PUT(keys[rnd() % (sizeof(keys) / sizeof(keys[0]))]);
            PUT("\":");
        }
        gen(b, cap, n, depth + 1);
    }
    PUT(k == 2 ? "]" : "}");
#undef PUT
}


static int  bad_envelopes, bad_shapes, disagreements, crashes_avoided;


static void
check_one(const unsigned char *body, size_t len, pylon_body_kind_t kind)
{
    pylon_request_line_t   line = { "PUT", "/api/v1/x", 9, "a=b", 3 };
    pylon_body_t           out;
    json_t                *j, *e;
    json_error_t           jerr;
    char                  *env;
    size_t                 envlen;
    int                    rc;

    rc = pylon_body_parse(&out, &env, &envlen, kind, body, len, &line);
    crashes_avoided++;

    if (rc == PYLON_BODY_OK) {
        pylon_body_free(&out);
        return;
    }
    if (rc == PYLON_BODY_ENOMEM || env == NULL) {
        bad_envelopes++;
        return;
    }

    j = json_loadb(env, envlen, JSON_ALLOW_NUL, &jerr);
    if (j == NULL || strlen(env) != envlen) {
        if (bad_envelopes++ < 3) {
            diag("invalid envelope: %s (%s)", env, jerr.text);
        }
        free(env);
        return;
    }

    e = json_object_get(j, "extra");
    if (json_integer_value(json_object_get(j, "status_code")) != 400
        || !json_is_string(json_object_get(j, "detail"))
        || (rc == PYLON_BODY_EJSON && e != NULL)
        || (rc == PYLON_BODY_EINVALID
            && (!json_is_array(e) || json_array_size(e) == 0)))
    {
        if (bad_shapes++ < 3) {
            diag("bad envelope shape: %s", env);
        }
    }

    json_decref(j);
    free(env);
}


/* the reader against jansson, where their grammars agree */
static void
compare_syntax(const unsigned char *body, size_t len)
{
    pylon_json_doc_t  *doc;
    pylon_json_t      *root;
    json_t            *j;
    json_error_t       jerr;
    char               err[PYLON_JSON_ERR_BYTES];
    int                ours, theirs;

    ours = pylon_json_read(&doc, &root, err, body, len, 2);
    pylon_json_free(doc);

    j = json_loadb((const char *) body, len,
                   JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    theirs = (j != NULL);
    json_decref(j);

    if (ours == PYLON_JSON_ENOMEM) {
        disagreements++;
        return;
    }

    /* rules that differ: jansson refuses big numbers (we refuse only
     * overflowing floats) and "\u0000" in keys (we keep it) */
    if (!theirs && (strstr(jerr.text, "too big") != NULL
                    || strstr(jerr.text, "overflow") != NULL
                    || strstr(jerr.text, "NUL byte in object key") != NULL))
    {
        return;
    }
    if (ours != 0 && strncmp(err, "Number out of range", 19) == 0) {
        return;
    }
    /* jansson with JSON_ALLOW_NUL lets a raw NUL byte pass between tokens */
    if (theirs && memchr(body, '\0', len) != NULL) {
        return;
    }

    if ((ours == 0) != theirs) {
        if (disagreements++ < 5) {
            char    hex[161];
            size_t  i;

            for (i = 0; i < len && i < 80; i++) {
                snprintf(hex + 2 * i, 3, "%02x", body[i]);
            }
            hex[2 * i] = '\0';
            diag("syntax disagreement (ours %s, jansson %s) on %s",
                 ours == 0 ? "ok" : err, theirs ? "ok" : jerr.text, hex);
        }
    }
}


int
main(void)
{
    unsigned char  buf[4096], mut[4096];
    size_t         n, m, i, cut;
    int            round, kind, valid_rejected;

    valid_rejected = 0;

    for (round = 0; round < 4000; round++) {
        n = 0;
        if (rnd() % 3 == 0) {
            memcpy(buf, "{\"weights\":", 11);
            n = 11;
            gen((char *) buf, sizeof(buf) - 2, &n, 1);
            buf[n++] = '}';
        } else {
            gen((char *) buf, sizeof(buf), &n, 0);
        }

        for (kind = 0; kind < 4; kind++) {
            check_one(buf, n, (pylon_body_kind_t) kind);
        }

        {
            pylon_json_doc_t  *doc;
            pylon_json_t      *root;
            char               err[PYLON_JSON_ERR_BYTES];

            if (pylon_json_read(&doc, &root, err, buf, n, 2) != 0) {
                if (valid_rejected++ < 3) {
                    diag("valid JSON rejected: %s: %.*s", err, (int) n, buf);
                }
            }
            pylon_json_free(doc);
        }
        compare_syntax(buf, n);

        /* every prefix of a short document */
        if (n < 64) {
            for (cut = 0; cut < n; cut++) {
                check_one(buf, cut, (pylon_body_kind_t) (cut % 4));
                compare_syntax(buf, cut);
            }
        }

        /* mutations: flips, inserted specials, deletions */
        for (i = 0; i < 8; i++) {
            static const char  specials[] = "{}[]\",:\\ \x01\x80\xff\xc3-+.eE0";

            memcpy(mut, buf, n);
            m = n;
            switch (rnd() % 3) {
            case 0:
                if (m) {
                    mut[rnd() % m] ^= (unsigned char) (1u << (rnd() % 8));
                }
                break;
            case 1:
                if (m && m < sizeof(mut) - 1) {
                    cut = rnd() % m;
                    memmove(mut + cut + 1, mut + cut, m - cut);
                    mut[cut] = (unsigned char)
                               specials[rnd() % (sizeof(specials) - 1)];
                    m++;
                }
                break;
            default:
                if (m) {
                    cut = rnd() % m;
                    memmove(mut + cut, mut + cut + 1, m - cut - 1);
                    m--;
                }
                break;
            }
            check_one(mut, m, (pylon_body_kind_t) (rnd() % 4));
            compare_syntax(mut, m);
        }
    }

    /* pure noise */
    for (round = 0; round < 3000; round++) {
        n = rnd() % 48;
        for (i = 0; i < n; i++) {
            buf[i] = (unsigned char) rnd();
        }
        check_one(buf, n, (pylon_body_kind_t) (round % 4));
        compare_syntax(buf, n);
    }

    ok(crashes_avoided > 50000, "ran %d bodies without a crash",
       crashes_avoided);
    is_int(valid_rejected, 0, "generated valid JSON always reads");
    is_int(bad_envelopes, 0, "every 400 envelope is valid JSON");
    is_int(bad_shapes, 0, "envelopes have the Litestar shape");
    is_int(disagreements, 0, "syntax verdicts agree with jansson");

    return done_testing();
}
