/*
 * keys_v2.h: route names of the Pylon v2 bodies in the cache (the key
 * schema itself is keys.h).
 *
 *   L/drand/-                        {"last_stored_round": N}
 *   L/prices/-, B/prices/-/<n>       SubnetPrices (every subnet)
 *   L/price/<netuid>, B/...          SubnetPrice (one subnet)
 *   L/revealed/<netuid>              SubnetRevealedCommitments
 *   L/revealed_one/<netuid>/<hotkey> GetRevealedCommitmentsResponse
 */

#ifndef PYLON_STORE_KEYS_V2_H
#define PYLON_STORE_KEYS_V2_H

#define PYLON_ROUTE_DRAND         "drand"
#define PYLON_ROUTE_PRICES        "prices"
#define PYLON_ROUTE_PRICE         "price"
#define PYLON_ROUTE_REVEALED      "revealed"
#define PYLON_ROUTE_REVEALED_ONE  "revealed_one"

#endif /* PYLON_STORE_KEYS_V2_H */
