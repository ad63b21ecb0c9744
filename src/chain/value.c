/*
 * value.c: navigating SCALE values through the registry (see value.h).
 *
 * Every step re-reads the parent's bytes with a fresh cursor and uses
 * pylon_decode_skip to step over the parts before the one wanted, so a
 * value is always a (type, exact byte range) pair and no state is kept.
 */

#include <string.h>

#include "chain/decode.h"
#include "chain/value.h"


static const size_t  pylon_val_prim_bytes[PYLON_PRIM_COUNT] = {
    1, 4, 0, 1, 2, 4, 8, 16, 32, 1, 2, 4, 8, 16, 32
};


static const pylon_meta_type_t *
pylon_val_type(const pylon_val_t *v)
{
    return &v->m->types[v->type];
}


/* the value of the given type at the cursor, with its exact length */
static int
pylon_val_take(pylon_val_t *out, const pylon_meta_t *m, uint32_t type,
    pylon_scale_cur_t *c)
{
    const uint8_t  *start;

    start = c->pos;

    if (pylon_decode_skip(m, type, c) != 0) {
        return -1;
    }

    out->m = m;
    out->type = type;
    out->p = start;
    out->len = (size_t) (c->pos - start);

    return 0;
}


/* see through single-field composites (newtypes) other than AccountId32 */
static pylon_val_t
pylon_val_unwrap(const pylon_val_t *v)
{
    const pylon_meta_type_t  *t;
    pylon_val_t               u;
    unsigned                  guard;

    u = *v;

    for (guard = 0; guard < 32; guard++) {
        t = pylon_val_type(&u);

        if (t->kind != PYLON_TYPE_COMPOSITE || t->u.composite.n != 1
            || t->special == PYLON_SPECIAL_ACCOUNT_ID)
        {
            break;
        }

        u.type = t->u.composite.fields[0].type;
    }

    return u;
}


int
pylon_val_init(pylon_val_t *v, const pylon_meta_t *m, uint32_t type,
    const uint8_t *buf, size_t len)
{
    pylon_scale_cur_t  c;

    if (type >= m->ntypes) {
        return -1;
    }

    pylon_scale_init(&c, buf, len);

    if (pylon_val_take(v, m, type, &c) != 0
        || pylon_scale_remaining(&c) != 0)
    {
        return -1;
    }

    return 0;
}


/* the fields of a composite, or of the variant an enum value holds */
static int
pylon_val_fields(const pylon_meta_field_t **f, uint32_t *n,
    const pylon_val_t *v, pylon_scale_cur_t *c)
{
    const pylon_meta_type_t     *t;
    const pylon_meta_variant_t  *var;
    uint8_t                      idx;

    t = pylon_val_type(v);
    pylon_scale_init(c, v->p, v->len);

    if (t->kind == PYLON_TYPE_COMPOSITE) {
        *f = t->u.composite.fields;
        *n = t->u.composite.n;
        return 0;
    }

    if (t->kind == PYLON_TYPE_VARIANT) {
        if (pylon_scale_u8(&idx, c) != 0) {
            return -1;
        }

        var = pylon_meta_variant_by_index(t, idx);
        if (var == NULL) {
            return -1;
        }

        *f = var->fields;
        *n = var->nfields;
        return 0;
    }

    return -1;
}


int
pylon_val_field(pylon_val_t *out, const pylon_val_t *v, const char *name)
{
    const pylon_meta_field_t  *f;
    pylon_scale_cur_t          c;
    uint32_t                   n, i;

    if (pylon_val_fields(&f, &n, v, &c) != 0) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (f[i].name != NULL && strcmp(f[i].name, name) == 0) {
            return pylon_val_take(out, v->m, f[i].type, &c);
        }

        if (pylon_decode_skip(v->m, f[i].type, &c) != 0) {
            return -1;
        }
    }

    return -1;
}


int
pylon_val_split(pylon_val_t *out, size_t max, size_t *n,
    const pylon_val_t *v)
{
    const pylon_meta_field_t  *f;
    pylon_scale_cur_t          c;
    uint32_t                   nf, i;

    if (pylon_val_fields(&f, &nf, v, &c) != 0 || nf > max) {
        return -1;
    }

    for (i = 0; i < nf; i++) {
        if (pylon_val_take(&out[i], v->m, f[i].type, &c) != 0) {
            return -1;
        }
    }

    *n = nf;

    return 0;
}


int
pylon_val_field_index(size_t *i, const pylon_val_t *v, const char *name)
{
    const pylon_meta_type_t   *t;
    const pylon_meta_field_t  *f;
    uint32_t                   n, k;

    t = pylon_val_type(v);

    if (t->kind != PYLON_TYPE_COMPOSITE) {
        return -1;
    }

    f = t->u.composite.fields;
    n = t->u.composite.n;

    for (k = 0; k < n; k++) {
        if (f[k].name != NULL && strcmp(f[k].name, name) == 0) {
            *i = k;
            return 0;
        }
    }

    return -1;
}


/* element type and count of a sequence/array, cursor at the first item */
static int
pylon_val_items(uint32_t *elem, size_t *n, const pylon_val_t *v,
    pylon_scale_cur_t *c)
{
    const pylon_meta_type_t  *t;
    pylon_val_t               u;

    u = pylon_val_unwrap(v);
    t = pylon_val_type(&u);
    pylon_scale_init(c, u.p, u.len);

    if (t->kind == PYLON_TYPE_SEQUENCE) {
        *elem = t->u.elem.type;
        return pylon_scale_len(n, 1, c);
    }

    if (t->kind == PYLON_TYPE_ARRAY) {
        *elem = t->u.array.type;
        *n = t->u.array.len;
        return 0;
    }

    return -1;
}


int
pylon_val_index(pylon_val_t *out, const pylon_val_t *v, size_t i)
{
    const pylon_meta_type_t   *t;
    const pylon_meta_field_t  *f;
    pylon_scale_cur_t          c;
    uint32_t                   elem, nf, k;
    size_t                     n;

    t = pylon_val_type(v);

    if (t->kind == PYLON_TYPE_TUPLE) {
        if (i >= t->u.tuple.n) {
            return -1;
        }

        pylon_scale_init(&c, v->p, v->len);

        for (k = 0; k < i; k++) {
            if (pylon_decode_skip(v->m, t->u.tuple.types[k], &c) != 0) {
                return -1;
            }
        }

        return pylon_val_take(out, v->m, t->u.tuple.types[i], &c);
    }

    /* a newtype around a sequence (BoundedVec) indexes its items */
    if (t->kind == PYLON_TYPE_VARIANT
        || (t->kind == PYLON_TYPE_COMPOSITE
            && pylon_val_items(&elem, &n, v, &c) != 0))
    {
        if (pylon_val_fields(&f, &nf, v, &c) == 0) {
            if (i >= nf) {
                return -1;
            }

            for (k = 0; k < i; k++) {
                if (pylon_decode_skip(v->m, f[k].type, &c) != 0) {
                    return -1;
                }
            }

            return pylon_val_take(out, v->m, f[i].type, &c);
        }
    }

    if (pylon_val_items(&elem, &n, v, &c) != 0 || i >= n) {
        return -1;
    }

    for (k = 0; k < i; k++) {
        if (pylon_decode_skip(v->m, elem, &c) != 0) {
            return -1;
        }
    }

    return pylon_val_take(out, v->m, elem, &c);
}


int
pylon_val_count(size_t *n, const pylon_val_t *v)
{
    const pylon_meta_type_t  *t;
    pylon_scale_cur_t         c;
    uint32_t                  elem;

    t = pylon_val_type(v);

    if (t->kind == PYLON_TYPE_TUPLE) {
        *n = t->u.tuple.n;
        return 0;
    }

    return pylon_val_items(&elem, n, v, &c);
}


int
pylon_val_iter(pylon_val_iter_t *it, const pylon_val_t *v)
{
    it->m = v->m;

    return pylon_val_items(&it->elem, &it->left, v, &it->cur);
}


int
pylon_val_next(pylon_val_iter_t *it, pylon_val_t *item)
{
    if (it->left == 0) {
        return 0;
    }

    if (pylon_val_take(item, it->m, it->elem, &it->cur) != 0) {
        it->left = 0;
        return -1;
    }

    it->left--;

    return 1;
}


int
pylon_val_u128(pylon_u128_t *out, const pylon_val_t *v)
{
    const pylon_meta_type_t  *t;
    pylon_scale_cur_t         c;
    pylon_i128_t              s;
    pylon_val_t               u;
    size_t                    n;

    u = pylon_val_unwrap(v);
    t = pylon_val_type(&u);
    pylon_scale_init(&c, u.p, u.len);

    if (t->kind == PYLON_TYPE_COMPACT) {
        return pylon_scale_compact(out, &c);
    }

    if (t->kind != PYLON_TYPE_PRIMITIVE) {
        return -1;
    }

    if (t->prim >= PYLON_PRIM_U8 && t->prim <= PYLON_PRIM_U128) {
        return pylon_scale_uint(out, pylon_val_prim_bytes[t->prim], &c);
    }

    if (t->prim >= PYLON_PRIM_I8 && t->prim <= PYLON_PRIM_I128) {
        n = pylon_val_prim_bytes[t->prim];
        if (pylon_scale_int(&s, n, &c) != 0 || s < 0) {
            return -1;
        }
        *out = (pylon_u128_t) s;
        return 0;
    }

    return -1;
}


int
pylon_val_uint(uint64_t *out, const pylon_val_t *v)
{
    pylon_u128_t  u;

    if (pylon_val_u128(&u, v) != 0 || u > UINT64_MAX) {
        return -1;
    }

    *out = (uint64_t) u;

    return 0;
}


int
pylon_val_int(int64_t *out, const pylon_val_t *v)
{
    const pylon_meta_type_t  *t;
    pylon_scale_cur_t         c;
    pylon_i128_t              s;
    pylon_val_t               u;
    uint64_t                  x;

    u = pylon_val_unwrap(v);
    t = pylon_val_type(&u);

    if (t->kind == PYLON_TYPE_PRIMITIVE && t->prim >= PYLON_PRIM_I8
        && t->prim <= PYLON_PRIM_I128)
    {
        pylon_scale_init(&c, u.p, u.len);

        if (pylon_scale_int(&s, pylon_val_prim_bytes[t->prim], &c) != 0
            || s < INT64_MIN || s > INT64_MAX)
        {
            return -1;
        }

        *out = (int64_t) s;
        return 0;
    }

    if (pylon_val_uint(&x, v) != 0 || x > INT64_MAX) {
        return -1;
    }

    *out = (int64_t) x;

    return 0;
}


int
pylon_val_bool(int *out, const pylon_val_t *v)
{
    const pylon_meta_type_t  *t;
    pylon_scale_cur_t         c;
    pylon_val_t               u;

    u = pylon_val_unwrap(v);
    t = pylon_val_type(&u);

    if (t->kind != PYLON_TYPE_PRIMITIVE || t->prim != PYLON_PRIM_BOOL) {
        return -1;
    }

    pylon_scale_init(&c, u.p, u.len);

    return pylon_scale_bool(out, &c);
}


int
pylon_val_bytes(const uint8_t **p, size_t *n, const pylon_val_t *v)
{
    const pylon_meta_type_t  *t, *e;
    pylon_scale_cur_t         c;
    pylon_val_t               u;

    u = *v;
    t = pylon_val_type(&u);

    if (t->special == PYLON_SPECIAL_ACCOUNT_ID) {
        u.type = t->u.composite.fields[0].type;
    }

    u = pylon_val_unwrap(&u);
    t = pylon_val_type(&u);
    pylon_scale_init(&c, u.p, u.len);

    if (t->kind == PYLON_TYPE_PRIMITIVE && t->prim == PYLON_PRIM_STR) {
        return pylon_scale_vec_u8(p, n, &c);
    }

    if (t->kind == PYLON_TYPE_SEQUENCE || t->kind == PYLON_TYPE_ARRAY) {
        e = &u.m->types[t->kind == PYLON_TYPE_SEQUENCE ? t->u.elem.type
                                                       : t->u.array.type];
        if (e->kind != PYLON_TYPE_PRIMITIVE || e->prim != PYLON_PRIM_U8) {
            return -1;
        }

        if (t->kind == PYLON_TYPE_SEQUENCE) {
            return pylon_scale_vec_u8(p, n, &c);
        }

        *n = t->u.array.len;
        return pylon_scale_bytes(p, *n, &c);
    }

    return -1;
}


int
pylon_val_option(pylon_val_t *inner, const pylon_val_t *v)
{
    const pylon_meta_type_t     *t;
    const pylon_meta_variant_t  *var;
    pylon_scale_cur_t            c;
    uint8_t                      idx;

    t = pylon_val_type(v);

    if (t->special != PYLON_SPECIAL_OPTION) {
        return -1;
    }

    pylon_scale_init(&c, v->p, v->len);

    if (pylon_scale_u8(&idx, &c) != 0) {
        return -1;
    }

    var = pylon_meta_variant_by_index(t, idx);
    if (var == NULL) {
        return -1;
    }

    if (var->nfields == 0) {
        return 0;
    }

    if (var->nfields == 1 && var->fields[0].type < v->m->ntypes) {
        /* v is an exact window (see pylon_val_take): Some's value is the
           rest of it, no second walk over a large value */
        inner->m = v->m;
        inner->type = var->fields[0].type;
        inner->p = c.pos;
        inner->len = (size_t) (c.end - c.pos);
        return 1;
    }

    return pylon_val_take(inner, v->m, var->fields[0].type, &c) == 0 ? 1 : -1;
}


int
pylon_val_variant(const char **name, const pylon_val_t *v)
{
    const pylon_meta_type_t     *t;
    const pylon_meta_variant_t  *var;

    t = pylon_val_type(v);

    if (t->kind != PYLON_TYPE_VARIANT || v->len == 0) {
        return -1;
    }

    var = pylon_meta_variant_by_index(t, v->p[0]);
    if (var == NULL) {
        return -1;
    }

    *name = var->name;

    return 0;
}
