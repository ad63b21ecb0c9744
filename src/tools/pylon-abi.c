/*
 * pylon-abi: the Solidity ABI codec of src/evm on the command line.
 *
 *   pylon-abi encode TYPES JSON        hex of the JSON array of values
 *   pylon-abi decode TYPES HEX         JSON array of the values
 *   pylon-abi topic SIGNATURE|EVENT    canonical signature and topic0
 *   pylon-abi checksum ADDRESS         the EIP-55 form of an address
 *   pylon-abi encode-log EVENT ARGS    {"topics":[...],"data":"0x..."}
 *   pylon-abi decode-log ABI LOG       Pylon's EvmLog of one log object
 *   pylon-abi logs ABI LOGS            EvmLogs of an eth_getLogs result
 *   pylon-abi batch                    stdin: JSON lines {"types", "hex"}
 *                                      (decode) or {"types", "values"}
 *                                      (encode); stdout: one line each,
 *                                      the result or {"error": "..."}
 *
 * TYPES     comma-separated canonical types: "address,(uint256,bytes)[]"
 * SIGNATURE "Transfer(address,address,uint256)"
 * EVENT     a JSON ABI event entry; ABI a JSON ABI list
 * JSON, HEX and the JSON arguments may be given as "@FILE" or "-"
 * (stdin).  Integers in JSON may be numbers or decimal/"0x" strings;
 * decoded integers print as exact JSON integers, tuples as arrays.
 *
 * Prints the result on one line and exits 0; on error prints a reason
 * to stderr and exits 1 (2 for a log that Pylon would skip).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chain/arena.h"
#include "chain/hex.h"
#include "evm/abi_codec.h"
#include "evm/abi_event.h"
#include "evm/abi_type.h"
#include "evm/eip55.h"
#include "evm/evm_log.h"
#include "evm/keccak256.h"


static void
usage(void)
{
    fprintf(stderr,
        "usage: pylon-abi encode TYPES JSON | decode TYPES HEX |\n"
        "       topic SIGNATURE|EVENT | checksum ADDRESS |\n"
        "       encode-log EVENT ARGS | decode-log ABI LOG | logs ABI LOGS\n");
    exit(1);
}


/* the argument, or the contents of @FILE / stdin (malloc'ed) */
static char *
read_arg(const char *arg)
{
    FILE    *f;
    char    *buf = NULL;
    size_t   len = 0, cap = 0, n;

    if (strcmp(arg, "-") != 0 && arg[0] != '@') {
        return strdup(arg);
    }
    f = (arg[0] == '@') ? fopen(arg + 1, "rb") : stdin;
    if (f == NULL) {
        perror(arg + 1);
        exit(1);
    }
    for ( ;; ) {
        if (cap - len < 65536) {
            cap = cap * 2 + 65536;
            buf = realloc(buf, cap + 1);
            if (buf == NULL) {
                fprintf(stderr, "out of memory\n");
                exit(1);
            }
        }
        n = fread(buf + len, 1, cap - len, f);
        if (n == 0) {
            break;
        }
        len += n;
    }
    if (f != stdin) {
        fclose(f);
    }
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'
                   || buf[len - 1] == ' '))
    {
        len--;
    }
    buf[len] = '\0';
    return buf;
}


static json_t *
read_json(const char *arg)
{
    char          *s = read_arg(arg);
    json_t        *j;
    json_error_t   e;

    j = json_loads(s, JSON_DECODE_ANY, &e);
    free(s);
    if (j == NULL) {
        fprintf(stderr, "bad JSON: %s\n", e.text);
        exit(1);
    }
    return j;
}


static pylon_abi_type_t *
parse_types(pylon_arena_t *a, const char *types)
{
    char              *t, err[160];
    size_t             n = strlen(types);
    pylon_abi_type_t  *ty;

    if (n == 0) {
        ty = pylon_abi_type_tuple(a, NULL, NULL, 0);
    } else {
        t = malloc(n + 3);
        if (t == NULL) {
            exit(1);
        }
        snprintf(t, n + 3, "(%s)", types);
        ty = pylon_abi_type_parse(a, t, n + 2, err, sizeof(err));
        free(t);
        if (ty == NULL) {
            fprintf(stderr, "%s\n", err);
            exit(1);
        }
    }
    return ty;
}


static void
print_hex(const uint8_t *p, size_t n)
{
    size_t  i;

    printf("0x");
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}


static int
cmd_encode(pylon_arena_t *a, const char *types, const char *arg)
{
    char               err[160];
    json_t            *v = read_json(arg);
    pylon_buf_t        out;
    pylon_abi_type_t  *t = parse_types(a, types);

    pylon_buf_init(&out);
    if (pylon_abi_encode_json(&out, t, v, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    print_hex(out.data, out.len);
    printf("\n");
    pylon_buf_free(&out);
    json_decref(v);
    return 0;
}


static int
cmd_decode(pylon_arena_t *a, const char *types, const char *arg)
{
    char              *hex = read_arg(arg), err[160];
    uint8_t           *data;
    size_t             len;
    pylon_buf_t        out;
    pylon_abi_type_t  *t = parse_types(a, types);

    if (pylon_hex_decode_alloc(&data, &len, hex, strlen(hex)) != 0) {
        fprintf(stderr, "bad hex\n");
        return 1;
    }
    free(hex);
    pylon_buf_init(&out);
    if (pylon_abi_decode_json(&out, t, data, len, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("%.*s\n", (int) out.len, (char *) out.data);
    pylon_buf_free(&out);
    free(data);
    return 0;
}


static int
load_event(pylon_arena_t *a, const char *arg, pylon_abi_event_t *ev)
{
    char     err[160], *s, *name, *json;
    json_t  *entry;

    s = read_arg(arg);
    if (s[0] == '{') {
        entry = json_loads(s, 0, NULL);
    } else {
        /* "Name(types)": an event with unnamed, non-indexed inputs */
        char *paren = strchr(s, '(');
        json_t *inputs = json_array();
        pylon_abi_type_t *t;
        size_t i;

        if (paren == NULL) {
            fprintf(stderr, "expected Name(types) or an event object\n");
            exit(1);
        }
        name = strndup(s, (size_t) (paren - s));
        t = pylon_abi_type_parse(a, paren, strlen(paren), err, sizeof(err));
        if (t == NULL || t->kind != PYLON_ABI_TUPLE) {
            if (strcmp(paren, "()") != 0) {
                fprintf(stderr, "%s\n", t ? "not a tuple" : err);
                exit(1);
            }
        }
        for (i = 0; t && i < t->size; i++) {
            pylon_buf_t b;

            pylon_buf_init(&b);
            pylon_abi_type_canonical(&b, t->fields[i]);
            json = strndup((char *) b.data, b.len);
            pylon_buf_free(&b);
            /* tuples are passed as inline "(..)" types, which parse */
            json_array_append_new(inputs, json_pack("{s:s,s:s}", "name", "",
                                                    "type", json));
            free(json);
        }
        entry = json_pack("{s:s,s:s,s:o}", "type", "event", "name", name,
                          "inputs", inputs);
        free(name);
    }
    free(s);
    if (entry == NULL) {
        fprintf(stderr, "bad event JSON\n");
        exit(1);
    }
    if (pylon_abi_event_from_json(a, entry, ev, err, sizeof(err)) != 0) {
        fprintf(stderr, "Malformed ABI event entry: %s\n", err);
        exit(1);
    }
    json_decref(entry);
    return 0;
}


static int
cmd_topic(pylon_arena_t *a, const char *arg)
{
    pylon_abi_event_t  ev;

    load_event(a, arg, &ev);
    printf("%s ", ev.signature);
    print_hex(ev.topic0, 32);
    printf("\n");
    return 0;
}


static int
cmd_checksum(const char *arg)
{
    int      rc;
    char     text[PYLON_EIP55_TEXT_BYTES];
    uint8_t  addr[PYLON_EVM_ADDRESS_BYTES];

    rc = pylon_eip55_parse(addr, arg, strlen(arg));
    if (rc != PYLON_EIP55_OK) {
        fprintf(stderr, "%s\n", rc == PYLON_EIP55_CHECKSUM
                ? "bad EIP-55 checksum" : "not an address");
        return 1;
    }
    pylon_eip55_encode(text, addr);
    printf("%s\n", text);
    return 0;
}


static int
cmd_encode_log(pylon_arena_t *a, const char *evarg, const char *argsarg)
{
    char               err[160];
    size_t             i, nt;
    json_t            *args = read_json(argsarg);
    uint8_t            topics[5][32];
    pylon_buf_t        data;
    pylon_abi_event_t  ev;

    load_event(a, evarg, &ev);
    pylon_buf_init(&data);
    if (pylon_abi_event_encode(&ev, args, topics, &nt, &data, err,
                               sizeof(err)) != 0)
    {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("{\"topics\":[");
    for (i = 0; i < nt; i++) {
        printf("%s\"", i ? "," : "");
        print_hex(topics[i], 32);
        printf("\"");
    }
    printf("],\"data\":\"");
    print_hex(data.data, data.len);
    printf("\"}\n");
    pylon_buf_free(&data);
    json_decref(args);
    return 0;
}


static int
cmd_logs(pylon_arena_t *a, const char *abiarg, const char *logsarg, int one)
{
    int                 comma = 0, rc;
    char                err[160];
    size_t              n, count;
    json_t             *abi = read_json(abiarg), *logs = read_json(logsarg);
    pylon_buf_t         out;
    pylon_abi_event_t  *events;

    if (pylon_abi_events_from_json(a, abi, &events, &n, err, sizeof(err))
        != 0)
    {
        fprintf(stderr, "Malformed ABI event entry: %s\n", err);
        return 1;
    }
    pylon_buf_init(&out);
    if (one) {
        rc = pylon_evm_log_render(&out, events, n, logs);
        if (rc != PYLON_EVM_LOG_ADDED) {
            fprintf(stderr, "log skipped\n");
            return 2;
        }
        printf("%.*s\n", (int) out.len, (char *) out.data);
    } else {
        if (pylon_evm_logs_render(&out, events, n, logs, &comma, &count)) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        printf("[%.*s]\n", (int) out.len, (char *) out.data);
    }
    pylon_buf_free(&out);
    json_decref(abi);
    json_decref(logs);
    return 0;
}


/* one case of a batch: decode or encode, result on one line */
static void
batch_one(const char *line)
{
    char               err[160], *t;
    size_t             n, len;
    json_t            *c, *types, *hex, *vals;
    uint8_t           *data;
    pylon_buf_t        out;
    pylon_arena_t     *a;
    pylon_abi_type_t  *ty;

    c = json_loads(line, 0, NULL);
    types = json_object_get(c, "types");
    hex = json_object_get(c, "hex");
    vals = json_object_get(c, "values");
    a = pylon_arena_create();
    pylon_buf_init(&out);
    snprintf(err, sizeof(err), "bad case");

    if (a == NULL || !json_is_string(types)) {
        goto fail;
    }
    n = json_string_length(types);
    t = malloc(n + 3);
    if (t == NULL) {
        goto fail;
    }
    snprintf(t, n + 3, "(%s)", json_string_value(types));
    ty = pylon_abi_type_parse(a, t, n + 2, err, sizeof(err));
    free(t);
    if (ty == NULL) {
        goto fail;
    }

    if (vals != NULL) {
        if (pylon_abi_encode_json(&out, ty, vals, err, sizeof(err)) != 0) {
            goto fail;
        }
        print_hex(out.data, out.len);
        printf("\n");

    } else {
        if (!json_is_string(hex)
            || pylon_hex_decode_alloc(&data, &len, json_string_value(hex),
                                      json_string_length(hex)) != 0)
        {
            goto fail;
        }
        if (pylon_abi_decode_json(&out, ty, data, len, 0, err, sizeof(err))
            != 0)
        {
            free(data);
            goto fail;
        }
        free(data);
        printf("%.*s\n", (int) out.len, (char *) out.data);
    }
    goto done;

fail:
    printf("{\"error\":\"%s\"}\n", err);

done:
    pylon_buf_free(&out);
    pylon_arena_destroy(a);
    json_decref(c);
}


static int
cmd_batch(void)
{
    char    *line = NULL;
    size_t   cap = 0;
    ssize_t  n;

    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (n > 1) {
            batch_one(line);
        }
    }
    free(line);
    return 0;
}


int
main(int argc, char **argv)
{
    int             rc;
    pylon_arena_t  *a;

    if (argc == 2 && strcmp(argv[1], "batch") == 0) {
        return cmd_batch();
    }
    if (argc < 3) {
        usage();
    }
    a = pylon_arena_create();
    if (a == NULL) {
        return 1;
    }

    if (strcmp(argv[1], "encode") == 0 && argc == 4) {
        rc = cmd_encode(a, argv[2], argv[3]);
    } else if (strcmp(argv[1], "decode") == 0 && argc == 4) {
        rc = cmd_decode(a, argv[2], argv[3]);
    } else if (strcmp(argv[1], "topic") == 0 && argc == 3) {
        rc = cmd_topic(a, argv[2]);
    } else if (strcmp(argv[1], "checksum") == 0 && argc == 3) {
        rc = cmd_checksum(argv[2]);
    } else if (strcmp(argv[1], "encode-log") == 0 && argc == 4) {
        rc = cmd_encode_log(a, argv[2], argv[3]);
    } else if (strcmp(argv[1], "decode-log") == 0 && argc == 4) {
        rc = cmd_logs(a, argv[2], argv[3], 1);
    } else if (strcmp(argv[1], "logs") == 0 && argc == 4) {
        rc = cmd_logs(a, argv[2], argv[3], 0);
    } else {
        usage();
        rc = 1;
    }

    pylon_arena_destroy(a);
    return rc;
}
