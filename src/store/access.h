/*
 * access.h: can a given user reach and write the cache directory?
 *
 * nginx creates the pylon_cache directory itself (0700, owned by `user`),
 * but not its parents: a parent the worker user cannot search makes every
 * LMDB open fail in the workers and the helper.  The master checks at
 * `nginx -t` and start with the user's uid and groups (it is root then);
 * the helper checks again with its own credentials (access(2)).  Pure C,
 * no nginx headers; the caller owns every buffer.
 */

#ifndef PYLON_STORE_ACCESS_H
#define PYLON_STORE_ACCESS_H

#include <stddef.h>
#include <sys/types.h>

#define PYLON_ACCESS_ERRLEN  512

/* the calling process's own credentials: use access(2) */
#define PYLON_ACCESS_SELF    ((uid_t) -1)

/*
 * 0 when uid (with the groups gids[0..ngids-1]) can search every ancestor
 * of the absolute path dir, and, if dir exists, search and write it and
 * read and write its LMDB files (data.mdb, lock.mdb) where they exist.
 * -1 otherwise: err (caller's buffer of errlen bytes) names the first
 * directory or file that fails and what is missing.  A missing ancestor
 * is an error too; a missing dir is not (nginx creates it).
 * Mode bits only (no ACLs): owner, else group, else other, as the kernel
 * does; uid 0 passes.
 */
int pylon_access_check(const char *dir, uid_t uid, const gid_t *gids,
    int ngids, char *err, size_t errlen);

#endif /* PYLON_STORE_ACCESS_H */
