/*
 * keys.c: builders for the cache's key schema (see keys.h).
 */

#include <stdio.h>

#include "store/keys.h"


static size_t
pylon_key_finish(int n, size_t size)
{
    if (n < 0 || (size_t) n >= size) {
        return 0;
    }

    return (size_t) n;
}


size_t
pylon_key_latest(char *buf, size_t size, const char *route, int netuid)
{
    int  n;

    if (netuid == PYLON_NETUID_NONE) {
        n = snprintf(buf, size, "L/%s/-", route);

    } else {
        n = snprintf(buf, size, "L/%s/%d", route, netuid);
    }

    return pylon_key_finish(n, size);
}


size_t
pylon_key_at_block(char *buf, size_t size, const char *route, int netuid,
    uint64_t block)
{
    int  n;

    if (netuid == PYLON_NETUID_NONE) {
        n = snprintf(buf, size, "B/%s/-/%010llu", route,
                     (unsigned long long) block);

    } else {
        n = snprintf(buf, size, "B/%s/%d/%010llu", route, netuid,
                     (unsigned long long) block);
    }

    return pylon_key_finish(n, size);
}


size_t
pylon_key_latest_item(char *buf, size_t size, const char *route, int netuid,
    const char *item)
{
    size_t  n;
    int     m;

    n = pylon_key_latest(buf, size, route, netuid);
    if (n == 0) {
        return 0;
    }

    m = snprintf(buf + n, size - n, "/%s", item);

    return pylon_key_finish(m, size - n) ? n + m : 0;
}


size_t
pylon_key_at_block_item(char *buf, size_t size, const char *route,
    int netuid, uint64_t block, const char *item)
{
    size_t  n;
    int     m;

    n = pylon_key_at_block(buf, size, route, netuid, block);
    if (n == 0) {
        return 0;
    }

    m = snprintf(buf + n, size - n, "/%s", item);

    return pylon_key_finish(m, size - n) ? n + m : 0;
}
