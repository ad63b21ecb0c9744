/*
 * abi_event.c: events of a JSON ABI, their signatures and topic0, and
 * the decoding (and, for tests, encoding) of logs.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hex.h"
#include "chain/json_text.h"
#include "evm/abi_codec.h"
#include "evm/abi_event.h"
#include "evm/keccak256.h"


/* indexed arguments of these kinds are stored as a hash in their topic */
static int
pylon_abi_event_hashed(const pylon_abi_type_t *t)
{
    return t->kind == PYLON_ABI_BYTES || t->kind == PYLON_ABI_STRING
           || t->kind == PYLON_ABI_ARRAY || t->kind == PYLON_ABI_FARRAY
           || t->kind == PYLON_ABI_TUPLE;
}


int
pylon_abi_event_from_json(pylon_arena_t *a, const json_t *entry,
    pylon_abi_event_t *ev, char *err, size_t errlen)
{
    size_t              i, n, k;
    json_t             *jname, *jinputs, *in, *jn, *jx;
    pylon_buf_t         sig;
    pylon_abi_type_t   *dt[PYLON_ABI_EVENT_MAX_INPUTS];
    const char         *dn[PYLON_ABI_EVENT_MAX_INPUTS];

    memset(ev, 0, sizeof(*ev));

    if (!json_is_object(entry)) {
        snprintf(err, errlen, "ABI entry is not an object");
        return -1;
    }
    jname = json_object_get(entry, "name");
    if (jname == NULL) {
        snprintf(err, errlen, "'name'");
        return -1;
    }
    if (!json_is_string(jname) || json_string_length(jname) == 0
        || json_string_length(jname) > 256
        || memchr(json_string_value(jname), '\0', json_string_length(jname)))
    {
        snprintf(err, errlen, "event name must be a non-empty string");
        return -1;
    }
    ev->name = pylon_arena_strdup(a, json_string_value(jname),
                                  json_string_length(jname));

    jx = json_object_get(entry, "anonymous");
    ev->anonymous = json_is_true(jx);

    jinputs = json_object_get(entry, "inputs");
    if (jinputs != NULL && !json_is_array(jinputs)) {
        snprintf(err, errlen, "event inputs must be a list");
        return -1;
    }
    n = json_array_size(jinputs);
    if (n > PYLON_ABI_EVENT_MAX_INPUTS) {
        snprintf(err, errlen, "too many event inputs (at most %d)",
                 PYLON_ABI_EVENT_MAX_INPUTS);
        return -1;
    }

    ev->n = (unsigned) n;
    ev->types = pylon_arena_alloc(a, (n + 1) * sizeof(*ev->types));
    ev->names = pylon_arena_alloc(a, (n + 1) * sizeof(*ev->names));
    ev->indexed = pylon_arena_alloc(a, n + 1);
    if (ev->name == NULL || ev->types == NULL || ev->names == NULL
        || ev->indexed == NULL)
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    pylon_buf_init(&sig);
    pylon_buf_put(&sig, ev->name, strlen(ev->name));
    pylon_buf_put(&sig, "(", 1);

    k = 0;
    for (i = 0; i < n; i++) {
        in = json_array_get(jinputs, i);
        ev->types[i] = pylon_abi_type_from_json(a, in, err, errlen);
        if (ev->types[i] == NULL) {
            pylon_buf_free(&sig);
            return -1;
        }
        jn = json_object_get(in, "name");
        ev->names[i] = json_is_string(jn)
                       ? pylon_arena_strdup(a, json_string_value(jn),
                                            json_string_length(jn))
                       : "";
        ev->indexed[i] = json_is_true(json_object_get(in, "indexed"));
        if (ev->indexed[i]) {
            ev->nindexed++;
        } else {
            dt[k] = ev->types[i];
            dn[k++] = ev->names[i];
        }
        if (i) {
            pylon_buf_put(&sig, ",", 1);
        }
        pylon_abi_type_canonical(&sig, ev->types[i]);
    }
    pylon_buf_put(&sig, ")", 1);

    if (ev->nindexed > (ev->anonymous ? 4u : 3u)) {
        pylon_buf_free(&sig);
        snprintf(err, errlen, "too many indexed event inputs");
        return -1;
    }

    if (sig.err) {
        pylon_buf_free(&sig);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pylon_keccak256(ev->topic0, sig.data, sig.len);
    ev->signature = pylon_arena_strdup(a, (char *) sig.data, sig.len);
    pylon_buf_free(&sig);

    ev->data = pylon_abi_type_tuple(a, dt, dn, (unsigned) k);
    if (ev->signature == NULL || ev->data == NULL) {
        snprintf(err, errlen, "out of memory or event too large");
        return -1;
    }
    return 0;
}


int
pylon_abi_events_from_json(pylon_arena_t *a, const json_t *abi,
    pylon_abi_event_t **events, size_t *n, char *err, size_t errlen)
{
    size_t              i, k = 0, total;
    json_t             *entry, *type;
    pylon_abi_event_t  *ev;

    if (!json_is_array(abi)) {
        snprintf(err, errlen, "ABI must be a list");
        return -1;
    }
    total = json_array_size(abi);
    ev = pylon_arena_alloc(a, (total + 1) * sizeof(*ev));
    if (ev == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    for (i = 0; i < total; i++) {
        entry = json_array_get(abi, i);
        type = json_object_get(entry, "type");
        if (!json_is_string(type)
            || strcmp(json_string_value(type), "event") != 0)
        {
            continue;
        }
        if (pylon_abi_event_from_json(a, entry, &ev[k], err, errlen) != 0) {
            return -1;
        }
        k++;
    }

    *events = ev;
    *n = k;
    return 0;
}


const pylon_abi_event_t *
pylon_abi_event_match(const pylon_abi_event_t *ev, size_t n,
    const uint8_t topic[32])
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (!ev[i].anonymous && memcmp(ev[i].topic0, topic, 32) == 0) {
            return &ev[i];
        }
    }
    return NULL;
}


int
pylon_abi_event_decode(pylon_buf_t *out, const pylon_abi_event_t *ev,
    const uint8_t (*topics)[32], size_t ntopics, const uint8_t *data,
    size_t len, char *err, size_t errlen)
{
    int          first;
    size_t       i, t;
    pylon_buf_t  vals;

    if (ntopics != ev->nindexed + (ev->anonymous ? 0u : 1u)) {
        snprintf(err, errlen, "log has %zu topics, event expects %u",
                 ntopics, ev->nindexed + (ev->anonymous ? 0u : 1u));
        return -1;
    }

    if (pylon_buf_put(out, "{", 1) != 0) {
        return -1;
    }

    t = ev->anonymous ? 0 : 1;
    first = 1;
    for (i = 0; i < ev->n; i++) {
        if (!ev->indexed[i]) {
            continue;
        }
        if (!first && pylon_buf_put(out, ",", 1) != 0) {
            return -1;
        }
        first = 0;
        if (pylon_json_put_string(out, ev->names[i], strlen(ev->names[i]))
            || pylon_buf_put(out, ":", 1))
        {
            return -1;
        }
        if (pylon_abi_event_hashed(ev->types[i])) {
            char hex[PYLON_HEX_ENCODED_BYTES(32)];

            pylon_hex_encode(hex, sizeof(hex), topics[t], 32);
            if (pylon_json_put_string(out, hex, 66) != 0) {
                return -1;
            }
        } else if (pylon_abi_decode_word_json(out, ev->types[i], topics[t])
                   != 0)
        {
            snprintf(err, errlen, "invalid indexed value in topic %zu", t);
            return -1;
        }
        t++;
    }

    /* the data tuple decodes as an object; splice its members in */
    pylon_buf_init(&vals);
    if (pylon_abi_decode_json(&vals, ev->data, data, len,
                              PYLON_ABI_TUPLE_OBJECTS | PYLON_ABI_TOP_OBJECT,
                              err, errlen) != 0)
    {
        pylon_buf_free(&vals);
        return -1;
    }
    if (vals.len > 2) {
        if (!first) {
            pylon_buf_put(out, ",", 1);
        }
        pylon_buf_put(out, vals.data + 1, vals.len - 2);
    }
    pylon_buf_free(&vals);

    if (pylon_buf_put(out, "}", 1) != 0) {
        return -1;
    }
    return out->err ? -1 : 0;
}


/* Solidity's in-place encoding of an indexed array or struct */
static int
pylon_abi_event_inplace(pylon_buf_t *b, const pylon_abi_type_t *t,
    const json_t *v, char *err, size_t errlen)
{
    size_t       i, n;
    json_t      *x;
    pylon_buf_t  tmp;

    if (t->kind == PYLON_ABI_ARRAY || t->kind == PYLON_ABI_FARRAY
        || t->kind == PYLON_ABI_TUPLE)
    {
        if (!json_is_array(v) && !json_is_object(v)) {
            snprintf(err, errlen, "bad indexed argument value");
            return -1;
        }
        n = t->kind == PYLON_ABI_ARRAY ? json_array_size(v) : t->size;
        for (i = 0; i < n; i++) {
            x = t->kind == PYLON_ABI_TUPLE && json_is_object(v)
                ? json_object_get(v, t->names[i]) : json_array_get(v, i);
            if (x == NULL) {
                snprintf(err, errlen, "bad indexed argument value");
                return -1;
            }
            if (pylon_abi_event_inplace(b, t->kind == PYLON_ABI_TUPLE
                                           ? t->fields[i] : t->elem,
                                        x, err, errlen) != 0)
            {
                return -1;
            }
        }
        return 0;
    }

    /* a value type is its word; bytes and string drop the length word */
    pylon_buf_init(&tmp);
    if (pylon_abi_encode_json(&tmp, t, v, err, errlen) != 0) {
        pylon_buf_free(&tmp);
        return -1;
    }
    if (t->dynamic) {
        pylon_buf_put(b, tmp.data + 32, tmp.len - 32);
    } else {
        pylon_buf_put(b, tmp.data, tmp.len);
    }
    pylon_buf_free(&tmp);
    return b->err ? -1 : 0;
}


int
pylon_abi_event_encode(const pylon_abi_event_t *ev, const json_t *args,
    uint8_t (*topics)[32], size_t *ntopics, pylon_buf_t *out, char *err,
    size_t errlen)
{
    size_t       i, t = 0, len;
    json_t      *v, *data;
    uint8_t     *raw;
    pylon_buf_t  enc;

    if (!json_is_object(args) && !json_is_array(args)) {
        snprintf(err, errlen, "event arguments must be an object or list");
        return -1;
    }
    if (!ev->anonymous) {
        memcpy(topics[t++], ev->topic0, 32);
    }

    data = json_array();
    for (i = 0; i < ev->n; i++) {
        v = json_is_object(args) ? json_object_get(args, ev->names[i])
                                 : json_array_get(args, i);
        if (v == NULL) {
            snprintf(err, errlen, "missing event argument %s",
                     ev->names[i]);
            json_decref(data);
            return -1;
        }
        if (!ev->indexed[i]) {
            json_array_append(data, v);
            continue;
        }

        pylon_buf_init(&enc);
        if (ev->types[i]->kind == PYLON_ABI_STRING) {
            if (!json_is_string(v)) {
                snprintf(err, errlen, "expected a string");
                json_decref(data);
                return -1;
            }
            pylon_keccak256(topics[t], json_string_value(v),
                            json_string_length(v));
        } else if (ev->types[i]->kind == PYLON_ABI_BYTES) {
            if (!json_is_string(v)
                || pylon_hex_decode_alloc(&raw, &len, json_string_value(v),
                                          json_string_length(v)) != 0)
            {
                snprintf(err, errlen, "expected a hex string");
                json_decref(data);
                return -1;
            }
            pylon_keccak256(topics[t], raw, len);
            free(raw);
        } else if (pylon_abi_event_hashed(ev->types[i])) {
            if (pylon_abi_event_inplace(&enc, ev->types[i], v, err, errlen)
                != 0)
            {
                pylon_buf_free(&enc);
                json_decref(data);
                return -1;
            }
            pylon_keccak256(topics[t], enc.data, enc.len);
        } else {
            if (pylon_abi_encode_json(&enc, ev->types[i], v, err, errlen)
                != 0)
            {
                pylon_buf_free(&enc);
                json_decref(data);
                return -1;
            }
            memcpy(topics[t], enc.data, 32);
        }
        pylon_buf_free(&enc);
        t++;
    }

    *ntopics = t;
    if (pylon_abi_encode_json(out, ev->data, data, err, errlen) != 0) {
        json_decref(data);
        return -1;
    }
    json_decref(data);
    return 0;
}
