/*
 * access.c: the cache directory's reachability for a user (access.h).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "store/access.h"


/* the rwx bits (4, 2, 1) uid/gids have on st, as the kernel picks them */
static int
pylon_access_bits(const struct stat *st, uid_t uid, const gid_t *gids,
    int ngids)
{
    int  i;

    if (st->st_uid == uid) {
        return (st->st_mode >> 6) & 7;
    }

    for (i = 0; i < ngids; i++) {
        if (st->st_gid == gids[i]) {
            return (st->st_mode >> 3) & 7;
        }
    }

    return st->st_mode & 7;
}


/* 0 when path grants want (R_OK|W_OK|X_OK); 1 when it does not; -1 stat */
static int
pylon_access_one(const char *path, int want, uid_t uid, const gid_t *gids,
    int ngids, struct stat *st)
{
    int  have;

    if (stat(path, st) != 0) {
        return -1;
    }

    if (uid == PYLON_ACCESS_SELF) {
        return access(path, want) == 0 ? 0 : 1;
    }

    if (uid == 0) {
        return 0;
    }

    have = pylon_access_bits(st, uid, gids, ngids);

    /* R_OK 4, W_OK 2, X_OK 1: the same bits as rwx */
    return (have & want) == want ? 0 : 1;
}


static const char *
pylon_access_name(int want)
{
    switch (want) {
    case X_OK:
        return "search (x)";
    case W_OK | X_OK:
        return "write and search (wx)";
    default:
        return "read and write (rw)";
    }
}


int
pylon_access_check(const char *dir, uid_t uid, const gid_t *gids,
    int ngids, char *err, size_t errlen)
{
    int          rc;
    char         c, path[4096], file[4200];
    size_t       i, len;
    struct stat  st;
    const char  *names[] = { "data.mdb", "lock.mdb" };

    len = strlen(dir);

    if (len == 0 || dir[0] != '/' || len >= sizeof(path)) {
        snprintf(err, errlen, "\"%s\" is not an absolute path", dir);
        return -1;
    }

    memcpy(path, dir, len + 1);

    while (len > 1 && path[len - 1] == '/') {
        path[--len] = '\0';
    }

    /* every ancestor, "/" first: search */

    for (i = 0; i < len; i++) {
        if (path[i] != '/') {
            continue;
        }

        c = path[i + 1];
        path[i + 1] = '\0';
        rc = pylon_access_one(path, X_OK, uid, gids, ngids, &st);

        if (i > 0) {
            path[i] = '\0';          /* named without the trailing slash */
        }

        if (rc < 0) {
            snprintf(err, errlen, "\"%s\": %s", path, strerror(errno));
            return -1;
        }

        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "\"%s\" is not a directory", path);
            return -1;
        }

        if (rc > 0) {
            snprintf(err, errlen, "directory \"%s\" does not grant %s "
                     "(mode %04o)", path, pylon_access_name(X_OK),
                     (unsigned) (st.st_mode & 07777));
            return -1;
        }

        path[i] = '/';
        path[i + 1] = c;
    }

    /* the directory itself, when it exists: write and search */

    rc = pylon_access_one(path, W_OK | X_OK, uid, gids, ngids, &st);

    if (rc < 0) {
        if (errno == ENOENT) {
            return 0;
        }

        snprintf(err, errlen, "\"%s\": %s", path, strerror(errno));
        return -1;
    }

    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "\"%s\" is not a directory", path);
        return -1;
    }

    if (rc > 0) {
        snprintf(err, errlen, "directory \"%s\" does not grant %s (mode %04o)",
                 path, pylon_access_name(W_OK | X_OK),
                 (unsigned) (st.st_mode & 07777));
        return -1;
    }

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(file, sizeof(file), "%s/%s", path, names[i]);
        rc = pylon_access_one(file, R_OK | W_OK, uid, gids, ngids, &st);

        if (rc > 0) {
            snprintf(err, errlen, "file \"%s\" does not grant %s (mode %04o)",
                     file, pylon_access_name(R_OK | W_OK),
                     (unsigned) (st.st_mode & 07777));
            return -1;
        }
    }

    return 0;
}
