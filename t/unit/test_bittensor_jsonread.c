/*
 * test_bittensor_jsonread.c: the shallow tree the msgspec-compatible
 * reader keeps (levels, arrays on request, Python dict semantics for
 * repeated keys, decoded strings, numbers) and a few more of msgspec's
 * error positions.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "bittensor/jsonread.h"


static char  err[PYLON_JSON_ERR_BYTES];


static pylon_json_t *
rd(pylon_json_doc_t **doc, const char *s, unsigned keep)
{
    pylon_json_t  *root;

    if (pylon_json_read(doc, &root, err, (const unsigned char *) s,
                        strlen(s), keep) != 0)
    {
        return NULL;
    }
    return root;
}


static const char *
error_of(const char *s)
{
    pylon_json_doc_t  *doc;

    if (rd(&doc, s, 2) != NULL) {
        pylon_json_free(doc);
        return "OK";
    }
    return err;
}


int
main(void)
{
    pylon_json_doc_t  *doc;
    pylon_json_t      *r, *m, *w;

    r = rd(&doc, " {\"b\":1,\"a\":{\"x\":[1,2],\"y\":{\"z\":1}},"
           "\"b\":\"s\\u00e9\"} ", 2);
    ok(r != NULL && r->type == PYLON_JSON_OBJECT, "object read");
    is_int(r->n, 2, "repeated key counted once");
    is_str(r->child->key, "b", "repeated key keeps its first place");
    ok(r->child->type == PYLON_JSON_STRING, "repeated key takes last value");
    is_str(r->child->str, "s\xc3\xa9", "string decoded to UTF-8");
    w = pylon_json_get(r, "a", 1);
    ok(w != NULL && w->type == PYLON_JSON_OBJECT && w->n == 2,
       "level 1 object kept");
    m = pylon_json_get(w, "x", 1);
    ok(m != NULL && m->type == PYLON_JSON_ARRAY && m->n == 2
       && m->child == NULL, "array counted, elements not kept by default");
    m = pylon_json_get(w, "y", 1);
    ok(m != NULL && m->type == PYLON_JSON_OBJECT && m->n == 1
       && m->child == NULL, "level 2 object counted, not kept");
    ok(pylon_json_get(r, "c", 1) == NULL, "missing member");
    pylon_json_free(doc);

    r = rd(&doc, "[\"a\", 2, [3], -0.5e1, 1" "00000000000000000000000000]",
           1 | PYLON_JSON_KEEP_ARRAYS);
    ok(r != NULL && r->n == 5, "array kept on request");
    m = r->child;
    ok(m->type == PYLON_JSON_STRING && m->len == 1, "element 0 string");
    m = m->next;
    ok(m->type == PYLON_JSON_INT && m->num == 2 && strcmp(m->str, "2") == 0,
       "element 1 int with its lexeme");
    m = m->next;
    ok(m->type == PYLON_JSON_ARRAY && m->n == 1, "element 2 nested array");
    m = m->next;
    ok(m->type == PYLON_JSON_FLOAT && m->num == -5.0, "element 3 float");
    m = m->next;
    ok(m->type == PYLON_JSON_INT && m->num == 1e26, "big int as a double");
    pylon_json_free(doc);

    r = rd(&doc, "\"a\\u0000b\"", 0);
    ok(r != NULL && r->len == 3 && r->str[1] == '\0', "NUL kept in string");
    pylon_json_free(doc);

    is_str(error_of(""), "Input data was truncated", "empty input");
    is_str(error_of("[1,"), "Input data was truncated", "open array");
    is_str(error_of("{\"a\""), "Input data was truncated", "key then end");
    is_str(error_of("{\"a\":"), "Input data was truncated", "colon then end");
    is_str(error_of("\"\\"), "Input data was truncated", "escape at end");
    is_str(error_of("\"\\u12"), "Input data was truncated",
           "unicode escape cut");
    is_str(error_of("nul"), "Input data was truncated", "short literal");
    is_str(error_of("nulL"), "JSON is malformed: invalid character (byte 4)",
           "bad literal");
    is_str(error_of("falsy"), "JSON is malformed: invalid character (byte 5)",
           "bad false");
    is_str(error_of("[,1]"), "JSON is malformed: invalid character (byte 1)",
           "leading comma");
    is_str(error_of("{,}"), "JSON is malformed: object keys must be strings "
           "(byte 1)", "leading comma in object");
    is_str(error_of("1 2"), "JSON is malformed: trailing characters (byte 3)",
           "two values");
    is_str(error_of("-01"), "JSON is malformed: invalid number (byte 2)",
           "minus zero digit");
    is_str(error_of("0.e1"), "JSON is malformed: invalid number (byte 2)",
           "point then e");
    is_str(error_of("NaN"), "JSON is malformed: invalid character (byte 0)",
           "NaN is not JSON");
    is_str(error_of("[1e309]"), "Number out of range - at `$[0]`",
           "overflow in array");
    is_str(error_of("{\"a\":[0,{\"b\":-1.8e308}]}"),
           "Number out of range - at `$[...][1][...]`", "overflow path");
    is_str(error_of("[1e-400, 0e999, 123456789012345678901234567890]"), "OK",
           "underflow, zero mantissa, big int are fine");
    is_str(error_of("\"\xed\xa0\x80\""),
           "JSON is malformed: invalid utf-8 (byte 1)",
           "UTF-8 encoded surrogate refused");
    is_str(error_of("\"\xf4\x90\x80\x80\""),
           "JSON is malformed: invalid utf-8 (byte 1)", "above U+10FFFF");
    is_str(error_of("\"\xc0\xaf\""), "JSON is malformed: invalid utf-8 "
           "(byte 1)", "overlong");
    is_str(error_of("\"ok \xf0\x9f\x98\x80 \xc3\xa9\""), "OK", "valid UTF-8");
    is_str(error_of("\"\xff\\x\""), "JSON is malformed: invalid escape "
           "character in string (byte 4)",
           "a bad escape is found before the string's UTF-8 is checked");

    ok(pylon_utf8_valid_prefix((const unsigned char *) "ab\xe2\x82", 4) == 2,
       "valid prefix stops at a cut sequence");

    /* members per object are capped: a hostile body stops early */
    {
        char    *big, *p;
        size_t   i;

        big = malloc(16 * (PYLON_JSON_MAX_MEMBERS + 1) + 16);
        p = big;
        *p++ = '{';
        for (i = 0; i < PYLON_JSON_MAX_MEMBERS; i++) {
            p += sprintf(p, "%s\"k%zu\":1", i ? "," : "", i);
        }
        strcpy(p, "}");
        is_str(error_of(big), "OK", "an object at the member cap is read");
        strcpy(p, ",\"last\":1}");
        ok(strstr(error_of(big), "too many object members") != NULL,
           "one member more is malformed");
        free(big);
    }

    return done_testing();
}
