/*
 * runtime_api.h: calling conventions of runtime APIs (state_call).
 *
 * A state_call names "<Api>_<method>" and sends the concatenated SCALE of
 * the inputs; the result is the SCALE of the method's output type, which
 * the V15 metadata declares.  pylon_runtime_api_decode() turns that result
 * into JSON through the registry, and for old runtimes whose outputs are
 * declared as opaque Vec<u8> it decodes the inner bytes with the built-in
 * legacy layouts (legacy.h), so callers see the same JSON shape on every
 * runtime.
 */

#ifndef PYLON_CHAIN_RUNTIME_API_H
#define PYLON_CHAIN_RUNTIME_API_H

#include <jansson.h>

#include "chain/metadata.h"
#include "chain/scale.h"
#include "chain/value.h"


/*
 * Find a method from its state_call name ("NeuronInfoRuntimeApi_get_
 * neurons_lite") or "Api.method".  The API name is matched against the
 * metadata (API names contain no '_' but methods do).  *api receives the
 * API entry when not NULL.  Returns the method or NULL.
 */
const pylon_meta_method_t *pylon_runtime_api_find(const pylon_meta_t *m,
    const char *call, const pylon_meta_api_t **api);

/*
 * Decode the result bytes of api.method (all len bytes must be used).
 * When the metadata declares Vec<u8> and a legacy layout exists for the
 * method, the inner bytes are decoded with it (an empty Vec is null for
 * Option-like methods).  Returns a new JSON reference the caller
 * json_decref()s, or NULL with a reason in err.
 */
json_t *pylon_runtime_api_decode(const pylon_meta_t *m, const char *api,
    const char *method, const uint8_t *out, size_t len, char *err,
    size_t errlen);

/*
 * The same, appending compact JSON text to out (the fast path; see
 * pylon_decode_text).  Returns 0 or -1 (out unchanged) with a reason.
 */
int pylon_runtime_api_decode_text(pylon_buf_t *out, const pylon_meta_t *m,
    const char *api, const char *method, const uint8_t *res, size_t len,
    char *err, size_t errlen);

/*
 * The result as a typed value (value.h) in the registry that describes
 * it: the runtime's, or the legacy one for old Vec<u8> outputs.  Returns
 * 0 with *out set, 1 for the legacy "None" (an empty Vec<u8>), or -1 with
 * a reason.  *out points into res.
 */
int pylon_runtime_api_value(pylon_val_t *out, const pylon_meta_t *m,
    const char *api, const char *method, const uint8_t *res, size_t len,
    char *err, size_t errlen);

#endif /* PYLON_CHAIN_RUNTIME_API_H */
