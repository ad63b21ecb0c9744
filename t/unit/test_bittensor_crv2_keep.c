/*
 * test_bittensor_crv2_keep.c: the CRv2 commit material kept with the
 * job (src/bittensor/crv2.c).  A retried commit hashes the kept material,
 * so it matches the reveal built from the same material; a fresh salt
 * (what a retry drew before) gives another hash.
 */

#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "bittensor/crv2.h"


int
main(void)
{
    unsigned char  hk[32], a[32], b[32], direct[32];
    uint16_t       uids[3] = { 0, 5, 7 }, values[3] = { 65535, 100, 1 };
    uint16_t       salt[PYLON_CRV2_SALT_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint16_t       salt2[PYLON_CRV2_SALT_LEN] = { 9, 2, 3, 4, 5, 6, 7, 8 };
    json_t        *m, *m2, *copy;
    char          *text;

    memset(hk, 0x42, sizeof(hk));

    m = pylon_crv2_material(uids, values, 3, salt, PYLON_CRV2_SALT_LEN, 9);
    ok(m != NULL, "material built");

    ok(pylon_crv2_hash(a, m, hk, 1) == 0
       && pylon_weights_commit_hash(direct, hk, 1, uids, values, 3, salt,
                                    PYLON_CRV2_SALT_LEN, 9) == 0
       && memcmp(a, direct, 32) == 0,
       "hash of the material = pylon_weights_commit_hash of the plan");

    /* a retry (or a taken-over job) reads the material from the record */
    text = json_dumps(m, JSON_COMPACT);
    copy = json_loads(text, 0, NULL);
    free(text);
    ok(copy != NULL && pylon_crv2_hash(b, copy, hk, 1) == 0
       && memcmp(a, b, 32) == 0,
       "material read back from the job record: same commit hash");

    m2 = pylon_crv2_material(uids, values, 3, salt2, PYLON_CRV2_SALT_LEN, 9);
    ok(pylon_crv2_hash(b, m2, hk, 1) == 0 && memcmp(a, b, 32) != 0,
       "another salt gives another hash (the bug a new salt per try was)");
    json_decref(m2);

    ok(pylon_crv2_hash(b, m, hk, 2) == 0 && memcmp(a, b, 32) != 0,
       "the netuid is part of the hash");

    json_object_set_new(copy, "salt", json_array());
    ok(pylon_crv2_hash(b, copy, hk, 1) == -1, "empty salt refused");
    json_object_del(copy, "salt");
    ok(pylon_crv2_hash(b, copy, hk, 1) == -1, "missing salt refused");
    json_decref(copy);

    copy = json_deep_copy(m);
    json_array_append_new(json_object_get(copy, "values"), json_integer(1));
    ok(pylon_crv2_hash(b, copy, hk, 1) == -1, "uids/values lengths differ");
    json_decref(copy);

    copy = json_deep_copy(m);
    json_array_set_new(json_object_get(copy, "uids"), 0, json_integer(65536));
    ok(pylon_crv2_hash(b, copy, hk, 1) == -1, "uid past u16 refused");
    json_object_set_new(copy, "version_key", json_string("9"));
    ok(pylon_crv2_hash(b, copy, hk, 1) == -1, "version key not a number");
    json_decref(copy);

    ok(pylon_crv2_hash(b, NULL, hk, 1) == -1, "no material");

    json_decref(m);

    return done_testing();
}
