/*
 * test_store.c: the LMDB cache's records and key schema.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "store/store.h"


static void
test_keys(void)
{
    char  buf[PYLON_KEY_MAX];

    is_int(pylon_key_latest(buf, sizeof(buf), PYLON_ROUTE_BLOCK,
                            PYLON_NETUID_NONE), 9,
           "latest key of a chain-wide route has length 9");
    is_str(buf, "L/block/-", "latest key of a chain-wide route");

    pylon_key_latest(buf, sizeof(buf), "neurons", 2);
    is_str(buf, "L/neurons/2", "latest key of a subnet route");

    pylon_key_at_block(buf, sizeof(buf), "neurons", 12, 4920351);
    is_str(buf, "B/neurons/12/0004920351",
           "block keys are zero-padded so they sort by block");

    is_int(pylon_key_latest(buf, 8, "neurons", 2), 0,
           "a key that does not fit is refused");

    pylon_key_latest_item(buf, sizeof(buf), PYLON_ROUTE_COMMITMENT, 2,
                          "5CzRdZLnRxWkyWoGZZbfvSCY4mbw1cmsow5q8cgZyGg1aiDq");
    is_str(buf, "L/commitment/2/5CzRdZLnRxWkyWoGZZbfvSCY4mbw1cmsow5q8cgZyGg1aiDq",
           "latest item key");

    pylon_key_at_block_item(buf, sizeof(buf), PYLON_ROUTE_EXTRINSIC,
                            PYLON_NETUID_NONE, 12, "3");
    is_str(buf, "B/extrinsic/-/0000000012/3", "block item key");

    is_int(pylon_key_at_block_item(buf, 28, PYLON_ROUTE_EXTRINSIC,
                                   PYLON_NETUID_NONE, 12, "345"), 0,
           "an item key that does not fit is refused");
}


static void
test_records(const char *dir)
{
    char             err[PYLON_STORE_ERRLEN], etag[32];
    uint64_t         first;
    pylon_store_t   *st;
    pylon_record_t   rec;

    st = pylon_store_open(dir, 16 << 20, err, sizeof(err));
    if (!ok(st != NULL, "store opens in a fresh directory")) {
        diag("%s", err);
        return;
    }

    is_int(pylon_store_read(st, "L/block/-", &rec), PYLON_STORE_NOTFOUND,
           "absent key reads as not found");

    is_int(pylon_store_put(st, "L/block/-", 1, 0, "x", 1), -1,
           "put outside a write transaction is refused");

    ok(pylon_store_write_begin(st) == 0, "write txn begins");
    ok(pylon_store_put(st, "L/block/-", 7, 3, "{\"number\":7}", 12) == 0,
       "put a record");
    ok(pylon_store_write_begin(st) == -1, "nested write txn refused");
    ok(pylon_store_write_commit(st) == 0, "commit");

    is_int(pylon_store_read(st, "L/block/-", &rec), PYLON_STORE_OK,
           "record reads back");
    is_int(rec.block, 7, "record keeps its block number");
    is_int(rec.flags, 3, "record keeps its flags");
    is_int(rec.len, 12, "record body length");
    ok(memcmp(rec.body, "{\"number\":7}", 12) == 0, "record body bytes");
    ok(rec.written_ms > 1600000000000ULL, "record carries the write time");
    first = rec.etag;
    pylon_store_read_end(st);

    pylon_store_write_begin(st);
    pylon_store_put(st, "L/block/-", 8, 0, "{\"number\":7}", 12);
    pylon_store_write_commit(st);
    pylon_store_read(st, "L/block/-", &rec);
    ok(rec.etag == first, "unchanged body keeps its ETag");
    pylon_store_read_end(st);

    pylon_store_write_begin(st);
    pylon_store_put(st, "L/block/-", 9, 0, "{\"number\":9}", 12);
    pylon_store_write_commit(st);
    pylon_store_read(st, "L/block/-", &rec);
    ok(rec.etag != first, "changed body changes the ETag");
    is_int(pylon_store_etag_format(etag, sizeof(etag), rec.etag), 18,
           "ETag is 16 hex digits in quotes");
    ok(etag[0] == '"' && etag[17] == '"', "ETag is a quoted strong tag");
    pylon_store_read_end(st);

    pylon_store_write_begin(st);
    pylon_store_put(st, "L/block/-", 10, 0, "{}", 2);
    pylon_store_write_abort(st);
    pylon_store_read(st, "L/block/-", &rec);
    is_int(rec.block, 9, "an aborted write changes nothing");
    pylon_store_read_end(st);

    pylon_store_write_begin(st);
    ok(pylon_store_del(st, "L/block/-") == 0, "delete a record");
    ok(pylon_store_del(st, "L/nothing/-") == 0, "delete of an absent key");
    pylon_store_write_commit(st);
    is_int(pylon_store_read(st, "L/block/-", &rec), PYLON_STORE_NOTFOUND,
           "deleted record is gone");

    is_int(pylon_store_reader_check(st), 0, "no stale readers");

    pylon_store_close(st);
}


int
main(void)
{
    char  dir[] = "/tmp/pylon-store-XXXXXX", err[PYLON_STORE_ERRLEN];
    char  cmd[64];

    test_keys();

    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return done_testing();
    }

    test_records(dir);

    ok(pylon_store_open("/nonexistent/pylon", 1 << 20, err, sizeof(err))
       == NULL, "open of a missing directory fails");
    ok(strstr(err, "/nonexistent/pylon") != NULL,
       "the error names the directory");

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        diag("cleanup failed");
    }

    return done_testing();
}
