/*
 * hex.h: "0x"-prefixed lowercase hex, the way JSON-RPC carries bytes.
 *
 * Encoding always writes lowercase; decoding accepts an optional "0x"
 * prefix and either case, and rejects odd lengths and non-hex digits.
 */

#ifndef PYLON_CHAIN_HEX_H
#define PYLON_CHAIN_HEX_H

#include <stddef.h>
#include <stdint.h>


/* bytes needed to hex-encode len bytes with "0x" and the final NUL */
#define PYLON_HEX_ENCODED_BYTES(len)  (2 * (size_t) (len) + 3)


/*
 * Write "0x" + 2*len lowercase digits + NUL into out (outlen bytes, at
 * least PYLON_HEX_ENCODED_BYTES(len)).  Returns the number of characters
 * written without the NUL, or -1 if out is too small (out untouched).
 */
long pylon_hex_encode(char *out, size_t outlen, const uint8_t *in,
    size_t len);

/*
 * Decode hexlen characters of hex (optional "0x") into out (outmax bytes).
 * *outlen receives the byte count.  Returns 0, or -1 on a bad digit, odd
 * length or too small a buffer (out may be partly written).
 */
int pylon_hex_decode(uint8_t *out, size_t outmax, size_t *outlen,
    const char *hex, size_t hexlen);

/*
 * 1 if all len characters are hex digits (either case; no "0x" accepted
 * here), else 0.
 */
int pylon_hex_is_digits(const char *hex, size_t len);

/*
 * Like pylon_hex_decode into a fresh malloc'ed buffer that the caller
 * frees (a 1-byte buffer for empty input, so *out is never NULL on
 * success).  Returns 0 or -1 (nothing allocated).
 */
int pylon_hex_decode_alloc(uint8_t **out, size_t *outlen, const char *hex,
    size_t hexlen);

/*
 * Decode hex found in a text file's contents: surrounding whitespace and
 * one pair of double quotes (a JSON string) are stripped first.  Result
 * as pylon_hex_decode_alloc (caller frees *out).  Returns 0 or -1.
 */
int pylon_hex_decode_text(uint8_t **out, size_t *outlen, const char *text,
    size_t len);

#endif /* PYLON_CHAIN_HEX_H */
