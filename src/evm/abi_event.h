/*
 * abi_event.h: Solidity events from JSON ABI entries, and the decoding of
 * a log (topics + data) against them.
 *
 * An event's canonical signature is "Name(type1,type2,...)" with tuples
 * spelled out; topic0 = Keccak-256(signature).  Decoding follows
 * Solidity's layout: indexed value types come from topics 1..3, indexed
 * dynamic or composite types (string, bytes, arrays, tuples) stay as the
 * 32-byte hash the topic holds ("0x" hex), the other arguments are the
 * ABI-encoded tuple in data.  Arguments render as a JSON object in
 * web3.py's order: the indexed arguments first, then the others, each in
 * ABI order; tuples in data render as objects by component name.
 *
 * Everything is allocated in the caller's arena.
 */

#ifndef PYLON_EVM_ABI_EVENT_H
#define PYLON_EVM_ABI_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/arena.h"
#include "chain/scale.h"
#include "evm/abi_type.h"

#define PYLON_ABI_EVENT_MAX_INPUTS  64


typedef struct {
    const char           *name;
    const char           *signature;   /* "Transfer(address,address,...)" */
    uint8_t               topic0[32];
    int                   anonymous;
    unsigned              n;           /* inputs */
    unsigned              nindexed;
    pylon_abi_type_t    **types;
    const char          **names;
    uint8_t              *indexed;
    pylon_abi_type_t     *data;        /* tuple of the non-indexed inputs */
} pylon_abi_event_t;


/*
 * Build ev from a JSON ABI entry of "type": "event".  Returns 0, or -1
 * with a reason in err: a missing key is named as Python's KeyError
 * prints it ('name'), so a caller can answer Pylon's
 * "Malformed ABI event entry: 'name'".
 */
int pylon_abi_event_from_json(pylon_arena_t *a, const json_t *entry,
    pylon_abi_event_t *ev, char *err, size_t errlen);

/*
 * The events of a whole JSON ABI (a list; entries of other types are
 * skipped).  *events (arena memory) receives *n events.  Returns 0, or -1
 * with the reason of the first malformed event entry in err.
 */
int pylon_abi_events_from_json(pylon_arena_t *a, const json_t *abi,
    pylon_abi_event_t **events, size_t *n, char *err, size_t errlen);

/* the non-anonymous event whose topic0 is topic, or NULL */
const pylon_abi_event_t *pylon_abi_event_match(const pylon_abi_event_t *ev,
    size_t n, const uint8_t topic[32]);

/*
 * Append the JSON object of ev's arguments decoded from ntopics topics
 * (topics[0] is topic0) and data.  Returns 0, or -1 when the log does not
 * fit the event (wrong topic count, bad encoding; reason in err).  On -1
 * out may hold a partial object: the caller truncates.
 */
int pylon_abi_event_decode(pylon_buf_t *out, const pylon_abi_event_t *ev,
    const uint8_t (*topics)[32], size_t ntopics, const uint8_t *data,
    size_t len, char *err, size_t errlen);

/*
 * The topics and data of a log of ev with argument values args (a JSON
 * object by name, or an array in ABI order): topics (at least 4 × 32
 * bytes) and *ntopics, data appended to out.  Indexed dynamic arguments
 * are hashed as Solidity does for strings and bytes (Keccak-256 of the
 * contents) and of the ABI encoding for arrays and tuples.  For tests and
 * the tool.  Returns 0, or -1 with a reason in err.
 */
int pylon_abi_event_encode(const pylon_abi_event_t *ev, const json_t *args,
    uint8_t (*topics)[32], size_t *ntopics, pylon_buf_t *out, char *err,
    size_t errlen);

#endif /* PYLON_EVM_ABI_EVENT_H */
