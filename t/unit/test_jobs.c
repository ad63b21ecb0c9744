/*
 * test_jobs.c: the durable job queue: submit, join, supersede, finish,
 * scan after a "crash", expiry.
 */

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "store/jobs.h"


static const char *
state_of(pylon_store_t *st, const char *id)
{
    static char   buf[32];
    json_t       *job;

    job = pylon_job_get(st, id);
    if (job == NULL) {
        return "(absent)";
    }

    snprintf(buf, sizeof(buf), "%s",
             json_string_value(json_object_get(job, "state")));
    json_decref(job);

    return buf;
}


static void
collect(void *data, json_t *job)
{
    json_t  *ids = data;

    json_array_append(ids, json_object_get(job, "id"));
}


static pylon_store_t  *scan_store;


/* what the helper's runner does inside a scan: read and write the store */

static void
start_it(void *data, json_t *job)
{
    const char  *id;

    id = json_string_value(json_object_get(job, "id"));
    collect(data, job);
    (void) state_of(scan_store, id);
    (void) pylon_job_update(scan_store, id, PYLON_JOB_RUNNING, 0, NULL, NULL);
}


int
main(void)
{
    int              joined, n;
    char             dir[] = "/tmp/pylon-jobs-XXXXXX", err[256], cmd[64];
    char             a[PYLON_JOB_ID_LEN + 1], b[PYLON_JOB_ID_LEN + 1];
    char             c[PYLON_JOB_ID_LEN + 1], d[PYLON_JOB_ID_LEN + 1];
    char             e[PYLON_JOB_ID_LEN + 1], f[PYLON_JOB_ID_LEN + 1];
    json_t          *params, *job, *ids;
    pylon_store_t   *st;

    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return done_testing();
    }

    st = pylon_store_open(dir, 16 << 20, err, sizeof(err));
    ok(st != NULL, "store opens");

    params = json_pack("{s:i}", "netuid", 2);

    ok(pylon_job_submit(st, a, "weights", "w/sn1/2", PYLON_JOB_SUPERSEDE,
                        params, "/tmp/w-1.sock", &joined) == 0,
       "submit a job");
    is_int(strlen(a), PYLON_JOB_ID_LEN, "job id length");
    is_int(joined, 0, "a first job is not joined");
    is_str(state_of(st, a), "pending", "a new job is pending");

    job = pylon_job_get(st, a);
    is_str(json_string_value(json_object_get(job, "kind")), "weights",
           "job keeps its kind");
    is_int(json_integer_value(json_object_get(json_object_get(job, "params"),
                                              "netuid")), 2,
           "job keeps its params");
    is_str(json_string_value(json_object_get(job, "reply")), "/tmp/w-1.sock",
           "job keeps its reply socket");
    json_decref(job);

    ok(pylon_job_submit(st, b, "weights", "w/sn1/2", PYLON_JOB_SUPERSEDE,
                        params, NULL, &joined) == 0, "submit a newer job");
    ok(strcmp(a, b) < 0, "ids are time-ordered");
    is_str(state_of(st, a), "(absent)",
           "the newer job compacts the pending older one at once");
    is_str(state_of(st, b), "pending", "the newer job is pending");
    is_int(pylon_store_count(st, "P/weights/", 100), 1,
           "one weights job indexed");

    /* a running one is cancelled, and goes once its helper ends it */
    ok(pylon_job_update(st, b, PYLON_JOB_RUNNING, 0, NULL, NULL) == 0,
       "the newer job runs");
    ok(pylon_job_submit(st, a, "weights", "w/sn1/2", PYLON_JOB_SUPERSEDE,
                        params, NULL, &joined) == 0, "a third job");
    is_str(state_of(st, b), "cancelled", "the running job is cancelled");
    ok(pylon_job_update(st, b, PYLON_JOB_DONE, 200, "{}", NULL) == 0,
       "its helper finishes it");
    is_str(state_of(st, b), "(absent)", "then it is compacted");
    is_str(state_of(st, a), "pending", "the third job is pending");

    for (n = 0; n < 1000; n++) {
        if (pylon_job_submit(st, a, "weights", "w/sn1/2", PYLON_JOB_SUPERSEDE,
                             params, NULL, &joined) != 0)
        {
            break;
        }
    }
    is_int(n, 1000, "a thousand newer jobs");
    is_int(pylon_store_count(st, "J/", 5000), 1,
           "leave one record, not a thousand");
    strcpy(b, a);

    ok(pylon_job_submit(st, c, "commitment", "c/sn1/2/0xab", PYLON_JOB_JOIN,
                        NULL, NULL, &joined) == 0, "submit a joinable job");
    ok(pylon_job_submit(st, d, "commitment", "c/sn1/2/0xab", PYLON_JOB_JOIN,
                        NULL, NULL, &joined) == 0, "submit the same again");
    is_int(joined, 1, "an identical submission joins");
    is_str(d, c, "joined submission gets the same id");

    ok(pylon_job_update(st, c, PYLON_JOB_RUNNING, 0, NULL, NULL) == 0,
       "job runs");
    ok(pylon_job_attempt(st, c) == 0 && pylon_job_attempt(st, c) == 0,
       "two attempts");

    /* "crash": the scan finds what is unfinished */
    ids = json_array();
    n = pylon_job_scan(st, collect, ids);
    is_int(n, 2, "scan finds the pending and the running job");
    is_str(json_string_value(json_array_get(ids, 0)), b,
           "scan meets the oldest unfinished job first");
    json_decref(ids);

    /* a write records its signed extrinsic before sending it */
    {
        json_t  *xt, *got;

        xt = json_pack("{s:s, s:i}", "hash", "0xab", "nonce", 7);
        ok(pylon_job_note(st, c, "xt", xt) == 0, "note on a running job");
        job = pylon_job_get(st, c);
        got = json_object_get(job, "xt");
        is_int(json_integer_value(json_object_get(got, "nonce")), 7,
               "the note is in the record");
        is_str(json_string_value(json_object_get(job, "state")), "running",
               "a note leaves the state alone");
        json_decref(job);
        ok(pylon_job_note(st, c, "xt", NULL) == 0, "note removed");
        job = pylon_job_get(st, c);
        ok(json_object_get(job, "xt") == NULL, "removed from the record");
        json_decref(job);
        ok(pylon_job_note(st, c, "xt", xt) == 0, "noted again");
        ok(pylon_job_submit(st, e, "weights", "w/sn9/0", PYLON_JOB_SUPERSEDE,
                            NULL, NULL, &joined) == 0
           && pylon_job_update(st, e, PYLON_JOB_RUNNING, 0, NULL, NULL) == 0
           && pylon_job_submit(st, f, "weights", "w/sn9/0",
                               PYLON_JOB_SUPERSEDE, NULL, NULL, &joined) == 0,
           "a running job superseded");
        is_str(state_of(st, e), "cancelled", "is cancelled");
        ok(pylon_job_note(st, e, "xt", xt) == 0, "a note on a cancelled job "
           "is a no-op");
        job = pylon_job_get(st, e);
        ok(json_object_get(job, "xt") == NULL, "cancelled job untouched");
        json_decref(job);
        ok(pylon_job_update(st, e, PYLON_JOB_DONE, 200, "{}", NULL) == 0
           && pylon_job_update(st, f, PYLON_JOB_FAILED, 500, NULL, NULL) == 0,
           "both end");
        is_str(state_of(st, e), "(absent)", "the superseded one is gone");
        ok(pylon_job_note(st, "nonexistent0000000000", "xt", xt) == -1,
           "note on an unknown id fails");
        json_decref(xt);
    }

    ok(pylon_job_update(st, c, PYLON_JOB_FAILED, 502,
                        "{\"status_code\":502}", "RevealTooEarly") == 0,
       "job fails");
    job = pylon_job_get(st, c);
    is_int(json_integer_value(json_object_get(job, "attempts")), 2,
           "attempts are counted");
    is_int(json_integer_value(json_object_get(job, "status")), 502,
           "failure status kept");
    is_str(json_string_value(json_object_get(job, "body")),
           "{\"status_code\":502}", "failure body kept");
    json_decref(job);

    ok(pylon_job_submit(st, d, "commitment", "c/sn1/2/0xab", PYLON_JOB_JOIN,
                        NULL, NULL, &joined) == 0 && joined == 0
       && strcmp(c, d) != 0, "after it finished, the key starts a new job");

    strcpy(a, c);
    is_int(pylon_job_expire(st, 0), 0, "nothing expires before time 0");
    n = pylon_job_expire(st, (uint64_t) -1);
    is_int(n, 2, "finished jobs expire, unfinished ones stay");
    is_str(state_of(st, a), "(absent)", "expired job is gone");
    is_str(state_of(st, b), "pending", "pending job survives expiry");

    ok(pylon_job_get(st, "nonexistent0000000000") == NULL,
       "unknown id reads as absent");
    ok(pylon_job_update(st, "nonexistent0000000000", PYLON_JOB_DONE, 200,
                        NULL, NULL) == -1, "update of an unknown id fails");

    /* a scan whose callback reads and writes (MDB_BAD_TXN before) */
    scan_store = st;
    ok(pylon_job_submit(st, c, "fetch", NULL, 0, NULL, NULL, &joined) == 0
       && pylon_job_submit(st, d, "fetch", NULL, 0, NULL, NULL, &joined) == 0,
       "two more jobs");
    ids = json_array();
    n = pylon_job_scan(st, start_it, ids);
    is_int(n, 4, "scan with reads and writes in the callback meets all");
    is_int(json_array_size(ids), 4, "every unfinished job called back");
    json_decref(ids);
    is_str(state_of(st, d), "running", "the callback's write landed");

    /* the index holds unfinished jobs only */
    ok(pylon_job_update(st, c, PYLON_JOB_DONE, 200, NULL, NULL) == 0,
       "one fetch ends");
    is_int(pylon_store_count(st, "P/", 100), 3, "index: three unfinished");
    is_int(pylon_store_count(st, "P/fetch/", 100), 1, "index: one fetch");

    /* a per-kind limit: new jobs refused, identical ones still join */
    pylon_job_limit("fetch", 1);
    is_int(pylon_job_submit(st, c, "fetch", NULL, 0, NULL, NULL, &joined),
           PYLON_JOB_EBUSY, "a fetch beyond the limit is refused");
    ok(pylon_job_submit(st, c, "weights", "w/x", PYLON_JOB_SUPERSEDE, NULL,
                        NULL, &joined) == 0, "other kinds are not limited");
    ok(pylon_job_update(st, d, PYLON_JOB_FAILED, 502, NULL, NULL) == 0,
       "the fetch ends");
    ok(pylon_job_submit(st, c, "fetch", "f/1", PYLON_JOB_JOIN, NULL, NULL,
                        &joined) == 0, "a slot is free again");
    ok(pylon_job_submit(st, d, "fetch", "f/1", PYLON_JOB_JOIN, NULL, NULL,
                        &joined) == 0 && joined == 1,
       "joining is never refused");
    pylon_job_limit("fetch", 0);

    /* expiry by kind reads the F/ index: what ended, in order */
    is_int(pylon_job_expire_kind(st, "fetch", 0), 0,
           "nothing ended before time 0");
    n = pylon_store_count(st, "F/fetch/", 100);
    ok(n >= 2, "ended fetches are indexed");
    is_int(pylon_job_expire_kind(st, "fetch", (uint64_t) -1), n,
           "every ended fetch expires");
    is_int(pylon_store_count(st, "F/fetch/", 100), 0, "and their index keys");
    is_str(state_of(st, c), "pending", "an unfinished fetch stays");
    is_str(state_of(st, b), "running", "other kinds stay");

    json_decref(params);
    pylon_store_close(st);

    /* the jobs environment: its own map, and a budget of half of it */
    st = pylon_store_open(dir, 16 << 20, err, sizeof(err));
    ok(st != NULL && pylon_store_open_jobs(st, dir, 1 << 20, err,
                                           sizeof(err)) == 0,
       "jobs environment opens");
    ok(pylon_store_jobs(st) != st, "it is not the chain data's");
    is_int(pylon_job_reindex(st), 4,
           "the unfinished jobs of the old layout move over");
    is_int(pylon_store_count(st, "J/", 100), 0, "none left among chain data");
    is_int(pylon_store_count(st, "P/", 100), 0, "nor their index keys");
    is_int(pylon_store_count(pylon_store_jobs(st), "P/", 100), 4,
           "indexed in the jobs environment");
    is_str(state_of(st, c), "pending", "readable there");
    {
        char    big[4096];
        json_t  *p;

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        p = json_pack("{s:s}", "pad", big);

        for (n = 0; n < 1000; n++) {
            joined = pylon_job_submit(st, e, "commitment", NULL, 0, p, NULL,
                                      &joined);
            if (joined != 0) {
                break;
            }
        }
        json_decref(p);
        is_int(joined, PYLON_JOB_EFULL, "a flood stops at the budget");
        ok(n > 50 && n < 200, "after about half a megabyte of jobs");
        ok(strstr(pylon_store_error(pylon_store_jobs(st)), "budget") != NULL,
           "the error says why");
        ok(pylon_store_write_begin(st) == 0
           && pylon_store_put(st, "L/block/-", 1, 0, "{}", 2) == 0
           && pylon_store_write_commit(st) == 0,
           "chain data is still written");
        ok(pylon_job_update(st, c, PYLON_JOB_DONE, 200, "{}", NULL) == 0,
           "and jobs still finish");
        ok(pylon_job_expire_kind(st, "commitment", (uint64_t) -1) >= 0,
           "and expire");
    }
    pylon_store_close(st);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        diag("cleanup failed");
    }

    return done_testing();
}
