/*
 * test_bittensor_request.c: request bodies as Pylon (Litestar 2.19 +
 * pydantic 2 + msgspec) reports them; messages and keys from
 * ../shared/spec/pylon-api.md 1.2, 1.3 and 3.1 and Pylon's own tests.
 */

#include <math.h>

#include "tap.h"
#include "bittensor/request.h"

#define W_PATH  "/api/v1/identity/sn1/subnet/1/weights"
#define C_PATH  "/api/v1/identity/sn1/subnet/1/commitments"
#define L_PATH  "/api/v1/login/identity/sn1"
#define K_PATH  "/api/v1/identity/sn1/subnet/1/certificates/self"

static pylon_body_t  last;
static int           last_rc;


/* the envelope, or "OK" when the body parsed; caller frees */
static char *
run(pylon_body_kind_t kind, const char *body, size_t len,
    const char *method, const char *path, const char *query)
{
    pylon_request_line_t   line;
    char                  *env;
    size_t                 envlen;

    line.method = method;
    line.path = path;
    line.path_len = strlen(path);
    line.query = query;
    line.query_len = query ? strlen(query) : 0;

    pylon_body_free(&last);
    last_rc = pylon_body_parse(&last, &env, &envlen, kind,
                               (const unsigned char *) body, len, &line);
    if (last_rc == PYLON_BODY_OK) {
        return strdup("OK");
    }
    if (env == NULL) {
        return strdup("(null)");
    }
    if (strlen(env) != envlen) {
        free(env);
        return strdup("(length mismatch)");
    }
    return env;
}


#define W(json)  run(PYLON_BODY_WEIGHTS, json, strlen(json), "PUT", W_PATH, \
                     NULL)
#define C(json)  run(PYLON_BODY_COMMITMENT, json, strlen(json), "POST",     \
                     C_PATH, NULL)
#define L(json)  run(PYLON_BODY_LOGIN, json, strlen(json), "POST", L_PATH,  \
                     NULL)
#define K(json)  run(PYLON_BODY_CERTIFICATE, json, strlen(json), "POST",    \
                     K_PATH, NULL)

#define CHECK(expr, want, name)                                             \
    do {                                                                    \
        char *got_ = (expr);                                                \
        is_str(got_, want, name);                                           \
        free(got_);                                                         \
    } while (0)

#define WERR(items)                                                         \
    "{\"status_code\":400,\"detail\":\"Validation failed for PUT " W_PATH    \
    "\",\"extra\":[" items "]}"
#define CERR(msg)                                                           \
    "{\"status_code\":400,\"detail\":\"Validation failed for POST " C_PATH   \
    "\",\"extra\":[{\"message\":\"" msg "\",\"key\":\"commitment\"}]}"
#define LERR(items)                                                         \
    "{\"status_code\":400,\"detail\":\"Validation failed for POST " L_PATH   \
    "\",\"extra\":[" items "]}"
#define KERR(items)                                                         \
    "{\"status_code\":400,\"detail\":\"Validation failed for POST " K_PATH   \
    "\",\"extra\":[" items "]}"
#define JERR(detail)  "{\"status_code\":400,\"detail\":\"" detail "\"}"


static void
test_login(void)
{
    CHECK(L("{\"token\":\"abc\",\"identity_name\":\"sn1\"}"), "OK",
          "login: token accepted, extra keys ignored");
    is_str(last.token, "abc", "login: token value");
    is_int(last.token_len, 3, "login: token length");

    CHECK(L("{\"token\":\"a\\u0000b\"}"), "OK", "login: escaped NUL kept");
    is_int(last.token_len, 3, "login: token length counts the NUL");

    CHECK(L("{}"), LERR("{\"message\":\"Field required\",\"key\":\"token\"}"),
          "login: missing token");
    CHECK(L("{\"token\":1}"),
          LERR("{\"message\":\"Input should be a valid string\","
               "\"key\":\"token\"}"), "login: non-string token");
    CHECK(L("{\"token\":null}"),
          LERR("{\"message\":\"Input should be a valid string\","
               "\"key\":\"token\"}"), "login: null token");
    CHECK(L("{\"token\":1,\"token\":\"x\"}"), "OK",
          "login: repeated key, last value wins");
    CHECK(L("[]"),
          LERR("{\"message\":\"Input should be a valid dictionary or "
               "instance of LoginBody\"}"), "login: array body has no key");
}


static void
test_weights(void)
{
    CHECK(W("{\"weights\":{\"hk1\":0.5,\"hk2\":\"0.25\",\"hk3\":true,"
            "\"hk4\":2,\"hk5\":false}}"), "OK",
          "weights: numbers, numeric strings, booleans, > 1");
    is_int(last.nweights, 5, "weights: count");
    is_str(last.weights[1].hotkey, "hk2", "weights: order kept");
    ok(last.weights[1].weight == 0.25, "weights: \"0.25\" parsed");
    ok(last.weights[2].weight == 1.0, "weights: true is 1.0");
    ok(last.weights[4].weight == 0.0, "weights: false is 0.0");

    CHECK(W("{\"weights\":{\"a\":1,\"b\":2,\"a\":3}}"), "OK",
          "weights: repeated hotkey");
    is_int(last.nweights, 2, "weights: repeated hotkey counted once");
    ok(last.weights[0].weight == 3.0 && strcmp(last.weights[0].hotkey, "a")
       == 0, "weights: repeated hotkey keeps first place, last value");

    CHECK(W("{\"weights\":{\"a\":\"1_0.5\",\"b\":\"1e-400\","
            "\"c\":\"\\u00a01 \"}}"), "OK",
          "weights: pydantic string floats (trim, underscores)");
    ok(last.weights[0].weight == 10.5, "weights: \"1_0.5\" is 10.5");
    CHECK(W("{\"weights\":{\"a\":\" 1_0\"}}"),
          WERR("{\"message\":\"Input should be a valid number, unable to "
               "parse string as a number\",\"key\":\"weights.a\"}"),
          "weights: underscores and spaces together fail, as in pydantic");

    CHECK(W("{}"), WERR("{\"message\":\"Field required\",\"key\":\"weights\"}"),
          "weights: missing");
    CHECK(W("{\"weights\":{\"a\":\"x\"},\"weights\":{\"b\":1}}"), "OK",
          "weights: repeated field, the last object wins");
    ok(last.nweights == 1 && strcmp(last.weights[0].hotkey, "b") == 0,
       "weights: only the last object's hotkeys");
    CHECK(W("{\"weights\":{\"a\":1},\"weights\":{}}"),
          WERR("{\"message\":\"Value error, No weights provided\","
               "\"key\":\"weights\"}"), "weights: repeated field, last empty");
    CHECK(W("{\"weights\":[]}"),
          WERR("{\"message\":\"Input should be a valid dictionary\","
               "\"key\":\"weights\"}"), "weights: not an object");
    CHECK(W("{\"weights\":{}}"),
          WERR("{\"message\":\"Value error, No weights provided\","
               "\"key\":\"weights\"}"), "weights: empty");
    CHECK(W("{\"weights\":{\"\":0.5}}"),
          WERR("{\"message\":\"Value error, Invalid hotkey: '' must be a "
               "non-empty string\",\"key\":\"weights\"}"),
          "weights: empty hotkey");
    CHECK(W("{\"weights\":{\"hotkey1\":\"invalid\"}}"),
          WERR("{\"message\":\"Input should be a valid number, unable to "
               "parse string as a number\",\"key\":\"weights.hotkey1\"}"),
          "weights: non-numeric string");
    CHECK(W("{\"weights\":{\"a\":\"x\",\"b\":null,\"\":1,\"c\":[1]}}"),
          WERR("{\"message\":\"Input should be a valid number, unable to "
               "parse string as a number\",\"key\":\"weights.a\"},"
               "{\"message\":\"Input should be a valid number\","
               "\"key\":\"weights.b\"},"
               "{\"message\":\"Input should be a valid number\","
               "\"key\":\"weights.c\"}"),
          "weights: one error per bad value, in order");
    CHECK(W("{\"weights\":{\"a\":-0.5}}"),
          WERR("{\"message\":\"Input should be greater than or equal to 0\","
               "\"key\":\"weights.a\"}"), "weights: negative rejected (ours)");
    CHECK(W("{\"weights\":{\"a\":\"nan\"}}"),
          WERR("{\"message\":\"Input should be a finite number\","
               "\"key\":\"weights.a\"}"), "weights: nan rejected (ours)");
    CHECK(W("{\"weights\":{\"a\":\"-Infinity\"}}"),
          WERR("{\"message\":\"Input should be a finite number\","
               "\"key\":\"weights.a\"}"), "weights: -inf rejected (ours)");
    CHECK(W("{\"weights\":{\"a\":\"1e400\"}}"),
          WERR("{\"message\":\"Input should be a finite number\","
               "\"key\":\"weights.a\"}"), "weights: \"1e400\" is inf");
    CHECK(W("{\"weights\":{\"a\":\"1__0\"}}"),
          WERR("{\"message\":\"Input should be a valid number, unable to "
               "parse string as a number\",\"key\":\"weights.a\"}"),
          "weights: double underscore");
    CHECK(W("{\"weights\":{\"a\":\"0x10\"}}"),
          WERR("{\"message\":\"Input should be a valid number, unable to "
               "parse string as a number\",\"key\":\"weights.a\"}"),
          "weights: hex string is not a number");
    CHECK(W("{\"weights\":{\"a\":1" "0000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "00000000000000000000000000000000000000000000000000000000000000"
            "000000000000000000000000000000000000000000000}}"),
          WERR("{\"message\":\"Input should be a valid number\","
               "\"key\":\"weights.a\"}"), "weights: int beyond float range");
    CHECK(W("{\"weights\":{\"a\\\"b\\n\":\"?\"}}"),
          WERR("{\"message\":\"Input should be a valid number, unable to "
               "parse string as a number\",\"key\":\"weights.a\\\"b\\n\"}"),
          "weights: key escaped in the envelope");
    CHECK(W("\"x\""),
          WERR("{\"message\":\"Input should be a valid dictionary or "
               "instance of SetWeightsBody\"}"), "weights: string body");
    CHECK(run(PYLON_BODY_WEIGHTS, "{\"weights\":{\"a\":\"x\"}}", 21, "PUT",
              W_PATH, "weights.a=1&b"),
          "{\"status_code\":400,\"detail\":\"Validation failed for PUT "
          W_PATH "?weights.a=1&b\",\"extra\":[{\"message\":\"Input should "
          "be a valid number, unable to parse string as a number\","
          "\"key\":\"weights.a\",\"source\":\"query\"}]}",
          "weights: query in detail, key named in query gets source");
}


static void
test_commitment(void)
{
    CHECK(C("{\"commitment\":\"0xdeadBEEF\"}"), "OK", "commitment: 0x hex");
    is_hex(last.commitment, last.commitment_len, "deadbeef",
           "commitment: bytes");
    CHECK(C("{\"commitment\":\" aa bb\\ncc \"}"), "OK",
          "commitment: whitespace between pairs");
    is_hex(last.commitment, last.commitment_len, "aabbcc",
           "commitment: whitespace skipped");
    CHECK(C("{\"commitment\":\"0102030405060708\"}"), "OK",
          "commitment: without prefix");

    CHECK(C("{\"commitment\":\"not_hex\"}"),
          CERR("Value error, passed commitment data is not a valid hex "
               "string."), "commitment: invalid hex");
    CHECK(C("{\"commitment\":123}"),
          CERR("Value error, commitment must be bytes or hex string"),
          "commitment: int");
    CHECK(C("{\"commitment\":[]}"),
          CERR("Value error, commitment must be bytes or hex string"),
          "commitment: list");
    CHECK(C("{\"commitment\":null}"),
          CERR("Value error, commitment must be bytes or hex string"),
          "commitment: null");
    CHECK(C("{\"commitment\":\"0xGGHH\"}"),
          CERR("Value error, passed commitment data is not a valid hex "
               "string."), "commitment: bad chars");
    CHECK(C("{\"commitment\":\"0xabc\"}"),
          CERR("Value error, passed commitment data is not a valid hex "
               "string."), "commitment: odd length");
    CHECK(C("{\"commitment\":\"a b\"}"),
          CERR("Value error, passed commitment data is not a valid hex "
               "string."), "commitment: space inside a pair");
    CHECK(C("{\"commitment\":\"0Xab\"}"),
          CERR("Value error, passed commitment data is not a valid hex "
               "string."), "commitment: 0X not a prefix");
    CHECK(C("{\"commitment\":\"\"}"), CERR("Data should have at least 1 byte"),
          "commitment: empty");
    CHECK(C("{\"commitment\":\"0x\"}"),
          CERR("Data should have at least 1 byte"), "commitment: 0x only");
    CHECK(C("{}"), CERR("Field required"), "commitment: missing");

    {
        char  big[400];
        int   i;

        strcpy(big, "{\"commitment\":\"0x");
        for (i = 0; i < 129; i++) {
            strcat(big, "ab");
        }
        strcat(big, "\"}");
        CHECK(C(big), CERR("Data should have at most 128 bytes"),
              "commitment: 129 bytes rejected (chain RawN max 128)");
        big[strlen(big) - 4] = '\0';
        strcat(big, "\"}");
        CHECK(C(big), "OK", "commitment: 128 bytes accepted");
        is_int(last.commitment_len, 128, "commitment: 128 bytes kept");
    }
}


static void
test_certificate(void)
{
    CHECK(K("{}"), "OK", "certificate: {} defaults to 1");
    is_int(last.algorithm, 1, "certificate: algorithm 1");
    CHECK(K("{\"algorithm\":1}"), "OK", "certificate: 1");
    CHECK(K("{\"algorithm\":true}"), "OK", "certificate: true");
    CHECK(K("{\"algorithm\":1.0}"), "OK", "certificate: 1.0");
    CHECK(K("{\"algorithm\":1e0}"), "OK", "certificate: 1e0");
    CHECK(K("{\"algorithm\":\"1\"}"),
          KERR("{\"message\":\"Value error, Currently, only algorithm equals "
               "1 is supported which is EdDSA using Ed25519 curve\","
               "\"key\":\"algorithm\"}"), "certificate: \"1\" rejected");
    CHECK(K("{\"algorithm\":2}"),
          KERR("{\"message\":\"Value error, Currently, only algorithm equals "
               "1 is supported which is EdDSA using Ed25519 curve\","
               "\"key\":\"algorithm\"}"), "certificate: 2 rejected");
    CHECK(K("{\"algorithm\":null}"),
          KERR("{\"message\":\"Value error, Currently, only algorithm equals "
               "1 is supported which is EdDSA using Ed25519 curve\","
               "\"key\":\"algorithm\"}"), "certificate: null rejected");
    CHECK(K("null"),
          KERR("{\"message\":\"Input should be a valid dictionary or "
               "instance of GenerateCertificateKeypairRequest\"}"),
          "certificate: null body");
}


static void
test_empty_and_malformed(void)
{
    CHECK(run(PYLON_BODY_WEIGHTS, "", 0, "PUT", W_PATH, NULL),
          WERR("{\"message\":\"'data'\",\"key\":\"data\","
               "\"source\":\"body\"}"), "empty body: key data");
    is_int(last_rc, PYLON_BODY_EINVALID, "empty body: a validation error");

    CHECK(W("x"), JERR("JSON is malformed: invalid character (byte 0)"),
          "malformed: invalid character (byte 0)");
    is_int(last_rc, PYLON_BODY_EJSON, "malformed: EJSON");
    CHECK(W("   "), JERR("Input data was truncated"), "whitespace only");
    CHECK(W("{\"weights\":{\"a\":1}"), JERR("Input data was truncated"),
          "truncated object");
    CHECK(W("{\"weights\":\"ab"), JERR("Input data was truncated"),
          "truncated string");
    CHECK(W("{\"a\":1}x"), JERR("JSON is malformed: trailing characters "
                                "(byte 8)"), "trailing characters");
    CHECK(W("{\"a\":1} \n"), WERR("{\"message\":\"Field required\","
                                  "\"key\":\"weights\"}"),
          "trailing whitespace is fine");
    CHECK(W("{\"a\":trux}"), JERR("JSON is malformed: invalid character "
                                  "(byte 9)"), "bad literal: after 3 bytes");
    CHECK(W("{\"a\":tru"), JERR("Input data was truncated"),
          "short literal: truncated");
    CHECK(W("{\"a\":1,}"), JERR("JSON is malformed: trailing comma in "
                                "object (byte 7)"), "trailing comma object");
    CHECK(W("[1,]"), JERR("JSON is malformed: trailing comma in array "
                          "(byte 3)"), "trailing comma array");
    CHECK(W("[1 2]"), JERR("JSON is malformed: expected ',' or ']' "
                           "(byte 3)"), "missing comma array");
    CHECK(W("{\"a\":1 \"b\":2}"), JERR("JSON is malformed: expected ',' or "
                                       "'}' (byte 7)"), "missing comma object");
    CHECK(W("{1:2}"), JERR("JSON is malformed: object keys must be strings "
                           "(byte 1)"), "non-string key");
    CHECK(W("{\"a\" 1}"), JERR("JSON is malformed: expected ':' (byte 5)"),
          "missing colon");
    CHECK(W("{\"a\":01}"), JERR("JSON is malformed: invalid number (byte 6)"),
          "leading zero");
    CHECK(W("{\"a\":1.}"), JERR("JSON is malformed: invalid number (byte 7)"),
          "no fraction digits");
    CHECK(W("{\"a\":1e+}"), JERR("JSON is malformed: invalid number "
                                 "(byte 8)"), "no exponent digits");
    CHECK(W("{\"a\":-x}"), JERR("JSON is malformed: invalid character "
                                "(byte 6)"), "minus then letter");
    CHECK(W("-"), JERR("JSON is malformed: invalid number (byte 1)"),
          "lone minus");
    CHECK(W("{\"a\":+1}"), JERR("JSON is malformed: invalid character "
                                "(byte 5)"), "plus sign");
    CHECK(W("{\"a\":\"\\x\"}"), JERR("JSON is malformed: invalid escape "
                                     "character in string (byte 8)"),
          "bad escape: after the char");
    CHECK(W("{\"a\":\"\\u12G4\"}"), JERR("JSON is malformed: invalid "
                                         "character in unicode escape "
                                         "(byte 11)"), "bad unicode escape");
    CHECK(W("{\"a\":\"\\udc00\"}"), JERR("JSON is malformed: invalid utf-16 "
                                         "surrogate pair (byte 12)"),
          "lone low surrogate");
    CHECK(W("{\"a\":\"\\ud800\"}"), JERR("Input data was truncated"),
          "high surrogate near the end: truncated (needs 6 bytes)");
    CHECK(W("{\"a\":\"\\ud800xxxxxx\"}"),
          JERR("JSON is malformed: unexpected end of escaped utf-16 "
               "surrogate pair (byte 12)"), "high surrogate alone");
    CHECK(W("{\"a\":\"\\ud800\\u0041\"}"),
          JERR("JSON is malformed: invalid utf-16 surrogate pair (byte 18)"),
          "high surrogate + non-low");
    CHECK(W("{\"a\":\"\x01\"}"), JERR("JSON is malformed: invalid character "
                                      "(byte 6)"), "control char in string");
    CHECK(W("{\"a\":\"\xff\"}"), JERR("JSON is malformed: invalid utf-8 "
                                      "(byte 6)"), "invalid utf-8 (ours: 400)");
    CHECK(W("{\"a\":[1e400]}"), JERR("Number out of range - at `$[...][0]`"),
          "float overflow with msgspec path");
    CHECK(W("1e400"), JERR("Number out of range"), "top-level overflow");
    CHECK(W("{\"weights\":{\"a\":-1e999}}"),
          JERR("Number out of range - at `$[...][...]`"),
          "negative overflow in weights");
    CHECK(W("\xef\xbb\xbf{}"), JERR("JSON is malformed: invalid character "
                                    "(byte 0)"), "BOM is not skipped");

    {
        char  deep[2100];

        memset(deep, '[', 2000);
        deep[2000] = '\0';
        CHECK(W(deep), JERR("JSON is malformed: nesting too deep "
                            "(byte 1001)"), "nesting limit (ours)");
    }
}


static void
test_detail(void)
{
    CHECK(run(PYLON_BODY_LOGIN, "{}", 2, "POST", "//api/v1/login/identity/x",
              NULL),
          "{\"status_code\":400,\"detail\":\"Validation failed for POST "
          "////api/v1/login/identity/x\",\"extra\":[{\"message\":\"Field "
          "required\",\"key\":\"token\"}]}",
          "detail: urlunsplit doubles a leading //");
    CHECK(run(PYLON_BODY_LOGIN, "{}", 2, "POST", "/a\"b\x01\xff", "q=\xe2\x82"),
          "{\"status_code\":400,\"detail\":\"Validation failed for POST "
          "/a\\\"b\\u0001\xef\xbf\xbd?q=\xef\xbf\xbd\","
          "\"extra\":[{\"message\":\"Field required\",\"key\":\"token\"}]}",
          "detail: escaped, invalid utf-8 replaced");
}


static void
test_envelope(void)
{
    char    *e;
    size_t   n;

    e = pylon_envelope(&n, 404, "Identity 'foo' not found", 24);
    is_str(e, "{\"status_code\":404,\"detail\":\"Identity 'foo' not found\"}",
           "envelope: 404");
    is_int(n, strlen(e), "envelope: length");
    free(e);

    e = pylon_envelope(&n, 502, "", 0);
    is_str(e, "{\"status_code\":502,\"detail\":\"Bad Gateway\"}",
           "envelope: empty detail becomes the reason phrase");
    free(e);

    e = pylon_envelope(&n, 500, "a\\b\"c\td\x1f\xc3\xa9", 10);
    is_str(e, "{\"status_code\":500,\"detail\":\"a\\\\b\\\"c\\td\\u001f"
           "\xc3\xa9\"}", "envelope: msgspec escaping");
    free(e);
}


int
main(void)
{
    memset(&last, 0, sizeof(last));

    test_login();
    test_weights();
    test_commitment();
    test_certificate();
    test_empty_and_malformed();
    test_detail();
    test_envelope();

    pylon_body_free(&last);
    return done_testing();
}
