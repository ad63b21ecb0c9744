/*
 * fuzz_rpc.c: libFuzzer target for what the helper parses from a chain
 * node: JSON-RPC messages (src/chain/rpc.h) and runtime metadata blobs
 * (src/chain/metadata.h).  No input may cause a memory error.
 */

#include <stdint.h>
#include <stdlib.h>

#include "chain/metadata.h"
#include "chain/rpc.h"
#include "chain/rpc_scan.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                  err[256];
    size_t                hexlen;
    uint64_t              id;
    const char           *hex;
    pylon_meta_t         *m;
    pylon_rpc_message_t   msg;

    /* the in-place scanner of large replies, on short inputs too */
    (void) pylon_rpc_scan_hex_result((const char *) data, size, &id, &hex,
                                     &hexlen);

    if (pylon_rpc_parse(&msg, (const char *) data, size, err, sizeof(err))
        == 0)
    {
        pylon_rpc_message_free(&msg);
    }

    if (pylon_meta_parse(&m, data, size, err, sizeof(err)) == 0) {
        pylon_meta_free(m);
    }

    return 0;
}
