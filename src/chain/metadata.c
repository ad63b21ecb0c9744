/*
 * metadata.c: the V14/V15 metadata parser and registry lookups (see
 * metadata.h).
 *
 * The parser is a straight reading of the SCALE layout of
 * RuntimeMetadataV14/V15 (chain.md §5.2) over a pylon_scale_cur_t.  Every
 * Vec count is checked against the bytes left (pylon_scale_len) before
 * the arena is asked for that many items, and docs are skipped except on
 * enum variants (error messages need them).  A final pass checks that
 * every type id mentioned anywhere names a type in the registry, and
 * marks the types the JSON decoder renders specially (AccountId32,
 * Option, byte vectors).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/hasher.h"
#include "chain/json_text.h"
#include "chain/metadata.h"
#include "chain/scale.h"


typedef struct {
    pylon_scale_cur_t   cur;
    pylon_meta_t       *m;
    const char         *err;
} pylon_mp_t;


#define PYLON_MP_FAIL(mp, msg)  do { (mp)->err = (msg); return -1; } while (0)


static int
pylon_mp_u8(pylon_mp_t *mp, uint8_t *v)
{
    if (pylon_scale_u8(v, &mp->cur) != 0) {
        PYLON_MP_FAIL(mp, "truncated");
    }

    return 0;
}


static int
pylon_mp_u32(pylon_mp_t *mp, uint32_t *v)
{
    if (pylon_scale_u32(v, &mp->cur) != 0) {
        PYLON_MP_FAIL(mp, "truncated");
    }

    return 0;
}


static int
pylon_mp_compact32(pylon_mp_t *mp, uint32_t *v)
{
    if (pylon_scale_compact_u32(v, &mp->cur) != 0) {
        PYLON_MP_FAIL(mp, "bad compact");
    }

    return 0;
}


static int
pylon_mp_len(pylon_mp_t *mp, uint32_t *n, size_t min_item)
{
    size_t  len;

    if (pylon_scale_len(&len, min_item, &mp->cur) != 0 || len > UINT32_MAX) {
        PYLON_MP_FAIL(mp, "bad length");
    }

    *n = (uint32_t) len;

    return 0;
}


static void *
pylon_mp_array(pylon_mp_t *mp, size_t n, size_t size)
{
    void  *p;

    p = pylon_arena_alloc(mp->m->arena, n * size);
    if (p == NULL) {
        mp->err = "out of memory";
    }

    return p;
}


/* String → NUL-terminated arena copy (keep != 0) or just skipped */
static int
pylon_mp_string(pylon_mp_t *mp, const char **s, int keep)
{
    const uint8_t  *p;
    size_t          n;

    if (pylon_scale_vec_u8(&p, &n, &mp->cur) != 0) {
        PYLON_MP_FAIL(mp, "truncated string");
    }

    if (memchr(p, '\0', n) != NULL) {
        PYLON_MP_FAIL(mp, "NUL in string");
    }

    if (keep && !pylon_utf8_valid(p, n)) {
        PYLON_MP_FAIL(mp, "name is not UTF-8");
    }

    if (keep) {
        *s = pylon_arena_strdup(mp->m->arena, (const char *) p, n);
        if (*s == NULL) {
            PYLON_MP_FAIL(mp, "out of memory");
        }
    }

    return 0;
}


static int
pylon_mp_option_string(pylon_mp_t *mp, const char **s)
{
    uint8_t  tag;

    *s = NULL;

    if (pylon_mp_u8(mp, &tag) != 0) {
        return -1;
    }

    if (tag > 1) {
        PYLON_MP_FAIL(mp, "bad option tag");
    }

    return tag ? pylon_mp_string(mp, s, 1) : 0;
}


static int
pylon_mp_option_type(pylon_mp_t *mp, int64_t *ty)
{
    uint8_t   tag;
    uint32_t  v;

    *ty = -1;

    if (pylon_mp_u8(mp, &tag) != 0) {
        return -1;
    }

    if (tag > 1) {
        PYLON_MP_FAIL(mp, "bad option tag");
    }

    if (tag) {
        if (pylon_mp_compact32(mp, &v) != 0) {
            return -1;
        }
        *ty = v;
    }

    return 0;
}


/* Vec<String> docs: skipped, or joined with '\n' into *docs */
static int
pylon_mp_docs(pylon_mp_t *mp, const char **docs)
{
    const uint8_t  *start, *p;
    uint32_t        n, i;
    size_t          len, total;
    char           *out;

    if (pylon_mp_len(mp, &n, 1) != 0) {
        return -1;
    }

    start = mp->cur.pos;
    total = 0;

    for (i = 0; i < n; i++) {
        if (pylon_scale_vec_u8(&p, &len, &mp->cur) != 0) {
            PYLON_MP_FAIL(mp, "truncated docs");
        }
        total += len + 1;
    }

    if (docs == NULL) {
        return 0;
    }

    out = pylon_arena_alloc(mp->m->arena, total + 1);
    if (out == NULL) {
        PYLON_MP_FAIL(mp, "out of memory");
    }

    *docs = out;

    {
        pylon_scale_cur_t  c;

        pylon_scale_init(&c, start, (size_t) (mp->cur.pos - start));

        for (i = 0; i < n; i++) {
            (void) pylon_scale_vec_u8(&p, &len, &c);
            if (i) {
                *out++ = '\n';
            }
            memcpy(out, p, len);
            out += len;
        }
    }

    *out = '\0';

    return 0;
}


static int
pylon_mp_fields(pylon_mp_t *mp, pylon_meta_field_t **fields, uint32_t *nf)
{
    pylon_meta_field_t  *f;
    uint32_t             n, i;

    /* a field is at least 4 bytes: name tag, type, type_name tag, docs */
    if (pylon_mp_len(mp, &n, 4) != 0) {
        return -1;
    }

    f = pylon_mp_array(mp, n, sizeof(pylon_meta_field_t));
    if (f == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (pylon_mp_option_string(mp, &f[i].name) != 0
            || pylon_mp_compact32(mp, &f[i].type) != 0
            || pylon_mp_option_string(mp, &f[i].type_name) != 0
            || pylon_mp_docs(mp, NULL) != 0)
        {
            return -1;
        }
    }

    *fields = f;
    *nf = n;

    return 0;
}


static int
pylon_mp_typedef(pylon_mp_t *mp, pylon_meta_type_t *t)
{
    pylon_meta_variant_t  *v;
    uint32_t               n, i;
    uint8_t                kind, prim;

    if (pylon_mp_u8(mp, &kind) != 0) {
        return -1;
    }

    t->kind = kind;

    switch (kind) {

    case PYLON_TYPE_COMPOSITE:
        return pylon_mp_fields(mp, &t->u.composite.fields, &t->u.composite.n);

    case PYLON_TYPE_VARIANT:
        if (pylon_mp_len(mp, &n, 4) != 0) {
            return -1;
        }

        v = pylon_mp_array(mp, n, sizeof(pylon_meta_variant_t));
        if (v == NULL) {
            return -1;
        }

        for (i = 0; i < n; i++) {
            if (pylon_mp_string(mp, &v[i].name, 1) != 0
                || pylon_mp_fields(mp, &v[i].fields, &v[i].nfields) != 0
                || pylon_mp_u8(mp, &v[i].index) != 0
                || pylon_mp_docs(mp, &v[i].docs) != 0)
            {
                return -1;
            }
        }

        t->u.variant.variants = v;
        t->u.variant.n = n;
        return 0;

    case PYLON_TYPE_SEQUENCE:
    case PYLON_TYPE_COMPACT:
        return pylon_mp_compact32(mp, &t->u.elem.type);

    case PYLON_TYPE_ARRAY:
        if (pylon_mp_u32(mp, &t->u.array.len) != 0) {
            return -1;
        }
        return pylon_mp_compact32(mp, &t->u.array.type);

    case PYLON_TYPE_TUPLE:
        if (pylon_mp_len(mp, &n, 1) != 0) {
            return -1;
        }

        t->u.tuple.types = pylon_mp_array(mp, n, sizeof(uint32_t));
        if (t->u.tuple.types == NULL) {
            return -1;
        }

        for (i = 0; i < n; i++) {
            if (pylon_mp_compact32(mp, &t->u.tuple.types[i]) != 0) {
                return -1;
            }
        }

        t->u.tuple.n = n;
        return 0;

    case PYLON_TYPE_PRIMITIVE:
        if (pylon_mp_u8(mp, &prim) != 0) {
            return -1;
        }
        if (prim >= PYLON_PRIM_COUNT) {
            PYLON_MP_FAIL(mp, "unknown primitive");
        }
        t->prim = prim;
        return 0;

    case PYLON_TYPE_BITSEQ:
        if (pylon_mp_compact32(mp, &t->u.bitseq.store) != 0) {
            return -1;
        }
        return pylon_mp_compact32(mp, &t->u.bitseq.order);

    default:
        PYLON_MP_FAIL(mp, "unknown type kind");
    }
}


static int
pylon_mp_type(pylon_mp_t *mp, pylon_meta_type_t *t)
{
    const char  *seg;
    uint32_t     id, n, i;
    size_t       total, len;
    char        *path;

    if (pylon_mp_compact32(mp, &id) != 0) {
        return -1;
    }

    if (id != t->id) {
        PYLON_MP_FAIL(mp, "type ids out of order");
    }

    /* path: Vec<String>, joined with "::" */
    if (pylon_mp_len(mp, &n, 1) != 0) {
        return -1;
    }

    {
        const uint8_t      *p;
        pylon_scale_cur_t   save = mp->cur;

        total = 0;
        for (i = 0; i < n; i++) {
            if (pylon_scale_vec_u8(&p, &len, &mp->cur) != 0) {
                PYLON_MP_FAIL(mp, "truncated path");
            }
            total += len + 2;
        }

        path = pylon_arena_alloc(mp->m->arena, total + 1);
        if (path == NULL) {
            PYLON_MP_FAIL(mp, "out of memory");
        }

        t->path = path;
        t->name = path;
        mp->cur = save;

        for (i = 0; i < n; i++) {
            (void) pylon_scale_vec_u8(&p, &len, &mp->cur);
            if (memchr(p, '\0', len) != NULL) {
                PYLON_MP_FAIL(mp, "NUL in path");
            }
            if (i) {
                *path++ = ':';
                *path++ = ':';
            }
            t->name = path;
            memcpy(path, p, len);
            path += len;
        }

        *path = '\0';
    }

    /* params: Vec<{name: String, ty: Option<Compact<u32>>}> */
    if (pylon_mp_len(mp, &n, 2) != 0) {
        return -1;
    }

    t->nparams = n;
    t->param_names = pylon_mp_array(mp, n, sizeof(char *));
    t->param_types = pylon_mp_array(mp, n, sizeof(int64_t));
    if (t->param_names == NULL || t->param_types == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (pylon_mp_string(mp, &seg, 1) != 0
            || pylon_mp_option_type(mp, &t->param_types[i]) != 0)
        {
            return -1;
        }
        t->param_names[i] = seg;
    }

    if (pylon_mp_typedef(mp, t) != 0) {
        return -1;
    }

    return pylon_mp_docs(mp, NULL);
}


static int
pylon_mp_registry(pylon_mp_t *mp)
{
    pylon_meta_t  *m;
    uint32_t       n, i;

    m = mp->m;

    /* a type is at least 5 bytes: id, path, params, def kind + 1, docs */
    if (pylon_mp_len(mp, &n, 5) != 0) {
        return -1;
    }

    m->types = calloc(n ? n : 1, sizeof(pylon_meta_type_t));
    if (m->types == NULL) {
        PYLON_MP_FAIL(mp, "out of memory");
    }

    m->cap_types = n ? n : 1;

    for (i = 0; i < n; i++) {
        m->types[i].id = i;
        if (pylon_mp_type(mp, &m->types[i]) != 0) {
            return -1;
        }
        m->ntypes = i + 1;
    }

    return 0;
}


static int
pylon_mp_storage(pylon_mp_t *mp, pylon_meta_pallet_t *p)
{
    pylon_meta_storage_t  *e;
    const uint8_t         *bytes;
    uint32_t               n, i, h;
    uint8_t                tag, kind;
    uint8_t               *hashers;
    size_t                 len;

    if (pylon_mp_u8(mp, &tag) != 0) {
        return -1;
    }

    if (tag > 1) {
        PYLON_MP_FAIL(mp, "bad option tag");
    }

    if (tag == 0) {
        return 0;
    }

    if (pylon_mp_string(mp, &p->prefix, 1) != 0
        || pylon_mp_len(mp, &n, 5) != 0)
    {
        return -1;
    }

    e = pylon_mp_array(mp, n, sizeof(pylon_meta_storage_t));
    if (e == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (pylon_mp_string(mp, &e[i].name, 1) != 0
            || pylon_mp_u8(mp, &e[i].modifier) != 0
            || pylon_mp_u8(mp, &kind) != 0)
        {
            return -1;
        }

        if (e[i].modifier > 1) {
            PYLON_MP_FAIL(mp, "bad storage modifier");
        }

        if (kind == 0) {
            if (pylon_mp_compact32(mp, &e[i].value_type) != 0) {
                return -1;
            }

        } else if (kind == 1) {
            e[i].is_map = 1;

            if (pylon_mp_len(mp, &e[i].nhashers, 1) != 0) {
                return -1;
            }

            hashers = pylon_mp_array(mp, e[i].nhashers, 1);
            if (hashers == NULL) {
                return -1;
            }

            for (h = 0; h < e[i].nhashers; h++) {
                if (pylon_mp_u8(mp, &hashers[h]) != 0) {
                    return -1;
                }
                if (hashers[h] >= PYLON_HASHER_COUNT) {
                    PYLON_MP_FAIL(mp, "unknown hasher");
                }
            }

            e[i].hashers = hashers;

            if (pylon_mp_compact32(mp, &e[i].key_type) != 0
                || pylon_mp_compact32(mp, &e[i].value_type) != 0)
            {
                return -1;
            }

        } else {
            PYLON_MP_FAIL(mp, "bad storage entry kind");
        }

        if (pylon_scale_vec_u8(&bytes, &len, &mp->cur) != 0) {
            PYLON_MP_FAIL(mp, "truncated storage default");
        }

        e[i].def = pylon_mp_array(mp, len, 1);
        if (e[i].def == NULL && len) {
            return -1;
        }

        memcpy((uint8_t *) e[i].def, bytes, len);
        e[i].deflen = len;

        if (pylon_mp_docs(mp, NULL) != 0) {
            return -1;
        }
    }

    p->storage = e;
    p->nstorage = n;

    return 0;
}


static int
pylon_mp_pallets(pylon_mp_t *mp)
{
    pylon_meta_pallet_t  *p;
    pylon_meta_const_t   *c;
    const uint8_t        *bytes;
    uint32_t              n, i, k;
    size_t                len;

    if (pylon_mp_len(mp, &n, 7) != 0) {
        return -1;
    }

    p = pylon_mp_array(mp, n, sizeof(pylon_meta_pallet_t));
    if (p == NULL) {
        return -1;
    }

    mp->m->pallets = p;

    for (i = 0; i < n; i++) {
        if (pylon_mp_string(mp, &p[i].name, 1) != 0
            || pylon_mp_storage(mp, &p[i]) != 0
            || pylon_mp_option_type(mp, &p[i].calls) != 0
            || pylon_mp_option_type(mp, &p[i].event) != 0
            || pylon_mp_len(mp, &p[i].nconsts, 4) != 0)
        {
            return -1;
        }

        c = pylon_mp_array(mp, p[i].nconsts, sizeof(pylon_meta_const_t));
        if (c == NULL) {
            return -1;
        }

        for (k = 0; k < p[i].nconsts; k++) {
            if (pylon_mp_string(mp, &c[k].name, 1) != 0
                || pylon_mp_compact32(mp, &c[k].type) != 0)
            {
                return -1;
            }

            if (pylon_scale_vec_u8(&bytes, &len, &mp->cur) != 0) {
                PYLON_MP_FAIL(mp, "truncated constant");
            }

            c[k].value = pylon_mp_array(mp, len, 1);
            if (c[k].value == NULL && len) {
                return -1;
            }

            memcpy((uint8_t *) c[k].value, bytes, len);
            c[k].len = len;

            if (pylon_mp_docs(mp, NULL) != 0) {
                return -1;
            }
        }

        p[i].consts = c;

        if (pylon_mp_option_type(mp, &p[i].error) != 0
            || pylon_mp_u8(mp, &p[i].index) != 0)
        {
            return -1;
        }

        if (mp->m->version >= 15 && pylon_mp_docs(mp, NULL) != 0) {
            return -1;
        }

        mp->m->npallets = i + 1;
    }

    return 0;
}


static int
pylon_mp_extrinsic(pylon_mp_t *mp)
{
    pylon_meta_t  *m;
    uint32_t       v, n, i;

    m = mp->m;
    m->xt_type = m->xt_address = m->xt_call = m->xt_signature = -1;
    m->xt_extra = -1;

    if (m->version == 14) {
        if (pylon_mp_compact32(mp, &v) != 0
            || pylon_mp_u8(mp, &m->xt_version) != 0)
        {
            return -1;
        }
        m->xt_type = v;

    } else {
        if (pylon_mp_u8(mp, &m->xt_version) != 0) {
            return -1;
        }

        if (pylon_mp_compact32(mp, &v) != 0) {
            return -1;
        }
        m->xt_address = v;

        if (pylon_mp_compact32(mp, &v) != 0) {
            return -1;
        }
        m->xt_call = v;

        if (pylon_mp_compact32(mp, &v) != 0) {
            return -1;
        }
        m->xt_signature = v;

        if (pylon_mp_compact32(mp, &v) != 0) {
            return -1;
        }
        m->xt_extra = v;
    }

    if (pylon_mp_len(mp, &n, 3) != 0) {
        return -1;
    }

    m->exts = pylon_mp_array(mp, n, sizeof(pylon_meta_ext_t));
    if (m->exts == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (pylon_mp_string(mp, &m->exts[i].identifier, 1) != 0
            || pylon_mp_compact32(mp, &m->exts[i].type) != 0
            || pylon_mp_compact32(mp, &m->exts[i].additional) != 0)
        {
            return -1;
        }
    }

    m->nexts = n;

    return pylon_mp_compact32(mp, &m->runtime_type);
}


static int
pylon_mp_apis(pylon_mp_t *mp)
{
    pylon_meta_api_t     *a;
    pylon_meta_method_t  *me;
    uint32_t              n, i, k, j;

    if (pylon_mp_len(mp, &n, 3) != 0) {
        return -1;
    }

    a = pylon_mp_array(mp, n, sizeof(pylon_meta_api_t));
    if (a == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (pylon_mp_string(mp, &a[i].name, 1) != 0
            || pylon_mp_len(mp, &a[i].nmethods, 4) != 0)
        {
            return -1;
        }

        me = pylon_mp_array(mp, a[i].nmethods, sizeof(pylon_meta_method_t));
        if (me == NULL) {
            return -1;
        }

        for (k = 0; k < a[i].nmethods; k++) {
            if (pylon_mp_string(mp, &me[k].name, 1) != 0
                || pylon_mp_len(mp, &me[k].ninputs, 2) != 0)
            {
                return -1;
            }

            me[k].inputs = pylon_mp_array(mp, me[k].ninputs,
                                          sizeof(pylon_meta_param_t));
            if (me[k].inputs == NULL) {
                return -1;
            }

            for (j = 0; j < me[k].ninputs; j++) {
                if (pylon_mp_string(mp, &me[k].inputs[j].name, 1) != 0
                    || pylon_mp_compact32(mp, &me[k].inputs[j].type) != 0)
                {
                    return -1;
                }
            }

            if (pylon_mp_compact32(mp, &me[k].output) != 0
                || pylon_mp_docs(mp, NULL) != 0)
            {
                return -1;
            }
        }

        a[i].methods = me;

        if (pylon_mp_docs(mp, NULL) != 0) {
            return -1;
        }
    }

    mp->m->apis = a;
    mp->m->napis = n;

    return 0;
}


static int
pylon_mp_outer(pylon_mp_t *mp)
{
    uint32_t  v[3];

    if (pylon_mp_compact32(mp, &v[0]) != 0
        || pylon_mp_compact32(mp, &v[1]) != 0
        || pylon_mp_compact32(mp, &v[2]) != 0)
    {
        return -1;
    }

    mp->m->outer_call = v[0];
    mp->m->outer_event = v[1];
    mp->m->outer_error = v[2];

    /* custom: BTreeMap<String, {ty, value}> is read only to be skipped */
    {
        uint32_t        n, i, ty;
        const uint8_t  *p;
        size_t          len;

        if (pylon_mp_len(mp, &n, 3) != 0) {
            return -1;
        }

        for (i = 0; i < n; i++) {
            if (pylon_mp_string(mp, NULL, 0) != 0
                || pylon_mp_compact32(mp, &ty) != 0)
            {
                return -1;
            }

            if (pylon_scale_vec_u8(&p, &len, &mp->cur) != 0) {
                PYLON_MP_FAIL(mp, "truncated custom value");
            }

            if (ty >= mp->m->ntypes) {
                PYLON_MP_FAIL(mp, "custom value type out of range");
            }
        }
    }

    return 0;
}


/* every type id referenced anywhere must exist */
static int
pylon_mp_check_ids(pylon_mp_t *mp)
{
    pylon_meta_t         *m;
    pylon_meta_type_t    *t;
    pylon_meta_pallet_t  *p;
    uint32_t              i, k, j, n;

    m = mp->m;
    n = m->ntypes;

#define PYLON_ID_OK(id)                                                    \
    do {                                                                    \
        if ((uint64_t) (id) >= n) {                                         \
            PYLON_MP_FAIL(mp, "type id out of range");                      \
        }                                                                   \
    } while (0)

    for (i = 0; i < n; i++) {
        t = &m->types[i];

        for (k = 0; k < t->nparams; k++) {
            if (t->param_types[k] >= 0) {
                PYLON_ID_OK(t->param_types[k]);
            }
        }

        switch (t->kind) {
        case PYLON_TYPE_COMPOSITE:
            for (k = 0; k < t->u.composite.n; k++) {
                PYLON_ID_OK(t->u.composite.fields[k].type);
            }
            break;
        case PYLON_TYPE_VARIANT:
            for (k = 0; k < t->u.variant.n; k++) {
                for (j = 0; j < t->u.variant.variants[k].nfields; j++) {
                    PYLON_ID_OK(t->u.variant.variants[k].fields[j].type);
                }
            }
            break;
        case PYLON_TYPE_SEQUENCE:
        case PYLON_TYPE_COMPACT:
            PYLON_ID_OK(t->u.elem.type);
            break;
        case PYLON_TYPE_ARRAY:
            PYLON_ID_OK(t->u.array.type);
            break;
        case PYLON_TYPE_TUPLE:
            for (k = 0; k < t->u.tuple.n; k++) {
                PYLON_ID_OK(t->u.tuple.types[k]);
            }
            break;
        case PYLON_TYPE_BITSEQ:
            PYLON_ID_OK(t->u.bitseq.store);
            PYLON_ID_OK(t->u.bitseq.order);
            break;
        default:
            break;
        }
    }

    for (i = 0; i < m->npallets; i++) {
        p = &m->pallets[i];

        for (k = 0; k < p->nstorage; k++) {
            PYLON_ID_OK(p->storage[k].value_type);
            if (p->storage[k].is_map) {
                PYLON_ID_OK(p->storage[k].key_type);
            }
        }

        for (k = 0; k < p->nconsts; k++) {
            PYLON_ID_OK(p->consts[k].type);
        }

        if (p->calls >= 0) {
            PYLON_ID_OK(p->calls);
        }
        if (p->event >= 0) {
            PYLON_ID_OK(p->event);
        }
        if (p->error >= 0) {
            PYLON_ID_OK(p->error);
        }
    }

    for (i = 0; i < m->napis; i++) {
        for (k = 0; k < m->apis[i].nmethods; k++) {
            PYLON_ID_OK(m->apis[i].methods[k].output);
            for (j = 0; j < m->apis[i].methods[k].ninputs; j++) {
                PYLON_ID_OK(m->apis[i].methods[k].inputs[j].type);
            }
        }
    }

    for (i = 0; i < m->nexts; i++) {
        PYLON_ID_OK(m->exts[i].type);
        PYLON_ID_OK(m->exts[i].additional);
    }

    PYLON_ID_OK(m->runtime_type);

    if (m->xt_type >= 0) {
        PYLON_ID_OK(m->xt_type);
    }
    if (m->xt_address >= 0) {
        PYLON_ID_OK(m->xt_address);
        PYLON_ID_OK(m->xt_call);
        PYLON_ID_OK(m->xt_signature);
        PYLON_ID_OK(m->xt_extra);
    }
    if (m->outer_call >= 0) {
        PYLON_ID_OK(m->outer_call);
        PYLON_ID_OK(m->outer_event);
        PYLON_ID_OK(m->outer_error);
    }

#undef PYLON_ID_OK

    return 0;
}


/* mark AccountId32, Option and byte sequences for the JSON decoder */
static void
pylon_meta_mark_specials(pylon_meta_t *m, uint32_t from)
{
    pylon_meta_type_t  *t, *e;
    uint32_t            i;

    for (i = from; i < m->ntypes; i++) {
        t = &m->types[i];

        switch (t->kind) {

        case PYLON_TYPE_COMPOSITE:
            if (strcmp(t->name, "AccountId32") == 0
                && t->u.composite.n == 1)
            {
                e = &m->types[t->u.composite.fields[0].type];
                if (e->kind == PYLON_TYPE_ARRAY && e->u.array.len == 32
                    && m->types[e->u.array.type].kind == PYLON_TYPE_PRIMITIVE
                    && m->types[e->u.array.type].prim == PYLON_PRIM_U8)
                {
                    t->special = PYLON_SPECIAL_ACCOUNT_ID;
                }
            }
            break;

        case PYLON_TYPE_VARIANT:
            if (strcmp(t->path, "Option") == 0 && t->u.variant.n == 2) {
                t->special = PYLON_SPECIAL_OPTION;
            }
            break;

        case PYLON_TYPE_SEQUENCE:
            e = &m->types[t->u.elem.type];
            if (e->kind == PYLON_TYPE_PRIMITIVE && e->prim == PYLON_PRIM_U8) {
                t->special = PYLON_SPECIAL_BYTES;
            }
            break;

        case PYLON_TYPE_ARRAY:
            e = &m->types[t->u.array.type];
            if (e->kind == PYLON_TYPE_PRIMITIVE && e->prim == PYLON_PRIM_U8) {
                t->special = PYLON_SPECIAL_BYTES;
            }
            break;

        default:
            break;
        }

        if (t->kind == PYLON_TYPE_COMPOSITE) {
            uint32_t  k;

            t->named = t->u.composite.n > 0;
            for (k = 0; k < t->u.composite.n; k++) {
                if (t->u.composite.fields[k].name == NULL) {
                    t->named = 0;
                }
            }
        }
    }
}


static void
pylon_meta_read_ss58_prefix(pylon_meta_t *m)
{
    const pylon_meta_pallet_t  *p;
    const pylon_meta_const_t   *c;

    m->ss58_prefix = 42;

    p = pylon_meta_pallet(m, "System");
    c = p ? pylon_meta_constant(p, "SS58Prefix") : NULL;

    if (c && c->len == 2) {
        m->ss58_prefix = (uint16_t) (c->value[0] | c->value[1] << 8);
    }
}


pylon_meta_t *
pylon_meta_new(void)
{
    pylon_meta_t  *m;

    m = calloc(1, sizeof(pylon_meta_t));
    if (m == NULL) {
        return NULL;
    }

    m->arena = pylon_arena_create();
    if (m->arena == NULL) {
        free(m);
        return NULL;
    }

    m->ss58_prefix = 42;
    m->xt_type = m->xt_address = m->xt_call = m->xt_signature = -1;
    m->xt_extra = m->outer_call = m->outer_event = m->outer_error = -1;

    return m;
}


int
pylon_meta_parse(pylon_meta_t **out, const uint8_t *blob, size_t len,
    char *err, size_t errlen)
{
    pylon_scale_cur_t  c;
    pylon_mp_t         mp;
    const uint8_t     *body;
    size_t             n;
    uint8_t            tag;

    memset(&mp, 0, sizeof(mp));

    pylon_scale_init(&c, blob, len);

    if (len < 5 || memcmp(blob, "meta", 4) != 0) {
        /* Option<Vec<u8>> from Metadata_metadata_at_version */
        if (pylon_scale_u8(&tag, &c) != 0 || tag != 1
            || pylon_scale_vec_u8(&body, &n, &c) != 0
            || pylon_scale_remaining(&c) != 0
            || n < 5 || memcmp(body, "meta", 4) != 0)
        {
            mp.err = "not a metadata blob (no \"meta\" magic)";
            goto failed;
        }

        pylon_scale_init(&c, body, n);
    }

    (void) pylon_scale_skip(4, &c);

    mp.m = pylon_meta_new();
    if (mp.m == NULL) {
        mp.err = "out of memory";
        goto failed;
    }

    mp.cur = c;

    if (pylon_mp_u8(&mp, &mp.m->version) != 0) {
        goto failed;
    }

    if (mp.m->version != 14 && mp.m->version != 15) {
        mp.err = "unsupported metadata version (need 14 or 15)";
        goto failed;
    }

    if (pylon_mp_registry(&mp) != 0
        || pylon_mp_pallets(&mp) != 0
        || pylon_mp_extrinsic(&mp) != 0)
    {
        goto failed;
    }

    if (mp.m->version == 15
        && (pylon_mp_apis(&mp) != 0 || pylon_mp_outer(&mp) != 0))
    {
        goto failed;
    }

    if (pylon_scale_remaining(&mp.cur) != 0) {
        mp.err = "trailing bytes after metadata";
        goto failed;
    }

    if (pylon_mp_check_ids(&mp) != 0) {
        goto failed;
    }

    pylon_meta_mark_specials(mp.m, 0);
    pylon_meta_read_ss58_prefix(mp.m);

    *out = mp.m;

    return 0;

failed:

    if (err && errlen) {
        snprintf(err, errlen, "metadata: %s at byte %zu",
                 mp.err ? mp.err : "malformed",
                 mp.m ? (size_t) (mp.cur.pos - blob) : (size_t) 0);
    }

    pylon_meta_free(mp.m);

    return -1;
}


void
pylon_meta_free(pylon_meta_t *m)
{
    if (m == NULL) {
        return;
    }

    free(m->types);
    pylon_arena_destroy(m->arena);
    free(m);
}


const pylon_meta_type_t *
pylon_meta_type(const pylon_meta_t *m, uint32_t id)
{
    return id < m->ntypes ? &m->types[id] : NULL;
}


int64_t
pylon_meta_type_find(const pylon_meta_t *m, const char *name)
{
    static const char  *prims[PYLON_PRIM_COUNT] = {
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "u256",
        "i8", "i16", "i32", "i64", "i128", "i256"
    };

    uint32_t  i;
    unsigned  p;

    for (i = 0; i < m->ntypes; i++) {
        if (strcmp(m->types[i].path, name) == 0) {
            return i;
        }
    }

    for (i = 0; i < m->ntypes; i++) {
        if (m->types[i].name[0] && strcmp(m->types[i].name, name) == 0) {
            return i;
        }
    }

    for (p = 0; p < PYLON_PRIM_COUNT; p++) {
        if (strcmp(prims[p], name) != 0) {
            continue;
        }

        for (i = 0; i < m->ntypes; i++) {
            if (m->types[i].kind == PYLON_TYPE_PRIMITIVE
                && m->types[i].prim == p)
            {
                return i;
            }
        }
    }

    return -1;
}


const pylon_meta_pallet_t *
pylon_meta_pallet(const pylon_meta_t *m, const char *name)
{
    uint32_t  i;

    for (i = 0; i < m->npallets; i++) {
        if (strcmp(m->pallets[i].name, name) == 0) {
            return &m->pallets[i];
        }
    }

    return NULL;
}


const pylon_meta_pallet_t *
pylon_meta_pallet_by_index(const pylon_meta_t *m, uint8_t index)
{
    uint32_t  i;

    for (i = 0; i < m->npallets; i++) {
        if (m->pallets[i].index == index) {
            return &m->pallets[i];
        }
    }

    return NULL;
}


const pylon_meta_storage_t *
pylon_meta_storage(const pylon_meta_pallet_t *p, const char *name)
{
    uint32_t  i;

    for (i = 0; i < p->nstorage; i++) {
        if (strcmp(p->storage[i].name, name) == 0) {
            return &p->storage[i];
        }
    }

    return NULL;
}


const pylon_meta_const_t *
pylon_meta_constant(const pylon_meta_pallet_t *p, const char *name)
{
    uint32_t  i;

    for (i = 0; i < p->nconsts; i++) {
        if (strcmp(p->consts[i].name, name) == 0) {
            return &p->consts[i];
        }
    }

    return NULL;
}


const pylon_meta_api_t *
pylon_meta_api(const pylon_meta_t *m, const char *name)
{
    uint32_t  i;

    for (i = 0; i < m->napis; i++) {
        if (strcmp(m->apis[i].name, name) == 0) {
            return &m->apis[i];
        }
    }

    return NULL;
}


const pylon_meta_method_t *
pylon_meta_api_method(const pylon_meta_t *m, const char *api,
    const char *method)
{
    const pylon_meta_api_t  *a;
    uint32_t                 i;

    a = pylon_meta_api(m, api);
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < a->nmethods; i++) {
        if (strcmp(a->methods[i].name, method) == 0) {
            return &a->methods[i];
        }
    }

    return NULL;
}


const pylon_meta_variant_t *
pylon_meta_variant(const pylon_meta_type_t *t, const char *name)
{
    uint32_t  i;

    if (t == NULL || t->kind != PYLON_TYPE_VARIANT) {
        return NULL;
    }

    for (i = 0; i < t->u.variant.n; i++) {
        if (strcmp(t->u.variant.variants[i].name, name) == 0) {
            return &t->u.variant.variants[i];
        }
    }

    return NULL;
}


const pylon_meta_variant_t *
pylon_meta_variant_by_index(const pylon_meta_type_t *t, uint8_t index)
{
    uint32_t  i;

    if (t == NULL || t->kind != PYLON_TYPE_VARIANT) {
        return NULL;
    }

    for (i = 0; i < t->u.variant.n; i++) {
        if (t->u.variant.variants[i].index == index) {
            return &t->u.variant.variants[i];
        }
    }

    return NULL;
}


static const pylon_meta_variant_t *
pylon_meta_pallet_variant(const pylon_meta_t *m, const char *pallet,
    size_t which, const char *name)
{
    const pylon_meta_pallet_t  *p;
    int64_t                     ty;

    p = pylon_meta_pallet(m, pallet);
    if (p == NULL) {
        return NULL;
    }

    ty = which == 0 ? p->calls : p->event;
    if (ty < 0) {
        return NULL;
    }

    return pylon_meta_variant(&m->types[ty], name);
}


const pylon_meta_variant_t *
pylon_meta_call(const pylon_meta_t *m, const char *pallet, const char *call)
{
    return pylon_meta_pallet_variant(m, pallet, 0, call);
}


const pylon_meta_variant_t *
pylon_meta_event(const pylon_meta_t *m, const char *pallet,
    const char *event)
{
    return pylon_meta_pallet_variant(m, pallet, 1, event);
}


const pylon_meta_variant_t *
pylon_meta_error_by_index(const pylon_meta_t *m, uint8_t pallet_index,
    uint8_t error_index)
{
    const pylon_meta_pallet_t  *p;

    p = pylon_meta_pallet_by_index(m, pallet_index);
    if (p == NULL || p->error < 0) {
        return NULL;
    }

    return pylon_meta_variant_by_index(&m->types[p->error], error_index);
}


const pylon_meta_ext_t *
pylon_meta_extension(const pylon_meta_t *m, const char *identifier)
{
    uint32_t  i;

    for (i = 0; i < m->nexts; i++) {
        if (strcmp(m->exts[i].identifier, identifier) == 0) {
            return &m->exts[i];
        }
    }

    return NULL;
}


int64_t
pylon_meta_add_type(pylon_meta_t *m, const pylon_meta_type_t *t)
{
    pylon_meta_type_t  *types;
    uint32_t            cap;

    if (m->ntypes == m->cap_types) {
        cap = m->cap_types ? m->cap_types * 2 : 16;

        types = realloc(m->types, cap * sizeof(pylon_meta_type_t));
        if (types == NULL) {
            return -1;
        }

        m->types = types;
        m->cap_types = cap;
    }

    m->types[m->ntypes] = *t;
    m->types[m->ntypes].id = m->ntypes;

    if (m->types[m->ntypes].path == NULL) {
        m->types[m->ntypes].path = "";
    }
    if (m->types[m->ntypes].name == NULL) {
        m->types[m->ntypes].name = "";
    }

    m->ntypes++;

    pylon_meta_mark_specials(m, m->ntypes - 1);

    return m->ntypes - 1;
}


void *
pylon_meta_alloc(pylon_meta_t *m, size_t n)
{
    return pylon_arena_alloc(m->arena, n);
}


char *
pylon_meta_strdup(pylon_meta_t *m, const char *s, size_t len)
{
    return pylon_arena_strdup(m->arena, s, len);
}
