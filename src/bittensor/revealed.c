/*
 * revealed.c: reveal rounds, ciphertexts and revealed texts of timelocked
 * commitments (see revealed.h).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bittensor/revealed.h"
#include "crypto/drand.h"
#include "crypto/tle.h"


uint64_t
pylon_revealed_round(int64_t now, int64_t blocks_until_reveal,
    double block_time)
{
    double   delay;
    int64_t  seconds, round;

    delay = nearbyint((double) blocks_until_reveal * block_time);

    if (delay > 1e15) {
        delay = 1e15;

    } else if (delay < -1e15) {
        delay = -1e15;
    }

    seconds = (now - PYLON_DRAND_QUICKNET_GENESIS) + (int64_t) delay;
    round = seconds / PYLON_DRAND_QUICKNET_PERIOD;

    return round < 1 ? 1 : (uint64_t) round;
}


int
pylon_revealed_encrypt(pylon_buf_t *out, const uint8_t *text, size_t len,
    uint64_t round)
{
    int            rc;
    size_t         ctlen;
    pylon_buf_t    plain;
    unsigned char *ct;

    pylon_buf_init(&plain);

    if (pylon_scale_put_vec_u8(&plain, text, len) != 0
        || plain.len > PYLON_TLE_MAX_MESSAGE)
    {
        pylon_buf_free(&plain);
        return -1;
    }

    ct = malloc(plain.len + PYLON_TLE_OVERHEAD);
    if (ct == NULL) {
        pylon_buf_free(&plain);
        return -1;
    }

    rc = pylon_tle_encrypt(ct, plain.len + PYLON_TLE_OVERHEAD, &ctlen,
                           plain.data, plain.len, round);

    if (rc == 0) {
        rc = pylon_buf_put(out, ct, ctlen);
    }

    pylon_buf_free(&plain);
    free(ct);

    return rc == 0 ? 0 : -1;
}


int
pylon_revealed_text(const uint8_t *bytes, size_t len, const uint8_t **text,
    size_t *tlen)
{
    uint64_t           n;
    pylon_scale_cur_t  c;

    pylon_scale_init(&c, bytes, len);

    if (pylon_scale_compact_u64(&n, &c) != 0
        || n != pylon_scale_remaining(&c))
    {
        return -1;
    }

    *text = c.pos;
    *tlen = (size_t) n;

    return 0;
}
