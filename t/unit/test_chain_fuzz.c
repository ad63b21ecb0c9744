/*
 * test_chain_fuzz.c: random bytes against every type of real registries.
 *
 * For each type of the V15 (spec 343, 318) and V14 registries, random
 * inputs are decoded (as a prefix: trailing bytes allowed) through all
 * three paths (jansson tree, JSON text, skip).  The paths must agree on
 * success, on where the value ends and on the JSON, and every decoded
 * value must encode back (pylon_encode) to bytes that decode to the same
 * JSON.  Beyond that nothing may crash or read out of bounds (ASan and
 * UBSan do that checking).
 * The generator is a fixed LCG, so failures reproduce.
 */

#include "test_chain_fixture.h"

#include "chain/decode.h"
#include "chain/encode.h"


static uint32_t  rnd_state = 20261121;


static uint32_t
rnd(void)
{
    rnd_state = rnd_state * 1664525 + 1013904223;

    return rnd_state >> 8;
}


static void
fuzz_registry(const char *name, int rounds, size_t maxlen)
{
    pylon_meta_t       *m;
    pylon_scale_cur_t   c;
    pylon_buf_t         text, enc;
    json_t             *j2;
    size_t              unencodable = 0;
    uint8_t            *buf;
    json_t             *j;
    uint32_t            t;
    size_t              len, i, decoded, disagree;
    const uint8_t      *end_tree, *end_text, *end_skip;
    int                 r, rc_text, rc_skip;
    char               *s;

    m = fixture_meta(name);
    ok(m != NULL, "%s loads", name);
    if (m == NULL) {
        return;
    }

    buf = malloc(maxlen);
    decoded = 0;
    disagree = 0;
    pylon_buf_init(&text);
    pylon_buf_init(&enc);

    for (t = 0; t < m->ntypes; t++) {
        for (r = 0; r < rounds; r++) {
            len = rnd() % maxlen;
            for (i = 0; i < len; i++) {
                /* small bytes are likelier to be valid tags and lengths */
                buf[i] = (uint8_t) (rnd() % 4 ? rnd() % 8 : rnd());
            }

            /* decode a prefix: the three paths must stop at one place */
            pylon_scale_init(&c, buf, len);
            j = pylon_decode(m, t, &c, NULL, 0);
            end_tree = c.pos;

            text.len = 0;
            pylon_scale_init(&c, buf, len);
            rc_text = pylon_decode_text(&text, m, t, &c, NULL, 0);
            end_text = c.pos;

            pylon_scale_init(&c, buf, len);
            rc_skip = pylon_decode_skip(m, t, &c);
            end_skip = c.pos;

            if ((j != NULL) != (rc_text == 0)
                || (rc_text == 0) != (rc_skip == 0))
            {
                disagree++;
            }

            if (j != NULL) {
                decoded++;
                s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
                if (s == NULL || rc_text != 0 || strlen(s) != text.len
                    || memcmp(s, text.data, text.len) != 0
                    || end_tree != end_text || end_text != end_skip)
                {
                    disagree++;
                }
                free(s);

                /* JSON -> SCALE -> JSON gives the same JSON back */
                enc.len = 0;
                if (pylon_encode(&enc, m, t, j, NULL, 0) != 0) {
                    unencodable++;

                } else {
                    j2 = pylon_decode_all(m, t, enc.data, enc.len, NULL, 0);
                    if (j2 == NULL || !json_equal(j, j2)) {
                        disagree++;
                    }
                    json_decref(j2);
                }

                json_decref(j);
            }
        }
    }

    diag("%s: %zu decoded values could not be encoded back (bit "
         "sequences, 256-bit integers)", name, unencodable);

    ok(disagree == 0, "%s: %u types x %d random inputs, tree/text/skip "
       "agree, JSON round-trips (%zu decoded)", name, m->ntypes, rounds,
       decoded);

    pylon_buf_free(&text);
    pylon_buf_free(&enc);
    free(buf);
    pylon_meta_free(m);
}


int
main(void)
{
    tap_shared();

    fuzz_registry("metadata-v15-spec343.txt", 40, 96);
    fuzz_registry("metadata-v14-spec343.txt", 20, 96);
    fuzz_registry("metadata-v15-spec318.json", 10, 600);

    return done_testing();
}
