/*
 * pylon-xt: build and sign extrinsics, and read their outcome, offline.
 *
 *   pylon-xt call METADATA PALLET CALL ARGS
 *       the call's SCALE hex
 *   pylon-xt sign [OPTIONS] METADATA KEY PALLET CALL ARGS
 *       a signed v4 extrinsic as JSON: {"extrinsic", "hash", "call",
 *       "payload", "signer"}.  KEY is a SURI ("//Alice", a mnemonic with
 *       optional //hard junctions) or a bittensor hotkey file.  OPTIONS:
 *         --nonce N  --tip N  --spec N  --txver N  --genesis HEX
 *         --period N (default 64; 0 = immortal)  --block N  --birth HEX
 *         --rng HEX  (32 fixed witness bytes: reproducible test vectors)
 *   pylon-xt era PERIOD BLOCK
 *       {"era": "0x…", "birth": N}: the encoding and birth block number
 *   pylon-xt outcome METADATA EVENTS INDEX
 *       the outcome of extrinsic INDEX from the SCALE hex of a block's
 *       System.Events: {"found", "success", "error", "docs", "sudo",
 *       "events"}
 *   pylon-xt invalid ERROR_JSON
 *       one line for a JSON-RPC submission error object
 *
 * METADATA is a file with the metadata blob as hex text (state_getMetadata
 * or Metadata_metadata_at_version) or raw bytes; ARGS is JSON (an object by
 * argument name or an array in order); hex arguments may be "@FILE" to read
 * them from a file.  Exits 0 on success, 1 on an error (reason on stderr).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "chain/extrinsic.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/outcome.h"
#include "chain/storage.h"
#include "crypto/mnemonic.h"
#include "crypto/suri.h"
#include "crypto/wallet.h"


static int
xt_fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "pylon-xt: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return 1;
}


static char *
xt_slurp(const char *path, size_t *len)
{
    FILE    *f;
    char    *buf;
    long     n;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fclose(f);
        return NULL;
    }

    buf = malloc((size_t) n + 1);
    if (buf != NULL && fread(buf, 1, (size_t) n, f) != (size_t) n) {
        free(buf);
        buf = NULL;
    }

    fclose(f);

    if (buf != NULL) {
        buf[n] = '\0';
        *len = (size_t) n;
    }

    return buf;
}


static pylon_meta_t *
xt_meta(const char *path)
{
    char           err[256];
    char          *text;
    size_t         len, blen;
    uint8_t       *blob;
    pylon_meta_t  *m;

    text = xt_slurp(path, &len);
    if (text == NULL) {
        xt_fail("cannot read %s", path);
        return NULL;
    }

    if (len >= 4 && memcmp(text, "meta", 4) == 0) {
        blob = (uint8_t *) text;
        blen = len;
        text = NULL;

    } else if (pylon_hex_decode_text(&blob, &blen, text, len) != 0) {
        free(text);
        xt_fail("%s: not hex metadata", path);
        return NULL;
    }

    free(text);

    if (pylon_meta_parse(&m, blob, blen, err, sizeof(err)) != 0) {
        free(blob);
        xt_fail("metadata: %s", err);
        return NULL;
    }

    free(blob);
    return m;
}


/* hex from the argument or, as "@FILE", from a file */
static int
xt_hex(uint8_t **out, size_t *len, const char *arg)
{
    int      rc;
    char    *text;
    size_t   n;

    if (arg[0] == '@') {
        text = xt_slurp(arg + 1, &n);
        if (text == NULL) {
            return -1;
        }
        rc = pylon_hex_decode_text(out, len, text, n);
        free(text);
        return rc;
    }

    return pylon_hex_decode_alloc(out, len, arg, strlen(arg));
}


static int
xt_hash32(uint8_t out[32], const char *arg)
{
    size_t  n;

    return (pylon_hex_decode(out, 32, &n, arg, strlen(arg)) == 0 && n == 32)
           ? 0 : -1;
}


static void
xt_print_hex(const char *key, const uint8_t *p, size_t len, int comma)
{
    char  *h;

    h = malloc(PYLON_HEX_ENCODED_BYTES(len));
    if (h == NULL) {
        return;
    }
    pylon_hex_encode(h, PYLON_HEX_ENCODED_BYTES(len), p, len);
    printf("\"%s\": \"%s\"%s", key, h, comma ? ", " : "");
    free(h);
}


static pylon_sr25519_keypair_t *
xt_key(const char *arg)
{
    char                      err[PYLON_WALLET_ERR_MAX], wl_path[4096];
    const char               *env, *wlp;
    struct stat               st;
    pylon_bip39_wordlist_t   *wl;
    pylon_sr25519_keypair_t  *kp;

    wlp = getenv(PYLON_BIP39_WORDLIST_ENV);
    if (wlp == NULL) {
        env = getenv("PYLON_SHARED");
        snprintf(wl_path, sizeof(wl_path), "%s/fixtures/bip39-english.txt",
                 env != NULL ? env : "../shared");
        wlp = access(wl_path, R_OK) == 0 ? wl_path : NULL;
    }

    if (!(arg[0] == '/' && arg[1] == '/') && stat(arg, &st) == 0) {
        kp = pylon_wallet_load_file(arg, wlp, err, sizeof(err));
        if (kp == NULL) {
            xt_fail("%s", err);
        }
        return kp;
    }

    wl = NULL;
    if (pylon_suri_needs_wordlist(arg)) {
        if (wlp == NULL) {
            xt_fail("%s", "a mnemonic needs the BIP39 word list "
                    "(PYLON_SHARED)");
            return NULL;
        }
        wl = pylon_bip39_wordlist_load(wlp, err, sizeof(err));
        if (wl == NULL) {
            xt_fail("%s", err);
            return NULL;
        }
    }

    kp = pylon_sr25519_keypair_new();
    if (kp != NULL && pylon_suri_keypair(kp, arg, wl, err, sizeof(err)) != 0)
    {
        xt_fail("%s", err);
        pylon_sr25519_keypair_free(kp);
        kp = NULL;
    }

    pylon_bip39_wordlist_free(wl);
    return kp;
}


static int
xt_build_call(pylon_buf_t *call, const pylon_meta_t *m, const char *pallet,
    const char *name, const char *args_text)
{
    char          err[256];
    json_t       *args;
    json_error_t  jerr;

    args = json_loads(args_text, JSON_DECODE_ANY, &jerr);
    if (args == NULL) {
        return xt_fail("ARGS is not JSON: %s", jerr.text);
    }

    if (pylon_xt_call(call, m, pallet, name, args, err, sizeof(err)) != 0) {
        json_decref(args);
        return xt_fail("%s", err);
    }

    json_decref(args);
    return 0;
}


static int
xt_cmd_call(int argc, char **argv)
{
    int            rc;
    pylon_buf_t    call;
    pylon_meta_t  *m;

    if (argc != 4) {
        return xt_fail("%s", "usage: call METADATA PALLET CALL ARGS");
    }

    m = xt_meta(argv[0]);
    if (m == NULL) {
        return 1;
    }

    pylon_buf_init(&call);
    rc = xt_build_call(&call, m, argv[1], argv[2], argv[3]);
    if (rc == 0) {
        printf("{");
        xt_print_hex("call", call.data, call.len, 0);
        printf("}\n");
    }

    pylon_buf_free(&call);
    pylon_meta_free(m);
    return rc;
}


static int
xt_opt_u64(uint64_t *out, const char *v)
{
    char  *end;

    if (v == NULL || *v == '\0' || *v == '-') {
        return -1;
    }
    *out = strtoull(v, &end, 10);
    return *end == '\0' ? 0 : -1;
}


static int
xt_cmd_sign(int argc, char **argv)
{
    int                       i, rc, have_rng, have_birth;
    char                      err[256];
    uint8_t                   rng[32], hash[32];
    uint64_t                  v;
    const char               *o;
    pylon_buf_t               call, payload, xt;
    pylon_meta_t             *m;
    pylon_xt_params_t         p;
    pylon_sr25519_keypair_t  *kp;

    memset(&p, 0, sizeof(p));
    p.period = PYLON_XT_PERIOD_DEFAULT;
    have_rng = 0;
    have_birth = 0;

    for (i = 0; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        o = argv[i];

        if (i + 1 >= argc) {
            return xt_fail("%s needs a value", o);
        }

        if (strcmp(o, "--genesis") == 0) {
            if (xt_hash32(p.genesis, argv[i + 1]) != 0) {
                return xt_fail("%s: 32 bytes of hex", o);
            }
            continue;
        }

        if (strcmp(o, "--birth") == 0) {
            if (xt_hash32(p.birth_hash, argv[i + 1]) != 0) {
                return xt_fail("%s: 32 bytes of hex", o);
            }
            have_birth = 1;
            continue;
        }

        if (strcmp(o, "--rng") == 0) {
            if (xt_hash32(rng, argv[i + 1]) != 0) {
                return xt_fail("%s: 32 bytes of hex", o);
            }
            have_rng = 1;
            continue;
        }

        if (xt_opt_u64(&v, argv[i + 1]) != 0) {
            return xt_fail("%s: not a number", o);
        }

        if (strcmp(o, "--nonce") == 0 && v <= UINT32_MAX) {
            p.nonce = (uint32_t) v;
        } else if (strcmp(o, "--tip") == 0) {
            p.tip = v;
        } else if (strcmp(o, "--spec") == 0 && v <= UINT32_MAX) {
            p.spec_version = (uint32_t) v;
        } else if (strcmp(o, "--txver") == 0 && v <= UINT32_MAX) {
            p.tx_version = (uint32_t) v;
        } else if (strcmp(o, "--period") == 0 && v <= UINT32_MAX) {
            p.period = (uint32_t) v;
        } else if (strcmp(o, "--block") == 0) {
            p.block = v;
        } else {
            return xt_fail("unknown or out-of-range option %s", o);
        }
    }

    argc -= i;
    argv += i;

    if (argc != 5) {
        return xt_fail("%s", "usage: sign [OPTIONS] METADATA KEY PALLET "
                       "CALL ARGS");
    }

    if (p.period != 0 && !have_birth) {
        return xt_fail("%s", "a mortal era needs --birth (or --period 0)");
    }

    m = xt_meta(argv[0]);
    if (m == NULL) {
        return 1;
    }

    kp = xt_key(argv[1]);
    if (kp == NULL) {
        pylon_meta_free(m);
        return 1;
    }

    pylon_buf_init(&call);
    pylon_buf_init(&payload);
    pylon_buf_init(&xt);

    rc = xt_build_call(&call, m, argv[2], argv[3], argv[4]);

    if (rc == 0
        && (pylon_xt_payload(&payload, m, call.data, call.len, &p, err,
                             sizeof(err)) != 0
            || pylon_xt_sign(&xt, hash, m, call.data, call.len, &p, kp,
                             have_rng ? rng : NULL, err, sizeof(err)) != 0))
    {
        rc = xt_fail("%s", err);
    }

    if (rc == 0) {
        printf("{");
        xt_print_hex("extrinsic", xt.data, xt.len, 1);
        xt_print_hex("hash", hash, 32, 1);
        xt_print_hex("call", call.data, call.len, 1);
        xt_print_hex("payload", payload.data, payload.len, 1);
        xt_print_hex("signer", kp->pub, 32, 0);
        printf("}\n");
    }

    pylon_buf_free(&call);
    pylon_buf_free(&payload);
    pylon_buf_free(&xt);
    pylon_sr25519_keypair_free(kp);
    pylon_meta_free(m);

    return rc;
}


static int
xt_cmd_era(int argc, char **argv)
{
    uint8_t   e[2];
    size_t    n;
    uint64_t  period, block, birth;

    if (argc != 2 || xt_opt_u64(&period, argv[0]) != 0
        || xt_opt_u64(&block, argv[1]) != 0 || period > UINT32_MAX)
    {
        return xt_fail("%s", "usage: era PERIOD BLOCK");
    }

    pylon_xt_era(e, &n, &birth, (uint32_t) period, block);

    printf("{");
    xt_print_hex("era", e, n, 1);
    printf("\"birth\": %llu}\n", (unsigned long long) birth);
    return 0;
}


static int
xt_cmd_outcome(int argc, char **argv)
{
    int              rc;
    char             err[256];
    size_t           len;
    uint8_t         *ev;
    uint64_t         index;
    json_t          *events, *o;
    pylon_meta_t    *m;
    pylon_outcome_t  out;

    if (argc != 3 || xt_opt_u64(&index, argv[2]) != 0 || index > UINT32_MAX)
    {
        return xt_fail("%s", "usage: outcome METADATA EVENTS INDEX");
    }

    m = xt_meta(argv[0]);
    if (m == NULL) {
        return 1;
    }

    if (xt_hex(&ev, &len, argv[1]) != 0) {
        pylon_meta_free(m);
        return xt_fail("%s", "EVENTS is not hex");
    }

    events = pylon_storage_value_decode(m, "System", "Events", ev, len, err,
                                        sizeof(err));
    free(ev);

    if (events == NULL) {
        pylon_meta_free(m);
        return xt_fail("System.Events: %s", err);
    }

    rc = pylon_outcome_from_events(&out, m, events, (uint32_t) index, err,
                                   sizeof(err));
    json_decref(events);

    if (rc != 0) {
        pylon_meta_free(m);
        return xt_fail("%s", err);
    }

    o = json_pack("{s:b, s:b, s:b, s:s?, s:s?, s:O}", "found", out.found,
                  "success", out.success, "sudo", out.sudo,
                  "error", out.error[0] ? out.error : NULL,
                  "docs", out.docs[0] ? out.docs : NULL,
                  "events", out.events);
    pylon_outcome_clear(&out);
    pylon_meta_free(m);

    if (o == NULL) {
        return xt_fail("%s", "out of memory");
    }

    json_dumpf(o, stdout, JSON_COMPACT);
    printf("\n");
    json_decref(o);
    return 0;
}


static int
xt_cmd_invalid(int argc, char **argv)
{
    char          buf[1024];
    json_t       *e;
    json_error_t  jerr;

    if (argc != 1) {
        return xt_fail("%s", "usage: invalid ERROR_JSON");
    }

    e = json_loads(argv[0], 0, &jerr);
    if (e == NULL) {
        return xt_fail("not JSON: %s", jerr.text);
    }

    pylon_outcome_invalid_text(buf, sizeof(buf), e);
    json_decref(e);
    printf("%s\n", buf);
    return 0;
}


int
main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        return xt_fail("%s", "libsodium init failed");
    }

    if (argc >= 2) {
        if (strcmp(argv[1], "call") == 0) {
            return xt_cmd_call(argc - 2, argv + 2);
        }
        if (strcmp(argv[1], "sign") == 0) {
            return xt_cmd_sign(argc - 2, argv + 2);
        }
        if (strcmp(argv[1], "era") == 0) {
            return xt_cmd_era(argc - 2, argv + 2);
        }
        if (strcmp(argv[1], "outcome") == 0) {
            return xt_cmd_outcome(argc - 2, argv + 2);
        }
        if (strcmp(argv[1], "invalid") == 0) {
            return xt_cmd_invalid(argc - 2, argv + 2);
        }
    }

    fprintf(stderr,
            "usage: pylon-xt call METADATA PALLET CALL ARGS\n"
            "       pylon-xt sign [--nonce N] [--tip N] [--spec N] "
            "[--txver N]\n"
            "                [--genesis HEX] [--period N] [--block N] "
            "[--birth HEX]\n"
            "                [--rng HEX] METADATA KEY PALLET CALL ARGS\n"
            "       pylon-xt era PERIOD BLOCK\n"
            "       pylon-xt outcome METADATA EVENTS INDEX\n"
            "       pylon-xt invalid ERROR_JSON\n");
    return 1;
}
