/*
 * test_chain_scale.c: SCALE cursor, primitives, encoders and hex helpers.
 *
 * Vectors from chain.md §3 (compact examples) plus edge cases: every
 * truncated prefix of a valid encoding must fail without moving the
 * cursor, and lengths larger than the input must be refused.
 */

#include "tap.h"

#include "chain/hex.h"
#include "chain/scale.h"


static int
hexbytes(uint8_t *out, size_t max, const char *hex)
{
    size_t  n;

    if (pylon_hex_decode(out, max, &n, hex, strlen(hex)) != 0) {
        return -1;
    }

    return (int) n;
}


static void
test_compact_vectors(void)
{
    static const struct {
        const char    *hex;
        unsigned long long  value;
    } v[] = {
        { "00", 0 }, { "04", 1 }, { "0c", 3 }, { "fc", 63 },
        { "0101", 64 }, { "1901", 70 }, { "2901", 74 }, { "8504", 289 },
        { "fdff", 16383 }, { "02000100", 16384 },
        { "feffffff", 1073741823 }, { "0300000040", 1073741824 },
        { "13ffffffffffffffff", 18446744073709551615ULL },
    };

    pylon_scale_cur_t  c;
    pylon_u128_t       got;
    uint8_t            buf[32], enc[PYLON_SCALE_COMPACT_MAX_BYTES];
    size_t             i, n, k;
    int                len;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        len = hexbytes(buf, sizeof(buf), v[i].hex);
        pylon_scale_init(&c, buf, len);

        ok(pylon_scale_compact(&got, &c) == 0 && got == v[i].value
           && pylon_scale_remaining(&c) == 0,
           "compact %s decodes to %llu", v[i].hex, v[i].value);

        n = pylon_scale_compact_encode(enc, v[i].value);
        ok(n == (size_t) len && memcmp(enc, buf, n) == 0,
           "compact %llu encodes to %s", v[i].value, v[i].hex);

        for (k = 0; k < (size_t) len; k++) {
            pylon_scale_init(&c, buf, k);
            if (pylon_scale_compact(&got, &c) == 0 || c.pos != buf) {
                break;
            }
        }
        ok(k == (size_t) len, "compact %s truncated: every prefix fails",
           v[i].hex);
    }
}


static void
test_compact_u128(void)
{
    pylon_scale_cur_t  c;
    pylon_u128_t       v, got;
    uint64_t           u64;
    uint8_t            enc[PYLON_SCALE_COMPACT_MAX_BYTES];
    uint8_t            bad[18];
    size_t             n;

    v = ~(pylon_u128_t) 0;
    n = pylon_scale_compact_encode(enc, v);
    is_int(n, 17, "compact u128 max is 17 bytes");
    is_int(enc[0], 0x33, "compact u128 max prefix byte 0x33");

    pylon_scale_init(&c, enc, n);
    ok(pylon_scale_compact(&got, &c) == 0 && got == v, "compact u128 max "
       "round-trips");

    pylon_scale_init(&c, enc, n);
    ok(pylon_scale_compact_u64(&u64, &c) == -1 && c.pos == enc,
       "compact u128 max does not fit u64: error, cursor kept");

    memset(bad, 0xff, sizeof(bad));
    bad[0] = 0x37;               /* 13 + 4 = 17 value bytes: too many */
    pylon_scale_init(&c, bad, sizeof(bad));
    ok(pylon_scale_compact(&got, &c) == -1, "compact with 17 value bytes "
       "rejected");
}


static void
test_fixed_ints(void)
{
    pylon_scale_cur_t  c;
    pylon_i128_t       i;
    pylon_u128_t       u;
    uint8_t            buf[32];
    uint16_t           u16;
    uint32_t           u32;
    uint64_t           u64;
    int                b, len;

    len = hexbytes(buf, sizeof(buf), "2a0001020304050607080102030405060708");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_u16(&u16, &c) == 0 && u16 == 0x002a, "u16 little-endian");
    ok(pylon_scale_u64(&u64, &c) == 0 && u64 == 0x0807060504030201ULL,
       "u64 little-endian");
    ok(pylon_scale_u64(&u64, &c) == 0 && u64 == 0x0807060504030201ULL,
       "second u64");
    ok(pylon_scale_u8(buf, &c) == -1, "u8 at end of input fails");

    len = hexbytes(buf, sizeof(buf), "ffffffff");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_int(&i, 4, &c) == 0 && i == -1, "i32 -1");
    pylon_scale_init(&c, buf, 3);
    ok(pylon_scale_u32(&u32, &c) == -1 && c.pos == buf, "u32 from 3 bytes "
       "fails, cursor kept");

    len = hexbytes(buf, sizeof(buf), "feffffffffffffff");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_int(&i, 8, &c) == 0 && i == -2, "i64 -2");

    len = hexbytes(buf, sizeof(buf), "0100000000000000ff00000000000000");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_u128(&u, &c) == 0
       && u == (((pylon_u128_t) 0xff << 64) | 1), "u128 little-endian");

    len = hexbytes(buf, sizeof(buf), "000102");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_bool(&b, &c) == 0 && b == 0, "bool false");
    ok(pylon_scale_bool(&b, &c) == 0 && b == 1, "bool true");
    ok(pylon_scale_bool(&b, &c) == -1, "bool 2 is an error");

    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_option_bool(&b, &c) == 0 && b == -1, "Option<bool> None");
    ok(pylon_scale_option_bool(&b, &c) == 0 && b == 1, "Option<bool> true");
    ok(pylon_scale_option_bool(&b, &c) == 0 && b == 0, "Option<bool> 2 = "
       "false");

    pylon_scale_init(&c, buf + 2, 1);
    ok(pylon_scale_tag01(&b, &c) == -1, "Option tag 2 is an error");
}


static void
test_lengths(void)
{
    pylon_scale_cur_t  c;
    const uint8_t     *p;
    uint8_t            buf[64];
    uint64_t           nbits;
    size_t             n;
    int                len;

    len = hexbytes(buf, sizeof(buf), "1468656c6c6f");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_vec_u8(&p, &n, &c) == 0 && n == 5
       && memcmp(p, "hello", 5) == 0, "String \"hello\"");

    pylon_scale_init(&c, buf, len - 1);
    ok(pylon_scale_vec_u8(&p, &n, &c) == -1 && c.pos == buf,
       "String with one byte missing fails");

    /* a 4-byte compact length of 2^30 with only 3 bytes behind it */
    len = hexbytes(buf, sizeof(buf), "0300000040aabbcc");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_len(&n, 1, &c) == -1, "Vec length 2^30 over 3 bytes "
       "refused before allocation");

    len = hexbytes(buf, sizeof(buf), "0c000000000000");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_len(&n, 2, &c) == 0 && n == 3, "Vec<u16> of 3 fits 6 "
       "bytes");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_len(&n, 4, &c) == -1, "Vec<u32> of 3 does not fit 6 bytes");

    /* BitVec<u8, Lsb0> of 10 bits: 2 bytes */
    len = hexbytes(buf, sizeof(buf), "28ff03");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_bitseq(&p, &n, &nbits, 1, &c) == 0 && n == 2 && nbits == 10
       && pylon_scale_remaining(&c) == 0, "BitVec of 10 bits takes 2 bytes");
    pylon_scale_init(&c, buf, len);
    ok(pylon_scale_bitseq(&p, &n, &nbits, 4, &c) == -1, "BitVec<u32> of 10 "
       "bits needs 4 bytes: truncated");
}


static void
test_encoders(void)
{
    pylon_buf_t  b;

    pylon_buf_init(&b);
    pylon_scale_put_u16(&b, 1);
    pylon_scale_put_u8(&b, 0);
    pylon_scale_put_compact(&b, 3);
    pylon_scale_put_u16(&b, 0);
    pylon_scale_put_u16(&b, 1);
    pylon_scale_put_u16(&b, 2);
    ok(!b.err, "encoders append without error");
    /* chain.md §4: get_selective_mechagraph(1, 0, [0,1,2]) */
    is_hex(b.data, b.len, "0x0100000c000001000200",
           "selective mechagraph params encode");

    pylon_buf_free(&b);
    pylon_scale_put_u32(&b, 15);
    is_hex(b.data, b.len, "0x0f000000", "Metadata_metadata_at_version(15)");

    pylon_buf_free(&b);
    pylon_scale_put_vec_u8(&b, "hello", 5);
    pylon_scale_put_u64(&b, 0x0102030405060708ULL);
    pylon_scale_put_u128(&b, 1);
    is_hex(b.data, b.len, "0x1468656c6c6f0807060504030201"
           "01000000000000000000000000000000", "vec_u8, u64, u128 encode");
    pylon_buf_free(&b);
}


static void test_hex_table(void);


static void
test_hex(void)
{
    uint8_t   buf[8], *p;
    char      out[PYLON_HEX_ENCODED_BYTES(8)];
    size_t    n;

    ok(pylon_hex_decode(buf, sizeof(buf), &n, "0xDEADbeef", 10) == 0 && n == 4
       && buf[0] == 0xde && buf[3] == 0xef, "hex decodes mixed case with 0x");
    ok(pylon_hex_decode(buf, sizeof(buf), &n, "abc", 3) == -1,
       "hex odd length rejected");
    ok(pylon_hex_decode(buf, sizeof(buf), &n, "0xzz", 4) == -1,
       "hex bad digit rejected");
    ok(pylon_hex_decode(buf, 1, &n, "0x0102", 6) == -1,
       "hex longer than buffer rejected");
    ok(pylon_hex_decode(buf, sizeof(buf), &n, "0x", 2) == 0 && n == 0,
       "hex empty 0x is zero bytes");

    is_int(pylon_hex_encode(out, sizeof(out), buf, 0), 2, "hex encode empty");
    buf[0] = 0xab;
    buf[1] = 0x01;
    ok(pylon_hex_encode(out, sizeof(out), buf, 2) == 6
       && strcmp(out, "0xab01") == 0, "hex encode lowercase with 0x");
    ok(pylon_hex_encode(out, 6, buf, 2) == -1, "hex encode refuses a small "
       "buffer");

    ok(pylon_hex_decode_alloc(&p, &n, "0x00ff", 6) == 0 && n == 2
       && p[1] == 0xff, "hex decode_alloc");
    free(p);

    test_hex_table();
}


/* every byte value against the rule: a digit decodes, anything else fails */
static void
test_hex_table(void)
{
    int       c, want, bad;
    char      s[4];
    uint8_t   buf[2];
    size_t    n;

    bad = 0;

    for (c = 0; c < 256; c++) {
        want = (c >= '0' && c <= '9') ? c - '0'
               : (c >= 'a' && c <= 'f') ? c - 'a' + 10
               : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;

        s[0] = '0';
        s[1] = (char) c;              /* last digit */
        s[2] = (char) c;              /* first digit of the second byte */
        s[3] = '0';

        if (want < 0) {
            if (pylon_hex_decode(buf, 2, &n, s, 4) != -1
                || pylon_hex_is_digits(s, 4) != 0
                || pylon_hex_is_digits(s + 1, 1) != 0)
            {
                bad++;
            }

        } else if (pylon_hex_decode(buf, 2, &n, s, 4) != 0 || n != 2
                   || buf[0] != want || buf[1] != (want << 4)
                   || pylon_hex_is_digits(s, 4) != 1)
        {
            bad++;
        }
    }

    is_int(bad, 0, "hex: all 256 byte values decode or fail as digits");
    ok(pylon_hex_is_digits("", 0) == 1, "hex: no digits are all digits");
    ok(pylon_hex_decode(buf, 2, &n, "0x0g", 4) == -1
       && pylon_hex_decode(buf, 2, &n, "g000", 4) == -1,
       "hex: a bad digit first or last fails");
}


int
main(void)
{
    test_compact_vectors();
    test_compact_u128();
    test_fixed_ints();
    test_lengths();
    test_encoders();
    test_hex();

    return done_testing();
}
