/*
 * revealed.h: revealed (timelocked) commitments, Pylon v2 (spec/pylon-v2.md
 * §3.3.5, §5.3, §6): the reveal round of a POST, the ciphertext it
 * stores, and the text the chain later reveals.  Pure C, no I/O.
 */

#ifndef PYLON_BITTENSOR_REVEALED_H
#define PYLON_BITTENSOR_REVEALED_H

#include <stddef.h>
#include <stdint.h>

#include "chain/scale.h"


/*
 * bittensor-drand's get_encrypted_commitment round:
 *   ((now - quicknet genesis) + round(blocks * block_time)) // 3
 * now in Unix seconds; Python's round() (half to even).  A result below
 * 1 is 1 (drand has no round 0).
 */
uint64_t pylon_revealed_round(int64_t now, int64_t blocks_until_reveal,
    double block_time);

/*
 * The plaintext (SCALE String: compact length ++ UTF-8 bytes) timelocked
 * to round: appends the ciphertext to out (the caller owns and frees
 * it).  0, or -1 on allocation or crypto failure.
 */
int pylon_revealed_encrypt(pylon_buf_t *out, const uint8_t *text,
    size_t len, uint64_t round);

/*
 * The text of revealed bytes: a SCALE String, its compact length
 * stripped (1, 2 and 4 byte modes).  *text points into bytes.  0, or -1
 * when the length prefix does not match the bytes.
 */
int pylon_revealed_text(const uint8_t *bytes, size_t len,
    const uint8_t **text, size_t *tlen);

#endif /* PYLON_BITTENSOR_REVEALED_H */
