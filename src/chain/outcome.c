/*
 * outcome.c: success or the named failure of an included extrinsic, from
 * the block's decoded System.Events; text for pool rejections (outcome.h).
 *
 * The events arrive in the decoder's JSON shapes: each record is
 * {"phase": {"ApplyExtrinsic": i} | "Initialization" | "Finalization",
 *  "event": {"Pallet": "Event" | {"Event": data}}, "topics": [...]}.
 * Only records of the extrinsic's own ApplyExtrinsic phase are read.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hasher.h"
#include "chain/hex.h"
#include "chain/outcome.h"


static const char  *pylon_custom_names[] = {
    "ColdkeyInSwapSchedule",            /* 0 */
    "StakeAmountTooLow",
    "BalanceTooLow",
    "SubnetNotExists",
    "HotkeyAccountDoesntExist",
    "NotEnoughStakeToWithdraw",         /* 5 */
    "RateLimitExceeded",
    "InsufficientLiquidity",
    "SlippageTooHigh",
    "TransferDisallowed",
    "HotKeyNotRegisteredInNetwork",     /* 10 */
    "InvalidIpAddress",
    "ServingRateLimitExceeded",
    "InvalidPort",
    "ZeroMaxAmount",
    "InvalidRevealRound",               /* 15 */
    "CommitNotFound",
    "CommitBlockNotInRevealRange",
    "InputLengthsUnequal",
    "UidNotFound",
    "EvmKeyAssociateRateLimitExceeded", /* 20 */
    "ColdkeySwapDisputed",
    "InvalidRealAccount",
    "FailedShieldedTxParsing",
    "InvalidShieldedTxPubKeyHash",
    "NonAssociatedColdKey",             /* 25 */
    "DelegateTakeTooLow",
    "DelegateTakeTooHigh"
};


const char *
pylon_outcome_custom_name(unsigned code)
{
    if (code == 255) {
        return "BadRequest";
    }

    if (code < sizeof(pylon_custom_names) / sizeof(pylon_custom_names[0])) {
        return pylon_custom_names[code];
    }

    return NULL;
}


static void
outcome_copy(char *dst, size_t size, const char *src)
{
    if (size > 0) {
        snprintf(dst, size, "%s", src);
    }
}


/* the error byte of a ModuleError: "0x11000000" (newer) or 17 (older) */
static int
outcome_module_error_index(uint8_t *out, const json_t *e)
{
    uint8_t     bytes[4];
    size_t      n;
    const char  *s;

    if (json_is_integer(e)) {
        if (json_integer_value(e) < 0 || json_integer_value(e) > 255) {
            return -1;
        }
        *out = (uint8_t) json_integer_value(e);
        return 0;
    }

    if (json_is_string(e)) {
        s = json_string_value(e);
        if (pylon_hex_decode(bytes, sizeof(bytes), &n, s, strlen(s)) != 0
            || n == 0)
        {
            return -1;
        }
        *out = bytes[0];
        return 0;
    }

    return -1;
}


int
pylon_outcome_dispatch_error(char *name, size_t namelen, char *docs,
    size_t docslen, const pylon_meta_t *m, const json_t *error)
{
    uint8_t                      pidx, eidx;
    const char                  *key;
    const json_t                *v, *idx;
    const pylon_meta_pallet_t   *p;
    const pylon_meta_variant_t  *var;

    if (docs != NULL && docslen > 0) {
        docs[0] = '\0';
    }

    if (json_is_string(error)) {
        outcome_copy(name, namelen, json_string_value(error));
        return 0;
    }

    if (!json_is_object(error) || json_object_size(error) != 1) {
        outcome_copy(name, namelen, "unknown error");
        return -1;
    }

    key = NULL;
    v = NULL;
    json_object_foreach((json_t *) error, key, v) {
        break;
    }

    if (key == NULL) {
        outcome_copy(name, namelen, "unknown error");
        return -1;
    }

    if (strcmp(key, "Module") == 0) {
        idx = json_object_get(v, "index");
        if (!json_is_integer(idx) || json_integer_value(idx) < 0
            || json_integer_value(idx) > 255
            || outcome_module_error_index(&eidx, json_object_get(v, "error"))
               != 0)
        {
            outcome_copy(name, namelen, "unknown module error");
            return -1;
        }

        pidx = (uint8_t) json_integer_value(idx);
        p = pylon_meta_pallet_by_index(m, pidx);
        var = pylon_meta_error_by_index(m, pidx, eidx);

        if (p == NULL || var == NULL) {
            if (namelen > 0) {
                snprintf(name, namelen, "Module(%u, %u)", pidx, eidx);
            }
            return 0;
        }

        if (namelen > 0) {
            snprintf(name, namelen, "%s.%s", p->name, var->name);
        }

        if (docs != NULL && var->docs != NULL) {
            outcome_copy(docs, docslen, var->docs);
        }

        return 0;
    }

    /* {"Token": "FundsUnavailable"}, {"Arithmetic": "Overflow"}, ... */
    if (namelen > 0) {
        snprintf(name, namelen, "%s%s%s", key, json_is_string(v) ? "." : "",
                 json_is_string(v) ? json_string_value(v) : "");
    }

    return 0;
}


/* the single field of an event's data: {"sudo_result": x} or x itself */
static const json_t *
outcome_field(const json_t *data, const char *name)
{
    const json_t  *v;

    if (json_is_object(data)) {
        v = json_object_get(data, name);
        if (v != NULL) {
            return v;
        }
    }

    if (json_is_array(data) && json_array_size(data) > 0) {
        return json_array_get(data, 0);
    }

    return data;
}


static int
outcome_phase_is(const json_t *phase, uint32_t index)
{
    const json_t  *v;

    v = json_object_get(phase, "ApplyExtrinsic");

    return json_is_integer(v) && json_integer_value(v) == (json_int_t) index;
}


int
pylon_outcome_from_events(pylon_outcome_t *out, const pylon_meta_t *m,
    const json_t *events, uint32_t index, char *err, size_t errlen)
{
    char           name[256];
    size_t         i;
    const char    *pallet, *ev;
    const json_t  *rec, *event, *inner, *data, *res;

    memset(out, 0, sizeof(*out));

    if (!json_is_array(events)) {
        outcome_copy(err, errlen, "events are not an array");
        return -1;
    }

    out->events = json_array();
    if (out->events == NULL) {
        outcome_copy(err, errlen, "out of memory");
        return -1;
    }

    json_array_foreach(events, i, rec) {
        event = json_object_get(rec, "event");

        if (!json_is_object(event) || json_object_size(event) != 1) {
            pylon_outcome_clear(out);
            outcome_copy(err, errlen, "not an event record");
            return -1;
        }

        if (!outcome_phase_is(json_object_get(rec, "phase"), index)) {
            continue;
        }

        pallet = NULL;
        inner = NULL;
        json_object_foreach((json_t *) event, pallet, inner) {
            break;
        }

        data = NULL;
        ev = NULL;

        if (json_is_string(inner)) {
            ev = json_string_value(inner);

        } else if (json_is_object(inner) && json_object_size(inner) == 1) {
            json_object_foreach((json_t *) inner, ev, data) {
                break;
            }
        }

        if (pallet == NULL || ev == NULL) {
            pylon_outcome_clear(out);
            outcome_copy(err, errlen, "malformed event");
            return -1;
        }

        snprintf(name, sizeof(name), "%s.%s", pallet, ev);
        if (json_array_append_new(out->events,
                json_pack("{s:s, s:O?}", "event", name, "data", data))
            != 0)
        {
            pylon_outcome_clear(out);
            outcome_copy(err, errlen, "out of memory");
            return -1;
        }

        if (strcmp(pallet, "System") == 0) {
            if (strcmp(ev, "ExtrinsicSuccess") == 0) {
                out->found = 1;
                out->success = (out->error[0] == '\0');

            } else if (strcmp(ev, "ExtrinsicFailed") == 0) {
                out->found = 1;
                out->success = 0;
                out->sudo = 0;
                pylon_outcome_dispatch_error(out->error, sizeof(out->error),
                    out->docs, sizeof(out->docs), m,
                    outcome_field(data, "dispatch_error"));
            }

            continue;
        }

        if (strcmp(pallet, "Sudo") == 0
            && (strcmp(ev, "Sudid") == 0 || strcmp(ev, "SudoAsDone") == 0))
        {
            res = outcome_field(data, "sudo_result");

            if (json_is_object(res) && json_object_get(res, "Err") != NULL) {
                out->sudo = 1;
                pylon_outcome_dispatch_error(out->error, sizeof(out->error),
                    out->docs, sizeof(out->docs), m,
                    json_object_get(res, "Err"));
            }
        }
    }

    if (out->found && out->error[0] != '\0') {
        out->success = 0;
    }

    return 0;
}


void
pylon_outcome_clear(pylon_outcome_t *out)
{
    json_decref(out->events);
    out->events = NULL;
}


/* "Custom error: 10" or {"invalid": {"custom": 10}}: the code, or -1 */
static long
outcome_custom_code(const json_t *data)
{
    char          *end;
    long           v;
    const char    *s;
    const json_t  *inv, *c;

    if (data == NULL) {
        return -1;
    }

    if (json_is_string(data)) {
        s = strstr(json_string_value(data), "Custom error: ");
        if (s == NULL) {
            return -1;
        }
        v = strtol(s + 14, &end, 10);
        return (end == s + 14 || v < 0 || v > 255) ? -1 : v;
    }

    inv = json_object_get(data, "invalid");
    c = json_object_get(inv, "custom");
    if (json_is_integer(c) && json_integer_value(c) >= 0
        && json_integer_value(c) <= 255)
    {
        return (long) json_integer_value(c);
    }

    return -1;
}


void
pylon_outcome_invalid_text(char *buf, size_t size, const json_t *error)
{
    int            n;
    long           code;
    char          *dump;
    json_t        *parsed;
    const char    *msg, *name;
    const json_t  *data;

    if (size == 0) {
        return;
    }

    if (!json_is_object(error)) {
        snprintf(buf, size, "unknown error");
        return;
    }

    msg = json_string_value(json_object_get(error, "message"));
    data = json_object_get(error, "data");

    n = snprintf(buf, size, "%lld: %s",
                 (long long) json_integer_value(json_object_get(error,
                                                                "code")),
                 msg != NULL ? msg : "error");

    if (data != NULL && !json_is_null(data) && n >= 0 && (size_t) n < size) {
        if (json_is_string(data)) {
            n += snprintf(buf + n, size - n, ": %s", json_string_value(data));

        } else {
            dump = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
            if (dump != NULL) {
                n += snprintf(buf + n, size - n, ": %s", dump);
                free(dump);
            }
        }
    }

    code = outcome_custom_code(data);

    if (code < 0 && msg != NULL && msg[0] == '{') {
        /* chopsticks puts the validity error as JSON in the message */
        parsed = json_loads(msg, 0, NULL);
        code = outcome_custom_code(parsed);
        json_decref(parsed);
    }

    name = code >= 0 ? pylon_outcome_custom_name((unsigned) code) : NULL;

    if (name != NULL && n >= 0 && (size_t) n < size) {
        snprintf(buf + n, size - n, " (%s)", name);
    }
}


int64_t
pylon_outcome_xt_index(const json_t *extrinsics, const uint8_t hash[32])
{
    size_t         i, len;
    uint8_t       *bytes, h[PYLON_BLAKE2_256_BYTES];
    const char    *s;
    const json_t  *v;

    json_array_foreach(extrinsics, i, v) {
        s = json_string_value(v);
        if (s == NULL
            || pylon_hex_decode_alloc(&bytes, &len, s, strlen(s)) != 0)
        {
            continue;
        }

        pylon_blake2_256(h, bytes, len);
        free(bytes);

        if (memcmp(h, hash, sizeof(h)) == 0) {
            return (int64_t) i;
        }
    }

    return -1;
}


const char *
pylon_outcome_custom_in_text(const char *text)
{
    char        *end;
    long         v;
    const char  *p;
    size_t       skip;

    p = strstr(text, "Custom error: ");
    skip = 14;

    if (p == NULL) {
        p = strstr(text, "\"custom\":");
        skip = 9;
    }

    if (p == NULL) {
        return NULL;
    }

    p += skip;
    if (*p < '0' || *p > '9') {
        return NULL;
    }

    v = strtol(p, &end, 10);
    if (v < 0 || v > 255) {
        return NULL;
    }

    return pylon_outcome_custom_name((unsigned) v);
}
