/*
 * events.h: what happened to an extrinsic, from its block's System.Events.
 *
 * Inclusion is not success (chain.md §7.2): the outcome of extrinsic i is
 * the System.ExtrinsicSuccess or System.ExtrinsicFailed event recorded
 * with phase ApplyExtrinsic(i).  A module error is resolved through the
 * metadata to its pallet, name and docs.
 */

#ifndef PYLON_CHAIN_EVENTS_H
#define PYLON_CHAIN_EVENTS_H

#include <jansson.h>

#include "chain/metadata.h"


/*
 * Decode the System.Events value of a block (the bytes state_getStorage
 * returns for the System.Events key) and report on extrinsic `index`:
 *
 *   {"success": true, "error": null, "events": [...]}
 *   {"success": false,
 *    "error": {"pallet": "SubtensorModule", "name": "CommitRevealEnabled",
 *              "docs": "..."},                (a module error)
 *          or {"dispatch_error": <decoded DispatchError>}  (any other),
 *    "events": [...]}
 *
 * "events" lists that extrinsic's events as decoded ({"Pallet": {"Event":
 * data}}), in order.  Returns a new reference, or NULL with a reason when
 * the bytes do not decode or no outcome event names the extrinsic.
 */
json_t *pylon_events_outcome(const pylon_meta_t *m, const uint8_t *events,
    size_t len, uint32_t index, char *err, size_t errlen);

#endif /* PYLON_CHAIN_EVENTS_H */
