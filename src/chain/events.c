/*
 * events.c: extrinsic outcome from System.Events (see events.h).
 *
 * Events are few per block, so this goes through the JSON tree of the
 * registry decoder and reads the shapes it produces.
 */

#include <stdio.h>
#include <string.h>

#include "chain/decode.h"
#include "chain/events.h"
#include "chain/hex.h"


static json_t *
pylon_ev_module_error(const pylon_meta_t *m, json_t *de)
{
    const pylon_meta_pallet_t   *p;
    const pylon_meta_variant_t  *v;
    json_t                      *mod, *e;
    const char                  *hex;
    json_int_t                   pallet;
    uint8_t                      code[4];
    size_t                       n;

    mod = json_object_get(de, "Module");
    if (!json_is_object(mod)) {
        return NULL;
    }

    pallet = json_integer_value(json_object_get(mod, "index"));
    e = json_object_get(mod, "error");

    /* error: [u8; 4] (first byte is the variant) or a plain u8 */
    if (json_is_string(e)) {
        hex = json_string_value(e);
        if (pylon_hex_decode(code, sizeof(code), &n, hex, strlen(hex)) != 0
            || n < 1)
        {
            return NULL;
        }

    } else if (json_is_integer(e)) {
        code[0] = (uint8_t) json_integer_value(e);

    } else {
        return NULL;
    }

    if (pallet < 0 || pallet > 255) {
        return NULL;
    }

    p = pylon_meta_pallet_by_index(m, (uint8_t) pallet);
    v = pylon_meta_error_by_index(m, (uint8_t) pallet, code[0]);
    if (p == NULL || v == NULL) {
        return NULL;
    }

    return json_pack("{s:s, s:s, s:s}", "pallet", p->name, "name", v->name,
                     "docs", v->docs ? v->docs : "");
}


json_t *
pylon_events_outcome(const pylon_meta_t *m, const uint8_t *events,
    size_t len, uint32_t index, char *err, size_t errlen)
{
    const pylon_meta_pallet_t   *sys;
    const pylon_meta_storage_t  *e;
    json_t                      *all, *rec, *phase, *ev, *body, *mine;
    json_t                      *out, *error, *de;
    size_t                       i;
    int                          success;

    sys = pylon_meta_pallet(m, "System");
    e = sys ? pylon_meta_storage(sys, "Events") : NULL;
    if (e == NULL) {
        if (err && errlen) {
            snprintf(err, errlen, "events: no System.Events in metadata");
        }
        return NULL;
    }

    all = pylon_decode_all(m, e->value_type, events, len, err, errlen);
    if (all == NULL) {
        return NULL;
    }

    mine = json_array();
    success = -1;
    error = json_null();

    json_array_foreach(all, i, rec) {
        phase = json_object_get(json_object_get(rec, "phase"),
                                "ApplyExtrinsic");
        if (!json_is_integer(phase)
            || json_integer_value(phase) != (json_int_t) index)
        {
            continue;
        }

        ev = json_object_get(rec, "event");
        json_array_append(mine, ev);

        body = json_object_get(ev, "System");
        if (body == NULL) {
            continue;
        }

        if (json_object_get(body, "ExtrinsicSuccess") != NULL) {
            success = 1;

        } else if ((de = json_object_get(json_object_get(body,
                             "ExtrinsicFailed"), "dispatch_error")) != NULL)
        {
            success = 0;
            json_decref(error);

            error = pylon_ev_module_error(m, de);
            if (error == NULL) {
                error = json_pack("{s:O}", "dispatch_error", de);
            }
        }
    }

    json_decref(all);

    if (success < 0) {
        if (err && errlen) {
            snprintf(err, errlen, "events: no outcome for extrinsic %u",
                     index);
        }
        json_decref(mine);
        json_decref(error);
        return NULL;
    }

    out = json_pack("{s:b, s:o, s:o}", "success", success, "error", error,
                    "events", mine);
    if (out == NULL && err && errlen) {
        snprintf(err, errlen, "events: out of memory");
    }

    return out;
}
