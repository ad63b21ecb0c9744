/*
 * pylon-tle: timelock encryption and drand quicknet checks from the shell.
 *
 *   pylon-tle encrypt ROUND HEX          ciphertext hex to stdout
 *   pylon-tle decrypt SIGHEX HEX         plaintext hex (SIG = round's sig)
 *   pylon-tle verify-beacon ROUND SIGHEX exit 0 only for a valid signature
 *
 * Lower-level commands used by the oracle tests (t/test_tle_*.py):
 *
 *   pylon-tle g1-mul SCALARHEX           compressed k g1
 *   pylon-tle g2-mul SCALARHEX           compressed k g2
 *   pylon-tle g1-add G1HEX G1HEX         compressed sum (inputs checked)
 *   pylon-tle g2-add G2HEX G2HEX
 *   pylon-tle hash-g1 MSGHEX DST         compressed RFC 9380 hash to G1
 *   pylon-tle pairing G1HEX G2HEX        576-byte GT (arkworks order) hex
 *
 * CRv4 helpers:
 *
 *   pylon-tle reveal-round BLOCK NETUID TEMPO PERIOD NOW
 *                                        generate_commit's reveal round
 *   pylon-tle crv4-payload HOTKEYHEX VERSION UIDS VALUES
 *                                        SCALE payload hex; UIDS and VALUES
 *                                        comma-separated ("" for none)
 *
 * Revealed (timelocked) commitments, Pylon v2:
 *
 *   pylon-tle revealed ROUND TEXT        ciphertext hex of the SCALE
 *                                        String TEXT (as POST
 *                                        commitments/revealed stores it)
 *   pylon-tle revealed-round NOW BLOCKS BLOCK_SECONDS
 *                                        get_encrypted_commitment's round
 *
 * Exit status 0 on success, 1 on a cryptographic failure, 2 on usage.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bittensor/crv4.h"
#include "bittensor/revealed.h"
#include "crypto/bls12_381_curve.h"
#include "crypto/drand.h"
#include "crypto/tle.h"


static int
usage(void)
{
    fprintf(stderr,
            "usage: pylon-tle encrypt ROUND HEX\n"
            "       pylon-tle decrypt SIGHEX HEX\n"
            "       pylon-tle verify-beacon ROUND SIGHEX\n"
            "       pylon-tle g1-mul|g2-mul SCALARHEX\n"
            "       pylon-tle g1-add|g2-add POINTHEX POINTHEX\n"
            "       pylon-tle hash-g1 MSGHEX DST\n"
            "       pylon-tle pairing G1HEX G2HEX\n"
            "       pylon-tle reveal-round BLOCK NETUID TEMPO PERIOD NOW\n"
            "       pylon-tle crv4-payload HOTKEYHEX VERSION UIDS VALUES\n");
    return 2;
}


/* decode hex (optional 0x) into a fresh buffer; NULL on bad input */
static unsigned char *
from_hex(const char *hex, size_t *len)
{
    unsigned char  *buf;
    size_t          n;

    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
    }

    n = strlen(hex);
    if (n % 2 != 0) {
        return NULL;
    }

    buf = malloc(n / 2 + 1);
    if (buf == NULL) {
        return NULL;
    }

    if (sodium_hex2bin(buf, n / 2 + 1, hex, n, NULL, len, NULL) != 0
        || *len != n / 2)
    {
        free(buf);
        return NULL;
    }

    return buf;
}


static void
print_hex(const unsigned char *b, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        printf("%02x", b[i]);
    }
    printf("\n");
}


static int
parse_round(const char *s, uint64_t *round)
{
    unsigned long long  v;
    char               *end;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
        return -1;
    }

    *round = v;
    return 0;
}


static int
cmd_encrypt(const char *rs, const char *hex)
{
    unsigned char  *m, *ct;
    uint64_t        round;
    size_t          mlen, ctlen;
    int             rc;

    m = from_hex(hex, &mlen);
    if (parse_round(rs, &round) != 0 || m == NULL) {
        free(m);
        return usage();
    }

    ct = malloc(mlen + PYLON_TLE_OVERHEAD);
    rc = 1;
    if (ct != NULL
        && pylon_tle_encrypt(ct, mlen + PYLON_TLE_OVERHEAD, &ctlen, m, mlen,
                             round) == 0)
    {
        print_hex(ct, ctlen);
        rc = 0;
    }

    free(ct);
    free(m);
    return rc;
}


static int
cmd_decrypt(const char *sighex, const char *hex)
{
    unsigned char  *sig, *ct, *m;
    size_t          siglen, ctlen, mlen;
    int             rc;

    sig = from_hex(sighex, &siglen);
    ct = from_hex(hex, &ctlen);
    if (sig == NULL || ct == NULL || siglen != 48) {
        free(sig);
        free(ct);
        return usage();
    }

    rc = 1;
    m = malloc(ctlen + 1);
    if (m != NULL
        && pylon_tle_decrypt(m, ctlen, &mlen, ct, ctlen, sig) == 0)
    {
        print_hex(m, mlen);
        rc = 0;
    }

    free(m);
    free(ct);
    free(sig);
    return rc;
}


static int
cmd_verify(const char *rs, const char *sighex)
{
    unsigned char  *sig;
    uint64_t        round;
    size_t          siglen;
    int             rc;

    sig = from_hex(sighex, &siglen);
    if (parse_round(rs, &round) != 0 || sig == NULL || siglen != 48) {
        free(sig);
        return usage();
    }

    rc = pylon_drand_quicknet_verify(sig, round) == 0 ? 0 : 1;
    free(sig);
    return rc;
}


static int
cmd_mul(int g2, const char *khex)
{
    unsigned char  *k, out[96];
    pylon_g1        p;
    pylon_g2        q;
    size_t          klen;

    k = from_hex(khex, &klen);
    if (k == NULL) {
        return usage();
    }

    if (g2) {
        pylon_g2_generator(&q);
        pylon_g2_mul(&q, &q, k, klen);
        pylon_g2_compress(out, &q);
        print_hex(out, 96);

    } else {
        pylon_g1_generator(&p);
        pylon_g1_mul(&p, &p, k, klen);
        pylon_g1_compress(out, &p);
        print_hex(out, 48);
    }

    free(k);
    return 0;
}


static int
cmd_add(int g2, const char *ahex, const char *bhex)
{
    unsigned char  *a, *b, out[96];
    pylon_g1        p1, p2;
    pylon_g2        q1, q2;
    size_t          alen, blen, want;
    int             rc;

    want = g2 ? 96 : 48;
    a = from_hex(ahex, &alen);
    b = from_hex(bhex, &blen);
    if (a == NULL || b == NULL || alen != want || blen != want) {
        free(a);
        free(b);
        return usage();
    }

    rc = 1;
    if (g2) {
        if (pylon_g2_decompress(&q1, a) == 0
            && pylon_g2_decompress(&q2, b) == 0)
        {
            pylon_g2_add(&q1, &q1, &q2);
            pylon_g2_compress(out, &q1);
            print_hex(out, 96);
            rc = 0;
        }

    } else {
        if (pylon_g1_decompress(&p1, a) == 0
            && pylon_g1_decompress(&p2, b) == 0)
        {
            pylon_g1_add(&p1, &p1, &p2);
            pylon_g1_compress(out, &p1);
            print_hex(out, 48);
            rc = 0;
        }
    }

    free(a);
    free(b);
    return rc;
}


static int
cmd_hash_g1(const char *mhex, const char *dst)
{
    unsigned char  *m, out[48];
    pylon_g1        p;
    size_t          mlen;
    int             rc;

    m = from_hex(mhex, &mlen);
    if (m == NULL) {
        return usage();
    }

    rc = 1;
    if (pylon_g1_hash_to_curve(&p, m, mlen, (const unsigned char *) dst,
                               strlen(dst)) == 0)
    {
        pylon_g1_compress(out, &p);
        print_hex(out, 48);
        rc = 0;
    }

    free(m);
    return rc;
}


static int
cmd_pairing(const char *ahex, const char *bhex)
{
    unsigned char  *a, *b, out[PYLON_FP12_BYTES];
    pylon_fp12      g;
    pylon_g1        p;
    pylon_g2        q;
    size_t          alen, blen;
    int             rc;

    a = from_hex(ahex, &alen);
    b = from_hex(bhex, &blen);
    if (a == NULL || b == NULL || alen != 48 || blen != 96) {
        free(a);
        free(b);
        return usage();
    }

    rc = 1;
    if (pylon_g1_decompress(&p, a) == 0 && pylon_g2_decompress(&q, b) == 0) {
        pylon_bls_pairing(&g, &p, &q);
        pylon_fp12_to_bytes(out, &g);
        print_hex(out, sizeof(out));
        rc = 0;
    }

    free(a);
    free(b);
    return rc;
}


static int
cmd_reveal_round(char **argv)
{
    uint64_t  v[5];
    int       i;

    for (i = 0; i < 5; i++) {
        if (parse_round(argv[i], &v[i]) != 0) {
            return usage();
        }
    }

    if (v[1] > 65535 || v[2] > 65535 || v[4] > INT64_MAX) {
        return usage();
    }

    printf("%llu\n", (unsigned long long)
           pylon_crv4_reveal_round(v[0], (uint16_t) v[1], (uint16_t) v[2],
                                   v[3], (int64_t) v[4]));
    return 0;
}


/* parse "1,2,3" into at most cap u16 values; -1 on bad input */
static int
parse_u16_list(const char *s, uint16_t *out, size_t cap, size_t *n)
{
    unsigned long   v;
    char           *end;

    *n = 0;
    while (*s != '\0') {
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || v > 65535 || *n == cap
            || (*end != ',' && *end != '\0'))
        {
            return -1;
        }
        out[(*n)++] = (uint16_t) v;
        s = *end == ',' ? end + 1 : end;
    }

    return 0;
}


static int
cmd_crv4_payload(char **argv)
{
    static uint16_t  uids[PYLON_CRV4_MAX_UIDS], vals[PYLON_CRV4_MAX_UIDS];
    unsigned char   *hk, *out;
    uint64_t         ver;
    size_t           hklen, nu, nv, len;
    int              rc;

    hk = from_hex(argv[0], &hklen);
    if (hk == NULL || hklen != PYLON_CRV4_HOTKEY_BYTES
        || parse_round(argv[1], &ver) != 0
        || parse_u16_list(argv[2], uids, PYLON_CRV4_MAX_UIDS, &nu) != 0
        || parse_u16_list(argv[3], vals, PYLON_CRV4_MAX_UIDS, &nv) != 0
        || nu != nv)
    {
        free(hk);
        return usage();
    }

    rc = 1;
    out = malloc(pylon_crv4_payload_len(nu));
    if (out != NULL
        && pylon_crv4_payload_encode(out, pylon_crv4_payload_len(nu), &len,
                                     hk, uids, vals, nu, ver) == 0)
    {
        print_hex(out, len);
        rc = 0;
    }

    free(out);
    free(hk);
    return rc;
}


static int
cmd_revealed(const char *r, const char *text)
{
    int          rc;
    uint64_t     round;
    pylon_buf_t  ct;

    if (parse_round(r, &round) != 0) {
        return usage();
    }

    pylon_buf_init(&ct);
    rc = pylon_revealed_encrypt(&ct, (const uint8_t *) text, strlen(text),
                                round);
    if (rc == 0) {
        print_hex(ct.data, ct.len);
    }

    pylon_buf_free(&ct);
    return rc == 0 ? 0 : 1;
}


static int
cmd_revealed_round(char **argv)
{
    char  *end;
    long long  now, blocks;
    double     seconds;

    errno = 0;
    now = strtoll(argv[0], &end, 10);
    if (errno || *end) {
        return usage();
    }
    blocks = strtoll(argv[1], &end, 10);
    if (errno || *end) {
        return usage();
    }
    seconds = strtod(argv[2], &end);
    if (errno || *end) {
        return usage();
    }

    printf("%llu\n", (unsigned long long) pylon_revealed_round(now, blocks,
                                                               seconds));
    return 0;
}


int
main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        return 1;
    }

    if (argc == 4 && strcmp(argv[1], "encrypt") == 0) {
        return cmd_encrypt(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "decrypt") == 0) {
        return cmd_decrypt(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "verify-beacon") == 0) {
        return cmd_verify(argv[2], argv[3]);
    }
    if (argc == 3 && strcmp(argv[1], "g1-mul") == 0) {
        return cmd_mul(0, argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "g2-mul") == 0) {
        return cmd_mul(1, argv[2]);
    }
    if (argc == 4 && strcmp(argv[1], "g1-add") == 0) {
        return cmd_add(0, argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "g2-add") == 0) {
        return cmd_add(1, argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "hash-g1") == 0) {
        return cmd_hash_g1(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "pairing") == 0) {
        return cmd_pairing(argv[2], argv[3]);
    }
    if (argc == 7 && strcmp(argv[1], "reveal-round") == 0) {
        return cmd_reveal_round(argv + 2);
    }
    if (argc == 6 && strcmp(argv[1], "crv4-payload") == 0) {
        return cmd_crv4_payload(argv + 2);
    }
    if (argc == 4 && strcmp(argv[1], "revealed") == 0) {
        return cmd_revealed(argv[2], argv[3]);
    }
    if (argc == 5 && strcmp(argv[1], "revealed-round") == 0) {
        return cmd_revealed_round(argv + 2);
    }

    return usage();
}
