/*
 * value.h: typed, allocation-free access to SCALE values by name.
 *
 * A pylon_val_t is a window on the bytes of one value plus its type id in
 * a registry.  Navigation follows the registry, so field order or widths
 * that change between runtimes do not matter to the caller:
 *
 *     pylon_val_t       neurons, n, f;
 *     pylon_val_iter_t  it;
 *     uint64_t          uid;
 *     const uint8_t    *hotkey;
 *     size_t            len;
 *
 *     pylon_runtime_api_value(&neurons, m, "NeuronInfoRuntimeApi",
 *                             "get_neurons_lite", res, reslen, err, n);
 *     pylon_val_iter(&it, &neurons);
 *     while (pylon_val_next(&it, &n) == 1) {
 *         pylon_val_field(&f, &n, "uid");      pylon_val_uint(&uid, &f);
 *         pylon_val_field(&f, &n, "hotkey");   pylon_val_bytes(&hotkey,
 *                                                            &len, &f);
 *     }
 *
 * Values point into the caller's buffer (which must outlive them) and
 * the registry; nothing is allocated.  Scalar readers see through
 * newtypes (single-field composites such as NetUid(u16), AlphaBalance)
 * and read Compact<T> from its compact encoding.  All functions return 0
 * on success and -1 when the value is not of a suitable shape or the
 * bytes are malformed.
 */

#ifndef PYLON_CHAIN_VALUE_H
#define PYLON_CHAIN_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "chain/metadata.h"
#include "chain/scale.h"


typedef struct {
    const pylon_meta_t  *m;
    uint32_t             type;
    const uint8_t       *p;      /* first byte of the encoding */
    size_t               len;    /* exact encoded length */
} pylon_val_t;


typedef struct {
    const pylon_meta_t  *m;
    uint32_t             elem;
    pylon_scale_cur_t    cur;
    size_t               left;
} pylon_val_iter_t;


/*
 * A value of the given type that must use exactly len bytes of buf.
 * Returns 0, or -1 if the bytes do not decode or have trailing bytes.
 */
int pylon_val_init(pylon_val_t *v, const pylon_meta_t *m, uint32_t type,
    const uint8_t *buf, size_t len);

/* the named field of a composite, or of the variant an enum value holds */
int pylon_val_field(pylon_val_t *out, const pylon_val_t *v,
    const char *name);

/*
 * All fields of a composite (or of the variant an enum value holds) in
 * one pass, in declaration order, into out[0..*n) (at most max): reading
 * many fields of one value this way costs one walk, not one per field.
 */
int pylon_val_split(pylon_val_t *out, size_t max, size_t *n,
    const pylon_val_t *v);

/*
 * The position of the named field in a composite's declaration (the
 * index into pylon_val_split's out), from the registry alone.
 */
int pylon_val_field_index(size_t *i, const pylon_val_t *v,
    const char *name);

/* element i of a sequence, array, tuple, composite or enum variant */
int pylon_val_index(pylon_val_t *out, const pylon_val_t *v, size_t i);

/* number of elements of a sequence, array or tuple */
int pylon_val_count(size_t *n, const pylon_val_t *v);

/*
 * Iterate a sequence or array: pylon_val_next gives 1 and the next item,
 * 0 at the end, -1 on malformed bytes.
 */
int pylon_val_iter(pylon_val_iter_t *it, const pylon_val_t *v);
int pylon_val_next(pylon_val_iter_t *it, pylon_val_t *item);

/* unsigned integers (primitive or compact) up to u64 / u128 */
int pylon_val_uint(uint64_t *out, const pylon_val_t *v);
int pylon_val_u128(pylon_u128_t *out, const pylon_val_t *v);

/* signed integers up to i64 (unsigned values that fit are accepted) */
int pylon_val_int(int64_t *out, const pylon_val_t *v);

int pylon_val_bool(int *out, const pylon_val_t *v);

/*
 * Raw bytes of Vec<u8>, [u8; N], str or an AccountId32 (32 bytes); *p
 * points into the value's buffer.
 */
int pylon_val_bytes(const uint8_t **p, size_t *n, const pylon_val_t *v);

/*
 * Option<T>: 1 and *inner = the value when Some, 0 when None, -1 when v
 * is not an Option.
 */
int pylon_val_option(pylon_val_t *inner, const pylon_val_t *v);

/*
 * An enum value: *name = its variant name.  The variant's data is read
 * with pylon_val_field / pylon_val_index on the enum value itself.
 */
int pylon_val_variant(const char **name, const pylon_val_t *v);

#endif /* PYLON_CHAIN_VALUE_H */
