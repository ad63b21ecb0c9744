/*
 * pylon-decode: decode SCALE bytes to JSON with a runtime's metadata.
 *
 *   pylon-decode [-i] METADATA TYPE|API HEX
 *
 * METADATA  a file with the metadata blob: hex text (as state_getMetadata
 *           or Metadata_metadata_at_version return it, optionally as a
 *           JSON string) or raw bytes
 * TYPE      a type id ("633"), a type path or name ("NeuronInfoLite"),
 *           "legacy:NAME" for a built-in old-runtime layout, or
 *           "legacy:Api_method" for the Vec<u8>-wrapped result of an old
 *           runtime's API (METADATA is then not consulted)
 * API       a runtime API call ("NeuronInfoRuntimeApi_get_neurons_lite"
 *           or "NeuronInfoRuntimeApi.get_neurons_lite"): its output type
 * HEX       the bytes: hex on the command line, "@FILE" (hex text) or "-"
 *           (hex on stdin)
 *
 *   pylon-decode --info METADATA       version, counts, pallet and
 *                                      extension names as JSON
 *   pylon-decode --encode METADATA TYPE|API JSON
 *                                      the SCALE hex of JSON as TYPE, or of
 *                                      an API's argument array
 *   pylon-decode --extrinsic METADATA HEX
 *                                      a block's extrinsic (Pylon's shape)
 *   pylon-decode --outcome METADATA EVENTS_HEX INDEX
 *                                      success/error of extrinsic INDEX
 *                                      from a block's System.Events value
 *   pylon-decode --key METADATA Pallet.Item JSON
 *                                      the storage key of Pallet.Item with
 *                                      the key values of the JSON array
 *   pylon-decode --constants METADATA  every pallet constant decoded,
 *                                      {"Pallet.NAME": value, ...}
 *
 * Runtime API results are rendered by the direct JSON writer
 * (pylon_runtime_api_decode_text); -i and TYPE decoding go through a
 * jansson tree, so the two paths can be compared.
 *
 * Prints the JSON on one line (-i: indented) and exits 0; on error prints
 * a reason to stderr and exits 1.  All bytes must be consumed.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chain/decode.h"
#include "chain/encode.h"
#include "chain/events.h"
#include "chain/xdecode.h"
#include "chain/hex.h"
#include "chain/legacy.h"
#include "chain/metadata.h"
#include "chain/runtime_api.h"
#include "chain/storage.h"


static char *
read_all(FILE *f, size_t *len)
{
    char    *buf, *p;
    size_t   cap, n, r;

    cap = 1 << 16;
    n = 0;
    buf = malloc(cap);

    while (buf != NULL) {
        r = fread(buf + n, 1, cap - n, f);
        n += r;

        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            *len = n;
            return buf;
        }

        cap *= 2;
        p = realloc(buf, cap);
        if (p == NULL) {
            free(buf);
            return NULL;
        }
        buf = p;
    }

    return NULL;
}


static char *
read_file(const char *path, size_t *len)
{
    FILE  *f;
    char  *buf;

    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "pylon-decode: %s: %s\n", path, strerror(errno));
        return NULL;
    }

    buf = read_all(f, len);

    if (f != stdin) {
        fclose(f);
    }

    if (buf == NULL) {
        fprintf(stderr, "pylon-decode: %s: read error\n", path);
    }

    return buf;
}


static int
load_bytes(const char *arg, uint8_t **out, size_t *len)
{
    char    *text;
    size_t   n;
    int      rc;

    if (arg[0] == '@' || strcmp(arg, "-") == 0) {
        text = read_file(arg[0] == '@' ? arg + 1 : arg, &n);
        if (text == NULL) {
            return -1;
        }

        rc = pylon_hex_decode_text(out, len, text, n);
        free(text);

    } else {
        rc = pylon_hex_decode_text(out, len, arg, strlen(arg));
    }

    if (rc != 0) {
        fprintf(stderr, "pylon-decode: bad hex input\n");
    }

    return rc;
}


static pylon_meta_t *
load_metadata(const char *path)
{
    pylon_meta_t  *m;
    uint8_t       *blob;
    char          *text, err[160];
    size_t         n, blen;
    int            rc;

    text = read_file(path, &n);
    if (text == NULL) {
        return NULL;
    }

    if (n >= 4 && (memcmp(text, "meta", 4) == 0 || text[0] == '\x01')) {
        rc = pylon_meta_parse(&m, (uint8_t *) text, n, err, sizeof(err));

    } else if (pylon_hex_decode_text(&blob, &blen, text, n) == 0) {
        rc = pylon_meta_parse(&m, blob, blen, err, sizeof(err));
        free(blob);

    } else {
        snprintf(err, sizeof(err), "neither hex nor a metadata blob");
        rc = -1;
    }

    free(text);

    if (rc != 0) {
        fprintf(stderr, "pylon-decode: %s: %s\n", path, err);
        return NULL;
    }

    return m;
}


static json_t *
info(const pylon_meta_t *m)
{
    json_t    *pallets, *exts;
    uint32_t   i;

    pallets = json_array();
    for (i = 0; i < m->npallets; i++) {
        json_array_append_new(pallets, json_string(m->pallets[i].name));
    }

    exts = json_array();
    for (i = 0; i < m->nexts; i++) {
        json_array_append_new(exts, json_string(m->exts[i].identifier));
    }

    return json_pack("{s:i, s:i, s:o, s:i, s:o}", "version", m->version,
                     "types", (json_int_t) m->ntypes, "pallets", pallets,
                     "apis", (json_int_t) m->napis, "extensions", exts);
}


static json_t *
constants(const pylon_meta_t *m, char *err, size_t errlen)
{
    const pylon_meta_pallet_t  *p;
    json_t                     *all, *v;
    uint32_t                    i, k;
    char                        key[256];

    all = json_object();

    for (i = 0; i < m->npallets; i++) {
        p = &m->pallets[i];

        for (k = 0; k < p->nconsts; k++) {
            v = pylon_decode_all(m, p->consts[k].type, p->consts[k].value,
                                 p->consts[k].len, err, errlen);
            if (v == NULL) {
                json_decref(all);
                return NULL;
            }

            snprintf(key, sizeof(key), "%s.%s", p->name, p->consts[k].name);
            json_object_set_new(all, key, v);
        }
    }

    return all;
}


/*
 * "Api_method" of the legacy table: strip the Vec<u8> wrapper in place
 * (*bytes and *len become the inner bytes) and give the legacy type, or an
 * empty-result null in *none.  Returns 0, or -1 if call is not an API.
 */
static int
legacy_api(const char *call, uint8_t **bytes, size_t *len, int64_t *type,
    json_t **none)
{
    pylon_scale_cur_t   c;
    const uint8_t      *inner;
    const char         *us;
    char                api[128];
    size_t              n;
    int                 empty_null;

    us = strchr(call, '_');
    if (us == NULL || (size_t) (us - call) >= sizeof(api)) {
        return -1;
    }

    memcpy(api, call, us - call);
    api[us - call] = '\0';

    *type = pylon_legacy_api_type(api, us + 1, &empty_null);
    if (*type < 0) {
        return -1;
    }

    pylon_scale_init(&c, *bytes, *len);

    if (pylon_scale_vec_u8(&inner, &n, &c) != 0
        || pylon_scale_remaining(&c) != 0)
    {
        *type = -1;
        return 0;
    }

    if (n == 0 && empty_null) {
        *none = json_null();
    }

    memmove(*bytes, inner, n);
    *len = n;

    return 0;
}


/* --encode and --key: JSON in, hex out */
static int
encode_cmd(const char *cmd, const char *metafile, const char *what,
    const char *json)
{
    const pylon_meta_method_t  *me;
    const pylon_meta_api_t     *api;
    pylon_meta_t               *m;
    pylon_buf_t                 out;
    json_error_t                jerr;
    json_t                     *v;
    int64_t                     type;
    char                        err[160], pallet[128], *hex, *dot, *end;
    int                         rc;

    v = json_loads(json, JSON_DECODE_ANY, &jerr);
    if (v == NULL) {
        fprintf(stderr, "pylon-decode: bad JSON: %s\n", jerr.text);
        return 1;
    }

    m = load_metadata(metafile);
    if (m == NULL) {
        json_decref(v);
        return 1;
    }

    pylon_buf_init(&out);
    rc = -1;

    if (strcmp(cmd, "--key") == 0) {
        dot = strchr(what, '.');
        if (dot == NULL || (size_t) (dot - what) >= sizeof(pallet)) {
            snprintf(err, sizeof(err), "expected Pallet.Item");
        } else {
            memcpy(pallet, what, dot - what);
            pallet[dot - what] = '\0';
            rc = pylon_storage_key_json(&out, m, pallet, dot + 1, v, err,
                                        sizeof(err));
        }

    } else if ((me = pylon_runtime_api_find(m, what, &api)) != NULL) {
        rc = pylon_encode_api_args(&out, m, api->name, me->name, v, err,
                                   sizeof(err));

    } else {
        type = strtoll(what, &end, 10);
        if (*end != '\0' || end == what) {
            type = pylon_meta_type_find(m, what);
        }

        if (type < 0 || (uint64_t) type >= m->ntypes) {
            snprintf(err, sizeof(err), "no type or runtime api \"%s\"", what);
        } else {
            rc = pylon_encode(&out, m, (uint32_t) type, v, err, sizeof(err));
        }
    }

    json_decref(v);
    pylon_meta_free(m);

    if (rc != 0) {
        fprintf(stderr, "pylon-decode: %s\n", err);
        pylon_buf_free(&out);
        return 1;
    }

    hex = malloc(PYLON_HEX_ENCODED_BYTES(out.len));
    if (hex == NULL) {
        pylon_buf_free(&out);
        return 1;
    }

    pylon_hex_encode(hex, PYLON_HEX_ENCODED_BYTES(out.len), out.data, out.len);
    puts(hex);
    free(hex);
    pylon_buf_free(&out);

    return 0;
}


int
main(int argc, char **argv)
{
    const pylon_meta_method_t  *me;
    const pylon_meta_api_t     *api;
    const pylon_meta_t         *reg;
    pylon_meta_t               *m;
    json_t                     *j;
    uint8_t                    *bytes;
    size_t                      len, flags;
    int64_t                     type;
    pylon_buf_t                 text;
    char                       *end, *s, err[160];
    int                         indent, rc;

    indent = 0;
    err[0] = '\0';

    if (argc > 1 && strcmp(argv[1], "-i") == 0) {
        indent = 1;
        argv++;
        argc--;
    }

    if (argc == 4 && strcmp(argv[1], "--extrinsic") == 0) {
        m = load_metadata(argv[2]);
        if (m == NULL || load_bytes(argv[3], &bytes, &len) != 0) {
            pylon_meta_free(m);
            return 1;
        }

        j = pylon_extrinsic_decode(m, bytes, len, err, sizeof(err));
        free(bytes);
        pylon_meta_free(m);
        goto print;
    }

    if (argc == 5 && strcmp(argv[1], "--outcome") == 0) {
        m = load_metadata(argv[2]);
        if (m == NULL || load_bytes(argv[3], &bytes, &len) != 0) {
            pylon_meta_free(m);
            return 1;
        }

        j = pylon_events_outcome(m, bytes, len,
                                 (uint32_t) strtoul(argv[4], NULL, 10), err,
                                 sizeof(err));
        free(bytes);
        pylon_meta_free(m);
        goto print;
    }

    if (argc == 5 && (strcmp(argv[1], "--encode") == 0
                      || strcmp(argv[1], "--key") == 0))
    {
        return encode_cmd(argv[1], argv[2], argv[3], argv[4]);
    }

    if (argc == 3 && (strcmp(argv[1], "--info") == 0
                      || strcmp(argv[1], "--constants") == 0))
    {
        m = load_metadata(argv[2]);
        if (m == NULL) {
            return 1;
        }

        j = argv[1][2] == 'i' ? info(m) : constants(m, err, sizeof(err));
        pylon_meta_free(m);
        goto print;
    }

    if (argc != 4) {
        fprintf(stderr, "usage: pylon-decode [-i] METADATA TYPE|API HEX\n"
                        "       pylon-decode --info|--constants METADATA\n"
                        "       pylon-decode --extrinsic METADATA HEX\n"
                        "       pylon-decode --outcome METADATA HEX INDEX\n"
                        "       pylon-decode --encode METADATA TYPE|API JSON\n"
                        "       pylon-decode --key METADATA Pallet.Item "
                        "JSON\n");
        return 2;
    }

    m = load_metadata(argv[1]);
    if (m == NULL) {
        return 1;
    }

    if (load_bytes(argv[3], &bytes, &len) != 0) {
        pylon_meta_free(m);
        return 1;
    }

    j = NULL;
    me = pylon_runtime_api_find(m, argv[2], &api);

    if (me != NULL && !indent) {
        /* the fast path: JSON text without a tree */
        pylon_buf_init(&text);

        rc = pylon_runtime_api_decode_text(&text, m, api->name, me->name,
                                           bytes, len, err, sizeof(err));
        free(bytes);
        pylon_meta_free(m);
        pylon_legacy_cleanup();

        if (rc != 0) {
            fprintf(stderr, "pylon-decode: %s\n", err);
            pylon_buf_free(&text);
            return 1;
        }

        fwrite(text.data, 1, text.len, stdout);
        putchar('\n');
        pylon_buf_free(&text);

        return 0;
    }

    if (me != NULL) {
        j = pylon_runtime_api_decode(m, api->name, me->name, bytes, len, err,
                                     sizeof(err));

    } else {
        reg = m;

        if (strncmp(argv[2], "legacy:", 7) == 0
            && legacy_api(argv[2] + 7, &bytes, &len, &type, &j) == 0)
        {
            reg = pylon_legacy_registry();

        } else if (strncmp(argv[2], "legacy:", 7) == 0) {
            reg = pylon_legacy_registry();
            type = pylon_legacy_type(argv[2] + 7);

        } else {
            type = strtoll(argv[2], &end, 10);
            if (*end != '\0' || end == argv[2]) {
                type = pylon_meta_type_find(m, argv[2]);
            }
        }

        if (j != NULL) {
            /* legacy "None" */

        } else if (reg == NULL || type < 0 || (uint64_t) type >= reg->ntypes) {
            snprintf(err, sizeof(err), "no type or runtime api \"%s\"",
                     argv[2]);
        } else {
            j = pylon_decode_all(reg, (uint32_t) type, bytes, len, err,
                                 sizeof(err));
        }
    }

    free(bytes);
    pylon_meta_free(m);

print:

    if (j == NULL) {
        fprintf(stderr, "pylon-decode: %s\n", err);
        pylon_legacy_cleanup();
        return 1;
    }

    flags = JSON_ENCODE_ANY | (indent ? JSON_INDENT(2) : JSON_COMPACT);
    s = json_dumps(j, flags);
    json_decref(j);
    pylon_legacy_cleanup();

    if (s == NULL) {
        fprintf(stderr, "pylon-decode: out of memory\n");
        return 1;
    }

    puts(s);
    free(s);

    return 0;
}
