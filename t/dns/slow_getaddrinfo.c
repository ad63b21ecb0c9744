/*
 * slow_getaddrinfo.c: an LD_PRELOAD shim for t/test_resolve_fakenode.py.
 * getaddrinfo("slow.pylon.test") sleeps PYLON_SLOW_DNS_S seconds (8), then
 * answers 127.0.0.1 (the name resolver of a node far away or broken);
 * every other name goes to the real getaddrinfo.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
    const char  *s;

    static int (*real)(const char *, const char *, const struct addrinfo *,
                       struct addrinfo **);

    if (real == NULL) {
        real = (int (*)(const char *, const char *,
                        const struct addrinfo *, struct addrinfo **))
               dlsym(RTLD_NEXT, "getaddrinfo");
    }

    if (node && strcmp(node, "slow.pylon.test") == 0) {
        s = getenv("PYLON_SLOW_DNS_S");
        sleep(s ? (unsigned) atoi(s) : 8);
        node = "127.0.0.1";
    }

    return real(node, service, hints, res);
}
