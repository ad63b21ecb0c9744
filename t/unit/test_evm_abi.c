/*
 * test_evm_abi.c: the Solidity ABI codec of src/evm against the examples
 * of the Solidity documentation ("Contract ABI Specification"), EIP-55's
 * test vectors, Keccak-256 known answers, event topics and logs, and
 * malformed encodings that must fail cleanly (short data, lying offsets,
 * huge lengths, dirty padding, offset bombs).
 */

#include <jansson.h>

#include "tap.h"

#include "chain/arena.h"
#include "chain/hex.h"
#include "evm/abi_codec.h"
#include "evm/abi_event.h"
#include "evm/abi_type.h"
#include "evm/eip55.h"
#include "evm/evm_log.h"
#include "evm/keccak256.h"
#include "evm/u256.h"


static pylon_arena_t  *arena;
static char            errbuf[160];
static char            outbuf[1 << 16];


static pylon_abi_type_t *
types(const char *list)
{
    char  t[1024];

    snprintf(t, sizeof(t), "(%s)", list);
    return pylon_abi_type_parse(arena, t, strlen(t), errbuf, sizeof(errbuf));
}


/* hex of the encoding of JSON values as the type list, or "ERR" */
static const char *
enc(const char *list, const char *json)
{
    json_t            *v = json_loads(json, 0, NULL);
    pylon_abi_type_t  *t = types(list);
    pylon_buf_t        b;

    pylon_buf_init(&b);
    if (v == NULL || t == NULL
        || pylon_abi_encode_json(&b, t, v, errbuf, sizeof(errbuf)) != 0)
    {
        json_decref(v);
        pylon_buf_free(&b);
        return "ERR";
    }
    pylon_hex_encode(outbuf, sizeof(outbuf), b.data, b.len);
    json_decref(v);
    pylon_buf_free(&b);
    return outbuf;
}


/* JSON text of decoding hex as the type list, or "ERR" */
static const char *
dec(const char *list, const char *hex)
{
    uint8_t           *data;
    size_t             len;
    pylon_buf_t        b;
    pylon_abi_type_t  *t = types(list);

    if (t == NULL
        || pylon_hex_decode_alloc(&data, &len, hex, strlen(hex)) != 0)
    {
        return "ERR";
    }
    pylon_buf_init(&b);
    if (pylon_abi_decode_json(&b, t, data, len, 0, errbuf, sizeof(errbuf))
        != 0)
    {
        free(data);
        pylon_buf_free(&b);
        return "ERR";
    }
    snprintf(outbuf, sizeof(outbuf), "%.*s", (int) b.len, (char *) b.data);
    free(data);
    pylon_buf_free(&b);
    return outbuf;
}


static const char *
canonical(const char *s)
{
    pylon_buf_t        b;
    pylon_abi_type_t  *t;

    t = pylon_abi_type_parse(arena, s, strlen(s), errbuf, sizeof(errbuf));
    if (t == NULL) {
        return "ERR";
    }
    pylon_buf_init(&b);
    pylon_abi_type_canonical(&b, t);
    snprintf(outbuf, sizeof(outbuf), "%.*s", (int) b.len, (char *) b.data);
    pylon_buf_free(&b);
    return outbuf;
}


#define W(x)  x

/* docs: sam(bytes,bool,uint256[]) with ("dave", true, [1,2,3]) */
static const char  sam_hex[] = "0x"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "6461766500000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000003";

/* docs: f(uint256,uint32[],bytes10,bytes) */
static const char  f_hex[] = "0x"
    "0000000000000000000000000000000000000000000000000000000000000123"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "3132333435363738393000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000456"
    "0000000000000000000000000000000000000000000000000000000000000789"
    "000000000000000000000000000000000000000000000000000000000000000d"
    "48656c6c6f2c20776f726c642100000000000000000000000000000000000000";

/* docs: g(uint256[][],string[]) with ([[1,2],[3]], ["one","two","three"]) */
static const char  g_hex[] = "0x"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000140"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "6f6e650000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "74776f0000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000005"
    "7468726565000000000000000000000000000000000000000000000000000000";


static void
test_keccak(void)
{
    uint8_t  h[32];

    pylon_keccak256(h, "", 0);
    is_hex(h, 32, "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8"
           "045d85a470", "keccak256 of the empty string");
    pylon_keccak256(h, "abc", 3);
    is_hex(h, 32, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f5"
           "8fa12d6c45", "keccak256 of abc");
    {
        char  m[200];

        memset(m, 'a', sizeof(m));          /* crosses the 136-byte rate */
        pylon_keccak256(h, m, 136);
        ok(1, "keccak256 of exactly one block runs");
        pylon_keccak256(h, m, 135);
        ok(1, "keccak256 with the pad bytes in one byte runs");
    }
}


static void
test_eip55(void)
{
    static const char *vec[] = {
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    };
    size_t   i;
    uint8_t  a[20];
    char     out[PYLON_EIP55_TEXT_BYTES];

    for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        ok(pylon_eip55_parse(a, vec[i], 42) == PYLON_EIP55_OK,
           "EIP-55 vector %zu parses", i);
        pylon_eip55_encode(out, a);
        is_str(out, vec[i], "EIP-55 vector %zu re-encodes", i);
    }
    is_int(pylon_eip55_parse(a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                             42), PYLON_EIP55_OK, "all-lowercase accepted");
    is_int(pylon_eip55_parse(a, "5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
                             40), PYLON_EIP55_OK, "all-upper, no 0x accepted");
    is_int(pylon_eip55_parse(a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
                             42), PYLON_EIP55_CHECKSUM,
           "mixed case with one wrong letter rejected");
    is_int(pylon_eip55_parse(a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA",
                             40), PYLON_EIP55_MALFORMED, "short rejected");
    is_int(pylon_eip55_parse(a, "0xZaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                             42), PYLON_EIP55_MALFORMED, "non-hex rejected");
}


static void
test_types(void)
{
    is_str(canonical("uint"), "uint256", "uint aliases uint256");
    is_str(canonical("(int,(address,bytes)[2][],string)[]"),
           "(int256,(address,bytes)[2][],string)[]", "nested canonical");
    is_str(canonical("uint7"), "ERR", "uint7 rejected");
    is_str(canonical("uint264"), "ERR", "uint264 rejected");
    is_str(canonical("bytes33"), "ERR", "bytes33 rejected");
    is_str(canonical("bytes0"), "ERR", "bytes0 rejected");
    is_str(canonical("uint256[0]"), "ERR", "zero-length fixed array rejected");
    is_str(canonical("uint256[01]"), "ERR", "leading zero length rejected");
    is_str(canonical("()"), "ERR", "empty tuple rejected");
    is_str(canonical("(uint256"), "ERR", "unterminated tuple rejected");
    is_str(canonical("uint256[4096][4096]"), "ERR",
           "static type above the size cap rejected");
    {
        char deep[200];
        int  i;

        for (i = 0; i < 40; i++) {
            deep[i] = '(';
        }
        strcpy(deep + 40, "bool");
        for (i = 0; i < 40; i++) {
            strcat(deep, ")");
        }
        is_str(canonical(deep), "ERR", "40 nested tuples rejected");
    }
}


static void
test_docs_examples(void)
{
    is_str(enc("uint32,bool", "[69,true]"),
           "0x0000000000000000000000000000000000000000000000000000000000000045"
           "0000000000000000000000000000000000000000000000000000000000000001",
           "docs baz(uint32,bool) encodes");
    is_str(enc("bytes,bool,uint256[]", "[\"0x64617665\",true,[1,2,3]]"),
           sam_hex, "docs sam(bytes,bool,uint256[]) encodes");
    is_str(dec("bytes,bool,uint256[]", sam_hex),
           "[\"0x64617665\",true,[1,2,3]]", "docs sam decodes");
    is_str(enc("uint256,uint32[],bytes10,bytes",
               "[291,[1110,1929],\"0x31323334353637383930\","
               "\"0x48656c6c6f2c20776f726c6421\"]"),
           f_hex, "docs f(uint256,uint32[],bytes10,bytes) encodes");
    is_str(dec("uint256,uint32[],bytes10,bytes", f_hex),
           "[291,[1110,1929],\"0x31323334353637383930\","
           "\"0x48656c6c6f2c20776f726c6421\"]", "docs f decodes");
    is_str(enc("uint256[][],string[]",
               "[[[1,2],[3]],[\"one\",\"two\",\"three\"]]"),
           g_hex, "docs g(uint256[][],string[]) encodes");
    is_str(dec("uint256[][],string[]", g_hex),
           "[[[1,2],[3]],[\"one\",\"two\",\"three\"]]", "docs g decodes");
}


static void
test_values(void)
{
    const char *h;

    h = enc("uint256,int256,int8,uint8",
            "[\"115792089237316195423570985008687907853269984665640564039457"
            "584007913129639935\",\"-5789604461865809771178549250434395392663"
            "4992332820282019728792003956564819968\",-128,255]");
    is_str(dec("uint256,int256,int8,uint8", h),
           "[115792089237316195423570985008687907853269984665640564039457584"
           "007913129639935,-5789604461865809771178549250434395392663499233282"
           "0282019728792003956564819968,-128,255]",
           "extreme integers round-trip as exact JSON integers");
    is_str(enc("uint8", "[256]"), "ERR", "uint8 256 refused by the encoder");
    is_str(enc("int8", "[128]"), "ERR", "int8 128 refused");
    is_str(enc("uint256", "[-1]"), "ERR", "negative uint refused");
    is_str(dec("int16", enc("int16", "[-2]")), "[-2]", "int16 -2");
    is_str(dec("uint64", enc("uint64", "[\"18446744073709551615\"]")),
           "[18446744073709551615]", "uint64 max");
    is_str(dec("address", "0x0000000000000000000000005aaeb6053f3e94c9b9a09f"
               "33669435e7ef1beaed"),
           "[\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"]",
           "addresses decode checksummed");
    is_str(dec("string", enc("string", "[\"h\\u00e9\\\"llo\\n\"]")),
           "[\"h\xc3\xa9\\\"llo\\n\"]", "string with UTF-8 and escapes");
    is_str(dec("(uint8,(bool,string)[])[2]",
               enc("(uint8,(bool,string)[])[2]",
                   "[[[1,[[true,\"a\"],[false,\"\"]]],[2,[]]]]")),
           "[[[1,[[true,\"a\"],[false,\"\"]]],[2,[]]]]",
           "fixed array of tuples with dynamic arrays of tuples");
    is_str(dec("bytes32", enc("bytes32", "[\"0x01000000000000000000000000"
               "000000000000000000000000000000000000ff\"]")),
           "[\"0x0100000000000000000000000000000000"
           "0000000000000000000000000000ff\"]",
           "bytes32 round-trip");
}


static void
test_malformed(void)
{
    char  big[600];

    is_str(dec("uint256", "0x00"), "ERR", "short word refused");
    is_str(dec("uint8", "0x0000000000000000000000000000000000000000000000000"
               "000000000000100"), "ERR", "uint8 with dirty high bits refused");
    is_str(dec("int8", "0x00000000000000000000000000000000000000000000000000"
               "000000000000ff"), "ERR", "int8 without sign extension refused");
    is_str(dec("bool", "0x0000000000000000000000000000000000000000000000000000"
               "000000000002"), "ERR", "bool 2 refused");
    is_str(dec("address", "0x0100000000000000000000005aaeb6053f3e94c9b9a09f"
               "33669435e7ef1beaed"), "ERR", "address with dirty pad refused");
    is_str(dec("bytes1", "0x0101000000000000000000000000000000000000000000000"
               "000000000000000"), "ERR", "bytes1 with dirty pad refused");
    /* offset past the end */
    is_str(dec("bytes", "0x0000000000000000000000000000000000000000000000000"
               "000000000000040"), "ERR", "offset past the end refused");
    /* offset of 2^255 */
    is_str(dec("bytes", "0x8000000000000000000000000000000000000000000000000"
               "000000000000000"), "ERR", "offset 2^255 refused");
    /* length of 2^64 - 1 */
    is_str(dec("bytes", "0x0000000000000000000000000000000000000000000000000"
               "000000000000020000000000000000000000000000000000000000000000000"
               "ffffffffffffffff"), "ERR", "bytes length 2^64-1 refused");
    is_str(dec("uint256[]", "0x000000000000000000000000000000000000000000000"
               "00000000000000000200000000000000000000000000000000000000000000"
               "000000000000000ffffff"), "ERR", "array length 2^24 refused");
    is_str(dec("bytes", "0x0000000000000000000000000000000000000000000000000"
               "000000000000020000000000000000000000000000000000000000000000"
               "000000000000000000161000000000000000000000000000000000000000"
               "000000000000000000000ff"), "ERR",
           "non-zero padding after bytes refused");
    is_str(dec("string", "0x000000000000000000000000000000000000000000000000"
               "0000000000000020000000000000000000000000000000000000000000000"
               "0000000000000000001ff0000000000000000000000000000000000000000"
               "0000000000000000000000"), "ERR",
           "invalid UTF-8 string refused");

    /*
     * An offset bomb: uint256[][][][][][] where each level is an array of
     * 8 members that all point at the same next-level array: 1760 bytes
     * that would expand to 8^6 values.  The work budget stops it.
     */
    {
        size_t       i, k, base;
        uint8_t      d[1760];
        pylon_buf_t  b;
        pylon_abi_type_t *t = types("uint256[][][][][][]");

        memset(d, 0, sizeof(d));
        d[31] = 32;                          /* top-level offset */
        for (i = 0; i < 6; i++) {
            base = 32 + i * 288;
            d[base + 31] = 8;                /* length */
            for (k = 0; i < 5 && k < 8; k++) {
                d[base + 32 + 32 * k + 30] = 1;      /* offset 256 */
            }
        }
        pylon_buf_init(&b);
        ok(t != NULL && pylon_abi_decode_json(&b, t, d, sizeof(d), 0, errbuf,
                                              sizeof(errbuf)) != 0,
           "8^6 offset bomb stops on the work budget (%s)", errbuf);
        ok(b.len < 10 * sizeof(d), "bomb output stayed small (%zu)", b.len);
        pylon_buf_free(&b);
    }

    memset(big, 'f', sizeof(big));
    ok(pylon_u256_from_text((uint8_t *) big, "1157920892373161954235709850086"
       "87907853269984665640564039457584007913129639936", 78, 256, 0) != 0,
       "2^256 refused by the decimal parser");
}


static void
test_events(void)
{
    const char  *abi_text =
        "[{\"type\":\"event\",\"name\":\"Transfer\",\"inputs\":["
        "{\"name\":\"from\",\"type\":\"address\",\"indexed\":true},"
        "{\"name\":\"to\",\"type\":\"address\",\"indexed\":true},"
        "{\"name\":\"value\",\"type\":\"uint256\",\"indexed\":false}]},"
        "{\"type\":\"function\",\"name\":\"transfer\"},"
        "{\"type\":\"event\",\"name\":\"Mixed\",\"inputs\":["
        "{\"name\":\"a\",\"type\":\"uint8\"},"
        "{\"name\":\"tag\",\"type\":\"string\",\"indexed\":true},"
        "{\"name\":\"s\",\"type\":\"tuple[]\",\"components\":["
        "{\"name\":\"x\",\"type\":\"uint256\"},"
        "{\"name\":\"y\",\"type\":\"bytes\"}]}]}]";
    json_t              *abi = json_loads(abi_text, 0, NULL);
    pylon_abi_event_t   *ev;
    size_t               n, nt;
    uint8_t              topics[5][32];
    pylon_buf_t          data, out;
    json_t              *args;

    ok(pylon_abi_events_from_json(arena, abi, &ev, &n, errbuf,
                                  sizeof(errbuf)) == 0 && n == 2,
       "two events in the ABI (function skipped)");
    is_str(ev[0].signature, "Transfer(address,address,uint256)",
           "Transfer signature");
    is_hex(ev[0].topic0, 32, "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163"
           "c4a11628f55a4df523b3ef", "Transfer topic0");
    is_str(ev[1].signature, "Mixed(uint8,string,(uint256,bytes)[])",
           "tuple[] spelled out in the signature");

    args = json_loads("{\"a\":7,\"tag\":\"hello\",\"s\":[{\"x\":1,\"y\":"
                      "\"0xff\"}]}", 0, NULL);
    pylon_buf_init(&data);
    ok(pylon_abi_event_encode(&ev[1], args, topics, &nt, &data, errbuf,
                              sizeof(errbuf)) == 0 && nt == 2,
       "Mixed log encodes");
    pylon_buf_init(&out);
    ok(pylon_abi_event_decode(&out, &ev[1], (const uint8_t (*)[32]) topics,
                              nt, data.data, data.len, errbuf,
                              sizeof(errbuf)) == 0, "Mixed log decodes");
    snprintf(outbuf, sizeof(outbuf), "%.*s", (int) out.len, out.data);
    is_str(outbuf, "{\"tag\":\"0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c"
           "948127319a09a7a36deac8\",\"a\":7,\"s\":[{\"x\":1,\"y\":\"0xff\"}]}",
           "indexed string stays its keccak hash, indexed first, tuples as "
           "objects");
    out.len = 0;
    ok(pylon_abi_event_decode(&out, &ev[1], (const uint8_t (*)[32]) topics,
                              1, data.data, data.len, errbuf,
                              sizeof(errbuf)) != 0, "missing topic refused");
    pylon_buf_free(&out);
    pylon_buf_free(&data);
    json_decref(args);

    /* an eth_getLogs entry, rendered as Pylon's EvmLog */
    {
        json_t      *log;
        int          comma = 0;
        size_t       count;

        log = json_loads(
            "[{\"address\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            "\",\"topics\":[\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f"
            "163c4a11628f55a4df523b3ef\",\"0x00000000000000000000000052"
            "908400098527886e0f7030069857d2e4169ee7\",\"0x0000000000000"
            "000000000008617e340b3d01fa5f11f306f4090fd50e238070d\"],\"d"
            "ata\":\"0x000000000000000000000000000000000000000000000000"
            "00000000000003e8\",\"blockNumber\":\"0x96\",\"transactionH"
            "ash\":\"0x111111111111111111111111111111111111111111111111"
            "1111111111111111\",\"transactionIndex\":\"0x0\",\"logIndex"
            "\":\"0x2\"},{\"address\":\"0x5aaeb6053f3e94c9b9a09f3366943"
            "5e7ef1beaed\",\"topics\":[],\"data\":\"0x\",\"blockNumber\""
            ":\"0x1\",\"transactionHash\":\"0x00\",\"transactionIndex\""
            ":\"0x0\",\"logIndex\":\"0x0\"}]", 0, NULL);
        pylon_buf_init(&out);
        ok(pylon_evm_logs_render(&out, ev, n, log, &comma, &count) == 0
           && count == 1, "one log rendered, the topic-less one skipped");
        snprintf(outbuf, sizeof(outbuf), "%.*s", (int) out.len, out.data);
        is_str(outbuf, "{\"event\":\"Transfer\",\"args\":{\"from\":\"0x52908"
               "400098527886E0F7030069857D2E4169EE7\",\"to\":\"0x8617E340B3D0"
               "1FA5F11F306F4090FD50E238070D\",\"value\":1000},\"address\":"
               "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\",\"block_number"
               "\":150,\"transaction_hash\":\"0x111111111111111111111111111111"
               "1111111111111111111111111111111111\",\"transaction_index\":0,"
               "\"log_index\":2}", "EvmLog shape and key order of §7.4");
        pylon_buf_free(&out);
        json_decref(log);
    }
    json_decref(abi);

    {
        pylon_abi_event_t  e;
        json_t            *x;

        x = json_loads("{\"type\":\"event\",\"inputs\":[]}", 0, NULL);
        ok(pylon_abi_event_from_json(arena, x, &e, errbuf, sizeof(errbuf))
           != 0, "event without a name refused");
        is_str(errbuf, "'name'", "reason is Python's KeyError text");
        json_decref(x);
        x = json_loads("{\"type\":\"event\",\"name\":\"E\",\"inputs\":"
                       "[{\"name\":\"a\"}]}", 0, NULL);
        ok(pylon_abi_event_from_json(arena, x, &e, errbuf, sizeof(errbuf))
           != 0, "input without a type refused");
        is_str(errbuf, "'type'", "reason names the missing key");
        json_decref(x);
        x = json_loads("{\"type\":\"event\",\"name\":\"E\",\"inputs\":"
                       "[{\"name\":\"a\",\"type\":\"uint7\"}]}", 0, NULL);
        ok(pylon_abi_event_from_json(arena, x, &e, errbuf, sizeof(errbuf))
           != 0, "input of an unknown type refused");
        is_str(errbuf, "Unsupported ABI type: uint7", "reason names the type");
        json_decref(x);
        x = json_loads("{\"type\":\"event\",\"name\":\"E\",\"inputs\":"
                       "[{\"name\":\"a\",\"type\":\"tuple\"}]}", 0, NULL);
        ok(pylon_abi_event_from_json(arena, x, &e, errbuf, sizeof(errbuf))
           != 0, "tuple without components refused");
        is_str(errbuf, "'components'", "reason names components");
        json_decref(x);
    }
}


int
main(void)
{
    arena = pylon_arena_create();

    test_keccak();
    test_eip55();
    test_types();
    test_docs_examples();
    test_values();
    test_malformed();
    test_events();

    pylon_arena_destroy(arena);
    return done_testing();
}
