/*
 * jobs.h: the durable job queue in the cache's LMDB environment.
 *
 * Workers hand work to the helper as job records: cache misses to fetch
 * (historical blocks, untracked subnets) and writes to the chain (weights,
 * commitments, certificates).  A record survives helper crashes and
 * reloads; the helper resumes what was pending or running when it died.
 *
 * The records live in the jobs environment of the store handle
 * (pylon_store_jobs(): <cache>/jobs.mdb, its own map and writer lock),
 * so a flood of jobs fills only its budget and never stops the helper
 * writing chain data.  Past half of that map a new job is refused
 * (PYLON_JOB_EFULL) and the handle's error says why.
 *
 *   J/<id>      the job: JSON {"id", "kind", "key", "state", "params",
 *               "status", "body", "reply", "created_ms", "updated_ms",
 *               "attempts", "error"}
 *   K/<key>     the unfinished job with that dedup key (its id)
 *   P/<kind>/<id>  present while the job is unfinished (pending or
 *               running): scans and per-kind limits read only these
 *   F/<kind>/<ms>/<id>  a finished job, by the time it ended: expiry
 *               reads only what expires
 *
 * Ids are time-ordered (ms, pid, counter) so a scan meets old jobs first.
 * A job with a dedup key is joined by identical submissions while it is
 * unfinished (JOIN), or replaced by a newer one (SUPERSEDE): a pending
 * job's record is deleted at once, a running one is cancelled and deleted
 * when its helper finishes it.
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

/* pylon_job_submit() refusals besides -1 */
#define PYLON_JOB_EBUSY         (-2)  /* the kind's limit of unfinished jobs */
#define PYLON_JOB_EFULL         (-3)  /* the job queue is over its budget
                                         or MDB_MAP_FULL */

/* what a submission with a dedup key does to an unfinished one */
#define PYLON_JOB_JOIN          1
#define PYLON_JOB_SUPERSEDE     2


/*
 * Submits a job in one write transaction.  params is borrowed.  With a key and
 * JOIN, an unfinished job with that key is returned instead (*joined = 1); with
 * SUPERSEDE, it is replaced (see above) and the new one takes its place.  reply
 * is the waiting worker's socket path or NULL.  Writes the job id
 * (PYLON_JOB_ID_LEN + 1 bytes) to id.  0, -1, PYLON_JOB_EBUSY (a new job of a
 * kind already at its pylon_job_limit(); joining is never refused) or
 * PYLON_JOB_EFULL.
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
 * drops its dedup index.  A cancelled job stays cancelled (a superseded
 * one is deleted).  0 or -1.
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
 * Calls fn for every unfinished job (pending or running), oldest first,
 * from the P/ index: the cost is the jobs in flight.  The job object is
 * borrowed for the call; fn may read and write the store.  Returns how
 * many or -1.
 */
int pylon_job_scan(pylon_store_t *st,
    void (*fn)(void *data, json_t *job), void *data);

/*
 * Indexes unfinished jobs of an older cache (no P/ keys), first moving
 * the unfinished jobs of a cache that kept them among the chain data into
 * the jobs environment (and deleting the old job keys there).  Count or
 * -1.
 */
int pylon_job_reindex(pylon_store_t *st);

/* At most max unfinished jobs of kind (0: no limit), for this process. */
void pylon_job_limit(const char *kind, int max);

/* weights jobs stay this much longer: weights/status reads them for two
 * epochs (spec/pylon-v2.md §3.3.7) */
#define PYLON_JOB_WEIGHTS_KEEP  (4 * 3600 * 1000ULL)

/*
 * Deletes the finished jobs of kind that ended before before_ms, from the
 * F/ index (the cost is what expires).  Count or -1.
 */
int pylon_job_expire_kind(pylon_store_t *st, const char *kind,
    uint64_t before_ms);

/*
 * Deletes finished jobs last updated before before_ms, reading every
 * record (jobs of an older cache have no F/ key).  Count or -1.
 */
int pylon_job_expire(pylon_store_t *st, uint64_t before_ms);

/* 1 when state is final (done, failed, cancelled) */
int pylon_job_finished(const char *state);

#endif /* PYLON_STORE_JOBS_H */
