/*
 * crv2.h: the material of a CRv2 (hash commit-reveal) weights commit,
 * kept with the commit job so that every attempt, a helper taking the
 * job over and the reveal all use the same uids, values, salt and
 * version key (a retried commit with a new salt would not match the
 * reveal queued by the first attempt).
 *
 * The material is a JSON object {"uids": [..], "values": [..],
 * "salt": [..], "version_key": N}; it is both the "crv2" field of the
 * commit job's params and the body of the reveal job's params.  Pure C
 * over jansson and src/bittensor/weights.c.
 */

#ifndef PYLON_CRV2_H
#define PYLON_CRV2_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bittensor/weights.h"

#define PYLON_CRV2_SALT_LEN  8

/*
 * A new material object (the caller releases it with json_decref()) from
 * the plan and the salt, or NULL when out of memory.
 */
json_t *pylon_crv2_material(const uint16_t *uids, const uint16_t *values,
    size_t n, const uint16_t *salt, size_t nsalt, uint64_t version_key);

/*
 * The commit hash of material m (borrowed) for hotkey on netuid: 0, or -1
 * when m is malformed (a field missing, a number outside u16/u64, uids
 * and values of different lengths, an empty salt) or out of memory.
 */
int pylon_crv2_hash(unsigned char out[PYLON_WEIGHTS_HASH_BYTES],
    const json_t *m, const unsigned char hotkey[PYLON_WEIGHTS_ACCOUNT_BYTES],
    uint16_t netuid);

#endif /* PYLON_CRV2_H */
