/*
 * pyfloat.h: doubles written the way Python's repr() (and Pylon's JSON
 * encoder, msgspec) writes them: the shortest digit string that reads
 * back to the same double, fixed notation with at least one decimal
 * ("1.0", "0.0001") when the decimal exponent is in [-4, 16), else
 * scientific with a two-digit signed exponent ("1e-05", "1.5e+16").
 */

#ifndef PYLON_BITTENSOR_PYFLOAT_H
#define PYLON_BITTENSOR_PYFLOAT_H

#include <stddef.h>

/* longest output: sign, 17 digits, point, "e-308", NUL, with margin */
#define PYLON_PYFLOAT_MAX_CHARS  32


/*
 * Writes d into out (at least PYLON_PYFLOAT_MAX_CHARS bytes) with a NUL;
 * returns the length.  NaN and infinities are written as "null" (what
 * msgspec emits for them).
 */
size_t pylon_pyfloat_format(char *out, double d);

#endif /* PYLON_BITTENSOR_PYFLOAT_H */
