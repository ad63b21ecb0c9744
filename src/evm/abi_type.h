/*
 * abi_type.h: Solidity ABI types as a tree.
 *
 * Types come from canonical text ("uint256", "(address,bytes)[2][]") or
 * from a JSON ABI parameter ({"type": "tuple[]", "components": [...]}).
 * Every node lives in a pylon_arena_t owned by the caller: nothing here
 * is freed separately, pylon_arena_destroy() releases a whole tree.
 *
 * Limits that keep hostile ABIs cheap: nesting depth PYLON_ABI_MAX_DEPTH,
 * tuple width PYLON_ABI_MAX_FIELDS, fixed array length
 * PYLON_ABI_MAX_FIXED, static size PYLON_ABI_MAX_STATIC bytes.
 */

#ifndef PYLON_EVM_ABI_TYPE_H
#define PYLON_EVM_ABI_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chain/arena.h"
#include "chain/scale.h"

#define PYLON_ABI_MAX_DEPTH    32
#define PYLON_ABI_MAX_FIELDS   256
#define PYLON_ABI_MAX_FIXED    4096
#define PYLON_ABI_MAX_STATIC   (1u << 20)


typedef enum {
    PYLON_ABI_UINT = 0,      /* uintN, N = 8..256 step 8 */
    PYLON_ABI_INT,           /* intN */
    PYLON_ABI_ADDRESS,
    PYLON_ABI_BOOL,
    PYLON_ABI_FBYTES,        /* bytesN, N = 1..32 */
    PYLON_ABI_BYTES,
    PYLON_ABI_STRING,
    PYLON_ABI_ARRAY,         /* T[] */
    PYLON_ABI_FARRAY,        /* T[k] */
    PYLON_ABI_TUPLE          /* (T1,...,Tn) */
} pylon_abi_kind_e;


typedef struct pylon_abi_type_s  pylon_abi_type_t;

struct pylon_abi_type_s {
    pylon_abi_kind_e    kind;
    unsigned            size;     /* bits (u)int, N bytesN, k T[k], n tuple */
    int                 dynamic;  /* encoded out of line (head = offset) */
    size_t              head;     /* head bytes: 32 if dynamic, else size */
    pylon_abi_type_t   *elem;     /* ARRAY, FARRAY */
    pylon_abi_type_t  **fields;   /* TUPLE: size entries */
    const char        **names;    /* TUPLE: component names ("" if none) */
};


/*
 * Parse n bytes of canonical type text.  Accepts the aliases "uint",
 * "int" (256 bits) too.  Returns the tree (in a) or NULL; on NULL, err
 * (errlen bytes) receives a reason.
 */
pylon_abi_type_t *pylon_abi_type_parse(pylon_arena_t *a, const char *s,
    size_t n, char *err, size_t errlen);

/*
 * The type of one JSON ABI parameter object: "type" with "tuple"
 * expanded from "components" (recursively), component names kept.
 * Returns the tree or NULL with a reason in err.  The reason for a
 * missing key is the key quoted, as Python's KeyError prints it ('type').
 */
pylon_abi_type_t *pylon_abi_type_from_json(pylon_arena_t *a,
    const json_t *param, char *err, size_t errlen);

/* a tuple of the n given types (names may be NULL), or NULL */
pylon_abi_type_t *pylon_abi_type_tuple(pylon_arena_t *a,
    pylon_abi_type_t **fields, const char **names, unsigned n);

/* append the canonical text ("(uint256,bool)[]") of t to b; 0 or -1 */
int pylon_abi_type_canonical(pylon_buf_t *b, const pylon_abi_type_t *t);

#endif /* PYLON_EVM_ABI_TYPE_H */
