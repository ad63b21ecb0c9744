/*
 * keys.h: the key schema of the LMDB cache.
 *
 *   L/<route>/<netuid>              latest body of a route for a subnet
 *                                   (netuid "-" for chain-wide routes)
 *   B/<route>/<netuid>/<block>      body at a given block (10-digit,
 *                                   zero-padded, so keys sort by block)
 *   S/<name>                        helper state for others to read
 *   J/<id>                          write jobs (later)
 *
 * Routes are short names: "block" (BlockInfo), "neurons", "validators",
 * "commitments", "certificates", ... .  Later endpoints extend the set;
 * the prefixes stay.
 */

#ifndef PYLON_STORE_KEYS_H
#define PYLON_STORE_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PYLON_KEY_MAX       128
#define PYLON_NETUID_NONE   (-1)

/* route names */
#define PYLON_ROUTE_BLOCK   "block"

/* key of the helper's state record */
#define PYLON_KEY_HELPER    "S/helper"

/*
 * Writes the key of the latest body of route for netuid (PYLON_NETUID_NONE
 * for chain-wide routes) into buf; returns its length, or 0 when it does
 * not fit.
 */
size_t pylon_key_latest(char *buf, size_t size, const char *route,
    int netuid);

/* Same for the body of route at a given block. */
size_t pylon_key_at_block(char *buf, size_t size, const char *route,
    int netuid, uint64_t block);

#endif /* PYLON_STORE_KEYS_H */
