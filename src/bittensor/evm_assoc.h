/*
 * evm_assoc.h: the body of GET .../block/latest/evm_associations
 * (spec/pylon-v2.md §3.3.4) from SubtensorModule.AssociatedEvmAddress
 * entries and the subnet's hotkeys by uid.
 *
 *   {"block":{"number":N,"hash":"0x…"},"evm_associations":{"5F…":
 *    {"hotkey":"5F…","evm_address":"0x<40 lowercase hex>",
 *     "last_block_where_ownership_was_proven":1234}, …}}
 *
 * in uid order, only uids below len(hotkeys) that have an entry.  The
 * storage layout is checked against the runtime's metadata rather than
 * assumed (§12.10: a fork keys the map by hotkey instead of uid).
 */

#ifndef PYLON_BITTENSOR_EVM_ASSOC_H
#define PYLON_BITTENSOR_EVM_ASSOC_H

#include <stddef.h>
#include <stdint.h>

#include "bittensor/subnet.h"
#include "chain/metadata.h"
#include "chain/scale.h"


/*
 * 0 when m has SubtensorModule.AssociatedEvmAddress keyed by (netuid u16,
 * uid u16) with values (H160, u64) (a key built for (1, 5) decodes back
 * to [1, 5], a 28-byte value to ["0x…", n]); -1 with a reason otherwise.
 */
int pylon_evm_assoc_layout(const pylon_meta_t *m, char *err, size_t errlen);

/*
 * Append the body to out.  hotkeys[uid] are SS58 strings (nhotkeys of
 * them); kv are the map's entries under the subnet's prefix (full keys
 * from state_getKeysPaged and their values; a NULL value is skipped).
 * Entries of another netuid or a uid past the hotkeys are ignored.
 * Returns 0, or -1 with a reason (undecodable entry, no memory).
 */
int pylon_evm_assoc_render(pylon_buf_t *out, const pylon_meta_t *m,
    int netuid, uint64_t block, const char *hash,
    const char *const *hotkeys, size_t nhotkeys,
    const pylon_subnet_kv_t *kv, size_t nkv, char *err, size_t errlen);

#endif /* PYLON_BITTENSOR_EVM_ASSOC_H */
