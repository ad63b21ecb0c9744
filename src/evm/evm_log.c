/*
 * evm_log.c: rendering eth_getLogs results as Pylon's EvmLog objects.
 */

#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/json_text.h"
#include "evm/eip55.h"
#include "evm/evm_log.h"

/* a log's data is bounded by the node's answer size; cap for sanity */
#define PYLON_EVM_LOG_MAX_TOPICS  4


int
pylon_evm_quantity(const json_t *q, uint64_t *v)
{
    size_t       i, n;
    uint64_t     r = 0;
    const char  *s;

    if (json_is_integer(q) && json_integer_value(q) >= 0) {
        *v = (uint64_t) json_integer_value(q);
        return 0;
    }
    if (!json_is_string(q)) {
        return -1;
    }
    s = json_string_value(q);
    n = json_string_length(q);
    if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x') {
        return -1;
    }
    for (i = 2; i < n; i++) {
        char c = s[i];
        unsigned d;

        if (c >= '0' && c <= '9') {
            d = (unsigned) (c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (unsigned) (c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            d = (unsigned) (c - 'A' + 10);
        } else {
            return -1;
        }
        r = (r << 4) | d;
    }
    *v = r;
    return 0;
}


static int
pylon_evm_put_u64(pylon_buf_t *b, const char *key, uint64_t v)
{
    uint8_t  *d;
    size_t    klen = strlen(key);

    d = pylon_buf_reserve(b, klen + 24);
    if (d == NULL) {
        return -1;
    }
    memcpy(d, key, klen);
    b->len += klen + pylon_json_u64(d + klen, v);
    return 0;
}


int
pylon_evm_log_render(pylon_buf_t *out, const pylon_abi_event_t *events,
    size_t n, const json_t *log)
{
    size_t                    i, nt, dlen, mark, hlen;
    json_t                   *jt, *jd, *ja, *jh;
    uint8_t                   topics[PYLON_EVM_LOG_MAX_TOPICS][32];
    uint8_t                   addr[PYLON_EVM_ADDRESS_BYTES];
    uint8_t                  *data = NULL, hash[32];
    uint64_t                  block, txi, li;
    char                      err[128], text[PYLON_EIP55_TEXT_BYTES];
    char                      hex[PYLON_HEX_ENCODED_BYTES(32)];
    const pylon_abi_event_t  *ev;

    jt = json_object_get(log, "topics");
    nt = json_array_size(jt);
    if (nt == 0 || nt > PYLON_EVM_LOG_MAX_TOPICS) {
        return PYLON_EVM_LOG_SKIPPED;
    }
    for (i = 0; i < nt; i++) {
        json_t *x = json_array_get(jt, i);
        size_t  got;

        if (!json_is_string(x)
            || pylon_hex_decode(topics[i], 32, &got, json_string_value(x),
                                json_string_length(x)) != 0
            || got != 32)
        {
            return PYLON_EVM_LOG_SKIPPED;
        }
    }

    ev = pylon_abi_event_match(events, n, topics[0]);
    if (ev == NULL) {
        return PYLON_EVM_LOG_SKIPPED;
    }

    ja = json_object_get(log, "address");
    jh = json_object_get(log, "transactionHash");
    if (!json_is_string(ja)
        || pylon_eip55_parse(addr, json_string_value(ja),
                             json_string_length(ja)) != PYLON_EIP55_OK
        || !json_is_string(jh)
        || pylon_hex_decode(hash, 32, &hlen, json_string_value(jh),
                            json_string_length(jh)) != 0
        || hlen != 32
        || pylon_evm_quantity(json_object_get(log, "blockNumber"), &block)
        || pylon_evm_quantity(json_object_get(log, "transactionIndex"), &txi)
        || pylon_evm_quantity(json_object_get(log, "logIndex"), &li))
    {
        return PYLON_EVM_LOG_SKIPPED;
    }

    jd = json_object_get(log, "data");
    if (!json_is_string(jd)
        || pylon_hex_decode_alloc(&data, &dlen, json_string_value(jd),
                                  json_string_length(jd)) != 0)
    {
        return PYLON_EVM_LOG_SKIPPED;
    }

    mark = out->len;
    pylon_buf_put(out, "{\"event\":", 9);
    pylon_json_put_string(out, ev->name, strlen(ev->name));
    pylon_buf_put(out, ",\"args\":", 8);
    if (pylon_abi_event_decode(out, ev, (const uint8_t (*)[32]) topics, nt,
                               data, dlen, err, sizeof(err)) != 0)
    {
        free(data);
        if (out->err) {
            return PYLON_EVM_LOG_NOMEM;
        }
        out->len = mark;
        return PYLON_EVM_LOG_SKIPPED;
    }
    free(data);

    pylon_eip55_encode(text, addr);
    pylon_buf_put(out, ",\"address\":\"", 12);
    pylon_buf_put(out, text, 42);
    pylon_buf_put(out, "\"", 1);
    pylon_evm_put_u64(out, ",\"block_number\":", block);
    pylon_hex_encode(hex, sizeof(hex), hash, 32);
    pylon_buf_put(out, ",\"transaction_hash\":\"", 21);
    pylon_buf_put(out, hex, 66);
    pylon_buf_put(out, "\"", 1);
    pylon_evm_put_u64(out, ",\"transaction_index\":", txi);
    pylon_evm_put_u64(out, ",\"log_index\":", li);
    pylon_buf_put(out, "}", 1);

    return out->err ? PYLON_EVM_LOG_NOMEM : PYLON_EVM_LOG_ADDED;
}


int
pylon_evm_logs_render(pylon_buf_t *out, const pylon_abi_event_t *events,
    size_t n, const json_t *logs, int *need_comma, size_t *count)
{
    int     rc;
    size_t  i, mark;

    *count = 0;
    for (i = 0; i < json_array_size(logs); i++) {
        mark = out->len;
        if (*need_comma && pylon_buf_put(out, ",", 1) != 0) {
            return -1;
        }
        rc = pylon_evm_log_render(out, events, n, json_array_get(logs, i));
        if (rc == PYLON_EVM_LOG_NOMEM) {
            return -1;
        }
        if (rc == PYLON_EVM_LOG_SKIPPED) {
            out->len = mark;
            continue;
        }
        *need_comma = 1;
        (*count)++;
    }
    return 0;
}
