/*
 * metadata.h: runtime metadata V14/V15 parsed into an in-memory registry.
 *
 * pylon_meta_parse() reads the blob a node serves (state_getMetadata:
 * "meta" + version + body; Metadata_metadata_at_version(15): the same
 * wrapped in Option<Vec<u8>>) into plain C structs: the portable type
 * registry (indexed by type id), pallets with storage entries, calls,
 * events, errors and constants, extrinsic info with signed extensions,
 * and (V15) runtime APIs.  All strings are NUL-terminated copies held in
 * the registry's own arena: the blob may be freed after parsing, and every
 * pointer handed out lives until pylon_meta_free().
 *
 * Every type id in the registry is checked to exist when parsing, so code
 * walking the registry can follow ids without checking them again.
 * Lookups are by name (linear; there are ~30 pallets and ~20 APIs).
 */

#ifndef PYLON_CHAIN_METADATA_H
#define PYLON_CHAIN_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "chain/arena.h"


typedef enum {
    PYLON_TYPE_COMPOSITE = 0,
    PYLON_TYPE_VARIANT,
    PYLON_TYPE_SEQUENCE,
    PYLON_TYPE_ARRAY,
    PYLON_TYPE_TUPLE,
    PYLON_TYPE_PRIMITIVE,
    PYLON_TYPE_COMPACT,
    PYLON_TYPE_BITSEQ
} pylon_type_kind_e;


typedef enum {
    PYLON_PRIM_BOOL = 0,
    PYLON_PRIM_CHAR,
    PYLON_PRIM_STR,
    PYLON_PRIM_U8,
    PYLON_PRIM_U16,
    PYLON_PRIM_U32,
    PYLON_PRIM_U64,
    PYLON_PRIM_U128,
    PYLON_PRIM_U256,
    PYLON_PRIM_I8,
    PYLON_PRIM_I16,
    PYLON_PRIM_I32,
    PYLON_PRIM_I64,
    PYLON_PRIM_I128,
    PYLON_PRIM_I256,
    PYLON_PRIM_COUNT
} pylon_prim_e;


/* how the JSON decoder renders a type beyond its shape */
typedef enum {
    PYLON_SPECIAL_NONE = 0,
    PYLON_SPECIAL_ACCOUNT_ID,      /* 32 bytes → SS58 string */
    PYLON_SPECIAL_OPTION,          /* None → null, Some(x) → x */
    PYLON_SPECIAL_BYTES            /* Vec<u8> / [u8; N] → "0x…" */
} pylon_special_e;


typedef struct {
    const char            *name;        /* NULL when unnamed */
    const char            *type_name;   /* Rust type name, or NULL */
    uint32_t               type;
} pylon_meta_field_t;


typedef struct {
    const char            *name;
    const char            *docs;        /* doc lines joined by '\n' */
    pylon_meta_field_t    *fields;
    uint32_t               nfields;
    uint8_t                index;       /* the encoded discriminant */
} pylon_meta_variant_t;


typedef struct {
    uint32_t               id;
    uint8_t                kind;        /* pylon_type_kind_e */
    uint8_t                prim;        /* pylon_prim_e, for PRIMITIVE */
    uint8_t                special;     /* pylon_special_e */
    uint8_t                named;       /* composite: all fields named */
    const char            *path;        /* "sp_core::crypto::AccountId32" */
    const char            *name;        /* last path segment, or "" */
    uint32_t               nparams;
    const char           **param_names;
    int64_t               *param_types; /* -1 when the parameter has none */

    union {
        struct {
            pylon_meta_field_t    *fields;
            uint32_t               n;
        } composite;

        struct {
            pylon_meta_variant_t  *variants;
            uint32_t               n;
        } variant;

        struct {
            uint32_t               type;   /* SEQUENCE and COMPACT */
        } elem;

        struct {
            uint32_t               len;
            uint32_t               type;
        } array;

        struct {
            uint32_t              *types;
            uint32_t               n;
        } tuple;

        struct {
            uint32_t               store;
            uint32_t               order;
        } bitseq;
    } u;
} pylon_meta_type_t;


typedef enum {
    PYLON_STORAGE_OPTIONAL = 0,
    PYLON_STORAGE_DEFAULT = 1
} pylon_storage_modifier_e;


typedef struct {
    const char            *name;
    uint8_t                modifier;    /* pylon_storage_modifier_e */
    uint8_t                is_map;      /* 0: plain value */
    uint32_t               nhashers;
    const uint8_t         *hashers;     /* pylon_hasher_e codes */
    uint32_t               key_type;    /* maps only */
    uint32_t               value_type;
    const uint8_t         *def;         /* default value bytes */
    size_t                 deflen;
} pylon_meta_storage_t;


typedef struct {
    const char            *name;
    uint32_t               type;
    const uint8_t         *value;
    size_t                 len;
} pylon_meta_const_t;


typedef struct {
    const char            *name;
    uint8_t                index;
    const char            *prefix;      /* storage prefix, NULL if none */
    pylon_meta_storage_t  *storage;
    uint32_t               nstorage;
    int64_t                calls;       /* type ids, -1 when absent */
    int64_t                event;
    int64_t                error;
    pylon_meta_const_t    *consts;
    uint32_t               nconsts;
} pylon_meta_pallet_t;


typedef struct {
    const char            *name;
    uint32_t               type;
} pylon_meta_param_t;


typedef struct {
    const char            *name;
    pylon_meta_param_t    *inputs;
    uint32_t               ninputs;
    uint32_t               output;
} pylon_meta_method_t;


typedef struct {
    const char            *name;
    pylon_meta_method_t   *methods;
    uint32_t               nmethods;
} pylon_meta_api_t;


typedef struct {
    const char            *identifier;
    uint32_t               type;        /* "extra": in the extrinsic */
    uint32_t               additional;  /* signed but not sent */
} pylon_meta_ext_t;


typedef struct {
    uint8_t                version;     /* 14 or 15 */
    uint16_t               ss58_prefix; /* System.SS58Prefix, else 42 */

    pylon_meta_type_t     *types;       /* types[id] */
    uint32_t               ntypes;
    uint32_t               cap_types;

    pylon_meta_pallet_t   *pallets;
    uint32_t               npallets;

    pylon_meta_api_t      *apis;        /* V15 only */
    uint32_t               napis;

    uint8_t                xt_version;
    int64_t                xt_type;     /* V14: the extrinsic type */
    int64_t                xt_address;  /* V15: address, call, signature, */
    int64_t                xt_call;     /* extra types (-1 in V14) */
    int64_t                xt_signature;
    int64_t                xt_extra;
    pylon_meta_ext_t      *exts;
    uint32_t               nexts;

    uint32_t               runtime_type;
    int64_t                outer_call;  /* V15 outer enums, -1 in V14 */
    int64_t                outer_event;
    int64_t                outer_error;

    pylon_arena_t         *arena;
} pylon_meta_t;


/*
 * Parse a metadata blob: raw ("meta" + 0x0e/0x0f + body) or the
 * Option<Vec<u8>> result of Metadata_metadata_at_version.  On success
 * *out is a new registry the caller frees with pylon_meta_free().
 * Returns 0, or -1 on any malformed, truncated or unsupported input
 * (err, if not NULL, receives a short reason of at most errlen bytes).
 */
int pylon_meta_parse(pylon_meta_t **out, const uint8_t *blob, size_t len,
    char *err, size_t errlen);

/*
 * An empty registry with no types, pallets or APIs (for built-in type
 * tables), or NULL.  Free it with pylon_meta_free().
 */
pylon_meta_t *pylon_meta_new(void);

/* free a registry and everything it handed out; NULL is fine */
void pylon_meta_free(pylon_meta_t *m);

/* the type with this id, or NULL */
const pylon_meta_type_t *pylon_meta_type(const pylon_meta_t *m, uint32_t id);

/*
 * The first type whose full path ("pallet_subtensor::rpc_info::
 * neuron_info::NeuronInfoLite") or, failing that, last path segment
 * ("NeuronInfoLite") equals name; a primitive name ("u16", "bool") finds
 * a primitive of that kind.  Returns its id or -1.
 */
int64_t pylon_meta_type_find(const pylon_meta_t *m, const char *name);

/* pallet by name or by index, or NULL */
const pylon_meta_pallet_t *pylon_meta_pallet(const pylon_meta_t *m,
    const char *name);
const pylon_meta_pallet_t *pylon_meta_pallet_by_index(const pylon_meta_t *m,
    uint8_t index);

/* a pallet's storage entry / constant by name, or NULL */
const pylon_meta_storage_t *pylon_meta_storage(const pylon_meta_pallet_t *p,
    const char *name);
const pylon_meta_const_t *pylon_meta_constant(const pylon_meta_pallet_t *p,
    const char *name);

/* runtime API and method ("NeuronInfoRuntimeApi", "get_neurons_lite") */
const pylon_meta_api_t *pylon_meta_api(const pylon_meta_t *m,
    const char *name);
const pylon_meta_method_t *pylon_meta_api_method(const pylon_meta_t *m,
    const char *api, const char *method);

/* a variant of a VARIANT type by name or by encoded index, or NULL */
const pylon_meta_variant_t *pylon_meta_variant(const pylon_meta_type_t *t,
    const char *name);
const pylon_meta_variant_t *pylon_meta_variant_by_index(
    const pylon_meta_type_t *t, uint8_t index);

/*
 * A pallet call / event / error variant by pallet and variant name
 * (e.g. "SubtensorModule", "set_weights"), or NULL.  For module errors
 * reported as (pallet index, error[0]) use pylon_meta_error_by_index().
 */
const pylon_meta_variant_t *pylon_meta_call(const pylon_meta_t *m,
    const char *pallet, const char *call);
const pylon_meta_variant_t *pylon_meta_event(const pylon_meta_t *m,
    const char *pallet, const char *event);
const pylon_meta_variant_t *pylon_meta_error_by_index(const pylon_meta_t *m,
    uint8_t pallet_index, uint8_t error_index);

/* a signed extension by identifier, or NULL */
const pylon_meta_ext_t *pylon_meta_extension(const pylon_meta_t *m,
    const char *identifier);

/*
 * Append a type to the registry (used for built-in legacy layouts).  The
 * new type gets id m->ntypes; *t is copied, and the pointers inside it
 * must live as long as the registry (allocate them with
 * pylon_meta_alloc).  Type ids it refers to are not checked.  Pointers
 * from pylon_meta_type() become invalid.  Returns the id or -1.
 */
int64_t pylon_meta_add_type(pylon_meta_t *m, const pylon_meta_type_t *t);

/* n zeroed bytes from the registry's arena (freed with it), or NULL */
void *pylon_meta_alloc(pylon_meta_t *m, size_t n);

/* a NUL-terminated copy of len bytes of s in the arena, or NULL */
char *pylon_meta_strdup(pylon_meta_t *m, const char *s, size_t len);

#endif /* PYLON_CHAIN_METADATA_H */
