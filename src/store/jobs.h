/*
 * jobs.h: the durable job queue in the cache's LMDB environment.
 *
 * Workers hand work to the helper as job records: cache misses to fetch
 * (historical blocks, untracked subnets) and writes to the chain (weights,
 * commitments, certificates).  A record survives helper crashes and
 * reloads; the helper resumes what was pending or running when it died.
 *
 *   J/<id>      the job: JSON {"id", "kind", "key", "state", "params",
 *               "status", "body", "reply", "created_ms", "updated_ms",
 *               "attempts", "error"}
 *   K/<key>     the unfinished job with that dedup key (its id)
 *
 * Ids are time-ordered (ms, pid, counter) so a scan meets old jobs first.
 * A job with a dedup key is joined by identical submissions while it is
 * unfinished (JOIN), or cancelled by a newer one (SUPERSEDE).
 * Doorbells (datagrams carrying the id) only say "look"; the records are
 * the truth.  Pure C over LMDB and jansson.
 */

#ifndef PYLON_STORE_JOBS_H
#define PYLON_STORE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

#define PYLON_JOB_ID_LEN        22
#define PYLON_JOB_KEY_MAX       200

/* states */
#define PYLON_JOB_PENDING       "pending"
#define PYLON_JOB_RUNNING       "running"
#define PYLON_JOB_DONE          "done"
#define PYLON_JOB_FAILED        "failed"
#define PYLON_JOB_CANCELLED     "cancelled"

/* what a submission with a dedup key does to an unfinished one */
#define PYLON_JOB_JOIN          1
#define PYLON_JOB_SUPERSEDE     2


/*
 * Submits a job in one write transaction.  params is borrowed.  With a
 * key and JOIN, an unfinished job with that key is returned instead
 * (*joined = 1); with SUPERSEDE, it is cancelled and the new one takes its
 * place.  reply is the waiting worker's socket path or NULL.  Writes the
 * job id (PYLON_JOB_ID_LEN + 1 bytes) to id.  0 or -1.
 */
int pylon_job_submit(pylon_store_t *st, char *id, const char *kind,
    const char *key, int mode, json_t *params, const char *reply,
    int *joined);

/*
 * Reads a job: returns a new JSON object the caller releases with
 * json_decref(), or NULL when absent or unreadable.
 */
json_t *pylon_job_get(pylon_store_t *st, const char *id);

/*
 * Moves a job to state (and for DONE/FAILED records the HTTP status and
 * body the waiting request answers with, body may be NULL).  Finishing
 * drops its dedup index.  A cancelled job stays cancelled.  0 or -1.
 */
int pylon_job_update(pylon_store_t *st, const char *id, const char *state,
    int status, const char *body, const char *error);

/* Counts one more attempt of a running job.  0 or -1. */
int pylon_job_attempt(pylon_store_t *st, const char *id);

/*
 * Sets field name of an unfinished job to value (borrowed; NULL removes
 * the field) in one committed write transaction, so that a helper taking
 * the job over sees it (the write jobs keep their signed extrinsic in
 * "xt").  A finished or cancelled job is left alone (returns 0).  0 or -1.
 */
int pylon_job_note(pylon_store_t *st, const char *id, const char *name,
    json_t *value);

/*
 * Calls fn for every unfinished job (pending or running), oldest first.
 * The job object is borrowed for the call.  Returns how many or -1.
 */
int pylon_job_scan(pylon_store_t *st,
    void (*fn)(void *data, json_t *job), void *data);

/* Deletes finished jobs last updated before before_ms.  Count or -1. */
int pylon_job_expire(pylon_store_t *st, uint64_t before_ms);

/* 1 when state is final (done, failed, cancelled) */
int pylon_job_finished(const char *state);

#endif /* PYLON_STORE_JOBS_H */
