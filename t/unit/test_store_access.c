/*
 * test_store_access.c: pylon_access_check() on directories made here.
 */

#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tap.h"
#include "store/access.h"


int
main(void)
{
    char   base[] = "/tmp/pylon-access-XXXXXX", a[256], b[256], f[300];
    char   err[PYLON_ACCESS_ERRLEN];
    gid_t  g = 4242;

    if (mkdtemp(base) == NULL) {
        return 1;
    }

    chmod(base, 0755);
    snprintf(a, sizeof(a), "%s/parent", base);
    snprintf(b, sizeof(b), "%s/parent/cache", base);
    mkdir(a, 0755);

    ok(pylon_access_check(b, 4242, &g, 1, err, sizeof(err)) == 0,
       "a missing cache directory under a searchable parent passes");

    chmod(a, 0700);
    ok(pylon_access_check(b, 4242, &g, 1, err, sizeof(err)) == -1,
       "a 0700 parent owned by another user fails");
    ok(strstr(err, a) != NULL && strstr(err, "search") != NULL,
       "the error names the parent and what is missing");
    ok(pylon_access_check(b, getuid(), NULL, 0, err, sizeof(err)) == 0,
       "its owner passes");
    ok(pylon_access_check(b, 0, NULL, 0, err, sizeof(err)) == 0,
       "root passes");

    if (geteuid() != 0) {
        printf("# not root: group and ownership cases skipped\n");
        goto out;
    }

    chmod(a, 0750);
    chown(a, getuid(), 4242);
    ok(pylon_access_check(b, 4243, &g, 1, err, sizeof(err)) == 0,
       "a group member passes a 0750 parent");
    g = 4244;
    ok(pylon_access_check(b, 4243, &g, 1, err, sizeof(err)) == -1,
       "a non-member does not");

    chmod(a, 0755);
    mkdir(b, 0755);
    ok(pylon_access_check(b, 4242, &g, 1, err, sizeof(err)) == -1
       && strstr(err, b) != NULL && strstr(err, "write") != NULL,
       "an existing cache directory the user cannot write fails, named");
    chown(b, 4242, 0);
    ok(pylon_access_check(b, 4242, &g, 1, err, sizeof(err)) == 0,
       "owned by the user it passes");

    snprintf(f, sizeof(f), "%s/data.mdb", b);
    fclose(fopen(f, "w"));
    chmod(f, 0600);
    ok(pylon_access_check(b, 4242, &g, 1, err, sizeof(err)) == -1
       && strstr(err, "data.mdb") != NULL,
       "a data.mdb left by root is named");
    chown(f, 4242, 0);
    ok(pylon_access_check(b, 4242, &g, 1, err, sizeof(err)) == 0,
       "owned by the user it passes");

out:

    ok(pylon_access_check("relative/dir", 4242, &g, 1, err, sizeof(err))
       == -1, "a relative path is refused");
    ok(pylon_access_check(b, PYLON_ACCESS_SELF, NULL, 0, err, sizeof(err))
       == 0, "the caller's own credentials (access(2)) pass");

    snprintf(f, sizeof(f), "%s/data.mdb", b);
    unlink(f);
    rmdir(b);
    rmdir(a);
    rmdir(base);

    return done_testing();
}
