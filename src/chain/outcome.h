/*
 * outcome.h: what became of an extrinsic (chain.md §7).
 *
 * Inclusion is not success: the dispatch result is only in the block's
 * System.Events, as System.ExtrinsicSuccess or System.ExtrinsicFailed
 * with a DispatchError in the ApplyExtrinsic phase of the extrinsic's
 * index.  A module error (pallet index, error bytes) is named through the
 * metadata ("SubtensorModule.RevealTooEarly", with its docs).  Sudo
 * reports the inner call's failure in Sudo.Sudid / Sudo.SudoAsDone while
 * the extrinsic itself succeeds; that is reported as a failure too.
 *
 * Before inclusion the pool may refuse the transaction (JSON-RPC error
 * 1010); pylon_outcome_invalid_text() turns that error into one line,
 * naming subtensor's custom validity codes (§7.4).
 */

#ifndef PYLON_CHAIN_OUTCOME_H
#define PYLON_CHAIN_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/metadata.h"


#define PYLON_OUTCOME_ERROR_MAX  160
#define PYLON_OUTCOME_DOCS_MAX   512


typedef struct {
    int       found;     /* ExtrinsicSuccess or ExtrinsicFailed seen */
    int       success;   /* the call (and a sudo'ed inner call) succeeded */
    int       sudo;      /* the error is that of a call run by Sudo */
    /* "SubtensorModule.RevealTooEarly", "BadOrigin", "Token.Frozen" … */
    char      error[PYLON_OUTCOME_ERROR_MAX];
    char      docs[PYLON_OUTCOME_DOCS_MAX];      /* module error docs */
    /* the extrinsic's events in order, owned: [{"event": "Pallet.Event",
     * "data": decoded fields or null}, ...] */
    json_t   *events;
} pylon_outcome_t;


/*
 * Read the outcome of extrinsic number index from a block's decoded
 * System.Events (a JSON array as pylon_storage_value_decode gives it).
 * out->events lists the extrinsic's events in order; release it with
 * pylon_outcome_clear().  Returns 0 (out->found says whether the
 * extrinsic had a result event), or -1 with a reason when events is not
 * an array of event records.
 */
int pylon_outcome_from_events(pylon_outcome_t *out, const pylon_meta_t *m,
    const json_t *events, uint32_t index, char *err, size_t errlen);

/* free what an outcome holds (safe on a zeroed or cleared outcome) */
void pylon_outcome_clear(pylon_outcome_t *out);

/*
 * Name a decoded DispatchError ("BadOrigin", {"Module": {"index": 7,
 * "error": "0x11000000"}}, {"Token": "FundsUnavailable"}, …) into name
 * (NUL-terminated, truncated to namelen) and, for module errors, its docs
 * into docs (may be NULL).  Returns 0, or -1 when the value is not a
 * DispatchError shape (name then says "unknown error").
 */
int pylon_outcome_dispatch_error(char *name, size_t namelen, char *docs,
    size_t docslen, const pylon_meta_t *m, const json_t *error);

/* the name of a subtensor custom validity code (§7.4), or NULL */
const char *pylon_outcome_custom_name(unsigned code);

/*
 * One line for a failed submission's JSON-RPC error object
 * ({"code": 1010, "message": "Invalid Transaction", "data": "Custom
 * error: 10"}): message, data, and the custom code's name, e.g.
 * "1010: Invalid Transaction: Custom error: 10
 * (HotKeyNotRegisteredInNetwork)".  Also understands data given as JSON
 * ({"invalid": {"custom": 10}}, {"invalid": {"badProof": null}}).  Writes
 * at most size bytes, NUL-terminated.
 */
void pylon_outcome_invalid_text(char *buf, size_t size, const json_t *error);

/*
 * The name of the custom validity code mentioned in an error text
 * ("1010: Invalid Transaction (Custom error: 10)" or chopsticks'
 * {"invalid":{"custom":10}}), or NULL when there is none.
 */
const char *pylon_outcome_custom_in_text(const char *text);

/*
 * Index of the extrinsic whose hash is hash in a block's extrinsic list
 * (chain_getBlock's "extrinsics": an array of "0x…" strings), or -1.
 */
int64_t pylon_outcome_xt_index(const json_t *extrinsics,
    const uint8_t hash[32]);

#endif /* PYLON_CHAIN_OUTCOME_H */
