/*
 * storage.h: storage keys and values of Pallet.Item entries.
 *
 * A key is twox128(pallet prefix) ++ twox128(item name) ++ one hashed
 * part per map key, each hashed with the hasher the metadata lists for
 * it (chain.md §9).  Key parts are passed already SCALE-encoded (a u16
 * netuid is 2 LE bytes, an AccountId 32 bytes), so this module needs no
 * knowledge of the key types to build keys; to read keys back it decodes
 * the parts the *_concat / identity hashers keep, with the registry.
 */

#ifndef PYLON_CHAIN_STORAGE_H
#define PYLON_CHAIN_STORAGE_H

#include <jansson.h>

#include "chain/metadata.h"
#include "chain/scale.h"


#define PYLON_STORAGE_PREFIX_BYTES  32


typedef struct {
    const uint8_t  *data;
    size_t          len;
} pylon_bytes_t;


/* out = twox128(pallet_prefix) ++ twox128(item) */
void pylon_storage_prefix(uint8_t out[PYLON_STORAGE_PREFIX_BYTES],
    const char *pallet_prefix, const char *item);

/*
 * Append the key of pallet.item(parts[0], ..., parts[nparts - 1]) to out.
 * nparts may be smaller than the entry's number of keys: the result is
 * then a prefix for state_getKeysPaged.  Returns 0, or -1 with a reason
 * (unknown pallet/item, too many parts, allocation).
 */
int pylon_storage_key(pylon_buf_t *out, const pylon_meta_t *m,
    const char *pallet, const char *item, const pylon_bytes_t *parts,
    size_t nparts, char *err, size_t errlen);

/*
 * The same with the key values given as JSON (an array, one element per
 * key part, in the shapes pylon_encode accepts: 1, "5Grw…" …), each
 * SCALE-encoded by the key type the metadata gives it.  Returns 0 or -1
 * with a reason (out unchanged).
 */
int pylon_storage_key_json(pylon_buf_t *out, const pylon_meta_t *m,
    const char *pallet, const char *item, const json_t *keys, char *err,
    size_t errlen);

/*
 * Which Pallet.Item a storage key belongs to (its first 32 bytes), for
 * keys from state_getKeysPaged or state_queryStorageAt.  *pallet and
 * *entry point into the registry.  Hashes every entry's prefix on each
 * call (about 50 us for subtensor); cache the answer per prefix when
 * calling it often.  Returns 0, or -1 when no entry matches.
 */
int pylon_storage_find(const pylon_meta_t *m, const uint8_t *key,
    size_t len, const pylon_meta_pallet_t **pallet,
    const pylon_meta_storage_t **entry);

/*
 * Decode a full key of pallet.item (as state_getKeysPaged returns it)
 * into a JSON array with one element per map key: its value when the
 * hasher keeps it (Blake2_128Concat, Twox64Concat, Identity), null when
 * it is only a hash.  A plain (non-map) item gives [].  Returns a new
 * reference, or NULL with a reason if the key does not belong to the
 * item or is malformed.
 */
json_t *pylon_storage_key_decode(const pylon_meta_t *m, const char *pallet,
    const char *item, const uint8_t *key, size_t len, char *err,
    size_t errlen);

/*
 * Decode a storage value of pallet.item.  value NULL means "no value at
 * this key" (state_getStorage returned null): the metadata default for
 * Default entries, JSON null for Optional ones.  Returns a new reference
 * or NULL with a reason.
 */
json_t *pylon_storage_value_decode(const pylon_meta_t *m, const char *pallet,
    const char *item, const uint8_t *value, size_t len, char *err,
    size_t errlen);

#endif /* PYLON_CHAIN_STORAGE_H */
