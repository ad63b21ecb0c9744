/*
 * keys.h: the key schema of the LMDB cache.
 *
 *   L/<route>/<netuid>              latest body of a route for a subnet
 *                                   (netuid "-" for chain-wide routes)
 *   L/<route>/<netuid>/<item>       latest body of one item (a hotkey)
 *   B/<route>/<netuid>/<block>      body at a given block (10-digit,
 *                                   zero-padded, so keys sort by block)
 *   B/<route>/<netuid>/<block>/<item>  one item at a block (an extrinsic
 *                                   index, a hotkey)
 *   S/<name>                        helper state for others to read
 *   J/<id>, K/<key>                 the job queue (store/jobs.h)
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

/* route names: the bodies the workers send */
#define PYLON_ROUTE_BLOCK        "block"        /* BlockInfo, chain-wide */
#define PYLON_ROUTE_NEURONS      "neurons"      /* SubnetNeurons */
#define PYLON_ROUTE_VALIDATORS   "validators"   /* SubnetValidators */
#define PYLON_ROUTE_COMMITMENTS  "commitments"  /* v1 flat map */
#define PYLON_ROUTE_COMMITS_FULL "commitments_full" /* _unstable shape */
#define PYLON_ROUTE_COMMITMENT   "commitment"   /* item: one hotkey */
#define PYLON_ROUTE_COMMIT_FULL  "commitment_full" /* item, _unstable */
#define PYLON_ROUTE_CERTIFICATES "certificates" /* hotkey -> Certificate */
#define PYLON_ROUTE_CERTIFICATE  "certificate"  /* item: one hotkey */
#define PYLON_ROUTE_EXTRINSIC    "extrinsic"    /* item: index, chain-wide */
#define PYLON_ROUTE_HYPERPARAMS  "hyperparams"  /* internal, for jobs */

/* key of the helper's state record */
#define PYLON_KEY_HELPER    "S/helper"

/* the helper's statistics, Prometheus text, rewritten once a second */
#define PYLON_KEY_METRICS   "S/metrics"

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

/* Same with an item (hotkey, extrinsic index) appended. */
size_t pylon_key_latest_item(char *buf, size_t size, const char *route,
    int netuid, const char *item);

size_t pylon_key_at_block_item(char *buf, size_t size, const char *route,
    int netuid, uint64_t block, const char *item);

#endif /* PYLON_STORE_KEYS_H */
