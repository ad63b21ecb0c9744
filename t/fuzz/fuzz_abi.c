/*
 * fuzz_abi.c: libFuzzer target for the Solidity ABI decoder (src/evm),
 * which reads log data from an EVM node and ABIs from clients.
 *
 * Input: "TYPES\nDATA" decodes DATA as the tuple (TYPES), plain and with
 * tuples as objects; an input starting with '[' is also read as a JSON
 * ABI whose first event decodes the bytes after the JSON as log data
 * with zero-filled topics.  No input may cause a memory error, a leak or
 * unbounded work.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chain/arena.h"
#include "evm/abi_codec.h"
#include "evm/abi_event.h"
#include "evm/abi_type.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void
fuzz_abi_json(pylon_arena_t *a, const uint8_t *data, size_t size)
{
    char                err[160];
    size_t              n, used, k;
    json_t             *abi;
    json_error_t        je;
    uint8_t             topics[4][32];
    pylon_buf_t         out;
    pylon_abi_event_t  *ev;

    abi = json_loadb((const char *) data, size, JSON_DISABLE_EOF_CHECK, &je);
    if (abi == NULL) {
        return;
    }
    used = (size_t) je.position;
    if (pylon_abi_events_from_json(a, abi, &ev, &n, err, sizeof(err)) == 0
        && n > 0 && used <= size)
    {
        memset(topics, 0, sizeof(topics));
        for (k = 0; k <= 4; k++) {
            pylon_buf_init(&out);
            (void) pylon_abi_event_decode(&out, &ev[0],
                                          (const uint8_t (*)[32]) topics, k,
                                          data + used, size - used, err,
                                          sizeof(err));
            pylon_buf_free(&out);
        }
    }
    json_decref(abi);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char               err[160];
    const uint8_t     *nl;
    pylon_buf_t        out;
    pylon_arena_t     *a;
    pylon_abi_type_t  *t;

    a = pylon_arena_create();
    if (a == NULL) {
        return 0;
    }

    if (size && data[0] == '[') {
        fuzz_abi_json(a, data, size);
    }

    nl = memchr(data, '\n', size);
    if (nl != NULL) {
        t = pylon_abi_type_parse(a, (const char *) data,
                                 (size_t) (nl - data), err, sizeof(err));
        if (t != NULL) {
            pylon_buf_init(&out);
            (void) pylon_abi_decode_json(&out, t, nl + 1,
                                         size - (size_t) (nl + 1 - data), 0,
                                         err, sizeof(err));
            pylon_buf_free(&out);
            pylon_buf_init(&out);
            (void) pylon_abi_decode_json(&out, t, nl + 1,
                                         size - (size_t) (nl + 1 - data),
                                         PYLON_ABI_TUPLE_OBJECTS
                                         | PYLON_ABI_TOP_OBJECT,
                                         err, sizeof(err));
            pylon_buf_free(&out);
        }
    }

    pylon_arena_destroy(a);
    return 0;
}
