/*
 * subnet.h: one subnet at one block, rendered to Pylon's JSON bodies.
 *
 * The input is what the chain answers for a subnet at a block hash: the
 * state_call results of NeuronInfoRuntimeApi_get_neurons_lite and
 * SubnetInfoRuntimeApi_get_subnet_state, and the (full key, value) pairs
 * of Commitments.CommitmentOf and SubtensorModule.NeuronCertificates
 * under the subnet's prefix.  Everything is decoded through the runtime's
 * metadata (value.h), with the built-in layouts of old runtimes whose
 * runtime APIs return Vec<u8>, joined by hotkey and written once, in the
 * exact shapes of pylon-api.md §4: neurons (map in uid order), validators
 * (permit holders, stable-sorted by total stake descending), commitments
 * (v1 flat and _unstable full), certificates, and per-hotkey items.
 * Floats are written like Python's repr (pyfloat.h).  Pure C.
 */

#ifndef PYLON_BITTENSOR_SUBNET_H
#define PYLON_BITTENSOR_SUBNET_H

#include <stddef.h>
#include <stdint.h>

#include "chain/metadata.h"


/* a storage entry as state_queryStorageAt returns it (decoded from hex) */
typedef struct {
    const uint8_t          *key;
    size_t                  keylen;
    const uint8_t          *val;       /* NULL: no value */
    size_t                  vallen;
} pylon_subnet_kv_t;


typedef struct {
    const pylon_meta_t     *meta;      /* the runtime of that block */
    uint64_t                block;
    const char             *hash;      /* "0x" + 64 hex */

    const uint8_t          *neurons;   /* get_neurons_lite result bytes */
    size_t                  neurons_len;
    const uint8_t          *state;     /* get_subnet_state result bytes */
    size_t                  state_len;

    const pylon_subnet_kv_t *commitments;
    size_t                  ncommitments;
    const pylon_subnet_kv_t *certificates;
    size_t                  ncertificates;
} pylon_subnet_input_t;


/*
 * Receives each body: route is a store/keys.h route name, item is NULL
 * for whole-subnet bodies or the hotkey (SS58) of an item body.  Returns
 * 0 to go on, -1 to stop rendering (the renderer then returns -1).
 */
typedef int (*pylon_subnet_put_pt)(void *data, const char *route,
    const char *item, const uint8_t *body, size_t len);


/*
 * Renders every body of the subnet and hands each to put, in this order:
 * neurons, validators, commitments, commitments_full, certificates, then
 * the commitment items and certificate items.  A subnet that does not
 * exist (no subnet state) gives empty neurons and validators.  Returns 0,
 * or -1 with a reason in err (malformed input, allocation, or put).
 */
int pylon_subnet_render(const pylon_subnet_input_t *in,
    pylon_subnet_put_pt put, void *data, char *err, size_t errlen);


/*
 * The storage key prefix of pallet.item for a netuid (twox128 ++ twox128
 * ++ u16 LE netuid, 34 bytes) as "0x" hex into out (at least 71 bytes).
 * Returns 0, or -1 when the item is not in the metadata.
 */
int pylon_subnet_prefix(char *out, size_t outlen, const pylon_meta_t *m,
    const char *pallet, const char *item, uint16_t netuid);

/* number of bytes of the prefix above as raw bytes */
#define PYLON_SUBNET_PREFIX_BYTES  34

#endif /* PYLON_BITTENSOR_SUBNET_H */
