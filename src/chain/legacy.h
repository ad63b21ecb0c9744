/*
 * legacy.h: built-in layouts for runtime APIs of old runtimes.
 *
 * Before ~spec 250 (the local test chain runs spec 218) the subtensor
 * runtime APIs were declared in metadata as returning Vec<u8>: the bytes
 * inside are the SCALE encoding of a struct the metadata does not
 * describe (and an empty Vec means None for the Option-returning ones).
 * This module keeps those layouts as a table of type expressions in the
 * polkadot-js style ("Vec<(AccountId32, Compact<u64>)>"), compiles them
 * into a small registry of its own on first use, and maps
 * (api, method) pairs to the type of their inner bytes.
 */

#ifndef PYLON_CHAIN_LEGACY_H
#define PYLON_CHAIN_LEGACY_H

#include "chain/metadata.h"


/*
 * The registry of legacy types, built on first call and kept for the
 * life of the process (NULL if out of memory).  Do not free it.  The
 * first call is not thread-safe: make it before starting threads (the
 * helper process is single-threaded).
 */
const pylon_meta_t *pylon_legacy_registry(void);

/*
 * The legacy type of the Vec<u8> result of api.method, or -1 when there
 * is none.  *empty_is_null is set to 1 when an empty result means None.
 */
int64_t pylon_legacy_api_type(const char *api, const char *method,
    int *empty_is_null);

/* a legacy struct's type id by name ("NeuronInfoLite"), or -1 */
int64_t pylon_legacy_type(const char *name);

/*
 * Compile a type expression into reg (used to build the table; exposed
 * for tests).  Grammar: bool u8 u16 u32 u64 u128 i8 .. i128 str
 * AccountId32, names already in reg, Compact<T>, Vec<T>, Option<T>,
 * (T, U, ...), [T; N].  Returns the type id or -1 on a syntax error.
 */
int64_t pylon_legacy_compile(pylon_meta_t *reg, const char *expr);

/* free the legacy registry (for leak checkers at exit) */
void pylon_legacy_cleanup(void);

#endif /* PYLON_CHAIN_LEGACY_H */
